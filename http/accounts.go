package http

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"gametable/db"
	"gametable/mail"
)

// Token lifetimes and throttling limits of CONTRACT.md section 2.
const (
	verificationTTL = 24 * time.Hour
	resetTTL        = time.Hour

	loginWindow       = 15 * time.Minute
	loginMinLock      = time.Minute
	loginEmailLimit   = 10  // failures per email within loginWindow
	loginAddressLimit = 100 // failures per client address within loginWindow

	// At most mailLimit verification or reset mails per account per
	// mailWindow, so the endpoints cannot be used to flood an inbox.
	mailLimit  = 5
	mailWindow = time.Hour
)

// DefaultSignupPerHour is how many accounts one client address may create
// in an hour when Options.SignupPerHour is 0: enough for a table of
// friends behind one router, not for a script.
const DefaultSignupPerHour = 10

// newSignupLimiter counts sign-ups per client address in a one-hour
// window; nil when perHour is negative (no limit).
func newSignupLimiter(perHour int) *limiter {
	switch {
	case perHour < 0:
		return nil
	case perHour == 0:
		perHour = DefaultSignupPerHour
	}
	return newLimiter(perHour, time.Hour, time.Minute)
}

// accountRoutes mounts /api/auth.
func (s *Server) accountRoutes(r chi.Router) {
	r.Route("/auth", func(r chi.Router) {
		r.Post("/signup", s.handleSignup)
		r.Post("/login", s.handleLogin)
		r.Post("/logout", s.handleLogout)
		r.Post("/verify-email", s.handleVerifyEmail)
		r.Post("/password-reset/request", s.handlePasswordResetRequest)
		r.Post("/password-reset/confirm", s.handlePasswordResetConfirm)
		r.Group(func(r chi.Router) {
			r.Use(s.requireUser)
			r.Get("/me", s.handleMe)
			r.Patch("/me", s.handleUpdateMe)
			r.Post("/resend-verification", s.handleResendVerification)
		})
	})
}

// userJSON is CONTRACT.md's `user`.
type userJSON struct {
	ID            uuid.UUID `json:"id"`
	Email         string    `json:"email"`
	DisplayName   string    `json:"displayName"`
	EmailVerified bool      `json:"emailVerified"`
	IsAdmin       bool      `json:"isAdmin"`
	CreatedAt     time.Time `json:"createdAt"`
}

func newUserJSON(u db.User) userJSON {
	return userJSON{
		ID:            u.ID,
		Email:         u.Email,
		DisplayName:   u.DisplayName,
		EmailVerified: u.EmailVerifiedAt != nil,
		IsAdmin:       u.IsAdmin,
		CreatedAt:     u.CreatedAt.UTC(),
	}
}

type userBody struct {
	User userJSON `json:"user"`
}

func (userBody) responseBody() {}

// errBadCredentials is the one answer to a wrong password and to an unknown
// email, byte for byte.
func errBadCredentials() error {
	return &apiError{http.StatusUnauthorized, codeUnauthorized, "wrong email or password", 0}
}

// errBadToken is the contract's answer to an unknown, used or expired token.
func errBadToken() error {
	return &validationError{Fields: map[string]string{"token": "is unknown, used or expired"}}
}

// tokenErr turns a token lookup's "no rows" into errBadToken and wraps
// anything else with what was being done.
func tokenErr(err error, doing string) error {
	if err = db.Interpret(err); errors.Is(err, db.ErrNotFound) {
		return errBadToken()
	}
	return fmt.Errorf("%s: %w", doing, err)
}

// dummyHash is hashed against when the email is unknown, so that an
// unknown email takes as long to refuse as a wrong password.
var dummyHash = sync.OnceValues(func() (string, error) {
	pw := make([]byte, 32)
	_, _ = rand.Read(pw)
	return HashPassword(context.Background(), hex.EncodeToString(pw))
})

