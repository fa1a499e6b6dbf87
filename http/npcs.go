package http

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/go-chi/chi/v5"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"gametable/db"
)

// NPCs (CONTRACT.md section 8). Everyone in the campaign reads; GMs write.
// Players never receive hidden NPCs (404 on direct access, absent from
// lists), relationships that touch one, or gmNotes (absent, not null): the
// first two are filtered in SQL (NPCList's is_gm), the last by newNPCJSON.

// npcRoutes mounts /api/campaigns/{campaignId}/npcs (behind
// requireMember).
func (s *Server) npcRoutes(r chi.Router) {
	r.Get("/npcs", s.handleNPCList)
	r.With(s.requireGM).Post("/npcs", s.handleNPCCreate)
	r.Get("/npcs/{npcId}", s.handleNPCGet)
	r.With(s.requireGM).Patch("/npcs/{npcId}", s.handleNPCUpdate)
	r.With(s.requireGM).Delete("/npcs/{npcId}", s.handleNPCDelete)
	r.With(s.requireGM).Put("/npcs/{npcId}/appearances", s.handleNPCAppearancesSet)
	r.With(s.requireGM).Post("/npcs/{npcId}/relationships", s.handleRelationshipCreate)
	r.With(s.requireGM).Delete("/npcs/{npcId}/relationships/{relationshipId}", s.handleRelationshipDelete)
}

// Field limits of NPCs and codex entries.
const (
	maxCodexSummaryLen = 500
	maxMarkdownLen     = 100000
	maxRelKindLen      = 40
	maxRelDescLen      = 10000
	maxLinkedSessions  = 1000
)

// npcStatuses are the values of an NPC's status.
var npcStatuses = []string{"alive", "dead", "unknown"}

// npcJSON is CONTRACT.md's `npc`, as the caller sees it. GMNotes and
// Hidden are nil for players, so the keys are absent.
type npcJSON struct {
	ID              uuid.UUID          `json:"id"`
	Name            string             `json:"name"`
	Summary         string             `json:"summary"`
	Description     string             `json:"description"`
	GMNotes         *string            `json:"gmNotes,omitempty"`
	Status          string             `json:"status"`
	Hidden          *bool              `json:"hidden,omitempty"`
	AppearanceCount int                `json:"appearanceCount"`
	LastAppearance  *appearanceJSON    `json:"lastAppearance,omitempty"`
	Sessions        []sessionRefJSON   `json:"sessions"`
	Relationships   []relationshipJSON `json:"relationships"`
	CreatedAt       time.Time          `json:"createdAt"`
	UpdatedAt       time.Time          `json:"updatedAt"`
}

// sessionRefJSON names a game session: `{id, label}`.
type sessionRefJSON struct {
	ID    uuid.UUID `json:"id"`
	Label string    `json:"label"`
}

// appearanceJSON is an NPC's lastAppearance: `{sessionId, label}`.
type appearanceJSON struct {
	SessionID uuid.UUID `json:"sessionId"`
	Label     string    `json:"label"`
}

// relationshipJSON is a directed NPC → NPC relationship. Direction is
// "outgoing" or "incoming" as seen from the NPC it is listed on (or named
// in the URL).
type relationshipJSON struct {
	ID          uuid.UUID `json:"id"`
	FromNPCID   uuid.UUID `json:"fromNpcId"`
	FromNPCName string    `json:"fromNpcName"`
	ToNPCID     uuid.UUID `json:"toNpcId"`
	ToNPCName   string    `json:"toNpcName"`
	Kind        string    `json:"kind"`
	Description string    `json:"description"`
	Direction   string    `json:"direction"`
	CreatedAt   time.Time `json:"createdAt"`
}

type npcBody struct {
	NPC npcJSON `json:"npc"`
}

func (npcBody) responseBody() {}

type npcListBody struct {
	Items      []npcJSON `json:"items"`
	NextCursor string    `json:"nextCursor,omitempty"`
}

func (npcListBody) responseBody() {}

type relationshipBody struct {
	Relationship relationshipJSON `json:"relationship"`
}

