package http

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/riverqueue/river"
	"github.com/stretchr/testify/require"

	"gametable/db"
	"gametable/jobs"
	"gametable/llm"
	"gametable/retrieval"
	"gametable/retrieval/pdfgen"
)

// newRetrievalServer starts a test server with a retrieval Service whose
// ingestion jobs run on a real River client on the test database.
func newRetrievalServer(t *testing.T, options ...func(*Options)) *testServer {
	t.Helper()
	return newTestServer(t, append([]func(*Options){func(o *Options) {
		ctx := context.Background()
		require.NoError(t, jobs.Migrate(ctx, o.Pool, nil))
		files, err := retrieval.NewFileStore(t.TempDir())
		require.NoError(t, err)
		svc, err := retrieval.New(retrieval.Config{Pool: o.Pool, Files: files})
		require.NoError(t, err)
		workers := river.NewWorkers()
		svc.AddWorkers(workers)
		rc, err := jobs.New(o.Pool, jobs.Config{
			Workers: workers, Logger: slog.New(slog.DiscardHandler), Queues: map[string]int{retrieval.QueueName: 2},
		})
		require.NoError(t, err)
		svc.SetQueue(rc)
		require.NoError(t, rc.Start(ctx))
		t.Cleanup(func() {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			_ = rc.StopAndCancel(ctx)
		})
		o.Retrieval = svc
	}}, options...)...)
}

// insertDocument inserts a pending document of the campaign without a job
// and returns its id.
func (ts *testServer) insertDocument(t *testing.T, campaignID, userID uuid.UUID, title string) uuid.UUID {
	t.Helper()
	d, err := db.New(ts.Pool).CampaignDocumentCreate(context.Background(), db.CampaignDocumentCreateParams{
		CampaignID: campaignID, Title: title, Filename: "notes.md", ContentType: retrieval.TypeMarkdown,
		SHA256: make([]byte, 32), SizeBytes: 1, UploadedBy: userID,
	})
	require.NoError(t, err)
	return d.ID
}

// makeAdmin promotes c's user.
func (ts *testServer) makeAdmin(t *testing.T, c *testClient) {
	t.Helper()
	ts.exec(t, `UPDATE users SET is_admin = true WHERE id = $1`, c.User.ID)
}

// giveAI enables AI in the campaign (as its GM) and verifies the users'
// emails, so that they have aiAccess.
func (ts *testServer) giveAI(t *testing.T, gm *testClient, campaignID uuid.UUID, users ...*testClient) {
	t.Helper()
	for _, u := range append(users, gm) {
		ts.exec(t, `UPDATE users SET email_verified_at = now() WHERE id = $1`, u.User.ID)
	}
	gm.do(t, http.MethodPatch, campaignPath(campaignID), map[string]any{"aiEnabled": true}).requireStatus(t, http.StatusOK)
}

// postMultipart sends a multipart form: the file (when data is not nil)
// and the text fields.
func (c *testClient) postMultipart(t *testing.T, path, filename string, data []byte, fields map[string]string) *testResponse {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, v := range fields {
		require.NoError(t, mw.WriteField(k, v))
	}
	if data != nil {
		fw, err := mw.CreateFormFile("file", filename)
		require.NoError(t, err)
		_, err = fw.Write(data)
		require.NoError(t, err)
	}
	require.NoError(t, mw.Close())
	return c.do(t, http.MethodPost, path, buf.Bytes(), "Content-Type", mw.FormDataContentType())
}

// uploadDocument uploads a document as gm, requiring 202.
func uploadDocument(t *testing.T, gm *testClient, campaignID uuid.UUID, filename string, data []byte) documentJSON {
	t.Helper()
	var body documentBody
	gm.postMultipart(t, campaignPath(campaignID, "documents"), filename, data, nil).
		requireStatus(t, http.StatusAccepted).decode(t, &body)
	require.Equal(t, "pending", body.Document.Status)
	return body.Document
}

