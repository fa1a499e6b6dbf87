package hub

import (
	"context"
	"errors"
	"io"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"
	"golang.org/x/time/rate"
)

// Close codes the hub uses beyond the standard ones (STYLE.md section 5).
const (
	// CloseSessionEnded: logged out, or the password was reset.
	CloseSessionEnded websocket.StatusCode = 4401
	// CloseRemoved: no longer a member of the campaign.
	CloseRemoved websocket.StatusCode = 4403
	// CloseCampaignDeleted: the campaign is gone.
	CloseCampaignDeleted websocket.StatusCode = 4404
	// CloseReconnect asks the client to connect again at once (for example
	// after a role change, so that it gets the view its new role allows).
	CloseReconnect = websocket.StatusServiceRestart
)

// Frame coalescing: a writer sends at most this many queued messages in one
// frame, as JSON Lines.
const maxMessagesPerFrame = 16

// wsConn is what the hub needs of a WebSocket connection.
// *websocket.Conn implements it; tests use an in-memory fake.
type wsConn interface {
	Reader(ctx context.Context) (websocket.MessageType, io.Reader, error)
	Write(ctx context.Context, typ websocket.MessageType, p []byte) error
	Ping(ctx context.Context) error
	Close(code websocket.StatusCode, reason string) error
	CloseNow() error
	SetReadLimit(n int64)
}

var _ wsConn = (*websocket.Conn)(nil)

// client is one live connection. The reader (the ServeConn goroutine) and
// the writer (writeLoop) are the only goroutines that touch conn, apart
// from the short-lived ping goroutine and closeNow.
type client struct {
	reg  *Registry
	conn wsConn
	p    Participant
	view View
	vi   int // view.index()
	// campaignID is the campaign this connection serves.
	campaignID string

	// mu guards queue, queued, spare and the closing fields. It is held
	// only to append to or swap the queue, never while writing to the
	// socket or sending on a channel.
	mu          sync.Mutex
	queue       [][]byte // encoded messages waiting for the writer
	spare       [][]byte // the writer's previous batch, for reuse
	queued      int      // bytes in queue
	closing     bool     // no more messages; the writer closes the socket
	closeCode   websocket.StatusCode
	closeReason string

	// wake has capacity 1. send and kick signal it without blocking; only
	// the writer receives from it.
	wake chan struct{}
	// writerDone is closed by the writer when it returns.
	writerDone chan struct{}

	// writeStart is the UnixNano at which the current socket write began,
	// 0 when none is in progress; the registry's watchdog reads it.
	writeStart atomic.Int64
	// pinging is true while a ping waits for its pong.
	pinging atomic.Bool

	rbuf []byte // the reader's buffer, reused between frames
}

func newClient(r *Registry, conn wsConn, p Participant, campaignID string) *client {
	return &client{
		reg: r, conn: conn, p: p, view: p.View, vi: p.View.index(), campaignID: campaignID,
		wake: make(chan struct{}, 1), writerDone: make(chan struct{}),
	}
}

// send queues an encoded message for the writer. It never blocks. It
// returns false when the queue would pass its byte bound: the caller then
// drops the client (the hub) or closes it (the reader). After kick,
// messages are discarded and send reports true.
func (c *client) send(msg []byte) bool {
	c.mu.Lock()
	if c.closing {
		c.mu.Unlock()
		return true
	}
	if c.queued+len(msg) > c.reg.opts.MaxQueueBytes && c.queued > 0 {
		c.mu.Unlock()
		return false
	}
	c.queue = append(c.queue, msg)
	c.queued += len(msg)
	c.mu.Unlock()
	c.signal()
	return true
}

func (c *client) signal() {
	select {
	case c.wake <- struct{}{}:
	default:
	}
}

// kick asks the writer to send what is already queued, then close the
// connection with code and reason. It never blocks; the first call wins.
func (c *client) kick(code websocket.StatusCode, reason string) {
	c.close(code, reason, false)
}

func (c *client) close(code websocket.StatusCode, reason string, discard bool) {
	c.mu.Lock()
	if c.closing {
		c.mu.Unlock()
		return
	}
	c.closing, c.closeCode, c.closeReason = true, code, reason
	if discard {
		c.queue, c.queued = nil, 0
	}
	c.mu.Unlock()
	c.signal()
}

