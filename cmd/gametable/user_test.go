package main

import (
	"bytes"
	"context"
	"io"
	"testing"

	"github.com/stretchr/testify/require"

	"gametable/db"
	"gametable/db/dbtest"
)

func TestRun_UserPromote(t *testing.T) {
	t.Parallel()
	url := dbtest.URL(t)
	env := envFrom(map[string]string{"DATABASE_URL": url, "GAMETABLE_LOG_FORMAT": "text", "GAMETABLE_LOG_LEVEL": "error"})
	ctx := context.Background()

	conn, err := db.Connect(ctx, url)
	require.NoError(t, err)
	defer conn.Close(ctx)
	u, err := db.New(conn).UserCreate(ctx, db.UserCreateParams{Email: "gm@example.com", DisplayName: "Gina", PasswordHash: "x"})
	require.NoError(t, err)
	require.False(t, u.IsAdmin)

	var out bytes.Buffer
	require.NoError(t, run(ctx, []string{"user", "promote", " GM@Example.com "}, env, &out, io.Discard))
	require.Contains(t, out.String(), "gm@example.com (Gina) is now an admin")
	u, err = db.New(conn).UserGetByID(ctx, u.ID)
	require.NoError(t, err)
	require.True(t, u.IsAdmin)

	err = run(ctx, []string{"user", "promote", "nobody@example.com"}, env, io.Discard, io.Discard)
	require.ErrorContains(t, err, "no account has the email")
	require.ErrorIs(t, run(ctx, []string{"user", "promote"}, env, io.Discard, io.Discard), errUsage)
	require.ErrorIs(t, run(ctx, []string{"user", "demote", "x@example.com"}, env, io.Discard, io.Discard), errUsage)
}
