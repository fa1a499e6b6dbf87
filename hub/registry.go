package hub

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/coder/websocket"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"

	"gametable/db"
)

// Defaults of the live limits (CONTRACT.md section 10); the configuration
// passes them explicitly, since 0 disables a limit.
const (
	DefaultWSRate       = 10
	DefaultWSBurst      = 20
	DefaultWSMaxPerUser = 10
)

// Options configures a Registry. Pool is required; zero durations and
// sizes take the defaults given on each field. WSRate, WSBurst and
// WSMaxPerUser are taken as they are: 0 disables the limit.
type Options struct {
	Pool   *pgxpool.Pool
	Logger *slog.Logger // nil: discard
	// Registerer receives the live metrics; nil registers nowhere.
	Registerer prometheus.Registerer

	// IdleTimeout is how long a hub without connections stays loaded
	// (default 1 minute).
	IdleTimeout time.Duration
	// WSRate is the commands per second allowed per connection, with
	// bursts of WSBurst; over it a command gets rate_limited. 0 disables.
	WSRate  float64
	WSBurst int
	// WSMaxPerUser caps a user's open live connections (all campaigns);
	// 0 disables.
	WSMaxPerUser int

	// WriteTimeout bounds one socket write (default 5 s).
	WriteTimeout time.Duration
	// PingInterval spaces pings (default 25 s); a pong later than
	// PongTimeout (default 15 s) closes the connection.
	PingInterval time.Duration
	PongTimeout  time.Duration
	// MaxQueueBytes bounds what may wait for one connection's writer
	// (default 1 MiB); past it the connection is closed with 1008.
	MaxQueueBytes int
	// DBTimeout bounds each of a hub's transactions (default 5 s).
	DBTimeout time.Duration
	// StrikeRate and StrikeBurst bound bad or throttled frames per
	// connection (default 1 per second, bursts of 10); a flood beyond
	// them closes the connection with 1008.
	StrikeRate  float64
	StrikeBurst int
}

func (o *Options) setDefaults() {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&o.IdleTimeout, time.Minute)
	def(&o.WriteTimeout, 5*time.Second)
	def(&o.PingInterval, 25*time.Second)
	def(&o.PongTimeout, 15*time.Second)
	def(&o.DBTimeout, 5*time.Second)
	if o.MaxQueueBytes <= 0 {
		o.MaxQueueBytes = 1 << 20
	}
	if o.StrikeRate <= 0 {
		o.StrikeRate = 1
	}
	if o.StrikeBurst <= 0 {
		o.StrikeBurst = 10
	}
}

// Participant is who a live connection belongs to, as the HTTP layer
// established it before the upgrade.
type Participant struct {
	CampaignID  string
	UserID      string
	DisplayName string
	// Role is the member's role in the campaign.
	Role Role
	// View is the view the connection gets; a player always gets
	// ViewPlayer, whatever is asked.
	View View
	// SessionID identifies the login session, so that CloseSession can
	// close its connections at logout ("" if unknown).
	SessionID string
}

// Resume is where a reconnecting client left off: the epoch and the seq
// of the last frame it applied (query parameters epoch and since). The
// zero value asks for a snapshot.
type Resume struct {
	Epoch string
	Seq   int64
}

// Actor is who runs a command through Do: a member and their role. View
// is the view whose seq and result Do reports (default: the role's).
type Actor struct {
	UserID string
	Role   Role
	View   View
}

// Command is one command for Do, as a client would send it over the
// socket. ID, when set, makes it idempotent like a WebSocket command id
// (for an HTTP Idempotency-Key).
type Command struct {
	ID   string
	Type string
	Data json.RawMessage
}

// Result is what Do reports of a command that succeeded.
type Result struct {
	// Seq is the seq, in the actor's view, that carries the effect.
	Seq int64
	// Data is the ack's result object, e.g. {"combatantId": "…"}.
	Data json.RawMessage
	// Combat is the combat object of the actor's view once the command
	// is applied (commands committed in the same batch after it may show
	// too); nil when no combat runs.
	Combat json.RawMessage
}

