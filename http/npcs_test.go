package http

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"gametable/db"
)

// codexBundle is a campaign with a GM and a player, for the NPC, entity
// and extraction tests.
type codexBundle struct {
	ts     *testServer
	id     uuid.UUID
	gm     *testClient
	player *testClient
}

// newCodexBundle creates a campaign named name on ts with a GM and a
// player.
func newCodexBundle(t *testing.T, ts *testServer, name string) *codexBundle {
	t.Helper()
	gm := ts.newUser(t, name+" GM")
	c := ts.createCampaign(t, gm, name)
	player := ts.join(t, gm, c.ID, rolePlayer, name+" Player")
	return &codexBundle{ts: ts, id: c.ID, gm: gm, player: player}
}

// createNPC creates an NPC as gm, requiring 201.
func (ts *testServer) createNPC(t *testing.T, gm *testClient, campaignID uuid.UUID, body map[string]any) npcJSON {
	t.Helper()
	var nb npcBody
	gm.do(t, http.MethodPost, campaignPath(campaignID, "npcs"), body).requireStatus(t, http.StatusCreated).decode(t, &nb)
	return nb.NPC
}

// createRelationship creates a relationship from → to as gm, requiring 201.
func (ts *testServer) createRelationship(t *testing.T, gm *testClient, campaignID, from, to uuid.UUID, kind string) relationshipJSON {
	t.Helper()
	var rb relationshipBody
	gm.do(t, http.MethodPost, campaignPath(campaignID, "npcs", from.String(), "relationships"),
		map[string]any{"otherNpcId": to.String(), "kind": kind}).requireStatus(t, http.StatusCreated).decode(t, &rb)
	return rb.Relationship
}

// getNPC reads an NPC as c, requiring 200.
func getNPC(t *testing.T, c *testClient, campaignID, id uuid.UUID) npcJSON {
	t.Helper()
	var nb npcBody
	c.do(t, http.MethodGet, campaignPath(campaignID, "npcs", id.String()), nil).requireStatus(t, http.StatusOK).decode(t, &nb)
	return nb.NPC
}

// listNPCs lists NPCs as c with the query string query, requiring 200.
func listNPCs(t *testing.T, c *testClient, campaignID uuid.UUID, query string) npcListBody {
	t.Helper()
	var lb npcListBody
	c.do(t, http.MethodGet, campaignPath(campaignID, "npcs")+query, nil).requireStatus(t, http.StatusOK).decode(t, &lb)
	return lb
}

func npcNames(items []npcJSON) []string {
	out := make([]string, 0, len(items))
	for _, n := range items {
		out = append(out, n.Name)
	}
	return out
}

// rawBody decodes a response body into generic JSON, to check which keys
// are present in what a player receives.
func rawBody(t *testing.T, res *testResponse) map[string]any {
	t.Helper()
	var m map[string]any
	require.NoError(t, json.Unmarshal(res.Body, &m), "body: %s", res.Body)
	return m
}

// setRecap writes a session's recap through the API.
func setRecap(t *testing.T, gm *testClient, campaignID, sessionID uuid.UUID, recap string) {
	t.Helper()
	gm.do(t, http.MethodPatch, campaignPath(campaignID, "sessions", sessionID.String()), map[string]any{"recap": recap}).
		requireStatus(t, http.StatusOK)
}