// waitDocument polls the document until it is ready or failed.
func waitDocument(t *testing.T, c *testClient, campaignID, id uuid.UUID) documentJSON {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		var body documentBody
		c.do(t, http.MethodGet, campaignPath(campaignID, "documents", id.String()), nil).
			requireStatus(t, http.StatusOK).decode(t, &body)
		if body.Document.Status == "ready" || body.Document.Status == "failed" {
			return body.Document
		}
		require.True(t, time.Now().Before(deadline), "document %s still %s", id, body.Document.Status)
		time.Sleep(50 * time.Millisecond)
	}
}

// uploadCoreRule uploads a rule book as an admin and waits until it is
// ready.
func uploadCoreRule(t *testing.T, admin *testClient, slug, kind, text string) coreRuleJSON {
	t.Helper()
	var body coreRuleBody
	admin.postMultipart(t, "/api/admin/core-rules", slug+".md", []byte(text), map[string]string{
		"title": "Book " + slug, "slug": slug, "kind": kind,
	}).requireStatus(t, http.StatusAccepted).decode(t, &body)
	require.Equal(t, kind, body.CoreRule.Kind)
	deadline := time.Now().Add(30 * time.Second)
	for {
		var list coreRuleListBody
		admin.do(t, http.MethodGet, "/api/core-rules", nil).requireStatus(t, http.StatusOK).decode(t, &list)
		for _, b := range list.Items {
			if b.ID == body.CoreRule.ID && (b.Status == "ready" || b.Status == "failed") {
				require.Equal(t, "ready", b.Status, "error: %s", b.Error)
				return b
			}
		}
		require.True(t, time.Now().Before(deadline), "book %s not ingested", slug)
		time.Sleep(50 * time.Millisecond)
	}
}

// search returns the items of /search.
func search(t *testing.T, c *testClient, campaignID uuid.UUID, q string) []retrieval.SourceJSON {
	t.Helper()
	var body searchBody
	c.do(t, http.MethodGet, campaignPath(campaignID, "search")+"?q="+strings.ReplaceAll(q, " ", "+"), nil).
		requireStatus(t, http.StatusOK).decode(t, &body)
	return body.Items
}

// chat asks a question, requiring 200.
func chat(t *testing.T, c *testClient, campaignID uuid.UUID, msg string) replyJSON {
	t.Helper()
	var body replyBody
	c.do(t, http.MethodPost, campaignPath(campaignID, "chat"), map[string]string{"message": msg}).
		requireStatus(t, http.StatusOK).decode(t, &body)
	return body.Reply
}

// mentions reports whether any item's text contains phrase.
func mentions(items []retrieval.SourceJSON, phrase string) bool {
	for _, it := range items {
		if strings.Contains(strings.ToLower(it.Text), strings.ToLower(phrase)) {
			return true
		}
	}
	return false
}