type signupRequest struct {
	Email       string `json:"email"`
	Password    string `json:"password"`
	DisplayName string `json:"displayName"`
}

func (req *signupRequest) validate() error {
	var v validator
	req.Email = normalizeEmail(req.Email)
	checkEmail(&v, "email", req.Email)
	checkPassword(&v, "password", req.Password)
	checkName(&v, "displayName", &req.DisplayName, maxNameLen)
	return v.err()
}

// client identifies r's client for throttling: its key (clientKey, with
// the configured trusted proxies) and whether it is on loopback. The first
// request that carries X-Forwarded-For while no proxy is trusted logs a
// warning: behind a proxy, every client then has the proxy's address.
func (s *Server) client(r *http.Request) (key string, loopback bool) {
	if len(s.opts.TrustedProxies) == 0 && r.Header.Get("X-Forwarded-For") != "" {
		s.proxyWarning.Do(func() {
			s.logger.Warn("requests carry X-Forwarded-For but GAMETABLE_TRUSTED_PROXIES is not set: throttling counts every client behind the proxy as one address",
				"peer", r.RemoteAddr)
		})
	}
	addr, ok := clientAddr(r, s.opts.TrustedProxies)
	return addrKey(addr, ok, r.RemoteAddr), ok && addr.IsLoopback()
}

func (s *Server) handleSignup(w http.ResponseWriter, r *http.Request) {
	var req signupRequest
	if err := decodeJSON(w, r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	// Every well-formed attempt counts, a taken email too: the limit
	// bounds both account farming and probing which emails exist. The
	// machine itself is not limited: a client on loopback is the
	// administrator's own, or a proxy nobody declared trusted, whose
	// clients would otherwise share one budget.
	if addrKey, loopback := s.client(r); s.signupLimit != nil && !loopback {
		wait, ok := s.signupLimit.begin(addrKey)
		if !ok {
			s.logWarn(r, "sign-up throttled", "client", addrKey)
			s.writeError(w, r, errRateLimited(wait))
			return
		}
		defer s.signupLimit.end(addrKey, true, false)
	}
	ctx := r.Context()
	hash, err := HashPassword(ctx, req.Password)
	if err != nil {
		s.writeError(w, r, fmt.Errorf("hash password: %w", err))
		return
	}
	var (
		u   db.User
		msg mail.Message
	)
	err = db.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		q := s.queries.WithTx(tx)
		var err error
		u, err = q.UserCreate(ctx, db.UserCreateParams{Email: req.Email, DisplayName: req.DisplayName, PasswordHash: hash})
		if err != nil {
			if err = db.Interpret(err); errors.Is(err, db.ErrConflict) {
				return errConflict("an account with this email exists already")
			}
			return fmt.Errorf("create user: %w", err)
		}
		msg, err = s.newVerificationMail(ctx, q, u)
		return err
	})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.mailer.Enqueue(msg)
	if err := s.startSession(ctx, u.ID); err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, userBody{newUserJSON(u)})
}

type loginRequest struct {
	Email    string `json:"email"`
	Password string `json:"password"`
}

func (req *loginRequest) validate() error {
	var v validator
	req.Email = normalizeEmail(req.Email)
	v.check(req.Email != "", "email", "is required")
	// No address that long can exist; refusing it also bounds the
	// throttle's memory.
	v.check(len(req.Email) <= maxEmailLen, "email", "must be at most 254 characters")
	v.check(req.Password != "", "password", "is required")
	return v.err()
}