// Registry owns the hubs of one server process: it creates a campaign's
// hub on first use, removes it when it has been idle, tracks every live
// connection (to close them by user, session or campaign) and drains
// everything at Shutdown.
type Registry struct {
	opts    Options
	pool    *pgxpool.Pool
	logger  *slog.Logger
	metrics *metrics
	rules   *rules // dice and ids; tests replace it before use

	// baseCtx is the parent of every database call and connection of the
	// registry; cancel ends it when Shutdown's deadline passes.
	baseCtx context.Context
	cancel  context.CancelFunc
	// hardStop is closed (once, by stopHard) when Shutdown gives up on
	// graceful closes: writers then cut their sockets.
	hardStop     chan struct{}
	hardStopOnce sync.Once

	// mu guards the fields below and every Hub's refs and removed.
	mu        sync.Mutex
	closing   bool
	hubs      map[string]*Hub
	conns     map[*client]struct{}
	byUser    map[string]map[*client]struct{}
	bySession map[string]map[*client]struct{}
	// byCampaign counts the live connections per campaign and user (for
	// Online).
	byCampaign map[string]map[string]int

	// wg counts every goroutine the registry starts or serves: hubs,
	// ServeConn calls, writers, pings, background reloads.
	wg sync.WaitGroup
	// janitorStop ends the janitor, which closes janitorDone.
	janitorStop chan struct{}
	janitorDone chan struct{}
}

// NewRegistry makes the process's registry and starts its janitor (write
// watchdog, trimming of expired idempotency records and old log entries).
func NewRegistry(opts Options) (*Registry, error) {
	if opts.Pool == nil {
		return nil, errors.New("hub: Options.Pool is required")
	}
	opts.setDefaults()
	ctx, cancel := context.WithCancel(context.Background())
	r := &Registry{
		opts: opts, pool: opts.Pool, logger: opts.Logger, metrics: newMetrics(opts.Registerer),
		rules:   defaultRules(),
		baseCtx: ctx, cancel: cancel, hardStop: make(chan struct{}),
		hubs: map[string]*Hub{}, conns: map[*client]struct{}{},
		byUser: map[string]map[*client]struct{}{}, bySession: map[string]map[*client]struct{}{},
		byCampaign:  map[string]map[string]int{},
		janitorStop: make(chan struct{}), janitorDone: make(chan struct{}),
	}
	go r.janitor()
	return r, nil
}

func (r *Registry) isClosing() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.closing
}

// acquireLocked returns the campaign's hub, creating it, and takes a
// reference. r.mu must be held.
func (r *Registry) acquireLocked(campaignID string) (*Hub, error) {
	if r.closing {
		return nil, ErrShuttingDown
	}
	h := r.hubs[campaignID]
	if h == nil {
		h = newHub(r, campaignID)
		r.hubs[campaignID] = h
		r.metrics.hubs.Inc()
		r.wg.Add(1)
		go h.run()
	}
	h.refs++
	return h, nil
}

func (r *Registry) acquire(campaignID string) (*Hub, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.acquireLocked(campaignID)
}

func (r *Registry) release(h *Hub) {
	r.mu.Lock()
	h.refs--
	r.mu.Unlock()
}

// tryRemove takes an idle hub out of the registry, unless someone holds a
// reference to it.
func (r *Registry) tryRemove(h *Hub) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if h.refs > 0 {
		return false
	}
	r.removeLocked(h)
	return true
}

// hubGone forgets a hub whose run returned.
func (r *Registry) hubGone(h *Hub) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.removeLocked(h)
}

func (r *Registry) removeLocked(h *Hub) {
	if h.removed {
		return
	}
	h.removed = true
	if r.hubs[h.campaignID] == h {
		delete(r.hubs, h.campaignID)
	}
	r.metrics.hubs.Dec()
}

func checkParticipant(p *Participant) error {
	if !validID(p.CampaignID) || !validID(p.UserID) {
		return fmt.Errorf("hub: participant ids must be UUIDs")
	}
	switch p.Role {
	case RoleGM:
		if !p.View.valid() {
			p.View = ViewGM
		}
	case RolePlayer:
		p.View = ViewPlayer
	default:
		return fmt.Errorf("hub: participant role %q", p.Role)
	}
	if p.DisplayName == "" {
		p.DisplayName = "?"
	}
	return nil
}

// ServeConn runs one live connection until it ends, and returns then. The
// HTTP layer calls it from the handler that accepted the WebSocket, after
// authenticating the session and checking membership; it must not touch
// conn afterwards. ServeConn sets the read limit, enforces the per-user
// connection cap, sends the snapshot (or resumes), then reads commands in
// the calling goroutine while a writer goroutine sends. It closes conn in
// every case. The error (nil for an ordinary end) is for logging only.
func (r *Registry) ServeConn(ctx context.Context, conn *websocket.Conn, p Participant, res Resume) error {
	return r.serve(ctx, conn, p, res)
}

