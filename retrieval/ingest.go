package retrieval

import (
	"context"
	"errors"
	"fmt"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	pgvector "github.com/pgvector/pgvector-go"

	"gametable/db"
)

// Statuses of rule books and campaign documents.
const (
	StatusPending    = "pending"
	StatusProcessing = "processing"
	StatusReady      = "ready"
	StatusFailed     = "failed"
)

// File is one source file of a book or document.
type File struct {
	Name string
	Data []byte
}

// Phase is a stage of ingestion.
type Phase string

// The phases of ingestion, in the order they run.
const (
	PhaseExtracting Phase = "extracting" // reading the text out of the files
	PhaseSplitting  Phase = "splitting"  // cutting the text into chunks
	PhaseEmbedding  Phase = "embedding"  // embedding the chunks
)

// Unit is what Done and Total count in the phase: "files" while extracting
// and splitting, "chunks" while embedding (and for an unset phase).
func (p Phase) Unit() string {
	if p == PhaseExtracting || p == PhaseSplitting {
		return "files"
	}
	return "chunks"
}

// Progress reports ingestion: Done of Total units (Phase.Unit) of Phase.
// Ingestion reports the phases in order, each from Done 0 up to Done ==
// Total unless it fails; Reembed reports embedding only.
type Progress struct {
	Phase       Phase
	Done, Total int
}

// ProgressFunc receives progress; it may be nil. It is called from the
// ingesting goroutine.
type ProgressFunc func(Progress)

// embedError marks a failure of the embedding model, so the readable error
// says so.
type embedError struct{ err error }

func (e *embedError) Error() string { return "embedding failed: " + e.err.Error() }
func (e *embedError) Unwrap() error { return e.err }

// target is what is being ingested: a rule book or a campaign document.
type target interface {
	// setStatus records status and a readable error (nil unless failed).
	setStatus(ctx context.Context, q *db.Queries, status string, msg *string) error
	setProgress(ctx context.Context, q *db.Queries, done, total int) error
	// replace swaps the target's chunks and term statistics for new ones
	// and marks it ready with the chunk settings they were cut with, inside
	// tx.
	replace(ctx context.Context, q *db.Queries, chunks []Chunk, vecs [][]float32, model string, opts ChunkOptions) error
	String() string
}

// IngestCoreRule extracts, chunks, embeds and stores a rule book made of
// files (in order; ordinals run across them). The book moves to processing,
// then to ready with its new chunks, which replace the old ones in one
// transaction, so searches see either the old passages or the new ones.
// On failure the book is failed with a readable error and keeps its old
// chunks; on cancellation it goes back to pending (a retried job picks it up).
func (s *Service) IngestCoreRule(ctx context.Context, id uuid.UUID, files []File, progress ProgressFunc) error {
	if _, err := s.q.CoreRuleGet(ctx, id); err != nil {
		return fmt.Errorf("load core rule %s: %w", id, db.Interpret(err))
	}
	return s.ingest(ctx, coreRuleTarget{id: id}, files, progress)
}

// IngestDocument is IngestCoreRule for a campaign document; data is the
// uploaded file.
func (s *Service) IngestDocument(ctx context.Context, campaignID, documentID uuid.UUID, data []byte, progress ProgressFunc) error {
	doc, err := s.q.CampaignDocumentGet(ctx, db.CampaignDocumentGetParams{CampaignID: campaignID, ID: documentID})
	if err != nil {
		return fmt.Errorf("load document %s: %w", documentID, db.Interpret(err))
	}
	return s.ingest(ctx, documentTarget{campaignID: campaignID, id: documentID}, []File{{Name: doc.Filename, Data: data}}, progress)
}

