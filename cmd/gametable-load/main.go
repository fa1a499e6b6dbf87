// Command gametable-load is a load generator for gametable's live table
// (issue 4, docs/performance.md). Against a running server on this
// machine's loopback it signs up real users over HTTP, creates campaigns,
// invites and joins players, opens real WebSocket connections
// authenticated by the session cookie, and drives combat commands at a
// fixed total rate. It reports:
//
//   - fan-out latency: from a command's send to its patch reaching the last
//     connection of that campaign (p50, p99, max);
//   - command round trip: from send to the ack (persisted) (p50, p99);
//   - commands per second, patch deliveries per second (summed over
//     connections), errors;
//   - server memory per connection: /metrics process_resident_memory_bytes
//     before and after connecting, divided by the connections opened.
//
// Every campaign has one driver connection (its GM, GM view) that sends
// the commands, and clients-1 other connections: GM connections with the
// GM view for a share of -gm-view, the rest players' connections (player
// view). Commands are combat.update of a player-character combatant's hp
// to a value unique to the command, so that every view sees it and every
// connection can tell which command a patch carries.
//
// A big run needs a server without the per-connection command rate limit
// and the per-user socket cap:
//
//	GAMETABLE_WS_RATE=0 GAMETABLE_WS_MAX_PER_USER=0 gametable serve
//
// The generator only talks to loopback addresses, sends at most -rate
// commands per second and stops by itself after -duration.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/signal"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"
)

type config struct {
	base       *url.URL
	campaigns  int
	clients    int
	players    int
	gms        int
	rate       float64
	duration   time.Duration
	gmView     float64
	concurrent int
	settle     time.Duration
}

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "gametable-load:", err)
		os.Exit(1)
	}
}

func run() error {
	var (
		rawURL = flag.String("url", "http://127.0.0.1:8080", "server base URL (loopback only)")
		cfg    config
	)
	flag.IntVar(&cfg.campaigns, "campaigns", 1, "campaigns")
	flag.IntVar(&cfg.clients, "clients", 10, "WebSocket connections per campaign (the GM's driver included)")
	flag.IntVar(&cfg.players, "players", 20, "distinct player accounts shared by the campaigns (connections beyond reuse them)")
	flag.IntVar(&cfg.gms, "gms", 0, "distinct GM accounts, each GM of campaigns round-robin (0: one per campaign)")
	flag.Float64Var(&cfg.rate, "rate", 5, "commands per second in total (0: connect only, for memory)")
	flag.DurationVar(&cfg.duration, "duration", 20*time.Second, "how long to send commands (at most 10m)")
	flag.Float64Var(&cfg.gmView, "gm-view", 0.1, "view mix: share of the non-driver connections that are GM connections with the GM view (the rest: players, player view)")
	flag.IntVar(&cfg.concurrent, "setup-concurrency", 16, "parallel HTTP requests and dials during setup")
	flag.DurationVar(&cfg.settle, "settle", 2*time.Second, "wait after connecting before measuring memory and sending")
	flag.Parse()

	u, err := url.Parse(*rawURL)
	if err != nil {
		return fmt.Errorf("-url: %w", err)
	}
	if err := requireLoopback(u.Hostname()); err != nil {
		return err
	}
	cfg.base = u
	switch {
	case cfg.campaigns < 1 || cfg.campaigns > 10000:
		return errors.New("-campaigns must be 1 to 10000")
	case cfg.clients < 1 || cfg.clients > 20000:
		return errors.New("-clients must be 1 to 20000")
	case cfg.campaigns*cfg.clients > 30000:
		return errors.New("at most 30000 connections in all")
	case cfg.players < 1:
		return errors.New("-players must be at least 1")
	case cfg.rate < 0 || cfg.rate > 100000:
		return errors.New("-rate must be 0 to 100000")
	case cfg.duration <= 0 || cfg.duration > 10*time.Minute:
		return errors.New("-duration must be above 0 and at most 10m")
	case cfg.gmView < 0 || cfg.gmView > 1:
		return errors.New("-gm-view must be 0 to 1")
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	// A hard bound on the whole run, setup included.
	ctx, cancel := context.WithTimeout(ctx, cfg.duration+15*time.Minute)
	defer cancel()
	return load(ctx, cfg)
}

// requireLoopback refuses any target that is not this machine.
func requireLoopback(host string) error {
	if host == "localhost" {
		return nil
	}
	ip := net.ParseIP(host)
	if ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("-url host %q is not a loopback address (127.0.0.0/8, ::1, localhost)", host)
	}
	return nil
}

