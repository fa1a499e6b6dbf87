package retrieval_test

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
	"github.com/stretchr/testify/require"

	"gametable/db"
	"gametable/jobs"
	"gametable/retrieval"
)

// longSection is a Markdown section of about n sentences that all carry
// marker, in paragraphs of four sentences: a few chunks at the default
// size, many at a small one.
func longSection(heading, marker string, n int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# %s\n\n", heading)
	for i := range n {
		fmt.Fprintf(&b, "Rule %d of this chapter says the %s must be consulted before acting. ", i+1, marker)
		if i%4 == 3 {
			b.WriteString("\n\n")
		}
	}
	return b.String()
}

// expectedChunks is how many chunks Split makes of files with opts.
func expectedChunks(t *testing.T, opts retrieval.ChunkOptions, files ...string) int {
	t.Helper()
	n := 0
	for _, f := range files {
		ex, err := retrieval.Extract(context.Background(), []byte(f))
		require.NoError(t, err)
		n += len(retrieval.Split(ex, opts))
	}
	return n
}

// chunkStats returns the number of chunks of a source and the length in
// characters of its longest passage.
func chunkStats(t *testing.T, b *testBundle, column string, id uuid.UUID) (count, longest int) {
	t.Helper()
	require.NoError(t, b.pool.QueryRow(context.Background(),
		"SELECT count(*), coalesce(max(char_length(text)), 0) FROM chunks WHERE "+column+" = $1", id).Scan(&count, &longest))
	return count, longest
}

// jobStates returns the states of the jobs of one kind, oldest first.
func jobStates(t *testing.T, b *testBundle, kind string) []string {
	t.Helper()
	rows, err := b.pool.Query(context.Background(), "SELECT state::text FROM river_job WHERE kind = $1 ORDER BY id", kind)
	require.NoError(t, err)
	states, err := pgx.CollectRows(rows, pgx.RowTo[string])
	require.NoError(t, err)
	return states
}

// rechunkBundle is a database with River's tables, a Service with a
// FileStore, and a River client (not started) that works its jobs.
type rechunkBundle struct {
	*testBundle
	svc       *retrieval.Service
	newClient func() *jobs.Client
}

func setupRechunk(t *testing.T, emb *retrieval.Embedders) *rechunkBundle {
	t.Helper()
	b := setup(t)
	require.NoError(t, jobs.Migrate(t.Context(), b.pool, nil))
	files, err := retrieval.NewFileStore(t.TempDir())
	require.NoError(t, err)
	svc, err := retrieval.New(retrieval.Config{Pool: b.pool, Files: files, Embedders: emb})
	require.NoError(t, err)
	newClient := func() *jobs.Client {
		workers := river.NewWorkers()
		svc.AddWorkers(workers)
		client, err := jobs.New(b.pool, jobs.Config{Logger: slog.New(slog.DiscardHandler), Workers: workers, Queues: map[string]int{retrieval.QueueName: 1}})
		require.NoError(t, err)
		return client
	}
	return &rechunkBundle{testBundle: b, svc: svc, newClient: newClient}
}

// setupRechunkWorking is setupRechunk with the River client set as the
// service's queue and started.
func setupRechunkWorking(t *testing.T, emb *retrieval.Embedders) *rechunkBundle {
	t.Helper()
	b := setupRechunk(t, emb)
	client := b.newClient()
	b.svc.SetQueue(client)
	startClient(t, client)
	return b
}

func startClient(t *testing.T, client *jobs.Client) {
	t.Helper()
	ctx := t.Context()
	require.NoError(t, client.Start(ctx))
	t.Cleanup(func() {
		stopCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		_ = client.Stop(stopCtx)
	})
}

