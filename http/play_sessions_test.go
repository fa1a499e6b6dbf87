package http

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"
)

// createSession creates a game session as gm with body, requiring 201.
func (ts *testServer) createSession(t *testing.T, gm *testClient, campaignID uuid.UUID, body map[string]any) sessionJSON {
	t.Helper()
	var sb sessionBody
	gm.do(t, http.MethodPost, campaignPath(campaignID, "sessions"), body).requireStatus(t, http.StatusCreated).decode(t, &sb)
	return sb.Session
}

// setZone sets the campaign's time zone as gm.
func setZone(t *testing.T, gm *testClient, campaignID uuid.UUID, zone string) {
	t.Helper()
	gm.do(t, http.MethodPatch, campaignPath(campaignID), map[string]any{"timeZone": zone}).requireStatus(t, http.StatusOK)
}

// scheduleBundle is a campaign with a GM and a player.
type scheduleBundle struct {
	ts     *testServer
	gm     *testClient
	player *testClient
	id     uuid.UUID
}

func newScheduleBundle(t *testing.T, ts *testServer, name string) *scheduleBundle {
	t.Helper()
	gm := ts.newUser(t, name+" GM")
	c := ts.createCampaign(t, gm, name)
	player := ts.join(t, gm, c.ID, rolePlayer, name+" Player")
	return &scheduleBundle{ts: ts, gm: gm, player: player, id: c.ID}
}

func TestSessions_CRUD(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	b := newScheduleBundle(t, ts, "Numbers")
	path := campaignPath(b.id, "sessions")

	one := ts.createSession(t, b.gm, b.id, map[string]any{})
	require.Equal(t, int32(1), one.Number)
	require.Equal(t, "Session 1", one.Label)
	require.Equal(t, "planned", one.Status)
	require.Nil(t, one.ScheduledAt)
	require.Empty(t, one.LocalDate)

	five := ts.createSession(t, b.gm, b.id, map[string]any{"number": 5, "title": "  The Sunken Keep  ", "scheduledAt": "2031-03-07T19:30:00+01:00"})
	require.Equal(t, int32(5), five.Number)
	require.Equal(t, "The Sunken Keep", five.Title)
	require.Equal(t, "Session 5: The Sunken Keep", five.Label)
	require.Equal(t, "2031-03-07T18:30:00Z", five.ScheduledAt.Format(time.RFC3339))
	require.Equal(t, "2031-03-07", five.LocalDate)
	require.Equal(t, "18:30", five.LocalTime, "the campaign is in UTC")

	// The next number follows the highest one.
	six := ts.createSession(t, b.gm, b.id, nil)
	require.Equal(t, int32(6), six.Number)
	// A taken number is a conflict, never a renumbering.
	e := b.gm.do(t, http.MethodPost, path, map[string]any{"number": 5}).requireError(t, http.StatusConflict, codeConflict)
	require.Contains(t, e.Message, "5")
	three := ts.createSession(t, b.gm, b.id, map[string]any{"number": 3})

	// Members list them by number.
	var list sessionListBody
	b.player.do(t, http.MethodGet, path, nil).requireStatus(t, http.StatusOK).decode(t, &list)
	numbers := []int32{}
	for _, s := range list.Items {
		numbers = append(numbers, s.Number)
	}
	require.Equal(t, []int32{1, 3, 5, 6}, numbers)

	var got sessionBody
	b.player.do(t, http.MethodGet, campaignPath(b.id, "sessions", five.ID.String()), nil).requireStatus(t, http.StatusOK).decode(t, &got)
	require.Equal(t, five, got.Session)

	// PATCH changes what it is given.
	recap := strings.Repeat("ä", maxRecapLen)
	b.gm.do(t, http.MethodPatch, campaignPath(b.id, "sessions", five.ID.String()), map[string]any{
		"status": "completed", "recap": recap,
	}).requireStatus(t, http.StatusOK).decode(t, &got)
	require.Equal(t, "completed", got.Session.Status)
	require.Equal(t, recap, got.Session.Recap)
	require.Equal(t, "The Sunken Keep", got.Session.Title)
	require.Equal(t, five.ScheduledAt, got.Session.ScheduledAt)

	// null clears the date; an empty title leaves the bare label.
	got = sessionBody{}
	b.gm.do(t, http.MethodPatch, campaignPath(b.id, "sessions", five.ID.String()), `{"scheduledAt":null,"title":""}`).
		requireStatus(t, http.StatusOK).decode(t, &got)
	require.Nil(t, got.Session.ScheduledAt)
	require.Empty(t, got.Session.LocalDate)
	require.Equal(t, "Session 5", got.Session.Label)

	// Renumbering on purpose: to a free number works, to a taken one is 409.
	b.gm.do(t, http.MethodPatch, campaignPath(b.id, "sessions", three.ID.String()), map[string]any{"number": 6}).
		requireError(t, http.StatusConflict, codeConflict)
	b.gm.do(t, http.MethodPatch, campaignPath(b.id, "sessions", three.ID.String()), map[string]any{"number": 4}).
		requireStatus(t, http.StatusOK).decode(t, &got)
	require.Equal(t, int32(4), got.Session.Number)

	b.gm.do(t, http.MethodDelete, campaignPath(b.id, "sessions", one.ID.String()), nil).requireStatus(t, http.StatusNoContent)
	b.gm.do(t, http.MethodGet, campaignPath(b.id, "sessions", one.ID.String()), nil).requireError(t, http.StatusNotFound, codeNotFound)
	b.gm.do(t, http.MethodDelete, campaignPath(b.id, "sessions", one.ID.String()), nil).requireError(t, http.StatusNotFound, codeNotFound)
	b.gm.do(t, http.MethodPatch, campaignPath(b.id, "sessions", uuid.NewString()), map[string]any{"title": "x"}).requireError(t, http.StatusNotFound, codeNotFound)
}

