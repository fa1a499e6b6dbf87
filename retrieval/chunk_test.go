package retrieval_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/require"

	"gametable/retrieval"
)

func markdown(text string) retrieval.Extracted {
	return retrieval.Extracted{ContentType: retrieval.TypeMarkdown, Pages: []retrieval.Page{{Text: text}}}
}

func TestSplitKeepsHeadingPaths(t *testing.T) {
	t.Parallel()
	doc := markdown(`# Combat

Intro to combat.

## Making an Attack

### Grappling

When you want to grab a creature, use the Attack action.

` + "```" + `
# not a heading inside code
` + "```" + `

## Cover ##

Walls help.

# Conditions

## Prone

- You crawl.
`)
	chunks := retrieval.Split(doc, retrieval.ChunkOptions{Size: 1000, Overlap: 100})
	var paths []string
	for _, c := range chunks {
		paths = append(paths, strings.Join(c.HeadingPath, " > "))
	}
	require.Equal(t, []string{
		"Combat",
		"Combat > Making an Attack > Grappling",
		"Combat > Cover",
		"Conditions > Prone",
	}, paths, "a heading without a body gives no chunk but stays in the path")
	require.Contains(t, chunks[1].Text, "# not a heading inside code")
	require.Equal(t, "Grappling", chunks[1].Heading())
	require.True(t, strings.HasPrefix(chunks[1].IndexText(), "Combat > Making an Attack > Grappling\n\n"))
}

func TestSplitBySizeWithOverlap(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	b.WriteString("# Long\n\n")
	for i := range 40 {
		b.WriteString("Sentence number ")
		b.WriteString(strings.Repeat("x", i%7+3))
		b.WriteString(" says something about the rules of the game. ")
		if i%10 == 9 {
			b.WriteString("\n\n")
		}
	}
	opts := retrieval.ChunkOptions{Size: 300, Overlap: 80}
	chunks := retrieval.Split(markdown(b.String()), opts)
	require.Greater(t, len(chunks), 4)
	for i, c := range chunks {
		require.LessOrEqual(t, utf8.RuneCountInString(c.Text), opts.Size, "chunk %d", i)
		require.Equal(t, []string{"Long"}, c.HeadingPath)
		require.NotEmpty(t, strings.TrimSpace(c.Text))
	}
	// The next chunk repeats the last sentence of the previous one.
	overlaps := 0
	for i := 1; i < len(chunks); i++ {
		prev := chunks[i-1].Text
		last := prev[strings.LastIndex(strings.TrimSpace(prev[:len(prev)-1]), ". ")+2:]
		if strings.HasPrefix(chunks[i].Text, strings.TrimSpace(last)) {
			overlaps++
		}
	}
	require.Positive(t, overlaps)
}

func TestSplitCutsOverlongWords(t *testing.T) {
	t.Parallel()
	chunks := retrieval.Split(markdown(strings.Repeat("a", 2500)), retrieval.ChunkOptions{Size: 1000})
	require.Len(t, chunks, 3)
	require.Len(t, chunks[2].Text, 500)
}

func TestSplitPDFPages(t *testing.T) {
	t.Parallel()
	doc := retrieval.Extracted{ContentType: retrieval.TypePDF, Pages: []retrieval.Page{
		{Number: 1, Text: "# Page one text, not a heading in a PDF"},
		{Number: 3, Text: "Page three text."},
	}}
	chunks := retrieval.Split(doc, retrieval.DefaultChunkOptions)
	require.Len(t, chunks, 2)
	require.Equal(t, 1, chunks[0].Page)
	require.Empty(t, chunks[0].HeadingPath)
	require.Equal(t, 3, chunks[1].Page)
}
