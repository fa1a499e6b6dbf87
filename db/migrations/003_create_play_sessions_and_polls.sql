-- Game sessions (play_sessions, because scs owns "sessions") and
-- availability polls.

CREATE TABLE play_sessions (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    campaign_id uuid NOT NULL REFERENCES campaigns ON DELETE CASCADE,
    -- "Session 12". Unique per campaign; a clash is a 409, never a silent
    -- renumbering. The default comes from PlaySessionNextNumber.
    number integer NOT NULL CHECK (number >= 1),
    -- '' means no title: the label is then just "Session 12".
    title text NOT NULL DEFAULT '' CHECK (char_length(title) <= 200),
    scheduled_at timestamptz,
    status text NOT NULL DEFAULT 'planned' CHECK (status IN ('planned', 'completed', 'cancelled')),
    -- Markdown; '' means none.
    recap text NOT NULL DEFAULT '' CHECK (char_length(recap) <= 100000),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (campaign_id, id),
    -- Also the index behind "ordered by number".
    UNIQUE (campaign_id, number)
);

-- nextSession: the earliest planned session in the future, per campaign; also
-- the calendar feed.
CREATE INDEX play_sessions_campaign_id_scheduled_at_idx ON play_sessions (campaign_id, scheduled_at)
WHERE
    status = 'planned';

CREATE TABLE availability_polls (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    campaign_id uuid NOT NULL REFERENCES campaigns ON DELETE CASCADE,
    title text NOT NULL CHECK (char_length(title) BETWEEN 1 AND 200),
    status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed')),
    -- When set, a background job closes the poll at this instant.
    closes_at timestamptz,
    -- The session created by finalize. SET NULL (session_id) keeps
    -- campaign_id when that session is deleted.
    session_id uuid,
    closed_at timestamptz,
    created_by uuid NOT NULL REFERENCES users,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (campaign_id, id),
    FOREIGN KEY (campaign_id, session_id) REFERENCES play_sessions (campaign_id, id) ON DELETE SET NULL (session_id),
    CHECK ((status = 'closed') = (closed_at IS NOT NULL)),
    CHECK (session_id IS NULL OR status = 'closed')
);

CREATE INDEX availability_polls_campaign_id_created_at_idx ON availability_polls (campaign_id, created_at DESC);

CREATE INDEX availability_polls_campaign_id_session_id_idx ON availability_polls (campaign_id, session_id);

CREATE INDEX availability_polls_created_by_idx ON availability_polls (created_by);

-- The auto-close job looks for open polls past their closes_at, across
-- campaigns.
CREATE INDEX availability_polls_closes_at_idx ON availability_polls (closes_at)
WHERE
    status = 'open' AND closes_at IS NOT NULL;

CREATE TABLE availability_options (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    campaign_id uuid NOT NULL REFERENCES campaigns ON DELETE CASCADE,
    poll_id uuid NOT NULL,
    starts_at timestamptz NOT NULL,
    ends_at timestamptz,
    -- Display order within the poll, 0-based.
    position integer NOT NULL CHECK (position >= 0),
    UNIQUE (campaign_id, id),
    -- Lets responses check that an option belongs to the poll they name.
    UNIQUE (campaign_id, poll_id, id),
    UNIQUE (poll_id, position),
    -- No duplicate slots in a poll; a missing end equals a missing end.
    UNIQUE NULLS NOT DISTINCT (poll_id, starts_at, ends_at),
    FOREIGN KEY (campaign_id, poll_id) REFERENCES availability_polls (campaign_id, id) ON DELETE CASCADE,
    CHECK (ends_at IS NULL OR ends_at > starts_at)
);

CREATE TABLE availability_responses (
    campaign_id uuid NOT NULL REFERENCES campaigns ON DELETE CASCADE,
    -- poll_id is redundant with option_id but lets a poll's votes be read and
    -- deleted without a join; the composite key keeps the two consistent.
    poll_id uuid NOT NULL,
    option_id uuid NOT NULL,
    user_id uuid NOT NULL,
    answer text NOT NULL CHECK (answer IN ('yes', 'maybe', 'no')),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (option_id, user_id),
    FOREIGN KEY (campaign_id, poll_id, option_id) REFERENCES availability_options (campaign_id, poll_id, id) ON DELETE CASCADE,
    FOREIGN KEY (campaign_id, poll_id) REFERENCES availability_polls (campaign_id, id) ON DELETE CASCADE,
    -- Only members vote; a member who leaves takes their votes along.
    FOREIGN KEY (campaign_id, user_id) REFERENCES memberships (campaign_id, user_id) ON DELETE CASCADE
);

CREATE INDEX availability_responses_campaign_id_poll_id_idx ON availability_responses (campaign_id, poll_id);

CREATE INDEX availability_responses_campaign_id_user_id_idx ON availability_responses (campaign_id, user_id);

---- create above / drop below ----

DROP TABLE availability_responses;
DROP TABLE availability_options;
DROP TABLE availability_polls;
DROP TABLE play_sessions;
