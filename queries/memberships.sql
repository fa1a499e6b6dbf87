-- name: MembershipCreate :one
-- MembershipCreate adds a member. Already a member: ErrConflict.
INSERT INTO memberships (campaign_id, user_id, role, character_name, character_level)
VALUES (
    @campaign_id::uuid,
    @user_id::uuid,
    @role::text,
    sqlc.narg('character_name')::text,
    sqlc.narg('character_level')::integer
)
RETURNING *;

-- name: MembershipGet :one
-- MembershipGet is the membership check behind every campaign route:
-- ErrNotFound means "not a member" (404).
SELECT campaign_id, user_id, role, character_name, character_level, joined_at
FROM memberships
WHERE campaign_id = @campaign_id::uuid
    AND user_id = @user_id::uuid;

-- name: MembershipList :many
-- MembershipList returns the members with their display names, GMs first,
-- then by display name.
SELECT m.campaign_id,
    m.user_id,
    u.display_name,
    m.role,
    m.character_name,
    m.character_level,
    m.joined_at
FROM memberships m
JOIN users u ON u.id = m.user_id
WHERE m.campaign_id = @campaign_id::uuid
ORDER BY m.role = 'gm' DESC, lower(u.display_name), m.user_id;

-- name: MembershipGetWithName :one
-- MembershipGetWithName is one row of MembershipList.
SELECT m.campaign_id,
    m.user_id,
    u.display_name,
    m.role,
    m.character_name,
    m.character_level,
    m.joined_at
FROM memberships m
JOIN users u ON u.id = m.user_id
WHERE m.campaign_id = @campaign_id::uuid
    AND m.user_id = @user_id::uuid;

-- name: MembershipListPlayerLevels :many
-- MembershipListPlayerLevels returns the character levels of the players
-- that have one: the default party of an encounter's difficulty.
SELECT character_level::integer AS character_level
FROM memberships
WHERE campaign_id = @campaign_id::uuid
    AND role = 'player'
    AND character_level IS NOT NULL
ORDER BY user_id;

-- name: MembershipListGMsForUpdate :many
-- MembershipListGMsForUpdate locks the campaign's GM memberships until the
-- transaction ends. Call it before demoting or removing a GM and refuse
-- (409) when the change would leave none: two GMs demoting each other at once
-- then run one after the other.
SELECT user_id
FROM memberships
WHERE campaign_id = @campaign_id::uuid
    AND role = 'gm'
ORDER BY user_id
FOR UPDATE;

-- name: MembershipUpdate :one
-- MembershipUpdate changes the fields given. role NULL leaves the role; the
-- character fields change only when their set_ flag is true, so that NULL
-- can clear them.
UPDATE memberships
SET role = coalesce(sqlc.narg('role')::text, role),
    character_name = CASE WHEN @set_character_name::boolean THEN sqlc.narg('character_name')::text ELSE character_name END,
    character_level = CASE WHEN @set_character_level::boolean THEN sqlc.narg('character_level')::integer ELSE character_level END
WHERE campaign_id = @campaign_id::uuid
    AND user_id = @user_id::uuid
RETURNING *;

-- name: MembershipDelete :execrows
-- MembershipDelete removes a member; their votes, chat history and command
-- records go with them (ON DELETE CASCADE) and their combatants lose the
-- user link. Check the last-GM rule first (MembershipListGMsForUpdate).
DELETE FROM memberships
WHERE campaign_id = @campaign_id::uuid
    AND user_id = @user_id::uuid;
