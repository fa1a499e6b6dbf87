package hub

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"gametable/db"
	"gametable/db/dbtest"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

// waitTimeout bounds every wait of the tests for something the server
// does; nothing waits by sleeping.
const waitTimeout = 10 * time.Second

// testBundle is a campaign with a GM and two players, and a registry.
type testBundle struct {
	names      map[string]string // user id → display name
	pool       *pgxpool.Pool
	reg        *Registry
	campaignID string
	gm         string
	player     string
	player2    string
}

// setup makes a fresh database, a campaign and a registry with test
// options (no rate limit unless set; fast pings off).
func setup(t *testing.T, opts ...func(*Options)) *testBundle {
	t.Helper()
	pool := dbtest.New(t)
	b := &testBundle{pool: pool, names: map[string]string{}}
	b.gm = createUser(t, pool, "gm", "Greta GM")
	b.player = createUser(t, pool, "p1", "Pat")
	b.player2 = createUser(t, pool, "p2", "Quinn")
	b.names[b.gm], b.names[b.player], b.names[b.player2] = "Greta GM", "Pat", "Quinn"
	b.campaignID = createCampaign(t, pool, b.gm, "The Sunken Keep")
	addMember(t, pool, b.campaignID, b.player, "player", "Fighter")
	addMember(t, pool, b.campaignID, b.player2, "player", "")
	b.reg = newTestRegistry(t, pool, opts...)
	return b
}

func newTestRegistry(t *testing.T, pool *pgxpool.Pool, opts ...func(*Options)) *Registry {
	t.Helper()
	o := Options{Pool: pool, IdleTimeout: time.Minute}
	if os.Getenv("HUB_TEST_LOG") != "" {
		o.Logger = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	for _, f := range opts {
		f(&o)
	}
	r, err := NewRegistry(o)
	require.NoError(t, err)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
		defer cancel()
		require.NoError(t, r.Shutdown(ctx))
	})
	return r
}

func createUser(t *testing.T, pool *pgxpool.Pool, handle, name string) string {
	t.Helper()
	u, err := db.New(pool).UserCreate(t.Context(), db.UserCreateParams{
		Email: handle + "-" + uuid.NewString()[:8] + "@example.test", DisplayName: name, PasswordHash: "x",
	})
	require.NoError(t, err)
	return u.ID.String()
}

func createCampaign(t *testing.T, pool *pgxpool.Pool, owner, name string) string {
	t.Helper()
	q := db.New(pool)
	// CampaignCreate makes the owner its first GM.
	c, err := q.CampaignCreate(t.Context(), db.CampaignCreateParams{Name: name, TimeZone: "UTC", OwnerID: uuid.MustParse(owner)})
	require.NoError(t, err)
	return c.ID.String()
}

func addMember(t *testing.T, pool *pgxpool.Pool, campaignID, userID, role, character string) {
	t.Helper()
	var ch *string
	if character != "" {
		ch = &character
	}
	_, err := db.New(pool).MembershipCreate(t.Context(), db.MembershipCreateParams{
		CampaignID: uuid.MustParse(campaignID), UserID: uuid.MustParse(userID), Role: role, CharacterName: ch,
	})
	require.NoError(t, err)
}

// fakeConn is an in-memory WebSocket connection: the test plays the peer.
type fakeConn struct {
	in     chan []byte // frames the peer sends
	out    chan []byte // frames the server wrote
	closed chan struct{}
	once   sync.Once

	mu        sync.Mutex
	code      websocket.StatusCode
	reason    string
	readLimit int64

	// stall, when set, makes Write block until the connection closes
	// (a peer that does not read).
	stall atomic.Bool
	// writing is set while a stalled Write waits.
	writing atomic.Bool
}

func newFakeConn() *fakeConn {
	return &fakeConn{in: make(chan []byte, 64), out: make(chan []byte, 100000), closed: make(chan struct{}), code: -1}
}

var _ wsConn = (*fakeConn)(nil)

func (f *fakeConn) Reader(ctx context.Context) (websocket.MessageType, io.Reader, error) {
	select {
	case b := <-f.in:
		if f.readLimit > 0 && int64(len(b)) > f.readLimit {
			f.Close(websocket.StatusMessageTooBig, "read limited")
			return 0, nil, errors.New("read limited")
		}
		return websocket.MessageText, bytes.NewReader(b), nil
	case <-f.closed:
		return 0, nil, net.ErrClosed
	case <-ctx.Done():
		f.CloseNow()
		return 0, nil, ctx.Err()
	}
}

