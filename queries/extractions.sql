-- Recap extractions: proposals for the codex read from a game session's
-- recap by a background job (package codex), applied by a GM.
-- Status: pending -> done | failed; done -> applied.

-- name: ExtractionCreate :one
-- ExtractionCreate inserts a pending extraction; insert its job
-- (codex.ExtractArgs) in the same transaction.
INSERT INTO recap_extractions (campaign_id, session_id, created_by)
VALUES (@campaign_id::uuid, @session_id::uuid, @created_by::uuid)
RETURNING *;

-- name: ExtractionGet :one
-- ExtractionGet returns an extraction of the campaign; with session_id set,
-- only if it belongs to that session.
SELECT *
FROM recap_extractions
WHERE campaign_id = @campaign_id::uuid
    AND id = @id::uuid
    AND (sqlc.narg('session_id')::uuid IS NULL OR session_id = sqlc.narg('session_id')::uuid);

-- name: ExtractionGetForUpdate :one
-- ExtractionGetForUpdate locks the extraction until the transaction ends:
-- apply runs once even when two GMs press the button together.
SELECT *
FROM recap_extractions
WHERE campaign_id = @campaign_id::uuid
    AND id = @id::uuid
FOR UPDATE;

-- name: ExtractionListBySession :many
-- ExtractionListBySession returns a session's extractions, newest first.
SELECT *
FROM recap_extractions
WHERE campaign_id = @campaign_id::uuid
    AND session_id = @session_id::uuid
ORDER BY created_at DESC, id
LIMIT 100;

-- name: ExtractionFinish :execrows
-- ExtractionFinish stores the proposals of a pending extraction, and the
-- method that made them, and marks it done. 0 rows: it is no longer
-- pending (a retried job that already finished) or gone.
UPDATE recap_extractions
SET status = 'done',
    proposals = @proposals::jsonb,
    method = @method::text,
    error = NULL,
    finished_at = now(),
    updated_at = now()
WHERE campaign_id = @campaign_id::uuid
    AND id = @id::uuid
    AND status = 'pending';

-- name: ExtractionFail :execrows
-- ExtractionFail marks a pending extraction failed with a readable reason.
UPDATE recap_extractions
SET status = 'failed',
    error = @error::text,
    finished_at = now(),
    updated_at = now()
WHERE campaign_id = @campaign_id::uuid
    AND id = @id::uuid
    AND status = 'pending';

-- name: ExtractionMarkApplied :one
-- ExtractionMarkApplied records what apply did: the accepted indexes and the
-- proposals with the ids of the rows they created or linked. Call it after
-- ExtractionGetForUpdate has seen status done.
UPDATE recap_extractions
SET status = 'applied',
    accepted = @accepted::jsonb,
    proposals = @proposals::jsonb,
    applied_at = now(),
    updated_at = now()
WHERE campaign_id = @campaign_id::uuid
    AND id = @id::uuid
    AND status = 'done'
RETURNING *;

-- name: CodexNameList :many
-- CodexNameList returns the name and kind ('npc' or the entity's kind) of
-- every NPC and codex entry of the campaign, hidden and GM-only ones
-- included: what recap extraction links to instead of proposing anew.
SELECT n.id, 'npc'::text AS kind, n.name
FROM npcs n
WHERE n.campaign_id = @campaign_id::uuid
UNION ALL
SELECT e.id, e.kind, e.name
FROM campaign_entities e
WHERE e.campaign_id = @campaign_id::uuid
ORDER BY 3, 1;
