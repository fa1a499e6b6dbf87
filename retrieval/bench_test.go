package retrieval_test

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"gametable/retrieval"
)

// srdWholeBook renders every text of the SRD data as Markdown: the rules
// book of the evaluation, then spells, monsters, magic items, equipment,
// weapon properties and damage types, one "##" section per record.
func srdWholeBook(t testing.TB) string {
	t.Helper()
	dir := srdDir(t)
	var b strings.Builder
	b.WriteString(srdRulesBook(t))

	section := func(title, file string, render func(map[string]any) string) {
		var records []map[string]any
		readJSON(t, filepath.Join(dir, file), &records)
		fmt.Fprintf(&b, "# %s\n\n", title)
		for _, r := range records {
			fmt.Fprintf(&b, "## %v\n\n%s\n\n", r["name"], render(r))
		}
	}
	lines := func(v any) string {
		var out []string
		if list, ok := v.([]any); ok {
			for _, x := range list {
				out = append(out, fmt.Sprint(x))
			}
		}
		return strings.Join(out, "\n\n")
	}
	named := func(v any) string {
		var out []string
		if list, ok := v.([]any); ok {
			for _, x := range list {
				if m, ok := x.(map[string]any); ok {
					out = append(out, fmt.Sprintf("***%v.*** %v", m["name"], m["desc"]))
				}
			}
		}
		return strings.Join(out, "\n\n")
	}
	section("Spells", "5e-SRD-Spells.json", func(r map[string]any) string {
		return fmt.Sprintf("Level %v. Casting time %v. Range %v. Duration %v.\n\n%s\n\n%s",
			r["level"], r["casting_time"], r["range"], r["duration"], lines(r["desc"]), lines(r["higher_level"]))
	})
	section("Monsters", "5e-SRD-Monsters.json", func(r map[string]any) string {
		return fmt.Sprintf("%v %v, %v. Hit points %v. Challenge %v.\n\n%s\n\n%s\n\n%s",
			r["size"], r["type"], r["alignment"], r["hit_points"], r["challenge_rating"],
			named(r["special_abilities"]), named(r["actions"]), named(r["legendary_actions"]))
	})
	section("Magic Items", "5e-SRD-Magic-Items.json", func(r map[string]any) string { return lines(r["desc"]) })
	section("Equipment", "5e-SRD-Equipment.json", func(r map[string]any) string {
		return fmt.Sprintf("Cost %v. Weight %v.\n\n%s", r["cost"], r["weight"], lines(r["desc"]))
	})
	section("Weapon Properties", "5e-SRD-Weapon-Properties.json", func(r map[string]any) string { return lines(r["desc"]) })
	section("Damage Types", "5e-SRD-Damage-Types.json", func(r map[string]any) string { return lines(r["desc"]) })
	return b.String()
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
