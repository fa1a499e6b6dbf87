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
func lockDir(dir string) (*os.File, error) {
	f, err := os.OpenFile(filepath.Join(dir, "lock"), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("create lock file: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
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
