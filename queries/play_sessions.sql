-- name: PlaySessionNextNumber :one
-- PlaySessionNextNumber is one more than the highest session number of the
-- campaign (1 for the first).
SELECT (coalesce(max(number), 0) + 1)::integer AS next_number
FROM play_sessions
WHERE campaign_id = @campaign_id::uuid;

-- name: PlaySessionCreate :one
-- PlaySessionCreate inserts a game session. number NULL takes the next
-- number; two creates racing for it make one fail with ErrConflict, like a
-- number that is taken (the API answers 409 rather than renumbering).
INSERT INTO play_sessions (campaign_id, number, title, scheduled_at, status)
VALUES (
    @campaign_id::uuid,
    coalesce(
        sqlc.narg('number')::integer,
        (SELECT coalesce(max(ps.number), 0) + 1 FROM play_sessions ps WHERE ps.campaign_id = @campaign_id::uuid)
    ),
    @title::text,
    sqlc.narg('scheduled_at')::timestamptz,
    @status::text
)
RETURNING *;

-- name: PlaySessionGet :one
SELECT id, campaign_id, number, title, scheduled_at, status, recap, created_at, updated_at
FROM play_sessions
WHERE campaign_id = @campaign_id::uuid
    AND id = @id::uuid;

-- name: PlaySessionList :many
-- PlaySessionList returns the campaign's sessions by number.
SELECT id, campaign_id, number, title, scheduled_at, status, recap, created_at, updated_at
FROM play_sessions
WHERE campaign_id = @campaign_id::uuid
ORDER BY number;

-- name: PlaySessionUpdate :one
-- PlaySessionUpdate changes the fields given (NULL leaves a field as it is);
-- scheduled_at changes only when set_scheduled_at is true, so that NULL can
-- clear it. A number taken by another session of the campaign is
-- ErrConflict (play_sessions_campaign_id_number_key), never a renumbering.
UPDATE play_sessions
SET title = coalesce(sqlc.narg('title')::text, title),
    scheduled_at = CASE WHEN @set_scheduled_at::boolean THEN sqlc.narg('scheduled_at')::timestamptz ELSE scheduled_at END,
    status = coalesce(sqlc.narg('status')::text, status),
    number = coalesce(sqlc.narg('number')::integer, number),
    recap = coalesce(sqlc.narg('recap')::text, recap),
    updated_at = now()
WHERE campaign_id = @campaign_id::uuid
    AND id = @id::uuid
RETURNING *;

-- name: PlaySessionDelete :execrows
DELETE FROM play_sessions
WHERE campaign_id = @campaign_id::uuid
    AND id = @id::uuid;

-- name: PlaySessionListPlanned :many
-- PlaySessionListPlanned returns the campaign's planned sessions that have
-- a date, earliest first: the calendar feed. It reads the partial index
-- play_sessions_campaign_id_scheduled_at_idx.
SELECT id, campaign_id, number, title, scheduled_at, status, recap, created_at, updated_at
FROM play_sessions
WHERE campaign_id = @campaign_id::uuid
    AND status = 'planned'
    AND scheduled_at IS NOT NULL
ORDER BY scheduled_at, number;

-- name: CampaignTimeZoneGet :one
-- CampaignTimeZoneGet returns the campaign's IANA zone, in which sessions
-- and poll options get their localDate and localTime.
SELECT time_zone
FROM campaigns
WHERE id = @campaign_id::uuid;
