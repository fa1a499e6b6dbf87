package http

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"gametable/hub"
)

// These tests run polls against the real hub: the HTTP server's live side
// is HubPolls on a hub.Registry, and live clients connect over real
// WebSockets to an endpoint that hands them to Registry.ServeConn, as the
// live route does (the tests name the member in the query instead of
// checking a cookie).

// hubLive is the server's Live: LiveCloser from fakeLive, LivePolls from
// the registry.
type hubLive struct {
	*fakeLive
	HubPolls
}

// liveBundle is a test server wired to a real registry, with a WebSocket
// endpoint.
type liveBundle struct {
	ts  *testServer
	reg *hub.Registry
	ws  *httptest.Server
}

func newLiveBundle(t *testing.T) *liveBundle {
	t.Helper()
	var reg *hub.Registry
	ts := newTestServer(t, func(o *Options) {
		var err error
		reg, err = hub.NewRegistry(hub.Options{Pool: o.Pool, Logger: slog.New(slog.DiscardHandler)})
		require.NoError(t, err)
		o.Live = hubLive{fakeLive: &fakeLive{}, HubPolls: HubPolls{Registry: reg}}
	})
	ws := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		conn, err := websocket.Accept(w, r, nil)
		if err != nil {
			return
		}
		_ = reg.ServeConn(r.Context(), conn, hub.Participant{
			CampaignID: q.Get("campaign"), UserID: q.Get("user"), DisplayName: q.Get("name"),
			Role: hub.Role(q.Get("role")), View: hub.View(q.Get("role")),
		}, hub.Resume{})
	}))
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = reg.Shutdown(ctx)
		ws.Close()
	})
	return &liveBundle{ts: ts, reg: reg, ws: ws}
}

// liveClient is one live connection and the state it has built from the
// snapshot and the patches, as a client does.
type liveClient struct {
	conn *websocket.Conn

	mu     sync.Mutex
	state  map[string]any
	seq    int64
	gaps   []string          // seq violations, checked by the test
	acks   map[string]bool   // acked command ids
	errors map[string]string // command id → error code
	done   chan struct{}
}

// connect opens a live connection for the member c.
func (lb *liveBundle) connect(t *testing.T, campaignID uuid.UUID, c *testClient, role string) *liveClient {
	t.Helper()
	url := strings.Replace(lb.ws.URL, "http://", "ws://", 1) + "/?" + fmt.Sprintf("campaign=%s&user=%s&name=%s&role=%s",
		campaignID, c.User.ID, "x", role)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	conn, _, err := websocket.Dial(ctx, url, nil)
	require.NoError(t, err)
	lc := &liveClient{conn: conn, acks: map[string]bool{}, errors: map[string]string{}, done: make(chan struct{})}
	go lc.read()
	t.Cleanup(func() {
		_ = conn.Close(websocket.StatusNormalClosure, "")
		<-lc.done
	})
	lc.wait(t, "snapshot", func(map[string]any) bool { return lc.seq > 0 || lc.state != nil })
	return lc
}

// read applies every frame until the connection ends. It never calls
// require (another goroutine than the test's): problems go to gaps.
func (lc *liveClient) read() {
	defer close(lc.done)
	for {
		_, frame, err := lc.conn.Read(context.Background())
		if err != nil {
			return
		}
		for _, line := range bytes.Split(frame, []byte("\n")) {
			if len(bytes.TrimSpace(line)) == 0 {
				continue
			}
			var msg struct {
				Type  string         `json:"type"`
				ID    string         `json:"id"`
				Seq   int64          `json:"seq"`
				Code  string         `json:"code"`
				State map[string]any `json:"state"`
				Patch map[string]any `json:"patch"`
			}
			lc.mu.Lock()
			if err := json.Unmarshal(line, &msg); err != nil {
				lc.gaps = append(lc.gaps, "bad frame: "+string(line))
			}
			switch msg.Type {
			case "snapshot":
				lc.state, lc.seq = msg.State, msg.Seq
			case "patch":
				if msg.Seq != lc.seq+1 {
					lc.gaps = append(lc.gaps, fmt.Sprintf("patch seq %d after %d", msg.Seq, lc.seq))
				}
				lc.seq = msg.Seq
				lc.state = mergePatch(lc.state, msg.Patch).(map[string]any)
			case "ack":
				if msg.Seq > lc.seq {
					lc.gaps = append(lc.gaps, fmt.Sprintf("ack %s at seq %d before its patch (have %d)", msg.ID, msg.Seq, lc.seq))
				}
				lc.acks[msg.ID] = true
			case "error":
				lc.errors[msg.ID] = msg.Code
			}
			lc.mu.Unlock()
		}
	}
}

// mergePatch applies an RFC 7386 merge patch.
func mergePatch(target, patch any) any {
	p, ok := patch.(map[string]any)
	if !ok {
		return patch
	}
	t, ok := target.(map[string]any)
	if !ok {
		t = map[string]any{}
	}
	for k, v := range p {
		if v == nil {
			delete(t, k)
		} else {
			t[k] = mergePatch(t[k], v)
		}
	}
	return t
}

