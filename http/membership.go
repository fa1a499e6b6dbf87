package http

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/go-chi/chi/v5"
	"github.com/google/uuid"

	"gametable/db"
)

// Campaign roles.
const (
	roleGM     = "gm"
	rolePlayer = "player"
)

// membership is what requireMember proves and puts in the context: the
// current user is a member of this campaign, with this role.
type membership struct {
	CampaignID uuid.UUID
	UserID     uuid.UUID
	Role       string
}

// requireMember guards every route under /api/campaigns/{campaignId}. It
// loads the membership of the current user once; anyone who is not a
// member gets 404, exactly as if the campaign did not exist (an id that is
// not a UUID too). Handlers then read the campaign ID from campaignFrom,
// never from the URL or the body. Without a session the answer is 401.
func (s *Server) requireMember(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u, ok := optionalUserFrom(r.Context())
		if !ok {
			s.writeError(w, r, errUnauthorized())
			return
		}
		campaignID, err := uuid.Parse(chi.URLParam(r, "campaignId"))
		if err != nil {
			s.writeError(w, r, errNotFound("campaign"))
			return
		}
		m, err := s.queries.MembershipGet(r.Context(), db.MembershipGetParams{CampaignID: campaignID, UserID: u.ID})
		if err != nil {
			if err = db.Interpret(err); errors.Is(err, db.ErrNotFound) {
				err = errNotFound("campaign")
			} else {
				err = fmt.Errorf("load membership: %w", err)
			}
			s.writeError(w, r, err)
			return
		}
		ctx := context.WithValue(r.Context(), ctxMember, membership{CampaignID: m.CampaignID, UserID: m.UserID, Role: m.Role})
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// requireGM answers 403 to members who are not GMs. Use it after
// requireMember: r.With(s.requireGM).Post(...).
func (s *Server) requireGM(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !isGM(r.Context()) {
			s.writeError(w, r, errForbidden("only a GM of this campaign may do this"))
			return
		}
		next.ServeHTTP(w, r)
	})
}

// membershipFrom returns what requireMember proved. It panics when the
// route is not behind requireMember: a developer error.
func membershipFrom(ctx context.Context) membership {
	m, ok := ctx.Value(ctxMember).(membership)
	if !ok {
		panic("developer error: campaign route without requireMember")
	}
	return m
}

// campaignFrom returns the ID of the campaign the request is about, as
// proved by requireMember. It is the only place handlers may take a
// campaign ID from.
func campaignFrom(ctx context.Context) uuid.UUID { return membershipFrom(ctx).CampaignID }

// roleFrom returns the current user's role in the campaign: roleGM or
// rolePlayer.
func roleFrom(ctx context.Context) string { return membershipFrom(ctx).Role }

// isGM reports whether the current user is a GM of the campaign.
func isGM(ctx context.Context) bool { return membershipFrom(ctx).Role == roleGM }

// urlUUID parses the path parameter name as a UUID. A malformed ID cannot
// name anything, so it is a 404 for what.
func urlUUID(r *http.Request, name, what string) (uuid.UUID, error) {
	id, err := uuid.Parse(chi.URLParam(r, name))
	if err != nil {
		return uuid.Nil, errNotFound(what)
	}
	return id, nil
}
