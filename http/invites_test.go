package http

import (
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestInvites_CreateAndList(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	gm := ts.newUser(t, "Gm")
	c := ts.createCampaign(t, gm, "Invites")

	inv := ts.invite(t, gm, c.ID, nil)
	require.Equal(t, "player", inv.Role)
	require.Nil(t, inv.MaxUses, "absent: unlimited")
	require.Zero(t, inv.Uses)
	require.WithinDuration(t, time.Now().Add(168*time.Hour), inv.ExpiresAt, time.Minute)
	require.GreaterOrEqual(t, len(inv.Code), 22, "at least 128 bits")
	require.Regexp(t, `^[A-Za-z0-9_-]+$`, inv.Code, "URL-safe")
	require.Equal(t, ts.URL+"/join/"+inv.Code, inv.URL)
	require.Equal(t, inv.Code, url.PathEscape(inv.Code))

	limited := ts.invite(t, gm, c.ID, map[string]any{"role": "gm", "maxUses": 1000, "expiresInHours": 1})
	require.Equal(t, "gm", limited.Role)
	require.Equal(t, int32(1000), *limited.MaxUses)
	require.WithinDuration(t, time.Now().Add(time.Hour), limited.ExpiresAt, time.Minute)
	ts.invite(t, gm, c.ID, map[string]any{"maxUses": 1, "expiresInHours": 720})

	invalid := []struct {
		name   string
		body   map[string]any
		fields []string
	}{
		{"ZeroHours", map[string]any{"expiresInHours": 0}, []string{"expiresInHours"}},
		{"TooManyHours", map[string]any{"expiresInHours": 721}, []string{"expiresInHours"}},
		{"ZeroUses", map[string]any{"maxUses": 0}, []string{"maxUses"}},
		{"TooManyUses", map[string]any{"maxUses": 1001}, []string{"maxUses"}},
		{"Role", map[string]any{"role": "admin"}, []string{"role"}},
	}
	for _, tt := range invalid {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			gm.do(t, http.MethodPost, campaignPath(c.ID, "invites"), tt.body).requireFields(t, tt.fields...)
		})
	}
	t.Run("FractionalHours", func(t *testing.T) {
		t.Parallel()
		gm.do(t, http.MethodPost, campaignPath(c.ID, "invites"), map[string]any{"expiresInHours": 1.5}).
			requireError(t, http.StatusBadRequest, codeBadRequest)
	})
	t.Run("List", func(t *testing.T) {
		t.Parallel()
		var list inviteListBody
		res := gm.do(t, http.MethodGet, campaignPath(c.ID, "invites"), nil).requireStatus(t, http.StatusOK)
		res.decode(t, &list)
		require.Len(t, list.Items, 3)
		require.NotContains(t, string(res.Body), inv.Code, "codes are shown once")
		require.NotContains(t, string(res.Body), `"code"`)
	})
}