func TestNPC_CRUD(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	b := newCodexBundle(t, ts, "Lantern Road")

	n := ts.createNPC(t, b.gm, b.id, map[string]any{
		"name": "  Idris Vell ", "summary": "Caravan master.", "description": "# Idris\nPays in *silver*.",
		"gmNotes": "Secretly owes the Ninth Wick.", "status": "unknown", "hidden": false,
	})
	require.Equal(t, "Idris Vell", n.Name)
	require.Equal(t, "Caravan master.", n.Summary)
	require.Equal(t, "# Idris\nPays in *silver*.", n.Description)
	require.Equal(t, "Secretly owes the Ninth Wick.", *n.GMNotes)
	require.Equal(t, "unknown", n.Status)
	require.False(t, *n.Hidden)
	require.Zero(t, n.AppearanceCount)
	require.Nil(t, n.LastAppearance)
	require.Empty(t, n.Sessions)
	require.Empty(t, n.Relationships)

	// Defaults.
	d := ts.createNPC(t, b.gm, b.id, map[string]any{"name": "Marsh Hag"})
	require.Equal(t, "alive", d.Status)
	require.Equal(t, "", *d.GMNotes, "GMs get gmNotes even when empty")
	require.False(t, *d.Hidden)
	raw := rawBody(t, b.gm.do(t, http.MethodGet, campaignPath(b.id, "npcs", d.ID.String()), nil))["npc"].(map[string]any)
	require.Equal(t, []any{}, raw["sessions"])
	require.Equal(t, []any{}, raw["relationships"])
	require.NotContains(t, raw, "lastAppearance")

	require.Equal(t, n, getNPC(t, b.gm, b.id, n.ID))

	// PATCH changes what it names.
	var pb npcBody
	b.gm.do(t, http.MethodPatch, campaignPath(b.id, "npcs", n.ID.String()), map[string]any{"status": "dead", "gmNotes": ""}).
		requireStatus(t, http.StatusOK).decode(t, &pb)
	require.Equal(t, "dead", pb.NPC.Status)
	require.Equal(t, "", *pb.NPC.GMNotes)
	require.Equal(t, "Idris Vell", pb.NPC.Name)
	require.Equal(t, "Caravan master.", pb.NPC.Summary)
	b.gm.do(t, http.MethodPatch, campaignPath(b.id, "npcs", n.ID.String()), map[string]any{}).requireStatus(t, http.StatusOK)

	// DELETE.
	b.gm.do(t, http.MethodDelete, campaignPath(b.id, "npcs", n.ID.String()), nil).requireStatus(t, http.StatusNoContent)
	b.gm.do(t, http.MethodGet, campaignPath(b.id, "npcs", n.ID.String()), nil).requireError(t, http.StatusNotFound, codeNotFound)
	b.gm.do(t, http.MethodDelete, campaignPath(b.id, "npcs", n.ID.String()), nil).requireError(t, http.StatusNotFound, codeNotFound)
	b.gm.do(t, http.MethodPatch, campaignPath(b.id, "npcs", n.ID.String()), map[string]any{"name": "X"}).requireError(t, http.StatusNotFound, codeNotFound)
	b.gm.do(t, http.MethodGet, campaignPath(b.id, "npcs", "not-a-uuid"), nil).requireError(t, http.StatusNotFound, codeNotFound)

	// Players read but do not write.
	b.player.do(t, http.MethodPost, campaignPath(b.id, "npcs"), map[string]any{"name": "Nope"}).requireError(t, http.StatusForbidden, codeForbidden)
	b.player.do(t, http.MethodPatch, campaignPath(b.id, "npcs", d.ID.String()), map[string]any{"name": "Nope"}).requireError(t, http.StatusForbidden, codeForbidden)
	b.player.do(t, http.MethodDelete, campaignPath(b.id, "npcs", d.ID.String()), nil).requireError(t, http.StatusForbidden, codeForbidden)
	require.Equal(t, "Marsh Hag", getNPC(t, b.player, b.id, d.ID).Name)
}

