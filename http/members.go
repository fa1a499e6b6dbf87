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

// memberRoutes mounts /api/campaigns/{campaignId}/members (behind
// requireMember). PATCH and DELETE check their own rules: a GM may change
// and remove anyone; a player may change their own character fields and
// leave.
func (s *Server) memberRoutes(r chi.Router) {
	r.Get("/members", s.handleMemberList)
	r.Patch("/members/{userId}", s.handleMemberUpdate)
	r.Delete("/members/{userId}", s.handleMemberDelete)
}

// memberJSON is CONTRACT.md's `member`.
type memberJSON struct {
	UserID         uuid.UUID `json:"userId"`
	DisplayName    string    `json:"displayName"`
	Role           string    `json:"role"`
	CharacterName  *string   `json:"characterName,omitempty"`
	CharacterLevel *int32    `json:"characterLevel,omitempty"`
	JoinedAt       time.Time `json:"joinedAt"`
	Online         bool      `json:"online"`
}

func newMemberJSON(m db.MembershipListRow, online map[uuid.UUID]bool) memberJSON {
	return memberJSON{
		UserID:         m.UserID,
		DisplayName:    m.DisplayName,
		Role:           m.Role,
		CharacterName:  m.CharacterName,
		CharacterLevel: m.CharacterLevel,
		JoinedAt:       m.JoinedAt.UTC(),
		Online:         online[m.UserID],
	}
}

type memberBody struct {
	Member memberJSON `json:"member"`
}

func (memberBody) responseBody() {}

type memberListBody struct {
	Items []memberJSON `json:"items"`
}

func (memberListBody) responseBody() {}

// onlineIn returns who has a live connection to the campaign.
func (s *Server) onlineIn(campaignID uuid.UUID) map[uuid.UUID]bool {
	if s.online == nil {
		return nil
	}
	return s.online(campaignID)
}

func (s *Server) handleMemberList(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	id := campaignFrom(ctx)
	rows, err := s.queries.MembershipList(ctx, id)
	if err != nil {
		s.writeError(w, r, fmt.Errorf("list members: %w", err))
		return
	}
	online := s.onlineIn(id)
	items := make([]memberJSON, 0, len(rows))
	for _, m := range rows {
		items = append(items, newMemberJSON(m, online))
	}
	writeJSON(w, http.StatusOK, memberListBody{Items: items})
}

type updateMemberRequest struct {
	Role           *string          `json:"role"`
	CharacterName  optional[string] `json:"characterName"`
	CharacterLevel optional[int32]  `json:"characterLevel"`
}

func (req *updateMemberRequest) validate() error {
	var v validator
	if req.Role != nil {
		v.check(*req.Role == roleGM || *req.Role == rolePlayer, "role", `must be "gm" or "player"`)
	}
	if req.CharacterName.Set && !req.CharacterName.Null {
		checkName(&v, "characterName", &req.CharacterName.Value, maxNameLen)
	}
	if req.CharacterLevel.Set && !req.CharacterLevel.Null {
		l := req.CharacterLevel.Value
		v.check(l >= 1 && l <= 20, "characterLevel", "must be from 1 to 20")
	}
	return v.err()
}

// errLastGM is the answer when a change would leave a campaign without a GM.
func errLastGM() error {
	return errConflict("a campaign needs a GM: make another member GM first")
}

// handleMemberUpdate changes a member's role (GMs only; the last GM cannot
// be demoted) or character fields (GMs, and members for themselves). A
// changed role closes the member's live connections so they reconnect
// with the view of their new role.
func (s *Server) handleMemberUpdate(w http.ResponseWriter, r *http.Request) {
	var req updateMemberRequest
	if err := decodeJSON(w, r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	ctx := r.Context()
	me := membershipFrom(ctx)
	target, err := urlUUID(r, "userId", "member")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if me.Role != roleGM && (target != me.UserID || req.Role != nil) {
		s.writeError(w, r, errForbidden("only a GM may change roles or other members"))
		return
	}
	var before db.MembershipGetRow
	err = db.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		q := s.queries.WithTx(tx)
		if req.Role != nil && *req.Role == rolePlayer {
			gms, err := q.MembershipListGMsForUpdate(ctx, me.CampaignID)
			if err != nil {
				return fmt.Errorf("lock GMs: %w", err)
			}
			if len(gms) == 1 && gms[0] == target {
				return errLastGM()
			}
		}
		var err error
		before, err = q.MembershipGet(ctx, db.MembershipGetParams{CampaignID: me.CampaignID, UserID: target})
		if err != nil {
			return notFoundAs(err, "member")
		}
		_, err = q.MembershipUpdate(ctx, db.MembershipUpdateParams{
			CampaignID:        me.CampaignID,
			UserID:            target,
			Role:              req.Role,
			SetCharacterName:  req.CharacterName.Set,
			CharacterName:     req.CharacterName.ptr(),
			SetCharacterLevel: req.CharacterLevel.Set,
			CharacterLevel:    req.CharacterLevel.ptr(),
		})
		if err != nil {
			return notFoundAs(err, "member")
		}
		return nil
	})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if req.Role != nil && *req.Role != before.Role {
		s.live.ReconnectMember(me.CampaignID, target)
		if target == me.UserID {
			if err := s.renewSession(ctx); err != nil {
				s.writeError(w, r, err)
				return
			}
		}
	}
	m, err := s.queries.MembershipGetWithName(ctx, db.MembershipGetWithNameParams{CampaignID: me.CampaignID, UserID: target})
	if err != nil {
		s.writeError(w, r, notFoundAs(err, "member"))
		return
	}
	writeJSON(w, http.StatusOK, memberBody{newMemberJSON(db.MembershipListRow(m), s.onlineIn(me.CampaignID))})
}

// handleMemberDelete removes a member (a GM removing anyone, or a member
// leaving). The last GM can neither leave nor be removed. The removed
// user loses access at once (requireMember asks the database on every
// request) and their live connections close.
func (s *Server) handleMemberDelete(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	me := membershipFrom(ctx)
	target, err := urlUUID(r, "userId", "member")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if me.Role != roleGM && target != me.UserID {
		s.writeError(w, r, errForbidden("only a GM may remove other members"))
		return
	}
	err = db.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		q := s.queries.WithTx(tx)
		gms, err := q.MembershipListGMsForUpdate(ctx, me.CampaignID)
		if err != nil {
			return fmt.Errorf("lock GMs: %w", err)
		}
		if len(gms) == 1 && gms[0] == target {
			return errLastGM()
		}
		n, err := q.MembershipDelete(ctx, db.MembershipDeleteParams{CampaignID: me.CampaignID, UserID: target})
		if err != nil {
			return fmt.Errorf("delete membership: %w", db.Interpret(err))
		}
		if n == 0 {
			return errNotFound("member")
		}
		return nil
	})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.live.CloseMember(me.CampaignID, target)
	w.WriteHeader(http.StatusNoContent)
}

// notFoundAs turns a query's "no rows" into a 404 for what and wraps
// anything else.
func notFoundAs(err error, what string) error {
	if err = db.Interpret(err); errors.Is(err, db.ErrNotFound) {
		return errNotFound(what)
	}
	return fmt.Errorf("%s: %w", what, err)
}