// user is an account with its session cookie.
type user struct {
	id     string
	client *http.Client
}

type stats struct {
	mu        sync.Mutex
	fanout    []time.Duration
	roundTrip []time.Duration
	sent      atomic.Int64
	acked     atomic.Int64
	errors    atomic.Int64
	errCodes  sync.Map // code → *atomic.Int64
	skipped   atomic.Int64
	delivered atomic.Int64
	closed    atomic.Int64
	measuring atomic.Bool
}

func (s *stats) addErr(code string) {
	s.errors.Add(1)
	v, _ := s.errCodes.LoadOrStore(code, new(atomic.Int64))
	v.(*atomic.Int64).Add(1)
}

// campaign is one campaign's live connections and its commands in flight.
type campaign struct {
	id     string
	gm     *user
	driver *websocket.Conn
	target atomic.Pointer[string] // the combatant whose hp the commands set
	conns  int                    // connections that must see each patch

	mu      sync.Mutex
	pending map[int]*inflight // by hp value
	acks    map[string]*inflight
	next    int
	sendQ   chan struct{}
}

type inflight struct {
	sent      time.Time
	remaining int
}

func load(ctx context.Context, cfg config) error {
	st := &stats{}
	transport := &http.Transport{MaxIdleConnsPerHost: cfg.concurrent, MaxConnsPerHost: 0, DisableCompression: true}
	run := strconv.FormatInt(time.Now().UnixNano(), 36)
	newUser := func(ctx context.Context, name string) (*user, error) {
		jar, _ := cookiejar.New(nil)
		u := &user{client: &http.Client{Transport: transport, Jar: jar}}
		var body struct {
			User struct {
				ID string `json:"id"`
			} `json:"user"`
		}
		email := fmt.Sprintf("load-%s-%s@example.test", run, name)
		if err := u.do(ctx, cfg.base, http.MethodPost, "/api/auth/signup", map[string]any{
			"email": email, "password": "load-test-password-" + run, "displayName": name,
		}, &body); err != nil {
			if strings.Contains(err.Error(), "rate_limited") {
				return nil, fmt.Errorf("sign up %s: %w (start the server with GAMETABLE_SIGNUP_PER_HOUR=0)", name, err)
			}
			return nil, fmt.Errorf("sign up %s: %w", name, err)
		}
		u.id = body.User.ID
		return u, nil
	}

	t0 := time.Now()
	fmt.Printf("setup: %d campaigns x %d connections, %d player accounts\n", cfg.campaigns, cfg.clients, min(cfg.players, max(cfg.clients-1, 0)*cfg.campaigns))
	nPlayers := min(cfg.players, max(cfg.clients-1, 0)*cfg.campaigns)
	players := make([]*user, nPlayers)
	camps := make([]*campaign, cfg.campaigns)
	err := parallel(ctx, cfg.concurrent, nPlayers, func(ctx context.Context, i int) (err error) {
		players[i], err = newUser(ctx, fmt.Sprintf("player-%d", i))
		return err
	})
	if err != nil {
		return err
	}
	if cfg.gms <= 0 || cfg.gms > cfg.campaigns {
		cfg.gms = cfg.campaigns
	}
	gms := make([]*user, cfg.gms)
	err = parallel(ctx, cfg.concurrent, cfg.gms, func(ctx context.Context, i int) (err error) {
		gms[i], err = newUser(ctx, fmt.Sprintf("gm-%d", i))
		return err
	})
	if err != nil {
		return err
	}
	err = parallel(ctx, cfg.concurrent, cfg.campaigns, func(ctx context.Context, i int) error {
		gm := gms[i%len(gms)]
		var cb struct {
			Campaign struct {
				ID string `json:"id"`
			} `json:"campaign"`
		}
		if err := gm.do(ctx, cfg.base, http.MethodPost, "/api/campaigns", map[string]any{"name": fmt.Sprintf("Load %d", i)}, &cb); err != nil {
			return fmt.Errorf("create campaign: %w", err)
		}
		var ib struct {
			Invite struct {
				Code string `json:"code"`
			} `json:"invite"`
		}
		if err := gm.do(ctx, cfg.base, http.MethodPost, "/api/campaigns/"+cb.Campaign.ID+"/invites", map[string]any{}, &ib); err != nil {
			return fmt.Errorf("create invite: %w", err)
		}
		camps[i] = &campaign{id: cb.Campaign.ID, gm: gm, conns: cfg.clients, pending: map[int]*inflight{}, acks: map[string]*inflight{}, sendQ: make(chan struct{}, 1)}
		// The players of this campaign: connections 1.. of it.
		joined := map[int]bool{}
		for k := 1; k < cfg.clients; k++ {
			if isGMConn(k, cfg) {
				continue
			}
			p := (i*(cfg.clients-1) + k - 1) % nPlayers
			if joined[p] {
				continue
			}
			joined[p] = true
			if err := players[p].do(ctx, cfg.base, http.MethodPost, "/api/invites/"+ib.Invite.Code+"/accept", map[string]any{}, nil); err != nil {
				return fmt.Errorf("accept invite: %w", err)
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	fmt.Printf("setup: accounts and campaigns in %s\n", time.Since(t0).Round(time.Millisecond))

	memBefore, memErr := serverMemory(ctx, cfg.base)
	wsBase := *cfg.base
	wsBase.Scheme = strings.Replace(wsBase.Scheme, "http", "ws", 1)
	var wg sync.WaitGroup
	runCtx, stopConns := context.WithCancel(ctx)
	defer func() { stopConns(); wg.Wait() }()
	t1 := time.Now()
	total := cfg.campaigns * cfg.clients
	connect := func(ctx context.Context, n int) error {
		c := camps[n/cfg.clients]
		k := n % cfg.clients
		u, view := c.gm, "gm"
		switch {
		case k == 0:
		case isGMConn(k, cfg):
		default:
			u, view = players[(n/cfg.clients*(cfg.clients-1)+k-1)%nPlayers], "player"
		}
		dctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
		conn, _, err := websocket.Dial(dctx, wsBase.String()+"/api/campaigns/"+c.id+"/live?view="+view, &websocket.DialOptions{HTTPClient: u.client})
		if err != nil {
			return fmt.Errorf("connect %d: %w", n, err)
		}
		conn.SetReadLimit(1 << 24)
		if k == 0 {
			c.driver = conn
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			c.read(runCtx, conn, k == 0, st)
		}()
		return nil
	}
	// Connect in two halves: the memory at the half-way point gives a
	// second estimate per connection (the slope over the second half),
	// free of what setup left on the heap.
	half := total / 2
	if err := parallel(ctx, cfg.concurrent, half, connect); err != nil {
		return err
	}
	var memHalf map[string]int64
	if memErr == nil && half > 0 {
		sleep(ctx, cfg.settle)
		memHalf, _ = serverMemory(ctx, cfg.base)
	}
	if err := parallel(ctx, cfg.concurrent, total-half, func(ctx context.Context, n int) error { return connect(ctx, half+n) }); err != nil {
		return err
	}
	fmt.Printf("connect: %d connections in %s\n", total, time.Since(t1).Round(time.Millisecond))
	sleep(ctx, cfg.settle)
	if memErr == nil {
		if after, err := serverMemory(ctx, cfg.base); err == nil {
			per := func(name string) float64 { return float64(after[name]-memBefore[name]) / 1024 / float64(total) }
			fmt.Printf("server memory after %d connections: RSS %.1f -> %.1f MiB (%.1f KiB per connection); Go heap in use + stacks %.1f -> %.1f MiB (%.1f KiB per connection)\n",
				total, float64(memBefore[rss])/(1<<20), float64(after[rss])/(1<<20), per(rss),
				float64(memBefore[heap]+memBefore[stack])/(1<<20), float64(after[heap]+after[stack])/(1<<20), per(heap)+per(stack))
			if memHalf != nil {
				slope := func(name string) float64 { return float64(after[name]-memHalf[name]) / 1024 / float64(total-half) }
				fmt.Printf("server memory over the second half (%d connections): RSS %.1f KiB per connection; Go heap in use + stacks %.1f KiB per connection\n",
					total-half, slope(rss), slope(heap)+slope(stack))
			}
		}
	} else {
		fmt.Printf("server memory: /metrics unavailable: %v\n", memErr)
	}
	if cfg.rate == 0 {
		return nil
	}

	// A combat with a player-character combatant in every campaign.
	err = parallel(ctx, cfg.concurrent, cfg.campaigns, func(ctx context.Context, i int) error {
		return camps[i].setupCombat(ctx)
	})
	if err != nil {
		return err
	}
	for _, c := range camps {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c.sender(runCtx, st)
		}()
	}
	st.delivered.Store(0)
	st.measuring.Store(true)
	interval := time.Duration(float64(time.Second) / cfg.rate)
	start := time.Now()
	deadline := start.Add(cfg.duration)
	next := 0
	for tick := start; tick.Before(deadline) && ctx.Err() == nil; tick = tick.Add(interval) {
		if d := time.Until(tick); d > 0 {
			sleep(ctx, d)
		}
		select {
		case camps[next].sendQ <- struct{}{}:
		default:
			st.skipped.Add(1) // the campaign's previous command is still being written
		}
		next = (next + 1) % len(camps)
	}
	elapsed := time.Since(start)
	delivered := st.delivered.Load()
	// Wait briefly for the last acks and patches.
	sleep(ctx, 2*time.Second)
	st.measuring.Store(false)
	st.report(elapsed, delivered)
	return nil
}

// isGMConn tells the non-driver connections that are GM connections: the
// first share -gm-view of them.
func isGMConn(k int, cfg config) bool {
	return k > 0 && float64(k-1) < cfg.gmView*float64(cfg.clients-1)
}

func (c *campaign) setupCombat(ctx context.Context) error {
	var res struct {
		CombatantID string `json:"combatantId"`
	}
	if err := c.wsCommand(ctx, "setup-start", "combat.start", map[string]any{"includePlayers": false}, nil, func() {}); err != nil &&
		!strings.HasSuffix(err.Error(), ": conflict") {
		return err
	}
	return c.wsCommand(ctx, "setup-add", "combat.add", map[string]any{"name": "Load target", "kind": "pc", "hp": 1, "maxHp": 100000}, &res, func() {
		c.target.Store(&res.CombatantID)
	})
}

// wsCommand sends a setup command on the driver and waits for its ack.
func (c *campaign) wsCommand(ctx context.Context, id, typ string, data any, out any, done func()) error {
	ch := make(chan error, 1)
	c.mu.Lock()
	c.acks[id] = &inflight{sent: time.Now()}
	c.mu.Unlock()
	setupWaiters.Store(c.id+"/"+id, func(raw json.RawMessage, code string) {
		if code != "" {
			ch <- fmt.Errorf("%s: %s", typ, code)
			return
		}
		if out != nil {
			if err := json.Unmarshal(raw, out); err != nil {
				ch <- err
				return
			}
		}
		done()
		ch <- nil
	})
	msg, _ := json.Marshal(map[string]any{"id": id, "type": typ, "data": data})
	if err := c.driver.Write(ctx, websocket.MessageText, msg); err != nil {
		return err
	}
	select {
	case err := <-ch:
		return err
	case <-time.After(30 * time.Second):
		return fmt.Errorf("%s: no ack in 30 s", typ)
	}
}

var setupWaiters sync.Map // campaign/id → func(result, errorCode)

// sender writes the campaign's commands as the ticker asks for them.
func (c *campaign) sender(ctx context.Context, st *stats) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-c.sendQ:
		}
		c.mu.Lock()
		c.next++
		hp := 2 + c.next%99990
		id := "l" + strconv.Itoa(c.next)
		f := &inflight{sent: time.Now(), remaining: c.conns}
		c.pending[hp] = f
		c.acks[id] = f
		c.mu.Unlock()
		msg := fmt.Appendf(nil, `{"id":%q,"type":"combat.update","data":{"combatantId":%q,"hp":%d}}`, id, *c.target.Load(), hp)
		wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		err := c.driver.Write(wctx, websocket.MessageText, msg)
		cancel()
		st.sent.Add(1)
		if err != nil {
			st.addErr("write")
		}
	}
}

