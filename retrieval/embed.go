package retrieval

import (
	"context"
	"fmt"
	"hash/fnv"
	"math"
	"strings"
)

// Dim is the number of dimensions of every stored embedding. The HNSW index
// needs one fixed dimension, so every model must produce it (the schema's
// vector(384)).
const Dim = 384

// Embedder turns texts into vectors whose cosine similarity measures
// closeness of meaning. Implementations must be safe for concurrent use and
// return exactly one vector of Dim() numbers per input, in order. Vectors of
// different models are not comparable: a chunk records Model() and queries
// use the same model.
type Embedder interface {
	// Model names the model; it is stored with every embedding.
	Model() string
	// Dim is the length of every vector.
	Dim() int
	// Embed embeds texts in one call; callers batch.
	Embed(ctx context.Context, texts []string) ([][]float32, error)
}

// OfflineModel is the name of the built-in embedder.
const OfflineModel = "gametable-hash-384-v1"

// HashEmbedder is the offline default: deterministic feature hashing, no
// download, no network. Each text becomes a bag of features — word stems
// (stop words dropped), pairs of neighbouring stems, character 4-grams of
// the words, and concepts from a small glossary of how players name the
// rules ("nat 20" and "critical hit", "bleeding out" and "dying") — whose
// weights are hashed into Dim signed buckets and L2-normalised. Cosine
// similarity then rewards shared words, shared phrases, shared word parts
// (so "grapple" meets "grappled" and "grappler") and shared concepts, which
// is what lets a paraphrased question find its passage.
type HashEmbedder struct {
	weights featureWeights
}

var _ Embedder = (*HashEmbedder)(nil)

// featureWeights sets how much each kind of feature counts.
type featureWeights struct {
	word    float64
	bigram  float64
	ngram   float64
	concept float64
	// title multiplies the features of a text's first paragraph when more
	// paragraphs follow: a chunk's heading path, which names its subject.
	title float64
}

var defaultFeatureWeights = featureWeights{word: 1, bigram: 0.5, ngram: 0.5, concept: 0.8, title: 1}

// NewHashEmbedder returns the offline embedder.
func NewHashEmbedder() *HashEmbedder {
	return &HashEmbedder{weights: defaultFeatureWeights}
}

// Model returns OfflineModel.
func (e *HashEmbedder) Model() string { return OfflineModel }

// Dim returns Dim.
func (e *HashEmbedder) Dim() int { return Dim }

// Embed embeds each text; it never fails except on a cancelled context.
func (e *HashEmbedder) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	out := make([][]float32, len(texts))
	for i, t := range texts {
		if i%64 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, fmt.Errorf("embed: %w", err)
			}
		}
		out[i] = e.embed(t)
	}
	return out, nil
}

func (e *HashEmbedder) embed(text string) []float32 {
	feats := e.features(text)
	v := make([]float64, Dim)
	for f, w := range feats {
		h := fnv.New64a()
		h.Write([]byte(f))
		sum := h.Sum64()
		idx := int(sum % Dim)
		if sum>>63 == 1 {
			w = -w
		}
		v[idx] += w
	}
	var norm float64
	for _, x := range v {
		norm += x * x
	}
	out := make([]float32, Dim)
	if norm == 0 {
		return out
	}
	norm = math.Sqrt(norm)
	for i, x := range v {
		out[i] = float32(x / norm)
	}
	return out
}

// features returns each feature's weight: the kind's weight times
// 1 + ln(count), so a word repeated ten times counts about three times.
func (e *HashEmbedder) features(text string) map[string]float64 {
	counts := map[string]float64{}
	kindWeight := map[byte]float64{'w': e.weights.word, 'b': e.weights.bigram, 'n': e.weights.ngram, 'c': e.weights.concept}
	add := func(kind byte, f string, n float64) {
		if kindWeight[kind] > 0 {
			counts[string(kind)+"|"+f] += n
		}
	}
	title, body := "", text
	if i := strings.Index(text, "\n\n"); i >= 0 && e.weights.title != 1 {
		title, body = text[:i], text[i+2:]
	}
	for _, part := range []struct {
		text string
		mult float64
	}{{title, e.weights.title}, {body, 1}} {
		toks := tokens(part.text)
		prev := ""
		for _, w := range toks {
			if isStopWord(w) {
				continue
			}
			s := stem(w)
			add('w', s, part.mult)
			if prev != "" {
				add('b', prev+" "+s, part.mult)
			}
			prev = s
			grams := charNGrams(w, 4)
			for _, g := range grams {
				// A word's n-grams together weigh about as much as one
				// feature, so long words do not drown short ones.
				add('n', g, part.mult/math.Sqrt(float64(len(grams))))
			}
		}
		for _, c := range concepts(toks) {
			add('c', c, part.mult)
		}
	}
	out := make(map[string]float64, len(counts))
	for f, n := range counts {
		out[f] = kindWeight[f[0]] * (1 + math.Log(math.Max(n, 1)))
		if n < 1 {
			out[f] = kindWeight[f[0]] * n
		}
	}
	return out
}

// charNGrams returns the n-grams of "<word>", or the whole marked word when
// it is shorter than n.
func charNGrams(w string, n int) []string {
	r := []rune("<" + w + ">")
	if len(r) <= n {
		return []string{string(r)}
	}
	out := make([]string, 0, len(r)-n+1)
	for i := 0; i+n <= len(r); i++ {
		out = append(out, string(r[i:i+n]))
	}
	return out
}

// concepts returns the glossary concepts named in a token stream, longest
// phrase first at each position.
func concepts(toks []string) []string {
	stems := make([]string, len(toks))
	for i, t := range toks {
		stems[i] = stem(t)
	}
	var out []string
	for i := 0; i < len(stems); {
		matched := false
		for n := maxPhraseLen; n >= 1; n-- {
			if i+n > len(stems) {
				continue
			}
			key := strings.Join(stems[i:i+n], " ")
			if cs, ok := glossary[key]; ok {
				out = append(out, cs...)
				i += n
				matched = true
				break
			}
		}
		if !matched {
			i++
		}
	}
	return out
}
