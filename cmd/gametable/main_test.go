package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"io"
	"net/http"
	"net/http/cookiejar"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"gametable/compendium"
	"gametable/db"
	"gametable/db/dbtest"
	"gametable/db/localpg"
)

// TestMain lets a test re-execute this binary as the real gametable
// process (GAMETABLE_TEST_MAIN=1), so signals and exit codes are tested on a
// real process.
func TestMain(m *testing.M) {
	if os.Getenv("GAMETABLE_TEST_MAIN") == "1" {
		main()
		os.Exit(0)
	}
	dbtest.Main(m)
}

func TestRun_Usage(t *testing.T) {
	t.Parallel()
	var out, errOut bytes.Buffer
	err := run(context.Background(), nil, envFrom(nil), &out, &errOut)
	require.ErrorIs(t, err, errUsage)
	require.Contains(t, errOut.String(), "Usage:")

	errOut.Reset()
	err = run(context.Background(), []string{"frobnicate"}, envFrom(nil), &out, &errOut)
	require.ErrorIs(t, err, errUsage)
	require.Contains(t, errOut.String(), `unknown command "frobnicate"`)

	err = run(context.Background(), []string{"version"}, envFrom(nil), &out, &errOut)
	require.NoError(t, err)
	require.NotEmpty(t, strings.TrimSpace(out.String()))
}

// child is a gametable process started from this test binary.
type child struct {
	cmd    *exec.Cmd
	url    string
	stdout *syncBuffer
	exited chan error
}

// startChild runs "gametable serve" in a child process with env added to
// the environment, and waits until it logs its listening address.
func startChild(t *testing.T, env []string, args ...string) *child {
	t.Helper()
	cmd := exec.Command(os.Args[0], append([]string{"serve", "--addr", "127.0.0.1:0"}, args...)...)
	cmd.Env = append(os.Environ(), "GAMETABLE_TEST_MAIN=1", "GAMETABLE_LOG_FORMAT=json")
	// A data directory of its own, not one shared in the source tree,
	// unless the test names one.
	if !slices.ContainsFunc(env, func(kv string) bool { return strings.HasPrefix(kv, "GAMETABLE_DATA_DIR=") }) {
		cmd.Env = append(cmd.Env, "GAMETABLE_DATA_DIR="+t.TempDir())
	}
	cmd.Env = append(cmd.Env, env...)
	// os.Args of the child are the test binary's flags otherwise: main reads
	// os.Args[1:], so pass the subcommand as the first argument.
	stderr, err := cmd.StderrPipe()
	require.NoError(t, err)
	c := &child{cmd: cmd, stdout: &syncBuffer{}, exited: make(chan error, 1)}
	cmd.Stdout = c.stdout
	require.NoError(t, cmd.Start())
	addr := make(chan string, 1)
	logs := &syncBuffer{}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-c.exited
		if t.Failed() {
			t.Logf("gametable's log:\n%s", logs.String())
		}
	})
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			line := sc.Bytes()
			logs.Write(append(line, '\n'))
			var rec struct {
				Msg  string `json:"msg"`
				Addr string `json:"addr"`
			}
			if json.Unmarshal(line, &rec) == nil && rec.Msg == "listening" {
				addr <- rec.Addr
			}
		}
		c.exited <- cmd.Wait()
	}()
	select {
	case a := <-addr:
		c.url = "http://" + a
	case err := <-c.exited:
		c.exited <- err
		t.Fatalf("gametable exited before listening: %v", err)
	case <-time.After(60 * time.Second):
		t.Fatalf("gametable did not start listening within 60 s")
	}
	return c
}

// syncBuffer is a bytes.Buffer safe for one writer and one reader.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// statusClient gives up on a child that does not answer.
var statusClient = &http.Client{Timeout: 5 * time.Second}

func getStatus(url string) int {
	resp, err := statusClient.Get(url)
	if err != nil {
		return 0
	}
	resp.Body.Close()
	return resp.StatusCode
}

