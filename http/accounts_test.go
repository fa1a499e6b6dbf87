package http

import (
	"bytes"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestAccounts_Flow walks the whole account life: sign-up, verification
// from the mail, resend, logout and login, and a password reset from the
// mail, against a real SMTP server.
func TestAccounts_Flow(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)

	// Sign-up logs in and mails a verification link.
	alice := ts.signup(t, "  Alice@Example.COM ", testPassword, "  Alice  ")
	require.Equal(t, "alice@example.com", alice.User.Email)
	require.Equal(t, "Alice", alice.User.DisplayName)
	require.False(t, alice.User.EmailVerified)
	require.False(t, alice.User.IsAdmin)
	alice.Email = "alice@example.com"
	res := alice.do(t, http.MethodGet, "/api/auth/me", nil).requireStatus(t, http.StatusOK)
	var me userBody
	res.decode(t, &me)
	require.Equal(t, alice.User, me.User)

	m := ts.Mail.Wait(t, "alice@example.com", "Confirm your email", 1)
	require.Contains(t, m.Body, ts.URL+"/verify-email?token=")
	token := m.Token(t)
	require.GreaterOrEqual(t, len(token), 22, "at least 128 bits")

	// The link works from anywhere, once.
	anon := ts.newClient(t)
	res = anon.do(t, http.MethodPost, "/api/auth/verify-email", map[string]string{"token": token}).requireStatus(t, http.StatusOK)
	res.decode(t, &me)
	require.True(t, me.User.EmailVerified)
	anon.do(t, http.MethodPost, "/api/auth/verify-email", map[string]string{"token": token}).requireFields(t, "token")
	anon.do(t, http.MethodPost, "/api/auth/verify-email", map[string]string{"token": "nonsense"}).requireFields(t, "token")

	// Resend: nothing for a verified address; a new, working link otherwise.
	alice.do(t, http.MethodPost, "/api/auth/resend-verification", nil).requireStatus(t, http.StatusAccepted)
	anon.do(t, http.MethodPost, "/api/auth/resend-verification", nil).requireError(t, http.StatusUnauthorized, codeUnauthorized)
	bob := ts.newUser(t, "Bob")
	ts.Mail.Wait(t, bob.Email, "Confirm your email", 1)
	bob.do(t, http.MethodPost, "/api/auth/resend-verification", nil).requireStatus(t, http.StatusAccepted)
	second := ts.Mail.Wait(t, bob.Email, "Confirm your email", 2).Token(t)
	require.NotEqual(t, token, second)
	bob.verifyEmail(t)
	require.True(t, bob.User.EmailVerified)
	require.Equal(t, 1, ts.Mail.Count("alice@example.com", "Confirm your email"))

	// Logout ends the session on the server, not only in the browser.
	stolen := alice.client.Jar.Cookies(alice.jarURL(t))
	alice.do(t, http.MethodPost, "/api/auth/logout", nil).requireStatus(t, http.StatusNoContent)
	alice.do(t, http.MethodGet, "/api/auth/me", nil).requireError(t, http.StatusUnauthorized, codeUnauthorized)
	replay := ts.newClient(t)
	replay.client.Jar.SetCookies(alice.jarURL(t), stolen)
	replay.do(t, http.MethodGet, "/api/auth/me", nil).requireError(t, http.StatusUnauthorized, codeUnauthorized)
	require.Equal(t, 1, ts.Live.closedSessions(), "logout closes the session's live connections")

	// Login is case-insensitive in the email.
	alice.Email = "ALICE@example.com"
	alice.login(t)
	alice.do(t, http.MethodGet, "/api/auth/me", nil).requireStatus(t, http.StatusOK)

	// Password reset: two sessions, both end.
	laptop := ts.newClient(t)
	laptop.Email, laptop.Password = "alice@example.com", testPassword
	laptop.login(t)
	anon.do(t, http.MethodPost, "/api/auth/password-reset/request", map[string]string{"email": "Alice@example.com"}).requireStatus(t, http.StatusAccepted)
	anon.do(t, http.MethodPost, "/api/auth/password-reset/request", map[string]string{"email": "nobody@example.com"}).requireStatus(t, http.StatusAccepted)
	m = ts.Mail.Wait(t, "alice@example.com", "Reset your gametable password", 1)
	require.Contains(t, m.Body, ts.URL+"/reset-password?token=")
	reset := m.Token(t)

	anon.do(t, http.MethodPost, "/api/auth/password-reset/confirm", map[string]string{"token": reset, "password": "short"}).requireFields(t, "password")
	const newPassword = "a new and longer password"
	res = anon.do(t, http.MethodPost, "/api/auth/password-reset/confirm", map[string]string{"token": reset, "password": newPassword}).requireStatus(t, http.StatusOK)
	res.decode(t, &me)
	require.Equal(t, alice.User.ID, me.User.ID)

	alice.do(t, http.MethodGet, "/api/auth/me", nil).requireError(t, http.StatusUnauthorized, codeUnauthorized)
	laptop.do(t, http.MethodGet, "/api/auth/me", nil).requireError(t, http.StatusUnauthorized, codeUnauthorized)
	require.True(t, ts.Live.closedUser(alice.User.ID), "reset closes the user's live connections")

	res = alice.do(t, http.MethodPost, "/api/auth/login", map[string]string{"email": "alice@example.com", "password": testPassword})
	res.requireError(t, http.StatusUnauthorized, codeUnauthorized)
	alice.Password = newPassword
	alice.login(t)
	anon.do(t, http.MethodPost, "/api/auth/password-reset/confirm", map[string]string{"token": reset, "password": "yet another password"}).requireFields(t, "token")

	// Nobody else got mail; the unknown address got none.
	require.Zero(t, ts.Mail.Count("nobody@example.com", ""))
}

