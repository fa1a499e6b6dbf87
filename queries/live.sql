-- The live hub's bookkeeping: its epoch fence and seq counters in
-- campaigns, the event log (live_events), idempotency records
-- (live_commands), and the live part of availability polls. See hub/doc.go
-- for how they fit together.

-- name: CampaignLiveLoad :one
-- CampaignLiveLoad is the first statement of a hub's load: it gives the
-- campaign a new live epoch, chosen by the hub, and returns the name and
-- the views' last seqs. The new epoch fences off any other hub (in another
-- process) still serving this campaign: its next CampaignLiveCommit
-- matches no row. ErrNotFound: the campaign is gone.
UPDATE campaigns
SET live_epoch = @epoch::text
WHERE id = @campaign_id::uuid
RETURNING id, name, live_gm_seq, live_player_seq;

-- name: CampaignLiveName :one
-- CampaignLiveName reads the campaign's name when the hub reloads it.
SELECT name
FROM campaigns
WHERE id = @campaign_id::uuid;

-- name: CampaignLiveCommit :execrows
-- CampaignLiveCommit stores the views' seqs at the end of a hub
-- transaction. It is the fence: it matches only while the campaign still
-- has this hub's epoch and the seqs the hub last stored, so a hub that
-- lost its campaign to another, or whose memory disagrees with the
-- database, writes nothing (0 rows) and rolls back. Its row lock orders
-- writers, so seq order is commit order.
UPDATE campaigns
SET live_gm_seq = @gm_seq::bigint,
    live_player_seq = @player_seq::bigint
WHERE id = @campaign_id::uuid
    AND live_epoch = @epoch::text
    AND live_gm_seq = @from_gm_seq::bigint
    AND live_player_seq = @from_player_seq::bigint;

-- name: LiveEventAppend :exec
-- LiveEventAppend logs merge patches: views[i] at seqs[i] got patches[i].
-- Written in the transaction of the change they carry.
INSERT INTO live_events (campaign_id, view, seq, patch)
SELECT @campaign_id::uuid, e.view, (@seqs::bigint[])[e.ord], ((@patches::text[])[e.ord])::jsonb
FROM unnest(@views::text[]) WITH ORDINALITY AS e(view, ord);

-- name: LiveEventList :many
-- LiveEventList returns a view's logged patches after a seq, in order (for
-- tests, tools and other processes following the campaign).
SELECT seq, patch
FROM live_events
WHERE campaign_id = @campaign_id::uuid AND view = @view::text AND seq > @after_seq::bigint
ORDER BY seq
LIMIT @max_rows::integer;

-- name: LiveEventTrim :execrows
-- LiveEventTrim drops a view's patches up to and including below_seq: the
-- hub keeps the log to its resume window.
DELETE FROM live_events
WHERE campaign_id = @campaign_id::uuid AND view = @view::text AND seq <= @below_seq::bigint;

-- name: LiveEventDeleteBefore :execrows
-- LiveEventDeleteBefore trims the log by age across campaigns.
-- unscoped: a periodic clean-up of every campaign's old log entries, by the indexed created_at.
DELETE FROM live_events
WHERE created_at < @before::timestamptz;

-- name: LiveCommandRecord :exec
-- LiveCommandRecord stores command outcomes: user_ids[i] sent
-- command_ids[i], which gave outcomes[i]. An expired record of the same id
-- is replaced; a live one is kept (the hub never records a live id twice).
INSERT INTO live_commands (campaign_id, user_id, command_id, outcome)
SELECT @campaign_id::uuid, c.user_id, (@command_ids::text[])[c.ord], ((@outcomes::text[])[c.ord])::jsonb
FROM unnest(@user_ids::uuid[]) WITH ORDINALITY AS c(user_id, ord)
ON CONFLICT (campaign_id, user_id, command_id) DO UPDATE
SET outcome = excluded.outcome,
    created_at = excluded.created_at
WHERE live_commands.created_at <= now() - interval '10 minutes';

-- name: LiveCommandDeleteBefore :execrows
-- LiveCommandDeleteBefore trims expired idempotency records.
-- unscoped: a periodic clean-up across campaigns, by the indexed created_at.
DELETE FROM live_commands
WHERE created_at < @before::timestamptz;

-- name: LivePollList :many
-- LivePollList returns the polls the live state shows: open ones, and
-- closed ones (finalized polls are closed too) for 24 hours after they
-- closed; the 20 newest.
SELECT id, title, status, closes_at
FROM availability_polls
WHERE campaign_id = @campaign_id::uuid
    AND (status = 'open' OR closed_at > now() - interval '24 hours')
ORDER BY created_at DESC, id
LIMIT 20;

-- name: LivePollOptionList :many
-- LivePollOptionList returns the options of the given polls.
SELECT id, poll_id, starts_at, ends_at
FROM availability_options
WHERE campaign_id = @campaign_id::uuid AND poll_id = ANY(@poll_ids::uuid[])
ORDER BY poll_id, position;

-- name: LivePollVoteList :many
-- LivePollVoteList returns the votes on the given polls.
SELECT poll_id, option_id, user_id, answer
FROM availability_responses
WHERE campaign_id = @campaign_id::uuid AND poll_id = ANY(@poll_ids::uuid[]);

-- name: LivePollVoteSet :execrows
-- LivePollVoteSet records or changes a member's answer for one option,
-- only while the poll is open (0 rows otherwise). An option of another poll
-- or a user who is not a member breaks a foreign key (ErrNotFound).
INSERT INTO availability_responses (campaign_id, poll_id, option_id, user_id, answer)
SELECT @campaign_id::uuid, @poll_id::uuid, @option_id::uuid, @user_id::uuid, @answer::text
WHERE EXISTS (
    SELECT 1
    FROM availability_polls p
    WHERE p.campaign_id = @campaign_id::uuid AND p.id = @poll_id::uuid AND p.status = 'open'
)
ON CONFLICT (option_id, user_id) DO UPDATE
SET answer = excluded.answer,
    updated_at = now();

-- name: LivePollVoteDelete :execrows
-- LivePollVoteDelete removes a member's answer for one option while the
-- poll is open; 0 rows when there was none or the poll is closed.
DELETE FROM availability_responses r
WHERE r.campaign_id = @campaign_id::uuid
    AND r.poll_id = @poll_id::uuid
    AND r.option_id = @option_id::uuid
    AND r.user_id = @user_id::uuid
    AND EXISTS (
        SELECT 1
        FROM availability_polls p
        WHERE p.campaign_id = @campaign_id::uuid AND p.id = @poll_id::uuid AND p.status = 'open'
    );

-- name: LiveMemberList :many
-- LiveMemberList returns the players of the campaign with the name their
-- combatant gets: the character name, else the display name (combat.start
-- with includePlayers).
SELECT m.user_id, coalesce(m.character_name, u.display_name)::text AS name
FROM memberships m
JOIN users u ON u.id = m.user_id
WHERE m.campaign_id = @campaign_id::uuid AND m.role = 'player'
ORDER BY lower(coalesce(m.character_name, u.display_name)), m.user_id;

-- name: LiveCommandGetMany :many
-- LiveCommandGetMany returns the stored outcomes of the last ten minutes
-- for a batch of commands. It matches user_ids and command_ids each as a
-- set, so it may return more pairs than asked: the caller keeps the pairs
-- it asked for.
SELECT user_id, command_id, outcome
FROM live_commands
WHERE campaign_id = @campaign_id::uuid
    AND user_id = ANY(@user_ids::uuid[])
    AND command_id = ANY(@command_ids::text[])
    AND created_at > now() - interval '10 minutes';
