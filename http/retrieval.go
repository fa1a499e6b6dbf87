package http

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/go-chi/chi/v5"
	"github.com/google/uuid"
	"golang.org/x/time/rate"

	"gametable/db"
	"gametable/retrieval"
)

// Rule books, campaign documents, search and the rules chat (CONTRACT.md
// section 9). The work is retrieval.Service's; this file checks access,
// reads uploads and shapes the answers. The campaign scope of search and
// chat is enforced in retrieval's SQL; here every campaign route is behind
// requireMember and every document lookup carries the campaign ID.

// DefaultUploadMaxBytes is the upload limit when Options.UploadMaxBytes is 0.
const DefaultUploadMaxBytes = 50 << 20

// DefaultChatPerMinute is the per-user rules-chat rate when
// Options.ChatPerMinute is 0.
const DefaultChatPerMinute = 10

const (
	// uploadOverhead is what a multipart body may hold beyond its files:
	// boundaries, part headers and the small text fields.
	uploadOverhead = 64 << 10
	// maxUploadField bounds a text field of an upload (title, slug, kind).
	maxUploadField = 1024
	// Search page sizes.
	defaultSearchLimit = 10
	maxSearchLimit     = 50
	maxSearchQuery     = 1000
)

// retrievalRoutes mounts the campaign routes (behind requireMember).
func (s *Server) retrievalRoutes(r chi.Router) {
	r.Get("/core-rules", s.handleCampaignCoreRuleList)
	r.With(s.requireGM).Put("/core-rules/{ruleId}", s.handleCampaignCoreRuleSet)
	r.Get("/documents", s.handleDocumentList)
	r.With(s.requireGM).Post("/documents", s.handleDocumentUpload)
	r.Get("/documents/{docId}", s.handleDocumentGet)
	r.With(s.requireGM).Delete("/documents/{docId}", s.handleDocumentDelete)
	r.Get("/search", s.handleSearch)
	r.Post("/chat", s.handleChat)
	r.Get("/chat", s.handleChatHistory)
}

// retrievalGlobalRoutes mounts the routes outside any campaign (in the
// authenticated group).
func (s *Server) retrievalGlobalRoutes(r chi.Router) {
	r.With(s.requireUser).Get("/core-rules", s.handleCoreRuleList)
	r.With(s.requireAdmin).Post("/admin/core-rules", s.handleCoreRuleCreate)
	r.With(s.requireAdmin).Get("/admin/ingestion-settings", s.handleSettingsGet)
	r.With(s.requireAdmin).Put("/admin/ingestion-settings", s.handleSettingsPut)
}

// rag returns the retrieval service, or a 503 when the server has none.
func (s *Server) rag() (*retrieval.Service, error) {
	if s.opts.Retrieval == nil {
		return nil, errUnavailable("rule books and documents are not available on this server")
	}
	return s.opts.Retrieval, nil
}

// retrievalError turns retrieval's validation errors into the API's.
func retrievalError(err error) error {
	var ve *retrieval.ValidationError
	if errors.As(err, &ve) {
		return &validationError{Fields: ve.Fields}
	}
	return err
}

// ---- JSON ----

// coreRuleJSON is a rule book as GET /api/core-rules lists it.
// progressDone of progressTotal chunks are embedded while it is
// processing (an addition to the contract, as for documents).
type coreRuleJSON struct {
	ID            uuid.UUID `json:"id"`
	Slug          string    `json:"slug"`
	Title         string    `json:"title"`
	Kind          string    `json:"kind"`
	Status        string    `json:"status"`
	Error         string    `json:"error,omitempty"`
	ChunkCount    int       `json:"chunkCount"`
	MonsterCount  int       `json:"monsterCount"`
	ItemCount     int       `json:"itemCount"`
	ProgressDone  int       `json:"progressDone"`
	ProgressTotal int       `json:"progressTotal"`
}