// jarURL is the server's URL, for the cookie jar.
func (c *testClient) jarURL(t *testing.T) *url.URL {
	t.Helper()
	u, err := url.Parse(c.ts.URL + "/api/auth/me")
	require.NoError(t, err)
	return u
}

func TestAccounts_SignupValidation(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	ts.signup(t, "taken@example.com", testPassword, "Taken")
	c := ts.newClient(t)
	tests := []struct {
		name   string
		body   string
		status int
		fields []string
	}{
		{"BadEmail", `{"email":"not-an-email","password":"12345678","displayName":"X"}`, 422, []string{"email"}},
		{"EmailWithName", `{"email":"Bob <bob@example.com>","password":"12345678","displayName":"X"}`, 422, []string{"email"}},
		{"Empty", `{}`, 422, []string{"email", "password", "displayName"}},
		{"ShortPassword", `{"email":"a@example.com","password":"1234567","displayName":"X"}`, 422, []string{"password"}},
		{"LongPassword", `{"email":"a@example.com","password":"` + strings.Repeat("p", 257) + `","displayName":"X"}`, 422, []string{"password"}},
		{"BlankName", `{"email":"a@example.com","password":"12345678","displayName":"   "}`, 422, []string{"displayName"}},
		{"LongName", `{"email":"a@example.com","password":"12345678","displayName":"` + strings.Repeat("n", 81) + `"}`, 422, []string{"displayName"}},
		{"UnknownField", `{"email":"a@example.com","password":"12345678","displayName":"X","admin":true}`, 400, nil},
		{"WrongType", `{"email":"a@example.com","password":12345678,"displayName":"X"}`, 400, nil},
		{"Malformed", `{"email":`, 400, nil},
		{"TakenEmail", `{"email":"TAKEN@example.com","password":"12345678","displayName":"X"}`, 409, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			res := c.do(t, http.MethodPost, "/api/auth/signup", tt.body)
			switch tt.status {
			case 422:
				res.requireFields(t, tt.fields...)
			case 400:
				res.requireError(t, 400, codeBadRequest)
			case 409:
				res.requireError(t, 409, codeConflict)
			}
		})
	}
	t.Run("NotJSON", func(t *testing.T) {
		t.Parallel()
		c.do(t, http.MethodPost, "/api/auth/signup", `{"email":"a@example.com","password":"12345678","displayName":"X"}`,
			"Content-Type", "text/plain").requireError(t, 400, codeBadRequest)
	})
	t.Run("LongestPasswordAndName", func(t *testing.T) {
		t.Parallel()
		ts.signup(t, uniqueEmail("long"), strings.Repeat("ü", 256), strings.Repeat("n", 80))
	})
	t.Run("TooLarge", func(t *testing.T) {
		t.Parallel()
		body := `{"email":"a@example.com","password":"` + strings.Repeat("p", 1<<20) + `","displayName":"X"}`
		c.do(t, http.MethodPost, "/api/auth/signup", body).requireError(t, http.StatusRequestEntityTooLarge, codePayloadTooLarge)
	})
}