func (f *fakeConn) Write(ctx context.Context, typ websocket.MessageType, p []byte) error {
	if f.stall.Load() {
		f.writing.Store(true)
		<-f.closed
		return net.ErrClosed
	}
	select {
	case <-f.closed:
		return net.ErrClosed
	default:
	}
	select {
	case f.out <- bytes.Clone(p):
		return nil
	case <-f.closed:
		return net.ErrClosed
	}
}

func (f *fakeConn) Ping(ctx context.Context) error { return nil }

func (f *fakeConn) Close(code websocket.StatusCode, reason string) error {
	f.once.Do(func() {
		f.mu.Lock()
		f.code, f.reason = code, reason
		f.mu.Unlock()
		close(f.closed)
	})
	return nil
}

func (f *fakeConn) CloseNow() error { return f.Close(websocket.StatusAbnormalClosure, "") }

func (f *fakeConn) SetReadLimit(n int64) { f.readLimit = n }

func (f *fakeConn) closeCode() websocket.StatusCode {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.code
}

// serverMsg is any server message, decoded.
type serverMsg struct {
	Type    string            `json:"type"`
	Epoch   string            `json:"epoch"`
	Seq     int64             `json:"seq"`
	View    string            `json:"view"`
	State   json.RawMessage   `json:"state"`
	Patch   json.RawMessage   `json:"patch"`
	ID      string            `json:"id"`
	Result  json.RawMessage   `json:"result"`
	Code    string            `json:"code"`
	Message string            `json:"message"`
	Fields  map[string]string `json:"fields"`
	raw     []byte
}

// peer is the client side of a live connection: it keeps the state it
// built from the snapshot and the patches and checks the protocol's
// guarantees as messages arrive.
type peer struct {
	t      *testing.T
	name   string
	next   func() ([]byte, bool) // the next frame, false when closed
	sendFn func(string)
	queue  []serverMsg

	epoch string
	seq   int64
	state any
	msgs  []serverMsg // everything received
	// acked remembers, per command id, the seq of the last patch seen
	// before its ack.
	acked map[string]int64
}

func newPeer(t *testing.T, name string, next func() ([]byte, bool), send func(string)) *peer {
	return &peer{t: t, name: name, next: next, sendFn: send, acked: map[string]int64{}}
}

func (p *peer) send(format string, args ...any) {
	p.sendFn(fmt.Sprintf(format, args...))
}

// recv returns the next message, applying snapshots and patches and
// checking that seqs have no gaps. ok is false when the connection closed.
func (p *peer) recv() (serverMsg, bool) {
	p.t.Helper()
	for len(p.queue) == 0 {
		frame, ok := p.next()
		if !ok {
			return serverMsg{}, false
		}
		for _, line := range bytes.Split(frame, []byte("\n")) {
			var m serverMsg
			require.NoError(p.t, json.Unmarshal(line, &m), "%s: frame %q", p.name, line)
			m.raw = line
			p.queue = append(p.queue, m)
		}
	}
	m := p.queue[0]
	p.queue = p.queue[1:]
	if len(p.msgs) == 0 {
		require.Contains(p.t, []string{"snapshot", "resumed"}, m.Type, "%s: first message", p.name)
	}
	p.msgs = append(p.msgs, m)
	switch m.Type {
	case "snapshot":
		var st any
		require.NoError(p.t, json.Unmarshal(m.State, &st))
		p.state, p.seq, p.epoch = st, m.Seq, m.Epoch
	case "resumed":
		require.Equal(p.t, p.epoch, m.Epoch, "%s: resumed in another epoch", p.name)
		require.Equal(p.t, p.seq, m.Seq, "%s: resumed at another seq", p.name)
	case "patch":
		require.Equal(p.t, p.seq+1, m.Seq, "%s: seq gap", p.name)
		var pv any
		require.NoError(p.t, json.Unmarshal(m.Patch, &pv))
		p.state = mergePatch(p.state, pv)
		p.seq = m.Seq
	case "ack":
		require.LessOrEqual(p.t, m.Seq, p.seq, "%s: ack %s before the patch carrying it", p.name, m.ID)
		p.acked[m.ID] = m.Seq
	}
	return m, true
}