// read consumes one connection's frames: patches complete fan-outs, acks
// complete round trips (driver only).
//
// It runs on the same cores as the server, so it reads cheaply: without a
// context per read (coder/websocket arms a context.AfterFunc for every
// Reader call whose context can end; here the socket is closed once when
// ctx ends instead), into a buffer reused between messages.
func (c *campaign) read(ctx context.Context, conn *websocket.Conn, driver bool, st *stats) {
	defer conn.CloseNow()
	stop := context.AfterFunc(ctx, func() { conn.CloseNow() })
	defer stop()
	var (
		key []byte
		buf bytes.Buffer
	)
	for {
		data, err := readMessage(conn, &buf)
		if err != nil {
			if ctx.Err() == nil {
				st.closed.Add(1)
				st.addErr("closed: " + websocket.CloseStatus(err).String())
			}
			return
		}
		now := time.Now()
		if key == nil {
			if t := c.target.Load(); t != nil {
				key = []byte(`"` + *t + `":{"hp":`)
			}
		}
		for line := range bytes.SplitSeq(data, []byte("\n")) {
			if len(line) == 0 {
				continue
			}
			switch {
			case bytes.HasPrefix(line, []byte(`{"type":"patch"`)):
				if st.measuring.Load() {
					st.delivered.Add(1)
				}
				if key == nil {
					continue
				}
				i := bytes.Index(line, key)
				if i < 0 {
					continue
				}
				rest := line[i+len(key):]
				j := bytes.IndexAny(rest, ",}")
				if j < 0 {
					continue
				}
				hp, err := strconv.Atoi(string(rest[:j]))
				if err != nil {
					continue
				}
				c.mu.Lock()
				f := c.pending[hp]
				var done bool
				if f != nil {
					f.remaining--
					if done = f.remaining == 0; done {
						delete(c.pending, hp)
					}
				}
				c.mu.Unlock()
				if done && st.measuring.Load() {
					st.mu.Lock()
					st.fanout = append(st.fanout, now.Sub(f.sent))
					st.mu.Unlock()
				}
			case driver && (bytes.HasPrefix(line, []byte(`{"type":"ack"`)) || bytes.HasPrefix(line, []byte(`{"type":"error"`))):
				var m struct {
					Type   string          `json:"type"`
					ID     string          `json:"id"`
					Code   string          `json:"code"`
					Result json.RawMessage `json:"result"`
				}
				if json.Unmarshal(line, &m) != nil {
					st.addErr("bad frame")
					continue
				}
				c.mu.Lock()
				f := c.acks[m.ID]
				delete(c.acks, m.ID)
				c.mu.Unlock()
				if w, ok := setupWaiters.LoadAndDelete(c.id + "/" + m.ID); ok {
					w.(func(json.RawMessage, string))(m.Result, m.Code)
					continue
				}
				if m.Type == "error" {
					st.addErr(m.Code)
					continue
				}
				st.acked.Add(1)
				if f != nil && st.measuring.Load() {
					st.mu.Lock()
					st.roundTrip = append(st.roundTrip, now.Sub(f.sent))
					st.mu.Unlock()
				}
			case bytes.HasPrefix(line, []byte(`{"type":"error"`)):
				st.addErr("error frame")
			}
		}
	}
}