func TestRetrieval_DocumentFormats(t *testing.T) {
	t.Parallel()
	ts := newRetrievalServer(t)
	gm := ts.newUser(t, "Gina")
	c := ts.createCampaign(t, gm, "Formats")
	player := ts.join(t, gm, c.ID, rolePlayer, "Pip")

	md := uploadDocument(t, gm, c.ID, "../../etc/Session Notes.md",
		[]byte("# Session notes\n\n## The Barrow\n\nThe party found the glimmerstone under the barrow altar.\n"))
	require.NotContains(t, md.Filename, "/", "file names are sanitised")
	require.Equal(t, retrieval.TypeMarkdown, md.ContentType)
	// The type is sniffed from the content, not trusted from the name.
	txt := uploadDocument(t, gm, c.ID, "lore.pdf",
		[]byte("The old lighthouse keeper speaks only of the wanderbright tide.\n\nNobody believes him.\n"))
	require.Equal(t, retrieval.TypeText, txt.ContentType)
	pdf := uploadDocument(t, gm, c.ID, "handout.pdf", pdfgen.Pages([][]string{
		{"Handout", "", "Welcome to the city of Varn."},
		{"Secrets", "", "The mayor hides the moonquill ledger in the cellar."},
	}))
	require.Equal(t, retrieval.TypePDF, pdf.ContentType)

	for _, d := range []struct {
		doc    documentJSON
		phrase string
	}{{md, "glimmerstone"}, {txt, "wanderbright"}, {pdf, "moonquill"}} {
		got := waitDocument(t, player, c.ID, d.doc.ID)
		require.Equal(t, "ready", got.Status, "%s: %s", d.doc.Filename, got.Error)
		require.Positive(t, got.ChunkCount)
		require.Equal(t, got.ChunkCount, got.ProgressTotal, "progress counts the chunks")
		require.Equal(t, got.ProgressTotal, got.ProgressDone)
		items := search(t, player, c.ID, d.phrase)
		require.NotEmpty(t, items, d.phrase)
		require.Contains(t, items[0].Text, d.phrase)
		require.Equal(t, "campaignDocument", items[0].Source.Type)
		require.Equal(t, d.doc.ID.String(), items[0].Source.ID)
		if d.doc.ID == pdf.ID {
			require.NotNil(t, items[0].Source.Page)
			require.Equal(t, 2, *items[0].Source.Page)
		}
	}

	// A corrupt PDF is accepted, then fails with a readable error.
	bad := uploadDocument(t, gm, c.ID, "broken.pdf", []byte("%PDF-1.7\n1 0 obj << /Type /Catalog >> garbage garbage\n"))
	got := waitDocument(t, gm, c.ID, bad.ID)
	require.Equal(t, "failed", got.Status)
	require.Contains(t, got.Error, "PDF")
	require.NotContains(t, got.Error, "internal")

	// Wrong types: an image is 422 on file; a body that is not multipart 400.
	png := append([]byte("\x89PNG\r\n\x1a\n"), make([]byte, 64)...)
	gm.postMultipart(t, campaignPath(c.ID, "documents"), "map.png", png, nil).requireFields(t, "file")
	gm.postMultipart(t, campaignPath(c.ID, "documents"), "", nil, map[string]string{"title": "x"}).requireFields(t, "file")
	gm.do(t, http.MethodPost, campaignPath(c.ID, "documents"), map[string]string{"file": "x"}).
		requireError(t, http.StatusBadRequest, codeBadRequest)

	// The list pages, newest first.
	var page1, page2 documentListBody
	player.do(t, http.MethodGet, campaignPath(c.ID, "documents")+"?limit=3", nil).requireStatus(t, http.StatusOK).decode(t, &page1)
	require.Len(t, page1.Items, 3)
	require.NotEmpty(t, page1.NextCursor)
	require.Equal(t, bad.ID, page1.Items[0].ID)
	player.do(t, http.MethodGet, campaignPath(c.ID, "documents")+"?limit=3&cursor="+page1.NextCursor, nil).
		requireStatus(t, http.StatusOK).decode(t, &page2)
	require.Len(t, page2.Items, 1)
	require.Equal(t, md.ID, page2.Items[0].ID)
	require.Empty(t, page2.NextCursor)
	player.do(t, http.MethodGet, campaignPath(c.ID, "documents")+"?cursor=nope", nil).requireFields(t, "cursor")

	// Deletion removes the chunks with the document.
	gm.do(t, http.MethodDelete, campaignPath(c.ID, "documents", md.ID.String()), nil).requireStatus(t, http.StatusNoContent)
	gm.do(t, http.MethodGet, campaignPath(c.ID, "documents", md.ID.String()), nil).requireError(t, http.StatusNotFound, codeNotFound)
	gm.do(t, http.MethodDelete, campaignPath(c.ID, "documents", md.ID.String()), nil).requireError(t, http.StatusNotFound, codeNotFound)
	var n int
	require.NoError(t, ts.Pool.QueryRow(context.Background(),
		`SELECT count(*) FROM chunks WHERE campaign_document_id = $1`, md.ID).Scan(&n))
	require.Zero(t, n)
	require.False(t, mentions(search(t, player, c.ID, "glimmerstone"), "glimmerstone"))
}

