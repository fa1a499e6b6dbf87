package hub

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"gametable/db"
	"gametable/db/dbtest"
)

// These tests run the live protocol over real sockets: an httptest server
// whose handler builds the Participant from query parameters (the real
// route authenticates the session and checks membership first) and hands
// the accepted connection to Registry.ServeConn.

// liveHandler is the test stand-in for the HTTP layer's live route.
func liveHandler(reg *Registry) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		p := Participant{
			CampaignID: q.Get("campaign"), UserID: q.Get("user"), DisplayName: q.Get("name"),
			Role: Role(q.Get("role")), View: View(q.Get("view")), SessionID: q.Get("session"),
		}
		var res Resume
		if e := q.Get("epoch"); e != "" {
			if since, err := strconv.ParseInt(q.Get("since"), 10, 64); err == nil {
				res = Resume{Epoch: e, Seq: since}
			}
		}
		conn, err := websocket.Accept(w, r, &websocket.AcceptOptions{OriginPatterns: []string{"gametable.example"}})
		if err != nil {
			return
		}
		_ = reg.ServeConn(r.Context(), conn, p, res)
	})
}

// smallBufferListener shrinks the send buffer of accepted connections, so
// that a peer that does not read fills it quickly.
type smallBufferListener struct{ net.Listener }

func (l smallBufferListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if tc, ok := c.(*net.TCPConn); ok {
		_ = tc.SetWriteBuffer(8 << 10)
	}
	return c, err
}

func startLiveServer(t *testing.T, reg *Registry, small bool) *httptest.Server {
	t.Helper()
	srv := httptest.NewUnstartedServer(liveHandler(reg))
	if small {
		srv.Listener = smallBufferListener{srv.Listener}
	}
	srv.Start()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
		defer cancel()
		_ = reg.Shutdown(ctx)
		srv.Close()
	})
	return srv
}

// wsPeer is a peer over a real socket. A reader goroutine feeds frames to
// a channel, so that waiting with a timeout does not close the socket.
type wsPeer struct {
	*peer
	conn   *websocket.Conn
	frames chan []byte
	closed chan struct{}
	status websocket.StatusCode
}

type dialOpts struct {
	campaign, user, name string
	role                 Role
	view                 View
	res                  Resume
	tinyReadBuffer       bool
}

func dialPeer(t *testing.T, srv *httptest.Server, o dialOpts) *wsPeer {
	t.Helper()
	q := url.Values{"campaign": {o.campaign}, "user": {o.user}, "name": {o.name}, "role": {string(o.role)}, "view": {string(o.view)}, "session": {"sess-" + o.user}}
	if o.res.Epoch != "" {
		q.Set("epoch", o.res.Epoch)
		q.Set("since", strconv.FormatInt(o.res.Seq, 10))
	}
	u := "ws" + strings.TrimPrefix(srv.URL, "http") + "/live?" + q.Encode()
	opts := &websocket.DialOptions{}
	if o.tinyReadBuffer {
		opts.HTTPClient = &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			c, err := (&net.Dialer{}).DialContext(ctx, network, addr)
			if tc, ok := c.(*net.TCPConn); ok {
				_ = tc.SetReadBuffer(4 << 10)
			}
			return c, err
		}}}
	}
	ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
	defer cancel()
	conn, _, err := websocket.Dial(ctx, u, opts)
	require.NoError(t, err)
	conn.SetReadLimit(4 << 20)
	p := &wsPeer{conn: conn, frames: make(chan []byte, 1<<16), closed: make(chan struct{}), status: -1}
	if !o.tinyReadBuffer {
		go p.readFrames()
	}
	next := func() ([]byte, bool) {
		select {
		case f := <-p.frames:
			return f, true
		case <-p.closed:
			select {
			case f := <-p.frames:
				return f, true
			default:
				return nil, false
			}
		case <-time.After(waitTimeout):
			t.Fatalf("no frame within %s", waitTimeout)
			return nil, false
		}
	}
	send := func(s string) {
		ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
		defer cancel()
		_ = conn.Write(ctx, websocket.MessageText, []byte(s))
	}
	p.peer = newPeer(t, fmt.Sprintf("%s/%s/%s", o.role, o.view, o.name), next, send)
	t.Cleanup(func() { _ = conn.CloseNow() })
	return p
}

