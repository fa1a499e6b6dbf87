//go:build unix

package localpg

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// pidFile is what postmaster.pid (and a socket's .lock file) records: the
// PID on line 1 and the data directory on line 2.
type pidFile struct {
	pid     int
	dataDir string
}

func readPidFile(path string) (pidFile, error) {
	f, err := os.Open(path)
	if err != nil {
		return pidFile{}, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	var lines []string
	for sc.Scan() && len(lines) < 2 {
		lines = append(lines, strings.TrimSpace(sc.Text()))
	}
	if len(lines) == 0 {
		return pidFile{}, fmt.Errorf("%s is empty", path)
	}
	pid, err := strconv.Atoi(lines[0])
	if err != nil || pid == 0 {
		return pidFile{}, fmt.Errorf("%s: bad pid %q", path, lines[0])
	}
	if pid < 0 { // a standalone backend records -pid
		pid = -pid
	}
	pf := pidFile{pid: pid}
	if len(lines) > 1 {
		pf.dataDir = lines[1]
	}
	return pf, nil
}

// alive reports whether pid names a running (not zombie) process. EPERM
// means it exists but belongs to someone else.
func alive(pid int) bool {
	if pid <= 0 {
		return false
	}
	if err := syscall.Kill(pid, 0); errors.Is(err, syscall.ESRCH) {
		return false
	}
	return !procZombie(pid)
}

// isPostgresOn reports whether the live process pid is a postgres serving
// dataDir: its command is postgres and its working directory (where the
// postmaster chdirs) is dataDir; without /proc access, the data directory
// recorded in the pid file decides.
func isPostgresOn(pid int, recorded, dataDir string) bool {
	if comm, ok := procComm(pid); ok && comm != "postgres" && comm != "postmaster" {
		return false
	}
	if cwd, ok := procCwd(pid); ok {
		return sameDir(cwd, dataDir)
	}
	return recorded == "" || sameDir(recorded, dataDir)
}

func sameDir(a, b string) bool {
	if ra, err := filepath.EvalSymlinks(a); err == nil {
		a = ra
	}
	if rb, err := filepath.EvalSymlinks(b); err == nil {
		b = rb
	}
	return filepath.Clean(a) == filepath.Clean(b)
}

// ownerInfo identifies the gametable process that started a postmaster.
type ownerInfo struct {
	pid   int
	start uint64 // process start time in clock ticks; 0 when unknown
}

func writeOwner(dataDir string) error {
	start, _ := procStartTime(os.Getpid())
	b := fmt.Appendf(nil, "%d %d\n", os.Getpid(), start)
	// 0644 so that the server user can read (and back up) its directory.
	if err := os.WriteFile(filepath.Join(dataDir, ownerFile), b, 0o644); err != nil {
		return fmt.Errorf("write owner file: %w", err)
	}
	return nil
}

func readOwner(dataDir string) (ownerInfo, error) {
	b, err := os.ReadFile(filepath.Join(dataDir, ownerFile))
	if err != nil {
		return ownerInfo{}, err
	}
	var o ownerInfo
	if _, err := fmt.Sscan(string(b), &o.pid, &o.start); err != nil {
		return ownerInfo{}, fmt.Errorf("parse owner file: %w", err)
	}
	return o, nil
}

func (o ownerInfo) alive() bool {
	if !alive(o.pid) {
		return false
	}
	if o.start != 0 {
		if st, ok := procStartTime(o.pid); ok && st != o.start {
			return false // the PID was reused
		}
	}
	return true
}

// clearStale makes the data directory startable. A live postmaster on it
// whose gametable owner is still running is left alone (ErrInUse); an
// orphaned one is shut down. Lock files naming a live process that is not a
// postgres on this directory are removed, since PostgreSQL would refuse to
// start on them; lock files naming a dead process are left to PostgreSQL.
func clearStale(ctx context.Context, dataDir, socketDir string, port int, logger *slog.Logger) error {
	pidPath := filepath.Join(dataDir, "postmaster.pid")
	pf, err := readPidFile(pidPath)
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		// PostgreSQL refuses an empty or garbled lock file ("Either
		// another server is starting, or the lock file is the remnant of
		// a previous server startup crash"): it is the latter.
		logger.Info("removing unreadable postmaster.pid", "data_dir", dataDir, "err", err)
		if err := os.Remove(pidPath); err != nil {
			return fmt.Errorf("remove stale postmaster.pid: %w", err)
		}
	case !alive(pf.pid):
		// PostgreSQL checks a dead PID and its shared memory itself.
	case isPostgresOn(pf.pid, pf.dataDir, dataDir):
		o, err := readOwner(dataDir)
		if err != nil {
			return fmt.Errorf("%w: postgres (pid %d) is running on %s and was not started by gametable: stop it (pg_ctl -D %s stop) or choose another GAMETABLE_DATA_DIR",
				ErrInUse, pf.pid, dataDir, dataDir)
		}
		if o.alive() {
			return fmt.Errorf("%w: postgres (pid %d) on %s belongs to gametable process %d, which is still running: stop that process first or use its database",
				ErrInUse, pf.pid, dataDir, o.pid)
		}
		logger.Warn("stopping orphaned postgres", "pid", pf.pid, "data_dir", dataDir, "dead_owner_pid", o.pid)
		if err := stopPID(ctx, pf.pid); err != nil {
			return err
		}
	default:
		logger.Info("removing stale postmaster.pid", "data_dir", dataDir, "pid", pf.pid)
		if err := os.Remove(pidPath); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("remove stale postmaster.pid: %w", err)
		}
	}

	sock := filepath.Join(socketDir, ".s.PGSQL."+strconv.Itoa(port))
	lf, err := readPidFile(sock + ".lock")
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil || (alive(lf.pid) && !isPostgresOn(lf.pid, lf.dataDir, dataDir)) {
		logger.Info("removing stale socket lock file", "path", sock+".lock")
		for _, p := range []string{sock + ".lock", sock} {
			if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return fmt.Errorf("remove stale socket lock: %w", err)
			}
		}
	}
	return nil
}

