//go:build unix

package localpg

import (
	"bufio"
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"
)

// Environment of the helper process that TestStart_ParentKilled re-executes.
const (
	helperDirEnv         = "LOCALPG_HELPER_DIR"
	helperNoPdeathsigEnv = "LOCALPG_HELPER_NO_PDEATHSIG"
)

// TestHelperProcess is not a test: TestStart_ParentKilled runs the test
// binary again with helperDirEnv set, and this starts a cluster, prints its
// PID and waits to be killed.
func TestHelperProcess(t *testing.T) {
	dir := os.Getenv(helperDirEnv)
	if dir == "" {
		t.Skip("helper process for TestStart_ParentKilled")
	}
	c, err := Start(context.Background(), Options{
		Dir:         dir,
		Fast:        true,
		noPdeathsig: os.Getenv(helperNoPdeathsigEnv) == "1",
	})
	if err != nil {
		fmt.Println("ERROR", strings.ReplaceAll(err.Error(), "\n", " | "))
		os.Exit(1)
	}
	fmt.Printf("READY %d\n", c.PID())
	time.Sleep(time.Hour)
}

// baseDir returns a fresh directory that the postgres user can pass
// through when the tests run as root (t.TempDir is 0700 under a 0700
// parent), so that clusters under it are not relocated.
func baseDir(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "localpg-test-")
	require.NoError(t, err)
	require.NoError(t, os.Chmod(dir, 0o711))
	t.Cleanup(func() { require.NoError(t, os.RemoveAll(dir)) })
	return dir
}

func start(t *testing.T, opts Options) *Cluster {
	t.Helper()
	opts.Fast = true
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	c, err := Start(ctx, opts)
	require.NoError(t, err)
	t.Cleanup(func() { stop(t, c) })
	return c
}

func stop(t *testing.T, c *Cluster) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	require.NoError(t, c.Stop(ctx))
}

func connect(t *testing.T, url string) *pgx.Conn {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, url)
	require.NoError(t, err)
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

func TestStart(t *testing.T) {
	t.Parallel()

	dir := filepath.Join(baseDir(t), "pg")
	c := start(t, Options{Dir: dir, Database: "campaigns"})

	require.Equal(t, dir, c.DataDir())
	require.Equal(t, dir, c.SocketDir())
	require.FileExists(t, filepath.Join(dir, ".s.PGSQL.5432"))
	require.True(t, alive(c.PID()))
	require.Contains(t, c.PsqlCommand(), c.URL())

	conn := connect(t, c.URL())
	ctx := context.Background()
	var db, user, listen, fsync, enc string
	require.NoError(t, conn.QueryRow(ctx,
		"SELECT current_database(), current_user, current_setting('listen_addresses'), current_setting('fsync'), pg_encoding_to_char(encoding) FROM pg_database WHERE datname = current_database()").
		Scan(&db, &user, &listen, &fsync, &enc))
	require.Equal(t, "campaigns", db)
	require.Equal(t, "postgres", user)
	require.Empty(t, listen, "no TCP unless a port is asked for")
	require.Equal(t, "off", fsync, "Fast")
	require.Equal(t, "UTF8", enc)
	_, err := conn.Exec(ctx, "CREATE EXTENSION vector")
	require.NoError(t, err, "pgvector is available")
}

// TestStart_AsRootUnreachableDir: under a 0700 directory the postgres user
// cannot enter, the cluster goes to FallbackDir, Dir becomes a symlink to
// it, the user's directories keep their modes, and a second start finds the
// same data.
func TestStart_AsRootUnreachableDir(t *testing.T) {
	t.Parallel()
	if os.Geteuid() != 0 {
		t.Skip("needs root")
	}

	private := t.TempDir() // 0700, like /root or `mktemp -d`
	require.NoError(t, os.Chmod(private, 0o700))
	fallback := baseDir(t)
	dir := filepath.Join(private, "data", "pg")
	c := start(t, Options{Dir: dir, FallbackDir: fallback})

	require.True(t, strings.HasPrefix(c.DataDir(), fallback+string(filepath.Separator)), c.DataDir())
	target, err := os.Readlink(dir)
	require.NoError(t, err, "Dir is a symlink to the relocated cluster")
	require.Equal(t, c.DataDir(), target)
	fi, err := os.Stat(private)
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o700), fi.Mode().Perm(), "the user's directory is not opened up")

	pg, err := lookupUser("postgres")
	require.NoError(t, err)
	fi, err = os.Stat(c.DataDir())
	require.NoError(t, err)
	require.Equal(t, pg.uid, fi.Sys().(*syscall.Stat_t).Uid, "data directory owned by the server user")
	status, err := os.ReadFile("/proc/" + strconv.Itoa(c.PID()) + "/status")
	require.NoError(t, err)
	require.Regexp(t, `(?m)^Uid:\s+`+strconv.Itoa(int(pg.uid))+`\s`, string(status), "server runs as postgres")

	ctx := context.Background()
	_, err = connect(t, c.URL()).Exec(ctx, "CREATE TABLE marker (id int)")
	require.NoError(t, err)
	stop(t, c)

	c2 := start(t, Options{Dir: dir, FallbackDir: fallback})
	require.Equal(t, c.DataDir(), c2.DataDir())
	_, err = connect(t, c2.URL()).Exec(ctx, "SELECT FROM marker")
	require.NoError(t, err)
}

