package retrieval

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivertype"

	"gametable/db"
)

// QueueName names the River queue that retrieval jobs run on.
const QueueName = "retrieval"

// IngestDocumentArgs is the job that ingests an uploaded campaign document.
// The file is read from the FileStore by the document's SHA-256.
type IngestDocumentArgs struct {
	CampaignID uuid.UUID `json:"campaignId"`
	DocumentID uuid.UUID `json:"documentId"`
}

// Kind names the job for River.
func (IngestDocumentArgs) Kind() string { return "retrieval_ingest_document" }

// InsertOpts puts the job on QueueName.
func (IngestDocumentArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: QueueName, MaxAttempts: 5}
}

// FileRef names a stored upload.
type FileRef struct {
	Name string `json:"name"`
	// SHA256 is hex.
	SHA256 string `json:"sha256"`
}

// IngestCoreRuleArgs is the job that ingests a rule book from its files.
type IngestCoreRuleArgs struct {
	CoreRuleID uuid.UUID `json:"coreRuleId"`
	Files      []FileRef `json:"files"`
}

// Kind names the job for River.
func (IngestCoreRuleArgs) Kind() string { return "retrieval_ingest_core_rule" }

// InsertOpts puts the job on QueueName.
func (IngestCoreRuleArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: QueueName, MaxAttempts: 5}
}

// ReembedArgs is the job that re-embeds every chunk whose embedding is not
// from the configured model, after a settings change. Only one is queued
// or running at a time; a change during a run is picked up by that run,
// which re-reads the settings for every batch.
type ReembedArgs struct{}

// Kind names the job for River.
func (ReembedArgs) Kind() string { return "retrieval_reembed" }

// InsertOpts makes the job unique while it waits or runs.
func (ReembedArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{
		Queue:       QueueName,
		MaxAttempts: 10,
		UniqueOpts: river.UniqueOpts{
			ByState: []rivertype.JobState{rivertype.JobStateAvailable, rivertype.JobStatePending, rivertype.JobStateRunning, rivertype.JobStateRetryable, rivertype.JobStateScheduled},
		},
	}
}

// RechunkArgs is the job that cuts every rule book and campaign document
// again after a change of chunk size or overlap (see Service.Rechunk). Only
// one is queued or running at a time; a change during a run is picked up
// by that run, which re-reads the settings before every pass and completes
// only in a transaction that has locked them and found nothing left to do.
//
// The job ingests the sources itself, one after another, rather than
// queueing one ingestion job per source: which sources are left is kept in
// the rows (the chunk settings each was last cut with), so a restarted or
// retried run resumes with the rest and never cuts a finished source again
// for the same settings, however often they change; one source at a time keeps
// the load on the embedding endpoint what one ingestion makes; and there is
// no fan-out of jobs that a second change would duplicate. The cost is one
// long job, which Timeout bounds per attempt.
type RechunkArgs struct{}

// Kind names the job for River.
func (RechunkArgs) Kind() string { return "retrieval_rechunk" }

// InsertOpts makes the job unique while it waits or runs.
func (RechunkArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{
		Queue:       QueueName,
		MaxAttempts: 10,
		UniqueOpts: river.UniqueOpts{
			ByState: []rivertype.JobState{rivertype.JobStateAvailable, rivertype.JobStatePending, rivertype.JobStateRunning, rivertype.JobStateRetryable, rivertype.JobStateScheduled},
		},
	}
}

var (
	_ river.Worker[IngestDocumentArgs] = (*ingestDocumentWorker)(nil)
	_ river.Worker[IngestCoreRuleArgs] = (*ingestCoreRuleWorker)(nil)
	_ river.Worker[ReembedArgs]        = (*reembedWorker)(nil)
	_ river.Worker[RechunkArgs]        = (*rechunkWorker)(nil)
)

// AddWorkers registers the retrieval workers.
func (s *Service) AddWorkers(workers *river.Workers) {
	river.AddWorker(workers, &ingestDocumentWorker{svc: s})
	river.AddWorker(workers, &ingestCoreRuleWorker{svc: s})
	river.AddWorker(workers, &reembedWorker{svc: s})
	river.AddWorker(workers, &rechunkWorker{svc: s})
	river.AddWorker(workers, &fileSweepWorker{svc: s})
}

type ingestDocumentWorker struct {
	river.WorkerDefaults[IngestDocumentArgs]
	svc *Service
}

// Timeout allows for large PDFs and slow embedding endpoints; it stays
// below jobs.RescueStuckJobsAfter.
func (w *ingestDocumentWorker) Timeout(*river.Job[IngestDocumentArgs]) time.Duration {
	return time.Hour
}

