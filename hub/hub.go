package hub

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"time"

	"github.com/coder/websocket"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"gametable/db"
)

// Tunables of a hub.
const (
	// maxBatch is the most commands one transaction carries (group
	// commit): the hub takes what is already queued, never waits for more.
	maxBatch = 64
	// ringSize is how many recent patches per view a hub keeps for
	// resumes (the contract asks for at least 256).
	ringSize = 1024
	// presenceInterval spaces presence patches: at most about four per
	// second per view.
	presenceInterval = 250 * time.Millisecond
	// idempotencyWindow is how long a command id's outcome is kept.
	idempotencyWindow = 10 * time.Minute
	// maxRecent bounds the in-memory outcome cache; older outcomes are
	// found in live_commands.
	maxRecent = 4096
	// trimEvery is how many logged patches pass between trims of the
	// campaign's event log, which keeps ringSize patches per view.
	trimEvery = 512
)

// Hub owns the live state of one campaign. Its run goroutine is the only
// one that reads or writes the state, the views, the seqs and the set of
// connections; everything else reaches it through its channels.
type Hub struct {
	campaignID string
	reg        *Registry
	logger     *slog.Logger
	store      store
	rules      *rules

	// join, leave and reqs are sent to by connection goroutines and by
	// Registry methods (which hold a reference, see refs) and received
	// only by run. They are never closed: senders also select on done.
	join  chan joinRequest
	leave chan *client
	reqs  chan *request
	// stop is closed by the Registry (once) to ask run to finish what is
	// queued, close the connections with 1001 and return.
	stop chan struct{}
	// done is closed by run when it returns; err says why (written
	// before done is closed, read after).
	done chan struct{}
	err  error

	// refs counts the goroutines using the hub (connections, Do,
	// Snapshot, Reload); removed is set once the hub left the registry.
	// Both are guarded by Registry.mu: an idle hub leaves only when refs
	// is 0, so that no caller can be left with a hub that is gone.
	refs    int
	removed bool

	// Everything below is owned by run.
	st       *state
	epoch    string
	loadedAt time.Time
	seq      [2]int64 // last seq published per view
	dbSeq    [2]int64 // the seqs stored in campaigns (behind seq after presence patches)
	pub      [2]doc   // the documents clients have at seq
	proj     [2]*projector
	snap     [2][]byte // encoded snapshot message at seq; nil until needed
	ring     [2]patchRing
	clients  [2]clientSet
	recent   outcomeCache
	sinceLog int // patches logged since the last trim

	presenceAt      time.Time // last presence publish
	presenceTimer   *time.Timer
	presencePending bool
	idleTimer       *time.Timer
	idleArmed       bool
}

// joinRequest asks the hub to add a connection, answering with a snapshot
// or a resume. reply (buffered) gets nil once the first messages are
// queued.
type joinRequest struct {
	c      *client
	resume Resume
	reply  chan error
}

type reqKind uint8

const (
	reqCommand reqKind = iota
	reqReload
	reqSnapshot
)

// request is a command (from a connection or Do), a reload or a snapshot
// for the HTTP layer.
type request struct {
	kind     reqKind
	client   *client // the connection that sent the command; nil for Do
	actor    actor
	view     View
	id       string // the client's command id; "" for a Do without one
	typ      string
	data     commandData
	parts    Part // reqReload
	received time.Time
	reply    chan reply // buffered; nil for connection commands
}

// reply answers a request of the Registry's API.
type reply struct {
	seq    int64
	result []byte
	combat []byte
	err    error
}

func newHub(r *Registry, campaignID string) *Hub {
	return &Hub{
		campaignID: campaignID,
		reg:        r,
		logger:     r.logger.With("campaign_id", campaignID),
		store:      store{campaignID: uuid.MustParse(campaignID)},
		rules:      r.rules,
		join:       make(chan joinRequest, 16),
		leave:      make(chan *client, 16),
		reqs:       make(chan *request, 256),
		stop:       make(chan struct{}),
		done:       make(chan struct{}),
		proj:       [2]*projector{newProjector(ViewGM), newProjector(ViewPlayer)},
	}
}

// submit hands a request to the hub; false when the hub stopped or ctx
// ended first.
func (h *Hub) submit(ctx context.Context, req *request) bool {
	select {
	case h.reqs <- req:
		return true
	case <-h.done:
		return false
	case <-ctx.Done():
		return false
	}
}