// TestRechunk_SettingsChange changes the chunk size after a book of two
// files and a campaign document were ingested: one background job cuts
// both again to the new size, keeping both files of the book.
func TestRechunk_SettingsChange(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	b := setupRechunkWorking(t, nil)
	c, u := b.campaign(t, "Rechunk")

	first := longSection("Combat", "zorblax", 40)
	second := longSection("Magic", "quendril", 40)
	doc := longSection("Heist", "vaultkeeper", 30)
	book, err := b.svc.CreateCoreRule(ctx, retrieval.CreateCoreRuleParams{
		Slug: "handbook", Title: "Handbook", Kind: retrieval.KindRequired,
		Files: []retrieval.File{{Name: "combat.md", Data: []byte(first)}, {Name: "magic.md", Data: []byte(second)}},
	})
	require.NoError(t, err)
	upload, err := b.svc.UploadDocument(ctx, retrieval.UploadDocumentParams{CampaignID: c, UploadedBy: u, Filename: "heist.md", Data: []byte(doc)})
	require.NoError(t, err)

	waitReady := func(size int32) {
		t.Helper()
		require.Eventually(t, func() bool {
			r, err := b.q.CoreRuleGet(ctx, book.ID)
			if err != nil || r.Status != retrieval.StatusReady || r.ChunkSize == nil || *r.ChunkSize != size {
				return false
			}
			d, err := b.q.CampaignDocumentGet(ctx, db.CampaignDocumentGetParams{CampaignID: c, ID: upload.ID})
			return err == nil && d.Status == retrieval.StatusReady && d.ChunkSize != nil && *d.ChunkSize == size
		}, 60*time.Second, 50*time.Millisecond, "book and document cut with chunk size %d", size)
	}
	waitReady(1000)

	files, err := b.q.CoreRuleFileList(ctx, book.ID)
	require.NoError(t, err)
	require.Len(t, files, 2, "both files of the book are recorded")
	require.Equal(t, "combat.md", files[0].Filename)
	require.Equal(t, "magic.md", files[1].Filename)
	require.EqualValues(t, len(second), files[1].SizeBytes)

	def := retrieval.DefaultChunkOptions
	bookBefore, longest := chunkStats(t, b.testBundle, "core_rule_id", book.ID)
	require.Equal(t, expectedChunks(t, def, first, second), bookBefore)
	require.Greater(t, longest, 200)
	docBefore, _ := chunkStats(t, b.testBundle, "campaign_document_id", upload.ID)
	require.Equal(t, expectedChunks(t, def, doc), docBefore)

	small := retrieval.ChunkOptions{Size: 200, Overlap: 0}
	_, err = b.svc.UpdateSettings(ctx, retrieval.Settings{ChunkSize: small.Size, ChunkOverlap: small.Overlap})
	require.NoError(t, err)
	waitReady(200)
	require.Eventually(t, func() bool {
		st := jobStates(t, b.testBundle, "retrieval_rechunk")
		return len(st) == 1 && st[0] == string(rivertype.JobStateCompleted)
	}, 30*time.Second, 50*time.Millisecond, "one re-chunking job, completed")
	require.Empty(t, jobStates(t, b.testBundle, "retrieval_reembed"), "the model did not change")

	bookAfter, longest := chunkStats(t, b.testBundle, "core_rule_id", book.ID)
	require.Equal(t, expectedChunks(t, small, first, second), bookAfter)
	require.Greater(t, bookAfter, bookBefore)
	require.LessOrEqual(t, longest, small.Size)
	docAfter, longest := chunkStats(t, b.testBundle, "campaign_document_id", upload.ID)
	require.Equal(t, expectedChunks(t, small, doc), docAfter)
	require.Greater(t, docAfter, docBefore)
	require.LessOrEqual(t, longest, small.Size)

	r, err := b.q.CoreRuleGet(ctx, book.ID)
	require.NoError(t, err)
	require.EqualValues(t, bookAfter, r.ChunkCount)
	require.EqualValues(t, 0, *r.ChunkOverlap)
	for _, marker := range []string{"zorblax", "quendril"} {
		require.Positive(t, chunkCount(t, b.testBundle, "core_rule_id = $1 AND text LIKE '%' || $2 || '%'", book.ID, marker),
			"the book still has the chunks of the file with %s", marker)
	}
	files, err = b.q.CoreRuleFileList(ctx, book.ID)
	require.NoError(t, err)
	require.Len(t, files, 2)
	results, err := b.svc.Search(ctx, c, "when must the quendril be consulted", retrieval.SearchOptions{Limit: 3})
	require.NoError(t, err)
	require.NotEmpty(t, results)
	require.Contains(t, results[0].Text, "quendril")
}

