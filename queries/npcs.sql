-- NPCs, their appearances in game sessions (npc_sessions) and their
-- relationships (npc_relationships). Hidden NPCs are filtered here, in SQL,
-- for players (@is_gm false): they are absent from lists and single reads,
-- and so is every relationship that touches one. gm_notes is read for
-- everyone and left out of players' responses by the serializer.

-- name: NPCCreate :one
-- NPCCreate inserts an NPC.
INSERT INTO npcs (campaign_id, name, summary, description, gm_notes, status, hidden)
VALUES (
    @campaign_id::uuid,
    @name::text,
    @summary::text,
    @description::text,
    @gm_notes::text,
    @status::text,
    @hidden::boolean
)
RETURNING *;

-- name: NPCGet :one
-- NPCGet is a bare NPC row, for existence checks and writes; responses use
-- NPCList. It does not filter hidden NPCs: callers are GM-only routes.
SELECT id, campaign_id, name, summary, description, gm_notes, status, hidden, created_at, updated_at
FROM npcs
WHERE campaign_id = @campaign_id::uuid
    AND id = @id::uuid;

-- name: NPCLock :one
-- NPCLock locks an NPC row until the transaction ends, so that concurrent
-- replacements of its appearances run one after the other.
SELECT id
FROM npcs
WHERE campaign_id = @campaign_id::uuid
    AND id = @id::uuid
FOR UPDATE;

-- name: NPCList :many
-- NPCList returns NPCs as the caller sees them, with their appearances
-- (sessions, ordered by number) and relationships (outgoing and incoming,
-- oldest first) aggregated as JSON, in one query for the whole page:
--   - players (is_gm false) never get hidden NPCs, nor relationships that
--     touch a hidden NPC;
--   - id set: that NPC alone (the single-resource GET);
--   - q non-empty: names containing q, case-insensitively; name_pattern is
--     '%' || q || '%' with LIKE's metacharacters escaped (done in Go);
--     ranked exact match (0), prefix (1), substring (2);
--   - the order is (rank, lower(name), id), which is also the keyset of the
--     cursor: after_id set returns the rows after (after_rank, after_name,
--     after_id).
WITH ranked AS (
    SELECT n.id,
        n.name,
        n.summary,
        n.description,
        n.gm_notes,
        n.status,
        n.hidden,
        n.created_at,
        n.updated_at,
        lower(n.name) AS sort_name,
        (
            CASE
                WHEN @q::text = '' THEN 0
                WHEN lower(n.name) = lower(@q::text) THEN 0
                WHEN starts_with(lower(n.name), lower(@q::text)) THEN 1
                ELSE 2
            END
        )::integer AS rank
    FROM npcs n
    WHERE n.campaign_id = @campaign_id::uuid
        AND (@is_gm::boolean OR NOT n.hidden)
        AND (sqlc.narg('id')::uuid IS NULL OR n.id = sqlc.narg('id')::uuid)
        AND (sqlc.narg('status')::text IS NULL OR n.status = sqlc.narg('status')::text)
        AND (@q::text = '' OR n.name ILIKE @name_pattern::text)
)
SELECT r.id,
    r.name,
    r.summary,
    r.description,
    r.gm_notes,
    r.status,
    r.hidden,
    r.created_at,
    r.updated_at,
    r.sort_name::text AS sort_name,
    r.rank::integer AS rank,
    coalesce((
        SELECT jsonb_agg(jsonb_build_object('id', ps.id, 'number', ps.number, 'title', ps.title) ORDER BY ps.number, ps.id)
        FROM npc_sessions ns
        JOIN play_sessions ps ON ps.campaign_id = ns.campaign_id AND ps.id = ns.session_id
        WHERE ns.campaign_id = @campaign_id::uuid
            AND ns.npc_id = r.id
    ), '[]'::jsonb)::jsonb AS sessions,
    coalesce((
        SELECT jsonb_agg(jsonb_build_object(
            'id', rel.id,
            'fromNpcId', rel.from_npc_id,
            'fromNpcName', f.name,
            'toNpcId', rel.to_npc_id,
            'toNpcName', t.name,
            'kind', rel.kind,
            'description', rel.description,
            'createdAt', rel.created_at
        ) ORDER BY rel.created_at, rel.id)
        FROM npc_relationships rel
        JOIN npcs f ON f.campaign_id = rel.campaign_id AND f.id = rel.from_npc_id
        JOIN npcs t ON t.campaign_id = rel.campaign_id AND t.id = rel.to_npc_id
        WHERE rel.campaign_id = @campaign_id::uuid
            AND (rel.from_npc_id = r.id OR rel.to_npc_id = r.id)
            AND (@is_gm::boolean OR NOT (f.hidden OR t.hidden))
    ), '[]'::jsonb)::jsonb AS relationships
