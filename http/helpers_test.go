package http

// Shared test helpers for every HTTP test of this package. A test starts a
// real server (router, middleware, sessions) on a fresh database with its
// own SMTP server, then talks to it over HTTP like a browser does:
//
//	ts := newTestServer(t)
//	gm := ts.newUser(t, "Gina")                   // signed up and logged in
//	c := ts.createCampaign(t, gm, "Curse of Strahd")
//	player := ts.join(t, gm, c.ID, rolePlayer, "Pip")
//	res := player.do(t, "GET", "/api/campaigns/"+c.ID.String(), nil)
//	res.requireStatus(t, http.StatusOK)
//	var body campaignBody
//	res.decode(t, &body)
//
// Every helper takes the *testing.T of the (sub)test that calls it, so it is
// safe to share a server and its clients between parallel subtests.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"gametable/db/dbtest"
	"gametable/mail/mailtest"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

// testPassword is the password newUser gives every account.
const testPassword = "correct horse battery staple"

// testServer is a running Server on a fresh database.
type testServer struct {
	*Server
	// URL is the server's address (and, unless an option changed it, its
	// base URL), e.g. http://127.0.0.1:41234.
	URL  string
	Pool *pgxpool.Pool
	// Mail receives every mail the server sends.
	Mail *mailtest.Server
	// Live records what the server asked the hub to close.
	Live *fakeLive
}

// newTestServer starts a server for the test; it stops when the test ends.
// Options may change the server's Options before it is built (the base URL,
// session timeouts…).
func newTestServer(t *testing.T, options ...func(*Options)) *testServer {
	t.Helper()
	pool := dbtest.New(t)
	smtp := mailtest.NewServer(t)
	live := &fakeLive{}

	hts := httptest.NewUnstartedServer(nil)
	url := "http://" + hts.Listener.Addr().String()
	opts := Options{
		Pool:     pool,
		Logger:   slog.New(slog.DiscardHandler),
		BaseURL:  url,
		Version:  "test",
		SMTPURL:  smtp.URL(),
		MailFrom: "gametable <noreply@example.com>",
		Live:     live,
	}
	for _, o := range options {
		o(&opts)
	}
	srv, err := NewServer(opts)
	require.NoError(t, err)
	hts.Config.Handler = srv
	hts.Start()
	t.Cleanup(func() {
		hts.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Close(ctx)
	})
	return &testServer{Server: srv, URL: url, Pool: pool, Mail: smtp, Live: live}
}

// exec runs SQL directly, for fixtures that have no API yet (game sessions,
// NPCs) or that the API refuses on purpose (an invite expired yesterday).
func (ts *testServer) exec(t *testing.T, sql string, args ...any) {
	t.Helper()
	_, err := ts.Pool.Exec(context.Background(), sql, args...)
	require.NoError(t, err)
}

// testClient is a browser-like client of a testServer: it keeps cookies and
// speaks JSON.
type testClient struct {
	ts     *testServer
	client *http.Client
	// User is the account the client is logged in as (after newUser,
	// signup or login); Email and Password log in again.
	User     userJSON
	Email    string
	Password string
}

// newClient returns a client without a session.
func (ts *testServer) newClient(t *testing.T) *testClient {
	t.Helper()
	jar, err := cookiejar.New(nil)
	require.NoError(t, err)
	return &testClient{ts: ts, client: &http.Client{Jar: jar, Timeout: 30 * time.Second}}
}

var emailSeq atomic.Int64

// uniqueEmail returns a fresh address built from name.
func uniqueEmail(name string) string {
	local := strings.ToLower(strings.ReplaceAll(name, " ", "."))
	return fmt.Sprintf("%s.%d@example.com", local, emailSeq.Add(1))
}

// newUser signs up a new account named name (a unique email, testPassword)
// and returns its logged-in client. The account's email is not verified.
func (ts *testServer) newUser(t *testing.T, name string) *testClient {
	t.Helper()
	return ts.signup(t, uniqueEmail(name), testPassword, name)
}

// signup signs up with these values, requiring 201.
func (ts *testServer) signup(t *testing.T, email, password, name string) *testClient {
	t.Helper()
	c := ts.newClient(t)
	res := c.do(t, http.MethodPost, "/api/auth/signup", map[string]string{
		"email": email, "password": password, "displayName": name,
	})
	res.requireStatus(t, http.StatusCreated)
	var body userBody
	res.decode(t, &body)
	c.User, c.Email, c.Password = body.User, email, password
	return c
}

// login logs c in (again) with its Email and Password, requiring 200.
func (c *testClient) login(t *testing.T) {
	t.Helper()
	res := c.do(t, http.MethodPost, "/api/auth/login", map[string]string{"email": c.Email, "password": c.Password})
	res.requireStatus(t, http.StatusOK)
	var body userBody
	res.decode(t, &body)
	c.User = body.User
}

// verifyEmail verifies the client's email with the token of the latest
// verification mail.
func (c *testClient) verifyEmail(t *testing.T) {
	t.Helper()
	n := c.ts.Mail.Count(c.Email, "Confirm your email")
	if n == 0 {
		n = 1
	}
	token := c.ts.Mail.Wait(t, c.Email, "Confirm your email", n).Token(t)
	res := c.do(t, http.MethodPost, "/api/auth/verify-email", map[string]string{"token": token})
	res.requireStatus(t, http.StatusOK)
	var body userBody
	res.decode(t, &body)
	c.User = body.User
}

