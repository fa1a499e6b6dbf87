package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"gametable/db"
	"gametable/db/dbtest"
)

func TestRun_RulesImport(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	url := dbtest.URL(t)
	env := envFrom(map[string]string{
		"DATABASE_URL": url, "GAMETABLE_LOG_LEVEL": "warn", "GAMETABLE_DATA_DIR": t.TempDir(),
	})

	const book = "# Homebrew Rules\n\n## Grappling\n\nTo grapple a creature, make an Athletics check contested by the target's Athletics or Acrobatics.\n\n## Resting\n\nA short rest lasts at least one hour; a long rest lasts eight hours.\n"
	path := filepath.Join(t.TempDir(), "homebrew.md")
	require.NoError(t, os.WriteFile(path, []byte(book), 0o600))

	var out, errOut bytes.Buffer
	err := run(ctx, []string{"rules", "import", "--title", "Homebrew Rules", "--slug", "homebrew", "--kind", "optional", path}, env, &out, &errOut)
	require.NoError(t, err, "stderr: %s", errOut.String())
	require.Contains(t, out.String(), `imported "homebrew" (Homebrew Rules, optional)`)
	require.Contains(t, out.String(), "status ready")

	conn, err := db.Connect(ctx, url)
	require.NoError(t, err)
	defer conn.Close(ctx)
	var kind, status string
	var chunks, withHeading int
	err = conn.QueryRow(ctx, `
		SELECT r.kind, r.status, count(c.id), count(c.id) FILTER (WHERE c.text ILIKE '%athletics check%')
		FROM core_rules r LEFT JOIN chunks c ON c.core_rule_id = r.id
		WHERE r.slug = 'homebrew' GROUP BY r.kind, r.status`).Scan(&kind, &status, &chunks, &withHeading)
	require.NoError(t, err)
	require.Equal(t, "optional", kind)
	require.Equal(t, "ready", status)
	require.GreaterOrEqual(t, chunks, 2, "one chunk per section at least")
	require.Equal(t, 1, withHeading)

	// Importing the same slug again replaces the text.
	require.NoError(t, os.WriteFile(path, []byte("# Homebrew Rules\n\n## Flanking\n\nAllies on opposite sides have advantage.\n"), 0o600))
	out.Reset()
	err = run(ctx, []string{"rules", "import", "--title", "Homebrew Rules", "--slug", "homebrew", "--kind", "optional", path}, env, &out, &errOut)
	require.NoError(t, err, "stderr: %s", errOut.String())
	require.NoError(t, conn.QueryRow(ctx, `SELECT count(*) FROM chunks c JOIN core_rules r ON r.id = c.core_rule_id
		WHERE r.slug = 'homebrew' AND c.text ILIKE '%athletics%'`).Scan(&chunks))
	require.Zero(t, chunks)
}

func TestRun_RulesUsage(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for _, args := range [][]string{
		{"rules"},
		{"rules", "export"},
		{"rules", "import", "--title", "T", "--slug", "s", "--kind", "required"}, // no files
		{"rules", "import", "--slug", "s", "--kind", "required", "f.md"},         // no title
	} {
		var errOut bytes.Buffer
		err := run(ctx, args, envFrom(nil), &bytes.Buffer{}, &errOut)
		require.ErrorIs(t, err, errUsage, "%v", args)
		require.Contains(t, errOut.String(), "usage: gametable rules import", "%v", args)
	}
	err := run(ctx, []string{"rules", "import", "--title", "T", "--slug", "s", "--kind", "tool_only", "f.md"}, envFrom(nil), &bytes.Buffer{}, &bytes.Buffer{})
	var ce *configError
	require.ErrorAs(t, err, &ce)
}