func (relationshipBody) responseBody() {}

// aggSession is one element of the sessions JSON that NPCList and
// EntityList aggregate.
type aggSession struct {
	ID     uuid.UUID `json:"id"`
	Number int32     `json:"number"`
	Title  string    `json:"title"`
}

// aggRelationship is one element of NPCList's relationships JSON.
type aggRelationship struct {
	ID          uuid.UUID `json:"id"`
	FromNPCID   uuid.UUID `json:"fromNpcId"`
	FromNPCName string    `json:"fromNpcName"`
	ToNPCID     uuid.UUID `json:"toNpcId"`
	ToNPCName   string    `json:"toNpcName"`
	Kind        string    `json:"kind"`
	Description string    `json:"description"`
	CreatedAt   time.Time `json:"createdAt"`
}

// newSessionRefs decodes aggregated sessions (ordered by number) into
// references with labels.
func newSessionRefs(raw []byte) ([]sessionRefJSON, error) {
	var ss []aggSession
	if err := json.Unmarshal(raw, &ss); err != nil {
		return nil, fmt.Errorf("decode sessions: %w", err)
	}
	out := make([]sessionRefJSON, 0, len(ss))
	for _, s := range ss {
		out = append(out, sessionRefJSON{ID: s.ID, Label: playSessionLabel(s.Number, s.Title)})
	}
	return out, nil
}

// newNPCJSON builds the npc for a GM or a player from an NPCList row.
func newNPCJSON(n db.NPCListRow, gm bool) (npcJSON, error) {
	sessions, err := newSessionRefs(n.Sessions)
	if err != nil {
		return npcJSON{}, err
	}
	var rels []aggRelationship
	if err := json.Unmarshal(n.Relationships, &rels); err != nil {
		return npcJSON{}, fmt.Errorf("decode relationships: %w", err)
	}
	j := npcJSON{
		ID:              n.ID,
		Name:            n.Name,
		Summary:         n.Summary,
		Description:     n.Description,
		Status:          n.Status,
		AppearanceCount: len(sessions),
		Sessions:        sessions,
		Relationships:   make([]relationshipJSON, 0, len(rels)),
		CreatedAt:       n.CreatedAt.UTC(),
		UpdatedAt:       n.UpdatedAt.UTC(),
	}
	if gm {
		notes, hidden := n.GMNotes, n.Hidden
		j.GMNotes, j.Hidden = &notes, &hidden
	}
	if len(sessions) > 0 {
		last := sessions[len(sessions)-1]
		j.LastAppearance = &appearanceJSON{SessionID: last.ID, Label: last.Label}
	}
	for _, r := range rels {
		j.Relationships = append(j.Relationships, newRelationshipJSON(r, n.ID))
	}
	return j, nil
}

func newRelationshipJSON(r aggRelationship, seenFrom uuid.UUID) relationshipJSON {
	dir := "outgoing"
	if r.FromNPCID != seenFrom {
		dir = "incoming"
	}
	return relationshipJSON{
		ID:          r.ID,
		FromNPCID:   r.FromNPCID,
		FromNPCName: r.FromNPCName,
		ToNPCID:     r.ToNPCID,
		ToNPCName:   r.ToNPCName,
		Kind:        r.Kind,
		Description: r.Description,
		Direction:   dir,
		CreatedAt:   r.CreatedAt.UTC(),
	}
}

// codexListQuery is the query string of the NPC and entity lists: q,
// limit and cursor (plus each list's own filters).
type codexListQuery struct {
	Q     string
	Limit int32
	After *codexCursor
}

// Page sizes of the codex lists (CONTRACT.md section 1).
const (
	defaultCodexLimit = 50
	maxCodexLimit     = 200
	maxCodexQueryLen  = 80
)

// codexCursor is the keyset of the last row of a page: the list's order
// (rank, lower(name), id). It travels as base64url JSON; clients treat it
// as opaque.
type codexCursor struct {
	Rank int32     `json:"r"`
	Name string    `json:"n"`
	ID   uuid.UUID `json:"i"`
}

