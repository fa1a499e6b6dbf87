package jobs_test

import (
	"context"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/stretchr/testify/require"

	"gametable/db/dbtest"
	"gametable/jobs"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

// echoArgs is a test job.
type echoArgs struct {
	Message string `json:"message"`
}

func (echoArgs) Kind() string { return "test_echo" }

// blockingWorker blocks its first attempt until its context is cancelled
// (the process "dies" mid-job), and completes every later attempt.
type blockingWorker struct {
	river.WorkerDefaults[echoArgs]
	started  chan struct{}
	attempts atomic.Int32
	done     chan string
}

func (w *blockingWorker) Work(ctx context.Context, job *river.Job[echoArgs]) error {
	if w.attempts.Add(1) == 1 {
		close(w.started)
		<-ctx.Done()
		return ctx.Err()
	}
	w.done <- job.Args.Message
	return nil
}

// NextRetry retries at once rather than after River's backoff.
func (w *blockingWorker) NextRetry(*river.Job[echoArgs]) time.Time { return time.Now() }

func TestMigrateIsIdempotent(t *testing.T) {
	t.Parallel()
	pool := dbtest.New(t)
	require.NoError(t, jobs.Migrate(t.Context(), pool, nil))
	require.NoError(t, jobs.Migrate(t.Context(), pool, nil))
}

// TestJobSurvivesRestart inserts a job, lets a first client start it and
// stops that client mid-job (as a shutdown or crash would), then starts a
// fresh client, as a restarted server would: the job runs to completion.
func TestJobSurvivesRestart(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	pool := dbtest.New(t)
	require.NoError(t, jobs.Migrate(ctx, pool, nil))
	logger := slog.New(slog.DiscardHandler)

	w := &blockingWorker{started: make(chan struct{}), done: make(chan string, 1)}
	newClient := func() *jobs.Client {
		workers := river.NewWorkers()
		river.AddWorker(workers, w)
		c, err := jobs.New(pool, jobs.Config{Logger: logger, Workers: workers})
		require.NoError(t, err)
		return c
	}

	first := newClient()
	_, err := first.Insert(ctx, echoArgs{Message: "hello"}, nil)
	require.NoError(t, err)
	require.NoError(t, first.Start(ctx))
	select {
	case <-w.started:
	case <-time.After(30 * time.Second):
		t.Fatal("first client never started the job")
	}
	stopCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	require.NoError(t, first.StopAndCancel(stopCtx))

	second := newClient()
	require.NoError(t, second.Start(ctx))
	t.Cleanup(func() {
		stopCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		_ = second.Stop(stopCtx)
	})
	select {
	case msg := <-w.done:
		require.Equal(t, "hello", msg)
	case <-time.After(60 * time.Second):
		t.Fatal("the job did not complete after the restart")
	}
	require.EqualValues(t, 2, w.attempts.Load())
}