func TestNPC_Validation(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	b := newCodexBundle(t, ts, "Validation")
	n := ts.createNPC(t, b.gm, b.id, map[string]any{"name": "Target"})
	npcPath := campaignPath(b.id, "npcs", n.ID.String())

	long := func(n int) string { return strings.Repeat("é", n) }
	tests := []struct {
		name   string
		method string
		path   string
		body   any
		fields []string
	}{
		{"CreateNoName", http.MethodPost, campaignPath(b.id, "npcs"), map[string]any{}, []string{"name"}},
		{"CreateBlankName", http.MethodPost, campaignPath(b.id, "npcs"), map[string]any{"name": "   "}, []string{"name"}},
		{"CreateLongName", http.MethodPost, campaignPath(b.id, "npcs"), map[string]any{"name": long(81)}, []string{"name"}},
		{"CreateControlName", http.MethodPost, campaignPath(b.id, "npcs"), map[string]any{"name": "a\x00b"}, []string{"name"}},
		{"CreateLongSummary", http.MethodPost, campaignPath(b.id, "npcs"), map[string]any{"name": "A", "summary": long(501)}, []string{"summary"}},
		{"CreateLongDescription", http.MethodPost, campaignPath(b.id, "npcs"), map[string]any{"name": "A", "description": long(100001)}, []string{"description"}},
		{"CreateLongNotes", http.MethodPost, campaignPath(b.id, "npcs"), map[string]any{"name": "A", "gmNotes": long(100001)}, []string{"gmNotes"}},
		{"CreateBadStatus", http.MethodPost, campaignPath(b.id, "npcs"), map[string]any{"name": "A", "status": "undead"}, []string{"status"}},
		{"CreateSeveral", http.MethodPost, campaignPath(b.id, "npcs"), map[string]any{"name": "", "status": "x", "summary": long(600)}, []string{"name", "status", "summary"}},
		{"PatchBlankName", http.MethodPatch, npcPath, map[string]any{"name": ""}, []string{"name"}},
		{"PatchNullName", http.MethodPatch, npcPath, map[string]any{"name": nil}, []string{"name"}},
		{"PatchNullHidden", http.MethodPatch, npcPath, map[string]any{"hidden": nil, "summary": nil}, []string{"hidden", "summary"}},
		{"PatchBadStatus", http.MethodPatch, npcPath, map[string]any{"status": "Alive"}, []string{"status"}},
		{"AppearancesMissing", http.MethodPut, npcPath + "/appearances", map[string]any{}, []string{"sessionIds"}},
		{"AppearancesNull", http.MethodPut, npcPath + "/appearances", map[string]any{"sessionIds": nil}, []string{"sessionIds"}},
		{"AppearancesMalformed", http.MethodPut, npcPath + "/appearances", map[string]any{"sessionIds": []string{"nope"}}, []string{"sessionIds"}},
		{"RelationshipEmpty", http.MethodPost, npcPath + "/relationships", map[string]any{}, []string{"otherNpcId", "kind"}},
		{"RelationshipBadID", http.MethodPost, npcPath + "/relationships", map[string]any{"otherNpcId": "x", "kind": "ally"}, []string{"otherNpcId"}},
		{"RelationshipLongKind", http.MethodPost, npcPath + "/relationships", map[string]any{"otherNpcId": uuid.NewString(), "kind": long(41)}, []string{"kind"}},
		{"RelationshipLongDescription", http.MethodPost, npcPath + "/relationships", map[string]any{"otherNpcId": uuid.NewString(), "kind": "ally", "description": long(10001)}, []string{"description"}},
		{"RelationshipSelf", http.MethodPost, npcPath + "/relationships", map[string]any{"otherNpcId": n.ID.String(), "kind": "ally"}, []string{"otherNpcId"}},
		{"RelationshipUnknownOther", http.MethodPost, npcPath + "/relationships", map[string]any{"otherNpcId": uuid.NewString(), "kind": "ally"}, []string{"otherNpcId"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			b.gm.do(t, tt.method, tt.path, tt.body).requireFields(t, tt.fields...)
		})
	}

	badRequests := []struct {
		name string
		body string
	}{
		{"WrongType", `{"name": "A", "hidden": "yes"}`},
		{"UnknownField", `{"name": "A", "secret": true}`},
		{"NotJSON", `{"name": `},
	}
	for _, tt := range badRequests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			b.gm.do(t, http.MethodPost, campaignPath(b.id, "npcs"), tt.body).requireError(t, http.StatusBadRequest, codeBadRequest)
		})
	}

	t.Run("NothingChanged", func(t *testing.T) {
		t.Parallel()
		got := getNPC(t, b.gm, b.id, n.ID)
		require.Equal(t, "Target", got.Name)
		require.Equal(t, "alive", got.Status)
	})
}

