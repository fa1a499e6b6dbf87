package mail_test

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"gametable/mail"
	"gametable/mail/mailtest"
)

func TestSMTP_Send(t *testing.T) {
	t.Parallel()
	srv := mailtest.NewServer(t)
	s, err := mail.NewSMTP(srv.URL(), "gametable <noreply@example.com>")
	require.NoError(t, err)

	link := "https://table.example/verify-email?token=" + strings.Repeat("Ab-_", 11)
	err = s.Send(context.Background(), mail.Message{
		To:      "Alice@Example.com",
		Subject: "Confirm your email",
		Body:    "Hello Ælfgifu,\n\nopen this link:\n\n" + link + "\n",
	})
	require.NoError(t, err)

	m := srv.Wait(t, "alice@example.com", "Confirm", 1)
	require.Equal(t, "noreply@example.com", m.From)
	require.Contains(t, m.Body, link)
	require.Contains(t, m.Body, "Ælfgifu")
	require.Equal(t, strings.Repeat("Ab-_", 11), m.Token(t))
}

func TestNewSMTP_BadURL(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, url string }{
		{"Scheme", "http://mail.example.com"},
		{"NoHost", "smtp://"},
		{"Port", "smtp://mail.example.com:abc"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := mail.NewSMTP(tt.url, "noreply@example.com")
			require.Error(t, err)
		})
	}
}

// flaky fails its first n sends.
type flaky struct {
	mu    sync.Mutex
	fails int
	calls int
	sent  []mail.Message
}

func (f *flaky) Send(_ context.Context, m mail.Message) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls++
	if f.fails > 0 {
		f.fails--
		return errors.New("connection refused")
	}
	f.sent = append(f.sent, m)
	return nil
}

func (f *flaky) result() (int, []mail.Message) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls, append([]mail.Message(nil), f.sent...)
}

func TestQueue_RetriesWithBackoff(t *testing.T) {
	t.Parallel()
	f := &flaky{fails: 2}
	q := mail.NewQueue(f, slog.New(slog.DiscardHandler), mail.QueueOptions{Backoff: 10 * time.Millisecond, Attempts: 5})
	start := time.Now()
	require.True(t, q.Enqueue(mail.Message{To: "a@example.com", Subject: "one"}))

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	require.NoError(t, q.Close(ctx))
	calls, sent := f.result()
	require.Len(t, sent, 1)
	require.Equal(t, 3, calls)
	// It waited 10 ms and then 20 ms before its third try.
	require.GreaterOrEqual(t, time.Since(start), 30*time.Millisecond)
	require.False(t, q.Enqueue(mail.Message{To: "c@example.com"}), "closed queue takes no mail")
}

// picky fails every mail to one address.
type picky struct {
	bad  string
	sent chan mail.Message
}

func (p picky) Send(_ context.Context, m mail.Message) error {
	if m.To == p.bad {
		return errors.New("mailbox unavailable")
	}
	p.sent <- m
	return nil
}

func TestQueue_RetryDoesNotBlockOthers(t *testing.T) {
	t.Parallel()
	p := picky{bad: "a@example.com", sent: make(chan mail.Message, 1)}
	q := mail.NewQueue(p, slog.New(slog.DiscardHandler), mail.QueueOptions{Backoff: time.Hour})
	q.Enqueue(mail.Message{To: "a@example.com"})
	q.Enqueue(mail.Message{To: "b@example.com"})
	select {
	case m := <-p.sent:
		require.Equal(t, "b@example.com", m.To)
	case <-time.After(5 * time.Second):
		t.Fatal("the second mail waited for the first one's retry")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	require.ErrorIs(t, q.Close(ctx), context.DeadlineExceeded)
}

func TestQueue_GivesUp(t *testing.T) {
	t.Parallel()
	f := &flaky{fails: 100}
	q := mail.NewQueue(f, slog.New(slog.DiscardHandler), mail.QueueOptions{Backoff: time.Millisecond, Attempts: 3})
	q.Enqueue(mail.Message{To: "a@example.com"})
	require.NoError(t, q.Close(context.Background()))
	calls, sent := f.result()
	require.Equal(t, 3, calls)
	require.Empty(t, sent)
}

func TestQueue_CloseDeadlineDropsRetries(t *testing.T) {
	t.Parallel()
	f := &flaky{fails: 100}
	q := mail.NewQueue(f, slog.New(slog.DiscardHandler), mail.QueueOptions{Backoff: time.Hour})
	q.Enqueue(mail.Message{To: "a@example.com"})
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	require.ErrorIs(t, q.Close(ctx), context.DeadlineExceeded)
}

// blocking never returns until released, so the queue fills up.
type blocking struct{ release chan struct{} }

func (b blocking) Send(ctx context.Context, _ mail.Message) error {
	select {
	case <-b.release:
	case <-ctx.Done():
	}
	return nil
}

func TestQueue_EnqueueNeverBlocks(t *testing.T) {
	t.Parallel()
	b := blocking{release: make(chan struct{})}
	q := mail.NewQueue(b, slog.New(slog.DiscardHandler), mail.QueueOptions{Size: 2})
	accepted := 0
	for range 5 {
		if q.Enqueue(mail.Message{To: "a@example.com"}) {
			accepted++
		}
	}
	// One is being sent, two wait; the rest are dropped at once.
	require.GreaterOrEqual(t, accepted, 2)
	require.LessOrEqual(t, accepted, 3)
	close(b.release)
	require.NoError(t, q.Close(context.Background()))
}

func TestQueue_OverSMTP(t *testing.T) {
	t.Parallel()
	srv := mailtest.NewServer(t)
	srv.FailNext(1)
	s, err := mail.NewSMTP(srv.URL(), "noreply@example.com")
	require.NoError(t, err)
	q := mail.NewQueue(s, slog.New(slog.DiscardHandler), mail.QueueOptions{Backoff: 10 * time.Millisecond})
	t.Cleanup(func() { _ = q.Close(context.Background()) })
	q.Enqueue(mail.Message{To: "bob@example.com", Subject: "Reset", Body: "https://x.example/reset-password?token=abc"})
	m := srv.Wait(t, "bob@example.com", "Reset", 1)
	require.Equal(t, "abc", m.Token(t))
}
