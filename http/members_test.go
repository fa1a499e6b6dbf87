package http

import (
	"net/http"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"
)

func listMembers(t *testing.T, c *testClient, campaignID uuid.UUID) map[uuid.UUID]memberJSON {
	t.Helper()
	var body memberListBody
	c.do(t, http.MethodGet, campaignPath(campaignID, "members"), nil).requireStatus(t, http.StatusOK).decode(t, &body)
	m := make(map[uuid.UUID]memberJSON, len(body.Items))
	for _, mb := range body.Items {
		m[mb.UserID] = mb
	}
	return m
}

func TestMembers_ListAndCharacters(t *testing.T) {
	t.Parallel()
	online := map[uuid.UUID]bool{}
	ts := newTestServer(t, func(o *Options) {
		o.OnlineFunc = func(uuid.UUID) map[uuid.UUID]bool { return online }
	})
	gm := ts.newUser(t, "Gm")
	c := ts.createCampaign(t, gm, "Members")
	p := ts.join(t, gm, c.ID, rolePlayer, "Pat")
	q := ts.join(t, gm, c.ID, rolePlayer, "Quincy")
	online[p.User.ID] = true

	res := p.do(t, http.MethodGet, campaignPath(c.ID, "members"), nil).requireStatus(t, http.StatusOK)
	var list memberListBody
	res.decode(t, &list)
	require.Len(t, list.Items, 3)
	require.Equal(t, gm.User.ID, list.Items[0].UserID, "GMs first")
	require.Equal(t, "gm", list.Items[0].Role)
	require.False(t, list.Items[0].Online)
	require.NotContains(t, string(res.Body), "characterName", "absent, not null")
	members := listMembers(t, gm, c.ID)
	require.True(t, members[p.User.ID].Online)
	require.Equal(t, "Pat", members[p.User.ID].DisplayName)
	require.Equal(t, "player", members[p.User.ID].Role)

	// A player edits their own character…
	var mb memberBody
	p.do(t, http.MethodPatch, campaignPath(c.ID, "members", p.User.ID.String()), map[string]any{"characterName": " Vex ", "characterLevel": 3}).
		requireStatus(t, http.StatusOK).decode(t, &mb)
	require.Equal(t, "Vex", *mb.Member.CharacterName)
	require.Equal(t, int32(3), *mb.Member.CharacterLevel)
	require.Equal(t, "Pat", mb.Member.DisplayName)
	require.True(t, mb.Member.Online)
	// …but not their role, nor anyone else's character.
	p.do(t, http.MethodPatch, campaignPath(c.ID, "members", p.User.ID.String()), map[string]any{"role": "gm"}).
		requireError(t, http.StatusForbidden, codeForbidden)
	p.do(t, http.MethodPatch, campaignPath(c.ID, "members", q.User.ID.String()), map[string]any{"characterLevel": 2}).
		requireError(t, http.StatusForbidden, codeForbidden)

	// The GM edits anyone; null clears; absent keeps.
	mb = memberBody{}
	gm.do(t, http.MethodPatch, campaignPath(c.ID, "members", p.User.ID.String()), map[string]any{"characterLevel": nil}).
		requireStatus(t, http.StatusOK).decode(t, &mb)
	require.Nil(t, mb.Member.CharacterLevel)
	require.Equal(t, "Vex", *mb.Member.CharacterName)

	invalid := []struct {
		name   string
		body   map[string]any
		fields []string
	}{
		{"LevelZero", map[string]any{"characterLevel": 0}, []string{"characterLevel"}},
		{"Level21", map[string]any{"characterLevel": 21}, []string{"characterLevel"}},
		{"BlankName", map[string]any{"characterName": "  "}, []string{"characterName"}},
		{"LongName", map[string]any{"characterName": strings.Repeat("x", 81)}, []string{"characterName"}},
		{"Role", map[string]any{"role": "admin"}, []string{"role"}},
	}
	for _, tt := range invalid {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			gm.do(t, http.MethodPatch, campaignPath(c.ID, "members", q.User.ID.String()), tt.body).requireFields(t, tt.fields...)
		})
	}
	t.Run("NotAMember", func(t *testing.T) {
		t.Parallel()
		gm.do(t, http.MethodPatch, campaignPath(c.ID, "members", uuid.NewString()), map[string]any{"characterLevel": 2}).
			requireError(t, http.StatusNotFound, codeNotFound)
		gm.do(t, http.MethodDelete, campaignPath(c.ID, "members", uuid.NewString()), nil).
			requireError(t, http.StatusNotFound, codeNotFound)
		gm.do(t, http.MethodDelete, campaignPath(c.ID, "members", "nonsense"), nil).
			requireError(t, http.StatusNotFound, codeNotFound)
	})
}

