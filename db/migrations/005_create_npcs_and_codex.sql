-- NPCs, their appearances and relationships; the codex of campaign entities;
-- recap extractions.

CREATE TABLE npcs (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    campaign_id uuid NOT NULL REFERENCES campaigns ON DELETE CASCADE,
    -- Not unique: two NPCs may share a name.
    name text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 80),
    summary text NOT NULL DEFAULT '' CHECK (char_length(summary) <= 10000),
    -- Markdown.
    description text NOT NULL DEFAULT '' CHECK (char_length(description) <= 100000),
    -- GM only: never serialised for players.
    gm_notes text NOT NULL DEFAULT '' CHECK (char_length(gm_notes) <= 100000),
    status text NOT NULL DEFAULT 'alive' CHECK (status IN ('alive', 'dead', 'unknown')),
    -- Hidden NPCs are absent for players: lists, counts, direct access (404)
    -- and relationships that touch them.
    hidden boolean NOT NULL DEFAULT false,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (campaign_id, id)
);

-- Lists ordered by name (also the cursor order).
CREATE INDEX npcs_campaign_id_name_idx ON npcs (campaign_id, lower(name), id);

-- q: case-insensitive substring search and ranking.
CREATE INDEX npcs_name_trgm_idx ON npcs USING gin (name gin_trgm_ops);

-- Appearances of an NPC in a game session.
CREATE TABLE npc_sessions (
    campaign_id uuid NOT NULL REFERENCES campaigns ON DELETE CASCADE,
    npc_id uuid NOT NULL,
    session_id uuid NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (campaign_id, npc_id, session_id),
    FOREIGN KEY (campaign_id, npc_id) REFERENCES npcs (campaign_id, id) ON DELETE CASCADE,
    FOREIGN KEY (campaign_id, session_id) REFERENCES play_sessions (campaign_id, id) ON DELETE CASCADE
);

CREATE INDEX npc_sessions_campaign_id_session_id_idx ON npc_sessions (campaign_id, session_id);

-- Directed NPC -> NPC relationships; listed on both ends.
CREATE TABLE npc_relationships (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    campaign_id uuid NOT NULL REFERENCES campaigns ON DELETE CASCADE,
    from_npc_id uuid NOT NULL,
    to_npc_id uuid NOT NULL,
    -- Free text ("rival", "sister of").
    kind text NOT NULL CHECK (char_length(kind) BETWEEN 1 AND 40),
    description text NOT NULL DEFAULT '' CHECK (char_length(description) <= 10000),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (campaign_id, id),
    -- The same relationship twice is a conflict (409).
    UNIQUE (campaign_id, from_npc_id, to_npc_id, kind),
    FOREIGN KEY (campaign_id, from_npc_id) REFERENCES npcs (campaign_id, id) ON DELETE CASCADE,
    FOREIGN KEY (campaign_id, to_npc_id) REFERENCES npcs (campaign_id, id) ON DELETE CASCADE,
    CHECK (from_npc_id <> to_npc_id)
);

CREATE INDEX npc_relationships_campaign_id_to_npc_id_idx ON npc_relationships (campaign_id, to_npc_id);

-- The codex: places, factions, items, lore, events.
CREATE TABLE campaign_entities (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    campaign_id uuid NOT NULL REFERENCES campaigns ON DELETE CASCADE,
    kind text NOT NULL CHECK (kind IN ('location', 'faction', 'item', 'lore', 'event', 'other')),
    name text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 80),
    summary text NOT NULL DEFAULT '' CHECK (char_length(summary) <= 10000),
    -- Markdown.
    body text NOT NULL DEFAULT '' CHECK (char_length(body) <= 100000),
    -- GM-only entries are absent for players (404 on direct access).
    gm_only boolean NOT NULL DEFAULT false,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (campaign_id, id)
);

CREATE INDEX campaign_entities_campaign_id_name_idx ON campaign_entities (campaign_id, lower(name), id);

CREATE INDEX campaign_entities_campaign_id_kind_name_idx ON campaign_entities (campaign_id, kind, lower(name), id);

CREATE INDEX campaign_entities_name_trgm_idx ON campaign_entities USING gin (name gin_trgm_ops);

CREATE TABLE campaign_entity_sessions (
    campaign_id uuid NOT NULL REFERENCES campaigns ON DELETE CASCADE,
    entity_id uuid NOT NULL,
    session_id uuid NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (campaign_id, entity_id, session_id),
    FOREIGN KEY (campaign_id, entity_id) REFERENCES campaign_entities (campaign_id, id) ON DELETE CASCADE,
    FOREIGN KEY (campaign_id, session_id) REFERENCES play_sessions (campaign_id, id) ON DELETE CASCADE
);

CREATE INDEX campaign_entity_sessions_campaign_id_session_id_idx ON campaign_entity_sessions (campaign_id, session_id);

-- A recap extraction: proposals for the codex read from a session's recap,
-- produced by a background job and applied by the GM.
CREATE TABLE recap_extractions (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    campaign_id uuid NOT NULL REFERENCES campaigns ON DELETE CASCADE,
    session_id uuid NOT NULL,
    -- pending -> done | failed; done -> applied (applying twice is a no-op).
    status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'done', 'failed', 'applied')),
    -- Readable reason when status = 'failed'.
    error text,
    -- [{kind, name, summary, existingId?, evidence}], validated in Go.
    proposals jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(proposals) = 'array'),
    -- The proposal indexes the GM accepted, recorded by apply.
    accepted jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(accepted) = 'array'),
    created_by uuid NOT NULL REFERENCES users,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    finished_at timestamptz,
    applied_at timestamptz,
    UNIQUE (campaign_id, id),
    FOREIGN KEY (campaign_id, session_id) REFERENCES play_sessions (campaign_id, id) ON DELETE CASCADE
);

CREATE INDEX recap_extractions_campaign_id_session_id_idx ON recap_extractions (campaign_id, session_id, created_at DESC);

CREATE INDEX recap_extractions_created_by_idx ON recap_extractions (created_by);

---- create above / drop below ----

DROP TABLE recap_extractions;
DROP TABLE campaign_entity_sessions;
DROP TABLE campaign_entities;
DROP TABLE npc_relationships;
DROP TABLE npc_sessions;
DROP TABLE npcs;
