package retrieval_test

import (
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/riverqueue/river"
	"github.com/stretchr/testify/require"

	"gametable/db"
	"gametable/jobs"
	"gametable/retrieval"
	"gametable/retrieval/pdfgen"
)

func chunkCount(t *testing.T, b *testBundle, where string, args ...any) int {
	t.Helper()
	var n int
	require.NoError(t, b.pool.QueryRow(context.Background(), "SELECT count(*) FROM chunks WHERE "+where, args...).Scan(&n))
	return n
}

func newDocument(t *testing.T, b *testBundle, campaignID, userID uuid.UUID, filename string) db.CampaignDocument {
	t.Helper()
	doc, err := b.q.CampaignDocumentCreate(context.Background(), db.CampaignDocumentCreateParams{
		CampaignID: campaignID, Title: filename, Filename: filename, ContentType: retrieval.TypeText,
		SHA256: make([]byte, 32), UploadedBy: userID,
	})
	require.NoError(t, err)
	return doc
}

// TestIngestFormats ingests a Markdown, a plain text and a PDF document and
// finds each by search, with the PDF's page numbers kept.
func TestIngestFormats(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b := setup(t)
	c, u := b.campaign(t, "Formats")
	pdf := pdfgen.Pages([][]string{
		{"Session zero notes.", "Nothing of interest here."},
		{"The lich Vexmoor hides his phylactery in the clocktower."},
	})
	tests := []struct {
		name, file, query, marker string
		data                      []byte
		page                      int
		heading                   string
	}{
		{name: "markdown", file: "lore.md", data: []byte("# Lore\n\n## The Drowned God\n\nFishermen of Saltmarsh pray to the drowned god Umberlee."),
			query: "who do the fishermen pray to", marker: "Umberlee", heading: "The Drowned God"},
		{name: "text", file: "npcs.txt", data: []byte("Barkeep Oswin Thrale runs the Yawning Portal.\nHe owes the thieves' guild money."),
			query: "who runs the yawning portal", marker: "Thrale"},
		{name: "pdf", file: "villain.pdf", data: pdf, query: "where is the phylactery hidden", marker: "clocktower", page: 2},
	}
	for _, tt := range tests {
		doc := newDocument(t, b, c, u, tt.file)
		var last retrieval.Progress
		require.NoError(t, b.svc.IngestDocument(ctx, c, doc.ID, tt.data, func(p retrieval.Progress) { last = p }), tt.name)
		require.Positive(t, last.Total, tt.name)
		require.Equal(t, last.Total, last.Done, tt.name)
		got, err := b.q.CampaignDocumentGet(ctx, db.CampaignDocumentGetParams{CampaignID: c, ID: doc.ID})
		require.NoError(t, err)
		require.Equal(t, retrieval.StatusReady, got.Status, tt.name)
		require.Nil(t, got.Error)
		require.EqualValues(t, last.Total, got.ChunkCount)
		require.Equal(t, got.ProgressTotal, got.ProgressDone)

		results, err := b.svc.Search(ctx, c, tt.query, retrieval.SearchOptions{Limit: 3})
		require.NoError(t, err)
		require.NotEmpty(t, results, tt.name)
		top := results[0]
		require.Contains(t, top.Text, tt.marker, tt.name)
		require.Equal(t, retrieval.SourceCampaignDocument, top.Source.Type)
		require.Equal(t, doc.ID, top.Source.ID)
		require.Equal(t, tt.file, top.Source.Title)
		require.Equal(t, tt.page, top.Page, tt.name)
		require.Equal(t, tt.heading, top.Heading, tt.name)
	}
}

// TestIngestCorruptPDF fails the document with a readable error and keeps
// the server up.
func TestIngestCorruptPDF(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b := setup(t)
	c, u := b.campaign(t, "Corrupt")
	doc := newDocument(t, b, c, u, "broken.pdf")
	err := b.svc.IngestDocument(ctx, c, doc.ID, []byte("%PDF-1.7\n1 0 obj << /Type /Catalog >> garbage"), nil)
	require.ErrorIs(t, err, retrieval.ErrUnreadablePDF)
	got, err := b.q.CampaignDocumentGet(ctx, db.CampaignDocumentGetParams{CampaignID: c, ID: doc.ID})
	require.NoError(t, err)
	require.Equal(t, retrieval.StatusFailed, got.Status)
	require.NotNil(t, got.Error)
	require.True(t, strings.HasPrefix(*got.Error, "the PDF could not be read"), *got.Error)
	require.Zero(t, got.ChunkCount)
}