// call submits req and waits for its reply.
func (h *Hub) call(ctx context.Context, req *request) reply {
	req.reply = make(chan reply, 1)
	req.received = time.Now()
	if !h.submit(ctx, req) {
		if ctx.Err() != nil {
			return reply{err: ctx.Err()}
		}
		return reply{err: h.stoppedErr()}
	}
	select {
	case rep := <-req.reply:
		return rep
	case <-h.done:
		// run may have answered just before returning.
		select {
		case rep := <-req.reply:
			return rep
		default:
		}
		return reply{err: h.stoppedErr()}
	case <-ctx.Done():
		return reply{err: ctx.Err()}
	}
}

func (h *Hub) stoppedErr() error {
	select {
	case <-h.done:
		if h.err != nil && !errors.Is(h.err, ErrShuttingDown) {
			return fmt.Errorf("%w: %w", ErrHubStopped, h.err)
		}
	default:
	}
	if h.reg.isClosing() {
		return ErrShuttingDown
	}
	return ErrHubStopped
}

// run is the hub's goroutine. It loads the state, then serves joins,
// leaves and requests until it is idle, asked to stop, or fails.
func (h *Hub) run() {
	defer h.reg.wg.Done()
	closeCode, closeReason := websocket.StatusGoingAway, "server shutting down"
	defer func() {
		if v := recover(); v != nil {
			h.err = fmt.Errorf("hub panic: %v", v)
			h.logger.Error("hub panic", "panic", v, "stack", string(debug.Stack()))
			closeCode, closeReason = websocket.StatusInternalError, "internal error"
		}
		h.closeAll(closeCode, closeReason)
		h.reg.hubGone(h)
		close(h.done)
	}()

	if err := h.load(); err != nil {
		h.err = err
		if errors.Is(err, db.ErrNotFound) {
			closeCode, closeReason = CloseCampaignDeleted, "campaign not found"
		} else {
			h.logger.Error("hub load failed", "err", err)
			closeCode, closeReason = websocket.StatusInternalError, "internal error"
		}
		return
	}
	h.logger.Info("hub started", "epoch", h.epoch, "gm_seq", h.seq[0], "player_seq", h.seq[1])
	h.presenceTimer = time.NewTimer(time.Hour)
	h.presenceTimer.Stop()
	h.idleTimer = time.NewTimer(time.Hour)
	h.idleTimer.Stop()
	defer h.presenceTimer.Stop()
	defer h.idleTimer.Stop()

	for {
		h.armIdle()
		select {
		case j := <-h.join:
			h.handleJoin(j)
		case c := <-h.leave:
			h.handleLeave(c)
		case req := <-h.reqs:
			h.handleRequests(req)
		case <-h.presenceTimer.C:
			h.presencePending = false
			h.flushPresence()
		case <-h.idleTimer.C:
			h.idleArmed = false
			if h.reg.tryRemove(h) {
				h.logger.Info("hub stopped", "reason", "idle")
				return
			}
		case <-h.stop:
			h.drain()
			h.logger.Info("hub stopped", "reason", "shutdown")
			h.err = ErrShuttingDown
			return
		}
		if h.err != nil {
			// A failure the hub cannot repair in place (fenced, or a
			// reload that failed): clients reconnect to a fresh hub.
			h.logger.Error("hub stopped", "reason", "failure", "err", h.err)
			closeCode, closeReason = websocket.StatusInternalError, "live state reloading, reconnect"
			if errors.Is(h.err, db.ErrNotFound) {
				closeCode, closeReason = CloseCampaignDeleted, "campaign not found"
			}
			return
		}
	}
}

// drain finishes the requests already queued (shutdown: in-flight
// commands complete) and answers pending joins with an error.
func (h *Hub) drain() {
	for {
		select {
		case req := <-h.reqs:
			h.handleRequests(req)
		case j := <-h.join:
			j.reply <- ErrShuttingDown
		case c := <-h.leave:
			h.handleLeave(c)
		default:
			return
		}
	}
}

// armIdle starts the idle timer when no connection is left, and stops it
// otherwise.
func (h *Hub) armIdle() {
	idle := h.clients[0].len()+h.clients[1].len() == 0
	switch {
	case idle && !h.idleArmed:
		h.idleTimer.Reset(h.reg.opts.IdleTimeout)
		h.idleArmed = true
	case !idle && h.idleArmed:
		h.idleTimer.Stop()
		h.idleArmed = false
	}
}