func TestLocateDataDir(t *testing.T) {
	t.Parallel()
	if os.Geteuid() != 0 {
		t.Skip("relocation happens for root only")
	}
	pg, err := lookupUser("postgres")
	require.NoError(t, err)

	private := t.TempDir()
	require.NoError(t, os.Chmod(private, 0o700))
	open := baseDir(t)
	tests := []struct {
		name     string
		dir      string
		wantBase string // "" means not relocated
	}{
		{"Reachable", filepath.Join(open, "pg"), ""},
		{"TempDirGoesToTemp", filepath.Join(private, "pg"), filepath.Join(os.TempDir(), "gametable")},
		{"ElsewhereGoesToVarLib", "/root/gametable-locate-test/pg", defaultFallbackDir},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if tt.wantBase != "" && pg.blockedAncestor(tt.dir) == "" {
				t.Skipf("postgres can reach %s on this machine", tt.dir)
			}
			pl, err := locateDataDir(Options{Dir: tt.dir}, pg)
			require.NoError(t, err)
			if tt.wantBase == "" {
				require.False(t, pl.relocated)
				require.Equal(t, tt.dir, pl.dataDir)
				return
			}
			require.True(t, pl.relocated)
			require.Equal(t, filepath.Join(tt.wantBase, "pg-"+shortHash(tt.dir)), pl.dataDir)
			require.NotEmpty(t, pl.blocked)
		})
	}
}

func TestStart_StalePidFile(t *testing.T) {
	t.Parallel()

	dir := filepath.Join(baseDir(t), "pg")
	stop(t, start(t, Options{Dir: dir})) // initialize

	// A PID that certainly belonged to a process that has exited.
	dead := exec.Command("true")
	require.NoError(t, dead.Run())
	deadPID := dead.Process.Pid

	tests := []struct {
		name    string
		pidFile string
		lock    string // socket lock file, if any
	}{
		{"DeadPID", fmt.Sprintf("%d\n%s\n", deadPID, dir), ""},
		{"LivePIDNotPostgres", fmt.Sprintf("1\n%s\n", dir), fmt.Sprintf("1\n%s\n", dir)},
		{"Empty", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { // not parallel: one data directory
			writeAsOwner(t, filepath.Join(dir, "postmaster.pid"), tt.pidFile)
			if tt.lock != "" {
				writeAsOwner(t, filepath.Join(dir, ".s.PGSQL.5432.lock"), tt.lock)
			}
			c := start(t, Options{Dir: dir})
			var one int
			require.NoError(t, connect(t, c.URL()).QueryRow(context.Background(), "SELECT 1").Scan(&one))
			stop(t, c)
		})
	}
}

// writeAsOwner writes a file owned by the owner of its directory, as the
// server would have.
func writeAsOwner(t *testing.T, path, content string) {
	t.Helper()
	require.NoError(t, os.WriteFile(path, []byte(content), 0o600))
	fi, err := os.Stat(filepath.Dir(path))
	require.NoError(t, err)
	st := fi.Sys().(*syscall.Stat_t)
	require.NoError(t, os.Chown(path, int(st.Uid), int(st.Gid)))
}

func TestStart_Restart(t *testing.T) {
	t.Parallel()

	dir := filepath.Join(baseDir(t), "pg")
	ctx := context.Background()
	c := start(t, Options{Dir: dir})
	_, err := connect(t, c.URL()).Exec(ctx, "CREATE TABLE notes (body text); INSERT INTO notes VALUES ('kept')")
	require.NoError(t, err)
	stop(t, c)

	c2 := start(t, Options{Dir: dir})
	require.NotEqual(t, c.PID(), c2.PID())
	var body string
	require.NoError(t, connect(t, c2.URL()).QueryRow(ctx, "SELECT body FROM notes").Scan(&body))
	require.Equal(t, "kept", body)
}

func TestStop(t *testing.T) {
	t.Parallel()

	dir := filepath.Join(baseDir(t), "pg")
	c := start(t, Options{Dir: dir})
	conn := connect(t, c.URL()) // a client does not hold up a fast shutdown
	require.NoError(t, conn.Ping(context.Background()))

	stop(t, c)
	select {
	case <-c.Done():
	default:
		t.Fatal("Done not closed after Stop")
	}
	require.False(t, alive(c.PID()))
	require.NoFileExists(t, filepath.Join(dir, "postmaster.pid"))
	require.NoFileExists(t, filepath.Join(dir, ".s.PGSQL.5432"))
	require.NoFileExists(t, filepath.Join(dir, ownerFile))
	require.NoError(t, c.Stop(context.Background()), "Stop is idempotent")
}