// TestInvites_Lifecycle covers use counting, accepting twice, expiry and
// revocation, each seen from the preview (404) and from accept (422).
func TestInvites_Lifecycle(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	gm := ts.newUser(t, "Gm")
	c := ts.createCampaign(t, gm, "Lifecycle")
	anna, ben, cleo := ts.newUser(t, "Anna"), ts.newUser(t, "Ben"), ts.newUser(t, "Cleo")
	anon := ts.newClient(t)

	preview := func(t *testing.T, who *testClient, code string) *testResponse {
		t.Helper()
		return who.do(t, http.MethodGet, "/api/invites/"+code, nil)
	}
	accept := func(t *testing.T, who *testClient, code string) *testResponse {
		t.Helper()
		return who.do(t, http.MethodPost, "/api/invites/"+code+"/accept", nil)
	}
	uses := func(t *testing.T, id string) (int32, bool) {
		t.Helper()
		var list inviteListBody
		gm.do(t, http.MethodGet, campaignPath(c.ID, "invites"), nil).requireStatus(t, http.StatusOK).decode(t, &list)
		for _, i := range list.Items {
			if i.ID.String() == id {
				return i.Uses, true
			}
		}
		return 0, false
	}

	two := ts.invite(t, gm, c.ID, map[string]any{"maxUses": 2})

	t.Run("Preview", func(t *testing.T) {
		var p invitePreviewBody
		preview(t, anna, two.Code).requireStatus(t, http.StatusOK).decode(t, &p)
		require.Equal(t, "Lifecycle", p.Invite.CampaignName)
		require.Equal(t, "player", p.Invite.Role)
		require.True(t, two.ExpiresAt.Equal(p.Invite.ExpiresAt))
		require.Equal(t, p.Invite, p.invitePreviewJSON)
		preview(t, anon, two.Code).requireError(t, http.StatusUnauthorized, codeUnauthorized)
		preview(t, anna, "AAAAAAAAAAAAAAAAAAAAAA").requireError(t, http.StatusNotFound, codeNotFound)
		preview(t, anna, "bad!code").requireError(t, http.StatusNotFound, codeNotFound)
		accept(t, anna, "AAAAAAAAAAAAAAAAAAAAAA").requireFields(t, "token")
	})

	t.Run("UsesCounted", func(t *testing.T) {
		got := anna.accept(t, two.Code)
		require.Equal(t, c.ID, got.ID)
		require.Equal(t, "player", got.MyRole)
		require.Equal(t, int64(2), got.MemberCount)
		n, ok := uses(t, two.ID.String())
		require.True(t, ok)
		require.Equal(t, int32(1), n)

		// Accepting again changes nothing and uses nothing.
		again := anna.accept(t, two.Code)
		require.Equal(t, got, again)
		n, _ = uses(t, two.ID.String())
		require.Equal(t, int32(1), n)

		ben.accept(t, two.Code)
		_, ok = uses(t, two.ID.String())
		require.False(t, ok, "used up invites are not active")
		preview(t, cleo, two.Code).requireError(t, http.StatusNotFound, codeNotFound)
		accept(t, cleo, two.Code).requireFields(t, "token")
		// Still harmless for those who used it.
		anna.accept(t, two.Code)
		require.Len(t, listMembers(t, gm, c.ID), 3)
	})

	t.Run("Expired", func(t *testing.T) {
		inv := ts.invite(t, gm, c.ID, nil)
		ts.exec(t, `UPDATE invites SET expires_at = now() - interval '1 second' WHERE campaign_id = $1 AND id = $2`, c.ID, inv.ID)
		preview(t, cleo, inv.Code).requireError(t, http.StatusNotFound, codeNotFound)
		accept(t, cleo, inv.Code).requireFields(t, "token")
		_, ok := uses(t, inv.ID.String())
		require.False(t, ok)
	})

	t.Run("Revoked", func(t *testing.T) {
		inv := ts.invite(t, gm, c.ID, nil)
		gm.do(t, http.MethodDelete, campaignPath(c.ID, "invites", inv.ID.String()), nil).requireStatus(t, http.StatusNoContent)
		gm.do(t, http.MethodDelete, campaignPath(c.ID, "invites", inv.ID.String()), nil).requireStatus(t, http.StatusNoContent)
		preview(t, cleo, inv.Code).requireError(t, http.StatusNotFound, codeNotFound)
		accept(t, cleo, inv.Code).requireFields(t, "token")
		_, ok := uses(t, inv.ID.String())
		require.False(t, ok)
	})

	t.Run("GMInvite", func(t *testing.T) {
		inv := ts.invite(t, gm, c.ID, map[string]any{"role": "gm"})
		got := cleo.accept(t, inv.Code)
		require.Equal(t, "gm", got.MyRole)
		require.Len(t, listMembers(t, gm, c.ID), 4)
	})
}

// TestInvites_LastUseRace has several users take the last use of an invite
// at once: exactly one gets in.
func TestInvites_LastUseRace(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	gm := ts.newUser(t, "Gm")
	c := ts.createCampaign(t, gm, "Race")
	inv := ts.invite(t, gm, c.ID, map[string]any{"maxUses": 1})
	users := []*testClient{ts.newUser(t, "One"), ts.newUser(t, "Two"), ts.newUser(t, "Three")}

	statuses := make(chan int, len(users))
	start := make(chan struct{})
	for _, u := range users {
		go func() {
			<-start
			req, _ := http.NewRequest(http.MethodPost, ts.URL+"/api/invites/"+inv.Code+"/accept", nil)
			resp, err := u.client.Do(req)
			if err != nil {
				statuses <- 0
				return
			}
			resp.Body.Close()
			statuses <- resp.StatusCode
		}()
	}
	close(start)
	got := map[int]int{}
	for range users {
		got[<-statuses]++
	}
	require.Equal(t, map[int]int{http.StatusOK: 1, http.StatusUnprocessableEntity: 2}, got)
	require.Len(t, listMembers(t, gm, c.ID), 2)
}