// wait waits until cond holds for the client's state.
func (lc *liveClient) wait(t *testing.T, what string, cond func(state map[string]any) bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		lc.mu.Lock()
		ok := lc.state != nil && cond(lc.state)
		gaps := append([]string(nil), lc.gaps...)
		lc.mu.Unlock()
		require.Empty(t, gaps)
		if ok {
			return
		}
		if time.Now().After(deadline) {
			lc.mu.Lock()
			defer lc.mu.Unlock()
			t.Fatalf("timed out waiting for %s; state %v", what, lc.state)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// copyState returns a deep copy of the client's state.
func (lc *liveClient) copyState(t *testing.T) map[string]any {
	t.Helper()
	lc.mu.Lock()
	b, err := json.Marshal(lc.state)
	lc.mu.Unlock()
	require.NoError(t, err)
	var st map[string]any
	require.NoError(t, json.Unmarshal(b, &st))
	return st
}

// send sends a command frame.
func (lc *liveClient) send(t *testing.T, id, typ string, data any) {
	t.Helper()
	b, err := json.Marshal(map[string]any{"id": id, "type": typ, "data": data})
	require.NoError(t, err)
	require.NoError(t, lc.conn.Write(context.Background(), websocket.MessageText, b))
}

// livePoll returns the poll's node in the state (nil when absent).
func livePoll(state map[string]any, pollID uuid.UUID) map[string]any {
	polls, _ := state["polls"].(map[string]any)
	p, _ := polls[pollID.String()].(map[string]any)
	return p
}

// liveVotes returns the votes on an option in the state.
func liveVotes(state map[string]any, pollID, optionID uuid.UUID) map[string]any {
	p := livePoll(state, pollID)
	opts, _ := p["options"].(map[string]any)
	o, _ := opts[optionID.String()].(map[string]any)
	v, _ := o["votes"].(map[string]any)
	return v
}

// TestPollsLive: two players and the GM are connected; a poll made over
// HTTP appears in every state; votes cast over HTTP and over the WebSocket
// reach every connection in order; the tallies of the HTTP API match the
// live state; closing and finalizing reach everyone.
func TestPollsLive(t *testing.T) {
	t.Parallel()
	lb := newLiveBundle(t)
	ts := lb.ts
	b := newScheduleBundle(t, ts, "Live")
	p2 := ts.join(t, b.gm, b.id, rolePlayer, "Second")
	clients := []*liveClient{
		lb.connect(t, b.id, b.gm, "gm"),
		lb.connect(t, b.id, b.player, "player"),
		lb.connect(t, b.id, p2, "player"),
	}
	everyone := func(what string, cond func(map[string]any) bool) {
		t.Helper()
		for _, c := range clients {
			c.wait(t, what, cond)
		}
	}

	body := weeklyPoll("Next session", future(), 2)
	body["closesAt"] = time.Now().Add(time.Hour).UTC().Format(time.RFC3339)
	p := ts.createPoll(t, b.gm, b.id, body)
	a, o2 := p.Options[0].ID, p.Options[1].ID
	everyone("the new poll", func(s map[string]any) bool {
		lp := livePoll(s, p.ID)
		return lp != nil && lp["title"] == "Next session" && lp["status"] == "open" && lp["closesAt"] == p.ClosesAt.Format(time.RFC3339) &&
			len(lp["options"].(map[string]any)) == 2
	})
	opt := livePoll(clients[1].copyState(t), p.ID)["options"].(map[string]any)[a.String()].(map[string]any)
	require.Equal(t, p.Options[0].StartsAt.Format(time.RFC3339), opt["startsAt"])
	require.Equal(t, p.Options[0].EndsAt.Format(time.RFC3339), opt["endsAt"])

	// A vote over HTTP, then one over the WebSocket, then a change.
	b.player.vote(t, b.id, p.ID, a, "yes")
	clients[2].send(t, "v1", "poll.vote", map[string]string{"pollId": p.ID.String(), "optionId": a.String(), "answer": "maybe"})
	b.gm.vote(t, b.id, p.ID, o2, "no")
	b.player.vote(t, b.id, p.ID, a, "no")
	everyone("four votes", func(s map[string]any) bool {
		va, vb := liveVotes(s, p.ID, a), liveVotes(s, p.ID, o2)
		return va[b.player.User.ID.String()] == "no" && va[p2.User.ID.String()] == "maybe" && vb[b.gm.User.ID.String()] == "no"
	})
	clients[2].wait(t, "the ack", func(map[string]any) bool { return clients[2].acks["v1"] })

	// Withdrawing over HTTP and over the WebSocket.
	b.player.do(t, http.MethodDelete, pollPath(b.id, p.ID, "votes", a.String()), nil).requireStatus(t, http.StatusOK)
	clients[0].send(t, "v2", "poll.vote", map[string]string{"pollId": p.ID.String(), "optionId": o2.String(), "answer": "none"})
	everyone("withdrawn votes", func(s map[string]any) bool {
		return len(liveVotes(s, p.ID, a)) == 1 && len(liveVotes(s, p.ID, o2)) == 0
	})

	// The HTTP tallies are the live state's.
	got := b.player.getPoll(t, b.id, p.ID)
	st := clients[1].copyState(t)
	for _, o := range got.Options {
		live := liveVotes(st, p.ID, o.ID)
		require.Len(t, live, len(o.Votes))
		for uid, ans := range o.Votes {
			require.Equal(t, ans, live[uid.String()])
		}
	}
	require.Equal(t, 1, got.Options[0].Maybe)
	require.Equal(t, a, *got.Best)

	// Closing reaches everyone; a live vote on a closed poll is refused.
	b.gm.do(t, http.MethodPost, pollPath(b.id, p.ID, "close"), nil).requireStatus(t, http.StatusOK)
	everyone("closed", func(s map[string]any) bool { return livePoll(s, p.ID)["status"] == "closed" })
	clients[1].send(t, "v3", "poll.vote", map[string]string{"pollId": p.ID.String(), "optionId": a.String(), "answer": "yes"})
	clients[1].wait(t, "the refusal", func(map[string]any) bool { return clients[1].errors["v3"] == "conflict" })

	// A second poll, finalized while open: it closes for everyone.
	q := ts.createPoll(t, b.gm, b.id, weeklyPoll("Another", future().AddDate(0, 1, 0), 1))
	everyone("the second poll", func(s map[string]any) bool { return livePoll(s, q.ID) != nil })
	p2.vote(t, b.id, q.ID, q.Options[0].ID, "yes")
	var sb sessionBody
	b.gm.do(t, http.MethodPost, pollPath(b.id, q.ID, "finalize"), map[string]any{"optionId": q.Options[0].ID}).requireStatus(t, http.StatusCreated).decode(t, &sb)
	everyone("finalized", func(s map[string]any) bool {
		lq := livePoll(s, q.ID)
		return lq != nil && lq["status"] == "closed"
	})

	// Every connection ends with the same polls.
	want := clients[0].copyState(t)["polls"]
	for _, c := range clients[1:] {
		require.Equal(t, want, c.copyState(t)["polls"])
	}
}

// TestPollsLive_AutoClose: the poll closer's close reaches live clients.
func TestPollsLive_AutoClose(t *testing.T) {
	t.Parallel()
	lb := newLiveBundle(t)
	b := newScheduleBundle(t, lb.ts, "Live deadline")
	c := lb.connect(t, b.id, b.player, "player")
	body := weeklyPoll("Soon", future(), 1)
	body["closesAt"] = time.Now().Add(time.Hour).Format(time.RFC3339)
	p := lb.ts.createPoll(t, b.gm, b.id, body)
	c.wait(t, "open", func(s map[string]any) bool { p := livePoll(s, p.ID); return p != nil && p["status"] == "open" })
	// The handler wants closesAt in the future when the request arrives,
	// however slow it is: bring the deadline close only now.
	lb.ts.exec(t, "UPDATE availability_polls SET closes_at = now() + interval '200 milliseconds' WHERE id = $1", p.ID)

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		lb.ts.RunPollCloser(ctx, time.Minute)
	}()
	t.Cleanup(func() { cancel(); <-done })
	c.wait(t, "closed by the closer", func(s map[string]any) bool { return livePoll(s, p.ID)["status"] == "closed" })
}

// TestPollsLive_LeaveAfter24h: a closed poll stays in the live state for
// 24 hours after closing, then leaves it; the HTTP API keeps it.
func TestPollsLive_LeaveAfter24h(t *testing.T) {
	t.Parallel()
	lb := newLiveBundle(t)
	b := newScheduleBundle(t, lb.ts, "Live expiry")
	c := lb.connect(t, b.id, b.player, "player")
	p := lb.ts.createPoll(t, b.gm, b.id, weeklyPoll("Old", future(), 1))
	b.gm.do(t, http.MethodPost, pollPath(b.id, p.ID, "close"), nil).requireStatus(t, http.StatusOK)
	c.wait(t, "closed", func(s map[string]any) bool { return livePoll(s, p.ID)["status"] == "closed" })

	lb.ts.exec(t, "UPDATE availability_polls SET closed_at = now() - interval '24 hours 1 minute' WHERE id = $1", p.ID)
	now := time.Now()
	require.NoError(t, lb.ts.expirePolls(context.Background(), now.Add(-25*time.Hour), now.Add(-24*time.Hour)))
	c.wait(t, "gone", func(s map[string]any) bool { return livePoll(s, p.ID) == nil })
	require.Equal(t, "closed", b.player.getPoll(t, b.id, p.ID).Status)
}
