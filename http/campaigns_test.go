package http

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"
)

// listCampaigns returns c's campaigns by ID.
func listCampaigns(t *testing.T, c *testClient) map[uuid.UUID]campaignJSON {
	t.Helper()
	var body campaignListBody
	c.do(t, http.MethodGet, "/api/campaigns", nil).requireStatus(t, http.StatusOK).decode(t, &body)
	m := make(map[uuid.UUID]campaignJSON, len(body.Items))
	for _, c := range body.Items {
		m[c.ID] = c
	}
	require.Len(t, m, len(body.Items))
	return m
}

// TestCampaigns_ComputedFields checks every computed field across several
// campaigns and memberships, from both sides of the GM screen.
func TestCampaigns_ComputedFields(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	gina := ts.newUser(t, "Gina")
	alpha := ts.createCampaign(t, gina, "Alpha")
	beta := ts.createCampaign(t, gina, "Beta")
	pip := ts.join(t, gina, alpha.ID, rolePlayer, "Pip")
	ts.join(t, gina, alpha.ID, rolePlayer, "Quinn")
	// Pip runs a campaign of their own, where Gina plays.
	gamma := ts.createCampaign(t, pip, "Gamma")
	ginaInGamma := ts.invite(t, pip, gamma.ID, nil)
	gina.accept(t, ginaInGamma.Code)
	nobody := ts.newUser(t, "Nobody")

	now := time.Now().UTC().Truncate(time.Second)
	soon, later := now.Add(48*time.Hour), now.Add(96*time.Hour)
	// Alpha: a past session, a cancelled one before the next, the next
	// (with a title), one after it. Beta: only a past one.
	for _, s := range []struct {
		campaign uuid.UUID
		number   int
		title    string
		at       time.Time
		status   string
	}{
		{alpha.ID, 1, "", now.Add(-72 * time.Hour), "completed"},
		{alpha.ID, 2, "", now.Add(-time.Hour), "planned"},
		{alpha.ID, 3, "Cancelled", now.Add(24 * time.Hour), "cancelled"},
		{alpha.ID, 4, "The Sunken Keep", soon, "planned"},
		{alpha.ID, 5, "", later, "planned"},
		{beta.ID, 1, "", now.Add(-time.Hour), "completed"},
	} {
		ts.exec(t, `INSERT INTO play_sessions (campaign_id, number, title, scheduled_at, status) VALUES ($1, $2, $3, $4, $5)`,
			s.campaign, s.number, s.title, s.at, s.status)
	}
	for i, hidden := range []bool{false, false, true} {
		ts.exec(t, `INSERT INTO npcs (campaign_id, name, hidden) VALUES ($1, $2, $3)`, alpha.ID, "NPC "+string(rune('A'+i)), hidden)
	}
	ts.exec(t, `INSERT INTO npcs (campaign_id, name, hidden) VALUES ($1, 'Beta NPC', true)`, beta.ID)

	ginas := listCampaigns(t, gina)
	require.Len(t, ginas, 3)
	a := ginas[alpha.ID]
	require.Equal(t, "gm", a.MyRole)
	require.Equal(t, int64(3), a.MemberCount)
	require.Equal(t, int64(5), a.SessionCount)
	require.Equal(t, int64(3), a.NPCCount, "a GM counts hidden NPCs")
	require.NotNil(t, a.NextSession)
	require.Equal(t, "Session 4: The Sunken Keep", a.NextSession.Label)
	require.True(t, soon.Equal(a.NextSession.ScheduledAt))
	require.Equal(t, "UTC", a.TimeZone)
	require.False(t, a.AIEnabled)
	require.False(t, a.AIAccess)

	b := ginas[beta.ID]
	require.Equal(t, int64(1), b.MemberCount)
	require.Equal(t, int64(1), b.SessionCount)
	require.Equal(t, int64(1), b.NPCCount)
	require.Nil(t, b.NextSession, "no planned session in the future")
	require.Equal(t, "player", ginas[gamma.ID].MyRole)
	require.Equal(t, int64(2), ginas[gamma.ID].MemberCount)

	pips := listCampaigns(t, pip)
	require.Len(t, pips, 2)
	require.Equal(t, "player", pips[alpha.ID].MyRole)
	require.Equal(t, int64(2), pips[alpha.ID].NPCCount, "a player does not count hidden NPCs")
	require.Equal(t, a.NextSession, pips[alpha.ID].NextSession)
	require.Equal(t, "gm", pips[gamma.ID].MyRole)
	require.Empty(t, listCampaigns(t, nobody))

	// The single campaign matches its list entry.
	var one campaignBody
	pip.do(t, http.MethodGet, campaignPath(alpha.ID), nil).requireStatus(t, http.StatusOK).decode(t, &one)
	require.Equal(t, pips[alpha.ID], one.Campaign)

	// nextSession is absent, not null.
	res := gina.do(t, http.MethodGet, campaignPath(beta.ID), nil).requireStatus(t, http.StatusOK)
	require.NotContains(t, string(res.Body), "nextSession")

	// aiAccess needs AI enabled and a verified email.
	gina.do(t, http.MethodPatch, campaignPath(alpha.ID), map[string]any{"aiEnabled": true}).requireStatus(t, http.StatusOK).decode(t, &one)
	require.True(t, one.Campaign.AIEnabled)
	require.False(t, one.Campaign.AIAccess)
	gina.verifyEmail(t)
	require.True(t, listCampaigns(t, gina)[alpha.ID].AIAccess)
	require.False(t, listCampaigns(t, pip)[alpha.ID].AIAccess)
	require.False(t, listCampaigns(t, gina)[beta.ID].AIAccess)
}