func (p *wsPeer) readFrames() {
	defer close(p.closed)
	for {
		_, b, err := p.conn.Read(context.Background())
		if err != nil {
			p.status = websocket.CloseStatus(err)
			return
		}
		p.frames <- b
	}
}

// waitClosed waits for the server to close the socket and returns the
// close code the peer saw.
func (p *wsPeer) waitClosed(t *testing.T) websocket.StatusCode {
	t.Helper()
	select {
	case <-p.closed:
	case <-time.After(waitTimeout):
		t.Fatal("socket not closed")
	}
	return p.status
}

// e2eBundle is setup plus a live server.
type e2eBundle struct {
	*testBundle
	srv *httptest.Server
}

func setupE2E(t *testing.T, small bool, opts ...func(*Options)) *e2eBundle {
	b := setup(t, opts...)
	return &e2eBundle{testBundle: b, srv: startLiveServer(t, b.reg, small)}
}

func (b *e2eBundle) dial(t *testing.T, user string, role Role, view View, res Resume) *wsPeer {
	return dialPeer(t, b.srv, dialOpts{campaign: b.campaignID, user: user, name: b.names[user], role: role, view: view, res: res})
}

// TestE2E_Table plays a session: two GMs, the shared screen (a GM on the
// player view) and two players, sending commands concurrently.
func TestE2E_Table(t *testing.T) {
	t.Parallel()
	b := setupE2E(t, false)
	gm1 := b.dial(t, b.gm, RoleGM, ViewGM, Resume{})
	gm2 := b.dial(t, b.gm, RoleGM, "", Resume{})
	screen := b.dial(t, b.gm, RoleGM, ViewPlayer, Resume{})
	p1 := b.dial(t, b.player, RolePlayer, ViewPlayer, Resume{})
	p2 := b.dial(t, b.player2, RolePlayer, ViewGM, Resume{})
	all := []*wsPeer{gm1, gm2, screen, p1, p2}
	for _, p := range all {
		p.recv()
	}

	gm1.do("start", "combat.start", `{}`)
	secret := resultString(t, gm1.do("h1", "combat.add", `{"name":"Night Hag","kind":"monster","hp":112,"maxHp":112,"ac":17,"hidden":true,"initiative":19}`), "combatantId")
	orc := resultString(t, gm1.do("o1", "combat.add", `{"name":"Orc","kind":"monster","hp":15,"maxHp":15,"ac":13,"initiativeBonus":1}`), "combatantId")
	gm1.do("roll", "combat.rollInitiative", `{}`)
	var mine string
	for id, c := range field(gm1.state, "combat", "combatants").(map[string]any) {
		if field(c, "userId") == b.player {
			mine = id
		}
	}

	// Two GMs damage the orc at once: both count.
	var wg sync.WaitGroup
	for i, g := range []*wsPeer{gm1, gm2} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range 5 {
				g.send(`{"id":"dmg-%d-%d","type":"combat.damage","data":{"combatantId":%q,"amount":1}}`, i, j, orc)
			}
		}()
	}
	wg.Wait()
	for i, g := range []*wsPeer{gm1, gm2} {
		for j := range 5 {
			g.ack(fmt.Sprintf("dmg-%d-%d", i, j))
		}
	}
	gm1.do("hag", "combat.damage", fmt.Sprintf(`{"combatantId":%q,"amount":30}`, secret))
	gm2.do("cond", "combat.condition", fmt.Sprintf(`{"combatantId":%q,"condition":"frightened","active":true,"rounds":1}`, mine))
	p1.do("mine", "combat.update", fmt.Sprintf(`{"combatantId":%q,"hp":22,"tempHp":5}`, mine))
	p1.do("ouch", "combat.damage", fmt.Sprintf(`{"combatantId":%q,"amount":7}`, mine))
	for i := range 6 {
		gm2.do(fmt.Sprint("next", i), "combat.next", `{}`)
	}
	p2.send(`{"id":"peek","type":"combat.heal","data":{"combatantId":%q,"amount":1}}`, secret)
	require.Equal(t, "not_found", p2.reply("peek").Code)
	gm1.do("reveal-orc", "combat.update", fmt.Sprintf(`{"combatantId":%q,"name":"Orc Chief"}`, orc))

	// Every connection's state equals a fresh snapshot of its view.
	gmFresh := b.dial(t, b.gm, RoleGM, ViewGM, Resume{})
	gmFresh.recv()
	plFresh := b.dial(t, b.player2, RolePlayer, ViewPlayer, Resume{})
	plFresh.recv()
	for _, p := range []*wsPeer{gm1, gm2} {
		p.catchUp(gmFresh.seq)
		require.Equal(t, gmFresh.state, p.state, p.name)
	}
	for _, p := range []*wsPeer{screen, p1, p2} {
		p.catchUp(plFresh.seq)
		require.Equal(t, plFresh.state, p.state, p.name)
	}
	require.Equal(t, float64(5), field(gmFresh.state, "combat", "combatants", orc, "hp"))
	require.Equal(t, float64(82), field(gmFresh.state, "combat", "combatants", secret, "hp"))
	// 22 hp and 5 temp, then 7 damage: the temp HP go first.
	require.Equal(t, float64(20), field(p1.state, "combat", "combatants", mine, "hp"))
	require.Equal(t, float64(0), field(p1.state, "combat", "combatants", mine, "tempHp"))
	require.Equal(t, "bloodied", field(p1.state, "combat", "combatants", orc, "health"))

	// Player frames never carry hidden data.
	for _, p := range []*wsPeer{screen, p1, p2, plFresh} {
		raw := p.rawFrames()
		for _, s := range []string{secret, "Night Hag", `"ac"`, `"hidden"`, `"maxHp":15`} {
			require.NotContains(t, raw, s, "%s saw %s", p.name, s)
		}
	}
}