// testResponse is a response, read completely.
type testResponse struct {
	Status int
	Header http.Header
	Body   []byte
}

// do sends a request with body encoded as JSON (nil: no body; a string or
// []byte is sent as it is) and reads the response. Further arguments are
// header name and value pairs.
func (c *testClient) do(t *testing.T, method, path string, body any, header ...string) *testResponse {
	t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		buf, err := json.Marshal(b)
		require.NoError(t, err)
		rd = bytes.NewReader(buf)
	}
	req, err := http.NewRequest(method, c.ts.URL+path, rd)
	require.NoError(t, err)
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := c.client.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return &testResponse{Status: resp.StatusCode, Header: resp.Header, Body: b}
}

// requireStatus fails the test, showing the body, unless the status is
// status. It returns r for chaining.
func (r *testResponse) requireStatus(t *testing.T, status int) *testResponse {
	t.Helper()
	require.Equal(t, status, r.Status, "body: %s", r.Body)
	return r
}

// requireError requires an error response with this status and code.
func (r *testResponse) requireError(t *testing.T, status int, code string) errorDetail {
	t.Helper()
	r.requireStatus(t, status)
	var body errorBody
	r.decode(t, &body)
	require.Equal(t, code, body.Error.Code, "body: %s", r.Body)
	return body.Error
}

// requireFields requires a 422 naming exactly these fields.
func (r *testResponse) requireFields(t *testing.T, fields ...string) {
	t.Helper()
	e := r.requireError(t, http.StatusUnprocessableEntity, codeValidationFailed)
	got := make([]string, 0, len(e.Fields))
	for f := range e.Fields {
		got = append(got, f)
	}
	require.ElementsMatch(t, fields, got, "body: %s", r.Body)
}

// decode decodes the body into v, rejecting unknown fields, so a response
// type and its test cannot drift apart.
func (r *testResponse) decode(t *testing.T, v any) {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(r.Body))
	dec.DisallowUnknownFields()
	require.NoError(t, dec.Decode(v), "body: %s", r.Body)
}

// createCampaign creates a campaign as gm, requiring 201.
func (ts *testServer) createCampaign(t *testing.T, gm *testClient, name string) campaignJSON {
	t.Helper()
	res := gm.do(t, http.MethodPost, "/api/campaigns", map[string]string{"name": name})
	res.requireStatus(t, http.StatusCreated)
	var body campaignBody
	res.decode(t, &body)
	return body.Campaign
}

// campaignPath is /api/campaigns/{id} followed by the parts, joined by "/".
func campaignPath(id uuid.UUID, parts ...string) string {
	return "/api/campaigns/" + strings.Join(append([]string{id.String()}, parts...), "/")
}

// invite creates an invite to the campaign as gm with the given body
// (nil: the defaults), requiring 201.
func (ts *testServer) invite(t *testing.T, gm *testClient, campaignID uuid.UUID, body map[string]any) inviteJSON {
	t.Helper()
	if body == nil {
		body = map[string]any{}
	}
	res := gm.do(t, http.MethodPost, campaignPath(campaignID, "invites"), body)
	res.requireStatus(t, http.StatusCreated)
	var ib inviteBody
	res.decode(t, &ib)
	return ib.Invite
}

// accept accepts the invite code as c, requiring 200.
func (c *testClient) accept(t *testing.T, code string) campaignJSON {
	t.Helper()
	res := c.do(t, http.MethodPost, "/api/invites/"+code+"/accept", nil)
	res.requireStatus(t, http.StatusOK)
	var body campaignBody
	res.decode(t, &body)
	return body.Campaign
}

// join signs up a new user named name and makes them a member of the
// campaign with role through an invite from gm.
func (ts *testServer) join(t *testing.T, gm *testClient, campaignID uuid.UUID, role, name string) *testClient {
	t.Helper()
	inv := ts.invite(t, gm, campaignID, map[string]any{"role": role})
	c := ts.newUser(t, name)
	got := c.accept(t, inv.Code)
	require.Equal(t, role, got.MyRole)
	return c
}

// fakeLive is the hub as far as this package sees it: it records what it
// was asked to close.
type fakeLive struct {
	mu       sync.Mutex
	users    []uuid.UUID
	sessions []string
	members  [][2]uuid.UUID
}

var _ LiveCloser = (*fakeLive)(nil)

func (f *fakeLive) CloseUser(id uuid.UUID) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.users = append(f.users, id)
}

func (f *fakeLive) CloseSession(id string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.sessions = append(f.sessions, id)
}

func (f *fakeLive) CloseMember(campaignID, userID uuid.UUID) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.members = append(f.members, [2]uuid.UUID{campaignID, userID})
}

// ReconnectMember is recorded with CloseMember: both end the member's
// connections to the campaign.
func (f *fakeLive) ReconnectMember(campaignID, userID uuid.UUID) { f.CloseMember(campaignID, userID) }

// closedUser reports whether CloseUser(id) was called.
func (f *fakeLive) closedUser(id uuid.UUID) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, u := range f.users {
		if u == id {
			return true
		}
	}
	return false
}

// closedSessions returns how many CloseSession calls there were.
func (f *fakeLive) closedSessions() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.sessions)
}

// closedMember reports whether CloseMember(campaignID, userID) was called.
func (f *fakeLive) closedMember(campaignID, userID uuid.UUID) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, m := range f.members {
		if m == [2]uuid.UUID{campaignID, userID} {
			return true
		}
	}
	return false
}
