package retrieval_test

import (
	"context"
	"math"
	"testing"

	"github.com/stretchr/testify/require"

	"gametable/retrieval"
)

func cosine(a, b []float32) float64 {
	var d float64
	for i := range a {
		d += float64(a[i]) * float64(b[i])
	}
	return d
}

func TestHashEmbedder(t *testing.T) {
	t.Parallel()
	e := retrieval.NewHashEmbedder()
	require.Equal(t, retrieval.OfflineModel, e.Model())
	require.Equal(t, 384, e.Dim())
	texts := []string{
		"How does grappling work?",
		"Grappling: when you want to grab a creature or wrestle with it, you can use the Attack action to make a grapple.",
		"Long rest: a period of extended downtime, at least 8 hours long, during which a character sleeps.",
		"",
	}
	v1, err := e.Embed(context.Background(), texts)
	require.NoError(t, err)
	v2, err := e.Embed(context.Background(), texts)
	require.NoError(t, err)
	require.Equal(t, v1, v2, "deterministic")
	for i, v := range v1[:3] {
		require.Len(t, v, 384)
		require.InDelta(t, 1, math.Sqrt(cosine(v, v)), 1e-5, "text %d is L2-normalised", i)
	}
	require.Zero(t, cosine(v1[3], v1[3]), "an empty text is the zero vector")
	require.Greater(t, cosine(v1[0], v1[1]), cosine(v1[0], v1[2])+0.1)

	// A paraphrase with none of the passage's words still leans its way
	// through the glossary and word parts.
	p, err := e.Embed(context.Background(), []string{"Can I wrestle the goblin and hold it down?"})
	require.NoError(t, err)
	require.Greater(t, cosine(p[0], v1[1]), cosine(p[0], v1[2]))
}

func TestHashEmbedderHonoursCancellation(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := retrieval.NewHashEmbedder().Embed(ctx, []string{"a"})
	require.ErrorIs(t, err, context.Canceled)
}
