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
-- clear it.
UPDATE play_sessions
SET title = coalesce(sqlc.narg('title')::text, title),
    scheduled_at = CASE WHEN @set_scheduled_at::boolean THEN sqlc.narg('scheduled_at')::timestamptz ELSE scheduled_at END,
    status = coalesce(sqlc.narg('status')::text, status),
    recap = coalesce(sqlc.narg('recap')::text, recap),
    updated_at = now()
WHERE campaign_id = @campaign_id::uuid
    AND id = @id::uuid
RETURNING *;

-- name: PlaySessionDelete :execrows
DELETE FROM play_sessions
WHERE campaign_id = @campaign_id::uuid
    AND id = @id::uuid;