func (s *Server) handleLogin(w http.ResponseWriter, r *http.Request) {
	var req loginRequest
	if err := decodeJSON(w, r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	ctx := r.Context()
	addrKey, _ := s.client(r)
	emailKey := "email:" + req.Email
	wait, ok := s.loginByEmail.begin(emailKey)
	if !ok {
		s.logWarn(r, "login throttled", "by", "email")
		s.writeError(w, r, errRateLimited(wait))
		return
	}
	if wait, ok = s.loginByAddress.begin(addrKey); !ok {
		s.loginByEmail.end(emailKey, false, false)
		s.logWarn(r, "login throttled", "by", "address", "client", addrKey)
		s.writeError(w, r, errRateLimited(wait))
		return
	}
	u, good, err := s.checkLogin(ctx, req.Email, req.Password)
	if err != nil {
		// Not the client's fault: neither counts as a failure.
		s.loginByEmail.end(emailKey, false, false)
		s.loginByAddress.end(addrKey, false, false)
		s.writeError(w, r, err)
		return
	}
	s.loginByEmail.end(emailKey, !good, good)
	s.loginByAddress.end(addrKey, !good, false)
	if !good {
		s.writeError(w, r, errBadCredentials())
		return
	}
	if err := s.startSession(ctx, u.ID); err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, userBody{newUserJSON(u)})
}

// checkLogin reports whether password is the password of the account with
// this email. An unknown email costs the same hash as a known one.
func (s *Server) checkLogin(ctx context.Context, email, password string) (db.User, bool, error) {
	u, err := s.queries.UserGetByEmail(ctx, email)
	hash := u.PasswordHash
	switch err = db.Interpret(err); {
	case errors.Is(err, db.ErrNotFound):
		if hash, err = dummyHash(); err != nil {
			return db.User{}, false, fmt.Errorf("dummy hash: %w", err)
		}
	case err != nil:
		return db.User{}, false, fmt.Errorf("load user: %w", err)
	}
	good, err := CheckPassword(ctx, hash, password)
	if err != nil {
		return db.User{}, false, fmt.Errorf("check password: %w", err)
	}
	return u, good && u.ID != uuid.Nil, nil
}

func (s *Server) handleLogout(w http.ResponseWriter, r *http.Request) {
	if err := s.endSession(r.Context()); err != nil {
		s.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) handleMe(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, userBody{newUserJSON(userFrom(r.Context()))})
}

type updateMeRequest struct {
	DisplayName     *string `json:"displayName"`
	Password        *string `json:"password"`
	CurrentPassword *string `json:"currentPassword"`
}

func (req *updateMeRequest) validate() error {
	var v validator
	if req.DisplayName != nil {
		checkName(&v, "displayName", req.DisplayName, maxNameLen)
	}
	if req.Password != nil {
		checkPassword(&v, "password", *req.Password)
		v.check(req.CurrentPassword != nil && *req.CurrentPassword != "", "currentPassword", "is required to change the password")
	}
	return v.err()
}

// handleUpdateMe changes the display name and the password. A password
// change needs the current password (throttled like a login, since a
// stolen session could otherwise guess it), ends every other session of
// the user and gives this one a new token.
func (s *Server) handleUpdateMe(w http.ResponseWriter, r *http.Request) {
	var req updateMeRequest
	if err := decodeJSON(w, r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	ctx := r.Context()
	me := userFrom(ctx)
	var hash *string
	if req.Password != nil {
		key := "email:" + normalizeEmail(me.Email)
		wait, ok := s.loginByEmail.begin(key)
		if !ok {
			s.writeError(w, r, errRateLimited(wait))
			return
		}
		good, err := CheckPassword(ctx, me.PasswordHash, *req.CurrentPassword)
		s.loginByEmail.end(key, err == nil && !good, false)
		if err != nil {
			s.writeError(w, r, fmt.Errorf("check password: %w", err))
			return
		}
		if !good {
			s.writeError(w, r, &validationError{Fields: map[string]string{"currentPassword": "is not your current password"}})
			return
		}
		h, err := HashPassword(ctx, *req.Password)
		if err != nil {
			s.writeError(w, r, fmt.Errorf("hash password: %w", err))
			return
		}
		hash = &h
	}
	var (
		u     db.User
		ended []string
	)
	err := db.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		q := s.queries.WithTx(tx)
		var err error
		u, err = q.UserUpdate(ctx, db.UserUpdateParams{ID: me.ID, DisplayName: req.DisplayName, PasswordHash: hash})
		if err != nil {
			return fmt.Errorf("update user: %w", db.Interpret(err))
		}
		if hash != nil {
			ended, err = q.UserSessionEndAllForUser(ctx, db.UserSessionEndAllForUserParams{UserID: me.ID, ExceptTokenHash: sessionIDFrom(ctx)})
			if err != nil {
				return fmt.Errorf("end other sessions: %w", err)
			}
		}
		return nil
	})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if hash != nil {
		for _, id := range ended {
			s.live.CloseSession(id)
		}
		if err := s.startSession(ctx, u.ID); err != nil {
			s.writeError(w, r, err)
			return
		}
	}
	writeJSON(w, http.StatusOK, userBody{newUserJSON(u)})
}