func (c codexCursor) String() string {
	b, _ := json.Marshal(c) // cannot fail
	return base64.RawURLEncoding.EncodeToString(b)
}

// parseCodexListQuery reads q, limit and cursor into v's fields.
func parseCodexListQuery(v *validator, qs url.Values) codexListQuery {
	lq := codexListQuery{Q: strings.TrimSpace(qs.Get("q")), Limit: defaultCodexLimit}
	if utf8.RuneCountInString(lq.Q) > maxCodexQueryLen {
		v.add("q", "must be at most "+strconv.Itoa(maxCodexQueryLen)+" characters")
	}
	if s := qs.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > maxCodexLimit {
			v.add("limit", "must be a whole number from 1 to "+strconv.Itoa(maxCodexLimit))
		} else {
			lq.Limit = int32(n)
		}
	}
	if s := qs.Get("cursor"); s != "" {
		var c codexCursor
		b, err := base64.RawURLEncoding.DecodeString(s)
		if err != nil || json.Unmarshal(b, &c) != nil || c.ID == uuid.Nil {
			v.add("cursor", "is not a cursor this list returned")
		} else {
			lq.After = &c
		}
	}
	return lq
}

// likePattern is '%' + q + '%' with LIKE's metacharacters escaped, for
// ILIKE (whose escape character is the backslash).
func likePattern(q string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return "%" + r.Replace(q) + "%"
}

// oneOf reports whether s is one of values.
func oneOf(s string, values []string) bool {
	for _, v := range values {
		if s == v {
			return true
		}
	}
	return false
}

func (s *Server) handleNPCList(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	var v validator
	qs := r.URL.Query()
	lq := parseCodexListQuery(&v, qs)
	var status *string
	if st := qs.Get("status"); st != "" {
		v.check(oneOf(st, npcStatuses), "status", `must be "alive", "dead" or "unknown"`)
		status = &st
	}
	if err := v.err(); err != nil {
		s.writeError(w, r, err)
		return
	}
	p := db.NPCListParams{
		CampaignID:  campaignFrom(ctx),
		IsGM:        isGM(ctx),
		Q:           lq.Q,
		NamePattern: likePattern(lq.Q),
		Status:      status,
		MaxRows:     lq.Limit + 1,
	}
	if lq.After != nil {
		p.AfterRank, p.AfterName, p.AfterID = lq.After.Rank, lq.After.Name, &lq.After.ID
	}
	rows, err := s.queries.NPCList(ctx, p)
	if err != nil {
		s.writeError(w, r, fmt.Errorf("list npcs: %w", err))
		return
	}
	var body npcListBody
	body.Items, body.NextCursor, err = codexPage(rows, lq.Limit,
		func(n db.NPCListRow) codexCursor { return codexCursor{Rank: n.Rank, Name: n.SortName, ID: n.ID} },
		func(n db.NPCListRow) (npcJSON, error) { return newNPCJSON(n, p.IsGM) })
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, body)
}

// codexPage turns the rows of a codex list query, fetched with one row more
// than limit, into a page: at most limit items and, when the extra row
// came back, the cursor of the last item shown.
func codexPage[R, J any](rows []R, limit int32, cursorOf func(R) codexCursor, toJSON func(R) (J, error)) ([]J, string, error) {
	next := ""
	if len(rows) > int(limit) {
		rows = rows[:limit]
		next = cursorOf(rows[len(rows)-1]).String()
	}
	items := make([]J, 0, len(rows))
	for _, row := range rows {
		j, err := toJSON(row)
		if err != nil {
			return nil, "", err
		}
		items = append(items, j)
	}
	return items, next, nil
}

// loadNPC returns the NPC as the current user sees it; a hidden NPC is
// not found for players.
func (s *Server) loadNPC(r *http.Request, q *db.Queries, id uuid.UUID) (npcJSON, error) {
	ctx := r.Context()
	gm := isGM(ctx)
	rows, err := q.NPCList(ctx, db.NPCListParams{CampaignID: campaignFrom(ctx), IsGM: gm, ID: &id, MaxRows: 1})
	if err != nil {
		return npcJSON{}, fmt.Errorf("load npc: %w", err)
	}
	if len(rows) == 0 {
		return npcJSON{}, errNotFound("npc")
	}
	return newNPCJSON(rows[0], gm)
}

