package http

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/coder/websocket"
	"github.com/go-chi/chi/v5"
	"github.com/google/uuid"

	"gametable/db"
	"gametable/hub"
)

// Close codes for connections whose access ended (STYLE.md section 5).
const (
	closeSessionEnded = hub.CloseSessionEnded
	closeRemoved      = hub.CloseRemoved
)

// liveHub is the LiveCloser and LivePolls of a hub.Registry.
type liveHub struct {
	HubPolls
}

var (
	_ LiveCloser = liveHub{}
	_ LivePolls  = liveHub{}
)

func (l liveHub) CloseUser(userID uuid.UUID) {
	l.Registry.CloseUser(userID.String(), closeSessionEnded, "session ended")
}

func (l liveHub) CloseSession(sessionID string) {
	l.Registry.CloseSession(sessionID, closeSessionEnded, "logged out")
}

func (l liveHub) CloseMember(campaignID, userID uuid.UUID) {
	l.Registry.CloseMember(campaignID.String(), userID.String(), closeRemoved, "no longer a member")
}

func (l liveHub) ReconnectMember(campaignID, userID uuid.UUID) {
	l.Registry.CloseMember(campaignID.String(), userID.String(), hub.CloseReconnect, "role changed; reconnect")
}

// liveRoutes are the campaign routes of the live table: the WebSocket and
// combat over HTTP (CONTRACT.md sections 6 and 7). The WebSocket route is
// registered separately, outside the session middleware (see routes).
func (s *Server) liveRoutes(r chi.Router) {
	r.Get("/combat", s.handleCombatGet)
	r.With(s.requireGM).Post("/combat", s.handleCombatStart)
	r.With(s.requireGM).Get("/combats", s.handleCombatList)
}

// hubOrError answers 503 when the server runs without a live hub.
func (s *Server) hubOrError() (*hub.Registry, error) {
	if s.opts.Hub == nil {
		return nil, errUnavailable("the live table is not running on this server")
	}
	return s.opts.Hub, nil
}

// handleLive upgrades to the live WebSocket and hands the connection to
// the hub. Authentication and membership were checked (read-only, without
// scs's LoadAndSave) by the middleware before the upgrade; the hub checks
// the per-user connection cap.
func (s *Server) handleLive(w http.ResponseWriter, r *http.Request) {
	reg, err := s.hubOrError()
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	m := membershipFrom(r.Context())
	u := userFrom(r.Context())
	view := hub.ViewPlayer
	if m.Role == roleGM && r.URL.Query().Get("view") != "player" {
		view = hub.ViewGM
	}
	var res hub.Resume
	if ep := r.URL.Query().Get("epoch"); ep != "" {
		if n, err := strconv.ParseInt(r.URL.Query().Get("since"), 10, 64); err == nil && n >= 0 {
			res = hub.Resume{Epoch: ep, Seq: n}
		}
	}
	conn, err := websocket.Accept(w, r, &websocket.AcceptOptions{
		// Same-origin upgrades pass coder/websocket's own check (Origin
		// host equals Host); the base URL's host is allowed too, for a
		// reverse proxy that rewrites Host. A missing Origin (non-browser
		// clients) is allowed: the session cookie was checked already.
		OriginPatterns:  []string{s.baseURL.Host},
		CompressionMode: websocket.CompressionDisabled,
	})
	if err != nil {
		// Accept has answered (403 for a cross-origin upgrade, 426 without
		// an upgrade request).
		s.logWarn(r, "live upgrade refused", "err", err, "origin", r.Header.Get("Origin"))
		return
	}
	p := hub.Participant{
		CampaignID:  m.CampaignID.String(),
		UserID:      u.ID.String(),
		DisplayName: u.DisplayName,
		Role:        hub.Role(m.Role),
		View:        view,
		SessionID:   sessionIDFrom(r.Context()),
	}
	// The request context ends when the handler returns; the hub bounds the
	// connection's life itself and closes it at shutdown.
	if err := reg.ServeConn(context.WithoutCancel(r.Context()), conn, p, res); err != nil && !errors.Is(err, context.Canceled) {
		s.logger.Debug("live connection ended", "err", err, "campaign_id", p.CampaignID, "user_id", p.UserID)
	}
}

// combatEnvelope is GET /combat's answer: the combat object of the
// caller's live view and that view's seq.
type combatEnvelope struct {
	Combat json.RawMessage `json:"combat"`
	Seq    int64           `json:"seq"`
}

func (combatEnvelope) responseBody() {}