func TestE2E_ResumeAndRetry(t *testing.T) {
	t.Parallel()
	b := setupE2E(t, false)
	gm := b.dial(t, b.gm, RoleGM, ViewGM, Resume{})
	gm.recv()
	gm.do("s", "combat.start", `{"includePlayers":false}`)
	target := resultString(t, gm.do("a", "combat.add", `{"name":"Ogre","kind":"monster","hp":59,"maxHp":59}`), "combatantId")

	// A command whose ack the client never reads: it reconnects, resumes
	// and sends it again. It is applied once.
	gm.send(`{"id":"lost","type":"combat.damage","data":{"combatantId":%q,"amount":9}}`, target)
	epoch, seq, state := gm.epoch, gm.seq, gm.state
	_ = gm.conn.CloseNow()

	again := b.dial(t, b.gm, RoleGM, ViewGM, Resume{Epoch: epoch, Seq: seq})
	again.epoch, again.seq, again.state = epoch, seq, state
	m, _ := again.recv()
	require.Equal(t, "resumed", m.Type)
	again.send(`{"id":"lost","type":"combat.damage","data":{"combatantId":%q,"amount":9}}`, target)
	ack := again.ack("lost")
	require.LessOrEqual(t, ack.Seq, again.seq)
	require.Equal(t, float64(50), field(again.state, "combat", "combatants", target, "hp"))

	wrong := b.dial(t, b.gm, RoleGM, ViewGM, Resume{Epoch: "not-the-epoch", Seq: seq})
	m, _ = wrong.recv()
	require.Equal(t, "snapshot", m.Type)
	require.Equal(t, float64(50), field(wrong.state, "combat", "combatants", target, "hp"))
}