func TestSessions_Validation(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	b := newScheduleBundle(t, ts, "Valid")
	s := ts.createSession(t, b.gm, b.id, nil)
	create := campaignPath(b.id, "sessions")
	patch := campaignPath(b.id, "sessions", s.ID.String())
	tests := []struct {
		name   string
		method string
		path   string
		body   string
		fields []string
	}{
		{"TitleTooLong", "POST", create, `{"title":"` + strings.Repeat("x", 201) + `"}`, []string{"title"}},
		{"TitleControl", "POST", create, `{"title":"a\u0007b"}`, []string{"title"}},
		{"ScheduledAtWords", "POST", create, `{"scheduledAt":"next friday"}`, []string{"scheduledAt"}},
		{"ScheduledAtNoOffset", "POST", create, `{"scheduledAt":"2031-03-07T19:00:00"}`, []string{"scheduledAt"}},
		{"NumberZero", "POST", create, `{"number":0}`, []string{"number"}},
		{"NumberHuge", "POST", create, `{"number":10000000}`, []string{"number"}},
		{"Several", "POST", create, `{"number":-1,"title":"` + strings.Repeat("x", 201) + `"}`, []string{"number", "title"}},
		{"PatchStatus", "PATCH", patch, `{"status":"done"}`, []string{"status"}},
		{"PatchRecapTooLong", "PATCH", patch, `{"recap":"` + strings.Repeat("x", maxRecapLen+1) + `"}`, []string{"recap"}},
		{"PatchRecapNUL", "PATCH", patch, `{"recap":"a\u0000b"}`, []string{"recap"}},
		{"PatchScheduledAt", "PATCH", patch, `{"scheduledAt":"2031-02-30T19:00:00Z"}`, []string{"scheduledAt"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			b.gm.do(t, tt.method, tt.path, tt.body).requireFields(t, tt.fields...)
		})
	}
	t.Run("BadJSON", func(t *testing.T) {
		t.Parallel()
		b.gm.do(t, "POST", create, `{"number":"one"}`).requireError(t, http.StatusBadRequest, codeBadRequest)
		b.gm.do(t, "POST", create, `{"status":"completed"}`).requireError(t, http.StatusBadRequest, codeBadRequest)
	})
}

func TestSessions_Roles(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	b := newScheduleBundle(t, ts, "Roles")
	s := ts.createSession(t, b.gm, b.id, nil)
	one := campaignPath(b.id, "sessions", s.ID.String())
	b.player.do(t, http.MethodPost, campaignPath(b.id, "sessions"), map[string]any{}).requireError(t, http.StatusForbidden, codeForbidden)
	b.player.do(t, http.MethodPatch, one, map[string]any{"title": "Mine"}).requireError(t, http.StatusForbidden, codeForbidden)
	b.player.do(t, http.MethodDelete, one, nil).requireError(t, http.StatusForbidden, codeForbidden)
	b.player.do(t, http.MethodGet, one, nil).requireStatus(t, http.StatusOK)
	outsider := ts.newUser(t, "Outsider")
	outsider.do(t, http.MethodGet, one, nil).requireError(t, http.StatusNotFound, codeNotFound)
	outsider.do(t, http.MethodGet, campaignPath(b.id, "sessions"), nil).requireError(t, http.StatusNotFound, codeNotFound)
}