// readMessage reads the next data message into buf, whose memory is
// reused from message to message. Unlike conn.Read it neither arms a
// context per message nor allocates a buffer per message; the
// connection's read limit still applies.
func readMessage(conn *websocket.Conn, buf *bytes.Buffer) ([]byte, error) {
	_, r, err := conn.Reader(context.Background())
	if err != nil {
		return nil, err
	}
	buf.Reset()
	_, err = buf.ReadFrom(r)
	return buf.Bytes(), err
}

func (s *stats) report(elapsed time.Duration, delivered int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	secs := elapsed.Seconds()
	fmt.Printf("commands: %d sent, %d acked in %s: %.1f commands/s (%d ticks skipped: previous write still pending)\n",
		s.sent.Load(), s.acked.Load(), elapsed.Round(time.Millisecond), float64(s.acked.Load())/secs, s.skipped.Load())
	fmt.Printf("deliveries: %d patches received over all connections: %.0f deliveries/s\n", delivered, float64(delivered)/secs)
	fmt.Printf("fan-out (send -> patch at the last connection of the campaign): %s\n", summary(s.fanout, true))
	fmt.Printf("round trip (send -> ack): %s\n", summary(s.roundTrip, false))
	fmt.Printf("errors: %d", s.errors.Load())
	s.errCodes.Range(func(k, v any) bool {
		fmt.Printf(" [%s: %d]", k, v.(*atomic.Int64).Load())
		return true
	})
	fmt.Println()
}

