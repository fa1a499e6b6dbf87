//go:build unix

package localpg

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

const (
	defaultDatabase     = "gametable"
	defaultUser         = "postgres"
	defaultFallbackDir  = "/var/lib/gametable"
	defaultStartTimeout = 60 * time.Second
	defaultStopTimeout  = 60 * time.Second
	socketPort          = 5432 // names the socket file when there is no TCP port
	maxSocketPath       = 107  // sizeof(sun_path) - 1 on Linux
	ownerFile           = "gametable.owner"
	logRotateSize       = 10 << 20
)

// Start runs the local cluster described by opts: it finds the binaries,
// decides where the data lives, initializes the cluster if needed, clears a
// stale or orphaned postmaster, starts postgres, waits until it accepts
// connections, checks for pgvector and creates the database. ctx bounds the
// start-up only; call Stop to shut the server down. On error nothing is left
// running.
func Start(ctx context.Context, opts Options) (*Cluster, error) {
	t0 := time.Now()
	if opts.Dir == "" {
		return nil, errors.New("localpg: Options.Dir is required")
	}
	if opts.Database == "" {
		opts.Database = defaultDatabase
	}
	logger := opts.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	timeout := opts.StartTimeout
	if timeout <= 0 {
		timeout = defaultStartTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	owner, err := lookupOwner(opts.User)
	if err != nil {
		return nil, err
	}
	pl, err := locateDataDir(opts, owner)
	if err != nil {
		return nil, err
	}
	binDir, err := resolveBinDir(opts.BinDir, pl.dataDir)
	if err != nil {
		return nil, err
	}
	major, err := serverVersion(binDir)
	if err != nil {
		return nil, err
	}
	if major < MinVersion {
		return nil, fmt.Errorf("%w: %s is PostgreSQL %d, gametable needs %d or newer: run `make deps` (Debian/Ubuntu) or install a newer PostgreSQL",
			ErrNoBinaries, binDir, major, MinVersion)
	}
	if err := prepareDataDir(pl, owner, logger); err != nil {
		return nil, err
	}
	dataDir := pl.dataDir

	if initialized(dataDir) {
		if err := checkDataVersion(dataDir, major, binDir); err != nil {
			return nil, err
		}
		if owner != nil {
			if err := checkOwnedBy(dataDir, owner); err != nil {
				return nil, err
			}
		}
	} else {
		t := time.Now()
		if err := initdb(ctx, dataDir, binDir, owner, opts.Fast, logger); err != nil {
			return nil, err
		}
		logger.Info("initialized postgres cluster", "data_dir", dataDir, "elapsed", time.Since(t).Round(time.Millisecond))
	}

	port := opts.Port
	if port == 0 {
		port = socketPort
	}
	socketDir, err := placeSocketDir(dataDir, port, owner)
	if err != nil {
		return nil, err
	}
	if err := clearStale(ctx, dataDir, socketDir, port, logger); err != nil {
		return nil, err
	}

	c := &Cluster{
		dataDir:   dataDir,
		socketDir: socketDir,
		port:      port,
		database:  opts.Database,
		binDir:    binDir,
		logger:    logger,
		done:      make(chan struct{}),
		stopping:  make(chan struct{}),
	}
	logOffset, err := c.spawn(opts, owner)
	if err != nil {
		return nil, err
	}
	if err := c.setup(ctx, major, logOffset); err != nil {
		stopCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 15*time.Second)
		defer cancel()
		if stopErr := c.Stop(stopCtx); stopErr != nil {
			logger.Error("stop postgres after failed start", "err", stopErr)
		}
		return nil, err
	}
	c.ready.Store(true)

	attrs := []any{
		"data_dir", dataDir,
		"socket_dir", socketDir,
		"database", c.database,
		"version", major,
		"pid", c.pid,
		"log_file", c.logFile,
		"psql", c.PsqlCommand(),
		"elapsed", time.Since(t0).Round(time.Millisecond),
	}
	if opts.Port > 0 {
		attrs = append(attrs, "port", opts.Port)
	}
	if owner != nil {
		attrs = append(attrs, "run_as", owner.name)
	}
	logger.Info("local postgres ready", attrs...)
	return c, nil
}