// TestAccounts_Identical401 checks that an unknown email and a wrong
// password get the same bytes, and take about as long (both hash).
func TestAccounts_Identical401(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	u := ts.newUser(t, "Known")
	c := ts.newClient(t)
	login := func(email string) (*testResponse, time.Duration) {
		start := time.Now()
		res := c.do(t, http.MethodPost, "/api/auth/login", map[string]string{"email": email, "password": "wrong password"})
		return res, time.Since(start)
	}
	// Warm up the dummy hash, made on first use.
	login("warm-up@example.com")
	var wrong, unknown []time.Duration
	var wrongBody, unknownBody []byte
	// Medians of several attempts: the argon2 slots are shared with the
	// parallel tests, so any one attempt may wait.
	for range 5 {
		res, d := login(u.Email)
		res.requireError(t, http.StatusUnauthorized, codeUnauthorized)
		wrong, wrongBody = append(wrong, d), res.Body
		res, d = login(uniqueEmail("unknown"))
		res.requireStatus(t, http.StatusUnauthorized)
		unknown, unknownBody = append(unknown, d), res.Body
		require.Equal(t, wrongBody, unknownBody)
		require.Empty(t, res.Header.Values("Set-Cookie"))
	}
	// Without the dummy hash an unknown email would answer in a fraction
	// of a millisecond, some fifty times faster than an argon2id check; a
	// factor of ten leaves room for a loaded machine.
	require.GreaterOrEqual(t, medianDuration(unknown), medianDuration(wrong)/10, "unknown %v, wrong %v", unknown, wrong)
}

func medianDuration(ds []time.Duration) time.Duration {
	s := slices.Sorted(slices.Values(ds))
	return s[len(s)/2]
}

func TestAccounts_LoginThrottle(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	victim := ts.newUser(t, "Victim")
	other := ts.newUser(t, "Other")
	c := ts.newClient(t)
	for i := range loginEmailLimit {
		res := c.do(t, http.MethodPost, "/api/auth/login", map[string]string{"email": victim.Email, "password": "guess " + strconv.Itoa(i)})
		res.requireError(t, http.StatusUnauthorized, codeUnauthorized)
	}
	// The 11th attempt is refused, even with the right password, and in
	// any spelling of the address.
	res := c.do(t, http.MethodPost, "/api/auth/login", map[string]string{"email": strings.ToUpper(victim.Email), "password": testPassword})
	res.requireError(t, http.StatusTooManyRequests, codeRateLimited)
	retry, err := strconv.Atoi(res.Header.Get("Retry-After"))
	require.NoError(t, err)
	require.GreaterOrEqual(t, retry, 60)
	require.LessOrEqual(t, retry, int(loginWindow/time.Second))

	// Another account from the same address is not affected.
	other.login(t)
}

func TestAccounts_LoginThrottleByAddress(t *testing.T) {
	t.Parallel()
	require.Equal(t, 100, loginAddressLimit)
	ts := newTestServer(t)
	// The contract's limit is 100; three keep the test cheap (each failure
	// is an argon2id hash). The mechanism is the same.
	ts.loginByAddress = newLimiter(3, loginWindow, loginMinLock)
	u := ts.newUser(t, "Target")
	c := ts.newClient(t)
	for range 3 {
		c.do(t, http.MethodPost, "/api/auth/login", map[string]string{"email": uniqueEmail("spray"), "password": "password1"}).
			requireError(t, http.StatusUnauthorized, codeUnauthorized)
	}
	res := c.do(t, http.MethodPost, "/api/auth/login", map[string]string{"email": u.Email, "password": testPassword})
	res.requireError(t, http.StatusTooManyRequests, codeRateLimited)
	require.NotEmpty(t, res.Header.Get("Retry-After"))
}

