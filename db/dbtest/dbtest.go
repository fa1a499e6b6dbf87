// Package dbtest gives tests real, migrated PostgreSQL databases.
//
//   - New(t) returns a pool on a fresh database of its own, cloned from a
//     template; the clone is dropped (WITH (FORCE)) in t.Cleanup.
//   - Tx(t) returns a transaction on a shared migrated database, rolled back
//     in t.Cleanup. It is the cheapest option for query tests; it cannot be
//     committed (Commit returns an error), so the shared database never
//     changes. Nested transactions (savepoints, db.InTx) work inside it.
//   - URL(t) returns the URL of a fresh database, for tests that start the
//     whole server.
//
// The template is tpl_<first 16 hex digits of db.SchemaHash()>: any change to
// a migration names a new template. The first caller builds it under a
// PostgreSQL advisory lock, so concurrent test processes build it once:
// create tplbuild_<hash>_<random>, run db.Migrate, set its time zone to
// Canada/Newfoundland (a half-hour, non-UTC offset, so time-zone bugs
// show), mark it IS_TEMPLATE and rename it into place last. A template that
// exists is therefore complete. PostgreSQL does not copy per-database
// settings to a clone, so every clone gets the same time zone when it is
// created. The shared database for Tx, txdb_<hash>, is cloned from the
// template in the same step.
//
// Where the server comes from. TEST_DATABASE_URL, when set, names a server
// (the URL's database is used for CREATE/DROP DATABASE; the role needs
// CREATEDB). Otherwise each test process starts a private cluster with
// localpg, the same code as the server's embedded PostgreSQL, with Fast
// settings (no fsync), under a temporary directory
// $TMPDIR/gametable-dbtest-*. We chose one cluster per test binary over one
// cluster shared by all packages of a `go test ./...` run: each package runs
// in its own process and Go offers no run-wide set-up or tear-down, so a
// shared cluster would need a run-scoped key, a file lock, a reference
// count, and a last process that reliably knows it is last, which packages
// run in sequence by -p and test binaries killed by -timeout break. A
// private cluster has exactly one owner and dies with it. On an idle
// 2-core machine it costs about 2 s per package that touches the database
// (initdb about 1.4 s, start 0.2 s, template build 0.6 s), paid while other
// packages compile or run; each clone after that takes about 50 ms (several
// hundred when the disk is busy). Tx costs one BEGIN, so prefer it for
// query tests. DBTEST_DEBUG=1 prints these timings.
//
// Leaving nothing behind. Packages that use dbtest call Main from TestMain:
//
//	func TestMain(m *testing.M) { dbtest.Main(m) }
//
// Main runs the tests, stops the cluster (a fast shutdown, waited for) and
// removes its directory. Should a process die without Main (a panic, a
// kill, a package without TestMain), the kernel's parent-death signal still
// shuts its PostgreSQL down, and the next test process removes the orphaned
// directory: each process holds a flock on its directory's lock file, and
// directories whose lock is free belong to dead processes.
package dbtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"gametable/db"
	"gametable/db/localpg"
)

// EnvURL names the environment variable with the test server's URL.
const EnvURL = "TEST_DATABASE_URL"

const (
	// templateLockKey is the advisory lock key that serializes template
	// builds across test processes ("gametabl" in ASCII).
	templateLockKey = int64(0x67616d657461626c)
	setupTimeout    = 2 * time.Minute
	cleanupTimeout  = time.Minute
	// testPoolConns caps each New pool, so that many parallel tests stay
	// well inside max_connections.
	testPoolConns = "8"
	// timeZone is the template's time zone: not UTC, and not a whole hour.
	timeZone = "Canada/Newfoundland"
)

var (
	// srvOnce starts the server on first use; srv and srvErr are written
	// inside it and only read after it.
	srvOnce sync.Once
	srv     *server
	srvErr  error
)

// server is this process's connection to the test PostgreSQL.
type server struct {
	adminURL string
	admin    *pgxpool.Pool
	// cluster, dir and lock are set for a private cluster only; lock holds
	// the flock that marks dir as in use for as long as the process lives.
	cluster *localpg.Cluster
	dir     string
	lock    *os.File

	tplOnce  sync.Once
	tplErr   error
	template string
	txPool   *pgxpool.Pool
}

