package localpg

import (
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// MinVersion is the oldest PostgreSQL major version gametable supports.
const MinVersion = 15

// superuser is the bootstrap superuser that initdb creates (-U) and that
// URL connects as, whatever OS user runs the server.
const superuser = "postgres"

var (
	// ErrNoBinaries means no usable PostgreSQL server binaries were found.
	ErrNoBinaries = errors.New("postgresql server binaries not found")
	// ErrNoPgvector means the server has no pgvector extension available.
	ErrNoPgvector = errors.New("pgvector is not installed")
	// ErrInUse means a postgres owned by another live process already runs
	// on the data directory.
	ErrInUse = errors.New("data directory in use")
)

// Options configure Start. Only Dir is required.
type Options struct {
	// Dir is where the cluster lives, e.g. $GAMETABLE_DATA_DIR/pg. It is the
	// PostgreSQL data directory itself (or, when running as root and the
	// server user cannot reach it, a symlink to it).
	Dir string
	// Database is created if missing; default "gametable".
	Database string
	// Port is the TCP port on localhost; 0 means no TCP at all, Unix socket
	// only (the socket is then named for 5432).
	Port int
	// Logger receives lifecycle events; nil discards them.
	Logger *slog.Logger
	// BinDir holds initdb and postgres; empty means FindBinDir (preferring
	// the version that created an existing cluster).
	BinDir string
	// User is the OS account that runs initdb and postgres when the process
	// is root; default "postgres". Ignored when not root.
	User string
	// FallbackDir is where the cluster goes, as FallbackDir/pg-<hash of Dir>,
	// when running as root and User cannot reach Dir. Default
	// /var/lib/gametable, then $TMPDIR/gametable; the other way round when
	// Dir itself is under the temp directory.
	FallbackDir string
	// Fast trades durability for speed (fsync, synchronous_commit and
	// full_page_writes off; initdb --no-sync). Test clusters only: never for
	// serve.
	Fast bool
	// Settings are extra server settings passed as -c name=value, e.g.
	// {"max_connections": "300"}.
	Settings map[string]string
	// StartTimeout bounds the wait for the server to accept connections;
	// default 60s. The context given to Start bounds it too.
	StartTimeout time.Duration

	// noPdeathsig is set by tests to simulate a postmaster that outlives its
	// parent (an older build, or a parent-death signal that was lost).
	noPdeathsig bool
}

// Cluster is a running local PostgreSQL started by Start. Its methods are
// safe for concurrent use.
type Cluster struct {
	dataDir   string
	socketDir string
	port      int
	database  string
	binDir    string
	logFile   string
	logger    *slog.Logger
	pid       int

	// done is closed by the goroutine that started the child, after the
	// child has exited and waitErr is set.
	done    chan struct{}
	waitErr error

	// ready is set once Start has succeeded; an exit after that and before
	// Stop is logged as a crash.
	ready atomic.Bool

	stopOnce sync.Once
	stopErr  error
	// stopping is closed when Stop begins, so an exit after it is not
	// reported as a crash.
	stopping chan struct{}
}

// URL is a pgx- and libpq-compatible connection string for the database
// named in Options, over the Unix socket.
func (c *Cluster) URL() string { return c.DatabaseURL(c.database) }

// DatabaseURL is like URL for another database on the same cluster.
func (c *Cluster) DatabaseURL(database string) string {
	q := url.Values{}
	q.Set("host", c.socketDir)
	q.Set("port", strconv.Itoa(c.port))
	q.Set("user", superuser)
	q.Set("sslmode", "disable")
	u := url.URL{Scheme: "postgres", Path: "/" + database, RawQuery: q.Encode()}
	return u.String()
}

// DataDir is the real PostgreSQL data directory (after any relocation).
func (c *Cluster) DataDir() string { return c.dataDir }

// SocketDir is the directory holding the server's Unix socket.
func (c *Cluster) SocketDir() string { return c.socketDir }

// Port is the port number: the TCP port when Options.Port was set, else the
// number the socket file is named for.
func (c *Cluster) Port() int { return c.port }

// PID is the postmaster's process ID.
func (c *Cluster) PID() int { return c.pid }

// LogFile is the server log.
func (c *Cluster) LogFile() string { return c.logFile }

// Done is closed when the server process has exited, whether by Stop or by
// a crash.
func (c *Cluster) Done() <-chan struct{} { return c.done }

// PsqlCommand is a shell command that opens psql on the cluster's database.
func (c *Cluster) PsqlCommand() string {
	psql := "psql"
	if p := filepath.Join(c.binDir, "psql"); isExecutable(p) {
		psql = p
	}
	return psql + " '" + c.URL() + "'"
}

// FindBinDir finds the newest PostgreSQL server binaries (a directory with
// postgres and initdb, version MinVersion or newer). It looks at PATH,
// `pg_config --bindir`, /usr/lib/postgresql/*/bin (newest first) and
// /usr/local/pgsql/bin, in that order.
func FindBinDir() (string, error) {
	return findBinDir(0)
}

// findBinDir is FindBinDir restricted to one major version when want > 0.
func findBinDir(want int) (string, error) {
	var tooOld []string
	for _, dir := range binDirCandidates() {
		if !isExecutable(filepath.Join(dir, "postgres")) || !isExecutable(filepath.Join(dir, "initdb")) {
			continue
		}
		v, err := serverVersion(dir)
		if err != nil {
			continue
		}
		if want > 0 && v != want {
			continue
		}
		if v < MinVersion {
			tooOld = append(tooOld, fmt.Sprintf("%s (PostgreSQL %d)", dir, v))
			continue
		}
		return dir, nil
	}
	where := "PATH, `pg_config --bindir`, /usr/lib/postgresql/*/bin and /usr/local/pgsql/bin"
	if want > 0 {
		return "", fmt.Errorf("%w: the cluster was created by PostgreSQL %d and no postgres and initdb of that version were found in %s: install postgresql-%d or set DATABASE_URL",
			ErrNoBinaries, want, where, want)
	}
	if len(tooOld) > 0 {
		return "", fmt.Errorf("%w: found only %s, gametable needs PostgreSQL %d or newer: run `make deps` (Debian/Ubuntu) or install a newer PostgreSQL, or set DATABASE_URL",
			ErrNoBinaries, strings.Join(tooOld, ", "), MinVersion)
	}
	return "", fmt.Errorf("%w: looked for postgres and initdb in %s: run `make deps` (Debian/Ubuntu) or install PostgreSQL %d or newer, or set DATABASE_URL to use an existing server",
		ErrNoBinaries, where, MinVersion)
}

func binDirCandidates() []string {
	var dirs []string
	if p, err := exec.LookPath("postgres"); err == nil {
		// Resolve links such as /usr/local/bin/postgres ->
		// /usr/lib/postgresql/15/bin/postgres, so that psql and the other
		// tools are found beside it.
		if r, err := filepath.EvalSymlinks(p); err == nil {
			p = r
		}
		dirs = append(dirs, filepath.Dir(p))
	}
	if p, err := exec.LookPath("pg_config"); err == nil {
		if out, err := exec.Command(p, "--bindir").Output(); err == nil {
			dirs = append(dirs, strings.TrimSpace(string(out)))
		}
	}
	versioned, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(versioned, func(i, j int) bool {
		return versionOfPath(versioned[i]) > versionOfPath(versioned[j])
	})
	dirs = append(dirs, versioned...)
	dirs = append(dirs, "/usr/local/pgsql/bin")
	return dirs
}

// versionOfPath reads the major version out of /usr/lib/postgresql/NN/bin.
func versionOfPath(dir string) float64 {
	v, _ := strconv.ParseFloat(filepath.Base(filepath.Dir(dir)), 64)
	return v
}

var versionRE = regexp.MustCompile(`\(PostgreSQL\) (\d+)`)

// serverVersion runs `postgres --version` and returns the major version.
func serverVersion(binDir string) (int, error) {
	out, err := exec.Command(filepath.Join(binDir, "postgres"), "--version").Output()
	if err != nil {
		return 0, fmt.Errorf("%s --version: %w", filepath.Join(binDir, "postgres"), err)
	}
	m := versionRE.FindSubmatch(out)
	if m == nil {
		return 0, fmt.Errorf("unrecognized postgres version %q", strings.TrimSpace(string(out)))
	}
	return strconv.Atoi(string(m[1]))
}

// checkBinDir verifies an explicitly given BinDir.
func checkBinDir(dir string) error {
	for _, name := range []string{"postgres", "initdb"} {
		if !isExecutable(filepath.Join(dir, name)) {
			return fmt.Errorf("%w: no %s in %s: run `make deps` (Debian/Ubuntu) or install PostgreSQL %d or newer, or point BinDir at its bin directory",
				ErrNoBinaries, name, dir, MinVersion)
		}
	}
	return nil
}

func isExecutable(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.Mode().IsRegular() && fi.Mode().Perm()&0o111 != 0
}

// pgvectorMissing is the error for a server without the vector extension.
func pgvectorMissing(major int) error {
	return fmt.Errorf("%w for PostgreSQL %d: run `make deps` (Debian/Ubuntu) or install postgresql-%d-pgvector",
		ErrNoPgvector, major, major)
}
