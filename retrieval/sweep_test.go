package retrieval_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/stretchr/testify/require"

	"gametable/jobs"
	"gametable/retrieval"
)

// storedPath is where a FileStore under dir keeps data.
func storedPath(dir string, data []byte) string {
	sum := sha256.Sum256(data)
	h := hex.EncodeToString(sum[:])
	return filepath.Join(dir, h[:2], h)
}

// backdate makes every file under dir look stored two hours ago.
func backdate(t *testing.T, dir string) {
	t.Helper()
	old := time.Now().Add(-2 * time.Hour)
	require.NoError(t, filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		return os.Chtimes(path, old, old)
	}))
}

func TestFileStoreSweep(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	dir := t.TempDir()
	fs, err := retrieval.NewFileStore(dir)
	require.NoError(t, err)
	unused, kept, fresh := []byte("unused"), []byte("kept"), []byte("fresh")
	for _, d := range [][]byte{unused, kept, fresh} {
		_, err := fs.Put(d)
		require.NoError(t, err)
	}
	keptSum := sha256.Sum256(kept)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "README"), []byte("not an upload"), 0o600))
	tmp := filepath.Join(filepath.Dir(storedPath(dir, unused)), ".upload-123")
	require.NoError(t, os.WriteFile(tmp, []byte("half a file"), 0o600))
	backdate(t, dir)
	// Stored again: recent, so spared although nothing refers to it.
	_, err = fs.Put(fresh)
	require.NoError(t, err)

	referenced := func(sum []byte) bool { return string(sum) == string(keptSum[:]) }
	n, err := fs.Sweep(ctx, time.Hour, referenced)
	require.NoError(t, err)
	require.Equal(t, 2, n, "the unused file and the dead temporary file")
	require.NoFileExists(t, storedPath(dir, unused))
	require.NoFileExists(t, tmp)
	require.FileExists(t, storedPath(dir, kept))
	require.FileExists(t, storedPath(dir, fresh))
	require.FileExists(t, filepath.Join(dir, "README"))

	// Files a sweep set aside and did not settle (it died): a needed one
	// and one stored again meanwhile go back, an old unneeded one goes.
	aside := func(data []byte) string {
		_, err := fs.Put(data)
		require.NoError(t, err)
		p := storedPath(dir, data)
		trash := filepath.Join(filepath.Dir(p), ".trash-"+filepath.Base(p))
		require.NoError(t, os.Rename(p, trash))
		return trash
	}
	neededAside, freshAside, oldAside := []byte("needed, set aside"), []byte("stored again"), []byte("old, set aside")
	neededTrash, _, oldTrash := aside(neededAside), aside(freshAside), aside(oldAside)
	long := time.Now().Add(-2 * time.Hour)
	for _, p := range []string{neededTrash, oldTrash} {
		require.NoError(t, os.Chtimes(p, long, long))
	}
	neededSum := sha256.Sum256(neededAside)
	n, err = fs.Sweep(ctx, time.Hour, func(sum []byte) bool {
		return referenced(sum) || string(sum) == string(neededSum[:])
	})
	require.NoError(t, err)
	require.Equal(t, 1, n)
	require.FileExists(t, storedPath(dir, neededAside))
	require.FileExists(t, storedPath(dir, freshAside))
	require.NoFileExists(t, storedPath(dir, oldAside))
	require.NoFileExists(t, oldTrash)
	matches, err := filepath.Glob(filepath.Join(dir, "*", ".trash-*"))
	require.NoError(t, err)
	require.Empty(t, matches)

	// A removed file can be stored again.
	_, err = fs.Put(unused)
	require.NoError(t, err)
	got, err := fs.Get(sha256Sum(unused))
	require.NoError(t, err)
	require.Equal(t, unused, got)
}

// TestFileStoreSymlink: a store whose directory is a symbolic link (uploads
// on another volume) is swept like any other.
func TestFileStoreSymlink(t *testing.T) {
	t.Parallel()
	target := t.TempDir()
	link := filepath.Join(t.TempDir(), "uploads")
	require.NoError(t, os.Symlink(target, link))
	fs, err := retrieval.NewFileStore(link)
	require.NoError(t, err)
	data := []byte("left behind")
	_, err = fs.Put(data)
	require.NoError(t, err)
	require.FileExists(t, storedPath(target, data))
	backdate(t, target)
	n, err := fs.Sweep(t.Context(), time.Hour, func([]byte) bool { return false })
	require.NoError(t, err)
	require.Equal(t, 1, n)
	require.NoFileExists(t, storedPath(target, data))
}

