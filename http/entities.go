package http

import (
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"gametable/codex"
	"gametable/db"
)

// Codex entities (CONTRACT.md section 8): locations, factions, items, lore,
// events and others. Everyone in the campaign reads; GMs write. Players
// never receive GM-only entries (404 on direct access, absent from lists):
// EntityList filters them in SQL.

// entityRoutes mounts /api/campaigns/{campaignId}/entities (behind
// requireMember).
func (s *Server) entityRoutes(r chi.Router) {
	r.Get("/entities", s.handleEntityList)
	r.With(s.requireGM).Post("/entities", s.handleEntityCreate)
	r.Get("/entities/{entityId}", s.handleEntityGet)
	r.With(s.requireGM).Patch("/entities/{entityId}", s.handleEntityUpdate)
	r.With(s.requireGM).Delete("/entities/{entityId}", s.handleEntityDelete)
	r.With(s.requireGM).Put("/entities/{entityId}/sessions", s.handleEntitySessionsSet)
}

// entityKindsMessage lists the kinds for validation messages.
const entityKindsMessage = `must be "location", "faction", "item", "lore", "event" or "other"`

// entityJSON is CONTRACT.md's `entity`, as the caller sees it. GMOnly is
// nil for players (who only ever see entries that are not GM-only).
type entityJSON struct {
	ID        uuid.UUID        `json:"id"`
	Kind      string           `json:"kind"`
	Name      string           `json:"name"`
	Summary   string           `json:"summary"`
	Body      string           `json:"body"`
	GMOnly    *bool            `json:"gmOnly,omitempty"`
	Sessions  []sessionRefJSON `json:"sessions"`
	CreatedAt time.Time        `json:"createdAt"`
	UpdatedAt time.Time        `json:"updatedAt"`
}

type entityBody struct {
	Entity entityJSON `json:"entity"`
}

func (entityBody) responseBody() {}

type entityListBody struct {
	Items      []entityJSON `json:"items"`
	NextCursor string       `json:"nextCursor,omitempty"`
}

func (entityListBody) responseBody() {}

func newEntityJSON(e db.EntityListRow, gm bool) (entityJSON, error) {
	sessions, err := newSessionRefs(e.Sessions)
	if err != nil {
		return entityJSON{}, err
	}
	j := entityJSON{
		ID:        e.ID,
		Kind:      e.Kind,
		Name:      e.Name,
		Summary:   e.Summary,
		Body:      e.Body,
		Sessions:  sessions,
		CreatedAt: e.CreatedAt.UTC(),
		UpdatedAt: e.UpdatedAt.UTC(),
	}
	if gm {
		gmOnly := e.GMOnly
		j.GMOnly = &gmOnly
	}
	return j, nil
}

func (s *Server) handleEntityList(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	var v validator
	qs := r.URL.Query()
	lq := parseCodexListQuery(&v, qs)
	var kind *string
	if k := qs.Get("kind"); k != "" {
		v.check(codex.IsEntityKind(k), "kind", entityKindsMessage)
		kind = &k
	}
	if err := v.err(); err != nil {
		s.writeError(w, r, err)
		return
	}
	p := db.EntityListParams{
		CampaignID:  campaignFrom(ctx),
		IsGM:        isGM(ctx),
		Q:           lq.Q,
		NamePattern: likePattern(lq.Q),
		Kind:        kind,
		MaxRows:     lq.Limit + 1,
	}
	if lq.After != nil {
		p.AfterRank, p.AfterName, p.AfterID = lq.After.Rank, lq.After.Name, &lq.After.ID
	}
	rows, err := s.queries.EntityList(ctx, p)
	if err != nil {
		s.writeError(w, r, fmt.Errorf("list entities: %w", err))
		return
	}
	var body entityListBody
	body.Items, body.NextCursor, err = codexPage(rows, lq.Limit,
		func(e db.EntityListRow) codexCursor { return codexCursor{Rank: e.Rank, Name: e.SortName, ID: e.ID} },
		func(e db.EntityListRow) (entityJSON, error) { return newEntityJSON(e, p.IsGM) })
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, body)
}

// loadEntity returns the entry as the current user sees it; a GM-only
// entry is not found for players.
func (s *Server) loadEntity(r *http.Request, q *db.Queries, id uuid.UUID) (entityJSON, error) {
	ctx := r.Context()
	gm := isGM(ctx)
	rows, err := q.EntityList(ctx, db.EntityListParams{CampaignID: campaignFrom(ctx), IsGM: gm, ID: &id, MaxRows: 1})
	if err != nil {
		return entityJSON{}, fmt.Errorf("load entity: %w", err)
	}
	if len(rows) == 0 {
		return entityJSON{}, errNotFound("entity")
	}
	return newEntityJSON(rows[0], gm)
}

func (s *Server) writeEntity(w http.ResponseWriter, r *http.Request, status int, id uuid.UUID) {
	j, err := s.loadEntity(r, s.queries, id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, status, entityBody{j})
}

func (s *Server) handleEntityGet(w http.ResponseWriter, r *http.Request) {
	id, err := urlUUID(r, "entityId", "entity")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeEntity(w, r, http.StatusOK, id)
}