// until receives messages until pred accepts one, and returns it.
func (p *peer) until(pred func(serverMsg) bool) serverMsg {
	p.t.Helper()
	for {
		m, ok := p.recv()
		require.True(p.t, ok, "%s: connection closed while waiting", p.name)
		if pred(m) {
			return m
		}
	}
}

// reply waits for the ack or error answering command id.
func (p *peer) reply(id string) serverMsg {
	p.t.Helper()
	return p.until(func(m serverMsg) bool { return (m.Type == "ack" || m.Type == "error") && m.ID == id })
}

// ack waits for the ack of id, failing on an error.
func (p *peer) ack(id string) serverMsg {
	p.t.Helper()
	m := p.reply(id)
	require.Equal(p.t, "ack", m.Type, "%s: %s: %s %s %v", p.name, id, m.Code, m.Message, m.Fields)
	return m
}

// do sends a command and waits for its ack.
func (p *peer) do(id, typ, data string) serverMsg {
	p.t.Helper()
	p.send(`{"id":%q,"type":%q,"data":%s}`, id, typ, data)
	return p.ack(id)
}

// catchUp receives until the peer's seq reaches seq.
func (p *peer) catchUp(seq int64) {
	p.t.Helper()
	for p.seq < seq {
		_, ok := p.recv()
		require.True(p.t, ok, "%s: closed at seq %d waiting for %d", p.name, p.seq, seq)
	}
}

// rawFrames returns everything received, as raw bytes.
func (p *peer) rawFrames() string {
	var b strings.Builder
	for _, m := range p.msgs {
		b.Write(m.raw)
		b.WriteByte('\n')
	}
	return b.String()
}

// fakePeer connects a fake client to the registry.
type fakePeer struct {
	*peer
	fc   *fakeConn
	done chan error
}

func (b *testBundle) connect(t *testing.T, userID string, role Role, view View, res Resume) *fakePeer {
	t.Helper()
	return connectFake(t, b.reg, Participant{CampaignID: b.campaignID, UserID: userID, DisplayName: b.names[userID], Role: role, View: view, SessionID: "s-" + userID}, res)
}

func connectFake(t *testing.T, r *Registry, p Participant, res Resume) *fakePeer {
	t.Helper()
	fc := newFakeConn()
	fp := &fakePeer{fc: fc, done: make(chan error, 1)}
	go func() { fp.done <- r.serve(context.Background(), fc, p, res) }()
	timer := time.NewTimer(waitTimeout)
	t.Cleanup(func() { timer.Stop() })
	next := func() ([]byte, bool) {
		select {
		case b := <-fc.out:
			return b, true
		case <-fc.closed:
			select {
			case b := <-fc.out:
				return b, true
			default:
				return nil, false
			}
		case <-time.After(waitTimeout):
			t.Fatalf("no frame within %s", waitTimeout)
			return nil, false
		}
	}
	send := func(s string) {
		select {
		case fc.in <- []byte(s):
		case <-fc.closed:
		}
	}
	fp.peer = newPeer(t, string(p.Role)+"/"+string(p.View)+"/"+p.UserID[:4], next, send)
	t.Cleanup(func() { fc.CloseNow() })
	return fp
}

// waitClosed waits until the server closed the connection and returns the
// close code.
func (f *fakePeer) waitClosed(t *testing.T) websocket.StatusCode {
	t.Helper()
	select {
	case <-f.fc.closed:
	case <-time.After(waitTimeout):
		t.Fatal("connection not closed")
	}
	select {
	case <-f.done:
	case <-time.After(waitTimeout):
		t.Fatal("ServeConn did not return")
	}
	return f.fc.closeCode()
}

// freshState connects a new peer and returns its snapshot's state and seq.
func (b *testBundle) freshState(t *testing.T, userID string, role Role, view View) (any, int64) {
	t.Helper()
	p := b.connect(t, userID, role, view, Resume{})
	m, ok := p.recv()
	require.True(t, ok)
	require.Equal(t, "snapshot", m.Type)
	p.fc.CloseNow()
	<-p.done
	return p.state, p.seq
}

// field digs into a decoded JSON value: field(v, "combat", "round").
func field(v any, path ...string) any {
	for _, k := range path {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}