func summary(d []time.Duration, withMax bool) string {
	if len(d) == 0 {
		return "no samples"
	}
	slices.Sort(d)
	q := func(p float64) time.Duration { return d[min(len(d)-1, int(p*float64(len(d))))] }
	s := fmt.Sprintf("n=%d p50=%s p99=%s", len(d), ms(q(0.50)), ms(q(0.99)))
	if withMax {
		s += " max=" + ms(d[len(d)-1])
	}
	return s
}

func ms(d time.Duration) string { return strconv.FormatFloat(float64(d)/1e6, 'f', 2, 64) + "ms" }

// do sends a JSON request and decodes a JSON answer into out (if not nil).
func (u *user) do(ctx context.Context, base *url.URL, method, path string, body, out any) error {
	if base == nil {
		return errors.New("no base URL")
	}
	b, _ := json.Marshal(body)
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, base.String()+path, bytes.NewReader(b))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	res, err := u.client.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(io.LimitReader(res.Body, 1<<20))
	if res.StatusCode >= 300 {
		return fmt.Errorf("%s %s: %d %s", method, path, res.StatusCode, bytes.TrimSpace(raw))
	}
	if out != nil {
		return json.Unmarshal(raw, out)
	}
	return nil
}

const (
	rss   = "process_resident_memory_bytes"
	heap  = "go_memstats_heap_inuse_bytes"
	stack = "go_memstats_stack_inuse_bytes"
)

