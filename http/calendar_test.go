package http

import (
	"bytes"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	ics "github.com/arran4/golang-ical"
	"github.com/google/uuid"
	"github.com/stretchr/testify/require"
)

// calendarToken creates or rotates c's feed token for the campaign.
func (c *testClient) calendarToken(t *testing.T, campaignID uuid.UUID) calendarTokenJSON {
	t.Helper()
	var tok calendarTokenJSON
	c.do(t, http.MethodPost, campaignPath(campaignID, "calendar-token"), nil).requireStatus(t, http.StatusCreated).decode(t, &tok)
	return tok
}

// fetchFeed GETs a feed URL the way a calendar app does: no cookie.
func fetchFeed(t *testing.T, ts *testServer, rawURL string) *testResponse {
	t.Helper()
	u, err := url.Parse(rawURL)
	require.NoError(t, err)
	return ts.newClient(t).do(t, http.MethodGet, u.RequestURI(), nil)
}

// parseFeed checks the feed's lines against RFC 5545 and parses it with an
// independent iCalendar library.
func parseFeed(t *testing.T, res *testResponse) *ics.Calendar {
	t.Helper()
	res.requireStatus(t, http.StatusOK)
	require.Equal(t, "text/calendar; charset=utf-8", res.Header.Get("Content-Type"))
	require.True(t, bytes.HasSuffix(res.Body, []byte("\r\n")))
	for i, l := range strings.Split(strings.TrimSuffix(string(res.Body), "\r\n"), "\r\n") {
		require.LessOrEqual(t, len(l), 75, "line %d: %q", i, l)
		require.True(t, utf8.ValidString(l), "line %d: %q", i, l)
		require.NotContains(t, l, "\n")
	}
	cal, err := ics.ParseCalendar(bytes.NewReader(res.Body))
	require.NoError(t, err, "%s", res.Body)
	return cal
}

func TestCalendar_Feed(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	b := newScheduleBundle(t, ts, "Feed")
	setZone(t, b.gm, b.id, "Europe/Berlin")
	at := time.Date(time.Now().Year()+1, 10, 30, 18, 0, 0, 0, time.UTC)
	long := ts.createSession(t, b.gm, b.id, map[string]any{
		"scheduledAt": at.Format(time.RFC3339),
		"title":       "Ünter the Keep; part one, of many — " + strings.Repeat("🐉 ", 30),
	})
	plain := ts.createSession(t, b.gm, b.id, map[string]any{"scheduledAt": at.AddDate(0, 0, 7).Format(time.RFC3339)})
	ts.createSession(t, b.gm, b.id, map[string]any{"title": "Undated"})
	done := ts.createSession(t, b.gm, b.id, map[string]any{"scheduledAt": at.AddDate(0, 0, -7).Format(time.RFC3339)})
	b.gm.do(t, http.MethodPatch, campaignPath(b.id, "sessions", done.ID.String()), map[string]any{"status": "completed"}).requireStatus(t, http.StatusOK)

	tok := b.player.calendarToken(t, b.id)
	require.True(t, plausibleToken(tok.Token))
	require.Equal(t, ts.URL+"/api/campaigns/"+b.id.String()+"/calendar.ics?token="+tok.Token, tok.URL)
	// Only the hash is stored.
	var stored []byte
	require.NoError(t, ts.Pool.QueryRow(t.Context(), "SELECT calendar_token_hash FROM memberships WHERE campaign_id = $1 AND user_id = $2", b.id, b.player.User.ID).Scan(&stored))
	require.Equal(t, hashSecret(tok.Token), stored)

	res := fetchFeed(t, ts, tok.URL)
	require.Contains(t, res.Header.Get("Cache-Control"), "private")
	cal := parseFeed(t, res)
	events := cal.Events()
	require.Len(t, events, 2, "the planned sessions with a date")
	want := []sessionJSON{long, plain}
	for i, e := range events {
		require.Equal(t, "session-"+want[i].ID.String()+"@gametable", e.Id())
		start, err := e.GetStartAt()
		require.NoError(t, err)
		require.True(t, want[i].ScheduledAt.Equal(start))
		_, err = e.GetDtStampTime()
		require.NoError(t, err)
		require.Equal(t, "Feed: "+want[i].Label, e.GetProperty(ics.ComponentPropertySummary).Value)
	}
	require.Contains(t, string(res.Body), "DTSTART:"+at.Format("20060102T150405Z")+"\r\n")
	require.Contains(t, string(res.Body), `Ünter the Keep\; part one\, of many`)

	// UIDs and stamps are stable: a second fetch is the same document.
	require.Equal(t, string(res.Body), string(fetchFeed(t, ts, tok.URL).requireStatus(t, http.StatusOK).Body))

	// A change moves the event, under the same UID.
	b.gm.do(t, http.MethodPatch, campaignPath(b.id, "sessions", plain.ID.String()), map[string]any{"scheduledAt": at.AddDate(0, 0, 8).Format(time.RFC3339)}).requireStatus(t, http.StatusOK)
	events = parseFeed(t, fetchFeed(t, ts, tok.URL)).Events()
	require.Equal(t, "session-"+plain.ID.String()+"@gametable", events[1].Id())
	start, err := events[1].GetStartAt()
	require.NoError(t, err)
	require.True(t, at.AddDate(0, 0, 8).Equal(start))

	// In the browser, a member's cookie is enough; without either, 401.
	parseFeed(t, b.gm.do(t, http.MethodGet, campaignPath(b.id, "calendar.ics"), nil))
	ts.newClient(t).do(t, http.MethodGet, campaignPath(b.id, "calendar.ics"), nil).requireError(t, http.StatusUnauthorized, codeUnauthorized)
	ts.newUser(t, "Stranger").do(t, http.MethodGet, campaignPath(b.id, "calendar.ics"), nil).requireError(t, http.StatusNotFound, codeNotFound)
}