// waitStatus polls url until it answers want, up to d.
func waitStatus(t *testing.T, url string, want int, d time.Duration) {
	t.Helper()
	deadline := time.Now().Add(d)
	last := 0
	for time.Now().Before(deadline) {
		if last = getStatus(url); last == want {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("%s answered %d, want %d within %s", url, last, want, d)
}

func TestServe_SIGTERMDrainsAndExitsZero(t *testing.T) {
	t.Parallel()
	c := startChild(t, []string{"DATABASE_URL=" + dbtest.URL(t)})
	waitStatus(t, c.url+"/readyz", http.StatusOK, 30*time.Second)
	require.Equal(t, http.StatusOK, getStatus(c.url+"/healthz"))

	start := time.Now()
	require.NoError(t, c.cmd.Process.Signal(syscall.SIGTERM))
	select {
	case err := <-c.exited:
		c.exited <- err
		require.NoError(t, err, "exit status must be 0")
		require.Less(t, time.Since(start), 10*time.Second)
	case <-time.After(15 * time.Second):
		t.Fatal("gametable did not exit within 15 s of SIGTERM")
	}
}

// TestServe_ReadyzFollowsTheDatabase stops the database under a running
// server: /readyz turns 503 while /healthz stays 200, and both recover
// when the database is back.
func TestServe_ReadyzFollowsTheDatabase(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(openTempDir(t), "pg")
	ctx := context.Background()
	cluster, err := localpg.Start(ctx, localpg.Options{Dir: dir, Database: "gametable", Fast: true})
	require.NoError(t, err)
	t.Cleanup(func() { _ = cluster.Stop(context.Background()) })

	c := startChild(t, []string{"DATABASE_URL=" + cluster.URL()})
	waitStatus(t, c.url+"/readyz", http.StatusOK, 30*time.Second)

	require.NoError(t, cluster.Stop(ctx))
	waitStatus(t, c.url+"/readyz", http.StatusServiceUnavailable, 10*time.Second)
	require.Equal(t, http.StatusOK, getStatus(c.url+"/healthz"))

	cluster, err = localpg.Start(ctx, localpg.Options{Dir: dir, Database: "gametable", Fast: true})
	require.NoError(t, err)
	waitStatus(t, c.url+"/readyz", http.StatusOK, 30*time.Second)
	require.NoError(t, cluster.Stop(ctx))
}

// TestServe_WaitsForTheDatabase starts the server before its database:
// it keeps retrying instead of dying, and becomes ready once it is up.
func TestServe_WaitsForTheDatabase(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(openTempDir(t), "pg")
	ctx := context.Background()
	cluster, err := localpg.Start(ctx, localpg.Options{Dir: dir, Database: "gametable", Fast: true})
	require.NoError(t, err)
	url := cluster.URL()
	require.NoError(t, cluster.Stop(ctx))

	c := startChild(t, []string{"DATABASE_URL=" + url})
	require.Equal(t, http.StatusServiceUnavailable, getStatus(c.url+"/readyz"))
	require.Equal(t, http.StatusOK, getStatus(c.url+"/healthz"))
	require.Equal(t, http.StatusServiceUnavailable, getStatus(c.url+"/api/meta"))

	cluster, err = localpg.Start(ctx, localpg.Options{Dir: dir, Database: "gametable", Fast: true})
	require.NoError(t, err)
	t.Cleanup(func() { _ = cluster.Stop(context.Background()) })
	waitStatus(t, c.url+"/readyz", http.StatusOK, 30*time.Second)
	require.Equal(t, http.StatusOK, getStatus(c.url+"/api/meta"))
}

// openTempDir is t.TempDir opened to other users, so that the postgres
// system user can use it when the tests run as root.
func openTempDir(t *testing.T) string {
	dir := t.TempDir()
	require.NoError(t, os.Chmod(filepath.Dir(dir), 0o755))
	require.NoError(t, os.Chmod(dir, 0o755))
	return dir
}

// TestServe_EmbeddedDefaultSurvivesKill9 runs serve on its own PostgreSQL,
// kills it with SIGKILL, and starts it again on the same data directory.
func TestServe_EmbeddedDefaultSurvivesKill9(t *testing.T) {
	t.Parallel()
	// The postgres user may enter the folder, so the cluster is not
	// relocated (localpg's own tests cover relocation).
	dataDir := openTempDir(t)
	env := []string{"DATABASE_URL=", "GAMETABLE_DATA_DIR=" + dataDir}
	c := startChild(t, env, "--seed")
	waitStatus(t, c.url+"/readyz", http.StatusOK, 60*time.Second)
	require.Contains(t, c.stdout.String(), "gm@demo.gametable.invalid")

	require.NoError(t, c.cmd.Process.Signal(syscall.SIGKILL))
	err := <-c.exited
	c.exited <- err
	var ee *exec.ExitError
	require.True(t, errors.As(err, &ee))

	c2 := startChild(t, env)
	waitStatus(t, c2.url+"/readyz", http.StatusOK, 60*time.Second)
	require.NoError(t, c2.cmd.Process.Signal(syscall.SIGTERM))
	require.NoError(t, <-c2.exited)
	c2.exited <- nil
}

// TestRun_ToolsBesideARunningServer: with serve running on its own
// PostgreSQL, the command-line tools work on that database (rather than
// refusing the busy data directory) and leave it running.
func TestRun_ToolsBesideARunningServer(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dataDir := openTempDir(t)
	c := startChild(t, []string{"DATABASE_URL=", "GAMETABLE_DATA_DIR=" + dataDir})
	waitStatus(t, c.url+"/readyz", http.StatusOK, 60*time.Second)
	env := envFrom(map[string]string{"DATABASE_URL": "", "GAMETABLE_DATA_DIR": dataDir, "GAMETABLE_LOG_LEVEL": "warn"})

	// An account made over HTTP, promoted by the tool.
	jar, err := cookiejar.New(nil)
	require.NoError(t, err)
	client := &http.Client{Jar: jar, Timeout: 10 * time.Second}
	res, err := client.Post(c.url+"/api/auth/signup", "application/json",
		strings.NewReader(`{"email":"ada@example.com","password":"correct horse battery","displayName":"Ada"}`))
	require.NoError(t, err)
	res.Body.Close()
	require.Equal(t, http.StatusCreated, res.StatusCode)
	var out, errOut bytes.Buffer
	require.NoError(t, run(ctx, []string{"user", "promote", "ada@example.com"}, env, &out, &errOut), "stderr: %s", errOut.String())

	path := filepath.Join(t.TempDir(), "house.md")
	require.NoError(t, os.WriteFile(path, []byte("# House Rules\n\n## Flanking\n\nAllies on opposite sides of a foe have advantage.\n"), 0o600))
	require.NoError(t, run(ctx, []string{"rules", "import", "--title", "House Rules", "--slug", "house", "--kind", "required", path}, env, &out, &errOut),
		"stderr: %s", errOut.String())

	// The server sees both, and is still serving.
	var me struct {
		User struct {
			IsAdmin bool `json:"isAdmin"`
		} `json:"user"`
	}
	getJSON(t, client, c.url+"/api/auth/me", &me)
	require.True(t, me.User.IsAdmin)
	var books struct {
		Items []struct {
			Slug   string `json:"slug"`
			Status string `json:"status"`
		} `json:"items"`
	}
	getJSON(t, client, c.url+"/api/core-rules", &books)
	require.Len(t, books.Items, 1)
	require.Equal(t, "house", books.Items[0].Slug)
	require.Equal(t, "ready", books.Items[0].Status)
	waitStatus(t, c.url+"/readyz", http.StatusOK, 10*time.Second)

	// db reset would pull the database from under the server: refused.
	err = run(ctx, []string{"db", "reset"}, env, io.Discard, io.Discard)
	require.ErrorContains(t, err, "still running")
}

func getJSON(t *testing.T, client *http.Client, url string, v any) {
	t.Helper()
	res, err := client.Get(url)
	require.NoError(t, err)
	defer res.Body.Close()
	require.Equal(t, http.StatusOK, res.StatusCode)
	require.NoError(t, json.NewDecoder(res.Body).Decode(v))
}

func TestRun_CompendiumImport(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	env := envFrom(map[string]string{"DATABASE_URL": dbtest.URL(t), "GAMETABLE_LOG_LEVEL": "warn"})

	// A small file of our own: one good monster, one malformed.
	const good = `{"index":"bog-hound","name":"Bog Hound","challenge_rating":0.5,"hit_points":11,
		"armor_class":[{"type":"natural","value":12}],"strength":13,"dexterity":14,"constitution":12,
		"intelligence":3,"wisdom":12,"charisma":6}`
	const bad = `{"index":"broken","name":"Broken","challenge_rating":1}`
	path := filepath.Join(t.TempDir(), "bestiary.json")
	require.NoError(t, os.WriteFile(path, []byte("["+good+","+bad+"]"), 0o600))

	var out, errOut bytes.Buffer
	err := run(ctx, []string{"compendium", "import", "--rules", "homebrew", "--kind", "optional", "--title", "Homebrew", path}, env, &out, &errOut)
	require.ErrorIs(t, err, compendium.ErrRecordsFailed, "a malformed record makes the command fail")
	require.Contains(t, out.String(), `imported into new book "homebrew" (Homebrew, optional)`)
	require.Contains(t, out.String(), "skipped bestiary.json: record 2 (broken): hit_points: missing")
	require.Contains(t, out.String(), "bestiary.json: 2 monsters: 1 new, 0 updated, 0 unchanged, 1 skipped")

	// Fixed, the same command succeeds and updates nothing twice.
	require.NoError(t, os.WriteFile(path, []byte("["+good+"]"), 0o600))
	out.Reset()
	err = run(ctx, []string{"compendium", "import", "--rules", "homebrew", path}, env, &out, &errOut)
	require.NoError(t, err, out.String())
	require.Contains(t, out.String(), "bestiary.json: 1 monsters: 0 new, 0 updated, 1 unchanged, 0 skipped")
}

func TestRun_CompendiumUsage(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for _, args := range [][]string{
		{"compendium"},
		{"compendium", "export"},
		{"compendium", "import", "file.json"},      // no --rules
		{"compendium", "import", "--rules", "srd"}, // no files
	} {
		var errOut bytes.Buffer
		err := run(ctx, args, envFrom(nil), &bytes.Buffer{}, &errOut)
		require.ErrorIs(t, err, errUsage, "%v", args)
		require.Contains(t, errOut.String(), "usage: gametable compendium import", "%v", args)
	}
	err := run(ctx, []string{"compendium", "import", "--rules", "srd", "--kind", "core", "f.json"}, envFrom(nil), &bytes.Buffer{}, &bytes.Buffer{})
	var ce *configError
	require.ErrorAs(t, err, &ce)
}

func TestRun_RulesImport(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	url := dbtest.URL(t)
	env := envFrom(map[string]string{
		"DATABASE_URL": url, "GAMETABLE_LOG_LEVEL": "warn", "GAMETABLE_DATA_DIR": t.TempDir(),
	})

	const book = "# Homebrew Rules\n\n## Grappling\n\nTo grapple a creature, make an Athletics check contested by the target's Athletics or Acrobatics.\n\n## Resting\n\nA short rest lasts at least one hour; a long rest lasts eight hours.\n"
	path := filepath.Join(t.TempDir(), "homebrew.md")
	require.NoError(t, os.WriteFile(path, []byte(book), 0o600))

	var out, errOut bytes.Buffer
	err := run(ctx, []string{"rules", "import", "--title", "Homebrew Rules", "--slug", "homebrew", "--kind", "optional", path}, env, &out, &errOut)
	require.NoError(t, err, "stderr: %s", errOut.String())
	require.Contains(t, out.String(), `imported "homebrew" (Homebrew Rules, optional)`)
	require.Contains(t, out.String(), "status ready")

	conn, err := db.Connect(ctx, url)
	require.NoError(t, err)
	defer conn.Close(ctx)
	var kind, status string
	var chunks, withHeading int
	err = conn.QueryRow(ctx, `
		SELECT r.kind, r.status, count(c.id), count(c.id) FILTER (WHERE c.text ILIKE '%athletics check%')
		FROM core_rules r LEFT JOIN chunks c ON c.core_rule_id = r.id
		WHERE r.slug = 'homebrew' GROUP BY r.kind, r.status`).Scan(&kind, &status, &chunks, &withHeading)
	require.NoError(t, err)
	require.Equal(t, "optional", kind)
	require.Equal(t, "ready", status)
	require.GreaterOrEqual(t, chunks, 2, "one chunk per section at least")
	require.Equal(t, 1, withHeading)

	// Importing the same slug again replaces the text.
	require.NoError(t, os.WriteFile(path, []byte("# Homebrew Rules\n\n## Flanking\n\nAllies on opposite sides have advantage.\n"), 0o600))
	out.Reset()
	err = run(ctx, []string{"rules", "import", "--title", "Homebrew Rules", "--slug", "homebrew", "--kind", "optional", path}, env, &out, &errOut)
	require.NoError(t, err, "stderr: %s", errOut.String())
	require.NoError(t, conn.QueryRow(ctx, `SELECT count(*) FROM chunks c JOIN core_rules r ON r.id = c.core_rule_id
		WHERE r.slug = 'homebrew' AND c.text ILIKE '%athletics%'`).Scan(&chunks))
	require.Zero(t, chunks)
}

// TestRun_RulesImportSRD imports a small SRD in the 5e-database layout
// with --srd.
func TestRun_RulesImportSRD(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	url := dbtest.URL(t)
	env := envFrom(map[string]string{"DATABASE_URL": url, "GAMETABLE_LOG_LEVEL": "warn", "GAMETABLE_DATA_DIR": t.TempDir()})
	dir := t.TempDir()
	files := map[string]string{
		"5e-SRD-Rules.json":         `[{"name": "Combat", "subsections": [{"index": "grappling"}]}]`,
		"5e-SRD-Rule-Sections.json": `[{"index": "grappling", "desc": "## Grappling\n\nWhen you want to grab a creature, you can use the Attack action to make a special melee attack, a grapple."}]`,
		"5e-SRD-Conditions.json":    `[{"name": "Prone", "desc": ["A prone creature's only movement option is to crawl."]}]`,
		"5e-SRD-Spells.json":        `[{"name": "Fire Bolt", "level": 0, "casting_time": "1 action", "range": "120 feet", "duration": "Instantaneous", "desc": ["You hurl a mote of fire."]}]`,
	}
	for _, name := range []string{"5e-SRD-Monsters.json", "5e-SRD-Magic-Items.json", "5e-SRD-Equipment.json", "5e-SRD-Weapon-Properties.json", "5e-SRD-Damage-Types.json"} {
		files[name] = "[]"
	}
	for name, data := range files {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(data), 0o600))
	}

	var out, errOut bytes.Buffer
	require.NoError(t, run(ctx, []string{"rules", "import", "--title", "SRD 5.1", "--slug", "srd", "--kind", "required", "--srd", dir}, env, &out, &errOut),
		"stderr: %s", errOut.String())
	require.Contains(t, out.String(), `imported "srd" (SRD 5.1, required)`)
	conn, err := db.Connect(ctx, url)
	require.NoError(t, err)
	defer conn.Close(ctx)
	var headings []string
	rows, err := conn.Query(ctx, `SELECT array_to_string(c.heading_path, ' > ') FROM chunks c JOIN core_rules r ON r.id = c.core_rule_id WHERE r.slug = 'srd' ORDER BY c.ordinal`)
	require.NoError(t, err)
	headings, err = pgx.CollectRows(rows, pgx.RowTo[string])
	require.NoError(t, err)
	require.Contains(t, headings, "Combat > Grappling")
	require.Contains(t, headings, "Conditions > Prone")
	require.Contains(t, headings, "Spells > Fire Bolt")

	// Files and --srd together, or a directory without the data, are refused.
	err = run(ctx, []string{"rules", "import", "--title", "T", "--slug", "s", "--kind", "required", "--srd", dir, "extra.md"}, env, io.Discard, io.Discard)
	require.ErrorIs(t, err, errUsage)
	err = run(ctx, []string{"rules", "import", "--title", "T", "--slug", "s", "--kind", "required", "--srd", t.TempDir()}, env, io.Discard, io.Discard)
	require.ErrorContains(t, err, "5e-SRD-Rule-Sections.json")
}

