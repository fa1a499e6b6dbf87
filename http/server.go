package http

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/netip"
	"net/url"
	"sync"
	"time"

	"github.com/alexedwards/scs/v2"
	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"

	"gametable/db"
	"gametable/hub"
	"gametable/mail"
	"gametable/retrieval"
)

// Options is what the server needs from main. Every field is required
// unless its comment says otherwise.
type Options struct {
	Pool    *pgxpool.Pool
	Logger  *slog.Logger
	BaseURL string // the public URL, for links in mails and the allowed origins
	Version string

	// Ready reports whether the database is reachable and migrated; /readyz
	// calls it. Nil means "ready when the pool answers a ping".
	Ready func(context.Context) error
	// Registerer receives the HTTP metrics; nil uses a private registry.
	Registerer prometheus.Registerer
	// Gatherer serves /metrics; nil serves the private registry.
	Gatherer prometheus.Gatherer

	LLM        string // "none" or "openai", for /api/meta
	Embeddings string // the embedding model's name, for /api/meta

	// SessionIdle ends a login session unused for this long (default 7
	// days); SessionLifetime ends it this long after login, used or not
	// (default 30 days).
	SessionIdle     time.Duration
	SessionLifetime time.Duration
	// SMTPURL is GAMETABLE_SMTP_URL; empty writes mails to the log.
	SMTPURL string
	// MailFrom is the sender of mails (GAMETABLE_MAIL_FROM).
	MailFrom string
	// Live closes live connections when access ends (logout, password
	// reset, removal from a campaign). Nil: there are none to close.
	Live LiveCloser
	// OnlineFunc reports which users have a live connection to a campaign,
	// for the members' "online" flag. Nil: the live connections of Hub
	// when it is set, else nobody is online.
	OnlineFunc func(campaignID uuid.UUID) map[uuid.UUID]bool
	// Jobs enqueues background jobs (the River client of jobs.New; recap
	// extraction needs it). Nil: POST …/extractions answers 503.
	Jobs JobInserter
	// Hub is the live table (CONTRACT.md sections 6 and 7). When set and
	// Live is nil, Live is the hub too: logout, password reset and removal
	// close live connections, and poll changes are published through it.
	// Nil: /live and /combat answer 503.
	Hub *hub.Registry

	// Retrieval serves rule books, campaign documents, search and the
	// rules chat (CONTRACT.md section 9). Nil: those routes answer 503.
	Retrieval *retrieval.Service
	// UploadMaxBytes limits an upload (rule books, documents); 0 means
	// DefaultUploadMaxBytes (50 MiB). The 1 MiB JSON limit does not apply.
	UploadMaxBytes int64
	// RulesChat is the language model of the rules chat; nil answers from
	// the retrieved passages themselves.
	RulesChat retrieval.ChatCompleter
	// ChatPerMinute is each user's rules-chat rate (bursts of as many);
	// 0 means DefaultChatPerMinute, negative disables the limit.
	ChatPerMinute int
	// SignupPerHour is how many sign-ups one client address may make in
	// an hour; 0 means DefaultSignupPerHour, negative disables the limit.
	SignupPerHour int
	// TrustedProxies are the reverse proxies whose X-Forwarded-For is
	// believed when throttling by client address (login, sign-up). Empty:
	// the connection's address is the client's.
	TrustedProxies []netip.Prefix
}

// LiveCloser ends live WebSocket connections when their access ends. The
// hub's Registry implements it. Each method returns at once; the sockets
// close within a second.
type LiveCloser interface {
	// CloseUser closes every live connection of the user (password reset).
	CloseUser(userID uuid.UUID)
	// CloseSession closes the connections opened with one login session
	// (logout); the ID is the one userFromRequest returns.
	CloseSession(sessionID string)
	// CloseMember closes the user's connections to one campaign (removal,
	// campaign deletion).
	CloseMember(campaignID, userID uuid.UUID)
	// ReconnectMember closes them with a code that tells the client to
	// reconnect at once (a role change: the view changes).
	ReconnectMember(campaignID, userID uuid.UUID)
}

// noLive is the LiveCloser when there is no hub.
type noLive struct{}

func (noLive) CloseUser(uuid.UUID)                  {}
func (noLive) CloseSession(string)                  {}
func (noLive) CloseMember(uuid.UUID, uuid.UUID)     {}
func (noLive) ReconnectMember(uuid.UUID, uuid.UUID) {}

var _ LiveCloser = noLive{}