// closeAll closes every connection of the hub.
func (h *Hub) closeAll(code websocket.StatusCode, reason string) {
	for v := range h.clients {
		for _, c := range h.clients[v].list {
			c.kick(code, reason)
		}
		h.clients[v] = clientSet{}
	}
}

func (h *Hub) dbContext() (context.Context, context.CancelFunc) {
	return context.WithTimeout(h.reg.baseCtx, h.reg.opts.DBTimeout)
}

// load reads the campaign's state under a new epoch.
func (h *Hub) load() error {
	ctx, cancel := h.dbContext()
	defer cancel()
	epoch := uuid.NewString()
	var l loaded
	err := pgx.BeginTxFunc(ctx, h.reg.pool, pgx.TxOptions{IsoLevel: pgx.RepeatableRead}, func(tx pgx.Tx) error {
		var err error
		l, err = h.store.load(ctx, tx, epoch)
		return err
	})
	if err != nil {
		return fmt.Errorf("load live state: %w", err)
	}
	h.st, h.epoch, h.seq, h.dbSeq = l.st, epoch, l.seq, l.seq
	h.loadedAt = time.Now()
	h.recent = newOutcomeCache(h.loadedAt)
	for v := range views {
		h.pub[v] = h.proj[v].project(h.st)
	}
	return nil
}

func (h *Hub) handleJoin(j joinRequest) {
	c := j.c
	v := c.vi
	ok := true
	if msgs, resumed := h.ring[v].since(j.resume, h.epoch, h.seq[v]); resumed {
		ok = c.send(encode(resumedMsg{Epoch: h.epoch, Seq: j.resume.Seq}))
		for _, m := range msgs {
			ok = ok && c.send(m)
		}
	} else {
		ok = c.send(h.snapshot(v))
	}
	if !ok {
		c.kick(websocket.StatusTryAgainLater, "too slow")
		j.reply <- errors.New("connection queue full at join")
		return
	}
	h.clients[v].add(c)
	h.st.presence.join(c.p.UserID, c.p.DisplayName, c.p.Role)
	h.presenceChanged()
	j.reply <- nil
}

func (h *Hub) handleLeave(c *client) {
	if !h.clients[c.vi].remove(c) {
		return // already dropped
	}
	h.st.presence.leave(c.p.UserID)
	h.presenceChanged()
}

// drop removes a client that could not keep up and closes it in the
// background.
func (h *Hub) drop(c *client, reason string) {
	if !h.clients[c.vi].remove(c) {
		return
	}
	h.reg.metrics.dropped.WithLabelValues(reason).Inc()
	h.logger.Warn("live connection dropped", "user_id", c.p.UserID, "reason", reason)
	c.drop()
	h.st.presence.leave(c.p.UserID)
	h.presenceChanged()
}

// snapshot returns the encoded snapshot message of view v at its seq.
func (h *Hub) snapshot(v int) []byte {
	if h.snap[v] == nil {
		h.snap[v] = encode(snapshotMsg{Epoch: h.epoch, Seq: h.seq[v], View: views[v], State: appendDoc(nil, h.pub[v])})
	}
	return h.snap[v]
}

// presenceChanged schedules a presence patch: at once when the last one is
// older than presenceInterval, else when it will be, so that there is at
// most one per presenceInterval. It never publishes inline: it may be
// called while a batch's patches are being published (a dropped client),
// and seqs must go out in order.
func (h *Hub) presenceChanged() {
	if h.presencePending {
		return
	}
	h.presencePending = true
	h.presenceTimer.Reset(max(presenceInterval-time.Since(h.presenceAt), 0))
}

// flushPresence publishes the change of presence (and of anything else not
// yet published) as patches. Presence is not persisted: these patches take
// seqs but are not logged, and campaigns' seqs catch up at the next
// command (see doc.go).
func (h *Hub) flushPresence() {
	h.presenceAt = time.Now()
	for v := range views {
		next := h.proj[v].project(h.st)
		p := diff(h.pub[v], next)
		if p == nil {
			continue
		}
		h.seq[v]++
		h.pub[v] = next
		h.broadcast(v, h.seq[v], appendDoc(nil, p))
	}
}

// broadcast queues patch seq of view v for every connection of that view,
// encoded once, and keeps it for resumes.
func (h *Hub) broadcast(v int, seq int64, patch []byte) {
	h.fanOut(v, h.record(v, seq, patch), nil)
}