// Stop shuts the server down: a fast shutdown (SIGINT), then SIGQUIT
// (immediate shutdown) when ctx is done or after 60 seconds, then SIGKILL
// five seconds later. Pass a context that is not already cancelled, e.g.
// context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second). Stop is
// idempotent; later calls return the first call's result.
func (c *Cluster) Stop(ctx context.Context) error {
	c.stopOnce.Do(func() { c.stopErr = c.stop(ctx) })
	return c.stopErr
}

func (c *Cluster) stop(ctx context.Context) error {
	close(c.stopping)
	defer c.cleanupAfterExit()
	select {
	case <-c.done:
		if c.waitErr != nil {
			return fmt.Errorf("postgres had already exited: %w", c.waitErr)
		}
		return nil
	default:
	}
	ctx, cancel := context.WithTimeout(ctx, defaultStopTimeout)
	defer cancel()
	c.signal(syscall.SIGINT)
	select {
	case <-c.done:
	case <-ctx.Done():
		c.logger.Warn("postgres fast shutdown timed out, sending SIGQUIT", "pid", c.pid)
		c.signal(syscall.SIGQUIT)
		select {
		case <-c.done:
		case <-time.After(5 * time.Second):
			c.signal(syscall.SIGKILL)
			<-c.done
		}
		return fmt.Errorf("postgres did not finish a fast shutdown in time, stopped it with SIGQUIT: %w", ctx.Err())
	}
	if c.waitErr != nil {
		return fmt.Errorf("postgres fast shutdown: %w (server log %s)", c.waitErr, c.logFile)
	}
	c.logger.Info("local postgres stopped", "data_dir", c.dataDir, "pid", c.pid)
	return nil
}

func (c *Cluster) signal(sig syscall.Signal) {
	if err := syscall.Kill(c.pid, sig); err != nil && !errors.Is(err, syscall.ESRCH) {
		c.logger.Warn("signal postgres", "pid", c.pid, "signal", sig.String(), "err", err)
	}
}

// cleanupAfterExit removes what only a running server needs.
func (c *Cluster) cleanupAfterExit() {
	if err := os.Remove(filepath.Join(c.dataDir, ownerFile)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		c.logger.Warn("remove owner file", "err", err)
	}
	if c.socketDir != c.dataDir {
		_ = os.Remove(c.socketDir) // only if empty: postgres removed its socket
	}
}

// owner is the OS account that runs PostgreSQL when we are root.
type owner struct {
	name   string
	uid    uint32
	gid    uint32
	groups []uint32
}

// lookupOwner returns nil when the process is not root: PostgreSQL then runs
// as ourselves.
func lookupOwner(name string) (*owner, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	if name == "" {
		name = defaultUser
	}
	u, err := lookupUser(name)
	if err != nil {
		return nil, fmt.Errorf("running as root: PostgreSQL refuses to run as root and there is no %q system user to run it as (%v): run `make deps` (installing the PostgreSQL server package creates it), or run gametable as a normal user", name, err)
	}
	return u, nil
}

func (o *owner) credential() *syscall.Credential {
	if o == nil {
		return nil
	}
	return &syscall.Credential{Uid: o.uid, Gid: o.gid, Groups: o.groups}
}

func (o *owner) chown(path string) error {
	if o == nil {
		return nil
	}
	if err := os.Lchown(path, int(o.uid), int(o.gid)); err != nil {
		return fmt.Errorf("chown %s to %s: %w", path, o.name, err)
	}
	return nil
}