func TestAccounts_SignupLimit(t *testing.T) {
	t.Parallel()
	signup := func(c *testClient, email string, header ...string) *testResponse {
		return c.do(t, http.MethodPost, "/api/auth/signup",
			map[string]string{"email": email, "password": testPassword, "displayName": "New"}, header...)
	}
	// direct signs up from remote (the test server listens on loopback,
	// which is not limited), through the server's handler.
	direct := func(ts *testServer, remote, email string, header ...string) *httptest.ResponseRecorder {
		body := `{"email":"` + email + `","password":"` + testPassword + `","displayName":"New"}`
		req := httptest.NewRequest(http.MethodPost, "/api/auth/signup", strings.NewReader(body))
		req.RemoteAddr = remote
		req.Header.Set("Content-Type", "application/json")
		for i := 0; i+1 < len(header); i += 2 {
			req.Header.Set(header[i], header[i+1])
		}
		rec := httptest.NewRecorder()
		ts.ServeHTTP(rec, req)
		return rec
	}

	t.Run("PerAddress", func(t *testing.T) {
		t.Parallel()
		ts := newTestServer(t, func(o *Options) { o.SignupPerHour = 3 })
		const client = "192.0.2.7:40000"
		taken := uniqueEmail("taken")
		require.Equal(t, http.StatusCreated, direct(ts, client, taken).Code)
		require.Equal(t, http.StatusCreated, direct(ts, client, uniqueEmail("two")).Code)
		// A taken email counts too: probing which emails exist is bounded.
		require.Equal(t, http.StatusConflict, direct(ts, client, taken).Code)
		rec := direct(ts, client, uniqueEmail("four"))
		require.Equal(t, http.StatusTooManyRequests, rec.Code)
		require.Contains(t, rec.Body.String(), codeRateLimited)
		retry, err := strconv.Atoi(rec.Header().Get("Retry-After"))
		require.NoError(t, err)
		require.Greater(t, retry, 3000, "the first sign-up leaves the window after an hour")
		// X-Forwarded-For from an untrusted peer changes nothing.
		require.Equal(t, http.StatusTooManyRequests, direct(ts, client, uniqueEmail("spoof"), "X-Forwarded-For", "198.51.100.1").Code)
		// Another address, and the machine itself, are not affected.
		require.Equal(t, http.StatusCreated, direct(ts, "192.0.2.8:40000", uniqueEmail("other")).Code)
		c := ts.newClient(t)
		for range 4 {
			signup(c, uniqueEmail("local")).requireStatus(t, http.StatusCreated)
		}
	})

	t.Run("BehindATrustedProxy", func(t *testing.T) {
		t.Parallel()
		ts := newTestServer(t, func(o *Options) {
			o.SignupPerHour = 2
			o.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("::1/128")}
		})
		c := ts.newClient(t)
		for range 2 {
			signup(c, uniqueEmail("a"), "X-Forwarded-For", "198.51.100.1").requireStatus(t, http.StatusCreated)
		}
		signup(c, uniqueEmail("a"), "X-Forwarded-For", "198.51.100.1").requireError(t, http.StatusTooManyRequests, codeRateLimited)
		// Another client behind the same proxy is not affected, whatever
		// the first one claims further left.
		signup(c, uniqueEmail("b"), "X-Forwarded-For", "198.51.100.2").requireStatus(t, http.StatusCreated)
		signup(c, uniqueEmail("a"), "X-Forwarded-For", "203.0.113.5, 198.51.100.1").requireError(t, http.StatusTooManyRequests, codeRateLimited)
	})

	t.Run("UntrustedProxyWarning", func(t *testing.T) {
		t.Parallel()
		var logs syncBuffer
		ts := newTestServer(t, func(o *Options) { o.Logger = slog.New(slog.NewTextHandler(&logs, nil)) })
		c := ts.newClient(t)
		for range 2 {
			signup(c, uniqueEmail("fwd"), "X-Forwarded-For", "198.51.100.1").requireStatus(t, http.StatusCreated)
		}
		require.Equal(t, 1, strings.Count(logs.String(), "GAMETABLE_TRUSTED_PROXIES is not set"), "warned once")
	})

	t.Run("Disabled", func(t *testing.T) {
		t.Parallel()
		ts := newTestServer(t, func(o *Options) { o.SignupPerHour = -1 })
		for range DefaultSignupPerHour + 1 {
			require.Equal(t, http.StatusCreated, direct(ts, "192.0.2.9:40000", uniqueEmail("many")).Code)
		}
	})
}

