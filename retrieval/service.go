package retrieval

import (
	"context"
	"errors"
	"log/slog"
	"sync/atomic"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"gametable/db"
)

// Queue enqueues background jobs inside the caller's transaction, so a row
// and the job that processes it commit together. *river.Client[pgx.Tx]
// satisfies it.
type Queue interface {
	InsertTx(ctx context.Context, tx pgx.Tx, args river.JobArgs, opts *river.InsertOpts) (*rivertype.JobInsertResult, error)
}

var _ Queue = (*river.Client[pgx.Tx])(nil)

// Config is what a Service needs.
type Config struct {
	// Pool is the database.
	Pool *pgxpool.Pool
	// Embedders resolves the configured embedding model; default offline
	// only.
	Embedders *Embedders
	// Files keeps uploads for the background jobs. Required by the upload
	// functions; IngestCoreRule and IngestDocument take the bytes directly.
	Files *FileStore
	// Queue, when set, receives ingestion and re-embedding jobs. Without it
	// uploads stay pending until someone calls the Ingest functions.
	Queue Queue
	// Logger; default discards.
	Logger *slog.Logger
	// EmbedBatch is how many chunks are embedded between two progress
	// updates; default 64.
	EmbedBatch int
}

// Service is gametable's retrieval: it ingests rule books and campaign
// documents, searches them within a campaign's scope, and answers rules
// questions from them. It is safe for concurrent use.
type Service struct {
	pool      *pgxpool.Pool
	q         *db.Queries
	embedders *Embedders
	files     *FileStore
	queue     Queue
	logger    *slog.Logger
	batch     int

	// vectorIterative caches iterativeScan: 0 not known yet, 1 yes, 2 no.
	vectorIterative atomic.Int32
}

// New returns a Service.
func New(cfg Config) (*Service, error) {
	if cfg.Pool == nil {
		return nil, errors.New("retrieval: a database pool is required")
	}
	if cfg.Embedders == nil {
		cfg.Embedders = NewEmbedders(OpenAIConfig{})
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.EmbedBatch <= 0 {
		cfg.EmbedBatch = 64
	}
	return &Service{
		pool:      cfg.Pool,
		q:         db.New(cfg.Pool),
		embedders: cfg.Embedders,
		files:     cfg.Files,
		queue:     cfg.Queue,
		logger:    cfg.Logger,
		batch:     cfg.EmbedBatch,
	}, nil
}

// SetQueue sets the job queue after construction: the River client needs
// the workers, and the workers need the Service, so one of them is made
// first. Call it before serving requests.
func (s *Service) SetQueue(q Queue) { s.queue = q }