type tokenRequest struct {
	Token string `json:"token"`
}

func (req *tokenRequest) validate() error {
	if !plausibleToken(req.Token) {
		return errBadToken()
	}
	return nil
}

func (s *Server) handleVerifyEmail(w http.ResponseWriter, r *http.Request) {
	var req tokenRequest
	if err := decodeJSON(w, r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	ctx := r.Context()
	var u db.User
	err := db.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		q := s.queries.WithTx(tx)
		userID, err := q.EmailVerificationTokenConsume(ctx, hashSecret(req.Token))
		if err != nil {
			return tokenErr(err, "consume verification token")
		}
		u, err = q.UserMarkEmailVerified(ctx, userID)
		if err != nil {
			return fmt.Errorf("mark email verified: %w", db.Interpret(err))
		}
		return nil
	})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, userBody{newUserJSON(u)})
}

func (s *Server) handleResendVerification(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	me := userFrom(ctx)
	if me.EmailVerifiedAt == nil {
		key := "verify:" + me.ID.String()
		wait, ok := s.mailLimit.begin(key)
		if !ok {
			s.writeError(w, r, errRateLimited(wait))
			return
		}
		s.mailLimit.end(key, true, false)
		msg, err := s.newVerificationMail(ctx, s.queries, me)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		s.mailer.Enqueue(msg)
	}
	w.WriteHeader(http.StatusAccepted)
}

type resetRequest struct {
	Email string `json:"email"`
}

func (req *resetRequest) validate() error {
	var v validator
	req.Email = normalizeEmail(req.Email)
	checkEmail(&v, "email", req.Email)
	return v.err()
}

