package hub

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// newMemoryHub is a hub without a database or a run loop, for tests that
// call its publishing directly.
func newMemoryHub() (*Registry, *Hub) {
	r := &Registry{
		opts:     Options{MaxQueueBytes: 1 << 20, PingInterval: time.Hour},
		hardStop: make(chan struct{}),
		metrics:  newMetrics(nil),
		logger:   slog.New(slog.DiscardHandler),
		rules:    defaultRules(),
	}
	h := newHub(r, "c0ffee00-0000-4000-8000-000000000000")
	h.recent = newOutcomeCache(time.Now())
	return r, h
}

// TestHub_AckBeforeFanout: once a command is committed, the connection
// that sent it gets its patch and then its ack before the patch is queued
// for the other connections (so the sender's round trip does not wait for
// the whole fan-out), and every connection of both views still gets the
// patch. No database: publish runs on a hub built in memory.
func TestHub_AckBeforeFanout(t *testing.T) {
	r, h := newMemoryHub()

	senderConn := newFakeConn()
	sender := newClient(r, senderConn, Participant{UserID: "u-gm", Role: RoleGM, View: ViewGM}, h.campaignID)
	other := newClient(r, newFakeConn(), Participant{UserID: "u-gm", Role: RoleGM, View: ViewGM}, h.campaignID)
	player := newClient(r, newFakeConn(), Participant{UserID: "u-p", Role: RolePlayer, View: ViewPlayer}, h.campaignID)
	h.clients[0].add(other)
	h.clients[0].add(sender) // not first in the list
	h.clients[1].add(player)

	items := []item{{
		req: &request{
			kind: reqCommand, client: sender, actor: actor{userID: "u-gm", role: RoleGM},
			view: ViewGM, id: "c1", typ: TypeCombatUpdate, received: time.Now(),
		},
		outcome: &storedOutcome{seq: [2]int64{7, 5}, result: [2][]byte{[]byte(`{}`), []byte(`{}`)}},
		patches: [2][]byte{[]byte(`{"hp":3}`), []byte(`{"hp":3}`)},
		seq:     [2]int64{7, 5},
		dupOf:   -1,
	}}

	// Hold the other GM connection's queue: the fan-out to it cannot
	// happen until the lock is released, so the sender's patch and ack can
	// only arrive if they were queued before the fan-out.
	other.mu.Lock()
	published := make(chan struct{})
	answered := 0
	go func() {
		defer close(published)
		h.publish(items, []int{0}, time.Now(), &answered)
	}()
	go sender.writeLoop()
	defer func() {
		close(r.hardStop)
		<-sender.writerDone
	}()

	var got []serverMsg
	timeout := time.After(waitTimeout)
	for len(got) < 2 {
		select {
		case frame := <-senderConn.out:
			for line := range bytes.SplitSeq(frame, []byte("\n")) {
				var m serverMsg
				require.NoError(t, json.Unmarshal(line, &m))
				got = append(got, m)
			}
		case <-timeout:
			other.mu.Unlock()
			t.Fatalf("the sender got %d of its patch and ack while the fan-out was held", len(got))
		}
	}
	select {
	case <-published:
		t.Fatal("publish finished while a connection's queue was held")
	default:
	}
	require.Len(t, got, 2)
	require.Equal(t, "patch", got[0].Type)
	require.Equal(t, int64(7), got[0].Seq)
	require.Equal(t, "ack", got[1].Type)
	require.Equal(t, "c1", got[1].ID)
	require.Equal(t, int64(7), got[1].Seq)

	other.mu.Unlock()
	select {
	case <-published:
	case <-time.After(waitTimeout):
		t.Fatal("publish did not finish")
	}
	require.Equal(t, 1, answered)
	require.True(t, items[0].answered)
	for _, c := range []*client{other, player} {
		c.mu.Lock()
		q := c.queue
		c.mu.Unlock()
		require.Len(t, q, 1, "user %s", c.p.UserID)
		var m serverMsg
		require.NoError(t, json.Unmarshal(q[0], &m))
		require.Equal(t, "patch", m.Type)
		require.Equal(t, items[0].seq[c.vi], m.Seq)
	}
	// The sender got the patch once, and the ring keeps it for resumes.
	select {
	case frame := <-senderConn.out:
		t.Fatalf("the sender got more: %s", frame)
	default:
	}
	msgs, ok := h.ring[0].since(Resume{Epoch: "e", Seq: 6}, "e", 7)
	require.True(t, ok)
	require.Len(t, msgs, 1)
}

