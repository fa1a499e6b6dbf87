-- The codex: campaign entities (locations, factions, items, lore, events,
-- other) and the game sessions they are linked to. GM-only entries are
-- filtered here, in SQL, for players (@is_gm false).

-- name: EntityCreate :one
-- EntityCreate inserts a codex entry.
INSERT INTO campaign_entities (campaign_id, kind, name, summary, body, gm_only)
VALUES (@campaign_id::uuid, @kind::text, @name::text, @summary::text, @body::text, @gm_only::boolean)
RETURNING *;

-- name: EntityGet :one
-- EntityGet is a bare entity row, for existence checks and writes;
-- responses use EntityList. It does not filter GM-only entries.
SELECT id, campaign_id, kind, name, summary, body, gm_only, created_at, updated_at
FROM campaign_entities
WHERE campaign_id = @campaign_id::uuid
    AND id = @id::uuid;

-- name: EntityLock :one
-- EntityLock locks an entity row until the transaction ends, so that
-- concurrent replacements of its sessions run one after the other.
SELECT id
FROM campaign_entities
WHERE campaign_id = @campaign_id::uuid
    AND id = @id::uuid
FOR UPDATE;

-- name: EntityList :many
-- EntityList returns codex entries as the caller sees them, with their
-- linked sessions (ordered by number) aggregated as JSON, in one query for
-- the whole page. Players (is_gm false) never get GM-only entries. id set:
-- that entry alone; kind set: that kind only; q, name_pattern, ranking and
-- the cursor work as in NPCList: order (rank, lower(name), id).
WITH ranked AS (
    SELECT e.id,
        e.kind,
        e.name,
        e.summary,
        e.body,
        e.gm_only,
        e.created_at,
        e.updated_at,
        lower(e.name) AS sort_name,
        (
            CASE
                WHEN @q::text = '' THEN 0
                WHEN lower(e.name) = lower(@q::text) THEN 0
                WHEN starts_with(lower(e.name), lower(@q::text)) THEN 1
                ELSE 2
            END
        )::integer AS rank
    FROM campaign_entities e
    WHERE e.campaign_id = @campaign_id::uuid
        AND (@is_gm::boolean OR NOT e.gm_only)
        AND (sqlc.narg('id')::uuid IS NULL OR e.id = sqlc.narg('id')::uuid)
        AND (sqlc.narg('kind')::text IS NULL OR e.kind = sqlc.narg('kind')::text)
        AND (@q::text = '' OR e.name ILIKE @name_pattern::text)
)
SELECT r.id,
    r.kind,
    r.name,
    r.summary,
    r.body,
    r.gm_only,
    r.created_at,
    r.updated_at,
    r.sort_name::text AS sort_name,
    r.rank::integer AS rank,
    coalesce((
        SELECT jsonb_agg(jsonb_build_object('id', ps.id, 'number', ps.number, 'title', ps.title) ORDER BY ps.number, ps.id)
        FROM campaign_entity_sessions es
        JOIN play_sessions ps ON ps.campaign_id = es.campaign_id AND ps.id = es.session_id
        WHERE es.campaign_id = @campaign_id::uuid
            AND es.entity_id = r.id
    ), '[]'::jsonb)::jsonb AS sessions
FROM ranked r
WHERE sqlc.narg('after_id')::uuid IS NULL
    OR (r.rank, r.sort_name, r.id) > (@after_rank::integer, @after_name::text, sqlc.narg('after_id')::uuid)
ORDER BY r.rank, r.sort_name, r.id
LIMIT @max_rows::integer;

-- name: EntityUpdate :one
-- EntityUpdate changes the fields given; NULL leaves a field as it is.
UPDATE campaign_entities
SET kind = coalesce(sqlc.narg('kind')::text, kind),
    name = coalesce(sqlc.narg('name')::text, name),
    summary = coalesce(sqlc.narg('summary')::text, summary),
    body = coalesce(sqlc.narg('body')::text, body),
    gm_only = coalesce(sqlc.narg('gm_only')::boolean, gm_only),
    updated_at = now()
WHERE campaign_id = @campaign_id::uuid
    AND id = @id::uuid
RETURNING *;

-- name: EntityDelete :execrows
DELETE FROM campaign_entities
WHERE campaign_id = @campaign_id::uuid
    AND id = @id::uuid;

-- name: EntityFindByName :one
-- EntityFindByName returns the oldest entry whose name equals name
-- case-insensitively, of any kind (GM-only ones included): recap
-- extraction links to it rather than creating a twin.
SELECT id, kind, name
FROM campaign_entities
WHERE campaign_id = @campaign_id::uuid
    AND lower(name) = lower(@name::text)
ORDER BY created_at, id
LIMIT 1;

-- name: EntitySessionSet :exec
-- EntitySessionSet makes session_id_list the entity's linked sessions, like
-- NPCSessionSet (a session of another campaign: ErrNotFound, constraint
-- campaign_entity_sessions_campaign_id_session_id_fkey). Lock the entity
-- first (EntityLock).
WITH removed AS (
    DELETE FROM campaign_entity_sessions
    WHERE campaign_id = @campaign_id::uuid
        AND entity_id = @entity_id::uuid
        AND NOT (session_id = ANY (@session_id_list::uuid[]))
)
INSERT INTO campaign_entity_sessions (campaign_id, entity_id, session_id)
SELECT @campaign_id::uuid, @entity_id::uuid, s.id
FROM unnest(@session_id_list::uuid[]) AS s (id)
ON CONFLICT DO NOTHING;

-- name: EntitySessionAdd :exec
-- EntitySessionAdd links one session; an existing link stays as it is.
INSERT INTO campaign_entity_sessions (campaign_id, entity_id, session_id)
VALUES (@campaign_id::uuid, @entity_id::uuid, @session_id::uuid)
ON CONFLICT DO NOTHING;
