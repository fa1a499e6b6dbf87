-- Combats and combatants. The live hub (package hub) is the only writer of
-- a running combat: it applies a command to its in-memory state, writes the
-- change with these queries in one transaction with the seq bump and the
-- event log, and publishes after the commit. Every query takes
-- @campaign_id; the hub passes its own campaign's id.

-- name: CombatGetActive :one
-- CombatGetActive returns the campaign's running combat (at most one, by
-- combats_one_active_per_campaign_idx). ErrNotFound when none runs.
SELECT id, encounter_id, round, turn_combatant_id
FROM combats
WHERE campaign_id = @campaign_id::uuid AND status = 'active';

-- name: CombatInsert :exec
-- CombatInsert starts a combat with an id chosen by the hub. A second
-- running combat breaks the unique index (ErrConflict).
INSERT INTO combats (id, campaign_id, encounter_id)
VALUES (@id::uuid, @campaign_id::uuid, sqlc.narg('encounter_id')::uuid);

-- name: CombatSetTurn :execrows
-- CombatSetTurn moves the turn, guarded by the round and turn the hub
-- expects (lost-update protection): 0 rows means the row changed under the
-- hub, which then reloads.
UPDATE combats
SET round = @round::integer,
    turn_combatant_id = sqlc.narg('turn_combatant_id')::uuid,
    updated_at = now()
WHERE campaign_id = @campaign_id::uuid
    AND id = @id::uuid
    AND status = 'active'
    AND round = @from_round::integer
    AND turn_combatant_id IS NOT DISTINCT FROM sqlc.narg('from_turn_combatant_id')::uuid;

-- name: CombatEnd :execrows
-- CombatEnd ends the running combat, keeping its last round and the
-- outcome the GM gave ('' stores NULL). 0 rows: not running.
UPDATE combats
SET status = 'ended',
    ended_at = now(),
    outcome = nullif(@outcome::text, ''),
    updated_at = now()
WHERE campaign_id = @campaign_id::uuid AND id = @id::uuid AND status = 'active';

-- name: CombatListEnded :many
-- CombatListEnded returns the campaign's past combats, newest first, with
-- their last round, outcome and number of combatants (GET /combats).
SELECT c.id,
    c.encounter_id,
    c.round,
    c.started_at,
    c.ended_at,
    c.outcome,
    (SELECT count(*) FROM combatants cb WHERE cb.campaign_id = @campaign_id::uuid AND cb.combat_id = c.id)::integer AS combatant_count
FROM combats c
WHERE c.campaign_id = @campaign_id::uuid AND c.status = 'ended'
ORDER BY c.started_at DESC, c.id
LIMIT @max_rows::integer;

-- name: CombatantListByCombat :many
-- CombatantListByCombat returns every combatant of a combat, in no
-- particular order (the hub sorts by its rules).
SELECT id, kind, name, initiative, initiative_bonus, hp, max_hp, temp_hp, ac, hidden, conditions, user_id, monster_id, npc_id
FROM combatants
WHERE campaign_id = @campaign_id::uuid AND combat_id = @combat_id::uuid;

-- name: CombatantInsert :batchexec
-- CombatantInsert adds combatants with ids chosen by the hub, pipelined. A
-- user_id that is not a member of the campaign, or an unknown monster or
-- NPC, breaks a foreign key (ErrNotFound).
INSERT INTO combatants (
    id, campaign_id, combat_id, kind, name, initiative, initiative_bonus,
    hp, max_hp, temp_hp, ac, hidden, conditions, user_id, monster_id, npc_id
) VALUES (
    @id::uuid, @campaign_id::uuid, @combat_id::uuid, @kind::text, @name::text,
    sqlc.narg('initiative')::integer, @initiative_bonus::integer,
    @hp::integer, @max_hp::integer, @temp_hp::integer, sqlc.narg('ac')::integer,
    @hidden::boolean, @conditions::jsonb,
    sqlc.narg('user_id')::uuid, sqlc.narg('monster_id')::uuid, sqlc.narg('npc_id')::uuid
);

-- name: CombatantSet :execrows
-- CombatantSet writes every mutable column of a combatant as the hub
-- computed it (the hub is the combat's only writer; relative changes use
-- CombatantDamage and CombatantHeal). 0 rows: gone.
UPDATE combatants
SET name = @name::text,
    initiative = sqlc.narg('initiative')::integer,
    initiative_bonus = @initiative_bonus::integer,
    hp = @hp::integer,
    max_hp = @max_hp::integer,
    temp_hp = @temp_hp::integer,
    ac = sqlc.narg('ac')::integer,
    hidden = @hidden::boolean,
    conditions = @conditions::jsonb,
    updated_at = now()
WHERE campaign_id = @campaign_id::uuid AND id = @id::uuid;

-- name: CombatantDamage :one
-- CombatantDamage takes amount from temp_hp first, then from hp, never
-- below 0, computed from the row's current values (in SET, columns are the
-- old values), so concurrent writers cannot lose an update. Returns the new
-- values for the hub to check against its own.
UPDATE combatants
SET temp_hp = greatest(temp_hp - @amount::integer, 0),
    hp = greatest(hp + least(temp_hp - @amount::integer, 0), 0),
    updated_at = now()
WHERE campaign_id = @campaign_id::uuid AND id = @id::uuid
RETURNING hp, temp_hp;

-- name: CombatantHeal :one
-- CombatantHeal adds amount to hp without raising it above max_hp (a
-- combatant already above its maximum keeps its hp), computed in SQL like
-- CombatantDamage.
UPDATE combatants
SET hp = CASE WHEN hp >= max_hp THEN hp ELSE least(hp + @amount::integer, max_hp) END,
    updated_at = now()
WHERE campaign_id = @campaign_id::uuid AND id = @id::uuid
RETURNING hp;

-- name: CombatantDelete :execrows
-- CombatantDelete removes a combatant; a turn pointing at it is cleared by
-- the foreign key (the hub moves the turn first). 0 rows: gone.
DELETE FROM combatants
WHERE campaign_id = @campaign_id::uuid AND id = @id::uuid;

-- name: CombatMonsterCRList :many
-- CombatMonsterCRList returns the challenge rating of the given monsters
-- (the stat blocks of a combat's combatants), for the live GM view's
-- combat.difficulty.
-- unscoped: monsters belong to rule books shared by campaigns; the ids are this campaign's combatants' monsterIds, and only a number is read.
SELECT id, challenge_rating::float8 AS challenge_rating
FROM monsters
WHERE id = ANY(@monster_ids::uuid[]);

-- name: CombatPartyLevelList :many
-- CombatPartyLevelList returns the campaign's players that have a
-- characterLevel, in join order: the party of the live GM view's
-- combat.difficulty when the encounter has no partyLevels of its own.
SELECT user_id, character_level::integer AS character_level
FROM memberships
WHERE campaign_id = @campaign_id::uuid
    AND role = 'player'
    AND character_level IS NOT NULL
ORDER BY joined_at, user_id;