type entityCreateRequest struct {
	Kind    string  `json:"kind"`
	Name    string  `json:"name"`
	Summary *string `json:"summary"`
	Body    *string `json:"body"`
	GMOnly  *bool   `json:"gmOnly"`
}

func (req *entityCreateRequest) validate() error {
	var v validator
	if req.Kind == "" {
		v.add("kind", "is required")
	} else {
		v.check(codex.IsEntityKind(req.Kind), "kind", entityKindsMessage)
	}
	checkName(&v, "name", &req.Name, maxNameLen)
	if req.Summary != nil {
		checkText(&v, "summary", *req.Summary, maxCodexSummaryLen)
	}
	if req.Body != nil {
		checkText(&v, "body", *req.Body, maxMarkdownLen)
	}
	return v.err()
}

func (s *Server) handleEntityCreate(w http.ResponseWriter, r *http.Request) {
	var req entityCreateRequest
	if err := decodeJSON(w, r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	ctx := r.Context()
	e, err := s.queries.EntityCreate(ctx, db.EntityCreateParams{
		CampaignID: campaignFrom(ctx),
		Kind:       req.Kind,
		Name:       req.Name,
		Summary:    deref(req.Summary, ""),
		Body:       deref(req.Body, ""),
		GMOnly:     deref(req.GMOnly, false),
	})
	if err != nil {
		s.writeError(w, r, fmt.Errorf("create entity: %w", db.Interpret(err)))
		return
	}
	s.writeEntity(w, r, http.StatusCreated, e.ID)
}

// entityUpdateRequest is a PATCH: absent keys stay as they are; null is
// refused.
type entityUpdateRequest struct {
	Kind    optional[string] `json:"kind"`
	Name    optional[string] `json:"name"`
	Summary optional[string] `json:"summary"`
	Body    optional[string] `json:"body"`
	GMOnly  optional[bool]   `json:"gmOnly"`
}

func (req *entityUpdateRequest) validate() error {
	var v validator
	checkNotNull(&v, map[string]bool{
		"kind": req.Kind.Null, "name": req.Name.Null, "summary": req.Summary.Null,
		"body": req.Body.Null, "gmOnly": req.GMOnly.Null,
	})
	if k := req.Kind.ptr(); k != nil {
		v.check(codex.IsEntityKind(*k), "kind", entityKindsMessage)
	}
	if req.Name.Set && !req.Name.Null {
		checkName(&v, "name", &req.Name.Value, maxNameLen)
	}
	if p := req.Summary.ptr(); p != nil {
		checkText(&v, "summary", *p, maxCodexSummaryLen)
	}
	if p := req.Body.ptr(); p != nil {
		checkText(&v, "body", *p, maxMarkdownLen)
	}
	return v.err()
}

func (s *Server) handleEntityUpdate(w http.ResponseWriter, r *http.Request) {
	id, err := urlUUID(r, "entityId", "entity")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var req entityUpdateRequest
	if err := decodeJSON(w, r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	ctx := r.Context()
	_, err = s.queries.EntityUpdate(ctx, db.EntityUpdateParams{
		CampaignID: campaignFrom(ctx),
		ID:         id,
		Kind:       req.Kind.ptr(),
		Name:       req.Name.ptr(),
		Summary:    req.Summary.ptr(),
		Body:       req.Body.ptr(),
		GMOnly:     req.GMOnly.ptr(),
	})
	if err != nil {
		if err = db.Interpret(err); errors.Is(err, db.ErrNotFound) {
			err = errNotFound("entity")
		}
		s.writeError(w, r, fmt.Errorf("update entity: %w", err))
		return
	}
	s.writeEntity(w, r, http.StatusOK, id)
}

func (s *Server) handleEntityDelete(w http.ResponseWriter, r *http.Request) {
	id, err := urlUUID(r, "entityId", "entity")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	ctx := r.Context()
	n, err := s.queries.EntityDelete(ctx, db.EntityDeleteParams{CampaignID: campaignFrom(ctx), ID: id})
	if err != nil {
		s.writeError(w, r, fmt.Errorf("delete entity: %w", err))
		return
	}
	if n == 0 {
		s.writeError(w, r, errNotFound("entity"))
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) handleEntitySessionsSet(w http.ResponseWriter, r *http.Request) {
	id, err := urlUUID(r, "entityId", "entity")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var req sessionIDsRequest
	if err := decodeJSON(w, r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	ctx := r.Context()
	campaignID := campaignFrom(ctx)
	var out entityJSON
	err = db.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		q := db.New(tx)
		if _, err := q.EntityLock(ctx, db.EntityLockParams{CampaignID: campaignID, ID: id}); err != nil {
			if err = db.Interpret(err); errors.Is(err, db.ErrNotFound) {
				return errNotFound("entity")
			}
			return fmt.Errorf("lock entity: %w", err)
		}
		err := q.EntitySessionSet(ctx, db.EntitySessionSetParams{CampaignID: campaignID, EntityID: id, SessionIDList: req.ids})
		if err != nil {
			if err = db.Interpret(err); isSessionFKError(err) {
				return errForeignSessions()
			}
			return fmt.Errorf("set sessions: %w", err)
		}
		out, err = s.loadEntity(r, q, id)
		return err
	})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, entityBody{out})
}