func TestRetrieval_SearchParameters(t *testing.T) {
	t.Parallel()
	ts := newRetrievalServer(t)
	gm := ts.newUser(t, "Gina")
	c := ts.createCampaign(t, gm, "Search")
	doc := uploadDocument(t, gm, c.ID, "notes.md", []byte("# Notes\n\n## Bridge\n\nThe troll bridge toll is one silver.\n\n## Ford\n\nThe troll ford is deep.\n\n## Cave\n\nThe troll cave smells.\n"))
	require.Equal(t, "ready", waitDocument(t, gm, c.ID, doc.ID).Status)

	require.GreaterOrEqual(t, len(search(t, gm, c.ID, "troll")), 2)
	require.Empty(t, search(t, gm, c.ID, "   "), "a blank question finds nothing")
	var one searchBody
	gm.do(t, http.MethodGet, campaignPath(c.ID, "search")+"?q=troll&limit=1", nil).requireStatus(t, http.StatusOK).decode(t, &one)
	require.Len(t, one.Items, 1)
	for _, bad := range []string{"0", "51", "ten", "-1"} {
		gm.do(t, http.MethodGet, campaignPath(c.ID, "search")+"?q=troll&limit="+bad, nil).requireFields(t, "limit")
	}
	gm.do(t, http.MethodGet, campaignPath(c.ID, "search")+"?q="+strings.Repeat("a", 1001), nil).requireFields(t, "q")
	gm.do(t, http.MethodGet, campaignPath(c.ID, "search")+"?q=%ff%fe", nil).requireFields(t, "q")
}

func TestRetrieval_UploadLimit(t *testing.T) {
	t.Parallel()
	ts := newRetrievalServer(t, func(o *Options) { o.UploadMaxBytes = 4096 })
	gm := ts.newUser(t, "Gina")
	c := ts.createCampaign(t, gm, "Limits")

	big := []byte("# Big\n\n" + strings.Repeat("A long line of notes about the campaign.\n", 200))
	require.Greater(t, len(big), 4096)
	gm.postMultipart(t, campaignPath(c.ID, "documents"), "big.md", big, nil).
		requireError(t, http.StatusRequestEntityTooLarge, codePayloadTooLarge)
	// Under the limit but over the 1 MiB JSON limit's share is irrelevant:
	// a file just under the upload limit passes.
	uploadDocument(t, gm, c.ID, "small.md", big[:4000])
	// The same limit holds for rule books.
	admin := ts.newUser(t, "Ada")
	ts.makeAdmin(t, admin)
	admin.postMultipart(t, "/api/admin/core-rules", "big.md", big, map[string]string{"title": "Big", "slug": "big", "kind": "required"}).
		requireError(t, http.StatusRequestEntityTooLarge, codePayloadTooLarge)

	// The default limit is 50 MiB, so a 2 MiB upload (over the JSON
	// limit) is accepted by a default server.
	ts2 := newRetrievalServer(t)
	gm2 := ts2.newUser(t, "Gail")
	c2 := ts2.createCampaign(t, gm2, "Default")
	two := []byte("# Notes\n\n" + strings.Repeat("The road north is long and the inns are few.\n", 2<<20/46))
	require.Greater(t, len(two), 1<<20)
	uploadDocument(t, gm2, c2.ID, "two.md", two)
}