// New returns a pool on a fresh database cloned from the migrated template.
// The pool is closed and the database dropped when the test ends.
func New(t testing.TB) *pgxpool.Pool {
	t.Helper()
	s := ready(t)
	name := s.createDatabase(t)
	ctx, cancel := context.WithTimeout(context.Background(), setupTimeout)
	defer cancel()
	u, err := withDatabase(s.adminURL, name, map[string]string{"pool_max_conns": testPoolConns})
	require.NoError(t, err)
	pool, err := db.NewPool(ctx, u, slog.New(slog.DiscardHandler))
	require.NoError(t, err)
	t.Cleanup(pool.Close) // runs before the drop registered by createDatabase
	return pool
}

// URL returns the URL of a fresh database cloned from the migrated
// template, dropped (with any connections still open) when the test ends.
func URL(t testing.TB) string {
	t.Helper()
	s := ready(t)
	u, err := withDatabase(s.adminURL, s.createDatabase(t), nil)
	require.NoError(t, err)
	return u
}

// Tx returns a transaction on the shared migrated database, rolled back
// when the test ends. Commit fails: the shared database must stay pristine.
func Tx(t testing.TB) pgx.Tx {
	t.Helper()
	s := ready(t)
	tx, err := s.txPool.Begin(t.Context())
	require.NoError(t, err)
	t.Cleanup(func() {
		err := tx.Rollback(context.WithoutCancel(t.Context()))
		if err != nil && !errors.Is(err, pgx.ErrTxClosed) {
			t.Errorf("dbtest: roll back test transaction: %v", err)
		}
	})
	return rollbackOnlyTx{tx}
}

// errCommit is what Commit on a Tx from Tx returns.
var errCommit = errors.New("dbtest: a transaction from dbtest.Tx is rolled back when the test ends and cannot be committed (use dbtest.New for tests that commit)")

// rollbackOnlyTx refuses Commit; everything else, including nested Begin,
// goes to the real transaction.
type rollbackOnlyTx struct{ pgx.Tx }

func (rollbackOnlyTx) Commit(context.Context) error { return errCommit }

var _ pgx.Tx = rollbackOnlyTx{}

// Main runs the package's tests and then stops the private cluster, if one
// was started, and removes its files. Call it from TestMain.
func Main(m *testing.M) {
	code := m.Run()
	if err := shutdown(); err != nil {
		fmt.Fprintln(os.Stderr, "dbtest:", err)
		if code == 0 {
			code = 1
		}
	}
	os.Exit(code)
}

// ready returns the server with its template built, failing the test if
// either cannot be had.
func ready(t testing.TB) *server {
	t.Helper()
	srvOnce.Do(func() { srv, srvErr = startServer() })
	if srvErr != nil {
		t.Fatalf("dbtest: %v", srvErr)
	}
	srv.tplOnce.Do(func() { srv.tplErr = srv.buildTemplate() })
	if srv.tplErr != nil {
		t.Fatalf("dbtest: %v", srv.tplErr)
	}
	return srv
}

func startServer() (*server, error) {
	ctx, cancel := context.WithTimeout(context.Background(), setupTimeout)
	defer cancel()
	s := &server{adminURL: os.Getenv(EnvURL)}
	if s.adminURL == "" {
		if err := s.startCluster(ctx); err != nil {
			s.close(ctx)
			return nil, err
		}
	}
	cfg, err := pgxpool.ParseConfig(s.adminURL)
	if err != nil {
		s.close(ctx)
		return nil, fmt.Errorf("parse %s: %w", EnvURL, err)
	}
	cfg.MaxConns = 4
	s.admin, err = pgxpool.NewWithConfig(ctx, cfg)
	if err == nil {
		err = s.admin.Ping(ctx)
	}
	if err != nil {
		s.close(ctx)
		return nil, fmt.Errorf("connect to the test server: %w", err)
	}
	return s, nil
}

// startCluster starts this process's private cluster.
func (s *server) startCluster(ctx context.Context) error {
	t0 := time.Now()
	sweep()
	dir, err := os.MkdirTemp("", dirPrefix)
	if err != nil {
		return fmt.Errorf("create cluster directory: %w", err)
	}
	s.dir = dir
	if s.lock, err = lockDir(dir); err != nil {
		return err
	}
	if os.Geteuid() == 0 {
		// Let the postgres user pass through to its data directory.
		if err := os.Chmod(dir, 0o711); err != nil {
			return fmt.Errorf("chmod cluster directory: %w", err)
		}
	}
	s.cluster, err = localpg.Start(ctx, localpg.Options{
		Dir:      filepath.Join(dir, "pg"),
		Database: "postgres",
		Fast:     true,
		Logger:   slog.New(slog.DiscardHandler),
		Settings: map[string]string{"max_connections": "300"},
	})
	if err != nil {
		return fmt.Errorf("start a private PostgreSQL (or set %s): %w", EnvURL, err)
	}
	s.adminURL = s.cluster.URL()
	debugf("started private cluster in %s", time.Since(t0).Round(time.Millisecond))
	return nil
}