func TestNPC_PlayersNeverSeeSecrets(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	b := newCodexBundle(t, ts, "Secrets")

	visible := ts.createNPC(t, b.gm, b.id, map[string]any{"name": "Idris Vell", "gmNotes": "Owes the cult money."})
	hidden := ts.createNPC(t, b.gm, b.id, map[string]any{"name": "The Lamplighter", "hidden": true, "gmNotes": "The villain."})
	ally := ts.createNPC(t, b.gm, b.id, map[string]any{"name": "Old Maud"})
	toHidden := ts.createRelationship(t, b.gm, b.id, visible.ID, hidden.ID, "servant of")
	fromHidden := ts.createRelationship(t, b.gm, b.id, hidden.ID, ally.ID, "watches")
	open := ts.createRelationship(t, b.gm, b.id, visible.ID, ally.ID, "cousin")
	s := ts.createSession(t, b.gm, b.id, map[string]any{"title": "Fog"})
	b.gm.do(t, http.MethodPut, campaignPath(b.id, "npcs", hidden.ID.String(), "appearances"),
		map[string]any{"sessionIds": []string{s.ID.String()}}).requireStatus(t, http.StatusOK)

	// The GM sees everything.
	gmList := listNPCs(t, b.gm, b.id, "")
	require.Equal(t, []string{"Idris Vell", "Old Maud", "The Lamplighter"}, npcNames(gmList.Items))
	require.Len(t, getNPC(t, b.gm, b.id, visible.ID).Relationships, 2)
	require.Len(t, getNPC(t, b.gm, b.id, ally.ID).Relationships, 2)
	require.Equal(t, "The villain.", *getNPC(t, b.gm, b.id, hidden.ID).GMNotes)

	// The player's raw JSON: no hidden NPC, no gmNotes or hidden keys, no
	// relationship that touches the hidden NPC.
	res := b.player.do(t, http.MethodGet, campaignPath(b.id, "npcs"), nil).requireStatus(t, http.StatusOK)
	require.NotContains(t, string(res.Body), "Lamplighter")
	require.NotContains(t, string(res.Body), hidden.ID.String())
	require.NotContains(t, string(res.Body), "gmNotes")
	require.NotContains(t, string(res.Body), "Owes the cult")
	require.NotContains(t, string(res.Body), toHidden.ID.String())
	require.NotContains(t, string(res.Body), fromHidden.ID.String())
	items := rawBody(t, res)["items"].([]any)
	require.Len(t, items, 2)
	for _, it := range items {
		m := it.(map[string]any)
		require.NotContains(t, m, "gmNotes")
		require.NotContains(t, m, "hidden")
		for _, rel := range m["relationships"].([]any) {
			require.Equal(t, open.ID.String(), rel.(map[string]any)["id"])
		}
	}
	for _, id := range []uuid.UUID{visible.ID, ally.ID} {
		res := b.player.do(t, http.MethodGet, campaignPath(b.id, "npcs", id.String()), nil).requireStatus(t, http.StatusOK)
		require.NotContains(t, string(res.Body), "gmNotes")
		require.NotContains(t, string(res.Body), "Lamplighter")
		npc := rawBody(t, res)["npc"].(map[string]any)
		require.NotContains(t, npc, "hidden")
		require.Len(t, npc["relationships"], 1)
	}
	// Direct access to a hidden NPC is a 404, as if it did not exist, also
	// when searching for it by name.
	b.player.do(t, http.MethodGet, campaignPath(b.id, "npcs", hidden.ID.String()), nil).requireError(t, http.StatusNotFound, codeNotFound)
	require.Empty(t, listNPCs(t, b.player, b.id, "?q=lamp").Items)
	// Counts leave it out too.
	var cb campaignBody
	b.player.do(t, http.MethodGet, campaignPath(b.id), nil).requireStatus(t, http.StatusOK).decode(t, &cb)
	require.EqualValues(t, 2, cb.Campaign.NPCCount)

	// Unhiding reveals it, still without the notes.
	b.gm.do(t, http.MethodPatch, campaignPath(b.id, "npcs", hidden.ID.String()), map[string]any{"hidden": false}).requireStatus(t, http.StatusOK)
	res = b.player.do(t, http.MethodGet, campaignPath(b.id, "npcs", hidden.ID.String()), nil).requireStatus(t, http.StatusOK)
	require.NotContains(t, string(res.Body), "gmNotes")
	require.NotContains(t, string(res.Body), "villain")
	var nb npcBody
	res.decode(t, &nb)
	require.Nil(t, nb.NPC.GMNotes)
	require.Len(t, nb.NPC.Relationships, 2)
	require.Equal(t, 1, nb.NPC.AppearanceCount)
}

