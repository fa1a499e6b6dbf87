-- Encounters, combats and combatants, and the live hub's event log and
-- command idempotency records.

CREATE TABLE encounters (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    campaign_id uuid NOT NULL REFERENCES campaigns ON DELETE CASCADE,
    name text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 80),
    notes text NOT NULL DEFAULT '' CHECK (char_length(notes) <= 100000),
    -- Optional link to a game session; deleting the session only clears it.
    session_id uuid,
    -- NULL: the party is the characterLevels of the campaign's players.
    -- At most 12 levels, each 1 to 20.
    party_levels integer[] CHECK (
        party_levels IS NULL OR (
            cardinality(party_levels) <= 12
            AND array_position(party_levels, NULL) IS NULL
            AND 1 <= ALL (party_levels)
            AND 20 >= ALL (party_levels)
        )
    ),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (campaign_id, id),
    FOREIGN KEY (campaign_id, session_id) REFERENCES play_sessions (campaign_id, id) ON DELETE SET NULL (session_id)
);

CREATE INDEX encounters_campaign_id_created_at_idx ON encounters (campaign_id, created_at DESC, id);

CREATE INDEX encounters_campaign_id_session_id_idx ON encounters (campaign_id, session_id);

-- The monsters of an encounter. monsters is global: which books a campaign
-- may use is checked in Go (and by the compendium queries), not by this key.
CREATE TABLE encounter_monsters (
    campaign_id uuid NOT NULL REFERENCES campaigns ON DELETE CASCADE,
    encounter_id uuid NOT NULL,
    monster_id uuid NOT NULL REFERENCES monsters ON DELETE CASCADE,
    count integer NOT NULL CHECK (count BETWEEN 1 AND 100),
    -- Display order, 0-based; at most 50 entries (checked in Go).
    position integer NOT NULL DEFAULT 0 CHECK (position >= 0),
    PRIMARY KEY (campaign_id, encounter_id, monster_id),
    FOREIGN KEY (campaign_id, encounter_id) REFERENCES encounters (campaign_id, id) ON DELETE CASCADE
);

CREATE INDEX encounter_monsters_monster_id_idx ON encounter_monsters (monster_id);

CREATE TABLE combats (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    campaign_id uuid NOT NULL REFERENCES campaigns ON DELETE CASCADE,
    encounter_id uuid,
    status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'ended')),
    -- 0 until the first combat.next.
    round integer NOT NULL DEFAULT 0 CHECK (round >= 0),
    -- Whose turn it is; NULL before the first combat.next. The key below
    -- makes sure it is a combatant of this very combat.
    turn_combatant_id uuid,
    started_at timestamptz NOT NULL DEFAULT now(),
    ended_at timestamptz,
    -- Free text the GM may give when ending ("victory", "the party fled").
    outcome text,
    updated_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (campaign_id, id),
    FOREIGN KEY (campaign_id, encounter_id) REFERENCES encounters (campaign_id, id) ON DELETE SET NULL (encounter_id),
    CHECK ((status = 'ended') = (ended_at IS NOT NULL))
);

-- At most one running combat per campaign: a second start is a unique
-- violation, i.e. ErrConflict (409).
CREATE UNIQUE INDEX combats_one_active_per_campaign_idx ON combats (campaign_id)
WHERE
    status = 'active';

-- Past combats, newest first.
CREATE INDEX combats_campaign_id_started_at_idx ON combats (campaign_id, started_at DESC, id);

CREATE INDEX combats_campaign_id_encounter_id_idx ON combats (campaign_id, encounter_id);

