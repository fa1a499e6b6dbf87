package http

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"
)

// createEntity creates a codex entry as gm, requiring 201.
func (ts *testServer) createEntity(t *testing.T, gm *testClient, campaignID uuid.UUID, body map[string]any) entityJSON {
	t.Helper()
	var eb entityBody
	gm.do(t, http.MethodPost, campaignPath(campaignID, "entities"), body).requireStatus(t, http.StatusCreated).decode(t, &eb)
	return eb.Entity
}

func getEntity(t *testing.T, c *testClient, campaignID, id uuid.UUID) entityJSON {
	t.Helper()
	var eb entityBody
	c.do(t, http.MethodGet, campaignPath(campaignID, "entities", id.String()), nil).requireStatus(t, http.StatusOK).decode(t, &eb)
	return eb.Entity
}

func listEntities(t *testing.T, c *testClient, campaignID uuid.UUID, query string) entityListBody {
	t.Helper()
	var lb entityListBody
	c.do(t, http.MethodGet, campaignPath(campaignID, "entities")+query, nil).requireStatus(t, http.StatusOK).decode(t, &lb)
	return lb
}

func entityNames(items []entityJSON) []string {
	out := make([]string, 0, len(items))
	for _, e := range items {
		out = append(out, e.Name)
	}
	return out
}

func TestEntity_CRUD(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	b := newCodexBundle(t, ts, "Codex")

	e := ts.createEntity(t, b.gm, b.id, map[string]any{
		"kind": "location", "name": " Salt Gate ", "summary": "Greywater's eastern gate.", "body": "## Gate\nGuarded.",
	})
	require.Equal(t, "location", e.Kind)
	require.Equal(t, "Salt Gate", e.Name)
	require.Equal(t, "Greywater's eastern gate.", e.Summary)
	require.Equal(t, "## Gate\nGuarded.", e.Body)
	require.False(t, *e.GMOnly)
	require.Empty(t, e.Sessions)
	require.Equal(t, e, getEntity(t, b.gm, b.id, e.ID))

	var eb entityBody
	b.gm.do(t, http.MethodPatch, campaignPath(b.id, "entities", e.ID.String()), map[string]any{"kind": "faction", "gmOnly": true}).
		requireStatus(t, http.StatusOK).decode(t, &eb)
	require.Equal(t, "faction", eb.Entity.Kind)
	require.True(t, *eb.Entity.GMOnly)
	require.Equal(t, "Salt Gate", eb.Entity.Name)

	b.gm.do(t, http.MethodDelete, campaignPath(b.id, "entities", e.ID.String()), nil).requireStatus(t, http.StatusNoContent)
	b.gm.do(t, http.MethodGet, campaignPath(b.id, "entities", e.ID.String()), nil).requireError(t, http.StatusNotFound, codeNotFound)
	b.gm.do(t, http.MethodDelete, campaignPath(b.id, "entities", e.ID.String()), nil).requireError(t, http.StatusNotFound, codeNotFound)
	b.gm.do(t, http.MethodPatch, campaignPath(b.id, "entities", e.ID.String()), map[string]any{"name": "X"}).requireError(t, http.StatusNotFound, codeNotFound)

	b.player.do(t, http.MethodPost, campaignPath(b.id, "entities"), map[string]any{"kind": "lore", "name": "Nope"}).
		requireError(t, http.StatusForbidden, codeForbidden)
}

func TestEntity_Validation(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	b := newCodexBundle(t, ts, "Validation")
	e := ts.createEntity(t, b.gm, b.id, map[string]any{"kind": "item", "name": "Drowned Bell"})
	path := campaignPath(b.id, "entities", e.ID.String())
	create := campaignPath(b.id, "entities")
	long := func(n int) string { return strings.Repeat("ß", n) }

	tests := []struct {
		name   string
		method string
		path   string
		body   any
		fields []string
	}{
		{"CreateEmpty", http.MethodPost, create, map[string]any{}, []string{"kind", "name"}},
		{"CreateBadKind", http.MethodPost, create, map[string]any{"kind": "npc", "name": "A"}, []string{"kind"}},
		{"CreateLongName", http.MethodPost, create, map[string]any{"kind": "lore", "name": long(81)}, []string{"name"}},
		{"CreateLongSummary", http.MethodPost, create, map[string]any{"kind": "lore", "name": "A", "summary": long(501)}, []string{"summary"}},
		{"CreateLongBody", http.MethodPost, create, map[string]any{"kind": "lore", "name": "A", "body": long(100001)}, []string{"body"}},
		{"PatchBadKind", http.MethodPatch, path, map[string]any{"kind": "Location"}, []string{"kind"}},
		{"PatchNulls", http.MethodPatch, path, map[string]any{"kind": nil, "gmOnly": nil}, []string{"kind", "gmOnly"}},
		{"PatchBlankName", http.MethodPatch, path, map[string]any{"name": " "}, []string{"name"}},
		{"SessionsMissing", http.MethodPut, path + "/sessions", map[string]any{}, []string{"sessionIds"}},
		{"SessionsMalformed", http.MethodPut, path + "/sessions", map[string]any{"sessionIds": []string{"1"}}, []string{"sessionIds"}},
		{"SessionsUnknown", http.MethodPut, path + "/sessions", map[string]any{"sessionIds": []string{uuid.NewString()}}, []string{"sessionIds"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			b.gm.do(t, tt.method, tt.path, tt.body).requireFields(t, tt.fields...)
		})
	}
	t.Run("WrongType", func(t *testing.T) {
		t.Parallel()
		b.gm.do(t, http.MethodPost, create, `{"kind":"lore","name":"A","gmOnly":"no"}`).requireError(t, http.StatusBadRequest, codeBadRequest)
	})
	t.Run("BadListQuery", func(t *testing.T) {
		t.Parallel()
		b.gm.do(t, http.MethodGet, create+"?kind=npc", nil).requireFields(t, "kind")
		b.gm.do(t, http.MethodGet, create+"?limit=-1&cursor=x", nil).requireFields(t, "limit", "cursor")
	})
}