func newCoreRuleJSON(r db.CoreRule, monsters, items int64) coreRuleJSON {
	j := coreRuleJSON{
		ID: r.ID, Slug: r.Slug, Title: r.Title, Kind: retrieval.KindToAPI(r.Kind), Status: r.Status,
		ChunkCount: int(r.ChunkCount), MonsterCount: int(monsters), ItemCount: int(items),
		ProgressDone: int(r.ProgressDone), ProgressTotal: int(r.ProgressTotal),
	}
	if r.Error != nil {
		j.Error = *r.Error
	}
	return j
}

type coreRuleBody struct {
	CoreRule coreRuleJSON `json:"coreRule"`
}

func (coreRuleBody) responseBody() {}

type coreRuleListBody struct {
	Items []coreRuleJSON `json:"items"`
}

func (coreRuleListBody) responseBody() {}

// campaignCoreRuleJSON is a rule book as a campaign sees it: enabled is
// always true for required and tool-only books (tool-only ones feed only
// the compendium), and the campaign's choice for optional ones.
type campaignCoreRuleJSON struct {
	ID         uuid.UUID `json:"id"`
	Slug       string    `json:"slug"`
	Title      string    `json:"title"`
	Kind       string    `json:"kind"`
	Status     string    `json:"status"`
	ChunkCount int       `json:"chunkCount"`
	Enabled    bool      `json:"enabled"`
}

func newCampaignCoreRuleJSON(r db.CoreRuleListForCampaignRow) campaignCoreRuleJSON {
	return campaignCoreRuleJSON{
		ID: r.ID, Slug: r.Slug, Title: r.Title, Kind: retrieval.KindToAPI(r.Kind), Status: r.Status,
		ChunkCount: int(r.ChunkCount), Enabled: r.Enabled,
	}
}

type campaignCoreRuleBody struct {
	CoreRule campaignCoreRuleJSON `json:"coreRule"`
}

func (campaignCoreRuleBody) responseBody() {}

type campaignCoreRuleListBody struct {
	Items []campaignCoreRuleJSON `json:"items"`
}

func (campaignCoreRuleListBody) responseBody() {}

// documentJSON is a campaign document. progressDone of progressTotal
// chunks are embedded while it is processing.
type documentJSON struct {
	ID            uuid.UUID `json:"id"`
	Title         string    `json:"title"`
	Filename      string    `json:"filename"`
	ContentType   string    `json:"contentType"`
	SizeBytes     int64     `json:"sizeBytes"`
	Status        string    `json:"status"`
	Error         string    `json:"error,omitempty"`
	ChunkCount    int       `json:"chunkCount"`
	ProgressDone  int       `json:"progressDone"`
	ProgressTotal int       `json:"progressTotal"`
	CreatedAt     time.Time `json:"createdAt"`
}

func newDocumentJSON(d db.CampaignDocument) documentJSON {
	j := documentJSON{
		ID: d.ID, Title: d.Title, Filename: d.Filename, ContentType: d.ContentType, SizeBytes: d.SizeBytes,
		Status: d.Status, ChunkCount: int(d.ChunkCount),
		ProgressDone: int(d.ProgressDone), ProgressTotal: int(d.ProgressTotal), CreatedAt: d.CreatedAt.UTC(),
	}
	if d.Error != nil {
		j.Error = *d.Error
	}
	return j
}

type documentBody struct {
	Document documentJSON `json:"document"`
}

func (documentBody) responseBody() {}

type documentListBody struct {
	Items      []documentJSON `json:"items"`
	NextCursor string         `json:"nextCursor,omitempty"`
}

func (documentListBody) responseBody() {}

// settingsJSON is the ingestion settings, a bare object.
type settingsJSON struct {
	ChunkSize      int    `json:"chunkSize"`
	ChunkOverlap   int    `json:"chunkOverlap"`
	EmbeddingModel string `json:"embeddingModel"`
}

func (settingsJSON) responseBody() {}

// searchBody is the search results; items have the contract's shape.
type searchBody struct {
	Items []retrieval.SourceJSON `json:"items"`
}