// closeNow tears the connection down without a close handshake (a write
// that does not finish, a shutdown past its deadline). It may wait for the
// reader and writer to let go of the socket.
func (c *client) closeNow() {
	_ = c.conn.CloseNow()
}

// drop kicks a client that does not keep up. When its writer is stuck in a
// write, the socket is cut at once (in the background: the caller is the
// hub, which must not wait), since a peer that does not read would not
// get a close frame anyway.
func (c *client) drop() {
	c.close(websocket.StatusPolicyViolation, "too slow", true)
	if c.writeStart.Load() != 0 {
		c.reg.wg.Add(1)
		go func() {
			defer c.reg.wg.Done()
			c.closeNow()
		}()
	}
}

// writeLoop is the connection's writer: it sends what the queue holds,
// coalescing up to maxMessagesPerFrame messages into one frame (JSON
// Lines), pings every PingInterval, and closes the socket once kicked. It
// is the only goroutine that writes data frames.
func (c *client) writeLoop() {
	defer close(c.writerDone)
	ping := time.NewTicker(c.reg.opts.PingInterval)
	defer ping.Stop()
	var frame []byte
	for {
		select {
		case <-c.wake:
		case <-ping.C:
			c.ping()
			continue
		case <-c.reg.hardStop:
			c.closeNow()
			return
		}
		c.mu.Lock()
		batch := c.queue
		c.queue, c.spare = c.spare[:0], nil
		c.queued = 0
		closing, code, reason := c.closing, c.closeCode, c.closeReason
		c.mu.Unlock()

		err := c.writeBatch(batch, &frame)
		if closing {
			// Close sends the close frame, then waits (up to 5 s) for the
			// peer's; the watchdog cuts a write that hangs.
			if err == nil {
				c.writeStart.Store(time.Now().UnixNano())
				_ = c.conn.Close(code, reason)
				c.writeStart.Store(0)
			}
			c.closeNow()
			return
		}
		clear(batch)
		c.mu.Lock()
		c.spare = batch[:0]
		c.mu.Unlock()
		if cap(frame) > 256<<10 {
			frame = nil // do not keep a huge buffer for an idle connection
		}
		if err != nil {
			c.closeNow()
			return
		}
	}
}

// writeBatch writes batch in frames of up to maxMessagesPerFrame messages.
// A lone message is written as it is; several are joined with newlines in
// *frame, which is reused.
func (c *client) writeBatch(batch [][]byte, frame *[]byte) error {
	for len(batch) > 0 {
		n := min(len(batch), maxMessagesPerFrame)
		var out []byte
		if n == 1 {
			out = batch[0]
		} else {
			b := (*frame)[:0]
			for i, m := range batch[:n] {
				if i > 0 {
					b = append(b, '\n')
				}
				b = append(b, m...)
			}
			*frame = b
			out = b
		}
		batch = batch[n:]
		// No context deadline here (that would cost a timer per write):
		// the registry's watchdog closes a connection whose write has
		// not finished within WriteTimeout.
		c.writeStart.Store(time.Now().UnixNano())
		err := c.conn.Write(context.Background(), websocket.MessageText, out)
		c.writeStart.Store(0)
		if err != nil {
			return err
		}
	}
	return nil
}

// ping checks that the peer still answers: a pong later than PongTimeout
// closes the connection. The wait runs in its own goroutine, so that the
// writer keeps writing; at most one ping is outstanding.
func (c *client) ping() {
	if !c.pinging.CompareAndSwap(false, true) {
		return
	}
	c.reg.wg.Add(1)
	go func() {
		defer c.reg.wg.Done()
		defer c.pinging.Store(false)
		ctx, cancel := context.WithTimeout(context.Background(), c.reg.opts.PongTimeout)
		defer cancel()
		if err := c.conn.Ping(ctx); err != nil {
			if ctx.Err() != nil {
				c.reg.metrics.dropped.WithLabelValues("pong_timeout").Inc()
				c.reg.logger.Warn("live connection missed a pong", "campaign_id", c.campaignID, "user_id", c.p.UserID)
			}
			c.closeNow()
		}
	}()
}