// record encodes patch seq of view v as a message once and keeps it for
// resumes; fanOut then queues it.
func (h *Hub) record(v int, seq int64, patch []byte) []byte {
	msg := encode(patchMsg{Seq: seq, Patch: patch})
	h.ring[v].push(seq, msg)
	h.snap[v] = nil
	return msg
}

// fanOut queues msg for every connection of view v except skip (which
// got it already).
func (h *Hub) fanOut(v int, msg []byte, skip *client) {
	var slow []*client
	for _, c := range h.clients[v].list {
		if c != skip && !c.send(msg) {
			slow = append(slow, c)
		}
	}
	for _, c := range slow {
		h.drop(c, "slow")
	}
}

// answer answers a command: an ack or an error to the connection that sent
// it, or the reply channel of a Do.
func (h *Hub) answer(req *request, o *storedOutcome, err error) {
	label := "ok"
	if err == nil && o != nil && o.err != nil {
		err = o.err
	}
	if err != nil {
		label = CodeInternal
		var re *RuleError
		if errors.As(err, &re) {
			label = re.Code
		}
	}
	h.reg.metrics.commands.WithLabelValues(req.typ, label).Inc()
	vi := req.view.index()
	if req.client != nil {
		var m outbound
		if err != nil {
			m = errorFor(req.id, err)
		} else {
			m = ackMsg{ID: req.id, Seq: o.seq[vi], Result: o.result[vi]}
		}
		if !req.client.send(encode(m)) {
			h.drop(req.client, "slow")
		}
		return
	}
	if err != nil {
		var re *RuleError
		if !errors.As(err, &re) {
			err = fmt.Errorf("%w: %w", ErrInternal, err)
		}
		req.reply <- reply{err: err}
		return
	}
	rep := reply{seq: o.seq[vi], result: o.result[vi]}
	if c := h.proj[vi].projectCombatOnly(h.st); c != nil {
		rep.combat = appendDoc(nil, c)
	}
	req.reply <- rep
}

// handleRequests serves first and whatever else is already queued:
// consecutive commands share one transaction (group commit); reloads and
// snapshots are served in their place in the order.
func (h *Hub) handleRequests(first *request) {
	batch := []*request{first}
collect:
	for len(batch) < maxBatch {
		select {
		case r := <-h.reqs:
			batch = append(batch, r)
		default:
			break collect
		}
	}
	for len(batch) > 0 && h.err == nil {
		n := 0
		for n < len(batch) && batch[n].kind == reqCommand {
			n++
		}
		if n > 0 {
			h.execCommands(batch[:n])
			batch = batch[n:]
			continue
		}
		req := batch[0]
		batch = batch[1:]
		switch req.kind {
		case reqReload:
			err := h.reload(req.parts)
			req.reply <- reply{err: err}
		case reqSnapshot:
			rep := reply{seq: h.seq[req.view.index()]}
			if c := h.proj[req.view.index()].projectCombatOnly(h.st); c != nil {
				rep.combat = appendDoc(nil, c)
			}
			req.reply <- rep
		}
	}
	for _, req := range batch { // the hub failed: refuse the rest
		if req.reply != nil {
			req.reply <- reply{err: ErrHubStopped}
		} else if req.kind == reqCommand {
			h.answer(req, nil, ErrInternal)
		}
	}
}

// item is the fate of one command of a batch.
type item struct {
	req      *request
	answered bool           // its ack or error has been sent
	outcome  *storedOutcome // ack or rule error; nil with err
	err      error          // internal or transient error (not stored)
	record   bool           // store outcome in live_commands
	patches  [2][]byte      // encoded merge patches, nil when the view did not change
	seq      [2]int64
	// dupOf is the index of an earlier command of the batch with the same
	// id (this one is a retry of it), or -1.
	dupOf int
	// replayed is true when the outcome came from live_commands.
	replayed bool
}

// working is the state a transaction builds up before its commit.
type working struct {
	st  *state
	pub [2]doc
	seq [2]int64
}