func TestNPC_ListSearchAndPages(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	b := newCodexBundle(t, ts, "Search")
	for _, n := range []map[string]any{
		{"name": "Idris Vell"}, {"name": "Vellara Moss", "status": "dead"}, {"name": "vell"},
		{"name": "Brother Ansel"}, {"name": "Anselm the Grey", "status": "unknown"}, {"name": "100% Pure"},
		{"name": "Hidden Vell", "hidden": true},
	} {
		ts.createNPC(t, b.gm, b.id, n)
	}

	t.Run("RankedExactPrefixSubstring", func(t *testing.T) {
		t.Parallel()
		require.Equal(t, []string{"vell", "Vellara Moss", "Hidden Vell", "Idris Vell"}, npcNames(listNPCs(t, b.gm, b.id, "?q=VELL").Items))
		require.Equal(t, []string{"vell", "Vellara Moss", "Idris Vell"}, npcNames(listNPCs(t, b.player, b.id, "?q=Vell").Items))
		require.Equal(t, []string{"Anselm the Grey", "Brother Ansel"}, npcNames(listNPCs(t, b.gm, b.id, "?q=ansel").Items))
		require.Equal(t, []string{"Brother Ansel"}, npcNames(listNPCs(t, b.gm, b.id, "?q="+url.QueryEscape("r a")).Items))
	})
	t.Run("LikeMetacharactersAreLiteral", func(t *testing.T) {
		t.Parallel()
		require.Equal(t, []string{"100% Pure"}, npcNames(listNPCs(t, b.gm, b.id, "?q="+url.QueryEscape("%")).Items))
		require.Empty(t, listNPCs(t, b.gm, b.id, "?q=_").Items)
	})
	t.Run("Status", func(t *testing.T) {
		t.Parallel()
		require.Equal(t, []string{"Vellara Moss"}, npcNames(listNPCs(t, b.gm, b.id, "?status=dead").Items))
		require.Equal(t, []string{"Anselm the Grey"}, npcNames(listNPCs(t, b.gm, b.id, "?status=unknown&q=grey").Items))
	})
	t.Run("Pages", func(t *testing.T) {
		t.Parallel()
		var all []string
		query := "?limit=2"
		pages := 0
		for {
			lb := listNPCs(t, b.gm, b.id, query)
			pages++
			all = append(all, npcNames(lb.Items)...)
			if lb.NextCursor == "" {
				break
			}
			require.Len(t, lb.Items, 2)
			query = "?limit=2&cursor=" + url.QueryEscape(lb.NextCursor)
		}
		require.Equal(t, 4, pages)
		require.Equal(t, npcNames(listNPCs(t, b.gm, b.id, "").Items), all)
		require.Len(t, all, 7)

		// With q, pages follow the ranking.
		first := listNPCs(t, b.gm, b.id, "?q=vell&limit=3")
		require.Equal(t, []string{"vell", "Vellara Moss", "Hidden Vell"}, npcNames(first.Items))
		second := listNPCs(t, b.gm, b.id, "?q=vell&limit=3&cursor="+url.QueryEscape(first.NextCursor))
		require.Equal(t, []string{"Idris Vell"}, npcNames(second.Items))
		require.Empty(t, second.NextCursor)
	})
	t.Run("BadQuery", func(t *testing.T) {
		t.Parallel()
		for query, field := range map[string]string{
			"?limit=0":                          "limit",
			"?limit=201":                        "limit",
			"?limit=ten":                        "limit",
			"?status=missing":                   "status",
			"?cursor=garbage":                   "cursor",
			"?q=" + strings.Repeat("x", 81):     "q",
			"?cursor=" + url.QueryEscape("e30"): "cursor",
		} {
			b.gm.do(t, http.MethodGet, campaignPath(b.id, "npcs")+query, nil).requireFields(t, field)
		}
	})
}

