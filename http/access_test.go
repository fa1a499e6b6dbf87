package http

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"gametable/compendium"
)

// campaignRouteTable lists every route under /api/campaigns/{campaignId}.
// TestAccess_CampaignRoutes fails when a route is registered without a row
// here, so adding a campaign route means adding its row: whether players
// are refused (403), and a body that passes validation, so that the
// refusals the sweep expects are not hidden behind a 400 or 422.
//
// Path parameters other than {campaignId} are filled from sweepParams.
var campaignRouteTable = []sweepRoute{
	{method: "GET", pattern: "/api/campaigns/{campaignId}"},
	{method: "PATCH", pattern: "/api/campaigns/{campaignId}", gmOnly: true, body: `{"name":"Renamed"}`},
	{method: "DELETE", pattern: "/api/campaigns/{campaignId}", gmOnly: true},
	{method: "GET", pattern: "/api/campaigns/{campaignId}/members"},
	// A player may change their own character; {userId} is the GM here.
	{method: "PATCH", pattern: "/api/campaigns/{campaignId}/members/{userId}", gmOnly: true, body: `{"characterLevel":3}`},
	// A player may leave; {userId} is the GM here.
	{method: "DELETE", pattern: "/api/campaigns/{campaignId}/members/{userId}", gmOnly: true},
	{method: "POST", pattern: "/api/campaigns/{campaignId}/invites", gmOnly: true, body: `{}`},
	{method: "GET", pattern: "/api/campaigns/{campaignId}/invites", gmOnly: true},
	{method: "DELETE", pattern: "/api/campaigns/{campaignId}/invites/{inviteId}", gmOnly: true},
	{method: "GET", pattern: "/api/campaigns/{campaignId}/sessions"},
	{method: "POST", pattern: "/api/campaigns/{campaignId}/sessions", gmOnly: true, body: `{"title":"Sweep"}`},
	{method: "GET", pattern: "/api/campaigns/{campaignId}/sessions/{sessionId}"},
	{method: "PATCH", pattern: "/api/campaigns/{campaignId}/sessions/{sessionId}", gmOnly: true, body: `{"title":"Renamed"}`},
	{method: "DELETE", pattern: "/api/campaigns/{campaignId}/sessions/{sessionId}", gmOnly: true},
	{method: "GET", pattern: "/api/campaigns/{campaignId}/polls"},
	{method: "POST", pattern: "/api/campaigns/{campaignId}/polls", gmOnly: true, body: `{"title":"Sweep","options":[{"startsAt":"2031-01-03T18:00:00Z"}]}`},
	{method: "GET", pattern: "/api/campaigns/{campaignId}/polls/{pollId}"},
	{method: "PUT", pattern: "/api/campaigns/{campaignId}/polls/{pollId}/votes/{optionId}", body: `{"answer":"yes"}`},
	{method: "DELETE", pattern: "/api/campaigns/{campaignId}/polls/{pollId}/votes/{optionId}"},
	{method: "POST", pattern: "/api/campaigns/{campaignId}/polls/{pollId}/close", gmOnly: true},
	// The option need not exist: the poll is looked up first.
	{method: "POST", pattern: "/api/campaigns/{campaignId}/polls/{pollId}/finalize", gmOnly: true, body: `{"optionId":"00000000-0000-0000-0000-000000000001"}`},
	{method: "POST", pattern: "/api/campaigns/{campaignId}/calendar-token"},
	// Mounted outside requireMember: it takes a feed token, else the
	// session cookie with the same answers as the other routes.
	{method: "GET", pattern: "/api/campaigns/{campaignId}/calendar.ics"},
	// Without an upgrade request a member gets 426 from the WebSocket
	// library; the sweep checks the refusals before it.
	{method: "GET", pattern: "/api/campaigns/{campaignId}/live"},
	{method: "GET", pattern: "/api/campaigns/{campaignId}/combat"},
	{method: "POST", pattern: "/api/campaigns/{campaignId}/combat", gmOnly: true, body: `{}`},
	{method: "GET", pattern: "/api/campaigns/{campaignId}/combats", gmOnly: true},
	{method: "GET", pattern: "/api/campaigns/{campaignId}/npcs"},
	{method: "POST", pattern: "/api/campaigns/{campaignId}/npcs", gmOnly: true, body: `{"name":"Sweep"}`},
	{method: "GET", pattern: "/api/campaigns/{campaignId}/npcs/{npcId}"},
	{method: "PATCH", pattern: "/api/campaigns/{campaignId}/npcs/{npcId}", gmOnly: true, body: `{"name":"Renamed"}`},
	{method: "DELETE", pattern: "/api/campaigns/{campaignId}/npcs/{npcId}", gmOnly: true},
	{method: "PUT", pattern: "/api/campaigns/{campaignId}/npcs/{npcId}/appearances", gmOnly: true, body: `{"sessionIds":[]}`},
	// The other NPC need not exist: the NPC of the URL is looked up first.
	{method: "POST", pattern: "/api/campaigns/{campaignId}/npcs/{npcId}/relationships", gmOnly: true, body: `{"otherNpcId":"00000000-0000-0000-0000-000000000001","kind":"rival"}`},
	{method: "DELETE", pattern: "/api/campaigns/{campaignId}/npcs/{npcId}/relationships/{relationshipId}", gmOnly: true},
	{method: "GET", pattern: "/api/campaigns/{campaignId}/entities"},
	{method: "POST", pattern: "/api/campaigns/{campaignId}/entities", gmOnly: true, body: `{"kind":"location","name":"Sweep"}`},
	{method: "GET", pattern: "/api/campaigns/{campaignId}/entities/{entityId}"},
	{method: "PATCH", pattern: "/api/campaigns/{campaignId}/entities/{entityId}", gmOnly: true, body: `{"name":"Renamed"}`},
	{method: "DELETE", pattern: "/api/campaigns/{campaignId}/entities/{entityId}", gmOnly: true},
	{method: "PUT", pattern: "/api/campaigns/{campaignId}/entities/{entityId}/sessions", gmOnly: true, body: `{"sessionIds":[]}`},
	{method: "POST", pattern: "/api/campaigns/{campaignId}/sessions/{sessionId}/extractions", gmOnly: true},
	{method: "GET", pattern: "/api/campaigns/{campaignId}/sessions/{sessionId}/extractions", gmOnly: true},
	{method: "GET", pattern: "/api/campaigns/{campaignId}/sessions/{sessionId}/extractions/{extractionId}", gmOnly: true},
	{method: "POST", pattern: "/api/campaigns/{campaignId}/sessions/{sessionId}/extractions/{extractionId}/apply", gmOnly: true, body: `{"accept":[]}`},
	{method: "GET", pattern: "/api/campaigns/{campaignId}/extractions/{extractionId}", gmOnly: true},
	{method: "POST", pattern: "/api/campaigns/{campaignId}/extractions/{extractionId}/apply", gmOnly: true, body: `{"accept":[]}`},
	{method: "GET", pattern: "/api/campaigns/{campaignId}/monsters"},
	{method: "GET", pattern: "/api/campaigns/{campaignId}/monsters/{monsterId}"},
	{method: "GET", pattern: "/api/campaigns/{campaignId}/items"},
	{method: "GET", pattern: "/api/campaigns/{campaignId}/items/{itemId}"},
	{method: "GET", pattern: "/api/campaigns/{campaignId}/encounters", gmOnly: true},
	{method: "POST", pattern: "/api/campaigns/{campaignId}/encounters", gmOnly: true, body: `{"name":"Sweep","monsters":[]}`},
	{method: "GET", pattern: "/api/campaigns/{campaignId}/encounters/{encounterId}", gmOnly: true},
	{method: "PATCH", pattern: "/api/campaigns/{campaignId}/encounters/{encounterId}", gmOnly: true, body: `{"name":"Renamed"}`},
	{method: "DELETE", pattern: "/api/campaigns/{campaignId}/encounters/{encounterId}", gmOnly: true},
	{method: "GET", pattern: "/api/campaigns/{campaignId}/core-rules"},
	// Rule books are shared by every campaign: a GM may enable any
	// optional book, so there is no other campaign's book to refuse.
	{method: "PUT", pattern: "/api/campaigns/{campaignId}/core-rules/{ruleId}", gmOnly: true, shared: true, body: `{"enabled":true}`},
	{method: "GET", pattern: "/api/campaigns/{campaignId}/documents"},
	{method: "POST", pattern: "/api/campaigns/{campaignId}/documents", gmOnly: true},
	{method: "GET", pattern: "/api/campaigns/{campaignId}/documents/{docId}"},
	{method: "DELETE", pattern: "/api/campaigns/{campaignId}/documents/{docId}", gmOnly: true},
	{method: "GET", pattern: "/api/campaigns/{campaignId}/search"},
	{method: "POST", pattern: "/api/campaigns/{campaignId}/chat", body: `{"message":"How does grappling work?"}`},
	{method: "GET", pattern: "/api/campaigns/{campaignId}/chat"},
}