// gateEmbedder is the offline embedder under another name; once armed, its
// next call blocks until its context ends (a server stopped mid-job).
type gateEmbedder struct {
	retrieval.Embedder
	armed   atomic.Bool
	once    sync.Once
	blocked chan struct{}
}

func (g *gateEmbedder) Model() string { return "gate-hash-384" }

func (g *gateEmbedder) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	if g.armed.CompareAndSwap(true, false) {
		g.once.Do(func() { close(g.blocked) })
		<-ctx.Done()
		return nil, ctx.Err()
	}
	return g.Embedder.Embed(ctx, texts)
}

// TestRechunk_SurvivesRestart stops the server in the middle of the
// re-chunking job: the book being cut keeps its old chunks (searches use
// them) and a restarted server finishes the job.
func TestRechunk_SurvivesRestart(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	gate := &gateEmbedder{Embedder: retrieval.NewHashEmbedder(), blocked: make(chan struct{})}
	b := setupRechunk(t, retrieval.NewEmbeddersWith(gate))
	c, u := b.campaign(t, "Restart")

	// Ingested now, without a queue.
	text := longSection("Travel", "wayfarer", 24)
	book, err := b.svc.ImportCoreRule(ctx, retrieval.CreateCoreRuleParams{
		Slug: "travel", Title: "Travel", Kind: retrieval.KindRequired, Files: []retrieval.File{{Name: "travel.md", Data: []byte(text)}},
	}, nil)
	require.NoError(t, err)
	require.Equal(t, retrieval.StatusReady, book.Status)
	doc, err := b.svc.UploadDocument(ctx, retrieval.UploadDocumentParams{CampaignID: c, UploadedBy: u, Filename: "notes.md", Data: []byte(longSection("Notes", "lanternfish", 12))})
	require.NoError(t, err)
	require.NoError(t, b.svc.IngestDocument(ctx, c, doc.ID, []byte(longSection("Notes", "lanternfish", 12)), nil))
	before, _ := chunkStats(t, b.testBundle, "core_rule_id", book.ID)

	first := b.newClient()
	b.svc.SetQueue(first)
	_, err = b.svc.UpdateSettings(ctx, retrieval.Settings{ChunkSize: 150, ChunkOverlap: 20})
	require.NoError(t, err)
	require.Equal(t, []string{string(rivertype.JobStateAvailable)}, jobStates(t, b.testBundle, "retrieval_rechunk"),
		"queued with the settings")

	gate.armed.Store(true)
	require.NoError(t, first.Start(ctx))
	select {
	case <-gate.blocked:
	case <-time.After(30 * time.Second):
		t.Fatal("the re-chunking job never started")
	}
	stopCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	require.NoError(t, first.StopAndCancel(stopCtx))

	// The job is back on the queue (River does not count an attempt that a
	// stopping client cancelled).
	st := jobStates(t, b.testBundle, "retrieval_rechunk")
	require.Len(t, st, 1)
	require.Contains(t, []string{string(rivertype.JobStateAvailable), string(rivertype.JobStateRetryable)}, st[0])
	// Stopped while embedding the book: its old chunks are untouched.
	n, _ := chunkStats(t, b.testBundle, "core_rule_id", book.ID)
	require.Equal(t, before, n)
	r, err := b.q.CoreRuleGet(ctx, book.ID)
	require.NoError(t, err)
	require.EqualValues(t, 1000, *r.ChunkSize, "still the old cut")
	results, err := b.svc.Search(ctx, c, "who is the wayfarer", retrieval.SearchOptions{Limit: 3})
	require.NoError(t, err)
	require.NotEmpty(t, results)
	require.Contains(t, results[0].Text, "wayfarer")

	second := b.newClient()
	b.svc.SetQueue(second)
	startClient(t, second)
	require.Eventually(t, func() bool {
		st := jobStates(t, b.testBundle, "retrieval_rechunk")
		return len(st) == 1 && st[0] == string(rivertype.JobStateCompleted)
	}, 60*time.Second, 50*time.Millisecond, "the restarted server completes the job")

	opts := retrieval.ChunkOptions{Size: 150, Overlap: 20}
	n, longest := chunkStats(t, b.testBundle, "core_rule_id", book.ID)
	require.Equal(t, expectedChunks(t, opts, text), n)
	require.LessOrEqual(t, longest, 150)
	r, err = b.q.CoreRuleGet(ctx, book.ID)
	require.NoError(t, err)
	require.Equal(t, retrieval.StatusReady, r.Status)
	require.EqualValues(t, 150, *r.ChunkSize)
	require.EqualValues(t, 20, *r.ChunkOverlap)
	d, err := b.q.CampaignDocumentGet(ctx, db.CampaignDocumentGetParams{CampaignID: c, ID: doc.ID})
	require.NoError(t, err)
	require.Equal(t, retrieval.StatusReady, d.Status)
	require.EqualValues(t, 150, *d.ChunkSize)
}