func TestNPC_Appearances(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	b := newCodexBundle(t, ts, "Appearances")
	other := newCodexBundle(t, ts, "Elsewhere")
	s1 := ts.createSession(t, b.gm, b.id, map[string]any{"title": "The Drowned Bell"})
	s2 := ts.createSession(t, b.gm, b.id, map[string]any{})
	s3 := ts.createSession(t, b.gm, b.id, map[string]any{"title": "Reeds"})
	foreign := ts.createSession(t, other.gm, other.id, map[string]any{"title": "Not yours"})
	n := ts.createNPC(t, b.gm, b.id, map[string]any{"name": "Idris Vell"})
	m := ts.createNPC(t, b.gm, b.id, map[string]any{"name": "Maud"})
	path := campaignPath(b.id, "npcs", n.ID.String(), "appearances")

	var nb npcBody
	b.gm.do(t, http.MethodPut, path, map[string]any{"sessionIds": []string{s3.ID.String(), s1.ID.String(), s1.ID.String()}}).
		requireStatus(t, http.StatusOK).decode(t, &nb)
	require.Equal(t, 2, nb.NPC.AppearanceCount)
	require.Equal(t, []sessionRefJSON{
		{ID: s1.ID, Label: "Session 1: The Drowned Bell"},
		{ID: s3.ID, Label: "Session 3: Reeds"},
	}, nb.NPC.Sessions)
	require.Equal(t, &appearanceJSON{SessionID: s3.ID, Label: "Session 3: Reeds"}, nb.NPC.LastAppearance)

	// Replacing keeps what stays and drops the rest.
	b.gm.do(t, http.MethodPut, path, map[string]any{"sessionIds": []string{s1.ID.String(), s2.ID.String()}}).
		requireStatus(t, http.StatusOK).decode(t, &nb)
	require.Equal(t, []sessionRefJSON{{ID: s1.ID, Label: "Session 1: The Drowned Bell"}, {ID: s2.ID, Label: "Session 2"}}, nb.NPC.Sessions)
	require.Equal(t, &appearanceJSON{SessionID: s2.ID, Label: "Session 2"}, nb.NPC.LastAppearance)
	b.gm.do(t, http.MethodPut, campaignPath(b.id, "npcs", m.ID.String(), "appearances"),
		map[string]any{"sessionIds": []string{s3.ID.String()}}).requireStatus(t, http.StatusOK)

	// The list computes the same, for every NPC at once, and so does a
	// player's view.
	lb := listNPCs(t, b.player, b.id, "")
	require.Len(t, lb.Items, 2)
	require.Equal(t, 2, lb.Items[0].AppearanceCount)
	require.Equal(t, "Session 2", lb.Items[0].LastAppearance.Label)
	require.Equal(t, 1, lb.Items[1].AppearanceCount)
	require.Equal(t, "Session 3: Reeds", lb.Items[1].LastAppearance.Label)

	// A session's title change shows in the labels.
	b.gm.do(t, http.MethodPatch, campaignPath(b.id, "sessions", s2.ID.String()), map[string]any{"title": "Fog"}).requireStatus(t, http.StatusOK)
	require.Equal(t, "Session 2: Fog", getNPC(t, b.gm, b.id, n.ID).LastAppearance.Label)

	// Sessions of another campaign, or none, are refused, and nothing
	// changes.
	b.gm.do(t, http.MethodPut, path, map[string]any{"sessionIds": []string{s1.ID.String(), foreign.ID.String()}}).requireFields(t, "sessionIds")
	b.gm.do(t, http.MethodPut, path, map[string]any{"sessionIds": []string{uuid.NewString()}}).requireFields(t, "sessionIds")
	require.Equal(t, 2, getNPC(t, b.gm, b.id, n.ID).AppearanceCount)
	// Another campaign's NPC through this campaign's URL does not exist.
	on := ts.createNPC(t, other.gm, other.id, map[string]any{"name": "Stranger"})
	b.gm.do(t, http.MethodPut, campaignPath(b.id, "npcs", on.ID.String(), "appearances"),
		map[string]any{"sessionIds": []string{}}).requireError(t, http.StatusNotFound, codeNotFound)

	// Deleting a session removes the appearance.
	b.gm.do(t, http.MethodDelete, campaignPath(b.id, "sessions", s2.ID.String()), nil).requireStatus(t, http.StatusNoContent)
	got := getNPC(t, b.gm, b.id, n.ID)
	require.Equal(t, 1, got.AppearanceCount)
	require.Equal(t, "Session 1: The Drowned Bell", got.LastAppearance.Label)

	// An empty list clears them.
	var cleared npcBody
	b.gm.do(t, http.MethodPut, path, map[string]any{"sessionIds": []string{}}).requireStatus(t, http.StatusOK).decode(t, &cleared)
	require.Zero(t, cleared.NPC.AppearanceCount)
	require.Nil(t, cleared.NPC.LastAppearance)
	require.Empty(t, cleared.NPC.Sessions)
}