// stopPID shuts down a postmaster that is not our child: fast shutdown,
// then immediate, then SIGKILL, polling until it is gone.
func stopPID(ctx context.Context, pid int) error {
	steps := []struct {
		sig  syscall.Signal
		wait time.Duration
	}{
		{syscall.SIGINT, 30 * time.Second},
		{syscall.SIGQUIT, 5 * time.Second},
		{syscall.SIGKILL, 5 * time.Second},
	}
	for _, s := range steps {
		if err := syscall.Kill(pid, s.sig); err != nil {
			if errors.Is(err, syscall.ESRCH) {
				return nil
			}
			return fmt.Errorf("signal orphaned postgres %d: %w", pid, err)
		}
		deadline := time.Now().Add(s.wait)
		for time.Now().Before(deadline) {
			if !alive(pid) {
				return nil
			}
			select {
			case <-ctx.Done():
				return fmt.Errorf("wait for orphaned postgres %d to stop: %w", pid, ctx.Err())
			case <-time.After(50 * time.Millisecond):
			}
		}
	}
	return fmt.Errorf("orphaned postgres %d did not stop", pid)
}

func lookupUser(name string) (*owner, error) {
	u, err := user.Lookup(name)
	if err != nil {
		return nil, err
	}
	uid, err := strconv.ParseUint(u.Uid, 10, 32)
	if err != nil {
		return nil, fmt.Errorf("uid %q: %w", u.Uid, err)
	}
	gid, err := strconv.ParseUint(u.Gid, 10, 32)
	if err != nil {
		return nil, fmt.Errorf("gid %q: %w", u.Gid, err)
	}
	o := &owner{name: name, uid: uint32(uid), gid: uint32(gid), groups: []uint32{}}
	if ids, err := u.GroupIds(); err == nil {
		for _, id := range ids {
			if g, err := strconv.ParseUint(id, 10, 32); err == nil {
				o.groups = append(o.groups, uint32(g))
			}
		}
	}
	return o, nil
}

// shortHash names per-directory places (fallback data, socket directory).
func shortHash(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:8])
}
