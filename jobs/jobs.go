// Package jobs runs gametable's durable background work on River
// (github.com/riverqueue/river): ingestion of rule books and documents,
// re-embedding after a settings change, and recap extraction. Jobs live in
// PostgreSQL, so a job enqueued in a request's transaction survives a crash
// or restart and runs on whichever server process is up.
//
// River's own tables are created by River's migrator (rivermigrate), which
// Migrate runs under a PostgreSQL advisory lock, after db.Migrate: River
// owns and upgrades its schema, and its migrations (plpgsql blocks, a
// rebuilt version table) are not ours to copy into tern files or to feed
// to sqlc.
//
// Feature packages define their job arguments and workers and register
// them on a *river.Workers (retrieval.Service.AddWorkers); New builds the
// client that inserts and works them.
package jobs

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivermigrate"
)

// migrateLockKey serialises River migrations of several processes
// ("gtriver" in ASCII).
const migrateLockKey = int64(0x6774726976657200)

// Migrate brings River's tables up to the version of the River library
// linked in. It holds a session advisory lock meanwhile, so servers
// starting together migrate one after the other. Call it after db.Migrate
// and before New.
func Migrate(ctx context.Context, pool *pgxpool.Pool, logger *slog.Logger) error {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	conn, err := pool.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("acquire connection for river migration lock: %w", err)
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, "SELECT pg_advisory_lock($1)", migrateLockKey); err != nil {
		return fmt.Errorf("take river migration lock: %w", err)
	}
	defer func() {
		if _, err := conn.Exec(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock($1)", migrateLockKey); err != nil {
			logger.Error("release river migration lock", "err", err)
		}
	}()
	m, err := rivermigrate.New(riverpgxv5.New(pool), &rivermigrate.Config{Logger: logger})
	if err != nil {
		return fmt.Errorf("river migrator: %w", err)
	}
	res, err := m.Migrate(ctx, rivermigrate.DirectionUp, nil)
	if err != nil {
		return fmt.Errorf("river migrate: %w", err)
	}
	if len(res.Versions) > 0 {
		logger.Info("river migrated", "versions", len(res.Versions))
	}
	return nil
}

// Config configures New.
type Config struct {
	// Logger; default discards.
	Logger *slog.Logger
	// Workers holds the registered workers. Nil makes an insert-only
	// client (for processes that enqueue but do not work, and for tests).
	Workers *river.Workers
	// Queues maps queue names to their number of concurrent workers; the
	// default queue is always worked (2 workers unless set here).
	Queues map[string]int
	// PeriodicJobs are inserted on their schedule by whichever client is
	// the leader (one per database).
	PeriodicJobs []*river.PeriodicJob
}

// RescueStuckJobsAfter is how long a job may stay running before River
// assumes its process died and runs it again. Workers' timeouts must stay
// below it: ingestion allows 2 hours, re-embedding 1 hour per attempt.
const RescueStuckJobsAfter = 3 * time.Hour

// Client is the River client gametable uses.
type Client = river.Client[pgx.Tx]

// New returns a River client on pool. Start it to work jobs; stop it on
// shutdown (Stop waits for running jobs, StopAndCancel cancels them, and
// their jobs are retried later by any process).
func New(pool *pgxpool.Pool, cfg Config) (*river.Client[pgx.Tx], error) {
	if pool == nil {
		return nil, errors.New("jobs: a database pool is required")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	rc := &river.Config{
		Logger:               cfg.Logger,
		RescueStuckJobsAfter: RescueStuckJobsAfter,
		JobTimeout:           time.Hour,
	}
	if cfg.Workers != nil {
		rc.Workers = cfg.Workers
		rc.Queues = map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: 2}}
		for name, n := range cfg.Queues {
			rc.Queues[name] = river.QueueConfig{MaxWorkers: max(n, 1)}
		}
		rc.PeriodicJobs = cfg.PeriodicJobs
	}
	client, err := river.NewClient(riverpgxv5.New(pool), rc)
	if err != nil {
		return nil, fmt.Errorf("river client: %w", err)
	}
	return client, nil
}