// canSearch reports whether o may traverse the directory fi (mode bits only;
// ACLs are not consulted).
func (o *owner) canSearch(fi fs.FileInfo) bool {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return true
	}
	perm := fi.Mode().Perm()
	if uint32(st.Uid) == o.uid {
		return perm&0o100 != 0
	}
	if uint32(st.Gid) == o.gid || containsUint32(o.groups, uint32(st.Gid)) {
		return perm&0o010 != 0
	}
	return perm&0o001 != 0
}

func containsUint32(s []uint32, v uint32) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

// placement says where the data directory is and whether it was moved away
// from the requested Dir.
type placement struct {
	requested string // absolute Options.Dir
	dataDir   string
	relocated bool
	blocked   string // the ancestor the owner could not search
}

// locateDataDir decides where the cluster lives without changing anything
// on disk.
func locateDataDir(opts Options, o *owner) (placement, error) {
	abs, err := filepath.Abs(opts.Dir)
	if err != nil {
		return placement{}, fmt.Errorf("data directory %s: %w", opts.Dir, err)
	}
	pl := placement{requested: abs, dataDir: abs}
	isLink := false
	if fi, err := os.Lstat(abs); err == nil && fi.Mode()&fs.ModeSymlink != 0 {
		isLink = true
		target, err := filepath.EvalSymlinks(abs)
		if err != nil { // dangling: use where it points
			l, lerr := os.Readlink(abs)
			if lerr != nil {
				return placement{}, fmt.Errorf("read symlink %s: %w", abs, lerr)
			}
			if !filepath.IsAbs(l) {
				l = filepath.Join(filepath.Dir(abs), l)
			}
			target = filepath.Clean(l)
		}
		pl.dataDir = target
	}
	if o == nil {
		return pl, nil
	}
	blocked := o.blockedAncestor(pl.dataDir)
	if blocked == "" {
		return pl, nil
	}
	if isLink {
		return placement{}, fmt.Errorf("data directory %s is a symlink to %s, which user %s cannot reach (no search permission on %s): point it elsewhere or run `chmod o+x %s`",
			abs, pl.dataDir, o.name, blocked, blocked)
	}
	if initialized(abs) {
		return placement{}, fmt.Errorf("the PostgreSQL data directory %s cannot be reached by user %s (no search permission on %s): move it somewhere %s can reach and leave a symlink, or run `chmod o+x %s`",
			abs, o.name, blocked, o.name, blocked)
	}
	bases := []string{opts.FallbackDir}
	if opts.FallbackDir == "" {
		tmpBase := filepath.Join(os.TempDir(), "gametable")
		bases = []string{defaultFallbackDir, tmpBase}
		if underDir(abs, os.TempDir()) || underDir(abs, "/tmp") {
			// Data asked for in a temporary directory (a test, a trial
			// run) is meant to be thrown away: keep it temporary rather
			// than filling /var/lib.
			bases = []string{tmpBase, defaultFallbackDir}
		}
	}
	for _, base := range bases {
		base, err := filepath.Abs(base)
		if err != nil {
			continue
		}
		dir := filepath.Join(base, "pg-"+shortHash(abs))
		if o.blockedAncestor(dir) == "" {
			return placement{requested: abs, dataDir: dir, relocated: true, blocked: blocked}, nil
		}
	}
	return placement{}, fmt.Errorf("user %s cannot reach the data directory %s (no search permission on %s) nor any fallback in %s: set GAMETABLE_DATA_DIR to a directory %s can reach, or set DATABASE_URL",
		o.name, abs, blocked, strings.Join(bases, ", "), o.name)
}

// underDir reports whether path lies inside dir.
func underDir(path, dir string) bool {
	rel, err := filepath.Rel(resolveExisting(dir), resolveExisting(path))
	return err == nil && rel != "." && !strings.HasPrefix(rel, "..")
}

