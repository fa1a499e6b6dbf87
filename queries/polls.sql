-- Availability polls over HTTP (CONTRACT.md section 4) and the job that
-- closes them at closes_at. Votes cast live go through the hub's queries in
-- live.sql (LivePollVoteSet, LivePollVoteDelete); these are the rest.

-- name: PollCreate :one
INSERT INTO availability_polls (campaign_id, title, closes_at, created_by)
VALUES (@campaign_id::uuid, @title::text, sqlc.narg('closes_at')::timestamptz, @created_by::uuid)
RETURNING *;

-- name: PollOptionCreate :batchone
-- PollOptionCreate adds one option; position is its place in the request,
-- 0-based. A slot the poll has already is ErrConflict
-- (availability_options_poll_id_starts_at_ends_at_key).
INSERT INTO availability_options (campaign_id, poll_id, starts_at, ends_at, position)
VALUES (
    @campaign_id::uuid,
    @poll_id::uuid,
    @starts_at::timestamptz,
    sqlc.narg('ends_at')::timestamptz,
    @position::integer
)
RETURNING *;

-- name: PollGet :one
SELECT id, campaign_id, title, status, closes_at, session_id, closed_at, created_by, created_at, updated_at
FROM availability_polls
WHERE campaign_id = @campaign_id::uuid
    AND id = @id::uuid;

-- name: PollGetForUpdate :one
-- PollGetForUpdate locks the poll until the transaction ends: finalize
-- takes it first, so two finalizes of one poll run one after the other and
-- the second sees session_id set.
SELECT id, campaign_id, title, status, closes_at, session_id, closed_at, created_by, created_at, updated_at
FROM availability_polls
WHERE campaign_id = @campaign_id::uuid
    AND id = @id::uuid
FOR UPDATE;

-- name: PollList :many
-- PollList returns every poll of the campaign, open and closed, newest
-- first.
SELECT id, campaign_id, title, status, closes_at, session_id, closed_at, created_by, created_at, updated_at
FROM availability_polls
WHERE campaign_id = @campaign_id::uuid
ORDER BY created_at DESC, id;

-- name: PollOptionList :many
-- PollOptionList returns the options of the given polls of the campaign,
-- each poll's in display order.
SELECT id, poll_id, starts_at, ends_at, position
FROM availability_options
WHERE campaign_id = @campaign_id::uuid
    AND poll_id = ANY(@poll_ids::uuid[])
ORDER BY poll_id, position;

-- name: PollVoteList :many
-- PollVoteList returns the votes on the given polls of the campaign.
SELECT poll_id, option_id, user_id, answer
FROM availability_responses
WHERE campaign_id = @campaign_id::uuid
    AND poll_id = ANY(@poll_ids::uuid[])
ORDER BY option_id, user_id;

-- name: PollClose :execrows
-- PollClose closes an open poll; 0 rows when it is closed already (or
-- gone). Votes stay as they were.
UPDATE availability_polls
SET status = 'closed',
    closed_at = now(),
    updated_at = now()
WHERE campaign_id = @campaign_id::uuid
    AND id = @id::uuid
    AND status = 'open';

-- name: PollFinalize :execrows
-- PollFinalize links the poll to the session made from it and closes it if
-- it was open (a poll closed earlier keeps its closed_at). 0 rows when it
-- was finalized already. Run it in the transaction that created the
-- session, after PollGetForUpdate.
UPDATE availability_polls
SET status = 'closed',
    closed_at = coalesce(closed_at, now()),
    session_id = @session_id::uuid,
    updated_at = now()
WHERE campaign_id = @campaign_id::uuid
    AND id = @id::uuid
    AND session_id IS NULL;

-- name: PollListDue :many
-- PollListDue returns open polls whose closes_at has passed, across
-- campaigns, oldest deadline first, for the job that closes them; it reads
-- the partial index availability_polls_closes_at_idx. The job closes each
-- with PollClose, in its own campaign.
-- unscoped: the auto-close job runs for every campaign; each poll is then closed by a scoped PollClose.
SELECT campaign_id, id
FROM availability_polls
WHERE status = 'open'
    AND closes_at <= @now::timestamptz
ORDER BY closes_at, id
LIMIT @max_rows::integer;

-- name: PollNextClosesAt :one
-- PollNextClosesAt is the earliest closes_at of an open poll, across
-- campaigns (ErrNotFound: none), so the job sleeps until then.
-- unscoped: the auto-close job's wake-up time over every campaign, from the partial index.
SELECT closes_at
FROM availability_polls
WHERE status = 'open'
    AND closes_at IS NOT NULL
ORDER BY closes_at
LIMIT 1;

-- name: PollCampaignsClosedBetween :many
-- PollCampaignsClosedBetween returns the campaigns with a poll closed in
-- (after, until]: the job uses it to tell their hubs, 24 hours later, that
-- the poll leaves the live state.
-- unscoped: the job looks for campaigns to notify across campaigns; it reads nothing else.
SELECT DISTINCT campaign_id
FROM availability_polls
WHERE closed_at > @after::timestamptz
    AND closed_at <= @until::timestamptz;
