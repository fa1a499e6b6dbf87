package http

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/google/uuid"

	"gametable/db"
)

// campaignRoutes mounts GET, PATCH and DELETE /api/campaigns/{campaignId}
// (behind requireMember).
func (s *Server) campaignRoutes(r chi.Router) {
	r.Get("/", s.handleCampaignGet)
	r.With(s.requireGM).Patch("/", s.handleCampaignUpdate)
	r.With(s.requireGM).Delete("/", s.handleCampaignDelete)
}

// campaignJSON is CONTRACT.md's `campaign`, as the caller sees it.
type campaignJSON struct {
	ID           uuid.UUID        `json:"id"`
	Name         string           `json:"name"`
	Description  string           `json:"description"`
	System       string           `json:"system"`
	TimeZone     string           `json:"timeZone"`
	MyRole       string           `json:"myRole"`
	MemberCount  int64            `json:"memberCount"`
	SessionCount int64            `json:"sessionCount"`
	NPCCount     int64            `json:"npcCount"`
	NextSession  *nextSessionJSON `json:"nextSession,omitempty"`
	AIEnabled    bool             `json:"aiEnabled"`
	AIAccess     bool             `json:"aiAccess"`
	CreatedAt    time.Time        `json:"createdAt"`
}

type nextSessionJSON struct {
	ID          uuid.UUID `json:"id"`
	Label       string    `json:"label"`
	ScheduledAt time.Time `json:"scheduledAt"`
}

// newCampaignJSON builds the campaign for user u from a CampaignListForUser
// row (CampaignGet rows convert to it). aiAccess needs AI enabled and u's
// email verified.
func newCampaignJSON(c db.CampaignListForUserRow, u db.User) campaignJSON {
	j := campaignJSON{
		ID:           c.ID,
		Name:         c.Name,
		Description:  c.Description,
		System:       c.System,
		TimeZone:     c.TimeZone,
		MyRole:       c.MyRole,
		MemberCount:  c.MemberCount,
		SessionCount: c.SessionCount,
		NPCCount:     c.NPCCount,
		AIEnabled:    c.AIEnabled,
		AIAccess:     c.AIEnabled && u.EmailVerifiedAt != nil,
		CreatedAt:    c.CreatedAt.UTC(),
	}
	if c.NextSessionID != nil && c.NextSessionNumber != nil && c.NextSessionScheduledAt != nil {
		title := ""
		if c.NextSessionTitle != nil {
			title = *c.NextSessionTitle
		}
		j.NextSession = &nextSessionJSON{
			ID:          *c.NextSessionID,
			Label:       playSessionLabel(*c.NextSessionNumber, title),
			ScheduledAt: c.NextSessionScheduledAt.UTC(),
		}
	}
	return j
}

// playSessionLabel is a game session's label: "Session 12", or
// "Session 12: The Sunken Keep" when it has a title.
func playSessionLabel(number int32, title string) string {
	label := "Session " + strconv.Itoa(int(number))
	if title != "" {
		label += ": " + title
	}
	return label
}

type campaignBody struct {
	Campaign campaignJSON `json:"campaign"`
}

func (campaignBody) responseBody() {}

type campaignListBody struct {
	Items []campaignJSON `json:"items"`
}

func (campaignListBody) responseBody() {}

// handleCampaignList lists the caller's campaigns, computed fields
// included, with one query.
func (s *Server) handleCampaignList(w http.ResponseWriter, r *http.Request) {
	u := userFrom(r.Context())
	rows, err := s.queries.CampaignListForUser(r.Context(), u.ID)
	if err != nil {
		s.writeError(w, r, fmt.Errorf("list campaigns: %w", err))
		return
	}
	items := make([]campaignJSON, 0, len(rows))
	for _, c := range rows {
		items = append(items, newCampaignJSON(c, u))
	}
	writeJSON(w, http.StatusOK, campaignListBody{Items: items})
}

type createCampaignRequest struct {
	Name        string  `json:"name"`
	Description *string `json:"description"`
	System      *string `json:"system"`
	TimeZone    *string `json:"timeZone"`
}

func (req *createCampaignRequest) validate() error {
	var v validator
	checkName(&v, "name", &req.Name, maxNameLen)
	checkCampaignFields(&v, req.Description, req.System, req.TimeZone)
	return v.err()
}