// readLoop reads frames until the connection ends: it answers pings and
// malformed, invalid or throttled frames itself and hands commands to the
// hub. It returns when the socket is closed or the hub stops.
func (c *client) readLoop(ctx context.Context, h *Hub) {
	var limiter *rate.Limiter
	if c.reg.opts.WSRate > 0 {
		limiter = rate.NewLimiter(rate.Limit(c.reg.opts.WSRate), max(c.reg.opts.WSBurst, 1))
	}
	// strikes allows a few bad or throttled frames; a flood of them
	// closes the connection with 1008.
	strikes := rate.NewLimiter(rate.Limit(c.reg.opts.StrikeRate), c.reg.opts.StrikeBurst)
	strike := func(reason string) bool {
		if strikes.Allow() {
			return true
		}
		c.reg.metrics.dropped.WithLabelValues(reason).Inc()
		c.reg.logger.Warn("live connection flooded", "campaign_id", c.campaignID, "user_id", c.p.UserID, "reason", reason)
		c.kick(websocket.StatusPolicyViolation, "too many bad or throttled frames")
		return false
	}
	reply := func(m outbound) bool {
		if !c.send(encode(m)) {
			c.reg.metrics.dropped.WithLabelValues("slow").Inc()
			c.kick(websocket.StatusPolicyViolation, "too slow")
			return false
		}
		return true
	}
	for {
		typ, r, err := c.conn.Reader(ctx)
		if err != nil {
			return
		}
		if c.rbuf, err = readAll(c.rbuf[:0], r); err != nil {
			return // over the read limit (closed with 1009) or a broken socket
		}
		if typ != websocket.MessageText {
			c.reg.metrics.commands.WithLabelValues("invalid", CodeBadRequest).Inc()
			if !reply(errorMsg{Code: CodeBadRequest, Message: "binary frames are not supported"}) || !strike("bad_frames") {
				return
			}
			continue
		}
		m, err := decodeClientMessage(c.rbuf)
		if cap(c.rbuf) > 16<<10 {
			c.rbuf = nil // a big frame was an exception: do not keep its buffer
		}
		if limiter != nil && !limiter.Allow() {
			c.reg.metrics.commands.WithLabelValues(typeLabel(m.Type), CodeRateLimited).Inc()
			if !reply(errorFor(m.ID, ErrRateLimited)) || !strike("rate_limited") {
				return
			}
			continue
		}
		if err != nil {
			c.reg.metrics.commands.WithLabelValues(typeLabel(m.Type), CodeBadRequest).Inc()
			c.reg.logger.Debug("bad live frame", "campaign_id", c.campaignID, "user_id", c.p.UserID, "err", err)
			if !reply(errorFor(m.ID, err)) || !strike("bad_frames") {
				return
			}
			continue
		}
		if err := m.Data.validate().err(); err != nil {
			c.reg.metrics.commands.WithLabelValues(m.Type, CodeValidationFailed).Inc()
			if !reply(errorFor(m.ID, err)) {
				return
			}
			continue
		}
		if m.Type == TypePing {
			c.reg.metrics.commands.WithLabelValues(m.Type, "ok").Inc()
			if !reply(pongMsg{ID: m.ID}) {
				return
			}
			continue
		}
		req := &request{
			kind: reqCommand, client: c, actor: actor{userID: c.p.UserID, role: c.p.Role},
			view: c.view, id: m.ID, typ: m.Type, data: m.Data, received: time.Now(),
		}
		if !h.submit(ctx, req) {
			return
		}
	}
}

// typeLabel bounds the metric label to the known command types.
func typeLabel(t string) string {
	if _, ok := newCommandData[t]; ok {
		return t
	}
	return "invalid"
}

// readAll appends what r yields to b.
func readAll(b []byte, r io.Reader) ([]byte, error) {
	for {
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)]
		}
		n, err := r.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if err != nil {
			if errors.Is(err, io.EOF) {
				return b, nil
			}
			return b, err
		}
	}
}