// writeNPC answers with the NPC as the current user sees it.
func (s *Server) writeNPC(w http.ResponseWriter, r *http.Request, status int, id uuid.UUID) {
	j, err := s.loadNPC(r, s.queries, id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, status, npcBody{j})
}

func (s *Server) handleNPCGet(w http.ResponseWriter, r *http.Request) {
	id, err := urlUUID(r, "npcId", "npc")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeNPC(w, r, http.StatusOK, id)
}

type npcCreateRequest struct {
	Name        string  `json:"name"`
	Summary     *string `json:"summary"`
	Description *string `json:"description"`
	GMNotes     *string `json:"gmNotes"`
	Status      *string `json:"status"`
	Hidden      *bool   `json:"hidden"`
}

func (req *npcCreateRequest) validate() error {
	var v validator
	checkName(&v, "name", &req.Name, maxNameLen)
	checkNPCFields(&v, req.Summary, req.Description, req.GMNotes, req.Status)
	return v.err()
}

// checkNPCFields checks the optional text fields of an NPC.
func checkNPCFields(v *validator, summary, description, gmNotes, status *string) {
	if summary != nil {
		checkText(v, "summary", *summary, maxCodexSummaryLen)
	}
	if description != nil {
		checkText(v, "description", *description, maxMarkdownLen)
	}
	if gmNotes != nil {
		checkText(v, "gmNotes", *gmNotes, maxMarkdownLen)
	}
	if status != nil {
		v.check(oneOf(*status, npcStatuses), "status", `must be "alive", "dead" or "unknown"`)
	}
}

