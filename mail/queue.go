package mail

import (
	"context"
	"log/slog"
	"sync"
	"time"
)

// QueueOptions tune a Queue; zero fields take the defaults.
type QueueOptions struct {
	// Size is how many mails may wait; Enqueue drops (and logs) beyond it.
	// Default 1000.
	Size int
	// Attempts is how often a mail is tried before it is given up. Default 8.
	Attempts int
	// Backoff is the wait before the first retry; it doubles with each
	// failure up to MaxBackoff. Defaults 2 s and 10 min (8 attempts span
	// about 20 minutes).
	Backoff    time.Duration
	MaxBackoff time.Duration
}

func (o *QueueOptions) defaults() {
	if o.Size <= 0 {
		o.Size = 1000
	}
	if o.Attempts <= 0 {
		o.Attempts = 8
	}
	if o.Backoff <= 0 {
		o.Backoff = 2 * time.Second
	}
	if o.MaxBackoff <= 0 {
		o.MaxBackoff = 10 * time.Minute
	}
}

// Queue delivers mails in the background so that no request waits for a
// mail server. One worker goroutine owns the retry list; it is the only
// goroutine that calls the Sender.
type Queue struct {
	sender Sender
	logger *slog.Logger
	opts   QueueOptions

	// mu guards closed and, with it, sends on in: Enqueue sends under the
	// read lock, Close closes in under the write lock, so no send can hit
	// a closed channel.
	mu     sync.RWMutex
	closed bool
	// in carries new mails from Enqueue to the worker; Close closes it.
	in chan Message

	// ctx is cancelled when Close's deadline passes; it aborts the
	// delivery in progress and the wait for the next retry.
	ctx    context.Context
	cancel context.CancelFunc
	// done is closed by the worker when it exits.
	done chan struct{}
}

// NewQueue starts the worker. Call Close to stop it.
func NewQueue(sender Sender, logger *slog.Logger, opts QueueOptions) *Queue {
	opts.defaults()
	ctx, cancel := context.WithCancel(context.Background())
	q := &Queue{
		sender: sender,
		logger: logger,
		opts:   opts,
		in:     make(chan Message, opts.Size),
		ctx:    ctx,
		cancel: cancel,
		done:   make(chan struct{}),
	}
	go q.run()
	return q
}

// Enqueue hands m to the worker without blocking. It reports false, and
// logs, when the queue is full or closed.
func (q *Queue) Enqueue(m Message) bool {
	q.mu.RLock()
	defer q.mu.RUnlock()
	if q.closed {
		q.logger.Error("mail dropped, queue closed", "to", m.To, "subject", m.Subject)
		return false
	}
	select {
	case q.in <- m:
		return true
	default:
		q.logger.Error("mail dropped, queue full", "to", m.To, "subject", m.Subject, "size", q.opts.Size)
		return false
	}
}

// Close stops taking mails and waits until the queued ones are delivered
// or given up, or until ctx is done; then whatever is left is dropped and
// logged. It is safe to call more than once.
func (q *Queue) Close(ctx context.Context) error {
	q.mu.Lock()
	if !q.closed {
		q.closed = true
		close(q.in)
	}
	q.mu.Unlock()
	select {
	case <-q.done:
		return nil
	case <-ctx.Done():
		q.cancel()
		<-q.done
		return ctx.Err()
	}
}

// retry is a mail waiting for its next attempt.
type retry struct {
	m       Message
	attempt int // attempts made so far
	due     time.Time
}

func (q *Queue) run() {
	defer close(q.done)
	defer q.cancel()
	var (
		retries []retry
		timer   = time.NewTimer(time.Hour)
		in      = q.in
	)
	timer.Stop()
	defer timer.Stop()
	for in != nil || len(retries) > 0 {
		var wake <-chan time.Time
		if len(retries) > 0 {
			next := 0
			for i := range retries {
				if retries[i].due.Before(retries[next].due) {
					next = i
				}
			}
			timer.Reset(time.Until(retries[next].due))
			wake = timer.C
		}
		select {
		case m, ok := <-in:
			if !ok {
				in = nil
				break
			}
			if r, again := q.attempt(retry{m: m}); again {
				retries = append(retries, r)
			}
		case <-wake:
			now := time.Now()
			kept := retries[:0]
			for _, r := range retries {
				if r.due.After(now) {
					kept = append(kept, r)
					continue
				}
				if r, again := q.attempt(r); again {
					kept = append(kept, r)
				}
			}
			retries = kept
		case <-q.ctx.Done():
			for _, r := range retries {
				q.logger.Error("mail dropped at shutdown", "to", r.m.To, "subject", r.m.Subject, "attempts", r.attempt)
			}
			if in != nil {
				for m := range in {
					q.logger.Error("mail dropped at shutdown", "to", m.To, "subject", m.Subject, "attempts", 0)
				}
			}
			return
		}
		timer.Stop()
	}
}

// attempt tries r once and says whether it should be tried again, and when.
func (q *Queue) attempt(r retry) (retry, bool) {
	err := q.sender.Send(q.ctx, r.m)
	r.attempt++
	if err == nil {
		q.logger.Debug("mail sent", "to", r.m.To, "subject", r.m.Subject, "attempts", r.attempt)
		return r, false
	}
	if r.attempt >= q.opts.Attempts || q.ctx.Err() != nil {
		q.logger.Error("mail not delivered, giving up", "to", r.m.To, "subject", r.m.Subject, "attempts", r.attempt, "err", err)
		return r, false
	}
	wait := q.opts.Backoff << (r.attempt - 1)
	if wait > q.opts.MaxBackoff || wait <= 0 {
		wait = q.opts.MaxBackoff
	}
	r.due = time.Now().Add(wait)
	q.logger.Warn("mail send failed, will retry", "to", r.m.To, "subject", r.m.Subject, "attempt", r.attempt, "retry_in", wait, "err", err)
	return r, true
}
