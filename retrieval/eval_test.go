package retrieval_test

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"gametable/retrieval"
)

// recallAt is the cut-off of the evaluation: a question counts as answered
// when a passage of the right section is among the first recallAt results.
const recallAt = 5

// evalScores are recall@5 figures.
type evalScores struct {
	overall, verbatim, paraphrase float64
	misses                        []string
}

// TestRetrievalEval ingests the SRD rules book into a fresh database with
// the offline embedder and measures recall@5 of the evaluation questions in
// the three modes. It fails when hybrid retrieval drops below the targets
// of issue 8: 0.85 overall and 0.75 on the paraphrased half. Set
// GAMETABLE_EVAL_VERBOSE=1 to log every miss.
func TestRetrievalEval(t *testing.T) {
	t.Parallel()
	b := setup(t)
	campaignID, _ := b.campaign(t, "Eval")
	b.book(t, "srd-rules", "required", srdRulesBook(t))

	modes := []struct {
		name string
		opts retrieval.SearchOptions
	}{
		{"hybrid", retrieval.SearchOptions{Mode: retrieval.Hybrid}},
		{"bm25+glossary", retrieval.SearchOptions{Mode: retrieval.KeywordOnly}},
		{"bm25", retrieval.SearchOptions{Mode: retrieval.KeywordOnly, NoExpansion: true}},
		{"vector", retrieval.SearchOptions{Mode: retrieval.VectorOnly}},
		{"hybrid-no-glossary-in-bm25", retrieval.SearchOptions{Mode: retrieval.Hybrid, NoExpansion: true}},
	}
	scores := map[string]evalScores{}
	for _, m := range modes {
		s := runEval(t, b, campaignID, evalQuestions, m.opts)
		scores[m.name] = s
		t.Logf("%-26s recall@%d overall %.3f  book's words %.3f  paraphrased %.3f  (%d questions)",
			m.name, recallAt, s.overall, s.verbatim, s.paraphrase, len(evalQuestions))
		if os.Getenv("GAMETABLE_EVAL_VERBOSE") != "" {
			for _, miss := range s.misses {
				t.Logf("  %s miss: %s", m.name, miss)
			}
		}
	}
	var hold evalScores
	for _, m := range modes {
		s := runEval(t, b, campaignID, holdoutQuestions, m.opts)
		if m.name == "hybrid" {
			hold = s
		}
		t.Logf("%-26s held-out recall@%d %.3f (%d paraphrased questions)", m.name, recallAt, s.overall, len(holdoutQuestions))
	}
	if os.Getenv("GAMETABLE_EVAL_VERBOSE") != "" {
		for _, miss := range hold.misses {
			t.Logf("  held-out miss: %s", miss)
		}
	}
	h := scores["hybrid"]
	require.GreaterOrEqual(t, h.overall, 0.85, "hybrid recall@5 overall; misses:\n%s", strings.Join(h.misses, "\n"))
	require.GreaterOrEqual(t, h.paraphrase, 0.75, "hybrid recall@5 on paraphrased questions; misses:\n%s", strings.Join(h.misses, "\n"))
}

func runEval(t *testing.T, b *testBundle, campaignID uuid.UUID, questions []evalQuestion, opts retrieval.SearchOptions) evalScores {
	t.Helper()
	var hits, verbatimHits, verbatim, paraHits, para int
	var misses []string
	opts.Limit = recallAt
	for _, q := range questions {
		results, err := b.svc.Search(context.Background(), campaignID, q.q, opts)
		require.NoError(t, err)
		hit := false
		var got []string
		for _, r := range results {
			path := strings.Join(r.HeadingPath, " > ")
			got = append(got, path)
			for _, w := range q.want {
				if pathContains(r.HeadingPath, w) {
					hit = true
				}
			}
		}
		if q.paraphrase {
			para++
		} else {
			verbatim++
		}
		if hit {
			hits++
			if q.paraphrase {
				paraHits++
			} else {
				verbatimHits++
			}
		} else {
			misses = append(misses, q.q+"\n    want "+strings.Join(q.want, " | ")+"\n    got  "+strings.Join(got, "\n         "))
		}
	}
	return evalScores{
		overall:    float64(hits) / float64(len(questions)),
		verbatim:   float64(verbatimHits) / float64(max(verbatim, 1)),
		paraphrase: float64(paraHits) / float64(max(para, 1)),
		misses:     misses,
	}
}

// pathContains reports whether want (headings joined by " > ") occurs as a
// contiguous run in path.
func pathContains(path []string, want string) bool {
	w := strings.Split(want, " > ")
	for i := 0; i+len(w) <= len(path); i++ {
		match := true
		for j := range w {
			if !strings.EqualFold(path[i+j], w[j]) {
				match = false
				break
			}
		}
		if match {
			return true
		}
	}
	return false
}