func TestReingestReplacesAndDeleteRemovesChunks(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b := setup(t)
	c, u := b.campaign(t, "Replace")
	doc := newDocument(t, b, c, u, "notes.md")
	require.NoError(t, b.svc.IngestDocument(ctx, c, doc.ID, []byte("# A\n\nalpha\n\n# B\n\nbeta\n\n# C\n\ngamma"), nil))
	require.Equal(t, 3, chunkCount(t, b, "campaign_document_id = $1", doc.ID))
	require.NoError(t, b.svc.IngestDocument(ctx, c, doc.ID, []byte("# A\n\nonly one section now"), nil))
	require.Equal(t, 1, chunkCount(t, b, "campaign_document_id = $1", doc.ID))
	var terms int
	require.NoError(t, b.pool.QueryRow(ctx, "SELECT count(*) FROM term_doc_frequencies WHERE campaign_document_id = $1 AND term = 'gamma'", doc.ID).Scan(&terms))
	require.Zero(t, terms, "statistics are rebuilt with the chunks")

	require.NoError(t, b.svc.DeleteDocument(ctx, c, doc.ID))
	require.Zero(t, chunkCount(t, b, "campaign_document_id = $1", doc.ID))
	require.NoError(t, b.pool.QueryRow(ctx, "SELECT count(*) FROM term_doc_frequencies WHERE campaign_document_id = $1", doc.ID).Scan(&terms))
	require.Zero(t, terms)
	require.ErrorIs(t, b.svc.DeleteDocument(ctx, c, doc.ID), db.ErrNotFound)
}

