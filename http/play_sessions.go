package http

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/go-chi/chi/v5"
	"github.com/google/uuid"

	"gametable/db"
	"gametable/schedule"
)

// Game sessions (CONTRACT.md section 4), stored as play_sessions because
// scs owns the sessions table; login sessions live in sessions.go.
//
// Sessions are numbered per campaign. A create without a number takes the
// next one; a number that is taken is 409, never a silent renumbering.
// Every session carries, besides the contract's fields, localDate and
// localTime: its scheduledAt in the campaign's time zone (docs/scheduling.md).

// sessionRoutes mounts /api/campaigns/{campaignId}/sessions (behind
// requireMember): members read, GMs write.
func (s *Server) sessionRoutes(r chi.Router) {
	r.Get("/sessions", s.handleSessionList)
	r.With(s.requireGM).Post("/sessions", s.handleSessionCreate)
	r.Get("/sessions/{sessionId}", s.handleSessionGet)
	r.With(s.requireGM).Patch("/sessions/{sessionId}", s.handleSessionUpdate)
	r.With(s.requireGM).Delete("/sessions/{sessionId}", s.handleSessionDelete)
}

// Limits of game sessions (the schema's CHECKs are the same).
const (
	maxSessionTitleLen = 200
	maxRecapLen        = 100000
	maxSessionNumber   = 1000000
)

// Game session statuses.
const (
	sessionPlanned   = "planned"
	sessionCompleted = "completed"
	sessionCancelled = "cancelled"
)

// sessionJSON is CONTRACT.md's `session`, plus localDate and localTime (the
// scheduledAt in the campaign's zone, present with it).
type sessionJSON struct {
	ID          uuid.UUID  `json:"id"`
	Number      int32      `json:"number"`
	Title       string     `json:"title"`
	Label       string     `json:"label"`
	ScheduledAt *time.Time `json:"scheduledAt,omitempty"`
	LocalDate   string     `json:"localDate,omitempty"`
	LocalTime   string     `json:"localTime,omitempty"`
	Status      string     `json:"status"`
	Recap       string     `json:"recap,omitempty"`
}

func newSessionJSON(p db.PlaySession, loc *time.Location) sessionJSON {
	j := sessionJSON{
		ID:     p.ID,
		Number: p.Number,
		Title:  p.Title,
		Label:  playSessionLabel(p.Number, p.Title),
		Status: p.Status,
		Recap:  p.Recap,
	}
	if p.ScheduledAt != nil {
		at := p.ScheduledAt.UTC()
		j.ScheduledAt = &at
		j.LocalDate, j.LocalTime = schedule.Local(at, loc)
	}
	return j
}

type sessionBody struct {
	Session sessionJSON `json:"session"`
}

func (sessionBody) responseBody() {}

type sessionListBody struct {
	Items []sessionJSON `json:"items"`
}

func (sessionListBody) responseBody() {}

// campaignZone returns the campaign's time zone, for the local fields.
func (s *Server) campaignZone(ctx context.Context, q *db.Queries, campaignID uuid.UUID) (*time.Location, error) {
	name, err := q.CampaignTimeZoneGet(ctx, campaignID)
	if err != nil {
		return nil, fmt.Errorf("load time zone: %w", db.Interpret(err))
	}
	return schedule.Zone(name), nil
}