func sha256Sum(data []byte) []byte {
	s := sha256.Sum256(data)
	return s[:]
}

// setupSweep returns a service with a file store in dir, on a database
// with River's tables.
func setupSweep(t *testing.T) (*testBundle, *retrieval.Service, *retrieval.FileStore, string) {
	t.Helper()
	b := setup(t)
	require.NoError(t, jobs.Migrate(t.Context(), b.pool, nil))
	dir := t.TempDir()
	files, err := retrieval.NewFileStore(dir)
	require.NoError(t, err)
	svc, err := retrieval.New(retrieval.Config{Pool: b.pool, Files: files})
	require.NoError(t, err)
	return b, svc, files, dir
}

// TestSweepFiles: a deleted document's file goes once no other document or
// book uses the same content; a book's files stay.
func TestSweepFiles(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	b, svc, _, dir := setupSweep(t)
	client, err := jobs.New(b.pool, jobs.Config{}) // insert only: ingestion does not matter here
	require.NoError(t, err)
	svc.SetQueue(client)

	c1, u1 := b.campaign(t, "One")
	c2, u2 := b.campaign(t, "Two")
	shared := []byte("# Map\n\nThe tower stands north of the river.")
	secret := []byte("# Secret\n\nThe duke is the cult leader.")
	bookText := []byte("# Rules\n\n## Cover\n\nHalf cover gives +2 AC.")
	d1, err := svc.UploadDocument(ctx, retrieval.UploadDocumentParams{CampaignID: c1, UploadedBy: u1, Filename: "map.md", Data: shared})
	require.NoError(t, err)
	d2, err := svc.UploadDocument(ctx, retrieval.UploadDocumentParams{CampaignID: c2, UploadedBy: u2, Filename: "map.md", Data: shared})
	require.NoError(t, err)
	d3, err := svc.UploadDocument(ctx, retrieval.UploadDocumentParams{CampaignID: c1, UploadedBy: u1, Filename: "secret.md", Data: secret})
	require.NoError(t, err)
	_, err = svc.CreateCoreRule(ctx, retrieval.CreateCoreRuleParams{
		Slug: "rules", Title: "Rules", Kind: retrieval.KindRequired, Files: []retrieval.File{{Name: "rules.md", Data: bookText}},
	})
	require.NoError(t, err)

	require.NoError(t, svc.DeleteDocument(ctx, c1, d3.ID))
	n, err := svc.SweepFiles(ctx, time.Hour)
	require.NoError(t, err)
	require.Zero(t, n, "a file stored less than the grace period ago stays")
	require.FileExists(t, storedPath(dir, secret))

	backdate(t, dir)
	require.NoError(t, svc.DeleteDocument(ctx, c1, d1.ID))
	n, err = svc.SweepFiles(ctx, time.Hour)
	require.NoError(t, err)
	require.Equal(t, 1, n)
	require.NoFileExists(t, storedPath(dir, secret), "the deleted document's file is gone")
	require.FileExists(t, storedPath(dir, shared), "another campaign's document still uses it")
	require.FileExists(t, storedPath(dir, bookText), "the book's file stays")

	require.NoError(t, svc.DeleteDocument(ctx, c2, d2.ID))
	n, err = svc.SweepFiles(ctx, time.Hour)
	require.NoError(t, err)
	require.Equal(t, 1, n)
	require.NoFileExists(t, storedPath(dir, shared))
	require.FileExists(t, storedPath(dir, bookText))
}

// TestFileSweepJob: the River client runs the sweep when it starts.
func TestFileSweepJob(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	b, svc, files, dir := setupSweep(t)
	orphan := []byte("an upload whose row is gone")
	_, err := files.Put(orphan)
	require.NoError(t, err)
	backdate(t, dir)

	workers := river.NewWorkers()
	svc.AddWorkers(workers)
	client, err := jobs.New(b.pool, jobs.Config{
		Logger: slog.New(slog.DiscardHandler), Workers: workers,
		Queues: map[string]int{retrieval.QueueName: 1}, PeriodicJobs: retrieval.PeriodicJobs(),
	})
	require.NoError(t, err)
	svc.SetQueue(client)
	require.NoError(t, client.Start(ctx))
	t.Cleanup(func() {
		stopCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		_ = client.Stop(stopCtx)
	})
	require.Eventually(t, func() bool {
		_, err := os.Stat(storedPath(dir, orphan))
		return os.IsNotExist(err)
	}, 60*time.Second, 100*time.Millisecond, "the sweep runs on start")
}
