package retrieval_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"gametable/retrieval"
)

// TestSearchFindsTheSectionAConceptNames: a question in players' words
// ("terrified") finds the section whose heading names the concept
// (Frightened) through the glossary, while Coverage still counts only the
// question's own words.
func TestSearchFindsTheSectionAConceptNames(t *testing.T) {
	t.Parallel()
	b := setup(t)
	c, _ := b.campaign(t, "Concepts")
	b.book(t, "rules", "required", "# Conditions\n\n## Frightened\n\nYou have disadvantage on ability checks while the source is in sight.\n\n"+
		"## Grappled\n\nYour speed becomes 0 while you are held.\n\n"+
		"# Travel\n\nA day of travel covers 24 miles at a normal pace. The dragon's lair is far.\n")

	// Keyword search alone: the vector ranking must not be what finds it.
	res, err := b.svc.Search(t.Context(), c, "I'm terrified, what happens?", retrieval.SearchOptions{Limit: 3, Mode: retrieval.KeywordOnly})
	require.NoError(t, err)
	require.NotEmpty(t, res)
	require.Equal(t, "Frightened", res[0].Heading)
	require.Zero(t, res[0].Coverage, "the passage has none of the question's own words")

	plain, err := b.svc.Search(t.Context(), c, "I'm terrified, what happens?", retrieval.SearchOptions{Limit: 3, Mode: retrieval.KeywordOnly, NoExpansion: true})
	require.NoError(t, err)
	require.Empty(t, plain, "without the glossary no passage shares a word with the question")
}
