package retrieval_test

import (
	"context"
	"fmt"
	"os"
	"slices"
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
// the offline embedder and measures recall@5 of three question sets in
// every mode:
//
//   - evalQuestions (92), the development set: the glossary was once
//     extended while looking at its misses, so its figures are optimistic;
//   - holdoutQuestions (35 paraphrased), written after that tuning; since
//     then four of its phrasings reached the glossary through the prompt of
//     its rewrite, and the search weights were chosen on it with the
//     development set, so it is development data too;
//   - blindQuestions and blindQuestions2 (80 each), the test sets, each
//     written by a session that saw neither the search code, the glossary
//     nor any other set.
//
// It fails when hybrid retrieval on both blind sets together falls below
// issue 8's targets (0.85 overall, 0.75 paraphrased), when the development
// set falls below its regression floors, and when the chat answers more
// off-topic questions than it does today. GAMETABLE_EVAL_VERBOSE=1 logs the misses
// of the development and held-out sets; the blind set's misses are logged
// only with GAMETABLE_EVAL_VERBOSE=blind, because reading them is the first
// step to tuning on them.
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
	sets := []struct {
		name      string
		questions []evalQuestion
		verbose   bool
	}{
		{"dev", evalQuestions, os.Getenv("GAMETABLE_EVAL_VERBOSE") != ""},
		{"held-out", holdoutQuestions, os.Getenv("GAMETABLE_EVAL_VERBOSE") != ""},
		{"blind", blindQuestions, os.Getenv("GAMETABLE_EVAL_VERBOSE") == "blind"},
		{"blind2", blindQuestions2, os.Getenv("GAMETABLE_EVAL_VERBOSE") == "blind"},
		{"blind1+2", slices.Concat(blindQuestions, blindQuestions2), false},
	}
	hybrid := map[string]evalScores{}
	for _, set := range sets {
		for _, m := range modes {
			s := runEval(t, b, campaignID, set.questions, m.opts)
			if m.name == "hybrid" {
				hybrid[set.name] = s
			}
			t.Logf("%-8s %-26s recall@%d overall %.3f  book's words %.3f  paraphrased %.3f  (%d questions)",
				set.name, m.name, recallAt, s.overall, s.verbatim, s.paraphrase, len(set.questions))
			if set.verbose {
				for _, miss := range s.misses {
					t.Logf("  %s %s miss: %s", set.name, m.name, miss)
				}
			}
		}
	}

	// The rules chat without a model: how often it answers, how often its
	// sources include a right section, and that it declines questions the
	// book does not cover.
	for _, set := range sets {
		answered, cited := 0, 0
		for _, q := range set.questions {
			ans, err := b.svc.Answer(t.Context(), campaignID, q.q, nil)
			require.NoError(t, err)
			if !ans.Found {
				continue
			}
			answered++
			for _, src := range ans.Sources {
				if slices.ContainsFunc(q.want, func(w string) bool { return pathContains(src.HeadingPath, w) }) {
					cited++
					break
				}
			}
		}
		t.Logf("%-8s chat answers %d of %d questions, %d citing a right section", set.name, answered, len(set.questions), cited)
	}
	var offTopicAnswered []string
	for _, q := range offTopicQuestions {
		ans, err := b.svc.Answer(t.Context(), campaignID, q, nil)
		require.NoError(t, err)
		if ans.Found {
			offTopicAnswered = append(offTopicAnswered, fmt.Sprintf("%q (from %s)", q, strings.Join(ans.Sources[0].HeadingPath, " > ")))
		}
	}
	t.Logf("off-topic: the chat answers %d of %d: %s", len(offTopicAnswered), len(offTopicQuestions), strings.Join(offTopicAnswered, ", "))
	// Three are answered today, each through one word it shares with the
	// book ("fall", "speed", "heal"): the relevance rule (answer.go) cannot
	// tell those apart from short paraphrases; docs/retrieval.md. More is a
	// regression.
	require.LessOrEqual(t, len(offTopicAnswered), 3, "off-topic questions the chat answers")

	// Issue 8's targets, 0.85 overall and 0.75 on the paraphrased half, on
	// questions the system was not tuned on: both blind sets together (the
	// rule fixed before the second one was first run; docs/retrieval.md).
	blind := hybrid["blind1+2"]
	t.Logf("both blind sets vs issue 8's targets: overall %.3f (target %.2f), paraphrased %.3f (target %.2f)",
		blind.overall, targetOverall, blind.paraphrase, targetParaphrase)
	require.GreaterOrEqual(t, blind.overall, targetOverall, "hybrid recall@5 overall on the blind test sets")
	require.GreaterOrEqual(t, blind.paraphrase, targetParaphrase, "hybrid recall@5 on the blind test sets' paraphrased halves")
	dev := hybrid["dev"]
	require.GreaterOrEqual(t, dev.overall, devFloorOverall, "hybrid recall@5 overall on the development set; misses:\n%s", strings.Join(dev.misses, "\n"))
	require.GreaterOrEqual(t, dev.paraphrase, devFloorParaphrase, "hybrid recall@5 on the development set's paraphrases; misses:\n%s", strings.Join(dev.misses, "\n"))
}

// offTopicQuestions are questions the SRD rules do not answer; the chat
// must say it found nothing. A few share a common word with the book
// (ride, fall, light, heal, gold).
var offTopicQuestions = []string{
	"What is the airspeed velocity of an unladen swallow?",
	"How do I bake sourdough bread?",
	"Who won the football world cup in 1998?",
	"How do I configure my router's firewall?",
	"What is the capital of Australia?",
	"How long should I boil an egg?",
	"Which bus do I ride to the airport?",
	"Why do leaves fall in autumn?",
	"What is the speed of light in a vacuum?",
	"How long does a broken arm take to heal?",
	"What is the price of gold per ounce today?",
	"Can you recommend a good science fiction novel?",
}

// Issue 8's targets, checked on both blind sets together, and regression
// floors of the development set (today's figures less about one question).
const (
	targetOverall      = 0.85
	targetParaphrase   = 0.75
	devFloorOverall    = 0.97
	devFloorParaphrase = 0.95
)

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