func (searchBody) responseBody() {}

// replyJSON is a rules-chat answer with its sources.
type replyJSON struct {
	ID      uuid.UUID              `json:"id"`
	Answer  string                 `json:"answer"`
	Sources []retrieval.SourceJSON `json:"sources"`
}

type replyBody struct {
	Reply replyJSON `json:"reply"`
}

func (replyBody) responseBody() {}

// chatMessageJSON is one message of the history: the member's question
// (role "user") or the answer (role "assistant", with its sources).
type chatMessageJSON struct {
	ID        uuid.UUID              `json:"id"`
	Role      string                 `json:"role"`
	Content   string                 `json:"content"`
	Sources   []retrieval.SourceJSON `json:"sources"`
	CreatedAt time.Time              `json:"createdAt"`
}

func newChatMessageJSON(m db.RulesChatMessage) (chatMessageJSON, error) {
	j := chatMessageJSON{ID: m.ID, Role: m.Role, Content: m.Content, CreatedAt: m.CreatedAt.UTC()}
	if len(m.Sources) > 0 {
		if err := json.Unmarshal(m.Sources, &j.Sources); err != nil {
			return chatMessageJSON{}, fmt.Errorf("decode sources of chat message %s: %w", m.ID, err)
		}
	}
	if j.Sources == nil {
		j.Sources = []retrieval.SourceJSON{}
	}
	return j, nil
}

type chatHistoryBody struct {
	Items      []chatMessageJSON `json:"items"`
	NextCursor string            `json:"nextCursor,omitempty"`
}

func (chatHistoryBody) responseBody() {}

// ---- rule books ----

func (s *Server) handleCoreRuleList(w http.ResponseWriter, r *http.Request) {
	rows, err := s.queries.CoreRuleList(r.Context())
	if err != nil {
		s.writeError(w, r, fmt.Errorf("list core rules: %w", err))
		return
	}
	body := coreRuleListBody{Items: make([]coreRuleJSON, 0, len(rows))}
	for _, row := range rows {
		body.Items = append(body.Items, newCoreRuleJSON(row.CoreRule, row.MonsterCount, row.ItemCount))
	}
	writeJSON(w, http.StatusOK, body)
}

// handleCoreRuleCreate is an admin's upload of a rule book: 202, ingested
// in the background.
func (s *Server) handleCoreRuleCreate(w http.ResponseWriter, r *http.Request) {
	svc, err := s.rag()
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	up, err := s.readUpload(w, r, "title", "slug", "kind")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	kind, ok := retrieval.KindFromAPI(strings.TrimSpace(up.fields["kind"]))
	if !ok {
		kind = "" // refused by CreateCoreRule with the other field errors
	}
	rule, err := svc.CreateCoreRule(r.Context(), retrieval.CreateCoreRuleParams{
		Slug: strings.TrimSpace(up.fields["slug"]), Title: up.fields["title"], Kind: kind, Files: up.files,
	})
	if err != nil {
		if errors.Is(err, db.ErrConflict) {
			err = errConflict("the slug is taken by another book")
		}
		s.writeError(w, r, retrievalError(err))
		return
	}
	writeJSON(w, http.StatusAccepted, coreRuleBody{newCoreRuleJSON(rule, 0, 0)})
}

func (s *Server) handleCampaignCoreRuleList(w http.ResponseWriter, r *http.Request) {
	rows, err := s.queries.CoreRuleListForCampaign(r.Context(), campaignFrom(r.Context()))
	if err != nil {
		s.writeError(w, r, fmt.Errorf("list core rules: %w", err))
		return
	}
	body := campaignCoreRuleListBody{Items: make([]campaignCoreRuleJSON, 0, len(rows))}
	for _, row := range rows {
		body.Items = append(body.Items, newCampaignCoreRuleJSON(row))
	}
	writeJSON(w, http.StatusOK, body)
}

// coreRuleEnableRequest is the body of PUT …/core-rules/{ruleId}.
type coreRuleEnableRequest struct {
	Enabled *bool `json:"enabled"`
}