func (w *ingestDocumentWorker) Work(ctx context.Context, job *river.Job[IngestDocumentArgs]) error {
	return w.svc.ingestDocumentJob(ctx, job.Args)
}

type ingestCoreRuleWorker struct {
	river.WorkerDefaults[IngestCoreRuleArgs]
	svc *Service
}

// Timeout allows for large books and slow embedding endpoints; it stays
// below jobs.RescueStuckJobsAfter.
func (w *ingestCoreRuleWorker) Timeout(*river.Job[IngestCoreRuleArgs]) time.Duration {
	return 2 * time.Hour
}

func (w *ingestCoreRuleWorker) Work(ctx context.Context, job *river.Job[IngestCoreRuleArgs]) error {
	files := make([]File, 0, len(job.Args.Files))
	for _, f := range job.Args.Files {
		data, err := w.svc.readFile(f.SHA256)
		if err != nil {
			return err
		}
		files = append(files, File{Name: f.Name, Data: data})
	}
	return w.svc.finishJob(w.svc.IngestCoreRule(ctx, job.Args.CoreRuleID, files, nil))
}

type reembedWorker struct {
	river.WorkerDefaults[ReembedArgs]
	svc *Service
}

// Timeout bounds one attempt. Re-embedding resumes where it stopped (it
// works on the rows still stale), so a large library through a slow model
// simply takes several attempts.
func (w *reembedWorker) Timeout(*river.Job[ReembedArgs]) time.Duration {
	return time.Hour
}

// Work completes the job in the transaction that finds nothing left to
// re-embed, like rechunkWorker.Work.
func (w *reembedWorker) Work(ctx context.Context, job *river.Job[ReembedArgs]) error {
	_, err := w.svc.reembed(ctx, nil, completeIn(job))
	return err
}

type rechunkWorker struct {
	river.WorkerDefaults[RechunkArgs]
	svc *Service
}

// Timeout bounds one attempt, as for a book's ingestion. A run that times
// out is retried and resumes with the sources still to do.
func (w *rechunkWorker) Timeout(*river.Job[RechunkArgs]) time.Duration {
	return 2 * time.Hour
}

// Work completes the job in the transaction that finds nothing left to do,
// so a settings change either is seen by this run or, committing after it,
// finds the job completed and queues a new one.
func (w *rechunkWorker) Work(ctx context.Context, job *river.Job[RechunkArgs]) error {
	_, err := w.svc.rechunk(ctx, completeIn(job))
	return err
}

// completeIn returns a function that marks job completed in a transaction
// of the worker's own.
func completeIn[T river.JobArgs](job *river.Job[T]) func(context.Context, pgx.Tx) error {
	return func(ctx context.Context, tx pgx.Tx) error {
		if _, err := river.JobCompleteTx[*riverpgxv5.Driver](ctx, tx, job); err != nil {
			return fmt.Errorf("complete %s job: %w", job.Kind, err)
		}
		return nil
	}
}

func (s *Service) ingestDocumentJob(ctx context.Context, args IngestDocumentArgs) error {
	doc, err := s.q.CampaignDocumentGet(ctx, db.CampaignDocumentGetParams{CampaignID: args.CampaignID, ID: args.DocumentID})
	if err != nil {
		err = fmt.Errorf("load document %s: %w", args.DocumentID, db.Interpret(err))
		if errors.Is(err, db.ErrNotFound) {
			// Deleted before its job ran: nothing to do.
			return river.JobCancel(err)
		}
		return err
	}
	data, err := s.readFile(hex.EncodeToString(doc.SHA256))
	if err != nil {
		return err
	}
	return s.finishJob(s.IngestDocument(ctx, args.CampaignID, args.DocumentID, data, nil))
}

// finishJob decides whether an ingestion error is worth a retry. A problem
// with the file (unreadable, wrong type, no text) will not go away, and the
// document is already failed with a readable error; a deleted book or
// document has nothing left to ingest: the job is cancelled.
// Other errors (database, embedding endpoint, shutdown) are retried.
func (s *Service) finishJob(err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, db.ErrNotFound) {
		// The book or document was deleted meanwhile.
		return river.JobCancel(err)
	}
	if failureMessage(err) != internalFailure && !isEmbedError(err) {
		return river.JobCancel(err)
	}
	return err
}

func (s *Service) readFile(hexSum string) ([]byte, error) {
	if s.files == nil {
		return nil, fmt.Errorf("read upload %s: no file store configured", hexSum)
	}
	sum, err := hex.DecodeString(hexSum)
	if err != nil {
		return nil, river.JobCancel(fmt.Errorf("read upload: bad checksum %q", hexSum))
	}
	return s.files.Get(sum)
}