// syncBuffer is a bytes.Buffer safe for a logger and a test to share.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func TestAccounts_CookieFlags(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		baseURL string
		secure  bool
	}{
		{"HTTP", "", false},
		{"HTTPS", "https://table.example", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ts := newTestServer(t, func(o *Options) {
				if tt.baseURL != "" {
					o.BaseURL = tt.baseURL
				}
			})
			c := ts.newClient(t)
			res := c.do(t, http.MethodPost, "/api/auth/signup", map[string]string{
				"email": uniqueEmail("cookie"), "password": testPassword, "displayName": "Cookie",
			}).requireStatus(t, http.StatusCreated)
			cookies := (&http.Response{Header: res.Header}).Cookies()
			require.Len(t, cookies, 1)
			ck := cookies[0]
			require.Equal(t, "gametable_session", ck.Name)
			require.True(t, ck.HttpOnly)
			require.Equal(t, http.SameSiteLaxMode, ck.SameSite)
			require.Equal(t, tt.secure, ck.Secure)
			require.Equal(t, "/", ck.Path)
			require.InDelta(t, (7 * 24 * time.Hour).Seconds(), ck.MaxAge, 5, "idle timeout, 7 days by default")
			require.GreaterOrEqual(t, len(ck.Value), 43, "256-bit token")

			// The store holds a hash of the token, never the token.
			var n int
			require.NoError(t, ts.Pool.QueryRow(t.Context(), "SELECT count(*) FROM sessions WHERE token = $1", ck.Value).Scan(&n))
			require.Zero(t, n)
			require.NoError(t, ts.Pool.QueryRow(t.Context(), "SELECT count(*) FROM sessions WHERE token = $1", sessionID(ck.Value)).Scan(&n))
			require.Equal(t, 1, n)
		})
	}
}

func TestAccounts_LoginRenewsToken(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	u := ts.newUser(t, "Renew")
	before := u.client.Jar.Cookies(u.jarURL(t))[0].Value
	u.login(t)
	after := u.client.Jar.Cookies(u.jarURL(t))[0].Value
	require.NotEqual(t, before, after)
	old := ts.newClient(t)
	old.client.Jar.SetCookies(u.jarURL(t), []*http.Cookie{{Name: sessionCookieName, Value: before}})
	old.do(t, http.MethodGet, "/api/auth/me", nil).requireError(t, http.StatusUnauthorized, codeUnauthorized)
	u.do(t, http.MethodGet, "/api/auth/me", nil).requireStatus(t, http.StatusOK)
}

func TestAccounts_CrossSite(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	c := ts.newClient(t)
	tests := []struct {
		name   string
		method string
		header []string
		status int
	}{
		{"SecFetchCrossSite", http.MethodPost, []string{"Sec-Fetch-Site", "cross-site"}, http.StatusForbidden},
		{"SecFetchSameSite", http.MethodPost, []string{"Sec-Fetch-Site", "same-site"}, http.StatusForbidden},
		{"ForeignOrigin", http.MethodPost, []string{"Origin", "https://evil.example"}, http.StatusForbidden},
		{"ForeignOriginDelete", http.MethodDelete, []string{"Origin", "https://evil.example"}, http.StatusForbidden},
		{"SameOrigin", http.MethodPost, []string{"Sec-Fetch-Site", "same-origin", "Origin", ts.URL}, http.StatusNoContent},
		{"OwnOrigin", http.MethodPost, []string{"Origin", ts.URL}, http.StatusNoContent},
		{"NonBrowser", http.MethodPost, nil, http.StatusNoContent},
		{"SafeMethod", http.MethodGet, []string{"Sec-Fetch-Site", "cross-site"}, http.StatusUnauthorized},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			// Logout changes state and costs no password hash.
			path := "/api/auth/logout"
			if tt.method == http.MethodGet {
				path = "/api/auth/me"
			}
			res := c.do(t, tt.method, path, nil, tt.header...)
			if tt.status == http.StatusForbidden {
				res.requireError(t, http.StatusForbidden, codeForbidden)
				return
			}
			res.requireStatus(t, tt.status)
		})
	}
}