func (s *Server) handleSessionList(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	id := campaignFrom(ctx)
	loc, err := s.campaignZone(ctx, s.queries, id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	rows, err := s.queries.PlaySessionList(ctx, id)
	if err != nil {
		s.writeError(w, r, fmt.Errorf("list sessions: %w", err))
		return
	}
	items := make([]sessionJSON, 0, len(rows))
	for _, p := range rows {
		items = append(items, newSessionJSON(p, loc))
	}
	writeJSON(w, http.StatusOK, sessionListBody{Items: items})
}

type createSessionRequest struct {
	Title       *string `json:"title"`
	ScheduledAt *string `json:"scheduledAt"`
	Number      *int64  `json:"number"`

	scheduledAt *time.Time
}

func (req *createSessionRequest) validate() error {
	var v validator
	if req.Title != nil {
		checkTitle(&v, "title", req.Title, maxSessionTitleLen)
	}
	if req.ScheduledAt != nil {
		req.scheduledAt = checkInstant(&v, "scheduledAt", *req.ScheduledAt)
	}
	if req.Number != nil {
		checkSessionNumber(&v, "number", *req.Number)
	}
	return v.err()
}

func (s *Server) handleSessionCreate(w http.ResponseWriter, r *http.Request) {
	var req createSessionRequest
	if err := decodeJSON(w, r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	ctx := r.Context()
	id := campaignFrom(ctx)
	params := db.PlaySessionCreateParams{
		CampaignID:  id,
		Title:       deref(req.Title, ""),
		ScheduledAt: req.scheduledAt,
		Status:      sessionPlanned,
	}
	if req.Number != nil {
		n := int32(*req.Number)
		params.Number = &n
	}
	p, err := createSession(ctx, s.queries, params, params.Number == nil)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeSession(w, r, http.StatusCreated, p)
}

// createSession inserts a game session. A taken number is a 409 naming
// it. With retry (a create that asked for no number in particular), losing
// the race for the next number to another create is tried again, twice;
// inside a transaction a conflict aborts it, so pass retry false there.
func createSession(ctx context.Context, q *db.Queries, params db.PlaySessionCreateParams, retry bool) (db.PlaySession, error) {
	attempts := 1
	if retry {
		attempts = 3
	}
	var err error
	for range attempts {
		var p db.PlaySession
		p, err = q.PlaySessionCreate(ctx, params)
		if err == nil {
			return p, nil
		}
		if err = db.Interpret(err); !errors.Is(err, db.ErrConflict) {
			return db.PlaySession{}, fmt.Errorf("create session: %w", err)
		}
	}
	if params.Number != nil {
		return db.PlaySession{}, errConflict("session number " + strconv.Itoa(int(*params.Number)) + " is taken")
	}
	return db.PlaySession{}, errConflict("another session took the next number; try again")
}

func (s *Server) handleSessionGet(w http.ResponseWriter, r *http.Request) {
	p, err := s.sessionFromURL(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeSession(w, r, http.StatusOK, p)
}

// sessionFromURL loads the session {sessionId} of the request's campaign.
func (s *Server) sessionFromURL(r *http.Request) (db.PlaySession, error) {
	sid, err := urlUUID(r, "sessionId", "session")
	if err != nil {
		return db.PlaySession{}, err
	}
	p, err := s.queries.PlaySessionGet(r.Context(), db.PlaySessionGetParams{CampaignID: campaignFrom(r.Context()), ID: sid})
	if err != nil {
		if err = db.Interpret(err); errors.Is(err, db.ErrNotFound) {
			return db.PlaySession{}, errNotFound("session")
		}
		return db.PlaySession{}, fmt.Errorf("load session: %w", err)
	}
	return p, nil
}

// writeSession answers with the session in its campaign's zone.
func (s *Server) writeSession(w http.ResponseWriter, r *http.Request, status int, p db.PlaySession) {
	loc, err := s.campaignZone(r.Context(), s.queries, p.CampaignID)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, status, sessionBody{newSessionJSON(p, loc)})
}

// updateSessionRequest is a PATCH: absent fields stay; scheduledAt null
// clears the date. number is an extension: renumbering on purpose, 409
// when taken.
type updateSessionRequest struct {
	Title       *string          `json:"title"`
	ScheduledAt optional[string] `json:"scheduledAt"`
	Status      *string          `json:"status"`
	Recap       *string          `json:"recap"`
	Number      *int64           `json:"number"`

	scheduledAt *time.Time
}

func (req *updateSessionRequest) validate() error {
	var v validator
	if req.Title != nil {
		checkTitle(&v, "title", req.Title, maxSessionTitleLen)
	}
	if req.ScheduledAt.Set && !req.ScheduledAt.Null {
		req.scheduledAt = checkInstant(&v, "scheduledAt", req.ScheduledAt.Value)
	}
	if req.Status != nil {
		switch *req.Status {
		case sessionPlanned, sessionCompleted, sessionCancelled:
		default:
			v.add("status", `must be "planned", "completed" or "cancelled"`)
		}
	}
	if req.Recap != nil {
		checkText(&v, "recap", *req.Recap, maxRecapLen)
		if strings.ContainsRune(*req.Recap, 0) || !utf8.ValidString(*req.Recap) {
			v.add("recap", "must be valid UTF-8 text without NUL characters")
		}
	}
	if req.Number != nil {
		checkSessionNumber(&v, "number", *req.Number)
	}
	return v.err()
}

func (s *Server) handleSessionUpdate(w http.ResponseWriter, r *http.Request) {
	var req updateSessionRequest
	if err := decodeJSON(w, r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	cur, err := s.sessionFromURL(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	params := db.PlaySessionUpdateParams{
		CampaignID:     cur.CampaignID,
		ID:             cur.ID,
		Title:          req.Title,
		SetScheduledAt: req.ScheduledAt.Set,
		ScheduledAt:    req.scheduledAt,
		Status:         req.Status,
		Recap:          req.Recap,
	}
	if req.Number != nil {
		n := int32(*req.Number)
		params.Number = &n
	}
	p, err := s.queries.PlaySessionUpdate(r.Context(), params)
	if err != nil {
		err = db.Interpret(err)
		switch {
		case errors.Is(err, db.ErrConflict) && params.Number != nil:
			err = errConflict("session number " + strconv.Itoa(int(*params.Number)) + " is taken")
		case errors.Is(err, db.ErrNotFound):
			err = errNotFound("session")
		default:
			err = fmt.Errorf("update session: %w", err)
		}
		s.writeError(w, r, err)
		return
	}
	s.writeSession(w, r, http.StatusOK, p)
}

// handleSessionDelete deletes a session; a poll finalized into it keeps
// its votes and loses the link (sessionId).
func (s *Server) handleSessionDelete(w http.ResponseWriter, r *http.Request) {
	sid, err := urlUUID(r, "sessionId", "session")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	n, err := s.queries.PlaySessionDelete(r.Context(), db.PlaySessionDeleteParams{CampaignID: campaignFrom(r.Context()), ID: sid})
	if err != nil {
		s.writeError(w, r, fmt.Errorf("delete session: %w", db.Interpret(err)))
		return
	}
	if n == 0 {
		s.writeError(w, r, errNotFound("session"))
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// checkTitle trims *s in place and allows at most max characters without
// control characters; empty is fine (a session without a title).
func checkTitle(v *validator, field string, s *string, max int) {
	*s = strings.TrimSpace(*s)
	switch {
	case !utf8.ValidString(*s):
		v.add(field, "must be valid UTF-8")
	case utf8.RuneCountInString(*s) > max:
		v.add(field, "must be at most "+strconv.Itoa(max)+" characters")
	case strings.IndexFunc(*s, unicode.IsControl) >= 0:
		v.add(field, "must not contain control characters")
	}
}

// checkInstant parses an RFC 3339 time with an offset ("2025-10-24T19:00:00+02:00"
// or "...Z") and returns it in UTC, truncated to PostgreSQL's microseconds
// so that what is compared is what is stored. A time without an offset
// is refused: it would not say which instant it means.
func checkInstant(v *validator, field, s string) *time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		v.add(field, "must be an RFC 3339 time with an offset, such as 2025-10-24T17:00:00Z")
		return nil
	}
	if y := t.UTC().Year(); y < 1900 || y > 9999 {
		v.add(field, "must be between the years 1900 and 9999")
		return nil
	}
	t = t.UTC().Truncate(time.Microsecond)
	return &t
}

func checkSessionNumber(v *validator, field string, n int64) {
	if n < 1 || n > maxSessionNumber {
		v.add(field, "must be a whole number from 1 to "+strconv.Itoa(maxSessionNumber))
	}
}
