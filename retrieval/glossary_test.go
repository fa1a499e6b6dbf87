package retrieval

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// glossaryLines returns the glossary's non-empty lines, trimmed.
func glossaryLines() []string {
	var out []string
	for line := range strings.SplitSeq(glossarySource, "\n") {
		if line = strings.TrimSpace(line); line != "" {
			out = append(out, line)
		}
	}
	return out
}

func TestGlossaryLinesParse(t *testing.T) {
	t.Parallel()
	lines := glossaryLines()
	require.Greater(t, len(lines), 100, "the glossary has its concepts")
	seenConcept := map[string]bool{}
	for _, line := range lines {
		concept, phrases, ok := strings.Cut(line, ":")
		require.True(t, ok, "line %q is \"concept: phrase, phrase, ...\"", line)
		concept = strings.TrimSpace(concept)
		require.NotEmpty(t, concept, "line %q names its concept", line)
		require.Equal(t, []string{concept}, strings.Fields(concept), "concept %q is one word", concept)
		require.Equal(t, strings.ToLower(concept), concept, "concept %q is lower case", concept)
		require.False(t, seenConcept[concept], "concept %q has one line", concept)
		seenConcept[concept] = true
		require.NotContains(t, phrases, ":", "line %q has one colon", line)

		seenPhrase := map[string]string{}
		for p := range strings.SplitSeq(phrases, ",") {
			toks := tokens(p)
			if !assert.NotEmpty(t, toks, "concept %q: empty phrase in %q", concept, line) {
				continue
			}
			assert.LessOrEqual(t, len(toks), maxPhraseLen,
				"concept %q: phrase %q has more than %d words, so it would never match", concept, strings.TrimSpace(p), maxPhraseLen)
			meaningful := false
			stems := make([]string, len(toks))
			for i, w := range toks {
				stems[i] = stem(w)
				if !isStopWord(w) {
					meaningful = true
				}
			}
			assert.True(t, meaningful, "concept %q: phrase %q is only stop words", concept, strings.TrimSpace(p))
			key := strings.Join(stems, " ")
			prev, dup := seenPhrase[key]
			assert.False(t, dup, "concept %q: phrases %q and %q are the same stems", concept, prev, strings.TrimSpace(p))
			seenPhrase[key] = strings.TrimSpace(p)
		}
	}
}

func TestGlossaryEveryPhraseMatchesItsConcept(t *testing.T) {
	t.Parallel()
	for _, line := range glossaryLines() {
		concept, phrases, _ := strings.Cut(line, ":")
		concept = strings.TrimSpace(concept)
		for p := range strings.SplitSeq(phrases, ",") {
			require.Contains(t, concepts(tokens(p)), concept, "phrase %q", strings.TrimSpace(p))
		}
		require.NotEmpty(t, conceptWords[concept], "concept %q has words to add", concept)
	}
}

func TestGlossaryConceptLookups(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ text, concept string }{
		{"my wizard passed out", "unconscious"},
		{"he got knocked out cold", "unconscious"},
		{"I want to take him alive, nonlethal", "knockout"},
		{"she is bleeding out", "dying"},
		{"can I pickpocket the guard", "sleightofhand"},
		{"can I tell if he's lying", "insight"},
		{"I coat my blade with poison", "poisoncraft"},
		{"can I wear two rings of protection", "multipleitems"},
		{"what's the exchange rate for electrum", "exchange"},
		{"we travel to the Astral Plane", "transitiveplanes"},
		{"I shoot in melee with my bow", "rangedclose"},
		{"can I cast two spells in one turn", "bonusspell"},
		{"the rogue disarms the tripwire", "trap"},
		{"we found a spiked pit", "pits"},
		{"how much can my character lift", "lifting"},
		{"my sword talks to me", "sentient"},
		{"the wand has no charges left", "charges"},
		{"the whole party rolls stealth", "workingtogether"},
		{"we do a forced march", "forcedmarch"},
		{"I spend downtime working a day job", "profession"},
	} {
		require.Contains(t, concepts(tokens(c.text)), c.concept, "%q", c.text)
	}
}

func TestGlossaryCommonRulesWordsAreNotPhrases(t *testing.T) {
	t.Parallel()
	// Words in nearly every rules question would add a concept's words to
	// every search; they belong in longer phrases only.
	for _, w := range []string{"turn", "action", "creature", "roll", "spell", "attack", "check", "magic", "move", "make", "see"} {
		require.Empty(t, glossary[stem(w)], "%q is a phrase on its own", w)
	}
}

func TestGlossaryLongestPhraseWins(t *testing.T) {
	t.Parallel()
	// "hit points" is not an attack, "lie down" is not a lie.
	require.Equal(t, []string{"hitpoints"}, concepts(tokens("hit points")))
	require.Equal(t, []string{"prone"}, concepts(tokens("lie down")))
	require.Equal(t, []string{"planes"}, concepts(tokens("material plane")))
}

func TestGlossaryExpansion(t *testing.T) {
	t.Parallel()
	_, words, _ := expansionTerms("I am terrified", 1)
	require.Contains(t, words, "frightened")
	require.NotContains(t, words, "terrified", "words already in the text are not added")
	_, none, _ := expansionTerms("xyzzy plugh", 1)
	require.Empty(t, none, "no concept, no words")
}