// execCommands runs a batch of commands (group commit): one transaction
// checks each command against the rules, writes its effects, logs its
// patches and records its outcome; then one commit, and only then is the
// new state adopted and published, in order, and the commands answered.
//
// The transaction is optimistic: when a command's write fails (a
// reference to a missing row, or memory disagreeing with the database),
// the batch is rolled back and run again one command per transaction, so
// that the failure is that command's alone.
func (h *Hub) execCommands(cmds []*request) {
	now := time.Now()
	h.recent.expire(now)
	items := make([]item, len(cmds))
	var todo []int
	seen := map[outcomeKey]int{}
	for i, rq := range cmds {
		items[i].req = rq
		items[i].dupOf = -1
		if o := h.recent.get(rq.actor.userID, rq.id); o != nil {
			items[i].outcome = o
			continue
		}
		if rq.id != "" {
			k := outcomeKey{rq.actor.userID, rq.id}
			if j, dup := seen[k]; dup {
				// The same id twice in one batch: the second is a retry,
				// answered like the first.
				items[i].dupOf = j
				continue
			}
			seen[k] = i
		}
		todo = append(todo, i)
	}
	// answered: items[:answered] have had their answer. When the batch
	// commits in one transaction, commitBatch answers each command as
	// soon as its patches are queued for its own connection, ahead of the
	// rest of the fan-out; otherwise (a failed batch) everything is
	// answered below, after the repair.
	answered := 0
	if len(todo) > 0 {
		needSync := false
		err := h.commitBatch(items, todo, now, &answered)
		var cf *commandFailure
		switch {
		case err == nil:
		case errors.As(err, &cf) && len(todo) > 1:
			// One command's write failed: run each alone. The outcomes of
			// the rolled-back transaction are void first, all of them: if
			// the hub stops part-way (a fenced commit), the commands not
			// run again are answered ErrInternal, never acked with a seq
			// that was not committed.
			for _, i := range todo {
				items[i] = item{req: items[i].req, dupOf: -1}
			}
			for _, i := range todo {
				if err := h.commitBatch(items, []int{i}, now, nil); err != nil {
					needSync = h.batchFailed(items, []int{i}, err) || needSync
				}
				if h.err != nil {
					break
				}
			}
		default:
			needSync = h.batchFailed(items, todo, err)
		}
		if needSync && h.err == nil {
			if err := h.reload(allParts); err != nil {
				h.err = err
			}
		}
	}
	for i := answered; i < len(items); i++ {
		h.answerItem(items, i)
	}
	// Every patch of the batch is queued for every connection now.
	for i := range items {
		h.reg.metrics.broadcast.Observe(time.Since(items[i].req.received).Seconds())
	}
}

// answerItem answers items[i] (a retry within the batch like the command
// it repeats).
func (h *Hub) answerItem(items []item, i int) {
	it := &items[i]
	if it.answered {
		return
	}
	it.answered = true
	if it.dupOf >= 0 {
		it.outcome, it.err = items[it.dupOf].outcome, items[it.dupOf].err
	}
	if it.outcome == nil && it.err == nil {
		it.err = ErrInternal // not reached: the hub failed before it
	}
	h.answer(it.req, it.outcome, it.err)
}

// batchFailed gives the commands of a failed transaction their outcome
// and reports whether the hub must reload its state.
func (h *Hub) batchFailed(items []item, idx []int, err error) (needSync bool) {
	var cf *commandFailure
	if errors.As(err, &cf) {
		// A single command's own failure; not recorded (its transaction
		// is gone), a retry runs it again.
		i := idx[0]
		items[i] = item{req: items[i].req, dupOf: -1}
		needSync = h.effectFailed(&items[i], cf.err)
		items[i].record = false
		return needSync
	}
	if errors.Is(err, errFenced) {
		h.err = err
	} else {
		h.logger.Error("live transaction failed", "err", err, "commands", len(idx))
		needSync = true
	}
	for _, i := range idx {
		items[i] = item{req: items[i].req, dupOf: -1, err: ErrInternal}
	}
	return needSync
}

// commitBatch runs the commands items[idx] in one transaction and, once it
// is committed, adopts the new state and publishes the patches in order
// (see publish; answered is passed on). A command's own write failure is
// a *commandFailure.
func (h *Hub) commitBatch(items []item, idx []int, now time.Time, answered *int) error {
	start := time.Now()
	w, err := h.runTx(items, idx, now)
	h.reg.metrics.commit.Observe(time.Since(start).Seconds())
	if err != nil {
		return err
	}
	h.reg.metrics.batch.Observe(float64(len(idx)))
	h.logger.Debug("live batch committed", "commands", len(idx), "duration", time.Since(start))
	h.st, h.pub, h.seq, h.dbSeq = w.st, w.pub, w.seq, w.seq
	h.publish(items, idx, now, answered)
	return nil
}

