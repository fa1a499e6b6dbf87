package retrieval

import (
	"context"
	"errors"
	"fmt"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"gametable/db"
)

// rechunkSource is a book or campaign document whose chunks were cut with
// other chunk settings than the current ones.
type rechunkSource struct {
	// campaignID is uuid.Nil for a rule book.
	campaignID uuid.UUID
	id         uuid.UUID
	// sha256 is a document's upload; a book's files are listed in
	// core_rule_files.
	sha256 []byte
}

func (r rechunkSource) String() string {
	if r.campaignID == uuid.Nil {
		return "core rule " + r.id.String()
	}
	return "campaign document " + r.id.String()
}

// rechunkKey is a source that failed for good with one chunk setting.
type rechunkKey struct {
	id            uuid.UUID
	size, overlap int32
}

// errSourceFile is a source file that cannot be read from the FileStore.
var errSourceFile = errors.New("source file unavailable")

// Rechunk cuts again, with the current chunk size and overlap, every rule
// book that has source files and every campaign document whose chunks were
// cut with other (or unknown) settings, re-embedding them, and returns how
// many sources it re-chunked. Each source is ingested as an upload is: its
// new chunks replace the old ones in one transaction, so searches use the
// old chunks until then; it shows "processing" meanwhile. The settings are
// re-read before every pass, so a change during a run is followed. A source
// whose files are missing from the FileStore, or that fails for a reason
// that will not go away (an unreadable file), is skipped with a warning
// and keeps its old chunks; other errors (database, embedding endpoint)
// stop the run, and a new run resumes with the sources still to do.
func (s *Service) Rechunk(ctx context.Context) (int, error) {
	return s.rechunk(ctx, nil)
}

// rechunk is Rechunk; finish, when set, runs in the transaction that holds
// a share lock on the settings and found nothing left to do (the job
// completes itself there).
func (s *Service) rechunk(ctx context.Context, finish func(context.Context, pgx.Tx) error) (int, error) {
	done := 0
	skipped := map[rechunkKey]bool{}
	for {
		var (
			settings db.IngestionSetting
			todo     []rechunkSource
		)
		err := db.InTx(ctx, s.pool, func(tx pgx.Tx) error {
			q := s.q.WithTx(tx)
			var err error
			settings, err = q.IngestionSettingsGetForShare(ctx)
			if err != nil {
				return fmt.Errorf("load ingestion settings: %w", err)
			}
			all, err := listToRechunk(ctx, q, settings)
			if err != nil {
				return err
			}
			todo = todo[:0]
			for _, src := range all {
				if !skipped[rechunkKey{src.id, settings.ChunkSize, settings.ChunkOverlap}] {
					todo = append(todo, src)
				}
			}
			if len(todo) > 0 || finish == nil {
				return nil
			}
			return finish(ctx, tx)
		})
		if err != nil {
			return done, err
		}
		if len(todo) == 0 {
			if done > 0 || len(skipped) > 0 {
				s.logger.Info("re-chunking done", "sources", done, "skipped", len(skipped),
					"chunk_size", settings.ChunkSize, "chunk_overlap", settings.ChunkOverlap)
			}
			return done, nil
		}
		// A model the server cannot use any more (its endpoint is no
		// longer configured) would fail every source: wait for a retry.
		if _, err := s.embedders.Resolve(settings.EmbeddingModel); err != nil {
			return done, err
		}
		for _, src := range todo {
			err := s.rechunkOne(ctx, src)
			switch {
			case err == nil:
				done++
			case ctx.Err() != nil:
				return done, err
			case errors.Is(err, errSourceFile), errors.Is(err, db.ErrNotFound),
				failureMessage(err) != internalFailure && !isEmbedError(err):
				// Deleted meanwhile, or a file that will not read better
				// next time: leave the old chunks.
				skipped[rechunkKey{src.id, settings.ChunkSize, settings.ChunkOverlap}] = true
				s.logger.Warn("re-chunking skipped a source", "target", src.String(), "err", err)
			default:
				return done, fmt.Errorf("re-chunk %s: %w", src, err)
			}
		}
	}
}

