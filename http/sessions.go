package http

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/alexedwards/scs/pgxstore"
	"github.com/alexedwards/scs/v2"
	"github.com/google/uuid"

	"gametable/db"
)

// Login sessions.
//
// scs (LoadAndSave) owns the cookie, the token, the idle timeout and the
// absolute lifetime; the sessions table holds the SHA-256 of each token
// (HashTokenInStore), never the token. user_sessions indexes those hashes
// by user, so ending every session of a user (password reset) is one
// query. A request is authenticated by that index, not by scs's data: the
// user whose index row has the cookie's hash, with an unexpired scs row
// (UserGetBySession). That read never writes, so the live WebSocket route,
// which must stay out of LoadAndSave, authenticates with the same check
// (userFromRequest).
//
// The session ID handed to the hub (LiveCloser.CloseSession) is the stored
// hash: it names a session without being able to act as one.

const (
	sessionCookieName = "gametable_session"
	// sessionUserKey holds the user's ID in scs's session data, for
	// diagnosis; authentication goes through user_sessions.
	sessionUserKey = "user_id"

	defaultSessionIdle     = 7 * 24 * time.Hour
	defaultSessionLifetime = 30 * 24 * time.Hour
)

// newSessionManager configures scs for production: our cookie name,
// HttpOnly, SameSite=Lax, Secure when the public URL is https, an idle
// timeout and an absolute lifetime, tokens hashed in the store.
func (s *Server) newSessionManager(idle, lifetime time.Duration) *scs.SessionManager {
	if idle <= 0 {
		idle = defaultSessionIdle
	}
	if lifetime <= 0 {
		lifetime = defaultSessionLifetime
	}
	sm := scs.New()
	// Expired rows are trimmed by the janitor (SessionDeleteExpired), which
	// Close stops; pgxstore's own cleanup goroutine could not be stopped.
	sm.Store = pgxstore.NewWithCleanupInterval(s.pool, 0)
	sm.IdleTimeout = idle
	sm.Lifetime = lifetime
	sm.HashTokenInStore = true
	sm.Cookie.Name = sessionCookieName
	sm.Cookie.HttpOnly = true
	sm.Cookie.SameSite = http.SameSiteLaxMode
	sm.Cookie.Secure = s.baseURL.Scheme == "https"
	sm.Cookie.Path = "/"
	sm.Cookie.Persist = true
	sm.ErrorFunc = func(w http.ResponseWriter, r *http.Request, err error) {
		s.writeError(w, r, fmt.Errorf("session store: %w", err))
	}
	return sm
}

// sessionID is what the store and the index know a token by: the same
// SHA-256, base64url without padding, that scs computes with
// HashTokenInStore.
func sessionID(token string) string {
	sum := sha256.Sum256([]byte(token))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

type ctxKey int

const (
	ctxUser ctxKey = iota
	ctxSessionID
	ctxMember
)

// errNoSession means the request carries no valid session.
var errNoSession = errors.New("no valid session")

// userFromRequest authenticates r by its session cookie without writing
// anything: no cookie, no store update. It is what the live WebSocket
// route uses before the upgrade (that route is not wrapped in scs's
// LoadAndSave, which cannot set a cookie on a hijacked connection). It
// returns the user and the session ID (see LiveCloser.CloseSession), or
// an error wrapping errNoSession.
func (s *Server) userFromRequest(r *http.Request) (db.User, string, error) {
	c, err := r.Cookie(sessionCookieName)
	if err != nil || c.Value == "" {
		return db.User{}, "", errNoSession
	}
	id := sessionID(c.Value)
	row, err := s.queries.UserGetBySession(r.Context(), id)
	if err != nil {
		if err = db.Interpret(err); errors.Is(err, db.ErrNotFound) {
			return db.User{}, "", errNoSession
		}
		return db.User{}, "", fmt.Errorf("load session: %w", err)
	}
	return row.User, id, nil
}

// authenticate puts the session's user, if any, into the context; it
// refuses nothing (requireUser does). It works with and without
// LoadAndSave.
func (s *Server) authenticate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u, id, err := s.userFromRequest(r)
		switch {
		case errors.Is(err, errNoSession):
		case err != nil:
			s.writeError(w, r, err)
			return
		default:
			ctx := context.WithValue(r.Context(), ctxUser, u)
			ctx = context.WithValue(ctx, ctxSessionID, id)
			r = r.WithContext(ctx)
		}
		next.ServeHTTP(w, r)
	})
}