// TestE2E_SlowClient: a client that never reads while thousands of patches
// go out is cut off; the others get everything.
func TestE2E_SlowClient(t *testing.T) {
	t.Parallel()
	// The stalled write is cut as "slow" when the queue overflows, not by
	// the watchdog after WriteTimeout (which a starved machine may reach).
	b := setupE2E(t, true, func(o *Options) { o.MaxQueueBytes, o.WriteTimeout = 16<<10, time.Minute })
	gm := b.dial(t, b.gm, RoleGM, ViewGM, Resume{})
	gm.recv()
	watcher := b.dial(t, b.player2, RolePlayer, ViewPlayer, Resume{})
	watcher.recv()
	slow := dialPeer(t, b.srv, dialOpts{campaign: b.campaignID, user: b.player, name: "Pat", role: RolePlayer, view: ViewPlayer, tinyReadBuffer: true})

	gm.do("s", "combat.start", `{"includePlayers":false}`)
	target := resultString(t, gm.do("a", "combat.add", `{"name":"Target","kind":"monster","hp":1,"maxHp":1}`), "combatantId")
	long := strings.Repeat("x", 70)
	const n = 1000
	start := time.Now()
	for i := range n {
		gm.send(`{"id":"r%d","type":"combat.update","data":{"combatantId":%q,"name":"%s%05d"}}`, i, target, long, i)
	}
	last := gm.ack(fmt.Sprint("r", n-1))
	watcher.catchUp(last.Seq)
	require.Equal(t, fmt.Sprintf("%s%05d", long, n-1), field(watcher.state, "combat", "combatants", target, "name"))
	t.Logf("%d patches to the watcher in %s", n, time.Since(start))

	// The slow client's socket was closed by the server: reading now
	// drains what the kernel buffered, then ends.
	done := make(chan websocket.StatusCode, 1)
	go func() {
		for {
			if _, _, err := slow.conn.Read(context.Background()); err != nil {
				done <- websocket.CloseStatus(err)
				return
			}
		}
	}()
	select {
	case <-done:
	case <-time.After(waitTimeout):
		t.Fatal("slow client not cut off")
	}
	t.Logf("slow client drained after %s", time.Since(start))
	require.Equal(t, 1.0, counterValue(t, b.reg, "slow"))
}

// TestE2E_BadFrames sends what a broken or hostile client might: the
// connection answers with errors, changes nothing, and closes only for an
// oversized frame or a flood.
func TestE2E_BadFrames(t *testing.T) {
	t.Parallel()
	b := setupE2E(t, false)
	gm := b.dial(t, b.gm, RoleGM, ViewGM, Resume{})
	gm.recv()
	gm.do("s", "combat.start", `{"includePlayers":false}`)
	gm.catchUp(gm.seq)
	before := gm.seq

	bad := []struct {
		name, frame, code string
		binary            bool
	}{
		{"MalformedJSON", `{"id":"x","type":`, "bad_request", false},
		{"InvalidUTF8", "{\"id\":\"u\",\"type\":\"combat.add\",\"data\":{\"name\":\"\xc3\x28\",\"kind\":\"pc\",\"hp\":1,\"maxHp\":1}}", "bad_request", false},
		{"UnknownType", `{"id":"t","type":"combat.fireball","data":{}}`, "bad_request", false},
		{"WrongTypes", `{"id":"w","type":"combat.add","data":{"name":"Orc","kind":"monster","hp":"7","maxHp":7}}`, "bad_request", false},
		{"NotAnObject", `[1,2,3]`, "bad_request", false},
		{"Binary", `{"id":"b","type":"ping"}`, "bad_request", true},
		{"Invalid", `{"id":"v","type":"combat.add","data":{"name":"","kind":"monster","hp":-1,"maxHp":7}}`, "validation_failed", false},
	}
	for _, tt := range bad {
		typ := websocket.MessageText
		if tt.binary {
			typ = websocket.MessageBinary
		}
		require.NoError(t, gm.conn.Write(context.Background(), typ, []byte(tt.frame)), tt.name)
		m := gm.until(func(m serverMsg) bool { return m.Type == "error" })
		require.Equal(t, tt.code, m.Code, tt.name)
	}
	gm.send(`{"id":"still-here","type":"ping"}`)
	gm.until(func(m serverMsg) bool { return m.Type == "pong" })
	require.Equal(t, before, gm.seq, "nothing changed")

	t.Run("Oversized", func(t *testing.T) {
		p := b.dial(t, b.player, RolePlayer, ViewPlayer, Resume{})
		p.recv()
		big := `{"id":"big","type":"ping","data":{"pad":"` + strings.Repeat("a", MaxFrameBytes) + `"}}`
		_ = p.conn.Write(context.Background(), websocket.MessageText, []byte(big))
		require.Equal(t, websocket.StatusMessageTooBig, p.waitClosed(t))
	})
	t.Run("Flood", func(t *testing.T) {
		p := b.dial(t, b.player2, RolePlayer, ViewPlayer, Resume{})
		p.recv()
		for range 100 {
			if p.conn.Write(context.Background(), websocket.MessageText, []byte(`nope`)) != nil {
				break
			}
		}
		require.Equal(t, websocket.StatusPolicyViolation, p.waitClosed(t))
	})
}

