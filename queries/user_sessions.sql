-- name: UserSessionCreate :exec
-- UserSessionCreate records that the scs session with this stored token
-- (the hashed token, as in sessions.token) belongs to the user. Call it on
-- login, after RenewToken.
INSERT INTO user_sessions (token_hash, user_id)
VALUES (@token_hash::text, @user_id::uuid)
ON CONFLICT (token_hash) DO UPDATE
SET user_id = excluded.user_id,
    created_at = now();

-- name: UserSessionDelete :exec
-- UserSessionDelete forgets one session (logout); scs deletes the session
-- row itself.
DELETE FROM user_sessions
WHERE token_hash = @token_hash::text;

-- name: UserSessionEndAllForUser :many
-- UserSessionEndAllForUser ends every session of the user except
-- except_token_hash (pass '' to end them all): it deletes the scs session
-- rows, so the cookies stop working at once, and the index rows. Returns the
-- ended sessions' token hashes (the session IDs the hub knows them by), so
-- their live connections can be closed.
WITH ended AS (
    DELETE FROM user_sessions
    WHERE user_id = @user_id::uuid
        AND token_hash <> @except_token_hash::text
    RETURNING token_hash
),
gone AS (
    DELETE FROM sessions
    WHERE token IN (SELECT token_hash FROM ended)
)
SELECT token_hash FROM ended;

-- name: UserSessionDeleteStale :execrows
-- UserSessionDeleteStale trims index rows whose scs session is gone
-- (expired and cleaned up by scs, or destroyed).
DELETE FROM user_sessions us
WHERE us.created_at < @before::timestamptz
    AND NOT EXISTS (SELECT 1 FROM sessions s WHERE s.token = us.token_hash);

-- name: UserGetBySession :one
-- UserGetBySession authenticates a request: the user whose index row has
-- this token hash and whose scs session has not expired. Both rows must be
-- there: a session that a password reset ended is gone from the index even
-- if an in-flight request wrote its scs row back. It never writes, so the
-- live WebSocket route can use it outside scs's LoadAndSave.
SELECT sqlc.embed(u)
FROM user_sessions us
JOIN sessions s ON s.token = us.token_hash
JOIN users u ON u.id = us.user_id
WHERE us.token_hash = @token_hash::text
    AND s.expiry > now();

-- name: SessionDeleteExpired :execrows
-- SessionDeleteExpired trims the scs store: expired sessions, and sessions
-- without an index row (ended ones that an in-flight request wrote back).
-- The index row is always written before the scs row, so a live session is
-- never taken for an orphan.
DELETE FROM sessions s
WHERE s.expiry < now()
    OR NOT EXISTS (SELECT 1 FROM user_sessions us WHERE us.token_hash = s.token);