// requireUser answers 401 unless authenticate found a user.
func (s *Server) requireUser(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, ok := r.Context().Value(ctxUser).(db.User); !ok {
			s.writeError(w, r, errUnauthorized())
			return
		}
		next.ServeHTTP(w, r)
	})
}

// requireAdmin answers 401 without a session and 403 to users who are not
// admins.
func (s *Server) requireAdmin(next http.Handler) http.Handler {
	return s.requireUser(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !userFrom(r.Context()).IsAdmin {
			s.writeError(w, r, errForbidden("only an admin may do this"))
			return
		}
		next.ServeHTTP(w, r)
	}))
}

// userFrom returns the authenticated user. It panics when the route is not
// behind requireUser (or requireMember, which implies it): that is a
// developer error, not a client's.
func userFrom(ctx context.Context) db.User {
	u, ok := ctx.Value(ctxUser).(db.User)
	if !ok {
		panic("developer error: userFrom without requireUser")
	}
	return u
}

// optionalUserFrom returns the user when the request has a session.
func optionalUserFrom(ctx context.Context) (db.User, bool) {
	u, ok := ctx.Value(ctxUser).(db.User)
	return u, ok
}

// sessionIDFrom returns the ID of the request's session ("" without one).
func sessionIDFrom(ctx context.Context) string {
	id, _ := ctx.Value(ctxSessionID).(string)
	return id
}

// startSession logs userID in on this request's session: the old token (if
// any) is forgotten and its live connections closed, a new token is issued
// (session fixation), and the index learns the new token. Call it only
// under LoadAndSave; scs writes the cookie when the response starts.
func (s *Server) startSession(ctx context.Context, userID uuid.UUID) error {
	if err := s.forgetSessionToken(ctx); err != nil {
		return err
	}
	if err := s.sessions.RenewToken(ctx); err != nil {
		return fmt.Errorf("renew session token: %w", err)
	}
	s.sessions.Put(ctx, sessionUserKey, userID.String())
	err := s.queries.UserSessionCreate(ctx, db.UserSessionCreateParams{
		TokenHash: sessionID(s.sessions.Token(ctx)),
		UserID:    userID,
	})
	if err != nil {
		return fmt.Errorf("index session: %w", err)
	}
	return nil
}

// renewSession gives the current session a new token (after a privilege
// change) and keeps it logged in as the same user.
func (s *Server) renewSession(ctx context.Context) error {
	u, ok := optionalUserFrom(ctx)
	if !ok {
		return nil
	}
	return s.startSession(ctx, u.ID)
}

// endSession logs the request's session out: the store row and the index
// row go, the cookie is cleared, and its live connections close.
func (s *Server) endSession(ctx context.Context) error {
	if err := s.forgetSessionToken(ctx); err != nil {
		return err
	}
	if err := s.sessions.Destroy(ctx); err != nil {
		return fmt.Errorf("destroy session: %w", err)
	}
	return nil
}

// forgetSessionToken removes the index row of the request's current token
// and closes that session's live connections.
func (s *Server) forgetSessionToken(ctx context.Context) error {
	token := s.sessions.Token(ctx)
	if token == "" {
		return nil
	}
	id := sessionID(token)
	if err := s.queries.UserSessionDelete(ctx, id); err != nil {
		return fmt.Errorf("forget session: %w", err)
	}
	s.live.CloseSession(id)
	return nil
}