// TestE2E_CrashSafety streams commands at a server process and kills it
// with SIGKILL: after a restart every acknowledged change is there, no
// command is half-applied, and retrying the unacknowledged ones applies
// each exactly once.
func TestE2E_CrashSafety(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("starts server processes")
	}
	dbURL := dbtest.URL(t)
	ctx := context.Background()
	pool, err := db.NewPool(ctx, dbURL, nil)
	require.NoError(t, err)
	t.Cleanup(pool.Close)
	gmID := createUser(t, pool, "gm", "Greta GM")
	campaignID := createCampaign(t, pool, gmID, "Crash Keep")
	const startHP = 100000

	child := startChild(t, dbURL)
	dial := func(addr string, res Resume) *wsPeer {
		srv := &httptest.Server{URL: "http://" + addr}
		return dialPeer(t, srv, dialOpts{campaign: campaignID, user: gmID, name: "Greta", role: RoleGM, view: ViewGM, res: res})
	}
	gm := dial(child.addr, Resume{})
	gm.recv()
	gm.do("s", "combat.start", `{"includePlayers":false}`)
	target := resultString(t, gm.do("a", "combat.add", fmt.Sprintf(`{"name":"Tarrasque","kind":"monster","hp":%d,"maxHp":%d}`, startHP, startHP)), "combatantId")

	// Stream damage commands with a window of 16 in flight; kill the
	// server once 150 are acked.
	acked := map[string]bool{}
	sent := 0
	const window = 16
	killed := false
	for !killed {
		for sent-len(acked) < window {
			gm.send(`{"id":"d%d","type":"combat.damage","data":{"combatantId":%q,"amount":1}}`, sent, target)
			sent++
		}
		m, ok := gm.recv()
		if !ok {
			break
		}
		if m.Type == "ack" && strings.HasPrefix(m.ID, "d") {
			acked[m.ID] = true
			if len(acked) == 150 {
				child.kill(t)
				killed = true
			}
		}
	}
	require.True(t, killed)
	// Acks already in flight before the kill count too.
	for {
		m, ok := gm.recv()
		if !ok {
			break
		}
		if m.Type == "ack" && strings.HasPrefix(m.ID, "d") {
			acked[m.ID] = true
		}
	}

	child = startChild(t, dbURL)
	var hp int
	require.NoError(t, pool.QueryRow(ctx, `SELECT hp FROM combatants WHERE id = $1`, target).Scan(&hp))
	applied := startHP - hp
	require.GreaterOrEqual(t, applied, len(acked), "an acknowledged change was lost")
	require.LessOrEqual(t, applied, sent)

	// Nothing half-applied: every applied command has its outcome record
	// and its logged patch, and the seq counter matches the log.
	var records int
	require.NoError(t, pool.QueryRow(ctx, `SELECT count(*) FROM live_commands WHERE campaign_id = $1 AND command_id LIKE 'd%'`, campaignID).Scan(&records))
	require.Equal(t, applied, records)
	var seq, maxLogged int64
	require.NoError(t, pool.QueryRow(ctx, `SELECT live_gm_seq FROM campaigns WHERE id = $1`, campaignID).Scan(&seq))
	require.NoError(t, pool.QueryRow(ctx, `SELECT coalesce(max(seq), 0) FROM live_events WHERE campaign_id = $1 AND view = 'gm'`, campaignID).Scan(&maxLogged))
	require.Equal(t, seq, maxLogged)
	var hpPatches int
	require.NoError(t, pool.QueryRow(ctx, `SELECT count(*) FROM live_events WHERE campaign_id = $1 AND view = 'gm' AND patch::text LIKE '%"hp"%'`, campaignID).Scan(&hpPatches))
	require.Equal(t, applied+1, hpPatches, "one patch per damage, and the add's")

	// The client reconnects (a new epoch: a snapshot) and retries what
	// it did not see acknowledged: each id lands exactly once.
	again := dial(child.addr, Resume{Epoch: gm.epoch, Seq: gm.seq})
	m, _ := again.recv()
	require.Equal(t, "snapshot", m.Type)
	require.NotEqual(t, gm.epoch, m.Epoch)
	require.Equal(t, float64(hp), field(again.state, "combat", "combatants", target, "hp"))
	for i := range sent {
		id := fmt.Sprint("d", i)
		if !acked[id] {
			again.do(id, "combat.damage", fmt.Sprintf(`{"combatantId":%q,"amount":1}`, target))
		}
	}
	fresh := dial(child.addr, Resume{})
	fresh.recv()
	require.Equal(t, float64(startHP-sent), field(fresh.state, "combat", "combatants", target, "hp"))
	child.kill(t)
}