// shutdown releases what Main's process holds.
func shutdown() error {
	if srv == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), cleanupTimeout)
	defer cancel()
	return srv.close(ctx)
}

func (s *server) close(ctx context.Context) error {
	if s.txPool != nil {
		s.txPool.Close()
	}
	if s.admin != nil {
		s.admin.Close()
	}
	var errs []error
	if s.cluster != nil {
		if err := s.cluster.Stop(ctx); err != nil {
			errs = append(errs, fmt.Errorf("stop private cluster: %w", err))
		}
	}
	if s.cluster != nil && !strings.HasPrefix(s.cluster.DataDir(), s.dir+string(filepath.Separator)) {
		// Relocated because the server user could not reach $TMPDIR.
		if err := os.RemoveAll(s.cluster.DataDir()); err != nil {
			errs = append(errs, fmt.Errorf("remove relocated cluster: %w", err))
		}
	}
	if s.dir != "" {
		if err := os.RemoveAll(s.dir); err != nil {
			errs = append(errs, fmt.Errorf("remove cluster directory: %w", err))
		}
	}
	if s.lock != nil {
		s.lock.Close()
	}
	return errors.Join(errs...)
}

// buildTemplate makes sure the template and the shared Tx database for the
// current migrations exist, building them under the advisory lock if not.
func (s *server) buildTemplate() error {
	ctx, cancel := context.WithTimeout(context.Background(), setupTimeout)
	defer cancel()
	hash := db.SchemaHash()[:16]
	s.template = "tpl_" + hash
	txdb := "txdb_" + hash

	conn, err := s.admin.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("acquire admin connection: %w", err)
	}
	defer conn.Release()
	done := func() (bool, error) {
		var n int
		err := conn.QueryRow(ctx,
			"SELECT count(*) FROM pg_database WHERE (datname = $1 AND datistemplate) OR datname = $2",
			s.template, txdb).Scan(&n)
		return n == 2, err
	}
	if ok, err := done(); err != nil || ok {
		if err == nil {
			err = s.openTxPool(ctx, txdb)
		}
		return err
	}

	if _, err := conn.Exec(ctx, "SELECT pg_advisory_lock($1)", templateLockKey); err != nil {
		return fmt.Errorf("take template lock: %w", err)
	}
	defer func() {
		if _, err := conn.Exec(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock($1)", templateLockKey); err != nil {
			conn.Conn().Close(context.WithoutCancel(ctx)) // closing the session releases the lock
		}
	}()
	if ok, err := done(); err != nil || ok {
		if err == nil {
			err = s.openTxPool(ctx, txdb)
		}
		return err
	}

	var tplExists bool
	if err := conn.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1 AND datistemplate)", s.template).Scan(&tplExists); err != nil {
		return fmt.Errorf("look up template: %w", err)
	}
	if !tplExists {
		t0 := time.Now()
		if err := s.migrateTemplate(ctx, conn, hash); err != nil {
			return fmt.Errorf("build template %s: %w", s.template, err)
		}
		debugf("built template %s in %s", s.template, time.Since(t0).Round(time.Millisecond))
	}
	var txdbExists bool
	if err := conn.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", txdb).Scan(&txdbExists); err != nil {
		return fmt.Errorf("look up shared database: %w", err)
	}
	if !txdbExists {
		// Under the lock nobody else creates txdb, and nobody connects to
		// the template, so the clone cannot collide.
		if err := s.clone(ctx, txdb); err != nil {
			return fmt.Errorf("create shared database: %w", err)
		}
	}
	return s.openTxPool(ctx, txdb)
}

