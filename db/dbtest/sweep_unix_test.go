//go:build unix

package dbtest

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestAbandoned(t *testing.T) {
	t.Parallel()

	live := t.TempDir()
	lock, err := lockDir(live)
	require.NoError(t, err)
	defer lock.Close()
	require.False(t, abandoned(live), "a directory whose owner holds the lock is in use")

	// The dead owner is a real process that locks and exits. Locking and
	// closing here instead is racy: a child this process forks at that
	// moment (the parallel tests start PostgreSQL) shares the open lock
	// until it execs, and the probe sees the lock held.
	dead := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), envLockAndExit+"="+dead)
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "%s", out)
	require.FileExists(t, filepath.Join(dead, "lock"))
	require.True(t, abandoned(dead), "a directory whose owner has exited is abandoned")

	fresh := t.TempDir() // no lock file yet: being created
	require.False(t, abandoned(fresh))
}

// TestLockDir_NeverAbandoned checks the states lockDir passes through: a
// sweep in another process looking at any of them must spare the directory.
func TestLockDir_NeverAbandoned(t *testing.T) {
	t.Parallel()

	dir := t.TempDir()
	var inProgress bool
	lock, err := lockDirHook(dir, func() {
		require.NoFileExists(t, filepath.Join(dir, "lock"), "no lock file before it is locked")
		tmp, err := filepath.Glob(filepath.Join(dir, "lock-*.tmp"))
		require.NoError(t, err)
		require.Len(t, tmp, 1)
		f, err := os.Open(tmp[0])
		require.NoError(t, err)
		defer f.Close()
		err = syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		require.True(t, errors.Is(err, syscall.EWOULDBLOCK), "the temporary file is locked before the rename: %v", err)
		inProgress = abandoned(dir)
	})
	require.NoError(t, err)
	defer lock.Close()
	require.False(t, inProgress, "a directory whose lockDir is in progress is being created")
	require.False(t, abandoned(dir), "a directory just locked is in use")

	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	require.Len(t, entries, 1)
	require.Equal(t, "lock", entries[0].Name(), "the temporary name is gone")
}
