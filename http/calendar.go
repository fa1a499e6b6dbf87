package http

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/google/uuid"

	"gametable/db"
	"gametable/schedule"
)

// The calendar feed: GET /api/campaigns/{campaignId}/calendar.ics, an
// iCalendar (RFC 5545) document of the campaign's planned sessions, for
// calendar apps to subscribe to.
//
// Calendar apps send no cookie, so the feed authenticates by a personal
// token in the URL (?token=...): each member creates or rotates theirs
// with POST .../calendar-token, which returns it once; PostgreSQL keeps only
// its SHA-256 (memberships.calendar_token_hash). An unknown or rotated
// token, or one of another campaign, is 404, like a campaign that does not
// exist. The token is all a request needs: it is mounted outside
// requireMember (calendarFeedRoutes). Without a token the route falls back
// to the session cookie, so a member can open the feed in the browser
// (401 without a session, 404 for non-members, as the campaign's other
// routes).
//
// The token only reads this one campaign's schedule; leaving the campaign
// deletes the membership and with it the token.

// calendarRoutes mounts POST /api/campaigns/{campaignId}/calendar-token
// (behind requireMember).
func (s *Server) calendarRoutes(r chi.Router) {
	r.Post("/calendar-token", s.handleCalendarToken)
}

// calendarFeedRoutes mounts the feed under /api, outside LoadAndSave and
// requireMember: it authenticates by its token, or read-only by the
// session cookie.
func (s *Server) calendarFeedRoutes(r chi.Router) {
	r.With(s.authenticate).Get("/campaigns/{campaignId}/calendar.ics", s.handleCalendarFeed)
}

// Feed constants.
const (
	calendarProdID = "-//gametable//gametable//EN"
	// calendarEventLength is the length every session gets in the feed:
	// sessions store a start, not an end.
	calendarEventLength = 4 * time.Hour
	// calendarRefresh is the refresh interval the feed suggests.
	calendarRefresh = time.Hour
)

type calendarTokenJSON struct {
	Token string `json:"token"`
	URL   string `json:"url"`
}

func (calendarTokenJSON) responseBody() {}

// handleCalendarToken creates or rotates the caller's feed token: 201 with
// the token and the feed's URL, the only time the token is shown. The
// previous token, if any, stops working at once.
func (s *Server) handleCalendarToken(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	m := membershipFrom(ctx)
	token, hash := newSecret(tokenBytes)
	n, err := s.queries.MembershipCalendarTokenSet(ctx, db.MembershipCalendarTokenSetParams{
		CampaignID: m.CampaignID, UserID: m.UserID, TokenHash: hash,
	})
	if err != nil {
		s.writeError(w, r, fmt.Errorf("set calendar token: %w", db.Interpret(err)))
		return
	}
	if n == 0 {
		s.writeError(w, r, errNotFound("campaign"))
		return
	}
	writeJSON(w, http.StatusCreated, calendarTokenJSON{Token: token, URL: s.calendarURL(m.CampaignID, token)})
}

// calendarURL is the feed's public URL for a token.
func (s *Server) calendarURL(campaignID uuid.UUID, token string) string {
	u := s.baseURL.JoinPath("/api/campaigns", campaignID.String(), "calendar.ics")
	u.RawQuery = url.Values{"token": {token}}.Encode()
	return u.String()
}

// handleCalendarFeed writes the feed: every planned session with a date,
// with a stable UID, DTSTART in UTC, and DTSTAMP and LAST-MODIFIED from
// the session's last change.
func (s *Server) handleCalendarFeed(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	campaignID, err := uuid.Parse(chi.URLParam(r, "campaignId"))
	if err != nil {
		s.writeError(w, r, errNotFound("campaign"))
		return
	}
	var name, zone string
	if token, ok := r.URL.Query()["token"]; ok {
		if len(token) != 1 || !plausibleToken(token[0]) {
			s.writeError(w, r, errNotFound("calendar"))
			return
		}
		row, err := s.queries.CalendarFeedGet(ctx, db.CalendarFeedGetParams{CampaignID: campaignID, TokenHash: hashSecret(token[0])})
		if err != nil {
			if err = db.Interpret(err); errors.Is(err, db.ErrNotFound) {
				err = errNotFound("calendar")
			} else {
				err = fmt.Errorf("load calendar: %w", err)
			}
			s.writeError(w, r, err)
			return
		}
		name, zone = row.Name, row.TimeZone
	} else {
		u, ok := optionalUserFrom(ctx)
		if !ok {
			s.writeError(w, r, errUnauthorized())
			return
		}
		c, err := s.queries.CampaignGet(ctx, db.CampaignGetParams{CampaignID: campaignID, UserID: u.ID})
		if err != nil {
			if err = db.Interpret(err); errors.Is(err, db.ErrNotFound) {
				err = errNotFound("campaign")
			} else {
				err = fmt.Errorf("load campaign: %w", err)
			}
			s.writeError(w, r, err)
			return
		}
		name, zone = c.Name, c.TimeZone
	}
	sessions, err := s.queries.PlaySessionListPlanned(ctx, campaignID)
	if err != nil {
		s.writeError(w, r, fmt.Errorf("list planned sessions: %w", err))
		return
	}
	cal := schedule.Calendar{
		ProdID:          calendarProdID,
		Name:            name,
		TimeZone:        zone,
		RefreshInterval: calendarRefresh,
		Events:          make([]schedule.Event, 0, len(sessions)),
	}
	for _, p := range sessions {
		cal.Events = append(cal.Events, schedule.Event{
			UID:          "session-" + p.ID.String() + "@gametable",
			Stamp:        p.UpdatedAt,
			LastModified: p.UpdatedAt,
			Start:        *p.ScheduledAt,
			Duration:     calendarEventLength,
			Summary:      name + ": " + playSessionLabel(p.Number, p.Title),
			Status:       "CONFIRMED",
		})
	}
	w.Header().Set("Content-Type", "text/calendar; charset=utf-8")
	w.Header().Set("Content-Disposition", `inline; filename="calendar.ics"`)
	// The URL is a credential; keep the feed out of shared caches.
	w.Header().Set("Cache-Control", "private, max-age=300")
	w.Header().Set("Referrer-Policy", "no-referrer")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(cal.Encode())
}