func TestCalendar_Tokens(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	b := newScheduleBundle(t, ts, "Tokens")
	other := newScheduleBundle(t, ts, "Other")
	ts.createSession(t, b.gm, b.id, map[string]any{"scheduledAt": future().Format(time.RFC3339)})

	first := b.player.calendarToken(t, b.id)
	parseFeed(t, fetchFeed(t, ts, first.URL))
	gmTok := b.gm.calendarToken(t, b.id)
	require.NotEqual(t, first.Token, gmTok.Token, "each member has their own")

	// Rotating: the old token is gone, the new one works.
	second := b.player.calendarToken(t, b.id)
	require.NotEqual(t, first.Token, second.Token)
	fetchFeed(t, ts, first.URL).requireError(t, http.StatusNotFound, codeNotFound)
	parseFeed(t, fetchFeed(t, ts, second.URL))
	parseFeed(t, fetchFeed(t, ts, gmTok.URL))

	feed := func(campaignID uuid.UUID, query string) *testResponse {
		return ts.newClient(t).do(t, http.MethodGet, campaignPath(campaignID, "calendar.ics")+query, nil)
	}
	// A token only opens its own campaign's feed.
	feed(other.id, "?token="+second.Token).requireError(t, http.StatusNotFound, codeNotFound)
	// Unknown, malformed, empty and repeated tokens.
	for _, q := range []string{"?token=" + strings.Repeat("A", 43), "?token=not%20a%20token", "?token=", "?token=" + second.Token + "&token=" + second.Token} {
		feed(b.id, q).requireError(t, http.StatusNotFound, codeNotFound)
	}
	ts.newClient(t).do(t, http.MethodGet, "/api/campaigns/not-a-uuid/calendar.ics?token="+second.Token, nil).requireError(t, http.StatusNotFound, codeNotFound)

	// Leaving the campaign ends the feed.
	b.gm.do(t, http.MethodDelete, campaignPath(b.id, "members", b.player.User.ID.String()), nil).requireStatus(t, http.StatusNoContent)
	fetchFeed(t, ts, second.URL).requireError(t, http.StatusNotFound, codeNotFound)
	parseFeed(t, fetchFeed(t, ts, gmTok.URL))

	// Only members get a token.
	ts.newUser(t, "Outsider").do(t, http.MethodPost, campaignPath(b.id, "calendar-token"), nil).requireError(t, http.StatusNotFound, codeNotFound)
}