func TestRetrieval_CoreRulesAndSettings(t *testing.T) {
	t.Parallel()
	ts := newRetrievalServer(t)
	admin := ts.newUser(t, "Ada")
	ts.makeAdmin(t, admin)
	user := ts.newUser(t, "Una")

	const text = "# Homebrew\n\n## Flanking\n\nTwo allies on opposite sides of a foe have advantage.\n"
	user.postMultipart(t, "/api/admin/core-rules", "b.md", []byte(text), map[string]string{"title": "B", "slug": "b", "kind": "optional"}).
		requireError(t, http.StatusForbidden, codeForbidden)
	admin.postMultipart(t, "/api/admin/core-rules", "b.md", []byte(text), map[string]string{"title": "B", "slug": "Bad Slug", "kind": "tool_only"}).
		requireFields(t, "slug", "kind")
	admin.postMultipart(t, "/api/admin/core-rules", "", nil, map[string]string{"title": "B", "slug": "b", "kind": "required"}).
		requireFields(t, "file")

	book := uploadCoreRule(t, admin, "homebrew", "toolOnly", text)
	require.Equal(t, "toolOnly", book.Kind)
	require.Positive(t, book.ChunkCount)
	var list coreRuleListBody
	user.do(t, http.MethodGet, "/api/core-rules", nil).requireStatus(t, http.StatusOK).decode(t, &list)
	require.Len(t, list.Items, 1)
	require.Equal(t, "homebrew", list.Items[0].Slug)
	require.Equal(t, "ready", list.Items[0].Status)
	require.Equal(t, book.ChunkCount, list.Items[0].ProgressTotal, "progress counts the chunks")
	require.Equal(t, list.Items[0].ProgressTotal, list.Items[0].ProgressDone)
	var kind string
	require.NoError(t, ts.Pool.QueryRow(context.Background(), `SELECT kind FROM core_rules WHERE id = $1`, book.ID).Scan(&kind))
	require.Equal(t, "tool_only", kind)
	ts.newClient(t).do(t, http.MethodGet, "/api/core-rules", nil).requireError(t, http.StatusUnauthorized, codeUnauthorized)
	// A taken slug.
	admin.postMultipart(t, "/api/admin/core-rules", "b.md", []byte(text), map[string]string{"title": "B", "slug": "homebrew", "kind": "required"}).
		requireError(t, http.StatusConflict, codeConflict)

	// Settings.
	user.do(t, http.MethodGet, "/api/admin/ingestion-settings", nil).requireError(t, http.StatusForbidden, codeForbidden)
	user.do(t, http.MethodPut, "/api/admin/ingestion-settings", map[string]any{"chunkSize": 900, "chunkOverlap": 100, "embeddingModel": ""}).
		requireError(t, http.StatusForbidden, codeForbidden)
	var st settingsJSON
	admin.do(t, http.MethodGet, "/api/admin/ingestion-settings", nil).requireStatus(t, http.StatusOK).decode(t, &st)
	require.Positive(t, st.ChunkSize)
	admin.do(t, http.MethodPut, "/api/admin/ingestion-settings", map[string]any{"chunkSize": 50, "chunkOverlap": 10, "embeddingModel": ""}).
		requireFields(t, "chunkSize")
	admin.do(t, http.MethodPut, "/api/admin/ingestion-settings", map[string]any{"chunkSize": 800}).
		requireFields(t, "chunkOverlap", "embeddingModel")
	admin.do(t, http.MethodPut, "/api/admin/ingestion-settings", map[string]any{"chunkSize": 800, "chunkOverlap": 100, "embeddingModel": "no-such-model"}).
		requireFields(t, "embeddingModel")
	admin.do(t, http.MethodPut, "/api/admin/ingestion-settings", map[string]any{"chunkSize": 800, "chunkOverlap": 100, "embeddingModel": ""}).
		requireStatus(t, http.StatusOK).decode(t, &st)
	require.Equal(t, settingsJSON{ChunkSize: 800, ChunkOverlap: 100}, st)
}