func TestStart_InUse(t *testing.T) {
	t.Parallel()

	dir := filepath.Join(baseDir(t), "pg")
	c := start(t, Options{Dir: dir})
	_, err := Start(context.Background(), Options{Dir: dir, Fast: true, Logger: slog.New(slog.DiscardHandler)})
	require.ErrorIs(t, err, ErrInUse)
	require.True(t, alive(c.PID()), "the running cluster is left alone")
}

// TestStart_LongDir: a socket path longer than sun_path moves the socket to
// a short directory under /tmp.
func TestStart_LongDir(t *testing.T) {
	t.Parallel()

	dir := filepath.Join(baseDir(t), strings.Repeat("d", 60), strings.Repeat("e", 60), "pg")
	c := start(t, Options{Dir: dir})
	require.Equal(t, dir, c.DataDir())
	require.True(t, strings.HasPrefix(c.SocketDir(), "/tmp/gametable-pg-"), c.SocketDir())
	require.NoError(t, connect(t, c.URL()).Ping(context.Background()))
	stop(t, c)
	require.NoDirExists(t, c.SocketDir(), "the empty socket directory is removed")
}

// TestStart_ParentKilled re-executes the test binary as a child that starts
// a cluster and is then killed with SIGKILL, leaving its postmaster behind.
func TestStart_ParentKilled(t *testing.T) {
	t.Parallel()

	t.Run("PdeathsigStopsServer", func(t *testing.T) {
		t.Parallel()
		dir := filepath.Join(baseDir(t), "pg")
		child, pid := startHelper(t, dir, false)
		require.NoError(t, child.Process.Kill())
		_ = child.Wait()

		require.Eventually(t, func() bool { return !alive(pid) }, 30*time.Second, 50*time.Millisecond,
			"the kernel's parent-death signal shuts the postmaster down")
		c := start(t, Options{Dir: dir})
		require.NoError(t, connect(t, c.URL()).Ping(context.Background()))
	})

	t.Run("OrphanIsStopped", func(t *testing.T) {
		t.Parallel()
		dir := filepath.Join(baseDir(t), "pg")
		child, pid := startHelper(t, dir, true)

		// While its owner lives, the cluster is not ours to take.
		_, err := Start(context.Background(), Options{Dir: dir, Fast: true, Logger: slog.New(slog.DiscardHandler)})
		require.ErrorIs(t, err, ErrInUse)

		require.NoError(t, child.Process.Kill())
		_ = child.Wait()
		time.Sleep(200 * time.Millisecond)
		require.True(t, alive(pid), "without a parent-death signal the postmaster survives its parent")

		c := start(t, Options{Dir: dir})
		require.False(t, alive(pid), "the orphan was shut down")
		require.NotEqual(t, pid, c.PID())
		require.NoError(t, connect(t, c.URL()).Ping(context.Background()))
	})
}

// startHelper runs TestHelperProcess on dir and returns it with the
// postmaster's PID once the cluster is up.
func startHelper(t *testing.T, dir string, noPdeathsig bool) (*exec.Cmd, int) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperProcess$")
	cmd.Env = append(os.Environ(), helperDirEnv+"="+dir)
	if noPdeathsig {
		cmd.Env = append(cmd.Env, helperNoPdeathsigEnv+"=1")
	}
	out, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})

	lines := make(chan string)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			lines <- sc.Text()
		}
	}()
	timeout := time.After(time.Minute)
	for {
		select {
		case line, ok := <-lines:
			require.True(t, ok, "helper exited before the cluster was ready")
			if msg, ok := strings.CutPrefix(line, "ERROR "); ok {
				t.Fatalf("helper: %s", msg)
			}
			if s, ok := strings.CutPrefix(line, "READY "); ok {
				pid, err := strconv.Atoi(s)
				require.NoError(t, err)
				go func() { // drain, so the helper never blocks on stdout
					for range lines {
					}
				}()
				return cmd, pid
			}
		case <-timeout:
			t.Fatal("helper did not start a cluster within a minute")
		}
	}
}

func TestStart_MissingBinaries(t *testing.T) {
	t.Parallel()

	dir := filepath.Join(baseDir(t), "pg")
	_, err := Start(context.Background(), Options{Dir: dir, BinDir: t.TempDir()})
	require.ErrorIs(t, err, ErrNoBinaries)
	require.ErrorContains(t, err, "make deps")
	require.NoDirExists(t, dir, "nothing is created before the binaries are found")
}

func TestFindBinDir(t *testing.T) {
	t.Parallel()

	dir, err := FindBinDir()
	if err != nil {
		require.ErrorIs(t, err, ErrNoBinaries)
		t.Skip("no PostgreSQL installed")
	}
	require.FileExists(t, filepath.Join(dir, "postgres"))
	require.FileExists(t, filepath.Join(dir, "initdb"))
	v, err := serverVersion(dir)
	require.NoError(t, err)
	require.GreaterOrEqual(t, v, MinVersion)
}

func TestPgvectorMissingMessage(t *testing.T) {
	t.Parallel()

	err := pgvectorMissing(16)
	require.ErrorIs(t, err, ErrNoPgvector)
	require.EqualError(t, err, "pgvector is not installed for PostgreSQL 16: run `make deps` (Debian/Ubuntu) or install postgresql-16-pgvector")
}