// checkCampaignFields validates the optional campaign fields that creation
// and update share; system is trimmed in place.
func checkCampaignFields(v *validator, description, system, timeZone *string) {
	if description != nil {
		checkText(v, "description", *description, maxDescriptionLen)
	}
	if system != nil {
		*system = strings.TrimSpace(*system)
		checkText(v, "system", *system, maxNameLen)
	}
	if timeZone != nil {
		checkTimeZone(v, "timeZone", *timeZone)
	}
}

func (s *Server) handleCampaignCreate(w http.ResponseWriter, r *http.Request) {
	var req createCampaignRequest
	if err := decodeJSON(w, r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	ctx := r.Context()
	u := userFrom(ctx)
	c, err := s.queries.CampaignCreate(ctx, db.CampaignCreateParams{
		Name:        req.Name,
		Description: deref(req.Description, ""),
		System:      deref(req.System, ""),
		TimeZone:    deref(req.TimeZone, "UTC"),
		OwnerID:     u.ID,
	})
	if err != nil {
		s.writeError(w, r, fmt.Errorf("create campaign: %w", db.Interpret(err)))
		return
	}
	s.writeCampaign(w, r, http.StatusCreated, c.ID)
}

func (s *Server) handleCampaignGet(w http.ResponseWriter, r *http.Request) {
	s.writeCampaign(w, r, http.StatusOK, campaignFrom(r.Context()))
}

// writeCampaign answers with the campaign as the current user sees it.
func (s *Server) writeCampaign(w http.ResponseWriter, r *http.Request, status int, campaignID uuid.UUID) {
	c, err := s.campaignFor(r.Context(), campaignID)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, status, campaignBody{c})
}

// campaignFor loads the campaign as the current user sees it.
func (s *Server) campaignFor(ctx context.Context, campaignID uuid.UUID) (campaignJSON, error) {
	u := userFrom(ctx)
	row, err := s.queries.CampaignGet(ctx, db.CampaignGetParams{CampaignID: campaignID, UserID: u.ID})
	if err != nil {
		if err = db.Interpret(err); errors.Is(err, db.ErrNotFound) {
			return campaignJSON{}, errNotFound("campaign")
		}
		return campaignJSON{}, fmt.Errorf("load campaign: %w", err)
	}
	return newCampaignJSON(db.CampaignListForUserRow(row), u), nil
}

type updateCampaignRequest struct {
	Name        *string `json:"name"`
	Description *string `json:"description"`
	System      *string `json:"system"`
	TimeZone    *string `json:"timeZone"`
	AIEnabled   *bool   `json:"aiEnabled"`
}

func (req *updateCampaignRequest) validate() error {
	var v validator
	if req.Name != nil {
		checkName(&v, "name", req.Name, maxNameLen)
	}
	checkCampaignFields(&v, req.Description, req.System, req.TimeZone)
	return v.err()
}

func (s *Server) handleCampaignUpdate(w http.ResponseWriter, r *http.Request) {
	var req updateCampaignRequest
	if err := decodeJSON(w, r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	ctx := r.Context()
	id := campaignFrom(ctx)
	_, err := s.queries.CampaignUpdate(ctx, db.CampaignUpdateParams{
		CampaignID:  id,
		Name:        req.Name,
		Description: req.Description,
		System:      req.System,
		TimeZone:    req.TimeZone,
		AIEnabled:   req.AIEnabled,
	})
	if err != nil {
		s.writeError(w, r, fmt.Errorf("update campaign: %w", db.Interpret(err)))
		return
	}
	s.writeCampaign(w, r, http.StatusOK, id)
}

// handleCampaignDelete deletes the campaign with everything in it and
// closes its members' live connections.
func (s *Server) handleCampaignDelete(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	id := campaignFrom(ctx)
	members, err := s.queries.MembershipList(ctx, id)
	if err != nil {
		s.writeError(w, r, fmt.Errorf("list members: %w", err))
		return
	}
	if _, err := s.queries.CampaignDelete(ctx, id); err != nil {
		s.writeError(w, r, fmt.Errorf("delete campaign: %w", db.Interpret(err)))
		return
	}
	for _, m := range members {
		s.live.CloseMember(id, m.UserID)
	}
	w.WriteHeader(http.StatusNoContent)
}

func deref[T any](p *T, def T) T {
	if p == nil {
		return def
	}
	return *p
}