// TestRetrieval_Scope: what a campaign may see, by /search and by chat
// sources.
func TestRetrieval_Scope(t *testing.T) {
	t.Parallel()
	ts := newRetrievalServer(t)
	admin := ts.newUser(t, "Ada")
	ts.makeAdmin(t, admin)
	gmA := ts.newUser(t, "Gina")
	a := ts.createCampaign(t, gmA, "Alpha")
	playerA := ts.join(t, gmA, a.ID, rolePlayer, "Pip")
	gmB := ts.newUser(t, "Gus")
	b := ts.createCampaign(t, gmB, "Beta")
	ts.giveAI(t, gmA, a.ID, playerA)
	ts.giveAI(t, gmB, b.ID)

	required := uploadCoreRule(t, admin, "core", "required", "# Core\n\n## Grappling\n\nTo grapple, make an Athletics check against the target.\n")
	optional := uploadCoreRule(t, admin, "extra", "optional", "# Extra\n\n## Zorblatt Storms\n\nA zorblatt storm deals lightning damage each round.\n")
	toolOnly := uploadCoreRule(t, admin, "tools", "toolOnly", "# Tools\n\n## Quixotrel\n\nThe quixotrel beast has forty hit points.\n")
	doc := uploadDocument(t, gmA, a.ID, "notes.md", []byte("# Notes\n\n## Secret\n\nThe flumbergast key opens the vault.\n"))
	require.Equal(t, "ready", waitDocument(t, gmA, a.ID, doc.ID).Status)

	visible := func(c *testClient, cid uuid.UUID, phrase, question string) (inSearch, inChat bool) {
		t.Helper()
		return mentions(search(t, c, cid, phrase), phrase), mentions(chat(t, c, cid, question).Sources, phrase)
	}

	// The required book is visible everywhere.
	s, ch := visible(playerA, a.ID, "grapple", "How do I grapple?")
	require.True(t, s && ch, "required book: search %v chat %v", s, ch)
	s, ch = visible(gmB, b.ID, "grapple", "How do I grapple?")
	require.True(t, s && ch, "required book in B: search %v chat %v", s, ch)

	// The optional book only once the campaign enables it.
	s, ch = visible(playerA, a.ID, "zorblatt", "What does a zorblatt storm do?")
	require.False(t, s || ch, "optional book before enabling: search %v chat %v", s, ch)
	var crb campaignCoreRuleBody
	gmA.do(t, http.MethodPut, campaignPath(a.ID, "core-rules", optional.ID.String()), map[string]bool{"enabled": true}).
		requireStatus(t, http.StatusOK).decode(t, &crb)
	require.True(t, crb.CoreRule.Enabled)
	require.Equal(t, "optional", crb.CoreRule.Kind)
	s, ch = visible(playerA, a.ID, "zorblatt", "What does a zorblatt storm do?")
	require.True(t, s && ch, "optional book after enabling: search %v chat %v", s, ch)
	// …in that campaign only.
	s, ch = visible(gmB, b.ID, "zorblatt", "What does a zorblatt storm do?")
	require.False(t, s || ch, "optional book in B: search %v chat %v", s, ch)
	// Disabled again, it is gone.
	gmA.do(t, http.MethodPut, campaignPath(a.ID, "core-rules", optional.ID.String()), map[string]bool{"enabled": false}).
		requireStatus(t, http.StatusOK)
	s, ch = visible(playerA, a.ID, "zorblatt", "What does a zorblatt storm do?")
	require.False(t, s || ch, "optional book disabled: search %v chat %v", s, ch)

	// A tool-only book never appears, and cannot be enabled; nor can a
	// required book be disabled.
	gmA.do(t, http.MethodPut, campaignPath(a.ID, "core-rules", toolOnly.ID.String()), map[string]bool{"enabled": true}).requireFields(t, "enabled")
	gmA.do(t, http.MethodPut, campaignPath(a.ID, "core-rules", required.ID.String()), map[string]bool{"enabled": false}).requireFields(t, "enabled")
	gmA.do(t, http.MethodPut, campaignPath(a.ID, "core-rules", uuid.NewString()), map[string]bool{"enabled": true}).requireError(t, http.StatusNotFound, codeNotFound)
	gmA.do(t, http.MethodPut, campaignPath(a.ID, "core-rules", optional.ID.String()), map[string]any{}).requireFields(t, "enabled")
	for _, c := range []struct {
		client *testClient
		id     uuid.UUID
	}{{playerA, a.ID}, {gmB, b.ID}} {
		s, ch = visible(c.client, c.id, "quixotrel", "How many hit points does the quixotrel beast have?")
		require.False(t, s || ch, "tool-only book: search %v chat %v", s, ch)
	}

	// A campaign's document only in that campaign.
	s, ch = visible(playerA, a.ID, "flumbergast", "What opens the vault? The flumbergast key?")
	require.True(t, s && ch, "own document: search %v chat %v", s, ch)
	s, ch = visible(gmB, b.ID, "flumbergast", "What opens the vault? The flumbergast key?")
	require.False(t, s || ch, "other campaign's document: search %v chat %v", s, ch)
	gmB.do(t, http.MethodGet, campaignPath(b.ID, "documents", doc.ID.String()), nil).requireError(t, http.StatusNotFound, codeNotFound)

	// The campaign's list of books.
	var list campaignCoreRuleListBody
	playerA.do(t, http.MethodGet, campaignPath(a.ID, "core-rules"), nil).requireStatus(t, http.StatusOK).decode(t, &list)
	kinds := map[string]campaignCoreRuleJSON{}
	for _, it := range list.Items {
		kinds[it.Kind] = it
	}
	require.Len(t, kinds, 3)
	require.True(t, kinds["required"].Enabled)
	require.False(t, kinds["optional"].Enabled)
	require.Equal(t, toolOnly.ID, kinds["toolOnly"].ID)
}