// serve is ServeConn for any wsConn.
func (r *Registry) serve(ctx context.Context, conn wsConn, p Participant, res Resume) error {
	conn.SetReadLimit(MaxFrameBytes)
	if err := checkParticipant(&p); err != nil {
		_ = conn.Close(websocket.StatusInternalError, "internal error")
		return err
	}
	c := newClient(r, conn, p, p.CampaignID)

	r.mu.Lock()
	if r.closing {
		r.mu.Unlock()
		_ = conn.Close(websocket.StatusGoingAway, "server shutting down")
		return ErrShuttingDown
	}
	if max := r.opts.WSMaxPerUser; max > 0 && len(r.byUser[p.UserID]) >= max {
		r.mu.Unlock()
		r.metrics.dropped.WithLabelValues("too_many_connections").Inc()
		_ = conn.Close(websocket.StatusPolicyViolation, "too many live connections")
		return errTooManyConnections
	}
	h, _ := r.acquireLocked(p.CampaignID) // not closing: cannot fail
	r.registerLocked(c)
	r.wg.Add(2) // this call and the writer
	r.mu.Unlock()
	r.metrics.connections.Inc()
	defer func() {
		r.metrics.connections.Dec()
		r.mu.Lock()
		r.unregisterLocked(c)
		h.refs--
		r.mu.Unlock()
		r.wg.Done()
	}()

	go func() {
		defer r.wg.Done()
		c.writeLoop()
	}()

	cctx, cancel := context.WithCancel(r.baseCtx)
	defer cancel()
	stop := context.AfterFunc(ctx, cancel)
	defer stop()

	if err := r.join(cctx, h, c, res); err != nil {
		c.kick(closeCodeFor(h, err))
		<-c.writerDone
		return err
	}
	c.readLoop(cctx, h)
	select {
	case h.leave <- c:
	case <-h.done:
	}
	c.kick(websocket.StatusNormalClosure, "")
	<-c.writerDone
	return nil
}

var errTooManyConnections = errors.New("hub: too many live connections for this user")

// join hands c to the hub and waits until its first messages are queued.
func (r *Registry) join(ctx context.Context, h *Hub, c *client, res Resume) error {
	j := joinRequest{c: c, resume: res, reply: make(chan error, 1)}
	select {
	case h.join <- j:
	case <-h.done:
		return h.stoppedErr()
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case err := <-j.reply:
		return err
	case <-h.done:
		select {
		case err := <-j.reply:
			return err
		default:
		}
		return h.stoppedErr()
	case <-ctx.Done():
		return ctx.Err()
	}
}

// closeCodeFor picks the close code for a connection whose join failed.
func closeCodeFor(h *Hub, err error) (websocket.StatusCode, string) {
	var hubErr error
	select {
	case <-h.done:
		hubErr = h.err // written before done was closed
	default:
	}
	switch {
	case errors.Is(err, ErrShuttingDown) || errors.Is(hubErr, ErrShuttingDown):
		return websocket.StatusGoingAway, "server shutting down"
	case errors.Is(err, db.ErrNotFound) || errors.Is(hubErr, db.ErrNotFound):
		return CloseCampaignDeleted, "campaign not found"
	case errors.Is(err, context.Canceled):
		return websocket.StatusGoingAway, "going away"
	}
	return websocket.StatusInternalError, "live state unavailable, reconnect"
}

func (r *Registry) registerLocked(c *client) {
	r.conns[c] = struct{}{}
	add := func(m map[string]map[*client]struct{}, k string) {
		s := m[k]
		if s == nil {
			s = map[*client]struct{}{}
			m[k] = s
		}
		s[c] = struct{}{}
	}
	add(r.byUser, c.p.UserID)
	if c.p.SessionID != "" {
		add(r.bySession, c.p.SessionID)
	}
	users := r.byCampaign[c.campaignID]
	if users == nil {
		users = map[string]int{}
		r.byCampaign[c.campaignID] = users
	}
	users[c.p.UserID]++
}

func (r *Registry) unregisterLocked(c *client) {
	delete(r.conns, c)
	del := func(m map[string]map[*client]struct{}, k string) {
		if s := m[k]; s != nil {
			delete(s, c)
			if len(s) == 0 {
				delete(m, k)
			}
		}
	}
	del(r.byUser, c.p.UserID)
	if c.p.SessionID != "" {
		del(r.bySession, c.p.SessionID)
	}
	if users := r.byCampaign[c.campaignID]; users != nil {
		if users[c.p.UserID]--; users[c.p.UserID] <= 0 {
			delete(users, c.p.UserID)
		}
		if len(users) == 0 {
			delete(r.byCampaign, c.campaignID)
		}
	}
}