func TestRun_RulesUsage(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for _, args := range [][]string{
		{"rules"},
		{"rules", "export"},
		{"rules", "import", "--title", "T", "--slug", "s", "--kind", "required"}, // no files
		{"rules", "import", "--slug", "s", "--kind", "required", "f.md"},         // no title
	} {
		var errOut bytes.Buffer
		err := run(ctx, args, envFrom(nil), &bytes.Buffer{}, &errOut)
		require.ErrorIs(t, err, errUsage, "%v", args)
		require.Contains(t, errOut.String(), "usage: gametable rules import", "%v", args)
	}
	err := run(ctx, []string{"rules", "import", "--title", "T", "--slug", "s", "--kind", "tool_only", "f.md"}, envFrom(nil), &bytes.Buffer{}, &bytes.Buffer{})
	var ce *configError
	require.ErrorAs(t, err, &ce)

	// --help prints the usage once and is not a mistake (main exits 0).
	var errOut bytes.Buffer
	err = run(ctx, []string{"rules", "import", "--help"}, envFrom(nil), &bytes.Buffer{}, &errOut)
	require.ErrorIs(t, err, flag.ErrHelp)
	require.NotErrorAs(t, err, &ce)
	require.Equal(t, 1, strings.Count(errOut.String(), "usage: gametable rules import"))
}

