-- name: CampaignCreate :one
-- CampaignCreate inserts a campaign and makes its owner its first GM, in one
-- statement, so a campaign never exists without a GM.
-- unscoped: creates a new campaign; its id is not known before.
WITH created AS (
    INSERT INTO campaigns (name, description, system, time_zone, owner_id)
    VALUES (@name::text, @description::text, @system::text, @time_zone::text, @owner_id::uuid)
    RETURNING *
),
gm AS (
    INSERT INTO memberships (campaign_id, user_id, role)
    SELECT created.id, created.owner_id, 'gm'
    FROM created
)
SELECT id, name, description, system, time_zone, ai_enabled, owner_id, live_epoch, live_gm_seq, live_player_seq, created_at, updated_at
FROM created;

-- name: CampaignGet :one
-- CampaignGet returns a campaign as its member user_id sees it, with the
-- same computed fields as CampaignListForUser. ErrNotFound when the campaign
-- does not exist or user_id is not a member (the API answers 404 to both).
-- npc_count leaves out hidden NPCs unless the user is a GM. The next session
-- is the earliest planned one scheduled after now.
SELECT c.id,
    c.name,
    c.description,
    c.system,
    c.time_zone,
    c.ai_enabled,
    c.owner_id,
    c.created_at,
    c.updated_at,
    m.role AS my_role,
    (SELECT count(*) FROM memberships mm WHERE mm.campaign_id = @campaign_id::uuid)::bigint AS member_count,
    (SELECT count(*) FROM play_sessions ps WHERE ps.campaign_id = @campaign_id::uuid)::bigint AS session_count,
    (
        SELECT count(*)
        FROM npcs n
        WHERE n.campaign_id = @campaign_id::uuid
            AND (NOT n.hidden OR m.role = 'gm')
    )::bigint AS npc_count,
    ns.id AS next_session_id,
    ns.number AS next_session_number,
    ns.title AS next_session_title,
    ns.scheduled_at AS next_session_scheduled_at
FROM campaigns c
JOIN memberships m ON m.campaign_id = c.id AND m.user_id = @user_id::uuid
LEFT JOIN play_sessions ns ON ns.id = (
    SELECT ps.id
    FROM play_sessions ps
    WHERE ps.campaign_id = @campaign_id::uuid
        AND ps.status = 'planned'
        AND ps.scheduled_at > now()
    ORDER BY ps.scheduled_at, ps.number
    LIMIT 1
)
WHERE c.id = @campaign_id::uuid;

-- name: CampaignListForUser :many
-- CampaignListForUser returns the user's campaigns with their computed
-- fields in one query (no query per row), newest first. The counts follow
-- the same rules as CampaignGet.
-- unscoped: lists the campaigns of one user across campaigns, filtered on memberships.user_id; the subqueries correlate on c.id.
SELECT c.id,
    c.name,
    c.description,
    c.system,
    c.time_zone,
    c.ai_enabled,
    c.owner_id,
    c.created_at,
    c.updated_at,
    m.role AS my_role,
    (SELECT count(*) FROM memberships mm WHERE mm.campaign_id = c.id)::bigint AS member_count,
    (SELECT count(*) FROM play_sessions ps WHERE ps.campaign_id = c.id)::bigint AS session_count,
    (
        SELECT count(*)
        FROM npcs n
        WHERE n.campaign_id = c.id
            AND (NOT n.hidden OR m.role = 'gm')
    )::bigint AS npc_count,
    ns.id AS next_session_id,
    ns.number AS next_session_number,
    ns.title AS next_session_title,
    ns.scheduled_at AS next_session_scheduled_at
FROM memberships m
JOIN campaigns c ON c.id = m.campaign_id
LEFT JOIN play_sessions ns ON ns.id = (
    SELECT ps.id
    FROM play_sessions ps
    WHERE ps.campaign_id = c.id
        AND ps.status = 'planned'
        AND ps.scheduled_at > now()
    ORDER BY ps.scheduled_at, ps.number
    LIMIT 1
)
WHERE m.user_id = @user_id::uuid
ORDER BY c.created_at DESC, c.id;

-- name: CampaignUpdate :one
-- CampaignUpdate changes the fields given (NULL leaves a field as it is).
UPDATE campaigns
SET name = coalesce(sqlc.narg('name')::text, name),
    description = coalesce(sqlc.narg('description')::text, description),
    system = coalesce(sqlc.narg('system')::text, system),
    time_zone = coalesce(sqlc.narg('time_zone')::text, time_zone),
    ai_enabled = coalesce(sqlc.narg('ai_enabled')::boolean, ai_enabled),
    updated_at = now()
WHERE id = @campaign_id::uuid
RETURNING *;

-- name: CampaignDelete :execrows
-- CampaignDelete removes the campaign and, by ON DELETE CASCADE, every row
-- of it.
DELETE FROM campaigns
WHERE id = @campaign_id::uuid;

-- name: CampaignLiveStateGet :one
-- CampaignLiveStateGet is what a hub loads when it starts: the campaign's
-- name, its live epoch and the last seq of each view.
SELECT id, name, live_epoch, live_gm_seq, live_player_seq
FROM campaigns
WHERE id = @campaign_id::uuid;

-- name: CampaignLiveSeqAdvance :one
-- CampaignLiveSeqAdvance adds gm_delta and player_delta (0 or more) to the
-- views' seqs and returns the new values. Run it in the transaction that
-- persists the change and appends to live_events: the row lock it takes
-- orders concurrent writers, so seq order is commit order.
UPDATE campaigns
SET live_gm_seq = live_gm_seq + @gm_delta::bigint,
    live_player_seq = live_player_seq + @player_delta::bigint
WHERE id = @campaign_id::uuid
RETURNING live_epoch, live_gm_seq, live_player_seq;

-- name: CampaignLiveEpochReset :one
-- CampaignLiveEpochReset gives the campaign a new live epoch, for when the
-- event log can no longer serve a resume: clients then take a snapshot.
-- The seqs keep counting.
UPDATE campaigns
SET live_epoch = gen_random_uuid()::text
WHERE id = @campaign_id::uuid
RETURNING live_epoch, live_gm_seq, live_player_seq;