// blockedAncestor returns the first existing directory above path that o
// cannot search, or "" if every existing one is searchable (directories
// still to be created are made searchable by prepareDataDir).
func (o *owner) blockedAncestor(path string) string {
	resolved := resolveExisting(path)
	dir := string(filepath.Separator)
	parts := strings.Split(strings.TrimPrefix(filepath.Dir(resolved), dir), string(filepath.Separator))
	for i := -1; i < len(parts); i++ {
		if i >= 0 {
			if parts[i] == "" {
				continue
			}
			dir = filepath.Join(dir, parts[i])
		}
		fi, err := os.Stat(dir)
		if err != nil {
			return "" // missing from here down: we create it
		}
		if !o.canSearch(fi) {
			return dir
		}
	}
	return ""
}

// resolveExisting resolves symlinks in the longest existing prefix of path.
func resolveExisting(path string) string {
	path = filepath.Clean(path)
	rest := ""
	for p := path; ; p = filepath.Dir(p) {
		if r, err := filepath.EvalSymlinks(p); err == nil {
			return filepath.Join(r, rest)
		}
		if p == filepath.Dir(p) {
			return path
		}
		rest = filepath.Join(filepath.Base(p), rest)
	}
}

// prepareDataDir creates the directories above the data directory and, for
// a relocated cluster, the symlink at the requested place.
func prepareDataDir(pl placement, o *owner, logger *slog.Logger) error {
	mode := os.FileMode(0o700)
	if o != nil {
		mode = 0o711 // search only, so the server user can pass through
	}
	if err := mkdirAll(filepath.Dir(pl.dataDir), mode); err != nil {
		return err
	}
	if fi, err := os.Stat(pl.dataDir); err == nil {
		if !fi.IsDir() {
			return fmt.Errorf("data directory %s is not a directory", pl.dataDir)
		}
		if !initialized(pl.dataDir) && !isEmptyDir(pl.dataDir) {
			return fmt.Errorf("data directory %s is not empty and holds no PostgreSQL cluster: empty it or choose another GAMETABLE_DATA_DIR", pl.dataDir)
		}
	}
	if !pl.relocated {
		return nil
	}
	linked := false
	fi, err := os.Lstat(pl.requested)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		linked = true
	case err == nil && fi.IsDir() && isEmptyDir(pl.requested):
		linked = os.Remove(pl.requested) == nil
	}
	if linked {
		if err := mkdirAll(filepath.Dir(pl.requested), 0o700); err != nil {
			return err
		}
		if err := os.Symlink(pl.dataDir, pl.requested); err != nil {
			logger.Warn("link relocated postgres data", "link", pl.requested, "target", pl.dataDir, "err", err)
			linked = false
		}
	}
	logger.Info("postgres data relocated",
		"requested_dir", pl.requested,
		"data_dir", pl.dataDir,
		"symlink", linked,
		"reason", "the postgres server user cannot search "+pl.blocked)
	return nil
}

// mkdirAll is os.MkdirAll with mode applied exactly (not masked by umask)
// to the directories it creates.
func mkdirAll(dir string, mode os.FileMode) error {
	if fi, err := os.Stat(dir); err == nil {
		if !fi.IsDir() {
			return fmt.Errorf("%s is not a directory", dir)
		}
		return nil
	}
	if parent := filepath.Dir(dir); parent != dir {
		if err := mkdirAll(parent, mode); err != nil {
			return err
		}
	}
	if err := os.Mkdir(dir, mode); err != nil && !errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("create %s: %w", dir, err)
	}
	if err := os.Chmod(dir, mode); err != nil {
		return fmt.Errorf("chmod %s: %w", dir, err)
	}
	return nil
}

func isEmptyDir(dir string) bool {
	f, err := os.Open(dir)
	if err != nil {
		return false
	}
	defer f.Close()
	_, err = f.Readdirnames(1)
	return errors.Is(err, io.EOF)
}

// initialized reports whether dir holds a complete cluster. initdb runs in a
// temporary directory that is renamed into place only when it succeeded.
func initialized(dir string) bool {
	_, err := os.Stat(filepath.Join(dir, "global", "pg_control"))
	return err == nil
}

