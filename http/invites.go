package http

import (
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"gametable/db"
)

// Invite limits of CONTRACT.md section 3.
const (
	defaultInviteHours = 168
	maxInviteHours     = 720
	maxInviteUses      = 1000
)

// campaignInviteRoutes mounts the GM's invite management under
// /api/campaigns/{campaignId} (behind requireMember).
func (s *Server) campaignInviteRoutes(r chi.Router) {
	r.With(s.requireGM).Post("/invites", s.handleInviteCreate)
	r.With(s.requireGM).Get("/invites", s.handleInviteList)
	r.With(s.requireGM).Delete("/invites/{inviteId}", s.handleInviteRevoke)
}

// inviteRoutes mounts /api/invites/{code}: what an invite is for, and
// accepting it. Any logged-in user may use a code; the code is the
// capability.
func (s *Server) inviteRoutes(r chi.Router) {
	r.With(s.requireUser).Get("/invites/{code}", s.handleInvitePreview)
	r.With(s.requireUser).Post("/invites/{code}/accept", s.handleInviteAccept)
}

// inviteJSON is an invite as its campaign's GMs see it. Code and URL are
// only in the answer to the POST that created it: only the code's hash is
// stored.
type inviteJSON struct {
	ID        uuid.UUID `json:"id"`
	Role      string    `json:"role"`
	MaxUses   *int32    `json:"maxUses,omitempty"`
	Uses      int32     `json:"uses"`
	ExpiresAt time.Time `json:"expiresAt"`
	CreatedAt time.Time `json:"createdAt"`
	Code      string    `json:"code,omitempty"`
	URL       string    `json:"url,omitempty"`
}

func newInviteJSON(i db.InviteListActiveRow) inviteJSON {
	return inviteJSON{
		ID:        i.ID,
		Role:      i.Role,
		MaxUses:   i.MaxUses,
		Uses:      i.Uses,
		ExpiresAt: i.ExpiresAt.UTC(),
		CreatedAt: i.CreatedAt.UTC(),
	}
}

type inviteBody struct {
	Invite inviteJSON `json:"invite"`
}

func (inviteBody) responseBody() {}

type inviteListBody struct {
	Items []inviteJSON `json:"items"`
}

func (inviteListBody) responseBody() {}

type createInviteRequest struct {
	Role           *string `json:"role"`
	MaxUses        *int    `json:"maxUses"`
	ExpiresInHours *int    `json:"expiresInHours"`
}

func (req *createInviteRequest) validate() error {
	var v validator
	if req.Role != nil {
		v.check(*req.Role == roleGM || *req.Role == rolePlayer, "role", `must be "player" or "gm"`)
	}
	if req.MaxUses != nil {
		v.check(*req.MaxUses >= 1 && *req.MaxUses <= maxInviteUses, "maxUses", "must be from 1 to 1000 (leave it out for unlimited)")
	}
	if req.ExpiresInHours != nil {
		v.check(*req.ExpiresInHours >= 1 && *req.ExpiresInHours <= maxInviteHours, "expiresInHours", "must be from 1 to 720")
	}
	return v.err()
}