func TestEntity_PlayersNeverSeeGMOnly(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	b := newCodexBundle(t, ts, "Secrets")
	open := ts.createEntity(t, b.gm, b.id, map[string]any{"kind": "faction", "name": "Order of the Ninth Wick"})
	secret := ts.createEntity(t, b.gm, b.id, map[string]any{"kind": "lore", "name": "The Bell's True Name", "gmOnly": true, "body": "It is Aumra."})

	require.Equal(t, []string{"Order of the Ninth Wick", "The Bell's True Name"}, entityNames(listEntities(t, b.gm, b.id, "").Items))

	res := b.player.do(t, http.MethodGet, campaignPath(b.id, "entities"), nil).requireStatus(t, http.StatusOK)
	require.NotContains(t, string(res.Body), secret.ID.String())
	require.NotContains(t, string(res.Body), "Aumra")
	require.NotContains(t, string(res.Body), "gmOnly")
	items := rawBody(t, res)["items"].([]any)
	require.Len(t, items, 1)
	require.Equal(t, open.ID.String(), items[0].(map[string]any)["id"])

	res = b.player.do(t, http.MethodGet, campaignPath(b.id, "entities", open.ID.String()), nil).requireStatus(t, http.StatusOK)
	require.NotContains(t, rawBody(t, res)["entity"], "gmOnly")
	b.player.do(t, http.MethodGet, campaignPath(b.id, "entities", secret.ID.String()), nil).requireError(t, http.StatusNotFound, codeNotFound)
	require.Empty(t, listEntities(t, b.player, b.id, "?q=bell").Items)
	require.Empty(t, listEntities(t, b.player, b.id, "?kind=lore").Items)
}

func TestEntity_ListAndSessions(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	b := newCodexBundle(t, ts, "List")
	other := newCodexBundle(t, ts, "Other")
	for _, e := range []map[string]any{
		{"kind": "location", "name": "Salt Gate"}, {"kind": "location", "name": "Greywater"},
		{"kind": "item", "name": "Salt"}, {"kind": "event", "name": "The Salting"}, {"kind": "other", "name": "Lanterns"},
	} {
		ts.createEntity(t, b.gm, b.id, e)
	}
	require.Equal(t, []string{"Greywater", "Lanterns", "Salt", "Salt Gate", "The Salting"}, entityNames(listEntities(t, b.player, b.id, "").Items))
	require.Equal(t, []string{"Salt", "Salt Gate", "The Salting"}, entityNames(listEntities(t, b.player, b.id, "?q=salt").Items))
	require.Equal(t, []string{"Salt Gate"}, entityNames(listEntities(t, b.player, b.id, "?q=salt&kind=location").Items))
	first := listEntities(t, b.player, b.id, "?limit=3")
	require.Equal(t, []string{"Greywater", "Lanterns", "Salt"}, entityNames(first.Items))
	second := listEntities(t, b.player, b.id, "?limit=3&cursor="+url.QueryEscape(first.NextCursor))
	require.Equal(t, []string{"Salt Gate", "The Salting"}, entityNames(second.Items))
	require.Empty(t, second.NextCursor)

	gate := listEntities(t, b.gm, b.id, "?q=salt%20gate").Items[0]
	s1 := ts.createSession(t, b.gm, b.id, map[string]any{"title": "Arrival"})
	s2 := ts.createSession(t, b.gm, b.id, map[string]any{})
	foreign := ts.createSession(t, other.gm, other.id, map[string]any{})
	path := campaignPath(b.id, "entities", gate.ID.String(), "sessions")
	var eb entityBody
	b.gm.do(t, http.MethodPut, path, map[string]any{"sessionIds": []string{s2.ID.String(), s1.ID.String()}}).
		requireStatus(t, http.StatusOK).decode(t, &eb)
	require.Equal(t, []sessionRefJSON{{ID: s1.ID, Label: "Session 1: Arrival"}, {ID: s2.ID, Label: "Session 2"}}, eb.Entity.Sessions)
	require.Equal(t, eb.Entity.Sessions, listEntities(t, b.player, b.id, "?q=salt%20gate").Items[0].Sessions)

	b.gm.do(t, http.MethodPut, path, map[string]any{"sessionIds": []string{foreign.ID.String()}}).requireFields(t, "sessionIds")
	require.Len(t, getEntity(t, b.gm, b.id, gate.ID).Sessions, 2)
	oe := ts.createEntity(t, other.gm, other.id, map[string]any{"kind": "lore", "name": "Theirs"})
	b.gm.do(t, http.MethodPut, campaignPath(b.id, "entities", oe.ID.String(), "sessions"), map[string]any{"sessionIds": []string{}}).
		requireError(t, http.StatusNotFound, codeNotFound)
	b.gm.do(t, http.MethodGet, campaignPath(b.id, "entities", oe.ID.String()), nil).requireError(t, http.StatusNotFound, codeNotFound)

	b.gm.do(t, http.MethodPut, path, map[string]any{"sessionIds": []string{}}).requireStatus(t, http.StatusOK).decode(t, &eb)
	require.Empty(t, eb.Entity.Sessions)
}