// TestSessions_TimeZones: instants are stored and returned in UTC; the
// local fields follow the campaign's zone, daylight saving time included,
// and change when the zone does.
func TestSessions_TimeZones(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	b := newScheduleBundle(t, ts, "Zones")
	// A bad zone is refused with the field named.
	b.gm.do(t, http.MethodPatch, campaignPath(b.id), map[string]any{"timeZone": "Europe/Atlantis"}).requireFields(t, "timeZone")
	b.gm.do(t, http.MethodPatch, campaignPath(b.id), map[string]any{"timeZone": "Local"}).requireFields(t, "timeZone")

	setZone(t, b.gm, b.id, "Europe/Berlin")
	summer := ts.createSession(t, b.gm, b.id, map[string]any{"scheduledAt": "2031-10-24T19:00:00+02:00"})
	winter := ts.createSession(t, b.gm, b.id, map[string]any{"scheduledAt": "2031-10-31T19:00:00+01:00"})
	require.Equal(t, "2031-10-24T17:00:00Z", summer.ScheduledAt.Format(time.RFC3339))
	require.Equal(t, "2031-10-31T18:00:00Z", winter.ScheduledAt.Format(time.RFC3339))
	for _, s := range []sessionJSON{summer, winter} {
		require.Equal(t, "19:00", s.LocalTime)
	}
	require.Equal(t, "2031-10-24", summer.LocalDate)
	require.Equal(t, "2031-10-31", winter.LocalDate)

	// The same instants seen from Auckland (NZDT, +13) are next morning.
	setZone(t, b.gm, b.id, "Pacific/Auckland")
	var got sessionBody
	b.player.do(t, http.MethodGet, campaignPath(b.id, "sessions", winter.ID.String()), nil).requireStatus(t, http.StatusOK).decode(t, &got)
	require.Equal(t, "2031-11-01", got.Session.LocalDate)
	require.Equal(t, "07:00", got.Session.LocalTime)
	require.Equal(t, winter.ScheduledAt, got.Session.ScheduledAt)
}

// TestSessions_CampaignNextSession: sessionCount counts every session;
// nextSession is the earliest planned session in the future.
func TestSessions_CampaignNextSession(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	b := newScheduleBundle(t, ts, "Next")
	campaign := func() campaignJSON {
		var cb campaignBody
		b.player.do(t, http.MethodGet, campaignPath(b.id), nil).requireStatus(t, http.StatusOK).decode(t, &cb)
		return cb.Campaign
	}
	require.Nil(t, campaign().NextSession)
	at := func(d time.Duration) string { return time.Now().Add(d).UTC().Format(time.RFC3339) }
	ts.createSession(t, b.gm, b.id, map[string]any{"scheduledAt": at(-48 * time.Hour), "title": "Past"})
	ts.createSession(t, b.gm, b.id, map[string]any{"title": "Undated"})
	later := ts.createSession(t, b.gm, b.id, map[string]any{"scheduledAt": at(14 * 24 * time.Hour), "title": "Later"})
	soon := ts.createSession(t, b.gm, b.id, map[string]any{"scheduledAt": at(7 * 24 * time.Hour), "title": "Soon"})
	cancelled := ts.createSession(t, b.gm, b.id, map[string]any{"scheduledAt": at(24 * time.Hour), "title": "Off"})
	b.gm.do(t, http.MethodPatch, campaignPath(b.id, "sessions", cancelled.ID.String()), map[string]any{"status": "cancelled"}).requireStatus(t, http.StatusOK)

	c := campaign()
	require.Equal(t, int64(5), c.SessionCount)
	require.NotNil(t, c.NextSession)
	require.Equal(t, soon.ID, c.NextSession.ID)
	require.Equal(t, "Session 4: Soon", c.NextSession.Label)
	require.True(t, soon.ScheduledAt.Equal(c.NextSession.ScheduledAt))

	b.gm.do(t, http.MethodPatch, campaignPath(b.id, "sessions", soon.ID.String()), map[string]any{"status": "completed"}).requireStatus(t, http.StatusOK)
	require.Equal(t, later.ID, campaign().NextSession.ID)
}