CREATE TABLE combatants (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    campaign_id uuid NOT NULL REFERENCES campaigns ON DELETE CASCADE,
    combat_id uuid NOT NULL,
    kind text NOT NULL CHECK (kind IN ('pc', 'monster', 'npc')),
    name text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 80),
    -- NULL until rolled or set; such combatants sort last. The bounds here
    -- and on ac are generous sanity limits; the hub validates tighter ones.
    initiative integer CHECK (initiative BETWEEN -1000 AND 1000),
    initiative_bonus integer NOT NULL DEFAULT 0 CHECK (initiative_bonus BETWEEN -1000 AND 1000),
    -- Not hp <= max_hp: healing is capped by the rules, but a GM may set any
    -- value within range.
    hp integer NOT NULL CHECK (hp BETWEEN 0 AND 100000),
    max_hp integer NOT NULL CHECK (max_hp BETWEEN 0 AND 100000),
    temp_hp integer NOT NULL DEFAULT 0 CHECK (temp_hp BETWEEN 0 AND 100000),
    ac integer CHECK (ac BETWEEN 0 AND 1000),
    hidden boolean NOT NULL DEFAULT false,
    -- {"poisoned": {"rounds": 2}, "prone": {}}: the live state's shape.
    conditions jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(conditions) = 'object'),
    -- The member who controls this combatant. Referencing memberships keeps it
    -- a member of this campaign; removing the member only clears the link.
    user_id uuid,
    monster_id uuid REFERENCES monsters ON DELETE SET NULL,
    npc_id uuid,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (campaign_id, id),
    -- Target of combats.turn_combatant_id: a turn belongs to this combat.
    UNIQUE (campaign_id, combat_id, id),
    FOREIGN KEY (campaign_id, combat_id) REFERENCES combats (campaign_id, id) ON DELETE CASCADE,
    FOREIGN KEY (campaign_id, user_id) REFERENCES memberships (campaign_id, user_id) ON DELETE SET NULL (user_id),
    FOREIGN KEY (campaign_id, npc_id) REFERENCES npcs (campaign_id, id) ON DELETE SET NULL (npc_id)
);

CREATE INDEX combatants_campaign_id_user_id_idx ON combatants (campaign_id, user_id);

CREATE INDEX combatants_campaign_id_npc_id_idx ON combatants (campaign_id, npc_id);

CREATE INDEX combatants_monster_id_idx ON combatants (monster_id);

-- Declared after combatants exists. Removing the combatant whose turn it is
-- clears the turn (the hub moves the turn first in practice). The unique
-- (campaign_id, id) index of combats serves this key's lookups.
ALTER TABLE combats
    ADD FOREIGN KEY (campaign_id, id, turn_combatant_id) REFERENCES combatants (campaign_id, combat_id, id) ON DELETE SET NULL (turn_combatant_id);

-- The live event log (REALTIME.md): each view's merge patch, written in the
-- same transaction as the change it carries, with the seq taken from
-- campaigns.live_gm_seq / live_player_seq. It is the resume window after a
-- restart and how other server processes learn what changed. Trimmed by
-- count and age; the hub changes campaigns.live_epoch when it can no longer
-- serve a resume.
CREATE TABLE live_events (
    campaign_id uuid NOT NULL REFERENCES campaigns ON DELETE CASCADE,
    view text NOT NULL CHECK (view IN ('gm', 'player')),
    seq bigint NOT NULL CHECK (seq >= 1),
    -- An RFC 7386 JSON merge patch of that view's state.
    patch jsonb NOT NULL CHECK (jsonb_typeof(patch) = 'object'),
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (campaign_id, view, seq)
);

-- Trimming by age across campaigns.
CREATE INDEX live_events_created_at_idx ON live_events (created_at);

-- Idempotent live commands: a retried command id within ten minutes gets the
-- stored outcome (the ack's seq and result, or the error) instead of being
-- applied twice. Written in the command's transaction.
CREATE TABLE live_commands (
    campaign_id uuid NOT NULL REFERENCES campaigns ON DELETE CASCADE,
    user_id uuid NOT NULL,
    -- The client's message id, echoed in acks and errors.
    command_id text NOT NULL CHECK (char_length(command_id) BETWEEN 1 AND 256),
    outcome jsonb NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (campaign_id, user_id, command_id),
    FOREIGN KEY (campaign_id, user_id) REFERENCES memberships (campaign_id, user_id) ON DELETE CASCADE
);

-- Trimming records older than ten minutes across campaigns.
CREATE INDEX live_commands_created_at_idx ON live_commands (created_at);

---- create above / drop below ----

DROP TABLE live_commands;
DROP TABLE live_events;
DROP TABLE combats, combatants;
DROP TABLE encounter_monsters;
DROP TABLE encounters;
