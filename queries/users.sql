-- name: UserCreate :one
-- UserCreate inserts an account. A taken email (case-insensitively) is a
-- unique violation on users_email_lower_key, i.e. ErrConflict.
INSERT INTO users (email, display_name, password_hash)
VALUES (@email::text, @display_name::text, @password_hash::text)
RETURNING *;

-- name: UserGetByID :one
SELECT id, email, display_name, password_hash, email_verified_at, is_admin, created_at, updated_at
FROM users
WHERE id = @id::uuid;

-- name: UserGetByEmail :one
-- UserGetByEmail matches case-insensitively, through users_email_lower_key.
SELECT id, email, display_name, password_hash, email_verified_at, is_admin, created_at, updated_at
FROM users
WHERE lower(email) = lower(@email::text);

-- name: UserUpdate :one
-- UserUpdate changes the fields given (NULL leaves a field as it is).
-- Checking the current password before a password change is the caller's.
UPDATE users
SET display_name = coalesce(sqlc.narg('display_name')::text, display_name),
    password_hash = coalesce(sqlc.narg('password_hash')::text, password_hash),
    updated_at = now()
WHERE id = @id::uuid
RETURNING *;

-- name: UserMarkEmailVerified :one
-- UserMarkEmailVerified keeps the first verification time if there is one.
UPDATE users
SET email_verified_at = coalesce(email_verified_at, now()),
    updated_at = now()
WHERE id = @id::uuid
RETURNING *;

-- name: UserSetAdmin :one
UPDATE users
SET is_admin = @is_admin::boolean,
    updated_at = now()
WHERE id = @id::uuid
RETURNING *;

-- name: UserPromoteByEmail :one
-- UserPromoteByEmail makes an account an admin ("gametable user promote").
-- ErrNotFound when no account has that email.
UPDATE users
SET is_admin = true,
    updated_at = now()
WHERE lower(email) = lower(@email::text)
RETURNING *;
