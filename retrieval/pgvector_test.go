package retrieval

import (
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"gametable/db/dbtest"
)

func TestVersionAtLeast(t *testing.T) {
	t.Parallel()
	tests := []struct {
		version string
		want    bool
	}{
		{"0.8.0", true},
		{"0.8.1", true},
		{"0.8.1-dev", true},
		{"0.10.0", true},
		{"1.0", true},
		{"1", true},
		{"0.7.4", false},
		{"0.6.0", false},
		{"0.5.1", false},
		{"0.8", true},
		{"", false},
		{"abc", false},
		{"0.8.x", false},
		{"0.8.0.1", false},
	}
	for _, tt := range tests {
		require.Equal(t, tt.want, versionAtLeast(tt.version, pgvectorIterative), "%q", tt.version)
	}
}

// TestSearchParams: the search transaction gets the iterative index scan
// when the installed pgvector has it, and is not refused when it has not.
func TestSearchParams(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	pool := dbtest.New(t)
	s, err := New(Config{Pool: pool})
	require.NoError(t, err)
	iterative, err := s.iterativeScan(ctx)
	require.NoError(t, err)
	version, err := s.q.VectorExtensionVersion(ctx)
	require.NoError(t, err)
	require.Equal(t, versionAtLeast(version, pgvectorIterative), iterative, "pgvector %s", version)

	for _, on := range []bool{true, false} {
		if on && !iterative {
			continue // this pgvector would refuse it
		}
		var scan, ef, plan string
		err := pgx.BeginTxFunc(ctx, pool, pgx.TxOptions{AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
			if err := s.q.WithTx(tx).RetrievalSetSearchParams(ctx, on); err != nil {
				return err
			}
			// Before the vector library is loaded in a session the setting
			// is a placeholder; SHOW reads it either way.
			if err := tx.QueryRow(ctx, "SELECT current_setting('hnsw.iterative_scan', true)").Scan(&scan); err != nil {
				return err
			}
			return tx.QueryRow(ctx, "SELECT current_setting('hnsw.ef_search'), current_setting('plan_cache_mode')").Scan(&ef, &plan)
		})
		require.NoError(t, err)
		require.Equal(t, "100", ef)
		require.Equal(t, "force_custom_plan", plan)
		if on {
			require.Equal(t, "relaxed_order", scan)
		} else {
			require.NotEqual(t, "relaxed_order", scan)
		}
	}
}