// childServer is a gametable live server in another process: this test
// binary, re-executed to run TestCrashChild.
type childServer struct {
	cmd  *exec.Cmd
	addr string
	once sync.Once
}

func startChild(t *testing.T, dbURL string) *childServer {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), "HUB_CRASH_CHILD_DB="+dbURL)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	c := &childServer{cmd: cmd}
	t.Cleanup(func() { c.kill(t) })
	lines := bufio.NewScanner(out)
	addr := make(chan string, 1)
	go func() {
		for lines.Scan() {
			if a, ok := strings.CutPrefix(lines.Text(), "LIVE-ADDR "); ok {
				addr <- a
			}
		}
	}()
	select {
	case c.addr = <-addr:
	case <-time.After(30 * time.Second):
		t.Fatal("child server did not start")
	}
	return c
}

func (c *childServer) kill(t *testing.T) {
	c.once.Do(func() {
		_ = c.cmd.Process.Signal(syscall.SIGKILL)
		err := c.cmd.Wait()
		var ee *exec.ExitError
		if err != nil && !errors.As(err, &ee) {
			t.Errorf("wait for child: %v", err)
		}
	})
}

// TestCrashChild is the server process of TestE2E_CrashSafety; it runs only
// when that test starts it.
func TestCrashChild(t *testing.T) {
	dbURL := os.Getenv("HUB_CRASH_CHILD_DB")
	if dbURL == "" {
		t.Skip("runs as TestE2E_CrashSafety's server process")
	}
	pool, err := pgxpool.New(context.Background(), dbURL)
	require.NoError(t, err)
	reg, err := NewRegistry(Options{Pool: pool})
	require.NoError(t, err)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	fmt.Printf("LIVE-ADDR %s\n", ln.Addr())
	_ = http.Serve(ln, liveHandler(reg)) // until killed
}