func checkDataVersion(dataDir string, major int, binDir string) error {
	b, err := os.ReadFile(filepath.Join(dataDir, "PG_VERSION"))
	if err != nil {
		return fmt.Errorf("read cluster version: %w", err)
	}
	v := strings.TrimSpace(string(b))
	if v != strconv.Itoa(major) {
		return fmt.Errorf("the cluster in %s was created by PostgreSQL %s but %s is PostgreSQL %d: install PostgreSQL %s, or upgrade the cluster with pg_upgrade, or move the directory away to start afresh",
			dataDir, v, binDir, major, v)
	}
	return nil
}

func checkOwnedBy(dir string, o *owner) error {
	fi, err := os.Stat(dir)
	if err != nil {
		return err
	}
	if st, ok := fi.Sys().(*syscall.Stat_t); ok && uint32(st.Uid) != o.uid {
		return fmt.Errorf("the cluster in %s belongs to uid %d, not to %s (uid %d) who runs the server: run `chown -R %s: %s`",
			dir, st.Uid, o.name, o.uid, o.name, dir)
	}
	return nil
}

// resolveBinDir picks the binaries: the given BinDir, else the version that
// created an existing cluster, else the newest.
func resolveBinDir(binDir, dataDir string) (string, error) {
	if binDir != "" {
		if err := checkBinDir(binDir); err != nil {
			return "", err
		}
		return binDir, nil
	}
	if b, err := os.ReadFile(filepath.Join(dataDir, "PG_VERSION")); err == nil {
		if v, err := strconv.Atoi(strings.TrimSpace(string(b))); err == nil {
			return findBinDir(v)
		}
	}
	return FindBinDir()
}

// initdb creates the cluster in a temporary sibling directory and renames it
// into place, so an interrupted initdb leaves nothing that looks like a
// cluster.
func initdb(ctx context.Context, dataDir, binDir string, o *owner, fast bool, logger *slog.Logger) error {
	tmp := filepath.Join(filepath.Dir(dataDir), "."+filepath.Base(dataDir)+".initdb")
	if err := os.RemoveAll(tmp); err != nil {
		return fmt.Errorf("remove leftover %s: %w", tmp, err)
	}
	if err := os.Mkdir(tmp, 0o700); err != nil {
		return fmt.Errorf("create %s: %w", tmp, err)
	}
	if err := o.chown(tmp); err != nil {
		return err
	}
	args := []string{
		"-D", tmp,
		"-U", superuser,
		"--auth-local=trust",
		"--auth-host=scram-sha-256",
		"--encoding=UTF8",
		"--lc-messages=C",
		"--no-instructions",
	}
	if fast {
		args = append(args, "--no-sync")
	}
	var out []byte
	var err error
	// C.UTF-8 makes lower() and friends Unicode-aware; plain C is the
	// fallback on systems that lack it.
	for _, locale := range []string{"C.UTF-8", "C"} {
		cmd := command(ctx, filepath.Join(binDir, "initdb"), o, append(args, "--locale="+locale)...)
		setPdeathsig(cmd.SysProcAttr) // initdb cleans up and exits on SIGINT
		out, err = runLocked(cmd)
		if err == nil {
			break
		}
		logger.Debug("initdb failed", "locale", locale, "err", err, "output", string(out))
	}
	if err != nil {
		_ = os.RemoveAll(tmp)
		return fmt.Errorf("initdb %s: %w\n%s", dataDir, err, lastLines(string(out), 20))
	}
	if err := os.Rename(tmp, dataDir); err != nil {
		_ = os.RemoveAll(tmp)
		return fmt.Errorf("move new cluster into %s: %w", dataDir, err)
	}
	return nil
}