// handlePasswordResetRequest always answers 202, whether or not the email
// is known, so it cannot be used to find out who has an account.
func (s *Server) handlePasswordResetRequest(w http.ResponseWriter, r *http.Request) {
	var req resetRequest
	if err := decodeJSON(w, r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	ctx := r.Context()
	u, err := s.queries.UserGetByEmail(ctx, req.Email)
	switch err = db.Interpret(err); {
	case errors.Is(err, db.ErrNotFound):
	case err != nil:
		s.writeError(w, r, fmt.Errorf("load user: %w", err))
		return
	default:
		key := "reset:" + u.ID.String()
		if _, ok := s.mailLimit.begin(key); !ok {
			s.logWarn(r, "password reset mail throttled", "user_id", u.ID)
			break
		}
		s.mailLimit.end(key, true, false)
		token, hash := newSecret(tokenBytes)
		err := s.queries.PasswordResetTokenCreate(ctx, db.PasswordResetTokenCreateParams{
			TokenHash: hash, UserID: u.ID, ExpiresAt: time.Now().Add(resetTTL),
		})
		if err != nil {
			s.writeError(w, r, fmt.Errorf("store reset token: %w", err))
			return
		}
		s.mailer.Enqueue(mail.Message{
			To:      u.Email,
			Subject: "Reset your gametable password",
			Body: fmt.Sprintf("Hello %s,\n\nsomeone (hopefully you) asked to reset the password of your gametable account.\n"+
				"To choose a new password, open this link within an hour:\n\n%s\n\n"+
				"If you did not ask for this, ignore this mail: your password stays as it is.\n",
				u.DisplayName, s.link("/reset-password", token)),
		})
	}
	w.WriteHeader(http.StatusAccepted)
}

type resetConfirmRequest struct {
	Token    string `json:"token"`
	Password string `json:"password"`
}

func (req *resetConfirmRequest) validate() error {
	var v validator
	if !plausibleToken(req.Token) {
		v.add("token", "is unknown, used or expired")
	}
	checkPassword(&v, "password", req.Password)
	return v.err()
}

// handlePasswordResetConfirm sets a new password with a reset token and
// ends every session of the user, the caller's included. The mail proved
// that the user reads the address, so it counts as verified too.
func (s *Server) handlePasswordResetConfirm(w http.ResponseWriter, r *http.Request) {
	var req resetConfirmRequest
	if err := decodeJSON(w, r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	ctx := r.Context()
	hash, err := HashPassword(ctx, req.Password)
	if err != nil {
		s.writeError(w, r, fmt.Errorf("hash password: %w", err))
		return
	}
	var u db.User
	err = db.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		q := s.queries.WithTx(tx)
		userID, err := q.PasswordResetTokenConsume(ctx, hashSecret(req.Token))
		if err != nil {
			return tokenErr(err, "consume reset token")
		}
		if _, err := q.PasswordResetTokenDeleteForUser(ctx, userID); err != nil {
			return fmt.Errorf("void other reset tokens: %w", err)
		}
		if _, err := q.UserUpdate(ctx, db.UserUpdateParams{ID: userID, PasswordHash: &hash}); err != nil {
			return fmt.Errorf("set password: %w", db.Interpret(err))
		}
		if u, err = q.UserMarkEmailVerified(ctx, userID); err != nil {
			return fmt.Errorf("mark email verified: %w", db.Interpret(err))
		}
		if _, err := q.UserSessionEndAllForUser(ctx, db.UserSessionEndAllForUserParams{UserID: userID}); err != nil {
			return fmt.Errorf("end sessions: %w", err)
		}
		return nil
	})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.live.CloseUser(u.ID)
	if me, ok := optionalUserFrom(ctx); ok && me.ID == u.ID {
		// The caller's own session ended with the others; clear its cookie.
		if err := s.sessions.Destroy(ctx); err != nil {
			s.writeError(w, r, fmt.Errorf("destroy session: %w", err))
			return
		}
	}
	s.loginByEmail.forgive("email:" + normalizeEmail(u.Email))
	writeJSON(w, http.StatusOK, userBody{newUserJSON(u)})
}

// newVerificationMail stores a new verification token for u and returns
// the mail carrying it; the caller queues it once the token is committed.
func (s *Server) newVerificationMail(ctx context.Context, q *db.Queries, u db.User) (mail.Message, error) {
	token, hash := newSecret(tokenBytes)
	err := q.EmailVerificationTokenCreate(ctx, db.EmailVerificationTokenCreateParams{
		TokenHash: hash, UserID: u.ID, ExpiresAt: time.Now().Add(verificationTTL),
	})
	if err != nil {
		return mail.Message{}, fmt.Errorf("store verification token: %w", err)
	}
	return mail.Message{
		To:      u.Email,
		Subject: "Confirm your email address for gametable",
		Body: fmt.Sprintf("Hello %s,\n\nplease confirm your email address by opening this link within 24 hours:\n\n%s\n\n"+
			"If you did not create a gametable account, ignore this mail.\n",
			u.DisplayName, s.link("/verify-email", token)),
	}, nil
}

// link is an absolute link into the web client carrying a token.
func (s *Server) link(path, token string) string {
	return s.baseURL.JoinPath(path).String() + "?token=" + token
}