FROM ranked r
WHERE sqlc.narg('after_id')::uuid IS NULL
    OR (r.rank, r.sort_name, r.id) > (@after_rank::integer, @after_name::text, sqlc.narg('after_id')::uuid)
ORDER BY r.rank, r.sort_name, r.id
LIMIT @max_rows::integer;

-- name: NPCUpdate :one
-- NPCUpdate changes the fields given; NULL leaves a field as it is.
UPDATE npcs
SET name = coalesce(sqlc.narg('name')::text, name),
    summary = coalesce(sqlc.narg('summary')::text, summary),
    description = coalesce(sqlc.narg('description')::text, description),
    gm_notes = coalesce(sqlc.narg('gm_notes')::text, gm_notes),
    status = coalesce(sqlc.narg('status')::text, status),
    hidden = coalesce(sqlc.narg('hidden')::boolean, hidden),
    updated_at = now()
WHERE campaign_id = @campaign_id::uuid
    AND id = @id::uuid
RETURNING *;

-- name: NPCDelete :execrows
-- NPCDelete removes an NPC with its appearances and relationships (ON
-- DELETE CASCADE); combatants keep their row and lose the link.
DELETE FROM npcs
WHERE campaign_id = @campaign_id::uuid
    AND id = @id::uuid;

-- name: NPCFindByName :one
-- NPCFindByName returns the oldest NPC whose name equals name
-- case-insensitively (hidden ones included): recap extraction links to it
-- rather than creating a twin.
SELECT id, name
FROM npcs
WHERE campaign_id = @campaign_id::uuid
    AND lower(name) = lower(@name::text)
ORDER BY created_at, id
LIMIT 1;

-- name: NPCSessionSet :exec
-- NPCSessionSet makes session_id_list the NPC's appearances: it removes the
-- others and adds the missing ones (keeping the created_at of those that
-- stay). A session of another campaign breaks the composite foreign key
-- (ErrNotFound, constraint npc_sessions_campaign_id_session_id_fkey). Lock
-- the NPC first (NPCLock).
WITH removed AS (
    DELETE FROM npc_sessions
    WHERE campaign_id = @campaign_id::uuid
        AND npc_id = @npc_id::uuid
        AND NOT (session_id = ANY (@session_id_list::uuid[]))
)
INSERT INTO npc_sessions (campaign_id, npc_id, session_id)
SELECT @campaign_id::uuid, @npc_id::uuid, s.id
FROM unnest(@session_id_list::uuid[]) AS s (id)
ON CONFLICT DO NOTHING;

-- name: NPCSessionAdd :exec
-- NPCSessionAdd records one appearance; an existing one stays as it is.
INSERT INTO npc_sessions (campaign_id, npc_id, session_id)
VALUES (@campaign_id::uuid, @npc_id::uuid, @session_id::uuid)
ON CONFLICT DO NOTHING;

-- name: NPCAppearanceFromCombat :execrows
-- NPCAppearanceFromCombat gives every NPC that takes part in the combat
-- (a combatant with npc_id set) an appearance in the game session of the
-- combat's encounter, when the encounter is linked to one. Idempotent:
-- appearances that exist stay. The live hub calls it in the transaction
-- that adds combatants or starts a combat; it returns how many appearances
-- it added.
INSERT INTO npc_sessions (campaign_id, npc_id, session_id)
SELECT DISTINCT cb.campaign_id, cb.npc_id, e.session_id
FROM combatants cb
JOIN combats c ON c.campaign_id = cb.campaign_id AND c.id = cb.combat_id
JOIN encounters e ON e.campaign_id = c.campaign_id AND e.id = c.encounter_id
WHERE cb.campaign_id = @campaign_id::uuid
    AND cb.combat_id = @combat_id::uuid
    AND cb.npc_id IS NOT NULL
    AND e.session_id IS NOT NULL
ON CONFLICT DO NOTHING;

-- name: NPCRelationshipCreate :one
-- NPCRelationshipCreate adds a directed relationship. An NPC of another
-- campaign breaks a composite foreign key (ErrNotFound); the same
-- (from, to, kind) twice is ErrConflict; from = to breaks a CHECK.
INSERT INTO npc_relationships (campaign_id, from_npc_id, to_npc_id, kind, description)
VALUES (@campaign_id::uuid, @from_npc_id::uuid, @to_npc_id::uuid, @kind::text, @description::text)
RETURNING *;

-- name: NPCRelationshipDelete :execrows
-- NPCRelationshipDelete removes a relationship of the NPC npc_id (at either
-- end); 0 rows when there is none.
DELETE FROM npc_relationships
WHERE campaign_id = @campaign_id::uuid
    AND id = @id::uuid
    AND (from_npc_id = @npc_id::uuid OR to_npc_id = @npc_id::uuid);
