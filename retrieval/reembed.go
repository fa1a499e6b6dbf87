package retrieval

import (
	"context"
	"fmt"

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
	done := 0
	for {
		settings, err := s.q.IngestionSettingsGet(ctx)
		if err != nil {
			return done, fmt.Errorf("load ingestion settings: %w", err)
		}
		emb, err := s.embedders.Resolve(settings.EmbeddingModel)
		if err != nil {
			return done, err
		}
		model := emb.Model()
		rows, err := s.q.ChunkListStaleEmbeddings(ctx, db.ChunkListStaleEmbeddingsParams{Model: model, RowLimit: reembedBatch})
		if err != nil {
			return done, fmt.Errorf("list chunks to re-embed: %w", err)
		}
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
				progress(Progress{Done: done, Total: done + int(remaining)})
			}
		}
	}
}