// TestRechunk_SkipsWhatItCannotRead re-chunks without the files of a book
// in the store: the book keeps its chunks, the run ends, the rest is done.
func TestRechunk_SkipsWhatItCannotRead(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	b := setupRechunk(t, nil)
	c, u := b.campaign(t, "Skip")
	// This Service has no FileStore: the book's file is not kept.
	text := longSection("Lost", "mislaid", 12)
	book, err := b.testBundle.svc.ImportCoreRule(ctx, retrieval.CreateCoreRuleParams{
		Slug: "lost", Title: "Lost", Kind: retrieval.KindRequired, Files: []retrieval.File{{Name: "lost.md", Data: []byte(text)}},
	}, nil)
	require.NoError(t, err)
	data := []byte(longSection("Kept", "retained", 12))
	doc, err := b.svc.UploadDocument(ctx, retrieval.UploadDocumentParams{CampaignID: c, UploadedBy: u, Filename: "kept.md", Data: data})
	require.NoError(t, err)
	require.NoError(t, b.svc.IngestDocument(ctx, c, doc.ID, data, nil))
	before, _ := chunkStats(t, b.testBundle, "core_rule_id", book.ID)

	_, err = b.svc.UpdateSettings(ctx, retrieval.Settings{ChunkSize: 150, ChunkOverlap: 0})
	require.NoError(t, err)
	n, err := b.svc.Rechunk(ctx)
	require.NoError(t, err)
	require.Equal(t, 1, n, "the document only")

	after, _ := chunkStats(t, b.testBundle, "core_rule_id", book.ID)
	require.Equal(t, before, after)
	r, err := b.q.CoreRuleGet(ctx, book.ID)
	require.NoError(t, err)
	require.Equal(t, retrieval.StatusReady, r.Status, "a book that could not be re-chunked stays as it was")
	docChunks, longest := chunkStats(t, b.testBundle, "campaign_document_id", doc.ID)
	require.Equal(t, expectedChunks(t, retrieval.ChunkOptions{Size: 150}, string(data)), docChunks)
	require.LessOrEqual(t, longest, 150)

	n, err = b.svc.Rechunk(ctx)
	require.NoError(t, err)
	require.Zero(t, n, "nothing left")
}

// recordingQueue records the kinds of the jobs queued.
type recordingQueue struct {
	mu    sync.Mutex
	kinds []string
}

func (q *recordingQueue) InsertTx(_ context.Context, _ pgx.Tx, args river.JobArgs, _ *river.InsertOpts) (*rivertype.JobInsertResult, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.kinds = append(q.kinds, args.Kind())
	return &rivertype.JobInsertResult{Job: &rivertype.JobRow{Kind: args.Kind()}}, nil
}

func (q *recordingQueue) take() []string {
	q.mu.Lock()
	defer q.mu.Unlock()
	k := q.kinds
	q.kinds = nil
	return k
}