func TestNPC_Relationships(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	b := newCodexBundle(t, ts, "Relations")
	other := newCodexBundle(t, ts, "Foreign")
	vell := ts.createNPC(t, b.gm, b.id, map[string]any{"name": "Idris Vell"})
	maud := ts.createNPC(t, b.gm, b.id, map[string]any{"name": "Old Maud"})
	third := ts.createNPC(t, b.gm, b.id, map[string]any{"name": "Third"})
	stranger := ts.createNPC(t, other.gm, other.id, map[string]any{"name": "Stranger"})
	relPath := func(npc uuid.UUID, rest ...string) string {
		return campaignPath(b.id, append([]string{"npcs", npc.String(), "relationships"}, rest...)...)
	}

	var rb relationshipBody
	b.gm.do(t, http.MethodPost, relPath(vell.ID), map[string]any{"otherNpcId": maud.ID.String(), "kind": " owes money to ", "description": "Forty silver."}).
		requireStatus(t, http.StatusCreated).decode(t, &rb)
	rel := rb.Relationship
	require.Equal(t, vell.ID, rel.FromNPCID)
	require.Equal(t, "Idris Vell", rel.FromNPCName)
	require.Equal(t, maud.ID, rel.ToNPCID)
	require.Equal(t, "Old Maud", rel.ToNPCName)
	require.Equal(t, "owes money to", rel.Kind)
	require.Equal(t, "Forty silver.", rel.Description)
	require.Equal(t, "outgoing", rel.Direction)

	// Listed on both NPCs.
	out := getNPC(t, b.gm, b.id, vell.ID).Relationships
	require.Len(t, out, 1)
	require.Equal(t, rel, out[0])
	in := getNPC(t, b.gm, b.id, maud.ID).Relationships
	require.Len(t, in, 1)
	require.Equal(t, rel.ID, in[0].ID)
	require.Equal(t, "incoming", in[0].Direction)
	require.Len(t, getNPC(t, b.player, b.id, maud.ID).Relationships, 1)

	// The same again is a conflict; the other way round is not.
	b.gm.do(t, http.MethodPost, relPath(vell.ID), map[string]any{"otherNpcId": maud.ID.String(), "kind": "owes money to"}).
		requireError(t, http.StatusConflict, codeConflict)
	back := ts.createRelationship(t, b.gm, b.id, maud.ID, vell.ID, "owes money to")

	// Cross-campaign links are refused both ways.
	b.gm.do(t, http.MethodPost, relPath(vell.ID), map[string]any{"otherNpcId": stranger.ID.String(), "kind": "spy"}).requireFields(t, "otherNpcId")
	b.gm.do(t, http.MethodPost, relPath(stranger.ID), map[string]any{"otherNpcId": vell.ID.String(), "kind": "spy"}).requireError(t, http.StatusNotFound, codeNotFound)
	other.gm.do(t, http.MethodPost, campaignPath(other.id, "npcs", stranger.ID.String(), "relationships"),
		map[string]any{"otherNpcId": vell.ID.String(), "kind": "spy"}).requireFields(t, "otherNpcId")

	// Delete through either end; not through an NPC it does not touch.
	b.gm.do(t, http.MethodDelete, relPath(third.ID, rel.ID.String()), nil).requireError(t, http.StatusNotFound, codeNotFound)
	b.gm.do(t, http.MethodDelete, relPath(maud.ID, rel.ID.String()), nil).requireStatus(t, http.StatusNoContent)
	b.gm.do(t, http.MethodDelete, relPath(maud.ID, rel.ID.String()), nil).requireError(t, http.StatusNotFound, codeNotFound)
	b.gm.do(t, http.MethodDelete, relPath(vell.ID, "not-a-uuid"), nil).requireError(t, http.StatusNotFound, codeNotFound)
	left := getNPC(t, b.gm, b.id, vell.ID).Relationships
	require.Len(t, left, 1)
	require.Equal(t, back.ID, left[0].ID)
	require.Equal(t, "incoming", left[0].Direction)

	// Deleting an NPC takes its relationships along.
	b.gm.do(t, http.MethodDelete, campaignPath(b.id, "npcs", maud.ID.String()), nil).requireStatus(t, http.StatusNoContent)
	require.Empty(t, getNPC(t, b.gm, b.id, vell.ID).Relationships)
}

