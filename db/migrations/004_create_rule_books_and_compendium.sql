-- Rule books (core_rules), their enablement per campaign, and the
-- compendium of monsters and items that a book carries.
--
-- core_rules, monsters and items are global, not campaign-owned: an admin
-- loads a book once and every campaign that can see it uses it. What a
-- campaign can see is decided in SQL by every query that reads them:
-- required books always, optional books where campaign_core_rules enables
-- them, tool_only books only for the compendium (never search or chat).

CREATE TABLE core_rules (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    slug text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9][a-z0-9._-]{0,62}$'),
    title text NOT NULL CHECK (char_length(title) BETWEEN 1 AND 200),
    -- The API spells tool_only as "toolOnly".
    kind text NOT NULL CHECK (kind IN ('required', 'optional', 'tool_only')),
    status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'processing', 'ready', 'failed')),
    -- Readable reason when status = 'failed'.
    error text,
    -- The last uploaded source file. A book imported from several files
    -- (gametable rules import FILE...) records the last one here; its chunks
    -- keep their own headings and pages. A compendium-only book has
    -- filename '' and sha256 NULL.
    filename text NOT NULL DEFAULT '',
    sha256 bytea CHECK (octet_length(sha256) = 32),
    size_bytes bigint NOT NULL DEFAULT 0 CHECK (size_bytes >= 0),
    -- Maintained by ingestion so lists need no count(*) over chunks.
    chunk_count integer NOT NULL DEFAULT 0 CHECK (chunk_count >= 0),
    -- Ingestion progress, in units the ingester chooses (pages, chunks);
    -- progress_done <= progress_total once the total is known.
    progress_done integer NOT NULL DEFAULT 0 CHECK (progress_done >= 0),
    progress_total integer NOT NULL DEFAULT 0 CHECK (progress_total >= 0),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);

COMMENT ON TABLE core_rules IS 'Rule books, global (not campaign-owned). kind decides visibility: required everywhere, optional where enabled, tool_only only for the compendium.';

CREATE INDEX core_rules_kind_idx ON core_rules (kind);

-- A campaign's choice for an optional book. A row only matters for optional
-- books (Go refuses to toggle the others, 422); no row means disabled.
CREATE TABLE campaign_core_rules (
    campaign_id uuid NOT NULL REFERENCES campaigns ON DELETE CASCADE,
    core_rule_id uuid NOT NULL REFERENCES core_rules ON DELETE CASCADE,
    enabled boolean NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (campaign_id, core_rule_id)
);

CREATE INDEX campaign_core_rules_core_rule_id_idx ON campaign_core_rules (core_rule_id);

CREATE TABLE monsters (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    core_rule_id uuid NOT NULL REFERENCES core_rules ON DELETE CASCADE,
    -- The record's key in its source ("goblin" in 5e-database). Re-importing
    -- a file upserts on (core_rule_id, source_index).
    source_index text NOT NULL CHECK (char_length(source_index) BETWEEN 1 AND 200),
    name text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 200),
    -- Typed columns are what is searched, filtered and needed to start a
    -- combat; data holds the whole stat block.
    type text NOT NULL DEFAULT '',
    size text NOT NULL DEFAULT '',
    -- Exact (0.125, 0.25, 0.5, 1..30), hence numeric rather than float.
    challenge_rating numeric(6, 3) NOT NULL CHECK (challenge_rating >= 0),
    xp integer NOT NULL CHECK (xp >= 0),
    -- Average hit points, armour class and Dexterity score: what a combatant
    -- is made of (initiative bonus = floor((dexterity - 10) / 2)).
    hit_points integer NOT NULL CHECK (hit_points >= 0),
    armor_class integer NOT NULL CHECK (armor_class >= 0),
    dexterity integer NOT NULL DEFAULT 10 CHECK (dexterity BETWEEN 1 AND 30),
    data jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(data) = 'object'),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (core_rule_id, source_index)
);

-- Listing a book's monsters by name (also the cursor order).
CREATE INDEX monsters_core_rule_id_name_idx ON monsters (core_rule_id, lower(name), id);

-- q: case-insensitive substring match (ILIKE '%q%') and similarity ranking.
CREATE INDEX monsters_name_trgm_idx ON monsters USING gin (name gin_trgm_ops);

CREATE INDEX monsters_challenge_rating_idx ON monsters (challenge_rating);

CREATE INDEX monsters_type_idx ON monsters (lower(type));

CREATE TABLE items (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    core_rule_id uuid NOT NULL REFERENCES core_rules ON DELETE CASCADE,
    source_index text NOT NULL CHECK (char_length(source_index) BETWEEN 1 AND 200),
    name text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 200),
    -- equipment_category of the source ("Weapon", "Wondrous Items"); the
    -- API's item "type" filter.
    category text NOT NULL DEFAULT '',
    -- "Rare", "Very Rare"...; '' for mundane equipment.
    rarity text NOT NULL DEFAULT '',
    data jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(data) = 'object'),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (core_rule_id, source_index)
);

CREATE INDEX items_core_rule_id_name_idx ON items (core_rule_id, lower(name), id);

CREATE INDEX items_name_trgm_idx ON items USING gin (name gin_trgm_ops);

CREATE INDEX items_category_idx ON items (lower(category));

CREATE INDEX items_rarity_idx ON items (lower(rarity));

---- create above / drop below ----

DROP TABLE items;
DROP TABLE monsters;
DROP TABLE campaign_core_rules;
DROP TABLE core_rules;