// sweepRoute is one row of campaignRouteTable.
type sweepRoute struct {
	method  string
	pattern string // as chi.Walk reports it, without a trailing slash
	gmOnly  bool   // players get 403
	body    string // JSON sent with the request; "" sends none
	// shared: the other parameter names a row every campaign may use (a
	// rule book), so there is no foreign row to refuse.
	shared bool
}

// sweepParams fills the path parameters of campaignRouteTable for one
// campaign of the sweep's fixture: each returns the ID of a row of that
// campaign (creating it if need be). A feature that adds a route with a
// new parameter adds its entry here.
var sweepParams = map[string]func(t *testing.T, f *sweepCampaign) string{
	"userId": func(t *testing.T, f *sweepCampaign) string { return f.gm.User.ID.String() },
	"inviteId": func(t *testing.T, f *sweepCampaign) string {
		return f.ts.invite(t, f.gm, f.id, nil).ID.String()
	},
	"sessionId": func(t *testing.T, f *sweepCampaign) string {
		return f.ts.createSession(t, f.gm, f.id, map[string]any{"title": "Sweep"}).ID.String()
	},
	// pollId also records the poll's first option, for {optionId}.
	"pollId": func(t *testing.T, f *sweepCampaign) string {
		p := f.ts.createPoll(t, f.gm, f.id, weeklyPoll("Sweep", time.Now().AddDate(0, 1, 0), 2))
		f.params["optionId"] = p.Options[0].ID.String()
		return p.ID.String()
	},
	"optionId": func(t *testing.T, f *sweepCampaign) string {
		v, ok := f.params["optionId"]
		require.True(t, ok, "{optionId} comes after {pollId} in a pattern")
		return v
	},
	"npcId": func(t *testing.T, f *sweepCampaign) string {
		return f.ts.createNPC(t, f.gm, f.id, map[string]any{"name": "Sweep NPC"}).ID.String()
	},
	// relationshipId is a relationship of {npcId}'s NPC, which comes first
	// in its patterns.
	"relationshipId": func(t *testing.T, f *sweepCampaign) string {
		from, ok := f.params["npcId"]
		require.True(t, ok, "{relationshipId} comes after {npcId} in a pattern")
		other := f.ts.createNPC(t, f.gm, f.id, map[string]any{"name": "Sweep Other"})
		return f.ts.createRelationship(t, f.gm, f.id, uuid.MustParse(from), other.ID, "rival").ID.String()
	},
	"entityId": func(t *testing.T, f *sweepCampaign) string {
		return f.ts.createEntity(t, f.gm, f.id, map[string]any{"kind": "location", "name": "Sweep Place"}).ID.String()
	},
	// extractionId is an extraction of {sessionId}'s session (made here
	// when no pattern has needed a session yet).
	"extractionId": func(t *testing.T, f *sweepCampaign) string {
		if _, ok := f.params["sessionId"]; !ok {
			f.params["sessionId"] = f.ts.createSession(t, f.gm, f.id, map[string]any{"title": "Sweep"}).ID.String()
		}
		return f.ts.insertExtraction(t, f.id, uuid.MustParse(f.params["sessionId"]), f.gm.User.ID).String()
	},
	// monsterId and itemId are of an optional book that only their
	// campaign enables (compendium_test.go).
	"monsterId": func(t *testing.T, f *sweepCampaign) string {
		return sweepCompendiumBook(t, f).Monsters["sweep-beast"].String()
	},
	"itemId": func(t *testing.T, f *sweepCampaign) string {
		return sweepCompendiumBook(t, f).Items["sweep-charm"].String()
	},
	// encounterId also checks, when the sweep ends, that its encounter
	// is unchanged.
	"encounterId": sweepEncounter,
	// ruleId is an optional rule book (shared by every campaign).
	"ruleId": func(t *testing.T, f *sweepCampaign) string {
		return f.ts.storeBook(t, compendium.BookOptional).ID.String()
	},
	// docId is a document of the campaign, pending, without a job.
	"docId": func(t *testing.T, f *sweepCampaign) string {
		return f.ts.insertDocument(t, f.id, f.gm.User.ID, "Sweep notes").String()
	},
}