// command builds an exec.Cmd for a PostgreSQL program run as o (or as us),
// in its own process group, with PG* variables removed from the
// environment so that they cannot redirect it.
func command(ctx context.Context, path string, o *owner, args ...string) *exec.Cmd {
	var cmd *exec.Cmd
	if ctx != nil {
		cmd = exec.CommandContext(ctx, path, args...)
	} else {
		cmd = exec.Command(path, args...)
	}
	cmd.Dir = "/" // the child changes user before it changes directory
	cmd.Env = childEnv()
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Credential: o.credential()}
	return cmd
}

// runLocked runs cmd to completion from a goroutine locked to its OS
// thread, so that a parent-death signal set on it fires only when our
// process dies, not when the Go runtime retires a thread.
func runLocked(cmd *exec.Cmd) ([]byte, error) {
	type result struct {
		out []byte
		err error
	}
	ch := make(chan result, 1)
	go func() {
		runtime.LockOSThread() // never unlocked: the thread ends with the goroutine
		out, err := cmd.CombinedOutput()
		ch <- result{out, err}
	}()
	r := <-ch
	return r.out, r.err
}

func childEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "PG") {
			continue
		}
		env = append(env, kv)
	}
	return env
}

// placeSocketDir returns the data directory when the socket path fits in
// sun_path, else a private directory under /tmp.
func placeSocketDir(dataDir string, port int, o *owner) (string, error) {
	if len(filepath.Join(dataDir, ".s.PGSQL."+strconv.Itoa(port))) <= maxSocketPath {
		return dataDir, nil
	}
	dir := filepath.Join("/tmp", "gametable-pg-"+shortHash(dataDir))
	uid := uint32(os.Geteuid())
	if o != nil {
		uid = o.uid
	}
	fi, err := os.Lstat(dir)
	if errors.Is(err, fs.ErrNotExist) {
		if err := os.Mkdir(dir, 0o700); err != nil {
			return "", fmt.Errorf("create socket directory: %w", err)
		}
		if err := o.chown(dir); err != nil {
			return "", err
		}
		return dir, nil
	}
	if err != nil {
		return "", fmt.Errorf("socket directory: %w", err)
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !fi.IsDir() || fi.Mode()&fs.ModeSymlink != 0 || fi.Mode().Perm() != 0o700 || !ok || uint32(st.Uid) != uid {
		return "", fmt.Errorf("refusing to use socket directory %s: it is not a 0700 directory owned by uid %d (remove it)", dir, uid)
	}
	return dir, nil
}

// spawn starts the postmaster and returns the log offset where this run's
// output begins.
func (c *Cluster) spawn(opts Options, o *owner) (int64, error) {
	logDir := filepath.Join(c.dataDir, "log")
	if err := os.MkdirAll(logDir, 0o700); err != nil {
		return 0, fmt.Errorf("create log directory: %w", err)
	}
	if err := o.chown(logDir); err != nil {
		return 0, err
	}
	c.logFile = filepath.Join(logDir, "server.log")
	if fi, err := os.Stat(c.logFile); err == nil && fi.Size() > logRotateSize {
		_ = os.Rename(c.logFile, c.logFile+".1")
	}
	logf, err := os.OpenFile(c.logFile, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return 0, fmt.Errorf("open server log: %w", err)
	}
	if err := o.chown(c.logFile); err != nil {
		logf.Close()
		return 0, err
	}
	offset, _ := logf.Seek(0, io.SeekEnd)
	fmt.Fprintf(logf, "---- gametable: starting postgres at %s ----\n", time.Now().Format(time.RFC3339))

	if err := writeOwner(c.dataDir); err != nil {
		logf.Close()
		return 0, err
	}

	listen := ""
	if opts.Port > 0 {
		listen = "localhost"
	}
	settings := map[string]string{
		"listen_addresses":        listen,
		"port":                    strconv.Itoa(c.port),
		"unix_socket_directories": `"` + c.socketDir + `"`,
		"unix_socket_permissions": "0700",
		"logging_collector":       "off",
		"log_destination":         "stderr",
	}
	if opts.Fast {
		settings["fsync"] = "off"
		settings["synchronous_commit"] = "off"
		settings["full_page_writes"] = "off"
	}
	for k, v := range opts.Settings {
		settings[k] = v
	}
	keys := make([]string, 0, len(settings))
	for k := range settings {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	args := []string{"-D", c.dataDir}
	for _, k := range keys {
		args = append(args, "-c", k+"="+settings[k])
	}
	cmd := command(nil, filepath.Join(c.binDir, "postgres"), o, args...)
	cmd.Stdout = logf
	cmd.Stderr = logf
	if !opts.noPdeathsig {
		setPdeathsig(cmd.SysProcAttr)
	}

	started := make(chan error, 1)
	go func() {
		// The parent-death signal fires when the thread that forked the
		// child exits, not the process; Go may retire idle threads, so
		// this one stays locked (and alive) until the child is gone.
		runtime.LockOSThread()
		if err := cmd.Start(); err != nil {
			started <- err
			return
		}
		started <- nil
		err := cmd.Wait()
		logf.Close()
		c.waitErr = err
		select {
		case <-c.stopping:
		default:
			if c.ready.Load() {
				c.logger.Error("local postgres exited unexpectedly", "err", err, "log_file", c.logFile)
			}
		}
		close(c.done)
	}()
	if err := <-started; err != nil {
		logf.Close()
		_ = os.Remove(filepath.Join(c.dataDir, ownerFile))
		return 0, fmt.Errorf("start postgres: %w", err)
	}
	c.pid = cmd.Process.Pid
	return offset, nil
}

// setup waits for the server, checks pgvector and creates the database.
func (c *Cluster) setup(ctx context.Context, major int, logOffset int64) error {
	conn, err := c.waitReady(ctx, logOffset)
	if err != nil {
		return err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	var hasVector bool
	if err := conn.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'vector')").Scan(&hasVector); err != nil {
		return fmt.Errorf("check for pgvector: %w", err)
	}
	if !hasVector {
		return pgvectorMissing(major)
	}
	var exists bool
	if err := conn.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", c.database).Scan(&exists); err != nil {
		return fmt.Errorf("look up database %s: %w", c.database, err)
	}
	if !exists {
		_, err := conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{c.database}.Sanitize())
		var pgErr *pgconn.PgError
		if err != nil && !(errors.As(err, &pgErr) && pgErr.Code == "42P04") { // duplicate_database
			return fmt.Errorf("create database %s: %w", c.database, err)
		}
		c.logger.Info("created database", "database", c.database)
	}
	return nil
}

