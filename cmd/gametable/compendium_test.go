package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"gametable/compendium"
	"gametable/db/dbtest"
)

func TestRun_CompendiumImport(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	env := envFrom(map[string]string{"DATABASE_URL": dbtest.URL(t), "GAMETABLE_LOG_LEVEL": "warn"})

	// A small file of our own: one good monster, one malformed.
	const good = `{"index":"bog-hound","name":"Bog Hound","challenge_rating":0.5,"hit_points":11,
		"armor_class":[{"type":"natural","value":12}],"strength":13,"dexterity":14,"constitution":12,
		"intelligence":3,"wisdom":12,"charisma":6}`
	const bad = `{"index":"broken","name":"Broken","challenge_rating":1}`
	path := filepath.Join(t.TempDir(), "bestiary.json")
	require.NoError(t, os.WriteFile(path, []byte("["+good+","+bad+"]"), 0o600))

	var out, errOut bytes.Buffer
	err := run(ctx, []string{"compendium", "import", "--rules", "homebrew", "--kind", "optional", "--title", "Homebrew", path}, env, &out, &errOut)
	require.ErrorIs(t, err, compendium.ErrRecordsFailed, "a malformed record makes the command fail")
	require.Contains(t, out.String(), `imported into new book "homebrew" (Homebrew, optional)`)
	require.Contains(t, out.String(), "skipped bestiary.json: record 2 (broken): hit_points: missing")
	require.Contains(t, out.String(), "bestiary.json: 2 monsters: 1 new, 0 updated, 0 unchanged, 1 skipped")

	// Fixed, the same command succeeds and updates nothing twice.
	require.NoError(t, os.WriteFile(path, []byte("["+good+"]"), 0o600))
	out.Reset()
	err = run(ctx, []string{"compendium", "import", "--rules", "homebrew", path}, env, &out, &errOut)
	require.NoError(t, err, out.String())
	require.Contains(t, out.String(), "bestiary.json: 1 monsters: 0 new, 0 updated, 1 unchanged, 0 skipped")
}

func TestRun_CompendiumUsage(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for _, args := range [][]string{
		{"compendium"},
		{"compendium", "export"},
		{"compendium", "import", "file.json"},      // no --rules
		{"compendium", "import", "--rules", "srd"}, // no files
	} {
		var errOut bytes.Buffer
		err := run(ctx, args, envFrom(nil), &bytes.Buffer{}, &errOut)
		require.ErrorIs(t, err, errUsage, "%v", args)
		require.Contains(t, errOut.String(), "usage: gametable compendium import", "%v", args)
	}
	err := run(ctx, []string{"compendium", "import", "--rules", "srd", "--kind", "core", "f.json"}, envFrom(nil), &bytes.Buffer{}, &bytes.Buffer{})
	var ce *configError
	require.ErrorAs(t, err, &ce)
}