func (s *Server) callerView(r *http.Request) hub.View {
	if isGM(r.Context()) && r.URL.Query().Get("view") != "player" {
		return hub.ViewGM
	}
	return hub.ViewPlayer
}

func (s *Server) handleCombatGet(w http.ResponseWriter, r *http.Request) {
	reg, err := s.hubOrError()
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	combat, seq, err := reg.Snapshot(r.Context(), campaignFrom(r.Context()).String(), s.callerView(r))
	if err != nil {
		s.writeError(w, r, liveError(err))
		return
	}
	if combat == nil {
		s.writeError(w, r, errNotFound("combat"))
		return
	}
	writeJSON(w, http.StatusOK, combatEnvelope{Combat: combat, Seq: seq})
}

// combatStartRequest is POST /combat's body. Validation of its fields is
// the hub's (the same command as combat.start over the WebSocket).
type combatStartRequest struct {
	EncounterID    *string `json:"encounterId,omitempty"`
	IncludePlayers *bool   `json:"includePlayers,omitempty"`
}

func (combatStartRequest) validate() error { return nil }

func (s *Server) handleCombatStart(w http.ResponseWriter, r *http.Request) {
	reg, err := s.hubOrError()
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var req combatStartRequest
	if r.ContentLength != 0 {
		if err := decodeJSON(w, r, &req); err != nil {
			s.writeError(w, r, err)
			return
		}
	}
	data, err := json.Marshal(req)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	m := membershipFrom(r.Context())
	res, err := reg.Do(r.Context(), m.CampaignID.String(),
		hub.Actor{UserID: m.UserID.String(), Role: hub.Role(m.Role), View: hub.ViewGM},
		hub.Command{ID: r.Header.Get("Idempotency-Key"), Type: hub.TypeCombatStart, Data: data})
	if err != nil {
		s.writeError(w, r, liveError(err))
		return
	}
	writeJSON(w, http.StatusCreated, combatEnvelope{Combat: res.Combat, Seq: res.Seq})
}

type pastCombatJSON struct {
	ID             uuid.UUID  `json:"id"`
	EncounterID    *uuid.UUID `json:"encounterId,omitempty"`
	Rounds         int32      `json:"rounds"`
	Outcome        string     `json:"outcome,omitempty"`
	CombatantCount int32      `json:"combatantCount"`
	StartedAt      time.Time  `json:"startedAt"`
	EndedAt        *time.Time `json:"endedAt,omitempty"`
}

type pastCombatListJSON struct {
	Items []pastCombatJSON `json:"items"`
}

func (pastCombatListJSON) responseBody() {}

// maxPastCombats bounds GET /combats.
const maxPastCombats = 200

func (s *Server) handleCombatList(w http.ResponseWriter, r *http.Request) {
	rows, err := s.queries.CombatListEnded(r.Context(), db.CombatListEndedParams{
		CampaignID: campaignFrom(r.Context()),
		MaxRows:    maxPastCombats,
	})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out := pastCombatListJSON{Items: make([]pastCombatJSON, 0, len(rows))}
	for _, c := range rows {
		pc := pastCombatJSON{
			ID: c.ID, EncounterID: c.EncounterID, Rounds: c.Round,
			CombatantCount: c.CombatantCount, StartedAt: c.StartedAt.UTC(),
		}
		if c.Outcome != nil {
			pc.Outcome = *c.Outcome
		}
		if c.EndedAt != nil {
			t := c.EndedAt.UTC()
			pc.EndedAt = &t
		}
		out.Items = append(out.Items, pc)
	}
	writeJSON(w, http.StatusOK, out)
}

// liveError maps the hub's errors to the API's.
func liveError(err error) error {
	var re *hub.RuleError
	switch {
	case errors.Is(err, hub.ErrShuttingDown), errors.Is(err, hub.ErrHubStopped):
		return errUnavailable("the live table is restarting; try again")
	case errors.As(err, &re):
		switch re.Code {
		case hub.CodeValidationFailed:
			return &validationError{Fields: re.Fields}
		case hub.CodeForbidden:
			return errForbidden(re.Message)
		case hub.CodeNotFound:
			return &apiError{http.StatusNotFound, codeNotFound, re.Message, 0}
		case hub.CodeConflict:
			return errConflict(re.Message)
		case hub.CodeRateLimited:
			return errRateLimited(time.Second)
		case hub.CodeBadRequest:
			return errBadRequest(re.Message)
		}
	}
	return fmt.Errorf("live: %w", err)
}