func (s *Service) ingest(ctx context.Context, t target, files []File, progress ProgressFunc) (err error) {
	logger := s.logger.With("target", t.String())
	if err := t.setStatus(ctx, s.q, StatusProcessing, nil); err != nil {
		return fmt.Errorf("mark %s processing: %w", t, err)
	}
	defer func() {
		if err == nil {
			return
		}
		// Record the outcome even when ctx is done.
		bg := context.WithoutCancel(ctx)
		if ctx.Err() != nil {
			if serr := t.setStatus(bg, s.q, StatusPending, nil); serr != nil {
				logger.Error("reset interrupted ingestion", "err", serr)
			}
			return
		}
		msg := failureMessage(err)
		if serr := t.setStatus(bg, s.q, StatusFailed, &msg); serr != nil {
			logger.Error("mark ingestion failed", "err", serr)
		}
		logger.Warn("ingestion failed", "err", err)
	}()

	settings, err := s.q.IngestionSettingsGet(ctx)
	if err != nil {
		return fmt.Errorf("load ingestion settings: %w", err)
	}
	emb, err := s.embedders.Resolve(settings.EmbeddingModel)
	if err != nil {
		return err
	}
	opts := ChunkOptions{Size: int(settings.ChunkSize), Overlap: int(settings.ChunkOverlap)}

	tell := func(phase Phase, done, total int) {
		if progress != nil {
			progress(Progress{Phase: phase, Done: done, Total: total})
		}
	}

	texts := make([]Extracted, 0, len(files))
	tell(PhaseExtracting, 0, len(files))
	for i, f := range files {
		ex, err := Extract(ctx, f.Data)
		if err != nil {
			if len(files) > 1 {
				return fmt.Errorf("%s: %w", f.Name, err)
			}
			return err
		}
		texts = append(texts, ex)
		tell(PhaseExtracting, i+1, len(files))
	}
	var chunks []Chunk
	tell(PhaseSplitting, 0, len(texts))
	for i := range texts {
		chunks = append(chunks, Split(texts[i], opts)...)
		texts[i] = Extracted{} // the chunks have the text now
		tell(PhaseSplitting, i+1, len(texts))
	}
	if len(chunks) == 0 {
		return ErrNoText
	}

	total := len(chunks)
	report := func(done int) error {
		tell(PhaseEmbedding, done, total)
		return t.setProgress(ctx, s.q, done, total)
	}
	if err := report(0); err != nil {
		return fmt.Errorf("record progress: %w", err)
	}
	vecs := make([][]float32, 0, total)
	for start := 0; start < total; start += s.batch {
		end := min(start+s.batch, total)
		texts := make([]string, 0, end-start)
		for _, c := range chunks[start:end] {
			texts = append(texts, c.IndexText())
		}
		v, err := emb.Embed(ctx, texts)
		if err != nil {
			return &embedError{err}
		}
		vecs = append(vecs, v...)
		if err := report(end); err != nil {
			return fmt.Errorf("record progress: %w", err)
		}
	}

	err = db.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		return t.replace(ctx, s.q.WithTx(tx), chunks, vecs, emb.Model(), opts)
	})
	if err != nil {
		return fmt.Errorf("store chunks of %s: %w", t, err)
	}
	if err := s.q.RetrievalAnalyze(ctx); err != nil {
		// Searches still work, only slower until autovacuum analyses.
		logger.Warn("analyze search tables", "err", err)
	}
	logger.Info("ingestion done", "chunks", total, "model", emb.Model())
	return nil
}

// failureMessage is the error shown to the admin or GM: the reason for
// problems with the file or the model, a generic line for internal ones
// (the details go to the log).
func failureMessage(err error) string {
	var ee *embedError
	switch {
	case errors.Is(err, ErrUnreadablePDF), errors.Is(err, ErrUnsupportedType), errors.Is(err, ErrNoText),
		errors.Is(err, ErrUnknownModel), errors.As(err, &ee):
		msg := err.Error()
		if len(msg) > 1000 {
			msg = msg[:1000]
		}
		return msg
	}
	return internalFailure
}

// internalFailure is the readable error for failures that are not the
// file's or the model's fault.
const internalFailure = "internal error while ingesting; see the server log"

func isEmbedError(err error) bool {
	var ee *embedError
	return errors.As(err, &ee)
}

// maxBatch is the most statements in one pgx batch.
const maxBatch = 256

func pageParam(p int) *int32 {
	if p <= 0 {
		return nil
	}
	v := int32(p)
	return &v
}

type coreRuleTarget struct{ id uuid.UUID }

func (t coreRuleTarget) String() string { return "core rule " + t.id.String() }

func (t coreRuleTarget) setStatus(ctx context.Context, q *db.Queries, status string, msg *string) error {
	return q.CoreRuleSetStatus(ctx, db.CoreRuleSetStatusParams{ID: t.id, Status: status, Error: msg})
}

func (t coreRuleTarget) setProgress(ctx context.Context, q *db.Queries, done, total int) error {
	return q.CoreRuleSetProgress(ctx, db.CoreRuleSetProgressParams{ID: t.id, ProgressDone: int32(done), ProgressTotal: int32(total)})
}

