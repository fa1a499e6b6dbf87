package dbtest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"gametable/db"
)

// envLockAndExit makes the test binary lock the directory it names and
// exit at once: TestAbandoned's owner that dies.
const envLockAndExit = "GAMETABLE_DBTEST_LOCK_AND_EXIT"

func TestMain(m *testing.M) {
	if dir := os.Getenv(envLockAndExit); dir != "" {
		if _, err := lockDir(dir); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0) // the kernel releases the lock
	}
	Main(m)
}

func databaseExists(t *testing.T, name string) bool {
	t.Helper()
	var ok bool
	require.NoError(t, srv.admin.QueryRow(context.Background(),
		"SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", name).Scan(&ok))
	return ok
}

func TestNew(t *testing.T) {
	t.Parallel()

	t.Run("Isolated", func(t *testing.T) {
		t.Parallel()
		ctx := context.Background()
		a, b := New(t), New(t)

		var nameA, nameB string
		require.NoError(t, a.QueryRow(ctx, "SELECT current_database()").Scan(&nameA))
		require.NoError(t, b.QueryRow(ctx, "SELECT current_database()").Scan(&nameB))
		require.NotEqual(t, nameA, nameB)

		_, err := a.Exec(ctx, "CREATE TABLE only_in_a (id int)")
		require.NoError(t, err)
		var found bool
		require.NoError(t, b.QueryRow(ctx, "SELECT to_regclass('only_in_a') IS NOT NULL").Scan(&found))
		require.False(t, found, "a table created in one test database is not in another")
	})

	t.Run("Migrated", func(t *testing.T) {
		t.Parallel()
		pool := New(t)
		conn, err := pool.Acquire(context.Background())
		require.NoError(t, err)
		defer conn.Release()
		current, latest, err := db.MigrationStatus(context.Background(), conn.Conn())
		require.NoError(t, err)
		require.Positive(t, latest)
		require.Equal(t, latest, current)
	})

	t.Run("TimeZone", func(t *testing.T) {
		t.Parallel()
		var tz string
		require.NoError(t, New(t).QueryRow(context.Background(), "SHOW timezone").Scan(&tz))
		require.Equal(t, "Canada/Newfoundland", tz)
	})

	t.Run("Template", func(t *testing.T) {
		t.Parallel()
		New(t)
		var isTemplate bool
		var config []string
		require.NoError(t, srv.admin.QueryRow(context.Background(), `
			SELECT d.datistemplate, s.setconfig
			FROM pg_database d JOIN pg_db_role_setting s ON s.setdatabase = d.oid AND s.setrole = 0
			WHERE d.datname = $1`, "tpl_"+db.SchemaHash()[:16]).Scan(&isTemplate, &config))
		require.True(t, isTemplate)
		require.Contains(t, config, "TimeZone=Canada/Newfoundland")
	})
}

func TestNew_DroppedAtCleanup(t *testing.T) {
	t.Parallel()

	var name string
	t.Run("UseDatabase", func(t *testing.T) {
		pool := New(t)
		// An open connection does not stop the drop (WITH (FORCE)).
		conn, err := pool.Acquire(context.Background())
		require.NoError(t, err)
		t.Cleanup(conn.Release)
		require.NoError(t, conn.QueryRow(context.Background(), "SELECT current_database()").Scan(&name))
		require.True(t, databaseExists(t, name))
	})
	require.NotEmpty(t, name)
	require.False(t, databaseExists(t, name), "the clone is dropped when its test ends")
}

func TestURL(t *testing.T) {
	t.Parallel()

	ctx := context.Background()
	conn, err := pgx.Connect(ctx, URL(t))
	require.NoError(t, err)
	defer conn.Close(ctx)
	var n int
	require.NoError(t, conn.QueryRow(ctx, "SELECT count(*) FROM schema_version").Scan(&n))
	require.Equal(t, 1, n)
}