func TestAccounts_UpdateMe(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	u := ts.newUser(t, "Changer")
	phone := ts.newClient(t)
	phone.Email, phone.Password = u.Email, u.Password
	phone.login(t)
	anon := ts.newClient(t)
	anon.do(t, http.MethodPatch, "/api/auth/me", map[string]string{"displayName": "X"}).requireError(t, http.StatusUnauthorized, codeUnauthorized)

	var me userBody
	u.do(t, http.MethodPatch, "/api/auth/me", map[string]string{"displayName": "  Renamed "}).requireStatus(t, http.StatusOK).decode(t, &me)
	require.Equal(t, "Renamed", me.User.DisplayName)
	u.do(t, http.MethodPatch, "/api/auth/me", map[string]string{"displayName": ""}).requireFields(t, "displayName")
	u.do(t, http.MethodPatch, "/api/auth/me", map[string]string{"password": "new password 1"}).requireFields(t, "currentPassword")
	u.do(t, http.MethodPatch, "/api/auth/me", map[string]string{"password": "new password 1", "currentPassword": "wrong"}).requireFields(t, "currentPassword")
	u.do(t, http.MethodPatch, "/api/auth/me", map[string]string{"password": "short", "currentPassword": testPassword}).requireFields(t, "password")

	closed := ts.Live.closedSessions()
	u.do(t, http.MethodPatch, "/api/auth/me", map[string]string{"password": "new password 1", "currentPassword": testPassword}).requireStatus(t, http.StatusOK)
	// This session lives on with a new token; the phone's ended.
	u.do(t, http.MethodGet, "/api/auth/me", nil).requireStatus(t, http.StatusOK)
	phone.do(t, http.MethodGet, "/api/auth/me", nil).requireError(t, http.StatusUnauthorized, codeUnauthorized)
	require.GreaterOrEqual(t, ts.Live.closedSessions(), closed+1)
	phone.Password = "new password 1"
	phone.login(t)
}

func TestAccounts_SessionTimeouts(t *testing.T) {
	t.Parallel()
	t.Run("Idle", func(t *testing.T) {
		t.Parallel()
		ts := newTestServer(t, func(o *Options) { o.SessionIdle = time.Second })
		u := ts.newUser(t, "Idle")
		time.Sleep(1200 * time.Millisecond)
		u.do(t, http.MethodGet, "/api/auth/me", nil).requireError(t, http.StatusUnauthorized, codeUnauthorized)
	})
	t.Run("Lifetime", func(t *testing.T) {
		t.Parallel()
		// The idle timeout is far longer than the gap between the last
		// poke and the final check, so only the lifetime can end it.
		const idle, lifetime = 6 * time.Second, 8 * time.Second
		ts := newTestServer(t, func(o *Options) { o.SessionIdle, o.SessionLifetime = idle, lifetime })
		// The session starts during signup: its lifetime ends between
		// start+lifetime and signedUp+lifetime.
		start := time.Now()
		u := ts.newUser(t, "Busy")
		signedUp := time.Now()
		// Being busy keeps the idle timeout away… (the last poke leaves
		// the lifetime a second to spare)
		var lastPoke time.Time
		for {
			time.Sleep(300 * time.Millisecond)
			if time.Since(start) >= lifetime-time.Second {
				break
			}
			u.do(t, http.MethodGet, "/api/auth/me", nil).requireStatus(t, http.StatusOK)
			lastPoke = time.Now()
		}
		// …but not the absolute lifetime.
		time.Sleep(time.Until(signedUp.Add(lifetime + 500*time.Millisecond)))
		require.Less(t, time.Since(lastPoke), idle, "the idle timeout has not passed: a 401 now is the lifetime's")
		u.do(t, http.MethodGet, "/api/auth/me", nil).requireError(t, http.StatusUnauthorized, codeUnauthorized)
	})
}

func TestAccounts_ResetMailThrottled(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	u := ts.newUser(t, "Flooded")
	anon := ts.newClient(t)
	for range mailLimit + 2 {
		anon.do(t, http.MethodPost, "/api/auth/password-reset/request", map[string]string{"email": u.Email}).requireStatus(t, http.StatusAccepted)
	}
	ts.Mail.Wait(t, u.Email, "Reset", mailLimit)
	time.Sleep(100 * time.Millisecond)
	require.Equal(t, mailLimit, ts.Mail.Count(u.Email, "Reset"))
}