// TestSettings_QueuesWhatChanged checks which background jobs a settings
// change queues: nothing when the settings stay the same, re-chunking for a
// new chunk size or overlap, re-embedding for a new model.
func TestSettings_QueuesWhatChanged(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	b := setup(t)
	// An endpoint is configured (never called here), so the model can
	// change: "" stands for all-minilm.
	emb := retrieval.NewEmbedders(retrieval.OpenAIConfig{BaseURL: "http://127.0.0.1:9/v1", Model: "all-minilm"})
	queue := &recordingQueue{}
	svc, err := retrieval.New(retrieval.Config{Pool: b.pool, Embedders: emb, Queue: queue})
	require.NoError(t, err)
	reset, err := retrieval.New(retrieval.Config{Pool: b.pool, Embedders: emb})
	require.NoError(t, err)
	base := retrieval.Settings{ChunkSize: 1000, ChunkOverlap: 150, EmbeddingModel: ""}

	tests := []struct {
		name string
		in   retrieval.Settings
		want []string
	}{
		{"Unchanged", base, nil},
		{"SameModelByName", retrieval.Settings{ChunkSize: 1000, ChunkOverlap: 150, EmbeddingModel: " all-minilm "}, nil},
		{"ChunkSize", retrieval.Settings{ChunkSize: 800, ChunkOverlap: 150}, []string{"retrieval_rechunk"}},
		{"ChunkOverlap", retrieval.Settings{ChunkSize: 1000, ChunkOverlap: 0}, []string{"retrieval_rechunk"}},
		{"Model", retrieval.Settings{ChunkSize: 1000, ChunkOverlap: 150, EmbeddingModel: retrieval.OfflineModel}, []string{"retrieval_reembed"}},
		{"Both", retrieval.Settings{ChunkSize: 500, ChunkOverlap: 50, EmbeddingModel: retrieval.OfflineModel}, []string{"retrieval_rechunk", "retrieval_reembed"}},
	}
	// Sequential: the cases share the one settings row.
	for _, tt := range tests {
		_, err := reset.UpdateSettings(ctx, base)
		require.NoError(t, err)
		_, err = svc.UpdateSettings(ctx, tt.in)
		require.NoError(t, err, tt.name)
		require.Equal(t, tt.want, queue.take(), tt.name)
		// Saving the same values again queues nothing.
		_, err = svc.UpdateSettings(ctx, tt.in)
		require.NoError(t, err, tt.name)
		require.Empty(t, queue.take(), tt.name)
	}

	// A refused change queues nothing either.
	_, err = svc.UpdateSettings(ctx, retrieval.Settings{ChunkSize: 50, ChunkOverlap: 0})
	require.Error(t, err)
	require.Empty(t, queue.take())
}

// TestImportCoreRule_ReplacesKindAndFiles re-imports a book under its slug
// with another kind, title and files, as "gametable rules import" does.
func TestImportCoreRule_ReplacesKindAndFiles(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	b := setup(t)
	first, err := b.svc.ImportCoreRule(ctx, retrieval.CreateCoreRuleParams{
		Slug: "xgte", Title: "Xanathar's", Kind: retrieval.KindOptional,
		Files: []retrieval.File{{Name: "a.md", Data: []byte("# A\n\nalpha")}, {Name: "b.md", Data: []byte("# B\n\nbeta")}},
	}, nil)
	require.NoError(t, err)
	require.Equal(t, retrieval.KindOptional, first.Kind)
	files, err := b.q.CoreRuleFileList(ctx, first.ID)
	require.NoError(t, err)
	require.Len(t, files, 2)
	require.Equal(t, []string{"a.md", "b.md"}, []string{files[0].Filename, files[1].Filename})
	require.EqualValues(t, 0, files[0].Position)
	require.EqualValues(t, 1, files[1].Position)

	again, err := b.svc.ImportCoreRule(ctx, retrieval.CreateCoreRuleParams{
		Slug: "xgte", Title: "Xanathar's Guide", Kind: retrieval.KindRequired,
		Files: []retrieval.File{{Name: "c.md", Data: []byte("# C\n\ngamma")}},
	}, nil)
	require.NoError(t, err)
	require.Equal(t, first.ID, again.ID, "the same book")
	require.Equal(t, retrieval.KindRequired, again.Kind, "the kind given this time")
	require.Equal(t, "Xanathar's Guide", again.Title)
	require.Equal(t, "c.md", again.Filename)
	require.EqualValues(t, 1, again.ChunkCount)
	files, err = b.q.CoreRuleFileList(ctx, again.ID)
	require.NoError(t, err)
	require.Len(t, files, 1, "the file list is replaced")
	require.Equal(t, "c.md", files[0].Filename)
	require.Equal(t, again.SHA256, files[0].SHA256)

	// A required book is visible to a campaign that never enabled it.
	c, _ := b.campaign(t, "Kinds")
	results, err := b.svc.Search(ctx, c, "gamma", retrieval.SearchOptions{})
	require.NoError(t, err)
	require.NotEmpty(t, results)
}