func (s *Server) handleNPCCreate(w http.ResponseWriter, r *http.Request) {
	var req npcCreateRequest
	if err := decodeJSON(w, r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	ctx := r.Context()
	n, err := s.queries.NPCCreate(ctx, db.NPCCreateParams{
		CampaignID:  campaignFrom(ctx),
		Name:        req.Name,
		Summary:     deref(req.Summary, ""),
		Description: deref(req.Description, ""),
		GMNotes:     deref(req.GMNotes, ""),
		Status:      deref(req.Status, "alive"),
		Hidden:      deref(req.Hidden, false),
	})
	if err != nil {
		s.writeError(w, r, fmt.Errorf("create npc: %w", db.Interpret(err)))
		return
	}
	s.writeNPC(w, r, http.StatusCreated, n.ID)
}

// npcUpdateRequest is a PATCH: absent keys stay as they are; null is
// refused, since none of these fields can be empty of a value ("" clears a
// text).
type npcUpdateRequest struct {
	Name        optional[string] `json:"name"`
	Summary     optional[string] `json:"summary"`
	Description optional[string] `json:"description"`
	GMNotes     optional[string] `json:"gmNotes"`
	Status      optional[string] `json:"status"`
	Hidden      optional[bool]   `json:"hidden"`
}

// checkNotNull refuses null for each named optional field that was sent
// as null.
func checkNotNull(v *validator, fields map[string]bool) {
	for f, isNull := range fields {
		if isNull {
			v.add(f, "must not be null")
		}
	}
}

func (req *npcUpdateRequest) validate() error {
	var v validator
	checkNotNull(&v, map[string]bool{
		"name": req.Name.Null, "summary": req.Summary.Null, "description": req.Description.Null,
		"gmNotes": req.GMNotes.Null, "status": req.Status.Null, "hidden": req.Hidden.Null,
	})
	if req.Name.Set && !req.Name.Null {
		checkName(&v, "name", &req.Name.Value, maxNameLen)
	}
	checkNPCFields(&v, req.Summary.ptr(), req.Description.ptr(), req.GMNotes.ptr(), req.Status.ptr())
	return v.err()
}

func (s *Server) handleNPCUpdate(w http.ResponseWriter, r *http.Request) {
	id, err := urlUUID(r, "npcId", "npc")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var req npcUpdateRequest
	if err := decodeJSON(w, r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	ctx := r.Context()
	_, err = s.queries.NPCUpdate(ctx, db.NPCUpdateParams{
		CampaignID:  campaignFrom(ctx),
		ID:          id,
		Name:        req.Name.ptr(),
		Summary:     req.Summary.ptr(),
		Description: req.Description.ptr(),
		GMNotes:     req.GMNotes.ptr(),
		Status:      req.Status.ptr(),
		Hidden:      req.Hidden.ptr(),
	})
	if err != nil {
		if err = db.Interpret(err); errors.Is(err, db.ErrNotFound) {
			err = errNotFound("npc")
		}
		s.writeError(w, r, fmt.Errorf("update npc: %w", err))
		return
	}
	s.writeNPC(w, r, http.StatusOK, id)
}

func (s *Server) handleNPCDelete(w http.ResponseWriter, r *http.Request) {
	id, err := urlUUID(r, "npcId", "npc")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	ctx := r.Context()
	n, err := s.queries.NPCDelete(ctx, db.NPCDeleteParams{CampaignID: campaignFrom(ctx), ID: id})
	if err != nil {
		s.writeError(w, r, fmt.Errorf("delete npc: %w", err))
		return
	}
	if n == 0 {
		s.writeError(w, r, errNotFound("npc"))
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// sessionIDsRequest is the body of PUT …/appearances and PUT
// …/entities/{id}/sessions. IDs are read as strings so that a malformed
// one is a 422 naming the field, not a 400.
type sessionIDsRequest struct {
	SessionIDs *[]string `json:"sessionIds"`
	ids        []uuid.UUID
}

func (req *sessionIDsRequest) validate() error {
	var v validator
	switch {
	case req.SessionIDs == nil:
		v.add("sessionIds", "is required (an empty list removes every session)")
	case len(*req.SessionIDs) > maxLinkedSessions:
		v.add("sessionIds", "must hold at most "+strconv.Itoa(maxLinkedSessions)+" sessions")
	default:
		seen := map[uuid.UUID]bool{}
		req.ids = make([]uuid.UUID, 0, len(*req.SessionIDs))
		for _, s := range *req.SessionIDs {
			id, err := uuid.Parse(s)
			if err != nil {
				v.add("sessionIds", "must hold session IDs")
				break
			}
			if !seen[id] {
				seen[id] = true
				req.ids = append(req.ids, id)
			}
		}
	}
	return v.err()
}

// errForeignSessions is the answer when a session ID is not a session of
// this campaign.
func errForeignSessions() error {
	return &validationError{Fields: map[string]string{"sessionIds": "must be sessions of this campaign"}}
}

// isSessionFKError reports whether err broke the foreign key from a link
// table to play_sessions: a session of another campaign, or none.
func isSessionFKError(err error) bool {
	return errors.Is(err, db.ErrNotFound) && strings.HasSuffix(db.ConstraintName(err), "_session_id_fkey")
}

func (s *Server) handleNPCAppearancesSet(w http.ResponseWriter, r *http.Request) {
	id, err := urlUUID(r, "npcId", "npc")
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
	var out npcJSON
	err = db.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		q := db.New(tx)
		if _, err := q.NPCLock(ctx, db.NPCLockParams{CampaignID: campaignID, ID: id}); err != nil {
			if err = db.Interpret(err); errors.Is(err, db.ErrNotFound) {
				return errNotFound("npc")
			}
			return fmt.Errorf("lock npc: %w", err)
		}
		err := q.NPCSessionSet(ctx, db.NPCSessionSetParams{CampaignID: campaignID, NPCID: id, SessionIDList: req.ids})
		if err != nil {
			if err = db.Interpret(err); isSessionFKError(err) {
				return errForeignSessions()
			}
			return fmt.Errorf("set appearances: %w", err)
		}
		out, err = s.loadNPC(r, q, id)
		return err
	})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, npcBody{out})
}

type relationshipCreateRequest struct {
	OtherNPCID  string  `json:"otherNpcId"`
	Kind        string  `json:"kind"`
	Description *string `json:"description"`
	otherID     uuid.UUID
}

func (req *relationshipCreateRequest) validate() error {
	var v validator
	if req.OtherNPCID == "" {
		v.add("otherNpcId", "is required")
	} else if id, err := uuid.Parse(req.OtherNPCID); err != nil {
		v.add("otherNpcId", "must be an NPC ID")
	} else {
		req.otherID = id
	}
	checkName(&v, "kind", &req.Kind, maxRelKindLen)
	if req.Description != nil {
		checkText(&v, "description", *req.Description, maxRelDescLen)
	}
	return v.err()
}

// handleRelationshipCreate adds a relationship from the NPC in the URL to
// otherNpcId. The NPC in the URL must exist (404); the other must be
// another NPC of this campaign (422 otherwise, also for an NPC of another
// campaign, which the composite foreign key would refuse anyway).
func (s *Server) handleRelationshipCreate(w http.ResponseWriter, r *http.Request) {
	id, err := urlUUID(r, "npcId", "npc")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var req relationshipCreateRequest
	if err := decodeJSON(w, r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	ctx := r.Context()
	campaignID := campaignFrom(ctx)
	from, err := s.queries.NPCGet(ctx, db.NPCGetParams{CampaignID: campaignID, ID: id})
	if err != nil {
		if err = db.Interpret(err); errors.Is(err, db.ErrNotFound) {
			err = errNotFound("npc")
		}
		s.writeError(w, r, err)
		return
	}
	if req.otherID == id {
		s.writeError(w, r, &validationError{Fields: map[string]string{"otherNpcId": "must be another NPC"}})
		return
	}
	to, err := s.queries.NPCGet(ctx, db.NPCGetParams{CampaignID: campaignID, ID: req.otherID})
	if err != nil {
		if err = db.Interpret(err); errors.Is(err, db.ErrNotFound) {
			err = &validationError{Fields: map[string]string{"otherNpcId": "must be an NPC of this campaign"}}
		}
		s.writeError(w, r, err)
		return
	}
	rel, err := s.queries.NPCRelationshipCreate(ctx, db.NPCRelationshipCreateParams{
		CampaignID:  campaignID,
		FromNPCID:   from.ID,
		ToNPCID:     to.ID,
		Kind:        req.Kind,
		Description: deref(req.Description, ""),
	})
	if err != nil {
		err = db.Interpret(err)
		switch {
		case errors.Is(err, db.ErrConflict):
			err = errConflict("these NPCs already have a relationship of this kind")
		case errors.Is(err, db.ErrNotFound):
			err = &validationError{Fields: map[string]string{"otherNpcId": "must be an NPC of this campaign"}}
		}
		s.writeError(w, r, fmt.Errorf("create relationship: %w", err))
		return
	}
	writeJSON(w, http.StatusCreated, relationshipBody{newRelationshipJSON(aggRelationship{
		ID:          rel.ID,
		FromNPCID:   from.ID,
		FromNPCName: from.Name,
		ToNPCID:     to.ID,
		ToNPCName:   to.Name,
		Kind:        rel.Kind,
		Description: rel.Description,
		CreatedAt:   rel.CreatedAt,
	}, id)})
}

func (s *Server) handleRelationshipDelete(w http.ResponseWriter, r *http.Request) {
	npcID, err := urlUUID(r, "npcId", "npc")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	relID, err := urlUUID(r, "relationshipId", "relationship")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	ctx := r.Context()
	n, err := s.queries.NPCRelationshipDelete(ctx, db.NPCRelationshipDeleteParams{CampaignID: campaignFrom(ctx), ID: relID, NPCID: npcID})
	if err != nil {
		s.writeError(w, r, fmt.Errorf("delete relationship: %w", err))
		return
	}
	if n == 0 {
		s.writeError(w, r, errNotFound("relationship"))
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