// TestNPC_AppearanceFromCombat checks the query the live hub calls: an NPC
// that fights in a combat whose encounter is linked to a session gains an
// appearance there, once, and only within the campaign.
func TestNPC_AppearanceFromCombat(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	b := newCodexBundle(t, ts, "Combat")
	other := newCodexBundle(t, ts, "Other")
	ctx := context.Background()
	q := db.New(ts.Pool)

	s := ts.createSession(t, b.gm, b.id, map[string]any{"title": "Ambush"})
	vell := ts.createNPC(t, b.gm, b.id, map[string]any{"name": "Idris Vell"})
	bystander := ts.createNPC(t, b.gm, b.id, map[string]any{"name": "Bystander"})
	enc := createEncounter(t, b.gm, b.id, map[string]any{"name": "Reed ambush", "sessionId": s.ID.String(), "monsters": []any{}})
	unlinked := createEncounter(t, b.gm, b.id, map[string]any{"name": "Unlinked", "monsters": []any{}})

	combat := func(encounterID uuid.UUID, npcs ...uuid.UUID) uuid.UUID {
		t.Helper()
		id := uuid.New()
		require.NoError(t, q.CombatInsert(ctx, db.CombatInsertParams{ID: id, CampaignID: b.id, EncounterID: &encounterID}))
		for i, n := range npcs {
			ts.exec(t, `INSERT INTO combatants (campaign_id, combat_id, kind, name, hp, max_hp, npc_id) VALUES ($1, $2, 'npc', $3, 5, 5, $4)`,
				b.id, id, "NPC "+string(rune('A'+i)), n)
		}
		ts.exec(t, `INSERT INTO combatants (campaign_id, combat_id, kind, name, hp, max_hp) VALUES ($1, $2, 'monster', 'Stalker', 5, 5)`, b.id, id)
		return id
	}

	c1 := combat(enc.ID, vell.ID)
	// Another campaign's id finds nothing.
	n, err := q.NPCAppearanceFromCombat(ctx, db.NPCAppearanceFromCombatParams{CampaignID: other.id, CombatID: c1})
	require.NoError(t, err)
	require.Zero(t, n)
	n, err = q.NPCAppearanceFromCombat(ctx, db.NPCAppearanceFromCombatParams{CampaignID: b.id, CombatID: c1})
	require.NoError(t, err)
	require.EqualValues(t, 1, n)
	n, err = q.NPCAppearanceFromCombat(ctx, db.NPCAppearanceFromCombatParams{CampaignID: b.id, CombatID: c1})
	require.NoError(t, err)
	require.Zero(t, n, "idempotent")
	got := getNPC(t, b.gm, b.id, vell.ID)
	require.Equal(t, 1, got.AppearanceCount)
	require.Equal(t, "Session 1: Ambush", got.LastAppearance.Label)
	require.Zero(t, getNPC(t, b.gm, b.id, bystander.ID).AppearanceCount)

	// A combat whose encounter has no session adds nothing.
	_, err = q.CombatEnd(ctx, db.CombatEndParams{CampaignID: b.id, ID: c1})
	require.NoError(t, err)
	c2 := combat(unlinked.ID, bystander.ID)
	n, err = q.NPCAppearanceFromCombat(ctx, db.NPCAppearanceFromCombatParams{CampaignID: b.id, CombatID: c2})
	require.NoError(t, err)
	require.Zero(t, n)
	require.Zero(t, getNPC(t, b.gm, b.id, bystander.ID).AppearanceCount)
}
