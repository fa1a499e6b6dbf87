package retrieval

import (
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestHeadingConceptTokens(t *testing.T) {
	got := strings.Fields(headingConceptTokens([]string{"Conditions", "Frightened"}))
	require.Contains(t, got, conceptTokenPrefix+"frightened")
	require.Equal(t, len(got), len(slicesCompact(got)), "each concept once: %v", got)
	require.Empty(t, headingConceptTokens(nil))
	require.Empty(t, headingConceptTokens([]string{"Zorblax Quendril"}), "a heading that names no concept adds nothing")

	c := Chunk{HeadingPath: []string{"Conditions", "Frightened"}, Text: "A frightened creature has disadvantage."}
	require.Equal(t, c.IndexText(), "Conditions > Frightened\n\nA frightened creature has disadvantage.", "embeddings see no made-up words")
	require.True(t, strings.HasPrefix(c.searchText(), c.IndexText()))
	require.Contains(t, c.searchText(), conceptTokenPrefix+"frightened")
}

func slicesCompact(s []string) []string {
	c := slices.Clone(s)
	slices.Sort(c)
	return slices.Compact(c)
}

func TestExpansionTerms(t *testing.T) {
	index, words, weights := expansionTerms("I'm terrified of the dragon", 4)
	require.Equal(t, []string{conceptTokenPrefix + "frightened"}, index)
	require.Len(t, weights, len(words))

	n := len(conceptWords["frightened"])
	require.Greater(t, n, 4)
	at := map[string]float64{}
	for i, w := range words {
		at[w] = weights[i]
	}
	require.InDelta(t, 4/math.Sqrt(float64(n)), at["scared"], 1e-9, "a concept's words share its weight")
	require.NotContains(t, at, "terrified", "words of the question are not added again")
	for i, w := range words {
		require.NotContains(t, words[i+1:], w, "each word once")
	}

	index, words, weights = expansionTerms("zorblax quendril", 4)
	require.Empty(t, index)
	require.Empty(t, words)
	require.Empty(t, weights)
}