// waitReady polls until the server accepts a connection to the postgres
// database, the server exits, or ctx ends.
func (c *Cluster) waitReady(ctx context.Context, logOffset int64) (*pgx.Conn, error) {
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	var lastErr error
	for {
		cctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		conn, err := pgx.Connect(cctx, c.DatabaseURL("postgres"))
		cancel()
		if err == nil {
			return conn, nil
		}
		lastErr = err
		select {
		case <-c.done:
			return nil, fmt.Errorf("postgres exited during start-up (%v); server log %s:\n%s",
				c.waitErr, c.logFile, tailFile(c.logFile, logOffset, 30))
		case <-ctx.Done():
			return nil, fmt.Errorf("postgres did not accept connections in time (last error: %v); server log %s:\n%s",
				lastErr, c.logFile, tailFile(c.logFile, logOffset, 30))
		case <-tick.C:
		}
	}
}

// tailFile returns the last n lines written to path from offset on.
func tailFile(path string, offset int64, n int) string {
	f, err := os.Open(path)
	if err != nil {
		return "(no log: " + err.Error() + ")"
	}
	defer f.Close()
	const maxTail = 16 << 10
	if fi, err := f.Stat(); err == nil && fi.Size()-offset > maxTail {
		offset = fi.Size() - maxTail
	}
	if _, err := f.Seek(offset, io.SeekStart); err != nil {
		return ""
	}
	b, _ := io.ReadAll(f)
	return lastLines(string(b), n)
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