// Server routes and serves gametable's HTTP API. It is an http.Handler.
type Server struct {
	router  chi.Router
	pool    *pgxpool.Pool
	queries *db.Queries
	logger  *slog.Logger
	opts    Options
	baseURL *url.URL
	metrics *httpMetrics

	sessions *scs.SessionManager
	mailer   *mail.Queue
	live     LiveCloser
	online   func(campaignID uuid.UUID) map[uuid.UUID]bool
	// Login throttling (CONTRACT.md section 2) and the mail throttle.
	loginByEmail   *limiter
	loginByAddress *limiter
	mailLimit      *limiter
	// signupLimit counts sign-ups per client address; nil when disabled.
	signupLimit *limiter
	// proxyWarning logs once that X-Forwarded-For arrives while no proxy
	// is trusted.
	proxyWarning sync.Once
	// chatLimit is the per-user rules-chat rate.
	chatLimit *userRate

	// stop ends the janitor; janitorDone is closed when it has.
	stop        chan struct{}
	janitorDone chan struct{}
	closeOnce   sync.Once
}

var _ http.Handler = (*Server)(nil)

// NewServer builds the router and starts the background work (the mail
// queue, the janitor); Close stops it.
func NewServer(opts Options) (*Server, error) {
	base, err := url.Parse(opts.BaseURL)
	if err != nil {
		return nil, err
	}
	if opts.MailFrom == "" {
		opts.MailFrom = "gametable <noreply@localhost>"
	}
	sender, err := mail.NewSender(opts.SMTPURL, opts.MailFrom, opts.Logger)
	if err != nil {
		return nil, fmt.Errorf("mail: %w", err)
	}
	reg := opts.Registerer
	gather := opts.Gatherer
	if reg == nil {
		r := prometheus.NewRegistry()
		reg, gather = r, r
	}
	if opts.LLM == "" {
		opts.LLM = "none"
	}
	s := &Server{
		pool:    opts.Pool,
		queries: db.New(opts.Pool),
		logger:  opts.Logger,
		opts:    opts,
		baseURL: base,
		metrics: newHTTPMetrics(reg),
		live:    liveFor(opts),
		online:  onlineFor(opts),

		loginByEmail:   newLimiter(loginEmailLimit, loginWindow, loginMinLock),
		loginByAddress: newLimiter(loginAddressLimit, loginWindow, loginMinLock),
		mailLimit:      newLimiter(mailLimit, mailWindow, 0),
		signupLimit:    newSignupLimiter(opts.SignupPerHour),
		chatLimit:      newUserRate(opts.ChatPerMinute),
		stop:           make(chan struct{}),
		janitorDone:    make(chan struct{}),
	}
	if s.live == nil {
		s.live = noLive{}
	}
	s.sessions = s.newSessionManager(opts.SessionIdle, opts.SessionLifetime)
	s.routes(gather)
	s.mailer = mail.NewQueue(sender, opts.Logger, mail.QueueOptions{})
	go s.janitor()
	return s, nil
}

// Close stops the background work: the janitor, and the mail queue once
// the mails still queued are delivered or ctx is done. Call it after
// http.Server.Shutdown.
func (s *Server) Close(ctx context.Context) error {
	var err error
	s.closeOnce.Do(func() {
		close(s.stop)
		<-s.janitorDone
		err = s.mailer.Close(ctx)
	})
	return err
}

// janitorInterval is how often expired sessions, tokens and throttle
// entries are trimmed.
const janitorInterval = 5 * time.Minute

// janitor trims what expires: scs sessions (and ended ones written back by
// an in-flight request), stale index rows, used or expired tokens, and the
// throttles' memory.
func (s *Server) janitor() {
	defer close(s.janitorDone)
	t := time.NewTicker(janitorInterval)
	defer t.Stop()
	for {
		select {
		case <-s.stop:
			return
		case <-t.C:
			s.sweep()
		}
	}
}

func (s *Server) sweep() {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	now := time.Now()
	steps := []struct {
		name string
		fn   func() (int64, error)
	}{
		{"sessions", func() (int64, error) { return s.queries.SessionDeleteExpired(ctx) }},
		{"session index", func() (int64, error) { return s.queries.UserSessionDeleteStale(ctx, now.Add(-time.Hour)) }},
		{"verification tokens", func() (int64, error) { return s.queries.EmailVerificationTokenDeleteExpired(ctx, now) }},
		{"reset tokens", func() (int64, error) { return s.queries.PasswordResetTokenDeleteExpired(ctx, now) }},
	}
	for _, st := range steps {
		n, err := st.fn()
		if err != nil {
			s.logger.Error("janitor", "step", st.name, "err", err)
			continue
		}
		if n > 0 {
			s.logger.Debug("janitor", "step", st.name, "deleted", n)
		}
	}
	s.loginByEmail.prune()
	s.loginByAddress.prune()
	s.mailLimit.prune()
	if s.signupLimit != nil {
		s.signupLimit.prune()
	}
	s.chatLimit.prune()
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.router.ServeHTTP(w, r)
}

