package retrieval_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"gametable/retrieval"
	"gametable/retrieval/srdbook"
)

// srdWholeBook is every text of the SRD data as one book (srdbook.Whole).
func srdWholeBook(t testing.TB) string {
	t.Helper()
	text, err := srdbook.Whole(srdDir(t))
	require.NoError(t, err)
	return text
}

// BenchmarkSearch measures hybrid search latency over the whole SRD (about
// 2,100 chunks) with the offline embedder, cycling through the evaluation
// questions, and reports the median and 95th percentile.
//
//	go test ./retrieval -run '^$' -bench BenchmarkSearch -benchtime 400x
func BenchmarkSearch(b *testing.B) {
	tb := setup(b)
	campaignID, _ := tb.campaign(b, "Bench")
	start := time.Now()
	tb.book(b, "srd", retrieval.KindRequired, srdWholeBook(b))
	var chunks int
	require.NoError(b, tb.pool.QueryRow(context.Background(), "SELECT count(*) FROM chunks").Scan(&chunks))
	b.Logf("ingested the whole SRD: %d chunks in %s", chunks, time.Since(start).Round(time.Millisecond))

	ctx := context.Background()
	// Warm up the connection pool and the caches.
	for _, q := range evalQuestions[:10] {
		_, err := tb.svc.Search(ctx, campaignID, q.q, retrieval.SearchOptions{})
		require.NoError(b, err)
	}
	var durations []time.Duration
	i := 0
	for b.Loop() {
		q := evalQuestions[i%len(evalQuestions)].q
		i++
		t0 := time.Now()
		results, err := tb.svc.Search(ctx, campaignID, q, retrieval.SearchOptions{})
		durations = append(durations, time.Since(t0))
		if err != nil || len(results) == 0 {
			b.Fatalf("search %q: %d results, %v", q, len(results), err)
		}
	}
	slices.Sort(durations)
	pct := func(p float64) time.Duration { return durations[int(p*float64(len(durations)-1))] }
	b.ReportMetric(float64(pct(0.50).Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(pct(0.95).Microseconds())/1000, "p95-ms")
	b.ReportMetric(float64(pct(0.99).Microseconds())/1000, "p99-ms")
}
