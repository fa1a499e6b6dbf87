package hub

import (
	"context"
	"fmt"
	"io"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coder/websocket"
)

// Benchmarks of the live table's hot paths (issue 4; docs/performance.md):
//
//	go test ./hub/ -run '^$' -bench . -benchmem
//
// They need no database.

// benchState is a busy table: 10 users present, a combat of 20 combatants
// (3 hidden, conditions on some) and 3 polls of 5 options with votes.
func benchState() *state {
	st := &state{campaign: campaignInfo{id: "c0ffee00-0000-4000-8000-000000000000", name: "Curse of the Bench"}, presence: newPresence(), polls: emptyPolls()}
	for i := range 10 {
		role := RolePlayer
		if i == 0 {
			role = RoleGM
		}
		st.presence.join(fmt.Sprintf("user-%02d", i), fmt.Sprintf("User %d", i), role)
	}
	c := &combat{id: "combat-1", round: 3, combatants: map[string]*combatant{}}
	for i := range 20 {
		cb := &combatant{
			id: fmt.Sprintf("cb-%02d", i), name: fmt.Sprintf("Goblin %d", i), kind: kindMonster,
			initiative: 5 + i%15, hasInit: true, initBonus: i % 4, hp: 7 + i, maxHP: 7 + i, ac: 13, hasAC: true,
			hidden: i%7 == 6, monsterID: "monster-goblin", conditions: map[string]int{},
		}
		if i < 4 {
			cb.kind, cb.userID, cb.monsterID = kindPC, fmt.Sprintf("user-%02d", i+1), ""
		}
		if i%5 == 0 {
			cb.conditions["poisoned"] = 2
		}
		c.combatants[cb.id] = cb
	}
	c.sortOrder()
	c.turn = c.order[0]
	st.combat = c
	for p := range 3 {
		pl := &poll{id: fmt.Sprintf("poll-%d", p), title: "When do we play?", status: "open", options: map[string]*pollOption{}}
		for o := range 5 {
			opt := &pollOption{startsAt: fmt.Sprintf("2026-12-%02dT18:00:00Z", o+1), votes: map[string]string{}}
			for u := range 5 {
				opt.votes[fmt.Sprintf("user-%02d", u)] = "yes"
			}
			pl.options[fmt.Sprintf("opt-%d-%d", p, o)] = opt
		}
		st.polls.polls[pl.id] = pl
	}
	return st
}

// withDamage returns st after a player character's hp changed (copy-on-write,
// as the rules do it).
func withDamage(st *state, hp int) *state {
	next := st.shallow()
	c := st.combat.clone()
	c.mut("cb-02").hp = hp // a player character: both views show its hp
	next.combat = c
	return next
}

// BenchmarkProject: projecting the whole state into a view from scratch
// (a snapshot, a new hub) and after one change with the projector's part
// cache warm (every command).
func BenchmarkProject(b *testing.B) {
	st := benchState()
	for _, v := range []View{ViewGM, ViewPlayer} {
		b.Run("cold/"+string(v), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				newProjector(v).project(st)
			}
		})
		b.Run("oneChange/"+string(v), func(b *testing.B) {
			p := newProjector(v)
			p.project(st)
			states := [2]*state{withDamage(st, 3), withDamage(st, 4)}
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				p.project(states[i&1])
				i++
			}
		})
	}
}

// BenchmarkPatch: computing one change's merge patch for a view and
// encoding it, and the patch message, once (the work per command and view
// before fan-out).
func BenchmarkPatch(b *testing.B) {
	st := benchState()
	for _, v := range []View{ViewGM, ViewPlayer} {
		b.Run(string(v), func(b *testing.B) {
			p := newProjector(v)
			prev := p.project(st)
			states := [2]*state{withDamage(st, 3), withDamage(st, 4)}
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				nd := p.project(states[i&1])
				patch := diff(prev, nd)
				if patch == nil {
					b.Fatal("no patch")
				}
				enc := appendDoc(nil, patch)
				_ = encode(patchMsg{Seq: int64(i), Patch: enc})
				prev = nd
				i++
			}
		})
	}
}