func (req *coreRuleEnableRequest) validate() error {
	var v validator
	v.check(req.Enabled != nil, "enabled", "is required (true or false)")
	return v.err()
}

// handleCampaignCoreRuleSet records whether the campaign uses an optional
// book; 422 for other kinds; 200 with the book as the campaign sees it.
func (s *Server) handleCampaignCoreRuleSet(w http.ResponseWriter, r *http.Request) {
	svc, err := s.rag()
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	id, err := urlUUID(r, "ruleId", "rule book")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var req coreRuleEnableRequest
	if err := decodeJSON(w, r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	ctx := r.Context()
	cid := campaignFrom(ctx)
	if err := svc.SetCoreRuleEnabled(ctx, cid, id, *req.Enabled); err != nil {
		s.writeError(w, r, retrievalError(err))
		return
	}
	rows, err := s.queries.CoreRuleListForCampaign(ctx, cid)
	if err != nil {
		s.writeError(w, r, fmt.Errorf("list core rules: %w", err))
		return
	}
	for _, row := range rows {
		if row.ID == id {
			writeJSON(w, http.StatusOK, campaignCoreRuleBody{newCampaignCoreRuleJSON(row)})
			return
		}
	}
	s.writeError(w, r, errNotFound("rule book"))
}

// ---- documents ----

func (s *Server) handleDocumentUpload(w http.ResponseWriter, r *http.Request) {
	svc, err := s.rag()
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	up, err := s.readUpload(w, r, "title")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	switch len(up.files) {
	case 0:
		s.writeError(w, r, &validationError{Fields: map[string]string{"file": "is required"}})
		return
	case 1:
	default:
		s.writeError(w, r, &validationError{Fields: map[string]string{"file": "send one file per document"}})
		return
	}
	ctx := r.Context()
	doc, err := svc.UploadDocument(ctx, retrieval.UploadDocumentParams{
		CampaignID: campaignFrom(ctx), UploadedBy: userFrom(ctx).ID,
		Title: up.fields["title"], Filename: up.files[0].Name, Data: up.files[0].Data,
	})
	if err != nil {
		s.writeError(w, r, retrievalError(err))
		return
	}
	writeJSON(w, http.StatusAccepted, documentBody{newDocumentJSON(doc)})
}

func (s *Server) loadDocument(r *http.Request) (db.CampaignDocument, error) {
	id, err := urlUUID(r, "docId", "document")
	if err != nil {
		return db.CampaignDocument{}, err
	}
	d, err := s.queries.CampaignDocumentGet(r.Context(), db.CampaignDocumentGetParams{CampaignID: campaignFrom(r.Context()), ID: id})
	if err != nil {
		if err = db.Interpret(err); errors.Is(err, db.ErrNotFound) {
			return db.CampaignDocument{}, errNotFound("document")
		}
		return db.CampaignDocument{}, fmt.Errorf("load document: %w", err)
	}
	return d, nil
}

func (s *Server) handleDocumentGet(w http.ResponseWriter, r *http.Request) {
	d, err := s.loadDocument(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, documentBody{newDocumentJSON(d)})
}

func (s *Server) handleDocumentList(w http.ResponseWriter, r *http.Request) {
	var v validator
	limit, cur := parseTimePage(&v, r.URL.Query())
	if err := v.err(); err != nil {
		s.writeError(w, r, err)
		return
	}
	rows, err := s.queries.CampaignDocumentList(r.Context(), db.CampaignDocumentListParams{
		CampaignID: campaignFrom(r.Context()), BeforeCreatedAt: cur.at(), BeforeID: cur.id(), RowLimit: int32(limit + 1),
	})
	if err != nil {
		s.writeError(w, r, fmt.Errorf("list documents: %w", err))
		return
	}
	body := documentListBody{Items: make([]documentJSON, 0, min(len(rows), limit))}
	for i, d := range rows {
		if i == limit {
			last := rows[i-1]
			body.NextCursor = timeCursor{T: last.CreatedAt, ID: last.ID}.String()
			break
		}
		body.Items = append(body.Items, newDocumentJSON(d))
	}
	writeJSON(w, http.StatusOK, body)
}

// handleDocumentDelete removes the document; its chunks go in the same
// statement.
func (s *Server) handleDocumentDelete(w http.ResponseWriter, r *http.Request) {
	d, err := s.loadDocument(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	svc, err := s.rag()
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if err := svc.DeleteDocument(r.Context(), d.CampaignID, d.ID); err != nil {
		if errors.Is(err, db.ErrNotFound) {
			err = errNotFound("document")
		}
		s.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// ---- settings ----

func (s *Server) handleSettingsGet(w http.ResponseWriter, r *http.Request) {
	svc, err := s.rag()
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	st, err := svc.GetSettings(r.Context())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, settingsJSON{st.ChunkSize, st.ChunkOverlap, st.EmbeddingModel})
}

// settingsRequest is the body of PUT /api/admin/ingestion-settings: the
// whole settings.
type settingsRequest struct {
	ChunkSize      *int    `json:"chunkSize"`
	ChunkOverlap   *int    `json:"chunkOverlap"`
	EmbeddingModel *string `json:"embeddingModel"`
}

func (req *settingsRequest) validate() error {
	var v validator
	v.check(req.ChunkSize != nil, "chunkSize", "is required")
	v.check(req.ChunkOverlap != nil, "chunkOverlap", "is required")
	v.check(req.EmbeddingModel != nil, "embeddingModel", `is required ("" for the server's default)`)
	return v.err()
}

func (s *Server) handleSettingsPut(w http.ResponseWriter, r *http.Request) {
	svc, err := s.rag()
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var req settingsRequest
	if err := decodeJSON(w, r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	st, err := svc.UpdateSettings(r.Context(), retrieval.Settings{
		ChunkSize: *req.ChunkSize, ChunkOverlap: *req.ChunkOverlap, EmbeddingModel: *req.EmbeddingModel,
	})
	if err != nil {
		s.writeError(w, r, retrievalError(err))
		return
	}
	writeJSON(w, http.StatusOK, settingsJSON{st.ChunkSize, st.ChunkOverlap, st.EmbeddingModel})
}

// ---- search and chat ----

func (s *Server) handleSearch(w http.ResponseWriter, r *http.Request) {
	svc, err := s.rag()
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var v validator
	qs := r.URL.Query()
	q := strings.TrimSpace(qs.Get("q"))
	if !utf8.ValidString(q) {
		v.add("q", "must be valid UTF-8")
	} else if utf8.RuneCountInString(q) > maxSearchQuery {
		v.add("q", "must be at most "+strconv.Itoa(maxSearchQuery)+" characters")
	}
	limit := defaultSearchLimit
	if l := qs.Get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 || n > maxSearchLimit {
			v.add("limit", "must be a whole number from 1 to "+strconv.Itoa(maxSearchLimit))
		} else {
			limit = n
		}
	}
	if err := v.err(); err != nil {
		s.writeError(w, r, err)
		return
	}
	results, err := svc.Search(r.Context(), campaignFrom(r.Context()), q, retrieval.SearchOptions{Limit: limit})
	if err != nil {
		s.writeError(w, r, fmt.Errorf("search: %w", err))
		return
	}
	body := searchBody{Items: make([]retrieval.SourceJSON, 0, len(results))}
	for _, res := range results {
		body.Items = append(body.Items, res.ToJSON())
	}
	writeJSON(w, http.StatusOK, body)
}

// chatRequest is the body of POST …/chat.
type chatRequest struct {
	Message string `json:"message"`
}

func (req *chatRequest) validate() error {
	var v validator
	req.Message = strings.TrimSpace(req.Message)
	v.check(req.Message != "", "message", "is required")
	v.check(utf8.RuneCountInString(req.Message) <= 4000, "message", "must be at most 4000 characters")
	return v.err()
}

// handleChat answers a rules question for a member with aiAccess, within
// the per-user rate limit.
func (s *Server) handleChat(w http.ResponseWriter, r *http.Request) {
	svc, err := s.rag()
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	ctx := r.Context()
	switch ok, err := s.aiAccess(ctx); {
	case err != nil:
		s.writeError(w, r, err)
		return
	case !ok:
		s.writeError(w, r, errAIAccessDenied())
		return
	}
	var req chatRequest
	if err := decodeJSON(w, r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	if wait, ok := s.chatLimit.allow(userFrom(ctx).ID); !ok {
		s.writeError(w, r, errRateLimited(wait))
		return
	}
	reply, err := svc.Chat(ctx, campaignFrom(ctx), userFrom(ctx).ID, req.Message, s.opts.RulesChat)
	if err != nil {
		s.writeError(w, r, retrievalError(err))
		return
	}
	body := replyBody{replyJSON{ID: reply.ID, Answer: reply.Answer.Text, Sources: make([]retrieval.SourceJSON, 0, len(reply.Answer.Sources))}}
	for _, src := range reply.Answer.Sources {
		body.Reply.Sources = append(body.Reply.Sources, src.ToJSON())
	}
	writeJSON(w, http.StatusOK, body)
}

// handleChatHistory pages the current user's rules chat in this campaign,
// newest first.
func (s *Server) handleChatHistory(w http.ResponseWriter, r *http.Request) {
	var v validator
	limit, cur := parseTimePage(&v, r.URL.Query())
	if err := v.err(); err != nil {
		s.writeError(w, r, err)
		return
	}
	ctx := r.Context()
	rows, err := s.queries.RulesChatMessageList(ctx, db.RulesChatMessageListParams{
		CampaignID: campaignFrom(ctx), UserID: userFrom(ctx).ID,
		BeforeCreatedAt: cur.at(), BeforeID: cur.id(), RowLimit: int32(limit + 1),
	})
	if err != nil {
		s.writeError(w, r, fmt.Errorf("list chat: %w", err))
		return
	}
	body := chatHistoryBody{Items: make([]chatMessageJSON, 0, min(len(rows), limit))}
	for i, m := range rows {
		if i == limit {
			last := rows[i-1]
			body.NextCursor = timeCursor{T: last.CreatedAt, ID: last.ID}.String()
			break
		}
		j, err := newChatMessageJSON(m)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		body.Items = append(body.Items, j)
	}
	writeJSON(w, http.StatusOK, body)
}

// ---- uploads ----

// upload is a multipart upload: its files and its text fields.
type upload struct {
	files  []retrieval.File
	fields map[string]string
}

// uploadMax is the upload limit.
func (s *Server) uploadMax() int64 {
	if s.opts.UploadMaxBytes > 0 {
		return s.opts.UploadMaxBytes
	}
	return DefaultUploadMaxBytes
}

// readUpload reads a multipart/form-data body: parts named "file" (at most
// uploadMax bytes together, else 413) and the named text fields. Other
// parts and a body of another type are a 400 (bad_request). File names are sanitised
// by retrieval.
func (s *Server) readUpload(w http.ResponseWriter, r *http.Request, fields ...string) (upload, error) {
	mt, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/form-data" || params["boundary"] == "" {
		return upload{}, errBadRequest("the body must be multipart/form-data")
	}
	limit := s.uploadMax()
	r.Body = http.MaxBytesReader(w, r.Body, limit+uploadOverhead)
	mr := multipart.NewReader(r.Body, params["boundary"])
	up := upload{fields: map[string]string{}}
	var v validator
	remaining := limit
	for {
		p, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return upload{}, multipartError(err)
		}
		name := p.FormName()
		switch {
		case name == "file":
			data, err := io.ReadAll(io.LimitReader(p, remaining+1))
			if err != nil {
				return upload{}, multipartError(err)
			}
			if int64(len(data)) > remaining {
				return upload{}, &http.MaxBytesError{Limit: limit}
			}
			remaining -= int64(len(data))
			up.files = append(up.files, retrieval.File{Name: p.FileName(), Data: data})
		case contains(fields, name):
			b, err := io.ReadAll(io.LimitReader(p, maxUploadField+1))
			if err != nil {
				return upload{}, multipartError(err)
			}
			switch {
			case len(b) > maxUploadField:
				v.add(name, "must be at most "+strconv.Itoa(maxUploadField)+" bytes")
			case !utf8.Valid(b) || strings.ContainsRune(string(b), 0):
				v.add(name, "must be valid UTF-8 text")
			default:
				up.fields[name] = string(b)
			}
		default:
			return upload{}, errBadRequest(fmt.Sprintf("unknown form field %q", name))
		}
		_ = p.Close()
	}
	if err := v.err(); err != nil {
		return upload{}, err
	}
	return up, nil
}

func multipartError(err error) error {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return err
	}
	return errBadRequest("malformed multipart body")
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// ---- paging ----

// timeCursor is the keyset (created_at, id) of the last row of a page of a
// list ordered newest first. It travels as base64url JSON; clients treat
// it as opaque.
type timeCursor struct {
	T  time.Time `json:"t"`
	ID uuid.UUID `json:"i"`
}

func (c timeCursor) String() string {
	b, _ := json.Marshal(c) // cannot fail
	return base64.RawURLEncoding.EncodeToString(b)
}

func (c *timeCursor) at() *time.Time {
	if c == nil {
		return nil
	}
	return &c.T
}

func (c *timeCursor) id() *uuid.UUID {
	if c == nil {
		return nil
	}
	return &c.ID
}

// parseTimePage reads ?limit= (default 50, at most 200) and ?cursor= of a
// list paged by timeCursor.
func parseTimePage(v *validator, q map[string][]string) (int, *timeCursor) {
	limit, raw := parsePage(v, q)
	if limit == 0 {
		limit = 50
	}
	if raw == "" {
		return limit, nil
	}
	var c timeCursor
	b, err := base64.RawURLEncoding.DecodeString(raw)
	if err != nil || json.Unmarshal(b, &c) != nil || c.ID == uuid.Nil || c.T.IsZero() {
		v.add("cursor", "is not a cursor this list returned")
		return limit, nil
	}
	return limit, &c
}

// ---- rate limit ----

// userRate limits a request per user with a token bucket each.
type userRate struct {
	every time.Duration
	burst int

	mu    sync.Mutex
	users map[uuid.UUID]*rate.Limiter
}

// newUserRate allows perMinute requests a minute (and bursts of as many);
// perMinute < 0 allows everything.
func newUserRate(perMinute int) *userRate {
	if perMinute == 0 {
		perMinute = DefaultChatPerMinute
	}
	if perMinute < 0 {
		return &userRate{}
	}
	return &userRate{every: time.Minute / time.Duration(perMinute), burst: perMinute, users: map[uuid.UUID]*rate.Limiter{}}
}

// allow takes a token of the user's bucket, or says how long to wait.
func (u *userRate) allow(id uuid.UUID) (time.Duration, bool) {
	if u.burst == 0 {
		return 0, true
	}
	u.mu.Lock()
	defer u.mu.Unlock()
	l, ok := u.users[id]
	if !ok {
		l = rate.NewLimiter(rate.Every(u.every), u.burst)
		u.users[id] = l
	}
	now := time.Now()
	res := l.ReserveN(now, 1)
	if d := res.DelayFrom(now); d > 0 {
		res.CancelAt(now)
		return d, false
	}
	return 0, true
}

// prune forgets users whose bucket is full again.
func (u *userRate) prune() {
	if u.burst == 0 {
		return
	}
	u.mu.Lock()
	defer u.mu.Unlock()
	now := time.Now()
	for id, l := range u.users {
		if l.TokensAt(now) >= float64(u.burst) {
			delete(u.users, id)
		}
	}
}