func TestCampaigns_CreateAndUpdate(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	gm := ts.newUser(t, "Gm")

	var body campaignBody
	gm.do(t, http.MethodPost, "/api/campaigns", map[string]any{
		"name": "  Tomb of Annihilation ", "description": "Jungle.", "system": "D&D 5e", "timeZone": "America/St_Johns",
	}).requireStatus(t, http.StatusCreated).decode(t, &body)
	c := body.Campaign
	require.Equal(t, "Tomb of Annihilation", c.Name)
	require.Equal(t, "Jungle.", c.Description)
	require.Equal(t, "D&D 5e", c.System)
	require.Equal(t, "America/St_Johns", c.TimeZone)
	require.Equal(t, "gm", c.MyRole)
	require.Equal(t, int64(1), c.MemberCount)
	require.WithinDuration(t, time.Now(), c.CreatedAt, time.Minute)
	require.Equal(t, time.UTC, c.CreatedAt.Location())

	invalid := []struct {
		name   string
		body   map[string]any
		fields []string
	}{
		{"NoName", map[string]any{}, []string{"name"}},
		{"BlankName", map[string]any{"name": "  "}, []string{"name"}},
		{"LongName", map[string]any{"name": strings.Repeat("x", 81)}, []string{"name"}},
		{"LongDescription", map[string]any{"name": "x", "description": strings.Repeat("x", 10001)}, []string{"description"}},
		{"LocalZone", map[string]any{"name": "x", "timeZone": "Local"}, []string{"timeZone"}},
		{"UnknownZone", map[string]any{"name": "x", "timeZone": "Mars/Olympus_Mons"}, []string{"timeZone"}},
		{"EmptyZone", map[string]any{"name": "x", "timeZone": ""}, []string{"timeZone"}},
		{"PathZone", map[string]any{"name": "x", "timeZone": "../../etc/passwd"}, []string{"timeZone"}},
	}
	for _, tt := range invalid {
		t.Run("Create"+tt.name, func(t *testing.T) {
			t.Parallel()
			gm.do(t, http.MethodPost, "/api/campaigns", tt.body).requireFields(t, tt.fields...)
		})
	}
	t.Run("LongestDescription", func(t *testing.T) {
		t.Parallel()
		gm.do(t, http.MethodPost, "/api/campaigns", map[string]any{"name": "x", "description": strings.Repeat("é", 10000)}).
			requireStatus(t, http.StatusCreated)
	})
	t.Run("UnknownField", func(t *testing.T) {
		t.Parallel()
		gm.do(t, http.MethodPost, "/api/campaigns", map[string]any{"name": "x", "ownerId": uuid.New()}).
			requireError(t, http.StatusBadRequest, codeBadRequest)
	})
	t.Run("Update", func(t *testing.T) {
		t.Parallel()
		var got campaignBody
		gm.do(t, http.MethodPatch, campaignPath(c.ID), map[string]any{"name": "ToA", "timeZone": "Europe/Berlin"}).
			requireStatus(t, http.StatusOK).decode(t, &got)
		require.Equal(t, "ToA", got.Campaign.Name)
		require.Equal(t, "Europe/Berlin", got.Campaign.TimeZone)
		require.Equal(t, "Jungle.", got.Campaign.Description, "absent fields stay")
		gm.do(t, http.MethodPatch, campaignPath(c.ID), map[string]any{"timeZone": "Local"}).requireFields(t, "timeZone")
		gm.do(t, http.MethodPatch, campaignPath(c.ID), map[string]any{"name": ""}).requireFields(t, "name")
	})
}

func TestCampaigns_Delete(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	gm := ts.newUser(t, "Gm")
	c := ts.createCampaign(t, gm, "Doomed")
	p := ts.join(t, gm, c.ID, rolePlayer, "Player")
	ts.exec(t, `INSERT INTO npcs (campaign_id, name) VALUES ($1, 'Strahd')`, c.ID)

	p.do(t, http.MethodDelete, campaignPath(c.ID), nil).requireError(t, http.StatusForbidden, codeForbidden)
	gm.do(t, http.MethodDelete, campaignPath(c.ID), nil).requireStatus(t, http.StatusNoContent)
	gm.do(t, http.MethodGet, campaignPath(c.ID), nil).requireError(t, http.StatusNotFound, codeNotFound)
	p.do(t, http.MethodGet, campaignPath(c.ID, "members"), nil).requireError(t, http.StatusNotFound, codeNotFound)
	require.Empty(t, listCampaigns(t, gm))
	require.True(t, ts.Live.closedMember(c.ID, p.User.ID))
	require.True(t, ts.Live.closedMember(c.ID, gm.User.ID))
	var n int
	require.NoError(t, ts.Pool.QueryRow(t.Context(), `SELECT count(*) FROM npcs WHERE campaign_id = $1`, c.ID).Scan(&n))
	require.Zero(t, n, "everything of the campaign goes")
}