// TestReembed_JobThroughRiver changes the embedding model with a River
// client running: the one re-embedding job re-embeds every chunk with the
// endpoint's model and completes itself.
func TestReembed_JobThroughRiver(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	f, srv := newFakeEmbeddings(t)
	f.failures = 0
	b := setupRechunkWorking(t, retrieval.NewEmbedders(retrieval.OpenAIConfig{BaseURL: srv.URL + "/v1", Model: "all-minilm"}))

	_, err := b.svc.UpdateSettings(ctx, retrieval.Settings{ChunkSize: 1000, ChunkOverlap: 150, EmbeddingModel: retrieval.OfflineModel})
	require.NoError(t, err)
	book, err := b.svc.CreateCoreRule(ctx, retrieval.CreateCoreRuleParams{
		Slug: "handbook", Title: "Handbook", Kind: retrieval.KindRequired,
		Files: []retrieval.File{{Name: "combat.md", Data: []byte(longSection("Combat", "zorblax", 20))}},
	})
	require.NoError(t, err)
	require.Eventually(t, func() bool {
		r, err := b.q.CoreRuleGet(ctx, book.ID)
		return err == nil && r.Status == retrieval.StatusReady
	}, 30*time.Second, 50*time.Millisecond)
	total := chunkCount(t, b.testBundle, "core_rule_id = $1", book.ID)
	require.Positive(t, total)
	require.Equal(t, total, chunkCount(t, b.testBundle, "embedding_model = $1", retrieval.OfflineModel))

	_, err = b.svc.UpdateSettings(ctx, retrieval.Settings{ChunkSize: 1000, ChunkOverlap: 150, EmbeddingModel: ""})
	require.NoError(t, err)
	require.Eventually(t, func() bool {
		// The first change (to the offline model, away from the
		// endpoint's default) queued one too, with nothing to do.
		states := jobStates(t, b.testBundle, "retrieval_reembed")
		return len(states) == 2 && states[0] == "completed" && states[1] == "completed"
	}, 30*time.Second, 50*time.Millisecond, "the re-embedding jobs complete")
	require.Equal(t, total, chunkCount(t, b.testBundle, "embedding_model = 'all-minilm'"), "every chunk has the new model")
	require.Empty(t, jobStates(t, b.testBundle, "retrieval_rechunk"), "a model change alone does not re-chunk")
}