func (s *Server) routes(gather prometheus.Gatherer) {
	r := chi.NewRouter()
	r.Use(middleware.RequestID)
	r.Use(s.recoverer)
	r.Use(s.instrument)

	r.Get("/healthz", s.handleHealthz)
	r.Get("/readyz", s.handleReadyz)
	r.Handle("/metrics", metricsHandler(gather))

	r.Route("/api", func(r chi.Router) {
		r.Use(s.crossOriginProtection())
		r.Get("/meta", s.handleMeta)

		// The live WebSocket hijacks the connection, so it is outside scs's
		// LoadAndSave, which cannot set a cookie on a hijacked connection:
		// it authenticates read-only.
		r.With(s.authenticate, s.requireMember).Get("/campaigns/{campaignId}/live", s.handleLive)

		// The calendar feed authenticates by its token (calendar apps send
		// no cookie), so it is outside LoadAndSave and requireMember.
		s.calendarFeedRoutes(r)

		r.Group(func(r chi.Router) {
			r.Use(s.sessions.LoadAndSave)
			r.Use(s.authenticate)
			s.accountRoutes(r)
			s.inviteRoutes(r)
			s.retrievalGlobalRoutes(r)
			r.With(s.requireUser).Get("/campaigns", s.handleCampaignList)
			r.With(s.requireUser).Post("/campaigns", s.handleCampaignCreate)
			r.Route("/campaigns/{campaignId}", func(r chi.Router) {
				// Everything below is a member's: requireMember answers
				// 404 to everyone else and puts the campaign ID and role
				// in the context (campaignFrom, roleFrom, isGM). Add GM-only
				// routes with r.With(s.requireGM). Every route added here
				// needs a row in the access-control sweep (access_test.go).
				r.Use(s.requireMember)
				s.campaignRoutes(r)
				s.memberRoutes(r)
				s.campaignInviteRoutes(r)
				s.npcRoutes(r)
				s.entityRoutes(r)
				s.extractionRoutes(r)
				s.compendiumRoutes(r)
				s.sessionRoutes(r)
				s.pollRoutes(r)
				s.calendarRoutes(r)
				s.liveRoutes(r)
				s.retrievalRoutes(r)
			})
		})
	})
	r.NotFound(func(w http.ResponseWriter, r *http.Request) {
		s.writeError(w, r, errNotFound("route"))
	})
	r.MethodNotAllowed(func(w http.ResponseWriter, r *http.Request) {
		s.writeError(w, r, &apiError{http.StatusMethodNotAllowed, codeBadRequest, "method not allowed", 0})
	})
	s.router = r
}

// recoverer turns a panic into a logged 500 with the JSON envelope.
func (s *Server) recoverer(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.logger.ErrorContext(r.Context(), "handler panic",
					"panic", v,
					"request_id", middleware.GetReqID(r.Context()),
					"method", r.Method, "path", r.URL.Path,
					"stack", string(debugStack()))
				writeJSON(w, http.StatusInternalServerError, errorBody{errorDetail{Code: codeInternal, Message: "internal error"}})
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// crossOriginProtection refuses state-changing browser requests from other
// sites (Sec-Fetch-Site, else Origin against Host). Requests with neither
// header, from non-browser clients, pass. The base URL's origin is trusted
// so a reverse proxy that rewrites Host does not break the app.
func (s *Server) crossOriginProtection() func(http.Handler) http.Handler {
	cop := http.NewCrossOriginProtection()
	_ = cop.AddTrustedOrigin(s.baseURL.Scheme + "://" + s.baseURL.Host)
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.logWarn(r, "cross-site request refused", "origin", r.Header.Get("Origin"), "sec_fetch_site", r.Header.Get("Sec-Fetch-Site"))
		s.writeError(w, r, errForbidden("cross-site request refused"))
	}))
	return cop.Handler
}

// readyTimeout bounds the /readyz database check.
const readyTimeout = 2 * time.Second

// onlineFor picks the members' online func: Options.OnlineFunc, else the
// hub's live connections, else nobody.
func onlineFor(opts Options) func(campaignID uuid.UUID) map[uuid.UUID]bool {
	switch {
	case opts.OnlineFunc != nil:
		return opts.OnlineFunc
	case opts.Hub != nil:
		reg := opts.Hub
		return func(campaignID uuid.UUID) map[uuid.UUID]bool {
			users := reg.Online(campaignID.String())
			out := make(map[uuid.UUID]bool, len(users))
			for u := range users {
				if id, err := uuid.Parse(u); err == nil {
					out[id] = true
				}
			}
			return out
		}
	}
	return nil
}

// liveFor picks the LiveCloser: Options.Live, else the hub, else nothing.
func liveFor(opts Options) LiveCloser {
	switch {
	case opts.Live != nil:
		return opts.Live
	case opts.Hub != nil:
		return liveHub{HubPolls{Registry: opts.Hub}}
	}
	return noLive{}
}
