package retrieval

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
	pgvector "github.com/pgvector/pgvector-go"

	"gametable/db"
)

// reembedBatch is how many chunks Reembed embeds and updates at a time.
const reembedBatch = 128

// Reembed re-embeds, batch by batch, every chunk whose embedding is missing
// or from another model than the one the settings name, and returns how
// many it re-embedded. Searches keep working meanwhile: BM25 still finds
// every chunk, and the vector ranking uses the chunks already re-embedded.
// The settings are re-read for every batch, so a second change of model
// during a run is followed. progress may be nil.
func (s *Service) Reembed(ctx context.Context, progress ProgressFunc) (int, error) {
	return s.reembed(ctx, progress, nil)
}

// reembed is Reembed; finish, when set, runs in the transaction that holds
// a share lock on the settings and found nothing left to do (the job
// completes itself there), as rechunk does: a change of model either
// commits before that transaction, and its chunks are found stale, or
// waits for it and then finds the job completed and queues a new one.
func (s *Service) reembed(ctx context.Context, progress ProgressFunc, finish func(context.Context, pgx.Tx) error) (int, error) {
	done := 0
	for {
		var (
			emb  Embedder
			rows []db.ChunkListStaleEmbeddingsRow
		)
		err := db.InTx(ctx, s.pool, func(tx pgx.Tx) error {
			q := s.q.WithTx(tx)
			settings, err := q.IngestionSettingsGetForShare(ctx)
			if err != nil {
				return fmt.Errorf("load ingestion settings: %w", err)
			}
			if emb, err = s.embedders.Resolve(settings.EmbeddingModel); err != nil {
				return err
			}
			rows, err = q.ChunkListStaleEmbeddings(ctx, db.ChunkListStaleEmbeddingsParams{Model: emb.Model(), RowLimit: reembedBatch})
			if err != nil {
				return fmt.Errorf("list chunks to re-embed: %w", err)
			}
			if len(rows) > 0 || finish == nil {
				return nil
			}
			return finish(ctx, tx)
		})
		if err != nil {
			return done, err
		}
		model := emb.Model()
		if len(rows) == 0 {
			if done > 0 {
				s.logger.Info("re-embedding done", "chunks", done, "model", model)
			}
			return done, nil
		}
		texts := make([]string, len(rows))
		for i, r := range rows {
			texts[i] = IndexText(r.HeadingPath, r.Text)
		}
		vecs, err := emb.Embed(ctx, texts)
		if err != nil {
			return done, &embedError{err}
		}
		params := make([]db.ChunkSetEmbeddingParams, len(rows))
		for i, r := range rows {
			params[i] = db.ChunkSetEmbeddingParams{ID: r.ID, Embedding: pgvector.NewVector(vecs[i]), EmbeddingModel: model}
		}
		if err := execBatch(s.q.ChunkSetEmbedding(ctx, params)); err != nil {
			return done, fmt.Errorf("store embeddings: %w", err)
		}
		done += len(rows)
		if progress != nil {
			remaining, err := s.q.ChunkCountStaleEmbeddings(ctx, model)
			if err == nil {
				progress(Progress{Phase: PhaseEmbedding, Done: done, Total: done + int(remaining)})
			}
		}
	}
}