func TestRetrieval_ChatOffline(t *testing.T) {
	t.Parallel()
	ts := newRetrievalServer(t)
	gm := ts.newUser(t, "Gina")
	c := ts.createCampaign(t, gm, "Chat")
	player := ts.join(t, gm, c.ID, rolePlayer, "Pip")
	other := ts.join(t, gm, c.ID, rolePlayer, "Olly")
	doc := uploadDocument(t, gm, c.ID, "rules.md", []byte("# House rules\n\n## Cover\n\nA target with half cover has a +2 bonus to AC.\n\n## Resting\n\nA long rest takes eight hours.\n"))
	require.Equal(t, "ready", waitDocument(t, gm, c.ID, doc.ID).Status)

	// Without aiAccess: 403 ai_access_denied, whatever the body.
	player.do(t, http.MethodPost, campaignPath(c.ID, "chat"), map[string]string{"message": "What does half cover give?"}).
		requireError(t, http.StatusForbidden, codeAIAccessDenied)
	player.do(t, http.MethodPost, campaignPath(c.ID, "chat"), map[string]string{"message": " "}).
		requireError(t, http.StatusForbidden, codeAIAccessDenied)
	ts.giveAI(t, gm, c.ID, player)
	// Email not verified: still denied.
	other.do(t, http.MethodPost, campaignPath(c.ID, "chat"), map[string]string{"message": "What does half cover give?"}).
		requireError(t, http.StatusForbidden, codeAIAccessDenied)
	player.do(t, http.MethodPost, campaignPath(c.ID, "chat"), map[string]string{"message": "  "}).requireFields(t, "message")

	reply := chat(t, player, c.ID, "What does half cover give?")
	require.Contains(t, reply.Answer, "+2")
	require.NotEmpty(t, reply.Sources)
	require.Equal(t, "Cover", reply.Sources[0].Heading)
	require.Equal(t, doc.ID.String(), reply.Sources[0].Source.ID)

	none := chat(t, player, c.ID, "xylophone zeppelin quasar")
	require.Equal(t, retrieval.NotFoundText, none.Answer)
	require.Empty(t, none.Sources)

	// History: this user's, newest first, paged: each answer comes right
	// before (newer than) its question.
	var h1, h2 chatHistoryBody
	player.do(t, http.MethodGet, campaignPath(c.ID, "chat")+"?limit=3", nil).requireStatus(t, http.StatusOK).decode(t, &h1)
	require.Len(t, h1.Items, 3)
	require.NotEmpty(t, h1.NextCursor)
	player.do(t, http.MethodGet, campaignPath(c.ID, "chat")+"?limit=3&cursor="+h1.NextCursor, nil).requireStatus(t, http.StatusOK).decode(t, &h2)
	require.Len(t, h2.Items, 1)
	require.Empty(t, h2.NextCursor)
	all := append(h1.Items, h2.Items...)
	byID := map[uuid.UUID]chatMessageJSON{}
	for _, m := range all {
		byID[m.ID] = m
	}
	require.Len(t, byID, 4)
	require.Equal(t, []string{"assistant", "user", "assistant", "user"},
		[]string{all[0].Role, all[1].Role, all[2].Role, all[3].Role})
	require.Equal(t, none.ID, all[0].ID, "the latest answer comes first")
	require.Equal(t, reply.ID, all[2].ID)
	require.Equal(t, reply.Sources, byID[reply.ID].Sources)
	require.Equal(t, "assistant", byID[reply.ID].Role)
	questions := 0
	for _, m := range all {
		if m.Role == "user" {
			questions++
			require.Empty(t, m.Sources)
		}
	}
	require.Equal(t, 2, questions)
	var gmHistory chatHistoryBody
	gm.do(t, http.MethodGet, campaignPath(c.ID, "chat"), nil).requireStatus(t, http.StatusOK).decode(t, &gmHistory)
	require.Empty(t, gmHistory.Items)
}