// sweepCampaign is one campaign of the sweep's fixture: a GM, a player,
// and the parameter values found so far.
type sweepCampaign struct {
	ts     *testServer
	id     uuid.UUID
	gm     *testClient
	player *testClient
	params map[string]string
}

func (f *sweepCampaign) param(t *testing.T, name string) string {
	t.Helper()
	if v, ok := f.params[name]; ok {
		return v
	}
	fill, ok := sweepParams[name]
	require.True(t, ok, "no sweepParams entry for {%s}", name)
	v := fill(t, f)
	f.params[name] = v
	return v
}

// path fills pattern with the campaign id and the other parameters of f.
func (f *sweepCampaign) path(t *testing.T, pattern string, campaignID uuid.UUID) string {
	t.Helper()
	parts := strings.Split(pattern, "/")
	for i, p := range parts {
		if !strings.HasPrefix(p, "{") {
			continue
		}
		name := strings.Trim(p, "{}")
		if name == "campaignId" {
			parts[i] = campaignID.String()
			continue
		}
		parts[i] = f.param(t, name)
	}
	return strings.Join(parts, "/")
}

// TestAccess_CampaignRoutes is the access-control sweep: every campaign
// route is called as a non-member (404), as a player where only GMs may
// (403), and by a GM with the IDs of another campaign's rows (404), and
// none of these calls may change anything.
func TestAccess_CampaignRoutes(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)

	// Every registered campaign route has a row, and every row a route.
	registered := map[string]bool{}
	err := chi.Walk(ts.router, func(method, route string, _ http.Handler, _ ...func(http.Handler) http.Handler) error {
		route = strings.TrimSuffix(strings.ReplaceAll(route, "/*/", "/"), "/")
		if strings.HasPrefix(route, "/api/campaigns/{campaignId}") {
			registered[method+" "+route] = true
		}
		return nil
	})
	require.NoError(t, err)
	listed := map[string]bool{}
	for _, rt := range campaignRouteTable {
		listed[rt.method+" "+rt.pattern] = true
	}
	for r := range registered {
		require.True(t, listed[r], "route %s has no row in campaignRouteTable", r)
	}
	for r := range listed {
		require.True(t, registered[r], "campaignRouteTable lists %s, which is not registered", r)
	}

	newCampaign := func(name string) *sweepCampaign {
		gm := ts.newUser(t, name+" GM")
		c := ts.createCampaign(t, gm, name)
		player := ts.join(t, gm, c.ID, rolePlayer, name+" Player")
		return &sweepCampaign{ts: ts, id: c.ID, gm: gm, player: player, params: map[string]string{}}
	}
	a, b := newCampaign("Alpha"), newCampaign("Beta")
	outsider := ts.newUser(t, "Outsider")
	anon := ts.newClient(t)

	for _, rt := range campaignRouteTable {
		var body any
		if rt.body != "" {
			body = rt.body
		}
		// Paths are built before the parallel subtests start, since
		// building them may create rows.
		path := a.path(t, rt.pattern, a.id)
		foreign := ""
		if strings.Count(rt.pattern, "{") > 1 && !rt.shared {
			foreign = b.path(t, rt.pattern, a.id)
		}
		t.Run(rt.method+" "+strings.TrimPrefix(rt.pattern, "/api/campaigns/{campaignId}"), func(t *testing.T) {
			t.Parallel()
			anon.do(t, rt.method, path, body).requireError(t, http.StatusUnauthorized, codeUnauthorized)
			outsider.do(t, rt.method, path, body).requireError(t, http.StatusNotFound, codeNotFound)
			// A GM of another campaign is an outsider here too.
			b.gm.do(t, rt.method, path, body).requireError(t, http.StatusNotFound, codeNotFound)
			if rt.gmOnly {
				a.player.do(t, rt.method, path, body).requireError(t, http.StatusForbidden, codeForbidden)
			}
			// Rows of campaign B through campaign A's URL do not exist.
			if foreign != "" {
				a.gm.do(t, rt.method, foreign, body).requireError(t, http.StatusNotFound, codeNotFound)
			}
			// A malformed campaign id is a plain 404.
			bad := strings.Replace(path, a.id.String(), "not-a-uuid", 1)
			a.gm.do(t, rt.method, bad, body).requireError(t, http.StatusNotFound, codeNotFound)
		})
	}

	// Nothing above changed either campaign.
	t.Cleanup(func() {
		for _, f := range []*sweepCampaign{a, b} {
			var cb campaignBody
			f.gm.do(t, http.MethodGet, campaignPath(f.id), nil).requireStatus(t, http.StatusOK).decode(t, &cb)
			require.Equal(t, int64(2), cb.Campaign.MemberCount)
			require.NotEqual(t, "Renamed", cb.Campaign.Name)
			if id, ok := f.params["inviteId"]; ok {
				var il inviteListBody
				f.gm.do(t, http.MethodGet, campaignPath(f.id, "invites"), nil).requireStatus(t, http.StatusOK).decode(t, &il)
				found := false
				for _, inv := range il.Items {
					found = found || inv.ID.String() == id
				}
				require.True(t, found, "the invite was revoked")
			}
		}
	})
}