// serverMemory reads the server's resident memory (RSS) and its Go heap
// and stacks in use from /metrics. RSS is what the target is about; it
// moves with the garbage collector, so the heap and stacks in use are
// reported beside it.
func serverMemory(ctx context.Context, base *url.URL) (map[string]int64, error) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, base.String()+"/metrics", nil)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(io.LimitReader(res.Body, 8<<20))
	out := map[string]int64{}
	for line := range strings.SplitSeq(string(raw), "\n") {
		for _, name := range []string{rss, heap, stack} {
			if v, ok := strings.CutPrefix(line, name+" "); ok {
				f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
				if err != nil {
					return nil, err
				}
				out[name] = int64(f)
			}
		}
	}
	if _, ok := out[rss]; !ok {
		return nil, errors.New("no process_resident_memory_bytes in /metrics")
	}
	return out, nil
}

// parallel runs fn(0..n-1) with at most k at once; the first error stops it.
func parallel(ctx context.Context, k, n int, fn func(context.Context, int) error) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	sem := make(chan struct{}, max(k, 1))
	var wg sync.WaitGroup
	for i := 0; i < n && ctx.Err() == nil; i++ {
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			if err := fn(ctx, i); err != nil {
				cancel(err)
			}
		}()
	}
	wg.Wait()
	if err := context.Cause(ctx); err != nil && !errors.Is(err, context.Canceled) {
		return err
	}
	return ctx.Err()
}

func sleep(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}