func (t coreRuleTarget) replace(ctx context.Context, q *db.Queries, chunks []Chunk, vecs [][]float32, model string, opts ChunkOptions) error {
	if err := q.ChunkDeleteForCoreRule(ctx, t.id); err != nil {
		return fmt.Errorf("delete old chunks: %w", err)
	}
	if err := q.TermDocFrequencyDeleteForCoreRule(ctx, t.id); err != nil {
		return fmt.Errorf("delete old term statistics: %w", err)
	}
	for start := 0; start < len(chunks); start += maxBatch {
		end := min(start+maxBatch, len(chunks))
		params := make([]db.ChunkInsertCoreRuleParams, 0, end-start)
		for i := start; i < end; i++ {
			c := chunks[i]
			params = append(params, db.ChunkInsertCoreRuleParams{
				CoreRuleID:     t.id,
				Ordinal:        int32(i),
				HeadingPath:    nonNil(c.HeadingPath),
				Heading:        c.Heading(),
				Page:           pageParam(c.Page),
				Text:           c.Text,
				Embedding:      pgvector.NewVector(vecs[i]),
				EmbeddingModel: model,
				IndexText:      c.searchText(),
			})
		}
		if err := execBatch(q.ChunkInsertCoreRule(ctx, params)); err != nil {
			return fmt.Errorf("insert chunks: %w", err)
		}
	}
	if err := q.TermDocFrequencyBuildForCoreRule(ctx, t.id); err != nil {
		return fmt.Errorf("build term statistics: %w", err)
	}
	if err := q.ChunkTermBuildForCoreRule(ctx, t.id); err != nil {
		return fmt.Errorf("build term index: %w", err)
	}
	if err := q.CoreRuleFinishIngestion(ctx, db.CoreRuleFinishIngestionParams{
		ID: t.id, ChunkSize: int32(opts.Size), ChunkOverlap: int32(opts.Overlap), IndexVersion: SearchIndexVersion,
	}); err != nil {
		return fmt.Errorf("mark ready: %w", err)
	}
	return nil
}

type documentTarget struct{ campaignID, id uuid.UUID }

func (t documentTarget) String() string { return "campaign document " + t.id.String() }

func (t documentTarget) setStatus(ctx context.Context, q *db.Queries, status string, msg *string) error {
	return q.CampaignDocumentSetStatus(ctx, db.CampaignDocumentSetStatusParams{CampaignID: t.campaignID, ID: t.id, Status: status, Error: msg})
}

func (t documentTarget) setProgress(ctx context.Context, q *db.Queries, done, total int) error {
	return q.CampaignDocumentSetProgress(ctx, db.CampaignDocumentSetProgressParams{
		CampaignID: t.campaignID, ID: t.id, ProgressDone: int32(done), ProgressTotal: int32(total),
	})
}

func (t documentTarget) replace(ctx context.Context, q *db.Queries, chunks []Chunk, vecs [][]float32, model string, opts ChunkOptions) error {
	scope := db.ChunkDeleteForDocumentParams{CampaignID: t.campaignID, CampaignDocumentID: t.id}
	if err := q.ChunkDeleteForDocument(ctx, scope); err != nil {
		return fmt.Errorf("delete old chunks: %w", err)
	}
	if err := q.TermDocFrequencyDeleteForDocument(ctx, db.TermDocFrequencyDeleteForDocumentParams(scope)); err != nil {
		return fmt.Errorf("delete old term statistics: %w", err)
	}
	for start := 0; start < len(chunks); start += maxBatch {
		end := min(start+maxBatch, len(chunks))
		params := make([]db.ChunkInsertDocumentParams, 0, end-start)
		for i := start; i < end; i++ {
			c := chunks[i]
			params = append(params, db.ChunkInsertDocumentParams{
				CampaignID:         t.campaignID,
				CampaignDocumentID: t.id,
				Ordinal:            int32(i),
				HeadingPath:        nonNil(c.HeadingPath),
				Heading:            c.Heading(),
				Page:               pageParam(c.Page),
				Text:               c.Text,
				Embedding:          pgvector.NewVector(vecs[i]),
				EmbeddingModel:     model,
				IndexText:          c.searchText(),
			})
		}
		if err := execBatch(q.ChunkInsertDocument(ctx, params)); err != nil {
			return fmt.Errorf("insert chunks: %w", err)
		}
	}
	if err := q.TermDocFrequencyBuildForDocument(ctx, db.TermDocFrequencyBuildForDocumentParams(scope)); err != nil {
		return fmt.Errorf("build term statistics: %w", err)
	}
	if err := q.ChunkTermBuildForDocument(ctx, db.ChunkTermBuildForDocumentParams(scope)); err != nil {
		return fmt.Errorf("build term index: %w", err)
	}
	if err := q.CampaignDocumentFinishIngestion(ctx, db.CampaignDocumentFinishIngestionParams{
		CampaignID: t.campaignID, ID: t.id, ChunkSize: int32(opts.Size), ChunkOverlap: int32(opts.Overlap),
		IndexVersion: SearchIndexVersion,
	}); err != nil {
		return fmt.Errorf("mark ready: %w", err)
	}
	return nil
}

// batchResults is what sqlc's :batchexec queries return.
type batchResults interface {
	Exec(f func(int, error))
	Close() error
}

// execBatch runs every statement of a batch and returns the first error.
func execBatch(br batchResults) error {
	var first error
	br.Exec(func(_ int, err error) {
		if err != nil && first == nil {
			first = err
		}
	})
	if err := br.Close(); err != nil && first == nil {
		first = err
	}
	return first
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