// TestHub_PublishSeveralCommands: a batch of several commands from several
// senders (a patch for both views, a rule error, a GM-only change made by
// a player, a retry answered like the command it repeats). Every
// connection gets its patches in seq order, each sender its answer after
// the patch that carries it, and every command exactly one answer.
func TestHub_PublishSeveralCommands(t *testing.T) {
	r, h := newMemoryHub()
	gm := newClient(r, newFakeConn(), Participant{UserID: "u-gm", Role: RoleGM, View: ViewGM}, h.campaignID)
	other := newClient(r, newFakeConn(), Participant{UserID: "u-gm2", Role: RoleGM, View: ViewGM}, h.campaignID)
	player := newClient(r, newFakeConn(), Participant{UserID: "u-p", Role: RolePlayer, View: ViewPlayer}, h.campaignID)
	h.clients[0].add(other)
	h.clients[0].add(gm)
	h.clients[1].add(player)

	req := func(c *client, id string) *request {
		return &request{kind: reqCommand, client: c, actor: actor{userID: c.p.UserID, role: c.p.Role},
			view: c.p.View, id: id, typ: TypeCombatUpdate, received: time.Now()}
	}
	ok := func(seq [2]int64) *storedOutcome {
		return &storedOutcome{seq: seq, result: [2][]byte{[]byte(`{}`), []byte(`{}`)}}
	}
	items := []item{
		{req: req(gm, "g1"), outcome: ok([2]int64{7, 5}), patches: [2][]byte{[]byte(`{"a":1}`), []byte(`{"a":1}`)}, seq: [2]int64{7, 5}, dupOf: -1},
		{req: req(player, "p1"), outcome: &storedOutcome{err: ErrNoCombat}, dupOf: -1},
		{req: req(player, "p2"), outcome: ok([2]int64{8, 5}), patches: [2][]byte{[]byte(`{"b":2}`), nil}, seq: [2]int64{8, 5}, dupOf: -1},
		{req: req(gm, "g1"), dupOf: 0}, // the same id again: a retry
	}
	answered := 0
	h.publish(items, []int{0, 1, 2}, time.Now(), &answered)
	for i := answered; i < len(items); i++ {
		h.answerItem(items, i)
	}

	type msg struct {
		Type string
		ID   string
		Seq  int64
		Code string
	}
	queued := func(c *client) []msg {
		c.mu.Lock()
		defer c.mu.Unlock()
		var out []msg
		for _, b := range c.queue {
			var m serverMsg
			require.NoError(t, json.Unmarshal(b, &m))
			out = append(out, msg{m.Type, m.ID, m.Seq, m.Code})
		}
		return out
	}
	require.Equal(t, []msg{
		{Type: "patch", Seq: 7}, {Type: "ack", ID: "g1", Seq: 7},
		{Type: "patch", Seq: 8},
		{Type: "ack", ID: "g1", Seq: 7}, // the retry, answered like the first
	}, queued(gm))
	require.Equal(t, []msg{{Type: "patch", Seq: 7}, {Type: "patch", Seq: 8}}, queued(other))
	require.Equal(t, []msg{
		{Type: "patch", Seq: 5},
		{Type: "error", ID: "p1", Code: CodeConflict},
		{Type: "ack", ID: "p2", Seq: 5}, // its change is GM-only: the player view stays at 5
	}, queued(player))
	for i := range items {
		require.True(t, items[i].answered, "item %d", i)
	}
}