// countConn is an in-process socket that counts the messages written to
// it (frames are JSON Lines) and signals when all clients have had the
// current patch.
type countConn struct {
	lines  *atomic.Int64
	target *atomic.Int64
	done   chan struct{}
}

func (c *countConn) Reader(ctx context.Context) (websocket.MessageType, io.Reader, error) {
	<-ctx.Done()
	return 0, nil, ctx.Err()
}

func (c *countConn) Write(_ context.Context, _ websocket.MessageType, p []byte) error {
	n := int64(1)
	for _, ch := range p {
		if ch == '\n' {
			n++
		}
	}
	if c.lines.Add(n) == c.target.Load() {
		select {
		case c.done <- struct{}{}:
		default:
		}
	}
	return nil
}

func (c *countConn) Ping(context.Context) error               { return nil }
func (c *countConn) Close(websocket.StatusCode, string) error { return nil }
func (c *countConn) CloseNow() error                          { return nil }
func (c *countConn) SetReadLimit(int64)                       {}

// fanoutRig is n in-process clients with their real writer goroutines.
type fanoutRig struct {
	clients []*client
	lines   atomic.Int64
	target  atomic.Int64
	done    chan struct{}
	stop    func()
}

func newFanoutRig(b *testing.B, n int) *fanoutRig {
	r := &Registry{opts: Options{MaxQueueBytes: 1 << 20, PingInterval: time.Hour}, hardStop: make(chan struct{})}
	rig := &fanoutRig{done: make(chan struct{}, 1)}
	for i := range n {
		conn := &countConn{lines: &rig.lines, target: &rig.target, done: rig.done}
		c := newClient(r, conn, Participant{UserID: fmt.Sprintf("user-%d", i), View: ViewPlayer}, "campaign")
		rig.clients = append(rig.clients, c)
		go c.writeLoop()
	}
	rig.stop = func() {
		close(r.hardStop)
		for _, c := range rig.clients {
			<-c.writerDone
		}
	}
	b.Cleanup(rig.stop)
	return rig
}

// broadcast queues msg for every client, as Hub.broadcast does.
func (rig *fanoutRig) broadcast(msg []byte) {
	for _, c := range rig.clients {
		if !c.send(msg) {
			panic("queue full")
		}
	}
}

func benchPatchMsg() []byte {
	p := newProjector(ViewPlayer)
	st := benchState()
	prev := p.project(st)
	patch := diff(prev, p.project(withDamage(st, 3)))
	return encode(patchMsg{Seq: 42, Patch: appendDoc(nil, patch)})
}

// BenchmarkFanout: one patch, encoded once, queued for N in-process
// clients and written by their writer goroutines; ns/op is the time until
// the last client has written it (the hub's side of fan-out latency,
// without the kernel's socket work).
func BenchmarkFanout(b *testing.B) {
	msg := benchPatchMsg()
	for _, n := range []int{100, 1000} {
		b.Run(fmt.Sprintf("N=%d", n), func(b *testing.B) {
			rig := newFanoutRig(b, n)
			b.ReportAllocs()
			for b.Loop() {
				rig.target.Add(int64(n))
				rig.broadcast(msg)
				<-rig.done
			}
			b.ReportMetric(float64(b.N)*float64(n)/b.Elapsed().Seconds(), "deliveries/s")
		})
	}
}

// BenchmarkFanoutSaturated: patches queued back to back for N clients,
// 64 at a time, so that writers coalesce them into JSON Lines frames:
// the in-process ceiling of message deliveries per second.
func BenchmarkFanoutSaturated(b *testing.B) {
	msg := benchPatchMsg()
	const burst = 64
	for _, n := range []int{100, 1000} {
		b.Run(fmt.Sprintf("N=%d", n), func(b *testing.B) {
			rig := newFanoutRig(b, n)
			b.ReportAllocs()
			for b.Loop() {
				rig.target.Add(int64(n) * burst)
				for range burst {
					rig.broadcast(msg)
				}
				<-rig.done
			}
			b.ReportMetric(float64(b.N)*burst*float64(n)/b.Elapsed().Seconds(), "deliveries/s")
		})
	}
}
