//go:build unix

package dbtest

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// dirPrefix names private cluster directories under the temp directory.
const dirPrefix = "gametable-dbtest-"

// lockDir creates dir/lock and holds an exclusive flock on it for as long
// as the returned file stays open, which is until the process exits: the
// kernel releases the lock however the process dies.
//
// The lock file never exists unlocked, or another process's sweep could
// take it for a dead owner's: it is created and locked under a temporary
// name and then renamed (the lock follows the open file). Until the rename
// the directory has no lock file, which abandoned treats as being created.
func lockDir(dir string) (*os.File, error) {
	return lockDirHook(dir, nil)
}

// lockDirHook is lockDir calling beforeRename (if not nil) once the
// temporary file is locked, so that a test can look at the state between.
func lockDirHook(dir string, beforeRename func()) (*os.File, error) {
	f, err := os.CreateTemp(dir, "lock-*.tmp")
	if err != nil {
		return nil, fmt.Errorf("create lock file: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		os.Remove(f.Name())
		return nil, fmt.Errorf("lock %s: %w", dir, err)
	}
	if beforeRename != nil {
		beforeRename()
	}
	if err := os.Rename(f.Name(), filepath.Join(dir, "lock")); err != nil {
		f.Close()
		os.Remove(f.Name())
		return nil, fmt.Errorf("lock %s: %w", dir, err)
	}
	return f, nil
}

// sweep removes private cluster directories left by test processes that
// died without Main.
func sweep() {
	dirs, _ := filepath.Glob(filepath.Join(os.TempDir(), dirPrefix+"*"))
	for _, dir := range dirs {
		if abandoned(dir) {
			// A cluster relocated (root, unreachable $TMPDIR) is linked
			// from dir/pg.
			if target, err := os.Readlink(filepath.Join(dir, "pg")); err == nil && strings.HasPrefix(filepath.Base(target), "pg-") {
				_ = os.RemoveAll(target)
			}
			if err := os.RemoveAll(dir); err == nil {
				debugf("removed abandoned %s", dir)
			}
		}
	}
}

// abandoned reports whether dir's owner has died and its postgres has
// stopped.
func abandoned(dir string) bool {
	f, err := os.Open(filepath.Join(dir, "lock"))
	if err != nil {
		// Not yet locked (being created) or never locked (a crash before
		// that): give it an hour.
		fi, err := os.Stat(dir)
		return err == nil && time.Since(fi.ModTime()) > time.Hour
	}
	defer f.Close() // releases our probe lock only
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		return false // the owner is alive
	}
	// The owner is dead and the parent-death signal has told its postgres
	// to shut down; wait for that to finish before removing the files.
	pf, err := os.Open(filepath.Join(dir, "pg", "postmaster.pid"))
	if err != nil {
		return true
	}
	defer pf.Close()
	sc := bufio.NewScanner(pf)
	if sc.Scan() {
		if pid, err := strconv.Atoi(sc.Text()); err == nil && pid > 0 {
			return errors.Is(syscall.Kill(pid, 0), syscall.ESRCH)
		}
	}
	return true
}