func TestRetrieval_ChatModel(t *testing.T) {
	t.Parallel()
	var (
		mu     sync.Mutex
		prompt string
	)
	model := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/v1/chat/completions" {
			http.NotFound(w, r)
			return
		}
		var req struct {
			Messages []struct {
				Role    string `json:"role"`
				Content string `json:"content"`
			} `json:"messages"`
		}
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		mu.Lock()
		prompt = ""
		for _, m := range req.Messages {
			prompt += m.Content + "\n"
		}
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"id":"x","object":"chat.completion","model":"tiny","choices":[{"index":0,"finish_reason":"stop","message":{"role":"assistant","content":"Half cover gives +2 to AC [1]."}}]}`))
	}))
	t.Cleanup(model.Close)
	client, err := llm.New(llm.Config{BaseURL: model.URL + "/v1", Model: "tiny"})
	require.NoError(t, err)

	ts := newRetrievalServer(t, func(o *Options) { o.RulesChat = retrieval.NewChatCompleter(client) })
	gm := ts.newUser(t, "Gina")
	c := ts.createCampaign(t, gm, "Model")
	ts.giveAI(t, gm, c.ID)
	doc := uploadDocument(t, gm, c.ID, "rules.md", []byte("# House rules\n\n## Cover\n\nA target with half cover has a +2 bonus to AC and Dexterity saving throws.\n\n## Resting\n\nA long rest takes eight hours.\n"))
	require.Equal(t, "ready", waitDocument(t, gm, c.ID, doc.ID).Status)

	reply := chat(t, gm, c.ID, "What does half cover give?")
	require.Equal(t, "Half cover gives +2 to AC [1].", reply.Answer)
	require.NotEmpty(t, reply.Sources)
	require.Equal(t, "Cover", reply.Sources[0].Heading)
	mu.Lock()
	defer mu.Unlock()
	require.Contains(t, prompt, "What does half cover give?")
	for i, src := range reply.Sources {
		require.Contains(t, prompt, strings.TrimSpace(src.Text), "source %d is in the prompt", i)
	}
}

func TestRetrieval_ChatRateLimit(t *testing.T) {
	t.Parallel()
	ts := newRetrievalServer(t, func(o *Options) { o.ChatPerMinute = 2 })
	gm := ts.newUser(t, "Gina")
	c := ts.createCampaign(t, gm, "Limited")
	player := ts.join(t, gm, c.ID, rolePlayer, "Pip")
	ts.giveAI(t, gm, c.ID, player)

	for i := range 2 {
		chat(t, player, c.ID, fmt.Sprintf("question %d about grappling", i))
	}
	res := player.do(t, http.MethodPost, campaignPath(c.ID, "chat"), map[string]string{"message": "one more"})
	res.requireError(t, http.StatusTooManyRequests, codeRateLimited)
	secs, err := strconv.Atoi(res.Header.Get("Retry-After"))
	require.NoError(t, err)
	require.Positive(t, secs)
	// The limit is per user: the GM may still ask.
	chat(t, gm, c.ID, "how does grappling work")
}

func TestRetrieval_Unavailable(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	gm := ts.newUser(t, "Gina")
	c := ts.createCampaign(t, gm, "Plain")
	gm.do(t, http.MethodGet, campaignPath(c.ID, "search")+"?q=grapple", nil).requireError(t, http.StatusServiceUnavailable, codeUnavailable)
	var list campaignCoreRuleListBody
	gm.do(t, http.MethodGet, campaignPath(c.ID, "core-rules"), nil).requireStatus(t, http.StatusOK).decode(t, &list)
	require.Empty(t, list.Items)
}