func (s *Server) handleInviteCreate(w http.ResponseWriter, r *http.Request) {
	var req createInviteRequest
	if err := decodeJSON(w, r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	ctx := r.Context()
	m := membershipFrom(ctx)
	var maxUses *int32
	if req.MaxUses != nil {
		n := int32(*req.MaxUses)
		maxUses = &n
	}
	code, hash := newSecret(inviteCodeBytes)
	inv, err := s.queries.InviteCreate(ctx, db.InviteCreateParams{
		CampaignID: m.CampaignID,
		CodeHash:   hash,
		Role:       deref(req.Role, rolePlayer),
		MaxUses:    maxUses,
		ExpiresAt:  time.Now().Add(time.Duration(deref(req.ExpiresInHours, defaultInviteHours)) * time.Hour),
		CreatedBy:  m.UserID,
	})
	if err != nil {
		s.writeError(w, r, fmt.Errorf("create invite: %w", db.Interpret(err)))
		return
	}
	j := newInviteJSON(db.InviteListActiveRow(inv))
	j.Code = code
	j.URL = s.baseURL.JoinPath("/join", code).String()
	writeJSON(w, http.StatusCreated, inviteBody{j})
}

// handleInviteList lists the invites that can still be used.
func (s *Server) handleInviteList(w http.ResponseWriter, r *http.Request) {
	rows, err := s.queries.InviteListActive(r.Context(), campaignFrom(r.Context()))
	if err != nil {
		s.writeError(w, r, fmt.Errorf("list invites: %w", err))
		return
	}
	items := make([]inviteJSON, 0, len(rows))
	for _, i := range rows {
		items = append(items, newInviteJSON(i))
	}
	writeJSON(w, http.StatusOK, inviteListBody{Items: items})
}

// handleInviteRevoke revokes an invite; revoking twice is harmless.
func (s *Server) handleInviteRevoke(w http.ResponseWriter, r *http.Request) {
	id, err := urlUUID(r, "inviteId", "invite")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	n, err := s.queries.InviteRevoke(r.Context(), db.InviteRevokeParams{CampaignID: campaignFrom(r.Context()), ID: id})
	if err != nil {
		s.writeError(w, r, fmt.Errorf("revoke invite: %w", err))
		return
	}
	if n == 0 {
		s.writeError(w, r, errNotFound("invite"))
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// invitePreviewJSON tells someone holding a code what it is for.
type invitePreviewJSON struct {
	CampaignName string    `json:"campaignName"`
	Role         string    `json:"role"`
	ExpiresAt    time.Time `json:"expiresAt"`
}

// invitePreviewBody carries the preview wrapped under "invite", as every
// single resource is (CONTRACT.md section 1), and also at the top level,
// the shape section 3's table shows; clients may read either.
type invitePreviewBody struct {
	Invite invitePreviewJSON `json:"invite"`
	invitePreviewJSON
}

func (invitePreviewBody) responseBody() {}

// handleInvitePreview answers 404 for a code that is unknown, used up,
// expired or revoked.
func (s *Server) handleInvitePreview(w http.ResponseWriter, r *http.Request) {
	code := chi.URLParam(r, "code")
	if !plausibleToken(code) {
		s.writeError(w, r, errNotFound("invite"))
		return
	}
	inv, err := s.queries.InviteGetUsableByCodeHash(r.Context(), hashSecret(code))
	if err != nil {
		s.writeError(w, r, notFoundAs(err, "invite"))
		return
	}
	p := invitePreviewJSON{CampaignName: inv.CampaignName, Role: inv.Role, ExpiresAt: inv.ExpiresAt.UTC()}
	writeJSON(w, http.StatusOK, invitePreviewBody{Invite: p, invitePreviewJSON: p})
}

// errAlreadyMember stops the accept transaction when the user turns out to
// be a member already (two accepts racing).
var errAlreadyMember = errors.New("already a member")

// handleInviteAccept makes the caller a member with the invite's role and
// counts one use. A member accepting again gets the campaign, unchanged,
// and uses nothing, even when the code has since run out.
func (s *Server) handleInviteAccept(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	u := userFrom(ctx)
	code := chi.URLParam(r, "code")
	if !plausibleToken(code) {
		s.writeError(w, r, errBadToken())
		return
	}
	hash := hashSecret(code)
	campaignID, err := s.queries.InviteCampaignByCodeHash(ctx, hash)
	if err != nil {
		s.writeError(w, r, tokenErr(err, "load invite"))
		return
	}
	_, err = s.queries.MembershipGet(ctx, db.MembershipGetParams{CampaignID: campaignID, UserID: u.ID})
	switch err = db.Interpret(err); {
	case err == nil:
		s.writeCampaign(w, r, http.StatusOK, campaignID)
		return
	case !errors.Is(err, db.ErrNotFound):
		s.writeError(w, r, fmt.Errorf("load membership: %w", err))
		return
	}
	err = db.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		q := s.queries.WithTx(tx)
		inv, err := q.InviteGetUsableByCodeHash(ctx, hash)
		if err != nil {
			return tokenErr(err, "load invite")
		}
		role, err := q.InviteUse(ctx, db.InviteUseParams{CampaignID: inv.CampaignID, ID: inv.ID})
		if err != nil {
			return tokenErr(err, "use invite")
		}
		_, err = q.MembershipCreate(ctx, db.MembershipCreateParams{CampaignID: inv.CampaignID, UserID: u.ID, Role: role})
		if err != nil {
			if err = db.Interpret(err); errors.Is(err, db.ErrConflict) {
				return errAlreadyMember
			}
			return fmt.Errorf("add member: %w", err)
		}
		return nil
	})
	if err != nil && !errors.Is(err, errAlreadyMember) {
		s.writeError(w, r, err)
		return
	}
	s.writeCampaign(w, r, http.StatusOK, campaignID)
}
