-- Encounters and their monsters. Both tables are campaign-owned: every
-- query takes @campaign_id. encounter_monsters points at the global
-- monsters table; whether the campaign may use a monster is checked by
-- EncounterMonsterReplace (and, before it, MonsterListVisibleByIDs).

-- name: EncounterCreate :one
-- EncounterCreate inserts an encounter. A session_id of another campaign
-- breaks the composite foreign key (ErrNotFound).
INSERT INTO encounters (campaign_id, name, notes, session_id, party_levels)
VALUES (@campaign_id::uuid, @name::text, @notes::text, sqlc.narg('session_id')::uuid, sqlc.narg('party_levels')::integer[])
RETURNING *;

-- name: EncounterGet :one
SELECT id, campaign_id, name, notes, session_id, party_levels, created_at, updated_at
FROM encounters
WHERE campaign_id = @campaign_id::uuid AND id = @id::uuid;

-- name: EncounterList :many
-- EncounterList returns the campaign's encounters, newest first.
SELECT id, campaign_id, name, notes, session_id, party_levels, created_at, updated_at
FROM encounters
WHERE campaign_id = @campaign_id::uuid
ORDER BY created_at DESC, id;

-- name: EncounterUpdate :one
-- EncounterUpdate changes the fields given: name and notes when not NULL;
-- session_id and party_levels only when set_session_id / set_party_levels,
-- and then to the value given, NULL included (NULL party_levels means the
-- players' character levels). It always bumps updated_at, so with nothing
-- else to change it marks a change of the encounter's monsters. ErrNotFound
-- when the encounter is not in this campaign.
UPDATE encounters
SET name = coalesce(sqlc.narg('name')::text, name),
    notes = coalesce(sqlc.narg('notes')::text, notes),
    session_id = CASE WHEN @set_session_id::boolean THEN sqlc.narg('session_id')::uuid ELSE session_id END,
    party_levels = CASE WHEN @set_party_levels::boolean THEN sqlc.narg('party_levels')::integer[] ELSE party_levels END,
    updated_at = now()
WHERE campaign_id = @campaign_id::uuid AND id = @id::uuid
RETURNING *;

-- name: EncounterDelete :execrows
-- EncounterDelete removes an encounter and, by cascade, its monsters.
-- Combats started from it keep existing with encounter_id cleared. 0 rows
-- means not found in this campaign.
DELETE FROM encounters
WHERE campaign_id = @campaign_id::uuid AND id = @id::uuid;

-- name: EncounterMonsterReplace :execrows
-- EncounterMonsterReplace makes (monster_ids[i], counts[i]) the encounter's
-- whole monster list, in that order: rows for other monsters are deleted,
-- the given ones inserted or updated. Only monsters of books the campaign
-- can see are written, so the number of rows written is less than
-- cardinality(monster_ids) when one is unknown or invisible: the caller
-- then rolls back. monster_ids must not repeat (a repeat is a
-- cardinality_violation). Run it in the transaction that checked the
-- encounter exists: the composite foreign key refuses an encounter of
-- another campaign anyway.
WITH wanted AS (
    SELECT w.monster_id, (@counts::integer[])[w.ord] AS count, (w.ord - 1)::integer AS position
    FROM unnest(@monster_ids::uuid[]) WITH ORDINALITY AS w(monster_id, ord)
),
dropped AS (
    DELETE FROM encounter_monsters em
    WHERE em.campaign_id = @campaign_id::uuid
        AND em.encounter_id = @encounter_id::uuid
        AND em.monster_id <> ALL(@monster_ids::uuid[])
)
INSERT INTO encounter_monsters (campaign_id, encounter_id, monster_id, count, position)
SELECT @campaign_id::uuid, @encounter_id::uuid, wanted.monster_id, wanted.count, wanted.position
FROM wanted
JOIN monsters m ON m.id = wanted.monster_id
JOIN core_rules b ON b.id = m.core_rule_id
WHERE b.kind IN ('required', 'tool_only')
    OR (b.kind = 'optional' AND EXISTS (
        SELECT 1
        FROM campaign_core_rules ccr
        WHERE ccr.campaign_id = @campaign_id::uuid
            AND ccr.core_rule_id = b.id
            AND ccr.enabled
    ))
ON CONFLICT (campaign_id, encounter_id, monster_id) DO UPDATE
SET count = excluded.count,
    position = excluded.position;

-- name: EncounterMonsterList :many
-- EncounterMonsterList returns an encounter's monsters in display order with
-- what the builder, the difficulty and a combat need from the stat block.
-- It lists every monster saved, even one whose book the campaign has since
-- disabled (visible says so).
SELECT em.encounter_id, em.monster_id, em.count, em.position,
    m.name, m.challenge_rating, m.xp, m.hit_points, m.armor_class, m.dexterity,
    (
        b.kind IN ('required', 'tool_only')
        OR (b.kind = 'optional' AND EXISTS (
            SELECT 1
            FROM campaign_core_rules ccr
            WHERE ccr.campaign_id = @campaign_id::uuid
                AND ccr.core_rule_id = b.id
                AND ccr.enabled
        ))
    )::boolean AS visible
FROM encounter_monsters em
JOIN monsters m ON m.id = em.monster_id
JOIN core_rules b ON b.id = m.core_rule_id
WHERE em.campaign_id = @campaign_id::uuid AND em.encounter_id = @encounter_id::uuid
ORDER BY em.position, m.name, em.monster_id;

-- name: EncounterMonsterListByEncounters :many
-- EncounterMonsterListByEncounters is EncounterMonsterList for several
-- encounters at once (the encounter list), ordered by encounter then
-- position.
SELECT em.encounter_id, em.monster_id, em.count, em.position,
    m.name, m.challenge_rating, m.xp, m.hit_points, m.armor_class, m.dexterity,
    (
        b.kind IN ('required', 'tool_only')
        OR (b.kind = 'optional' AND EXISTS (
            SELECT 1
            FROM campaign_core_rules ccr
            WHERE ccr.campaign_id = @campaign_id::uuid
                AND ccr.core_rule_id = b.id
                AND ccr.enabled
        ))
    )::boolean AS visible
FROM encounter_monsters em
JOIN monsters m ON m.id = em.monster_id
JOIN core_rules b ON b.id = m.core_rule_id
WHERE em.campaign_id = @campaign_id::uuid AND em.encounter_id = ANY(@encounter_ids::uuid[])
ORDER BY em.encounter_id, em.position, m.name, em.monster_id;

-- name: EncounterPartyLevels :many
-- EncounterPartyLevels returns the character levels of the campaign's
-- players that have one: the party of an encounter without party_levels.
SELECT character_level::integer AS character_level
FROM memberships
WHERE campaign_id = @campaign_id::uuid
    AND role = 'player'
    AND character_level IS NOT NULL
ORDER BY joined_at, user_id;