func TestRun_UserPromote(t *testing.T) {
	t.Parallel()
	url := dbtest.URL(t)
	env := envFrom(map[string]string{"DATABASE_URL": url, "GAMETABLE_LOG_FORMAT": "text", "GAMETABLE_LOG_LEVEL": "error"})
	ctx := context.Background()

	conn, err := db.Connect(ctx, url)
	require.NoError(t, err)
	defer conn.Close(ctx)
	u, err := db.New(conn).UserCreate(ctx, db.UserCreateParams{Email: "gm@example.com", DisplayName: "Gina", PasswordHash: "x"})
	require.NoError(t, err)
	require.False(t, u.IsAdmin)

	var out bytes.Buffer
	require.NoError(t, run(ctx, []string{"user", "promote", " GM@Example.com "}, env, &out, io.Discard))
	require.Contains(t, out.String(), "gm@example.com (Gina) is now an admin")
	u, err = db.New(conn).UserGetByID(ctx, u.ID)
	require.NoError(t, err)
	require.True(t, u.IsAdmin)

	err = run(ctx, []string{"user", "promote", "nobody@example.com"}, env, io.Discard, io.Discard)
	require.ErrorContains(t, err, "no account has the email")
	require.ErrorIs(t, run(ctx, []string{"user", "promote"}, env, io.Discard, io.Discard), errUsage)
	require.ErrorIs(t, run(ctx, []string{"user", "demote", "x@example.com"}, env, io.Discard, io.Discard), errUsage)
}
