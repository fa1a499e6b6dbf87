package db

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	pgxvec "github.com/pgvector/pgvector-go/pgx"
)

// Defaults applied by NewPool and Connect when the connection string does not
// set them. A setting in the URL (connect_timeout=…, pool_max_conns=…,
// lock_timeout=…) always wins.
const (
	defaultConnectTimeout = 5 * time.Second
	// defaultMaxConns leaves plenty of PostgreSQL's default 100 connections
	// to migrations, psql and a second instance during a rolling restart.
	defaultMaxConns        = 16
	defaultMaxConnIdleTime = 5 * time.Minute
	applicationName        = "gametable"
)

// defaultRuntimeParams are session settings sent in the startup packet of
// every pooled connection. lock_timeout keeps a request from queueing behind
// a long lock forever; statement_timeout is generous so that legitimate slow
// work (a big ingestion query) still finishes, while a runaway query cannot
// hold a connection for ever; idle_in_transaction_session_timeout frees
// connections leaked by a bug. The time zone is deliberately left alone: the
// server's (or, in tests, the template database's) setting applies.
var defaultRuntimeParams = map[string]string{
	"application_name":                    applicationName,
	"lock_timeout":                        "5s",
	"statement_timeout":                   "30s",
	"idle_in_transaction_session_timeout": "60s",
}

// NewPool creates the connection pool the server runs on. Every new
// connection registers the pgvector types (AfterConnect), which fails while
// the vector extension is missing, so use the pool after Migrate. A
// malformed URL fails here; the pool connects lazily, so a database that is
// down does not (call Ping to find out, and retry: the server keeps running
// and reports not ready until the database is back).
func NewPool(ctx context.Context, url string, logger *slog.Logger) (*pgxpool.Pool, error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("parse database url: %w", err)
	}
	// pgxpool.ParseConfig removes the pool_* keys it consumed, so ask a
	// plain parse whether the URL set the pool size.
	plain, err := pgx.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("parse database url: %w", err)
	}
	if _, ok := plain.RuntimeParams["pool_max_conns"]; !ok {
		cfg.MaxConns = defaultMaxConns
	}
	if _, ok := plain.RuntimeParams["pool_max_conn_idle_time"]; !ok {
		cfg.MaxConnIdleTime = defaultMaxConnIdleTime
	}
	applyConnDefaults(cfg.ConnConfig, defaultRuntimeParams)
	cfg.AfterConnect = func(ctx context.Context, conn *pgx.Conn) error {
		if err := pgxvec.RegisterTypes(ctx, conn); err != nil {
			return fmt.Errorf("register pgvector types (is the vector extension installed and migrated?): %w", err)
		}
		return nil
	}

	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("create pool: %w", err)
	}
	logger.Info("database pool created",
		"host", cfg.ConnConfig.Host,
		"database", cfg.ConnConfig.Database,
		"max_conns", cfg.MaxConns)
	return pool, nil
}

// Connect opens a single connection for migrations and one-off commands. It
// sets no lock_timeout or statement_timeout: tern waits on an advisory lock
// while another process migrates, and a migration may legitimately run long.
func Connect(ctx context.Context, url string) (*pgx.Conn, error) {
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("parse database url: %w", err)
	}
	applyConnDefaults(cfg, map[string]string{"application_name": applicationName + " migrate"})
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("connect to database: %w", err)
	}
	return conn, nil
}

// applyConnDefaults sets the connect timeout and the given runtime
// parameters where the URL (or the PG* environment) did not.
func applyConnDefaults(cfg *pgx.ConnConfig, params map[string]string) {
	if cfg.ConnectTimeout == 0 {
		cfg.ConnectTimeout = defaultConnectTimeout
	}
	for k, v := range params {
		if _, ok := cfg.RuntimeParams[k]; !ok {
			cfg.RuntimeParams[k] = v
		}
	}
}