// TestQueueIndexUpgrade: sources indexed with another search index version
// (an older glossary) are ingested again in the background when serve
// starts; current ones queue nothing.
func TestQueueIndexUpgrade(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	b := setupRechunkWorking(t, nil)
	c, u := b.campaign(t, "Upgrade")

	book, err := b.svc.CreateCoreRule(ctx, retrieval.CreateCoreRuleParams{
		Slug: "handbook", Title: "Handbook", Kind: retrieval.KindRequired,
		Files: []retrieval.File{{Name: "conditions.md", Data: []byte("# Conditions\n\n## Frightened\n\nYou have disadvantage while the source of your fear is in sight.\n")}},
	})
	require.NoError(t, err)
	doc, err := b.svc.UploadDocument(ctx, retrieval.UploadDocumentParams{CampaignID: c, UploadedBy: u, Filename: "notes.md", Data: []byte("# Heist\n\nThe vault opens at midnight.")})
	require.NoError(t, err)
	versions := func() (string, string) {
		var bv, dv *string
		require.NoError(t, b.pool.QueryRow(ctx, "SELECT index_version FROM core_rules WHERE id = $1", book.ID).Scan(&bv))
		require.NoError(t, b.pool.QueryRow(ctx, "SELECT index_version FROM campaign_documents WHERE id = $1", doc.ID).Scan(&dv))
		if bv == nil || dv == nil {
			return "", ""
		}
		return *bv, *dv
	}
	require.Eventually(t, func() bool {
		bv, dv := versions()
		return bv == retrieval.SearchIndexVersion && dv == retrieval.SearchIndexVersion
	}, 30*time.Second, 50*time.Millisecond, "ingestion records the index version")

	queued, err := b.svc.QueueIndexUpgrade(ctx)
	require.NoError(t, err)
	require.False(t, queued, "everything is current")

	// As after an upgrade: the book's chunks come from an older glossary,
	// without the concept words; the document's predate versions.
	_, err = b.pool.Exec(ctx, "UPDATE core_rules SET index_version = 'glossary-old' WHERE id = $1", book.ID)
	require.NoError(t, err)
	_, err = b.pool.Exec(ctx, "UPDATE campaign_documents SET index_version = NULL WHERE id = $1", doc.ID)
	require.NoError(t, err)
	_, err = b.pool.Exec(ctx, "DELETE FROM chunk_terms WHERE term LIKE 'gtconcept%'")
	require.NoError(t, err)
	plain, err := b.svc.Search(ctx, c, "I'm terrified", retrieval.SearchOptions{Mode: retrieval.KeywordOnly})
	require.NoError(t, err)
	require.Empty(t, plain, "without the concept words nothing matches")

	queued, err = b.svc.QueueIndexUpgrade(ctx)
	require.NoError(t, err)
	require.True(t, queued)
	require.Eventually(t, func() bool {
		bv, dv := versions()
		return bv == retrieval.SearchIndexVersion && dv == retrieval.SearchIndexVersion
	}, 30*time.Second, 50*time.Millisecond, "the re-chunking job indexes both again")
	res, err := b.svc.Search(ctx, c, "I'm terrified", retrieval.SearchOptions{Mode: retrieval.KeywordOnly})
	require.NoError(t, err)
	require.NotEmpty(t, res)
	require.Equal(t, "Frightened", res[0].Heading)
	queued, err = b.svc.QueueIndexUpgrade(ctx)
	require.NoError(t, err)
	require.False(t, queued)
}

// TestQueueIndexUpgradeModel: chunks embedded with another model than the
// configured one (GAMETABLE_EMBEDDINGS_MODEL changed between runs, with
// the settings naming none) are re-embedded in the background when serve
// starts.
func TestQueueIndexUpgradeModel(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	b := setupRechunkWorking(t, nil)

	book, err := b.svc.CreateCoreRule(ctx, retrieval.CreateCoreRuleParams{
		Slug: "handbook", Title: "Handbook", Kind: retrieval.KindRequired,
		Files: []retrieval.File{{Name: "rules.md", Data: []byte("# Rules\n\n## Cover\n\nHalf cover gives a +2 bonus to AC.\n\n## Resting\n\nA long rest takes eight hours.\n")}},
	})
	require.NoError(t, err)
	models := func() map[string]int {
		rows, err := b.pool.Query(ctx, "SELECT coalesce(embedding_model, '<none>') FROM chunks WHERE core_rule_id = $1", book.ID)
		require.NoError(t, err)
		got, err := pgx.CollectRows(rows, pgx.RowTo[string])
		require.NoError(t, err)
		out := map[string]int{}
		for _, m := range got {
			out[m]++
		}
		return out
	}
	require.Eventually(t, func() bool { return models()[retrieval.OfflineModel] > 0 }, 30*time.Second, 50*time.Millisecond)
	total := models()[retrieval.OfflineModel]
	queued, err := b.svc.QueueIndexUpgrade(ctx)
	require.NoError(t, err)
	require.False(t, queued, "everything is current")

	// As after a restart with another model configured: the stored chunks
	// carry the old one.
	_, err = b.pool.Exec(ctx, "UPDATE chunks SET embedding_model = 'all-minilm' WHERE core_rule_id = $1", book.ID)
	require.NoError(t, err)
	queued, err = b.svc.QueueIndexUpgrade(ctx)
	require.NoError(t, err)
	require.True(t, queued)
	require.Eventually(t, func() bool { return models()[retrieval.OfflineModel] == total }, 30*time.Second, 50*time.Millisecond,
		"every chunk is embedded again with the configured model")
	require.Equal(t, map[string]int{retrieval.OfflineModel: total}, models())
	queued, err = b.svc.QueueIndexUpgrade(ctx)
	require.NoError(t, err)
	require.False(t, queued)
}
