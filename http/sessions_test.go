package http

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"gametable/db"
)

// TestSessions_UserFromRequest checks the read-only loader the live route
// uses outside LoadAndSave.
func TestSessions_UserFromRequest(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	u := ts.newUser(t, "Live")
	cookies := u.client.Jar.Cookies(u.jarURL(t))
	require.Len(t, cookies, 1)
	req := func() *http.Request {
		r, err := http.NewRequestWithContext(t.Context(), http.MethodGet, ts.URL+"/api/campaigns/x/live", nil)
		require.NoError(t, err)
		r.AddCookie(cookies[0])
		return r
	}
	var expiry1, expiry2 string
	read := func(dst *string) {
		require.NoError(t, ts.Pool.QueryRow(t.Context(), "SELECT expiry::text FROM sessions WHERE token = $1", sessionID(cookies[0].Value)).Scan(dst))
	}
	read(&expiry1)

	got, id, err := ts.userFromRequest(req())
	require.NoError(t, err)
	require.Equal(t, u.User.ID, got.ID)
	require.Equal(t, sessionID(cookies[0].Value), id)
	read(&expiry2)
	require.Equal(t, expiry1, expiry2, "nothing written")

	noCookie, _ := http.NewRequest(http.MethodGet, ts.URL, nil)
	_, _, err = ts.userFromRequest(noCookie)
	require.ErrorIs(t, err, errNoSession)

	u.do(t, http.MethodPost, "/api/auth/logout", nil).requireStatus(t, http.StatusNoContent)
	_, _, err = ts.userFromRequest(req())
	require.ErrorIs(t, err, errNoSession)
}

// TestContextAccessors checks the middleware guards and the accessors that
// panic when a route forgot its middleware.
func TestContextAccessors(t *testing.T) {
	t.Parallel()
	s := &Server{logger: slog.New(slog.DiscardHandler)}
	ok := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusTeapot) })
	call := func(h http.Handler, ctx context.Context) int {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequestWithContext(ctx, http.MethodGet, "/", nil))
		return w.Code
	}
	bg := context.Background()
	withUser := func(admin bool) context.Context {
		return context.WithValue(bg, ctxUser, db.User{ID: uuid.New(), IsAdmin: admin})
	}
	require.Equal(t, http.StatusUnauthorized, call(s.requireUser(ok), bg))
	require.Equal(t, http.StatusTeapot, call(s.requireUser(ok), withUser(false)))
	require.Equal(t, http.StatusUnauthorized, call(s.requireAdmin(ok), bg))
	require.Equal(t, http.StatusForbidden, call(s.requireAdmin(ok), withUser(false)))
	require.Equal(t, http.StatusTeapot, call(s.requireAdmin(ok), withUser(true)))

	player := context.WithValue(bg, ctxMember, membership{CampaignID: uuid.New(), Role: rolePlayer})
	gm := context.WithValue(bg, ctxMember, membership{CampaignID: uuid.New(), Role: roleGM})
	require.Equal(t, http.StatusForbidden, call(s.requireGM(ok), player))
	require.Equal(t, http.StatusTeapot, call(s.requireGM(ok), gm))
	require.Equal(t, rolePlayer, roleFrom(player))
	require.True(t, isGM(gm))
	require.Equal(t, gm.Value(ctxMember).(membership).CampaignID, campaignFrom(gm))

	require.PanicsWithValue(t, "developer error: campaign route without requireMember", func() { campaignFrom(bg) })
	require.PanicsWithValue(t, "developer error: userFrom without requireUser", func() { userFrom(bg) })
	require.Empty(t, sessionIDFrom(bg))
}
