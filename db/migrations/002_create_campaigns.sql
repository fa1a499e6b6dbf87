-- The campaign core: campaigns, their members and invites.
--
-- The campaign-scope rule, enforced from here on: every campaign-owned table
-- has campaign_id uuid NOT NULL REFERENCES campaigns ON DELETE CASCADE. A
-- table that others point at adds UNIQUE (campaign_id, id), and children
-- reference it by (campaign_id, parent_id), so a row can never point into
-- another campaign: such an insert fails with a foreign-key violation, which
-- db.Interpret reports as ErrNotFound. Optional links use
-- ON DELETE SET NULL (parent_id) so that only the link column is cleared and
-- campaign_id stays.

CREATE TABLE campaigns (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    name text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 80),
    description text NOT NULL DEFAULT '' CHECK (char_length(description) <= 10000),
    -- Free text such as "D&D 5e (2024)"; '' when not given.
    system text NOT NULL DEFAULT '' CHECK (char_length(system) <= 80),
    -- IANA zone name, validated in Go with time.LoadLocation. Times are
    -- stored as instants; the zone is only for presenting local dates.
    time_zone text NOT NULL DEFAULT 'UTC' CHECK (char_length(time_zone) BETWEEN 1 AND 64),
    ai_enabled boolean NOT NULL DEFAULT false,
    -- The creator. Informational (a campaign may have several GMs and the
    -- owner may even leave); roles live in memberships. No cascade: an
    -- account that owns campaigns cannot be hard-deleted by accident.
    owner_id uuid NOT NULL REFERENCES users,
    -- Live hub state (REALTIME.md). live_epoch changes only when the event
    -- log can no longer serve a resume. The seq columns are the last seq
    -- handed out per view; the hub increments them with UPDATE ... RETURNING
    -- in the same transaction as the change, so seq order is commit order
    -- (a sequence could leave gaps and commit out of order).
    live_epoch text NOT NULL DEFAULT gen_random_uuid()::text,
    live_gm_seq bigint NOT NULL DEFAULT 0 CHECK (live_gm_seq >= 0),
    live_player_seq bigint NOT NULL DEFAULT 0 CHECK (live_player_seq >= 0),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);

COMMENT ON TABLE campaigns IS 'The root of the campaign scope: its id is the campaign_id of every campaign-owned row.';

CREATE INDEX campaigns_owner_id_idx ON campaigns (owner_id);

CREATE TABLE memberships (
    campaign_id uuid NOT NULL REFERENCES campaigns ON DELETE CASCADE,
    user_id uuid NOT NULL REFERENCES users ON DELETE CASCADE,
    -- Several GMs are allowed. "The last GM cannot leave or be demoted" is
    -- enforced in Go under a lock (MembershipListGMsForUpdate), not here.
    role text NOT NULL CHECK (role IN ('gm', 'player')),
    character_name text CHECK (char_length(character_name) BETWEEN 1 AND 80),
    character_level integer CHECK (character_level BETWEEN 1 AND 20),
    -- SHA-256 of the member's personal calendar feed token (issue 5); NULL
    -- until the member creates one.
    calendar_token_hash bytea UNIQUE CHECK (octet_length(calendar_token_hash) = 32),
    joined_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (campaign_id, user_id)
);

COMMENT ON TABLE memberships IS 'Who belongs to a campaign and as what. Other tables reference (campaign_id, user_id) here when the user must be a member of that campaign.';

-- "My campaigns" is a lookup by user.
CREATE INDEX memberships_user_id_idx ON memberships (user_id);

CREATE TABLE invites (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    campaign_id uuid NOT NULL REFERENCES campaigns ON DELETE CASCADE,
    -- SHA-256 of the URL-safe random code; the code is shown once.
    code_hash bytea NOT NULL UNIQUE CHECK (octet_length(code_hash) = 32),
    role text NOT NULL DEFAULT 'player' CHECK (role IN ('gm', 'player')),
    -- NULL: unlimited.
    max_uses integer CHECK (max_uses BETWEEN 1 AND 1000),
    uses integer NOT NULL DEFAULT 0 CHECK (uses >= 0 AND (max_uses IS NULL OR uses <= max_uses)),
    expires_at timestamptz NOT NULL,
    revoked_at timestamptz,
    created_by uuid NOT NULL REFERENCES users,
    created_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (campaign_id, id)
);

CREATE INDEX invites_campaign_id_created_at_idx ON invites (campaign_id, created_at DESC);

CREATE INDEX invites_created_by_idx ON invites (created_by);

---- create above / drop below ----

DROP TABLE invites;
DROP TABLE memberships;
DROP TABLE campaigns;