// TestMembers_LastGM covers several GMs and the rule that a campaign always
// keeps one.
func TestMembers_LastGM(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	gina := ts.newUser(t, "Gina")
	c := ts.createCampaign(t, gina, "GMs")
	hal := ts.join(t, gina, c.ID, rolePlayer, "Hal")
	me := func(u *testClient) string { return campaignPath(c.ID, "members", u.User.ID.String()) }

	// The only GM can neither step down nor leave.
	gina.do(t, http.MethodPatch, me(gina), map[string]any{"role": "player"}).requireError(t, http.StatusConflict, codeConflict)
	gina.do(t, http.MethodDelete, me(gina), nil).requireError(t, http.StatusConflict, codeConflict)

	// A second GM; the role change closes Hal's live connections, which
	// showed the player view.
	var mb memberBody
	gina.do(t, http.MethodPatch, me(hal), map[string]any{"role": "gm"}).requireStatus(t, http.StatusOK).decode(t, &mb)
	require.Equal(t, "gm", mb.Member.Role)
	require.True(t, ts.Live.closedMember(c.ID, hal.User.ID))
	require.Equal(t, "gm", listCampaigns(t, hal)[c.ID].MyRole)

	// Now Gina may step down; her own session gets a new token.
	before := gina.client.Jar.Cookies(gina.jarURL(t))[0].Value
	gina.do(t, http.MethodPatch, me(gina), map[string]any{"role": "player"}).requireStatus(t, http.StatusOK)
	require.NotEqual(t, before, gina.client.Jar.Cookies(gina.jarURL(t))[0].Value)
	require.Equal(t, "player", listCampaigns(t, gina)[c.ID].MyRole)
	gina.do(t, http.MethodPatch, campaignPath(c.ID), map[string]any{"name": "x"}).requireError(t, http.StatusForbidden, codeForbidden)

	// Hal is the last GM now.
	hal.do(t, http.MethodPatch, me(hal), map[string]any{"role": "player"}).requireError(t, http.StatusConflict, codeConflict)
	hal.do(t, http.MethodDelete, me(hal), nil).requireError(t, http.StatusConflict, codeConflict)
	// Setting the role a member has already is no change at all.
	hal.do(t, http.MethodPatch, me(hal), map[string]any{"role": "gm"}).requireStatus(t, http.StatusOK)
}

// TestMembers_Remove checks that a removed member loses access at once and
// that players can leave but not remove others.
func TestMembers_Remove(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	gm := ts.newUser(t, "Gm")
	c := ts.createCampaign(t, gm, "Remove")
	p := ts.join(t, gm, c.ID, rolePlayer, "Pia")
	q := ts.join(t, gm, c.ID, rolePlayer, "Quentin")

	p.do(t, http.MethodDelete, campaignPath(c.ID, "members", q.User.ID.String()), nil).requireError(t, http.StatusForbidden, codeForbidden)
	p.do(t, http.MethodDelete, campaignPath(c.ID, "members", gm.User.ID.String()), nil).requireError(t, http.StatusForbidden, codeForbidden)

	gm.do(t, http.MethodDelete, campaignPath(c.ID, "members", q.User.ID.String()), nil).requireStatus(t, http.StatusNoContent)
	q.do(t, http.MethodGet, campaignPath(c.ID), nil).requireError(t, http.StatusNotFound, codeNotFound)
	require.True(t, ts.Live.closedMember(c.ID, q.User.ID))
	require.Empty(t, listCampaigns(t, q))

	// Leaving.
	p.do(t, http.MethodDelete, campaignPath(c.ID, "members", p.User.ID.String()), nil).requireStatus(t, http.StatusNoContent)
	p.do(t, http.MethodGet, campaignPath(c.ID, "members"), nil).requireError(t, http.StatusNotFound, codeNotFound)
	require.True(t, ts.Live.closedMember(c.ID, p.User.ID))
	require.Len(t, listMembers(t, gm, c.ID), 1)
}