// Online returns the users (by id) with at least one live connection to
// the campaign in this process: the members' "online" flag. Safe for
// concurrent use; the map is the caller's.
func (r *Registry) Online(campaignID string) map[string]bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	users := r.byCampaign[campaignID]
	out := make(map[string]bool, len(users))
	for u := range users {
		out[u] = true
	}
	return out
}

// closeWhere closes the connections of set that match keep.
func (r *Registry) closeWhere(set map[*client]struct{}, keep func(*client) bool, code websocket.StatusCode, reason string) int {
	var victims []*client
	for c := range set {
		if keep == nil || keep(c) {
			victims = append(victims, c)
		}
	}
	for _, c := range victims {
		c.kick(code, reason)
	}
	return len(victims)
}

// CloseUser closes every live connection of a user (password reset: use
// CloseSessionEnded). It returns at once; the sockets close within a
// second. It returns how many it closed.
func (r *Registry) CloseUser(userID string, code websocket.StatusCode, reason string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.closeWhere(r.byUser[userID], nil, code, reason)
}

// CloseSession closes the live connections opened with a login session
// (logout: CloseSessionEnded).
func (r *Registry) CloseSession(sessionID string, code websocket.StatusCode, reason string) int {
	if sessionID == "" {
		return 0
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.closeWhere(r.bySession[sessionID], nil, code, reason)
}

// CloseMember closes a user's live connections to one campaign (removal:
// CloseRemoved; role change: CloseReconnect), and has the campaign's hub
// read its combat and polls again, which the removal may have changed
// (combatants lose their userId, votes go).
func (r *Registry) CloseMember(campaignID, userID string, code websocket.StatusCode, reason string) int {
	r.mu.Lock()
	n := r.closeWhere(r.byUser[userID], func(c *client) bool { return c.campaignID == campaignID }, code, reason)
	_, running := r.hubs[campaignID]
	if running && !r.closing {
		r.wg.Add(1)
		go func() {
			defer r.wg.Done()
			ctx, cancel := context.WithTimeout(r.baseCtx, 2*r.opts.DBTimeout)
			defer cancel()
			if err := r.Reload(ctx, campaignID, PartCombat, PartPolls); err != nil {
				r.logger.Warn("reload after member change failed", "campaign_id", campaignID, "err", err)
			}
		}()
	}
	r.mu.Unlock()
	return n
}

// CloseCampaign closes every live connection of a campaign (deletion:
// CloseCampaignDeleted). Its hub stops at its next write, finding the
// campaign gone.
func (r *Registry) CloseCampaign(campaignID string, code websocket.StatusCode, reason string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.closeWhere(r.conns, func(c *client) bool { return c.campaignID == campaignID }, code, reason)
}

// Do runs a command for the HTTP layer through the same path as a
// WebSocket command: same validation, rules, persistence and broadcast.
// Errors a client may see are *RuleError (see Code and the sentinels);
// ErrShuttingDown and ErrHubStopped mean "try again later"; anything else
// is internal. data may be empty for commands that take none.
func (r *Registry) Do(ctx context.Context, campaignID string, a Actor, cmd Command) (Result, error) {
	if !validID(campaignID) || !validID(a.UserID) || (a.Role != RoleGM && a.Role != RolePlayer) {
		return Result{}, fmt.Errorf("hub: Do with an invalid campaign or actor")
	}
	if !a.View.valid() || a.Role == RolePlayer {
		a.View = View(a.Role)
	}
	if cmd.Type == TypePing {
		return Result{}, badCommand("ping is only for live connections")
	}
	data, err := decodeCommandData(cmd.Type, cmd.Data)
	if err != nil {
		return Result{}, err
	}
	if err := data.validate().err(); err != nil {
		return Result{}, err
	}
	if cmd.ID != "" {
		if n := utf8.RuneCountInString(cmd.ID); n > maxCommandIDLen || hasControl(cmd.ID) {
			return Result{}, badCommand("id must be 1 to %d characters", maxCommandIDLen)
		}
	}
	h, err := r.acquire(campaignID)
	if err != nil {
		return Result{}, err
	}
	defer r.release(h)
	rep := h.call(ctx, &request{
		kind: reqCommand, actor: actor{userID: a.UserID, role: a.Role}, view: a.View,
		id: cmd.ID, typ: cmd.Type, data: data,
	})
	if rep.err != nil {
		return Result{}, rep.err
	}
	return Result{Seq: rep.seq, Data: rep.result, Combat: rep.combat}, nil
}

// Snapshot returns the combat object of a view of the campaign and the
// view's seq (GET /combat). combat is nil when no combat runs (404).
func (r *Registry) Snapshot(ctx context.Context, campaignID string, view View) (combat json.RawMessage, seq int64, err error) {
	if !validID(campaignID) || !view.valid() {
		return nil, 0, fmt.Errorf("hub: Snapshot with an invalid campaign or view")
	}
	h, err := r.acquire(campaignID)
	if err != nil {
		return nil, 0, err
	}
	defer r.release(h)
	rep := h.call(ctx, &request{kind: reqSnapshot, view: view})
	if rep.err != nil {
		return nil, 0, rep.err
	}
	return rep.combat, rep.seq, nil
}

// Reload tells the campaign's hub, if one runs, that parts of its state
// changed in the database outside the hub (a poll created over HTTP, the
// campaign renamed, a member removed); the hub reads them again and
// publishes the difference to every connection, persisted like a command.
// With no hub running there is nothing to do: the next hub loads the
// database as it is. It returns once the change is published.
func (r *Registry) Reload(ctx context.Context, campaignID string, parts ...Part) error {
	var mask Part
	for _, p := range parts {
		mask |= p
	}
	if mask == 0 {
		mask = allParts
	}
	r.mu.Lock()
	h := r.hubs[campaignID]
	if h == nil || r.closing {
		r.mu.Unlock()
		return nil
	}
	h.refs++
	r.mu.Unlock()
	defer r.release(h)
	rep := h.call(ctx, &request{kind: reqReload, parts: mask})
	return rep.err
}

// Shutdown refuses new connections and commands, lets every hub finish
// the commands it has queued, closes every connection with 1001 and waits
// for all of the registry's goroutines (http.Server.Shutdown does not wait
// for hijacked connections). When ctx ends first, it cuts the remaining
// sockets and database calls, waits for the goroutines to notice, and
// returns ctx's error.
func (r *Registry) Shutdown(ctx context.Context) error {
	r.mu.Lock()
	first := !r.closing
	r.closing = true
	hubs := make([]*Hub, 0, len(r.hubs))
	for _, h := range r.hubs {
		hubs = append(hubs, h)
	}
	conns := make([]*client, 0, len(r.conns))
	for c := range r.conns {
		conns = append(conns, c)
	}
	r.mu.Unlock()
	if first {
		r.logger.Info("live registry shutting down", "hubs", len(hubs), "connections", len(conns))
		for _, h := range hubs {
			close(h.stop)
		}
	}
	done := make(chan struct{})
	go func() {
		r.wg.Wait()
		close(done)
	}()
	var err error
	select {
	case <-done:
	case <-ctx.Done():
		err = ctx.Err()
		r.stopHard()
		<-done
	}
	if first {
		close(r.janitorStop)
	}
	<-r.janitorDone
	r.cancel()
	return err
}

// stopHard cuts every socket and cancels every database call.
func (r *Registry) stopHard() {
	r.hardStopOnce.Do(func() {
		close(r.hardStop)
		r.cancel()
		r.mu.Lock()
		for c := range r.conns {
			c.closeNow()
		}
		r.mu.Unlock()
	})
}

// janitor runs the write watchdog every second and trims expired
// idempotency records and old log entries every minute.
func (r *Registry) janitor() {
	defer close(r.janitorDone)
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	n := 0
	for {
		select {
		case <-r.janitorStop:
			return
		case now := <-tick.C:
			r.watchdog(now)
			if n++; n%60 == 0 {
				r.trim(now)
			}
		}
	}
}

// watchdog closes connections whose current write has lasted longer than
// WriteTimeout.
func (r *Registry) watchdog(now time.Time) {
	limit := now.Add(-r.opts.WriteTimeout).UnixNano()
	var stuck []*client
	r.mu.Lock()
	for c := range r.conns {
		if ws := c.writeStart.Load(); ws != 0 && ws < limit {
			stuck = append(stuck, c)
		}
	}
	r.mu.Unlock()
	for _, c := range stuck {
		r.metrics.dropped.WithLabelValues("write_timeout").Inc()
		r.logger.Warn("live write timed out", "campaign_id", c.campaignID, "user_id", c.p.UserID)
		c.closeNow()
	}
}

// eventRetention is how long logged patches are kept at most.
const eventRetention = 24 * time.Hour

func (r *Registry) trim(now time.Time) {
	ctx, cancel := context.WithTimeout(r.baseCtx, r.opts.DBTimeout)
	defer cancel()
	q := db.New(r.pool)
	if _, err := q.LiveCommandDeleteBefore(ctx, now.Add(-idempotencyWindow)); err != nil {
		r.logger.Warn("trim live commands failed", "err", err)
	}
	if _, err := q.LiveEventDeleteBefore(ctx, now.Add(-eventRetention)); err != nil {
		r.logger.Warn("trim live events failed", "err", err)
	}
}
