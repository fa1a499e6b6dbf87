package db_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/stretchr/testify/require"

	"gametable/db/dbtest"
)

// TestSQLCVet runs "sqlc vet" against a freshly migrated database, so every
// query of queries/ is prepared by the real PostgreSQL (rule sqlc/db-prepare):
// a query that would fail at run time fails here.
func TestSQLCVet(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("sqlc vet builds sqlc on first use; skipped with -short")
	}
	goBin, err := exec.LookPath("go")
	if err != nil {
		goBin = filepath.Join(runtime.GOROOT(), "bin", "go")
	}
	_, file, _, _ := runtime.Caller(0)
	root := filepath.Dir(filepath.Dir(file))
	cmd := exec.Command(goBin, "tool", "sqlc", "vet")
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "SQLC_DATABASE_URL="+dbtest.URL(t))
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "sqlc vet:\n%s", out)
}
