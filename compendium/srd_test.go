package compendium

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// srdDir is the open SRD data beside the repository,
// <repo>/../shared/data/srd, found from this file's location so that it
// does not depend on the working directory. The data is never copied into
// the repository; the test is skipped when the folder is absent.
func srdDir(t *testing.T) string {
	t.Helper()
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		t.Fatal("cannot locate srd_test.go")
	}
	repo := filepath.Dir(filepath.Dir(file))
	dir := filepath.Join(repo, "..", "shared", "data", "srd")
	if _, err := os.Stat(filepath.Join(dir, "5e-SRD-Monsters.json")); err != nil {
		t.Skipf("SRD data not found at %s (expected ../shared/data/srd beside the repository): %v", dir, err)
	}
	return dir
}