// QueueIndexUpgrade queues what start-up finds out of date, and reports
// whether it queued anything: the re-chunking job when a book or document
// was cut with other chunk settings or indexed with another
// SearchIndexVersion (after an upgrade that changed the glossary, or for
// chunks stored before versions were recorded); the re-embedding job when
// chunks carry another embedding model than the settings resolve to (the
// model in GAMETABLE_EMBEDDINGS_MODEL or its endpoint changed while the
// settings name none). serve calls it at start-up; searches keep using
// the old chunks meanwhile (BM25 finds every chunk; the vector ranking
// only those embedded with the current model).
func (s *Service) QueueIndexUpgrade(ctx context.Context) (bool, error) {
	queued := false
	err := db.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		q := s.q.WithTx(tx)
		settings, err := q.IngestionSettingsGet(ctx)
		if err != nil {
			return fmt.Errorf("load ingestion settings: %w", err)
		}
		todo, err := listToRechunk(ctx, q, settings)
		if err != nil {
			return err
		}
		if len(todo) > 0 {
			queued = true
			if err := s.enqueue(ctx, tx, RechunkArgs{}); err != nil {
				return err
			}
		}
		emb, err := s.embedders.Resolve(settings.EmbeddingModel)
		if err != nil {
			return err
		}
		stale, err := q.ChunkHasStaleEmbeddings(ctx, emb.Model())
		if err != nil {
			return fmt.Errorf("look for chunks to re-embed: %w", err)
		}
		if !stale {
			return nil
		}
		// If both run, chunks the re-chunking job replaces come with the
		// current model, and re-embedding passes them over.
		queued = true
		s.logger.Info("chunks embedded with another model: re-embedding", "model", emb.Model())
		return s.enqueue(ctx, tx, ReembedArgs{})
	})
	return queued, err
}

// listToRechunk lists the books, then the documents, not cut with settings
// or not indexed with SearchIndexVersion.
func listToRechunk(ctx context.Context, q *db.Queries, settings db.IngestionSetting) ([]rechunkSource, error) {
	books, err := q.CoreRuleListToRechunk(ctx, db.CoreRuleListToRechunkParams{
		ChunkSize: settings.ChunkSize, ChunkOverlap: settings.ChunkOverlap, IndexVersion: SearchIndexVersion,
	})
	if err != nil {
		return nil, fmt.Errorf("list core rules to re-chunk: %w", err)
	}
	docs, err := q.CampaignDocumentListToRechunk(ctx, db.CampaignDocumentListToRechunkParams{
		ChunkSize: settings.ChunkSize, ChunkOverlap: settings.ChunkOverlap, IndexVersion: SearchIndexVersion,
	})
	if err != nil {
		return nil, fmt.Errorf("list campaign documents to re-chunk: %w", err)
	}
	out := make([]rechunkSource, 0, len(books)+len(docs))
	for _, id := range books {
		out = append(out, rechunkSource{id: id})
	}
	for _, d := range docs {
		out = append(out, rechunkSource{campaignID: d.CampaignID, id: d.ID, sha256: d.SHA256})
	}
	return out, nil
}

// rechunkOne ingests one source again from its stored files.
func (s *Service) rechunkOne(ctx context.Context, src rechunkSource) error {
	if src.campaignID != uuid.Nil {
		data, err := s.sourceFile(src.sha256)
		if err != nil {
			return err
		}
		return s.IngestDocument(ctx, src.campaignID, src.id, data, nil)
	}
	refs, err := s.q.CoreRuleFileList(ctx, src.id)
	if err != nil {
		return fmt.Errorf("list files of %s: %w", src, db.Interpret(err))
	}
	if len(refs) == 0 {
		return fmt.Errorf("%s: %w", src, db.ErrNotFound)
	}
	files := make([]File, 0, len(refs))
	for _, r := range refs {
		data, err := s.sourceFile(r.SHA256)
		if err != nil {
			return fmt.Errorf("%s, file %s: %w", src, r.Filename, err)
		}
		files = append(files, File{Name: r.Filename, Data: data})
	}
	return s.IngestCoreRule(ctx, src.id, files, nil)
}

// sourceFile reads a stored upload; errSourceFile when it is not there.
func (s *Service) sourceFile(sum []byte) ([]byte, error) {
	if s.files == nil {
		return nil, fmt.Errorf("%w: no file store configured", errSourceFile)
	}
	data, err := s.files.Get(sum)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", errSourceFile, err)
	}
	return data, nil
}