func TestTx(t *testing.T) {
	t.Parallel()

	ctx := context.Background()
	t.Run("UseTx", func(t *testing.T) {
		tx := Tx(t)
		_, err := tx.Exec(ctx, "CREATE TABLE tx_marker (id int); INSERT INTO tx_marker VALUES (1)")
		require.NoError(t, err)

		// Nested transactions are savepoints.
		err = db.InTx(ctx, tx, func(tx pgx.Tx) error {
			_, err := tx.Exec(ctx, "INSERT INTO tx_marker VALUES (2)")
			return err
		})
		require.NoError(t, err)
		var n int
		require.NoError(t, tx.QueryRow(ctx, "SELECT count(*) FROM tx_marker").Scan(&n))
		require.Equal(t, 2, n)

		require.ErrorIs(t, tx.Commit(ctx), errCommit)
	})
	var found bool
	require.NoError(t, srv.txPool.QueryRow(ctx, "SELECT to_regclass('tx_marker') IS NOT NULL").Scan(&found))
	require.False(t, found, "the test transaction was rolled back")

	var tz string
	require.NoError(t, Tx(t).QueryRow(ctx, "SHOW timezone").Scan(&tz))
	require.Equal(t, "Canada/Newfoundland", tz)
}

func TestInTx(t *testing.T) {
	t.Parallel()

	ctx := context.Background()
	pool := New(t)
	_, err := pool.Exec(ctx, "CREATE TABLE intx_items (id int PRIMARY KEY)")
	require.NoError(t, err)
	count := func(t *testing.T, pool *pgxpool.Pool) int {
		t.Helper()
		var n int
		require.NoError(t, pool.QueryRow(ctx, "SELECT count(*) FROM intx_items").Scan(&n))
		return n
	}
	insert := func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, "INSERT INTO intx_items VALUES (1)")
		return err
	}

	require.NoError(t, db.InTx(ctx, pool, insert))
	require.Equal(t, 1, count(t, pool), "committed")

	errBoom := errors.New("boom")
	err = db.InTx(ctx, pool, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, "DELETE FROM intx_items")
		require.NoError(t, err)
		return errBoom
	})
	require.ErrorIs(t, err, errBoom)
	require.Equal(t, 1, count(t, pool), "rolled back on error")

	require.PanicsWithValue(t, "boom", func() {
		_ = db.InTx(ctx, pool, func(tx pgx.Tx) error {
			_, err := tx.Exec(ctx, "DELETE FROM intx_items")
			require.NoError(t, err)
			panic("boom")
		})
	})
	require.Equal(t, 1, count(t, pool), "rolled back on panic")

	err = db.InTx(ctx, pool, insert)
	require.ErrorIs(t, db.Interpret(err), db.ErrConflict, "fn's error comes back unwrapped by InTx")

	var idle int
	require.NoError(t, pool.QueryRow(ctx,
		"SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND state LIKE 'idle in transaction%'").Scan(&idle))
	require.Zero(t, idle, "no transaction left open")
}

func TestPoolSettings(t *testing.T) {
	t.Parallel()

	var lock, stmt, app string
	require.NoError(t, New(t).QueryRow(context.Background(),
		"SELECT current_setting('lock_timeout'), current_setting('statement_timeout'), current_setting('application_name')").
		Scan(&lock, &stmt, &app))
	require.Equal(t, "5s", lock)
	require.Equal(t, "30s", stmt)
	require.Equal(t, "gametable", app)
}

func TestWithDatabase(t *testing.T) {
	t.Parallel()

	tests := []struct {
		name   string
		base   string
		params map[string]string
		want   string
	}{
		{
			name: "URL",
			base: "postgres://u:p@db.example:5432/postgres?sslmode=disable",
			want: "postgres://u:p@db.example:5432/test_1?sslmode=disable",
		},
		{
			name:   "URLSocket",
			base:   "postgres:///postgres?host=%2Ftmp%2Fx&port=5432",
			params: map[string]string{"pool_max_conns": "8"},
			want:   "postgres:///test_1?host=%2Ftmp%2Fx&pool_max_conns=8&port=5432",
		},
		{
			name: "KeywordValue",
			base: "host=/tmp/x dbname=postgres",
			want: "host=/tmp/x dbname=postgres dbname='test_1'",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := withDatabase(tt.base, "test_1", tt.params)
			require.NoError(t, err)
			require.Equal(t, tt.want, got)
			cfg, err := pgx.ParseConfig(got)
			require.NoError(t, err)
			require.Equal(t, "test_1", cfg.Database)
		})
	}
}