// publish queues the committed commands' patches, items[idx] in order,
// for the connections of their views, and remembers the outcomes.
//
// With answered (not nil), it also answers the commands as it publishes
// them, in order: items[*answered:] up to each command of idx, once that
// command's patch is queued for the connection that sent it, and before
// the patch is queued for the other connections. The sender so gets its
// patch and then its ack without waiting for the whole fan-out, while
// every connection still gets the patches in seq order and an ack after
// the patch that carries it.
func (h *Hub) publish(items []item, idx []int, now time.Time, answered *int) {
	for _, i := range idx {
		it := &items[i]
		if it.record && it.outcome != nil {
			h.recent.put(it.req.actor.userID, it.req.id, it.outcome, now)
		}
		var msgs [2][]byte
		for v := range views {
			if it.patches[v] != nil {
				msgs[v] = h.record(v, it.seq[v], it.patches[v])
			}
		}
		var first *client
		if answered != nil {
			// The sender first: its patch, then the answers due.
			if c := it.req.client; c != nil && msgs[c.vi] != nil && h.clients[c.vi].has(c) {
				first = c
				if !c.send(msgs[c.vi]) {
					h.drop(c, "slow")
				}
			}
			for ; *answered <= i; *answered++ {
				h.answerItem(items, *answered)
			}
		}
		for v := range views {
			if msgs[v] != nil {
				h.fanOut(v, msgs[v], first)
			}
		}
	}
}