func TestUploadValidation(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b := setup(t)
	c, u := b.campaign(t, "Uploads")
	tests := []struct {
		name  string
		p     retrieval.UploadDocumentParams
		field string
	}{
		{name: "empty", p: retrieval.UploadDocumentParams{Filename: "a.md"}, field: "file"},
		{name: "png named markdown", p: retrieval.UploadDocumentParams{Filename: "a.md", Data: []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDRxxxx")}, field: "file"},
		{name: "long title", p: retrieval.UploadDocumentParams{Filename: "a.md", Title: strings.Repeat("t", 201), Data: []byte("text")}, field: "title"},
	}
	for _, tt := range tests {
		tt.p.CampaignID, tt.p.UploadedBy = c, u
		_, err := b.svc.UploadDocument(ctx, tt.p)
		var ve *retrieval.ValidationError
		require.ErrorAs(t, err, &ve, tt.name)
		require.Contains(t, ve.Fields, tt.field, tt.name)
	}
	require.Equal(t, "passwd", retrieval.SanitizeFilename("../../etc/passwd"))
	require.Equal(t, "evil_name.md", retrieval.SanitizeFilename("C:\\x\\.evil<name.md"[5:]))
	require.Equal(t, "upload", retrieval.SanitizeFilename("..."))
}

// TestUploadIngestsInTheBackground runs the whole path: an upload commits
// the document and its job together, and a River client works the job.
func TestUploadIngestsInTheBackground(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	b := setup(t)
	require.NoError(t, jobs.Migrate(ctx, b.pool, nil))
	files, err := retrieval.NewFileStore(t.TempDir())
	require.NoError(t, err)
	svc, err := retrieval.New(retrieval.Config{Pool: b.pool, Files: files})
	require.NoError(t, err)
	workers := river.NewWorkers()
	svc.AddWorkers(workers)
	client, err := jobs.New(b.pool, jobs.Config{Logger: slog.New(slog.DiscardHandler), Workers: workers, Queues: map[string]int{retrieval.QueueName: 1}})
	require.NoError(t, err)
	svc.SetQueue(client)

	c, u := b.campaign(t, "Background")
	good, err := svc.UploadDocument(ctx, retrieval.UploadDocumentParams{CampaignID: c, UploadedBy: u, Filename: "dir/Heist Plan.md", Data: []byte("# Heist\n\nThe vault opens at midnight.")})
	require.NoError(t, err)
	require.Equal(t, "Heist Plan", good.Title)
	require.Equal(t, "Heist Plan.md", good.Filename)
	require.Equal(t, retrieval.TypeMarkdown, good.ContentType)
	require.Equal(t, retrieval.StatusPending, good.Status)
	bad, err := svc.UploadDocument(ctx, retrieval.UploadDocumentParams{CampaignID: c, UploadedBy: u, Filename: "scan.pdf", Data: []byte("%PDF-1.4\nnot really")})
	require.NoError(t, err, "a PDF that cannot be parsed is accepted, then fails in the background")

	require.NoError(t, client.Start(ctx))
	t.Cleanup(func() {
		stopCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		_ = client.Stop(stopCtx)
	})
	waitStatus := func(id uuid.UUID, want string) db.CampaignDocument {
		var got db.CampaignDocument
		require.Eventually(t, func() bool {
			got, err = b.q.CampaignDocumentGet(ctx, db.CampaignDocumentGetParams{CampaignID: c, ID: id})
			return err == nil && got.Status == want
		}, 30*time.Second, 50*time.Millisecond, "document %s to become %s", id, want)
		return got
	}
	waitStatus(good.ID, retrieval.StatusReady)
	failed := waitStatus(bad.ID, retrieval.StatusFailed)
	require.Contains(t, *failed.Error, "PDF")
	results, err := svc.Search(ctx, c, "when does the vault open", retrieval.SearchOptions{})
	require.NoError(t, err)
	require.NotEmpty(t, results)
	require.Contains(t, results[0].Text, "midnight")
}

// TestModelChangeReembeds switches the embedding model to an
// OpenAI-compatible endpoint (a loopback server) and re-embeds.
func TestModelChangeReembeds(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f, srv := newFakeEmbeddings(t)
	f.failures = 0
	b := setup(t)
	svc, err := retrieval.New(retrieval.Config{
		Pool:      b.pool,
		Embedders: retrieval.NewEmbedders(retrieval.OpenAIConfig{BaseURL: srv.URL + "/v1", Model: "all-minilm"}),
	})
	require.NoError(t, err)
	c, _ := b.campaign(t, "Models")

	// The settings name the offline model explicitly at first.
	_, err = svc.UpdateSettings(ctx, retrieval.Settings{ChunkSize: 1000, ChunkOverlap: 150, EmbeddingModel: retrieval.OfflineModel})
	require.NoError(t, err)
	r, err := b.q.CoreRuleCreate(ctx, db.CoreRuleCreateParams{Slug: "srd", Title: "SRD", Kind: retrieval.KindRequired})
	require.NoError(t, err)
	require.NoError(t, svc.IngestCoreRule(ctx, r.ID, []retrieval.File{{Name: "a.md", Data: []byte("# Rest\n\nA long rest lasts eight hours.\n\n# Cover\n\nHalf cover gives +2 AC.")}}, nil))
	require.Equal(t, 2, chunkCount(t, b, "embedding_model = $1", retrieval.OfflineModel))

	_, err = svc.UpdateSettings(ctx, retrieval.Settings{ChunkSize: 1000, ChunkOverlap: 150, EmbeddingModel: ""})
	require.NoError(t, err, "empty means the configured endpoint's model")
	n, err := svc.Reembed(ctx, nil)
	require.NoError(t, err)
	require.Equal(t, 2, n)
	require.Equal(t, 2, chunkCount(t, b, "embedding_model = 'all-minilm'"))
	results, err := svc.Search(ctx, c, "how long is a long rest", retrieval.SearchOptions{Mode: retrieval.VectorOnly})
	require.NoError(t, err)
	require.NotEmpty(t, results)
	require.Contains(t, results[0].Text, "eight hours")

	_, err = svc.UpdateSettings(ctx, retrieval.Settings{ChunkSize: 50, ChunkOverlap: 60})
	var ve *retrieval.ValidationError
	require.ErrorAs(t, err, &ve)
	require.Contains(t, ve.Fields, "chunkSize")
	require.Contains(t, ve.Fields, "chunkOverlap")

	offline, err := retrieval.New(retrieval.Config{Pool: b.pool})
	require.NoError(t, err)
	_, err = offline.UpdateSettings(ctx, retrieval.Settings{ChunkSize: 1000, ChunkOverlap: 0, EmbeddingModel: "text-embedding-3-small"})
	require.ErrorAs(t, err, &ve, "no endpoint configured for another model")
	require.Contains(t, ve.Fields, "embeddingModel")
}