// migrateTemplate builds the template under a temporary name and renames it
// into place last, so that a template that exists is complete.
func (s *server) migrateTemplate(ctx context.Context, conn *pgxpool.Conn, hash string) error {
	// Builds that died half-way left databases behind; under the lock no
	// other build is running.
	rows, err := conn.Query(ctx, `SELECT datname FROM pg_database WHERE datname LIKE 'tplbuild\_%'`)
	if err != nil {
		return fmt.Errorf("list leftover builds: %w", err)
	}
	leftovers, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return fmt.Errorf("list leftover builds: %w", err)
	}
	for _, name := range leftovers {
		if _, err := conn.Exec(ctx, "ALTER DATABASE "+ident(name)+" IS_TEMPLATE false"); err != nil {
			return fmt.Errorf("unmark leftover %s: %w", name, err)
		}
		if _, err := conn.Exec(ctx, "DROP DATABASE "+ident(name)+" WITH (FORCE)"); err != nil {
			return fmt.Errorf("drop leftover %s: %w", name, err)
		}
	}

	tmp := "tplbuild_" + hash + "_" + randomHex(4)
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+ident(tmp)+" TEMPLATE template0"); err != nil {
		return fmt.Errorf("create %s: %w", tmp, err)
	}
	u, err := withDatabase(s.adminURL, tmp, nil)
	if err != nil {
		return err
	}
	mconn, err := db.Connect(ctx, u)
	if err != nil {
		return err
	}
	err = db.Migrate(ctx, mconn)
	mconn.Close(context.WithoutCancel(ctx))
	if err != nil {
		return err
	}
	for _, stmt := range []string{
		"ALTER DATABASE " + ident(tmp) + " SET timezone TO '" + timeZone + "'",
		"ALTER DATABASE " + ident(tmp) + " IS_TEMPLATE true",
		"ALTER DATABASE " + ident(tmp) + " RENAME TO " + ident(s.template),
	} {
		if _, err := conn.Exec(ctx, stmt); err != nil {
			return fmt.Errorf("%s: %w", stmt, err)
		}
	}
	return nil
}

func (s *server) openTxPool(ctx context.Context, txdb string) error {
	u, err := withDatabase(s.adminURL, txdb, nil)
	if err != nil {
		return err
	}
	s.txPool, err = db.NewPool(ctx, u, slog.New(slog.DiscardHandler))
	if err != nil {
		return fmt.Errorf("open shared database %s: %w", txdb, err)
	}
	return nil
}

// createDatabase clones the template into a new database that t.Cleanup
// drops, and returns its name.
func (s *server) createDatabase(t testing.TB) string {
	t.Helper()
	name := "test_" + randomHex(8)
	ctx, cancel := context.WithTimeout(context.Background(), setupTimeout)
	defer cancel()
	err := s.clone(ctx, name)
	require.NoError(t, err, "dbtest: clone template")
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), cleanupTimeout)
		defer cancel()
		if _, err := s.admin.Exec(ctx, "DROP DATABASE IF EXISTS "+ident(name)+" WITH (FORCE)"); err != nil {
			t.Errorf("dbtest: drop %s: %v", name, err)
		}
	})
	return name
}

// clone creates database name from the template. Per-database settings
// live in pg_db_role_setting, keyed by database, and are not copied by
// CREATE DATABASE … TEMPLATE, so the time zone is set on each clone too.
func (s *server) clone(ctx context.Context, name string) error {
	defer func(t0 time.Time) { debugf("cloned %s in %s", name, time.Since(t0).Round(time.Millisecond)) }(time.Now())
	if _, err := s.admin.Exec(ctx, "CREATE DATABASE "+ident(name)+" TEMPLATE "+ident(s.template)); err != nil {
		return fmt.Errorf("create database %s: %w", name, err)
	}
	if _, err := s.admin.Exec(ctx, "ALTER DATABASE "+ident(name)+" SET timezone TO '"+timeZone+"'"); err != nil {
		return fmt.Errorf("set time zone of %s: %w", name, err)
	}
	return nil
}

// withDatabase points a connection string (URL or keyword/value form) at
// another database and adds parameters.
func withDatabase(base, name string, params map[string]string) (string, error) {
	if strings.HasPrefix(base, "postgres://") || strings.HasPrefix(base, "postgresql://") {
		u, err := url.Parse(base)
		if err != nil {
			return "", fmt.Errorf("parse database url: %w", err)
		}
		u.Path, u.RawPath = "/"+name, ""
		q := u.Query()
		q.Del("dbname")
		for k, v := range params {
			q.Set(k, v)
		}
		u.RawQuery = q.Encode()
		return u.String(), nil
	}
	// keyword/value: a later keyword overrides an earlier one.
	var b strings.Builder
	b.WriteString(base)
	fmt.Fprintf(&b, " dbname=%s", quoteValue(name))
	for k, v := range params {
		fmt.Fprintf(&b, " %s=%s", k, quoteValue(v))
	}
	return b.String(), nil
}

func quoteValue(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s) + "'"
}

// ident quotes a database name for DDL, which takes no parameters.
func ident(name string) string { return pgx.Identifier{name}.Sanitize() }

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // never fails
	return hex.EncodeToString(b)
}

// debugf prints set-up timings when DBTEST_DEBUG is set.
func debugf(format string, args ...any) {
	if os.Getenv("DBTEST_DEBUG") != "" {
		fmt.Fprintf(os.Stderr, "dbtest: "+format+"\n", args...)
	}
}
