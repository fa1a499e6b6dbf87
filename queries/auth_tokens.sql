-- name: EmailVerificationTokenCreate :exec
INSERT INTO email_verification_tokens (token_hash, user_id, expires_at)
VALUES (@token_hash::bytea, @user_id::uuid, @expires_at::timestamptz);

-- name: EmailVerificationTokenConsume :one
-- EmailVerificationTokenConsume marks the token used and returns its user, in
-- one statement, so a token works once even under concurrent requests.
-- ErrNotFound for an unknown, used or expired token.
UPDATE email_verification_tokens
SET used_at = now()
WHERE token_hash = @token_hash::bytea
    AND used_at IS NULL
    AND expires_at > now()
RETURNING user_id;

-- name: EmailVerificationTokenDeleteExpired :execrows
DELETE FROM email_verification_tokens
WHERE expires_at < @before::timestamptz;

-- name: PasswordResetTokenCreate :exec
INSERT INTO password_reset_tokens (token_hash, user_id, expires_at)
VALUES (@token_hash::bytea, @user_id::uuid, @expires_at::timestamptz);

-- name: PasswordResetTokenConsume :one
-- PasswordResetTokenConsume is EmailVerificationTokenConsume for reset
-- tokens.
UPDATE password_reset_tokens
SET used_at = now()
WHERE token_hash = @token_hash::bytea
    AND used_at IS NULL
    AND expires_at > now()
RETURNING user_id;

-- name: PasswordResetTokenDeleteExpired :execrows
DELETE FROM password_reset_tokens
WHERE expires_at < @before::timestamptz;

-- name: PasswordResetTokenDeleteForUser :execrows
-- PasswordResetTokenDeleteForUser voids the user's other reset tokens once
-- one of them has been used: a reset mail left in an inbox must not work
-- after the password was reset.
DELETE FROM password_reset_tokens
WHERE user_id = @user_id::uuid;