// runTx is commitBatch's transaction. It fills items[i] for i in idx and
// returns the working state to adopt.
func (h *Hub) runTx(items []item, idx []int, now time.Time) (w working, err error) {
	ctx, cancel := h.dbContext()
	defer cancel()
	tx, err := h.reg.pool.Begin(ctx)
	if err != nil {
		return w, fmt.Errorf("begin: %w", err)
	}
	defer func() {
		if err != nil {
			_ = tx.Rollback(context.WithoutCancel(ctx))
		}
	}()
	w = working{st: h.st, pub: h.pub, seq: h.seq}
	if h.recent.mayMiss(now) {
		// Ids this hub has not seen may have been handled before it
		// started (or evicted from memory): ask live_commands.
		var keys []outcomeKey
		for _, i := range idx {
			if id := items[i].req.id; id != "" {
				keys = append(keys, outcomeKey{items[i].req.actor.userID, id})
			}
		}
		found, err := h.store.lookupOutcomes(ctx, tx, keys)
		if err != nil {
			return w, err
		}
		for _, i := range idx {
			rq := items[i].req
			if o := found[outcomeKey{rq.actor.userID, rq.id}]; o != nil {
				items[i].outcome, items[i].replayed = o, true
			}
		}
	}
	var events []event
	var recs []outcomeRecord
	for _, i := range idx {
		it := &items[i]
		if it.replayed {
			continue
		}
		if err := h.execOne(ctx, tx, &w, it, &events); err != nil {
			return w, err
		}
		if it.record {
			recs = append(recs, outcomeRecord{userID: it.req.actor.userID, commandID: it.req.id, outcome: it.outcome})
		}
	}
	if err := h.store.commit(ctx, tx, h.epoch, h.dbSeq, w.seq, events); err != nil {
		return w, err
	}
	if err := h.store.recordOutcomes(ctx, tx, recs); err != nil {
		return w, err
	}
	if h.sinceLog+len(events) >= trimEvery {
		q := db.New(tx)
		for v := range views {
			if err := h.store.trimEvents(ctx, q, v, w.seq[v]-ringSize); err != nil {
				return w, fmt.Errorf("trim event log: %w", err)
			}
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return w, fmt.Errorf("commit: %w", err)
	}
	if h.sinceLog += len(events); h.sinceLog >= trimEvery {
		h.sinceLog = 0
	}
	return w, nil
}

// execOne applies one command inside the batch's transaction. A rule
// error is the command's outcome; a failed write is a *commandFailure
// (the batch is then run again one command at a time); other database
// errors fail the transaction.
func (h *Hub) execOne(ctx context.Context, tx pgx.Tx, w *working, it *item, events *[]event) (err error) {
	rq := it.req
	fail := func(re error) {
		it.outcome = &storedOutcome{err: asRuleError(re)}
		it.record = rq.id != ""
	}
	st := w.st
	var p *prepared
	switch d := rq.data.(type) {
	case *combatStartData:
		if rq.actor.gm() && st.combat == nil {
			if p, err = h.store.prepare(ctx, tx, d); err != nil {
				var re *RuleError
				if errors.As(err, &re) {
					fail(re)
					return nil
				}
				return err
			}
			if d.EncounterID != nil {
				p.encounterID = *d.EncounterID
			}
		}
	case *combatAddData:
		if rq.actor.gm() && st.combat != nil && st.combat.encounterID != "" && d.MonsterID != nil {
			if p, err = h.store.prepareAdd(ctx, tx, d); err != nil {
				return err
			}
		}
	case *pollVoteData:
		if pl := st.polls.polls[*d.PollID]; pl == nil || pl.options[*d.OptionID] == nil || pl.status != "open" {
			// The hub may not have heard of a poll made over HTTP: read
			// the polls again before answering.
			if st, err = h.store.reloadParts(ctx, tx, st, PartPolls); err != nil {
				return err
			}
		}
	}
	out, rerr := h.rules.apply(st, rq.actor, rq.typ, rq.data, p)
	if rerr != nil {
		fail(rerr)
		if st != w.st { // the polls were reloaded: publish what changed
			h.publishWorking(w, st, it, events)
		}
		return nil
	}
	for _, e := range out.effects {
		if err := h.store.persist(ctx, tx, e); err != nil {
			return &commandFailure{err: err}
		}
	}
	h.publishWorking(w, out.next, it, events)
	o := &storedOutcome{seq: w.seq}
	for v := range views {
		o.result[v] = out.result.encode(out.next, views[v])
	}
	it.outcome = o
	it.record = rq.id != ""
	return nil
}

// publishWorking moves the working state to next, computing each view's
// patch, its seq and its log entry.
func (h *Hub) publishWorking(w *working, next *state, it *item, events *[]event) {
	for v := range views {
		nd := h.proj[v].project(next)
		p := diff(w.pub[v], nd)
		if p == nil {
			continue
		}
		w.seq[v]++
		w.pub[v] = nd
		enc := appendDoc(nil, p)
		it.patches[v] = enc
		*events = append(*events, event{view: v, seq: w.seq[v], patch: enc})
	}
	it.seq = w.seq
	w.st = next
}

// commandFailure is a failed write of one command: its transaction is
// rolled back, and the error becomes that command's outcome once it runs
// alone (see effectFailed).
type commandFailure struct{ err error }

func (e *commandFailure) Error() string { return e.err.Error() }
func (e *commandFailure) Unwrap() error { return e.err }

// effectFailed turns a database error of one command (in a savepoint) into
// its outcome. A reference to a row that does not exist (a userId that is
// not a member, an unknown monster) is the client's error; anything else
// means memory and database disagree, and the hub reloads.
func (h *Hub) effectFailed(it *item, err error) (needSync bool) {
	switch {
	case errors.Is(err, db.ErrNotFound):
		it.outcome = &storedOutcome{err: newRuleError(ErrNotFound, "a referenced user, monster or row does not exist")}
		it.record = it.req.id != ""
		return false
	case errors.Is(err, errStale), errors.Is(err, db.ErrConflict):
		h.logger.Warn("live state disagrees with the database", "err", err)
		it.err = newRuleError(ErrConflict, "the state changed, try again")
		return true
	default:
		h.logger.Error("live command failed", "err", err, "type", it.req.typ)
		it.err = ErrInternal
		return true
	}
}

// reload reads parts of the state again and publishes the difference as
// patches, persisted like a command's (seqs under the fence, logged). An
// error here is one the hub cannot repair: the caller stops the hub.
func (h *Hub) reload(parts Part) error {
	ctx, cancel := h.dbContext()
	defer cancel()
	w := working{st: h.st, pub: h.pub, seq: h.seq}
	it := &item{}
	var events []event
	err := pgx.BeginFunc(ctx, h.reg.pool, func(tx pgx.Tx) error {
		next, err := h.store.reloadParts(ctx, tx, h.st, parts)
		if err != nil {
			return err
		}
		h.publishWorking(&w, next, it, &events)
		return h.store.commit(ctx, tx, h.epoch, h.dbSeq, w.seq, events)
	})
	if err != nil {
		return fmt.Errorf("reload live state: %w", err)
	}
	h.st, h.pub, h.seq, h.dbSeq = w.st, w.pub, w.seq, w.seq
	for v := range views {
		if it.patches[v] != nil {
			h.broadcast(v, it.seq[v], it.patches[v])
		}
	}
	return nil
}

// asRuleError returns err as a *RuleError (internal when it is not one).
func asRuleError(err error) *RuleError {
	var re *RuleError
	if errors.As(err, &re) {
		return re
	}
	return ErrInternal
}

// clientSet is a hub's connections of one view, as a slice for fast
// fan-out with an index for removal.
type clientSet struct {
	list []*client
	pos  map[*client]int
}

func (s *clientSet) len() int { return len(s.list) }

func (s *clientSet) has(c *client) bool {
	_, ok := s.pos[c]
	return ok
}

func (s *clientSet) add(c *client) {
	if s.pos == nil {
		s.pos = map[*client]int{}
	}
	s.pos[c] = len(s.list)
	s.list = append(s.list, c)
}

func (s *clientSet) remove(c *client) bool {
	i, ok := s.pos[c]
	if !ok {
		return false
	}
	last := len(s.list) - 1
	s.list[i] = s.list[last]
	s.pos[s.list[i]] = i
	s.list[last] = nil
	s.list = s.list[:last]
	delete(s.pos, c)
	return true
}

// patchRing keeps the last ringSize encoded patch messages of a view.
type patchRing struct {
	msgs  [][]byte
	first int64 // seq of msgs[head]
	head  int
}

func (r *patchRing) push(seq int64, msg []byte) {
	if len(r.msgs) < ringSize {
		if len(r.msgs) == 0 {
			r.first = seq
		}
		r.msgs = append(r.msgs, msg)
		return
	}
	r.msgs[r.head] = msg
	r.head = (r.head + 1) % ringSize
	r.first++
}

// since returns the patches after res.Seq when res can be resumed: same
// epoch, not ahead of seq, and no older than the window.
func (r *patchRing) since(res Resume, epoch string, seq int64) ([][]byte, bool) {
	if res.Epoch == "" || res.Epoch != epoch || res.Seq > seq || res.Seq < 0 {
		return nil, false
	}
	if res.Seq == seq {
		return nil, true
	}
	n := len(r.msgs)
	if n == 0 || res.Seq+1 < r.first {
		return nil, false
	}
	out := make([][]byte, 0, seq-res.Seq)
	for s := res.Seq + 1; s <= seq; s++ {
		out = append(out, r.msgs[(r.head+int(s-r.first))%n])
	}
	return out, true
}

// outcomeKey identifies a command for idempotency.
type outcomeKey struct {
	userID string
	id     string
}

// outcomeCache keeps the outcomes of the commands this hub handled in the
// last ten minutes, up to maxRecent; live_commands has them all.
type outcomeCache struct {
	m     map[outcomeKey]*storedOutcome
	queue []recentEntry
	// floor is the time since which the cache holds every outcome: the
	// hub's start, or the newest entry evicted for room.
	floor time.Time
}

type recentEntry struct {
	key outcomeKey
	at  time.Time
}

func newOutcomeCache(start time.Time) outcomeCache {
	return outcomeCache{m: map[outcomeKey]*storedOutcome{}, floor: start}
}

func (c *outcomeCache) get(userID, id string) *storedOutcome {
	if id == "" {
		return nil
	}
	return c.m[outcomeKey{userID, id}]
}

func (c *outcomeCache) put(userID, id string, o *storedOutcome, now time.Time) {
	k := outcomeKey{userID, id}
	if _, ok := c.m[k]; ok {
		return
	}
	c.m[k] = o
	c.queue = append(c.queue, recentEntry{key: k, at: now})
	for len(c.queue) > maxRecent {
		c.floor = c.queue[0].at
		delete(c.m, c.queue[0].key)
		c.queue = c.queue[1:]
	}
}

func (c *outcomeCache) expire(now time.Time) {
	n := 0
	for n < len(c.queue) && now.Sub(c.queue[n].at) > idempotencyWindow {
		delete(c.m, c.queue[n].key)
		n++
	}
	if n > 0 {
		c.queue = append(c.queue[:0], c.queue[n:]...)
	}
}

// mayMiss reports whether an id absent from the cache may still have an
// outcome in live_commands.
func (c *outcomeCache) mayMiss(now time.Time) bool {
	return now.Sub(c.floor) < idempotencyWindow
}
