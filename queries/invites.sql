-- name: InviteCreate :one
-- InviteCreate stores a new invite; only the hash of its code is kept. It
-- returns the columns of InviteListActive (not the hash).
INSERT INTO invites (campaign_id, code_hash, role, max_uses, expires_at, created_by)
VALUES (
    @campaign_id::uuid,
    @code_hash::bytea,
    @role::text,
    sqlc.narg('max_uses')::integer,
    @expires_at::timestamptz,
    @created_by::uuid
)
RETURNING id, campaign_id, role, max_uses, uses, expires_at, revoked_at, created_by, created_at;

-- name: InviteListActive :many
-- InviteListActive returns the invites that can still be used, newest first.
SELECT id, campaign_id, role, max_uses, uses, expires_at, revoked_at, created_by, created_at
FROM invites
WHERE campaign_id = @campaign_id::uuid
    AND revoked_at IS NULL
    AND expires_at > now()
    AND (max_uses IS NULL OR uses < max_uses)
ORDER BY created_at DESC, id;

-- name: InviteRevoke :execrows
-- InviteRevoke revokes an invite (again: no change, still one row).
UPDATE invites
SET revoked_at = coalesce(revoked_at, now())
WHERE campaign_id = @campaign_id::uuid
    AND id = @id::uuid;

-- name: InviteGetUsableByCodeHash :one
-- InviteGetUsableByCodeHash finds an invite that is neither revoked, expired
-- nor used up, with its campaign's name. ErrNotFound otherwise.
-- unscoped: the invite code is the capability; the caller is not a member yet and learns the campaign from the invite.
SELECT i.id, i.campaign_id, c.name AS campaign_name, i.role, i.expires_at
FROM invites i
JOIN campaigns c ON c.id = i.campaign_id
WHERE i.code_hash = @code_hash::bytea
    AND i.revoked_at IS NULL
    AND i.expires_at > now()
    AND (i.max_uses IS NULL OR i.uses < i.max_uses);

-- name: InviteUse :one
-- InviteUse counts one use if the invite is still usable, atomically, so the
-- last use cannot be taken twice. ErrNotFound when it is not usable (any
-- more). Call it in the transaction that creates the membership, and not
-- for a user who is a member already.
UPDATE invites
SET uses = uses + 1
WHERE campaign_id = @campaign_id::uuid
    AND id = @id::uuid
    AND revoked_at IS NULL
    AND expires_at > now()
    AND (max_uses IS NULL OR uses < max_uses)
RETURNING role;

-- name: InviteCampaignByCodeHash :one
-- InviteCampaignByCodeHash returns the campaign of an invite in any state
-- (used up, expired or revoked too), so that accepting an invite a second
-- time answers "already a member" rather than "used up".
-- unscoped: the invite code is the capability; the caller learns only the id of a campaign they must already be a member of.
SELECT campaign_id
FROM invites
WHERE code_hash = @code_hash::bytea;
