-- Extensions, the scs session store and user accounts.
--
-- Conventions for every migration of this directory:
--   - uuid primary keys from gen_random_uuid() (core since PostgreSQL 13);
--   - timestamptz everywhere, stored as instants, defaulting to now();
--   - enum-like values are text with a CHECK constraint: Go validates them
--     first, the CHECK is the last line of defence, and adding a value is a
--     one-line migration instead of ALTER TYPE churn;
--   - length and range CHECKs are generous outer bounds (the contract's
--     where it gives one); Go validates first and answers 422, so a CHECK
--     violation (SQLSTATE 23514) reaching a handler is a bug;
--   - updated_at is set by the queries (SET updated_at = now()), not by
--     triggers, so what a statement does is visible in the statement.

-- pgvector: the embedding column and HNSW index of chunks (007). Not a
-- trusted extension: creating it needs a superuser, so on a server where the
-- application role is not one, an administrator runs this line first (IF NOT
-- EXISTS then makes it a no-op here).
CREATE EXTENSION IF NOT EXISTS vector;
-- pg_trgm: case-insensitive substring search on names (monsters, items,
-- NPCs, codex entries) through GIN trigram indexes. Part of the server
-- package on Debian and Ubuntu (formerly postgresql-contrib).
CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- The table scs's pgxstore reads and writes. Its name and shape are fixed by
-- pgxstore (github.com/alexedwards/scs/pgxstore README), which is why game
-- sessions are called play_sessions. With HashTokenInStore, token is the
-- SHA-256 of the cookie value, base64url-encoded by scs.
CREATE TABLE sessions (
    token TEXT PRIMARY KEY,
    data BYTEA NOT NULL,
    expiry TIMESTAMPTZ NOT NULL
);

COMMENT ON TABLE sessions IS 'The scs (pgxstore) HTTP session store; not game sessions, which are play_sessions.';

CREATE INDEX sessions_expiry_idx ON sessions (expiry);

CREATE TABLE users (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    -- Stored as the user typed it (trimmed); uniqueness and lookups are on
    -- lower(email), see users_email_lower_key.
    email text NOT NULL CHECK (char_length(email) BETWEEN 3 AND 320),
    display_name text NOT NULL CHECK (char_length(display_name) BETWEEN 1 AND 80),
    -- A PHC string ($argon2id$v=19$m=...). Never leaves the server.
    password_hash text NOT NULL,
    email_verified_at timestamptz,
    is_admin boolean NOT NULL DEFAULT false,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);

COMMENT ON TABLE users IS 'Accounts. Email is unique case-insensitively (users_email_lower_key).';

-- Emails are case-insensitive: one account per lower(email). Every lookup by
-- email must use lower(email) = lower(@email) to hit this index.
CREATE UNIQUE INDEX users_email_lower_key ON users (lower(email));

-- Single-use email verification tokens. Only the SHA-256 of the random token
-- is stored; the token itself exists only in the mail.
CREATE TABLE email_verification_tokens (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    token_hash bytea NOT NULL UNIQUE CHECK (octet_length(token_hash) = 32),
    user_id uuid NOT NULL REFERENCES users ON DELETE CASCADE,
    expires_at timestamptz NOT NULL,
    used_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX email_verification_tokens_user_id_idx ON email_verification_tokens (user_id);

CREATE INDEX email_verification_tokens_expires_at_idx ON email_verification_tokens (expires_at);

-- Single-use password reset tokens, same shape as the verification tokens.
CREATE TABLE password_reset_tokens (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    token_hash bytea NOT NULL UNIQUE CHECK (octet_length(token_hash) = 32),
    user_id uuid NOT NULL REFERENCES users ON DELETE CASCADE,
    expires_at timestamptz NOT NULL,
    used_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX password_reset_tokens_user_id_idx ON password_reset_tokens (user_id);

CREATE INDEX password_reset_tokens_expires_at_idx ON password_reset_tokens (expires_at);

-- user_sessions indexes the scs store by user, so "end every session of this
-- user" (password reset, logout everywhere) is a query rather than a scan
-- that decodes every session's data.
--
-- There is deliberately no foreign key to sessions: scs writes the session
-- row when the response is committed, after the handler has recorded the
-- user here, and scs deletes expired rows on its own. A row whose token is
-- no longer in sessions is stale and harmless; trim with an anti-join.
CREATE TABLE user_sessions (
    -- Equal to sessions.token (already a hash with HashTokenInStore).
    token_hash text PRIMARY KEY,
    user_id uuid NOT NULL REFERENCES users ON DELETE CASCADE,
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX user_sessions_user_id_idx ON user_sessions (user_id);

CREATE INDEX user_sessions_created_at_idx ON user_sessions (created_at);

---- create above / drop below ----

DROP TABLE user_sessions;
DROP TABLE password_reset_tokens;
DROP TABLE email_verification_tokens;
DROP TABLE users;
DROP TABLE sessions;
