package retrieval

import (
	"context"
	"fmt"
	"time"

	"github.com/riverqueue/river"
)

// SweepGrace is how long a stored file is kept after it was last stored,
// whether or not a row refers to it: far longer than an upload takes to
// commit the row that refers to its file.
const SweepGrace = time.Hour

// SweepFiles removes the uploaded files no document or book refers to any
// more (a deleted document, a book imported again with other files), once
// they are older than grace, and returns how many it removed. The
// retrieval_file_sweep job runs it every hour.
func (s *Service) SweepFiles(ctx context.Context, grace time.Duration) (int, error) {
	if s.files == nil {
		return 0, nil
	}
	sums, err := s.q.UploadChecksumList(ctx)
	if err != nil {
		return 0, fmt.Errorf("list stored checksums: %w", err)
	}
	// Read before walking the store: a file stored after this list was
	// taken is younger than grace.
	needed := make(map[string]bool, len(sums))
	for _, sum := range sums {
		needed[string(sum)] = true
	}
	n, err := s.files.Sweep(ctx, grace, func(sum []byte) bool { return needed[string(sum)] })
	if n > 0 {
		s.logger.Info("removed uploaded files no longer used", "files", n)
	}
	return n, err
}

// FileSweepArgs is the hourly job that runs SweepFiles.
type FileSweepArgs struct{}

// Kind names the job for River.
func (FileSweepArgs) Kind() string { return "retrieval_file_sweep" }

// InsertOpts puts the job on the retrieval queue, one at a time.
func (FileSweepArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: QueueName, MaxAttempts: 3, UniqueOpts: river.UniqueOpts{ByPeriod: time.Hour}}
}

type fileSweepWorker struct {
	river.WorkerDefaults[FileSweepArgs]
	svc *Service
}

func (w *fileSweepWorker) Timeout(*river.Job[FileSweepArgs]) time.Duration { return 10 * time.Minute }

func (w *fileSweepWorker) Work(ctx context.Context, _ *river.Job[FileSweepArgs]) error {
	_, err := w.svc.SweepFiles(ctx, SweepGrace)
	return err
}

// PeriodicJobs returns retrieval's periodic jobs for the River client: the
// hourly file sweep, also run when the client starts.
func PeriodicJobs() []*river.PeriodicJob {
	return []*river.PeriodicJob{
		river.NewPeriodicJob(river.PeriodicInterval(time.Hour),
			func() (river.JobArgs, *river.InsertOpts) { return FileSweepArgs{}, nil },
			&river.PeriodicJobOpts{RunOnStart: true}),
	}
}
