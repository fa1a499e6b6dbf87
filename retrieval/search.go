package retrieval

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	pgvector "github.com/pgvector/pgvector-go"

	"gametable/db"
)

// Source types of a search result, as the API spells them.
const (
	SourceCoreRule         = "coreRule"
	SourceCampaignDocument = "campaignDocument"
)

// Mode chooses the rankings a search fuses.
type Mode int

const (
	// Hybrid fuses BM25 and vector rankings (the default).
	Hybrid Mode = iota
	// KeywordOnly uses BM25 alone.
	KeywordOnly
	// VectorOnly uses the embeddings alone.
	VectorOnly
)

// Tuning of the fusion. rrfK is the usual Reciprocal Rank Fusion constant
// (Cormack et al., 2009); each ranking contributes up to candidates chunks.
const (
	rrfK       = 60
	candidates = 50
	// nearLimit is how many nearest chunks of the whole table the vector
	// ranking takes from the HNSW index before applying the scope.
	nearLimit       = 400
	defaultLimit    = 10
	maxLimit        = 50
	maxQueryRunes   = 1000
	keywordWeight   = 1.0
	embeddingWeight = 0.1
	// expansionWeight is how much the glossary words of one concept named
	// by the question count in BM25 together (see expansionTerms), relative
	// to one of the question's own words.
	expansionWeight = 2.5
	// expansionMaxDF drops glossary words found in more than this share
	// of the visible chunks: common words weigh little in BM25 but have the
	// longest posting lists, and forty of them made a search three times
	// slower.
	expansionMaxDF = 0.1
	// conceptWeight is the weight of a concept's index word, which matches
	// the chunks whose headings name the concept.
	conceptWeight = 1.0
)

// SearchOptions tune Search.
type SearchOptions struct {
	// Limit is the most results, 1 to 50; default 10.
	Limit int
	// Mode; default Hybrid.
	Mode Mode
	// NoExpansion leaves out the glossary words that BM25 otherwise adds
	// to the question: plain BM25, for measuring what the glossary brings.
	NoExpansion bool
	// KeywordWeight and VectorWeight, when positive, replace the default
	// weights of the two rankings in the fusion (1 and 0.1), and
	// ExpansionWeight the weight of a concept's glossary words in BM25
	// (2.5, shared by the words): knobs for evaluation runs.
	KeywordWeight, VectorWeight, ExpansionWeight float64
	// ExpansionMaxDF, when positive, replaces expansionMaxDF (0.1): the
	// largest share of the visible chunks a glossary word may occur in.
	ExpansionMaxDF float64
}

// Source is where a passage comes from.
type Source struct {
	// Type is SourceCoreRule or SourceCampaignDocument.
	Type  string
	ID    uuid.UUID
	Title string
}

// Result is one retrieved passage.
type Result struct {
	ChunkID     uuid.UUID
	Text        string
	Heading     string
	HeadingPath []string
	// Page is the 1-based PDF page, 0 when unknown.
	Page   int
	Source Source
	// Score is the fused Reciprocal Rank Fusion score: higher is better;
	// comparable only within one search.
	Score float64
	// Coverage is the share (0 to 1) of the question's term weight (IDF)
	// that the passage contains.
	Coverage float64
	// Similarity is the cosine similarity of the passage's and the
	// question's embeddings, 0 when the vector ranking did not return it.
	Similarity float64
}

// Search returns the passages that best answer query within a campaign's
// scope: its own documents, the required books, and the optional books it
// enabled — never tool-only books, never another campaign's documents. The
// scope is enforced in SQL. An empty query (or one of stop words only)
// returns no results.
func (s *Service) Search(ctx context.Context, campaignID uuid.UUID, query string, opts SearchOptions) ([]Result, error) {
	if opts.Limit <= 0 {
		opts.Limit = defaultLimit
	}
	opts.Limit = min(opts.Limit, maxLimit)
	if r := []rune(query); len(r) > maxQueryRunes {
		query = string(r[:maxQueryRunes])
	}
	keywords := keywordText(query)
	if keywords == "" {
		return []Result{}, nil
	}

	var conceptWords, expWords []string
	var expWeights []float64
	if !opts.NoExpansion {
		conceptWords, expWords, expWeights = expansionTerms(query, cmp.Or(opts.ExpansionWeight, expansionWeight))
	}

	settings, err := s.q.IngestionSettingsGet(ctx)
	if err != nil {
		return nil, fmt.Errorf("load ingestion settings: %w", err)
	}
	kw, vw := keywordWeight, embeddingWeight
	if opts.KeywordWeight > 0 {
		kw = opts.KeywordWeight
	}
	if opts.VectorWeight > 0 {
		vw = opts.VectorWeight
	}
	switch opts.Mode {
	case KeywordOnly:
		vw = 0
	case VectorOnly:
		kw = 0
	}
	vec := make([]float32, Dim)
	model := ""
	if vw > 0 {
		emb, err := s.embedders.Resolve(settings.EmbeddingModel)
		if err == nil {
			var vs [][]float32
			vs, err = emb.Embed(ctx, []string{query})
			if err == nil {
				vec, model = vs[0], emb.Model()
			}
		}
		if err != nil {
			if opts.Mode == VectorOnly {
				return nil, fmt.Errorf("embed query: %w", err)
			}
			// The passages are still found by their words.
			s.logger.Warn("query embedding failed; keyword search only", "err", err)
			vw = 0
		}
	}

	iterative, err := s.iterativeScan(ctx)
	if err != nil {
		return nil, err
	}
	var rows []db.ChunkSearchRow
	err = pgx.BeginTxFunc(ctx, s.pool, pgx.TxOptions{AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		q := s.q.WithTx(tx)
		if err := q.RetrievalSetSearchParams(ctx, iterative); err != nil {
			return fmt.Errorf("set search parameters: %w", err)
		}
		var err error
		rows, err = q.ChunkSearch(ctx, db.ChunkSearchParams{
			CampaignID:       campaignID,
			RowLimit:         int32(opts.Limit),
			Terms:            keywords,
			ConceptWords:     conceptWords,
			ConceptWeight:    conceptWeight,
			ExpansionMaxDf:   cmp.Or(opts.ExpansionMaxDF, expansionMaxDF),
			ExpansionWords:   expWords,
			ExpansionWeights: expWeights,
			Bm25Weight:       kw,
			Candidates:       candidates,
			NearLimit:        nearLimit,
			Embedding:        pgvector.NewVector(vec),
			VectorWeight:     vw,
			EmbeddingModel:   model,
			RrfK:             rrfK,
		})
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("search chunks: %w", err)
	}
	out := make([]Result, 0, len(rows))
	for _, r := range rows {
		res := Result{
			ChunkID:     r.ID,
			Text:        r.Text,
			Heading:     r.Heading,
			HeadingPath: r.HeadingPath,
			Score:       r.Score,
			Similarity:  r.Similarity,
			Source:      Source{Title: r.SourceTitle},
		}
		if r.Page != nil {
			res.Page = int(*r.Page)
		}
		if r.QueryIdf > 0 {
			res.Coverage = r.MatchedIdf / r.QueryIdf
		}
		switch {
		case r.CoreRuleID != nil:
			res.Source.Type, res.Source.ID = SourceCoreRule, *r.CoreRuleID
		case r.CampaignDocumentID != nil:
			res.Source.Type, res.Source.ID = SourceCampaignDocument, *r.CampaignDocumentID
		}
		out = append(out, res)
	}
	return out, nil
}

// expansionTerms returns what BM25 adds to a question for the glossary
// concepts it names:
//
//   - concepts: each concept's made-up index word (conceptTokenPrefix +
//     name), which matches the chunks whose headings name the concept
//     (headingConceptTokens), the passages that are about it; searched at
//     conceptWeight;
//   - words, weights: the concepts' words that the question does not
//     contain, each at weight / sqrt(number of its concept's words), so that
//     a concept adds about as much as one strong term however many ways
//     players have of saying it (with a flat weight a concept of thirty
//     phrasings outweighed the question's own words). A word of several
//     named concepts keeps its largest weight.
func expansionTerms(query string, weight float64) (indexWords, words []string, weights []float64) {
	toks := tokens(query)
	have := map[string]bool{}
	for _, t := range toks {
		have[stem(t)] = true
	}
	at := map[string]int{} // a stem's index in words
	for _, c := range concepts(toks) {
		if !slices.Contains(indexWords, conceptTokenPrefix+c) {
			indexWords = append(indexWords, conceptTokenPrefix+c)
		}
		cw := conceptWords[c]
		w := weight / math.Sqrt(float64(max(len(cw), 1)))
		for _, word := range cw {
			s := stem(word)
			if have[s] {
				continue
			}
			if i, ok := at[s]; ok {
				weights[i] = max(weights[i], w)
				continue
			}
			at[s] = len(words)
			words = append(words, word)
			weights = append(weights, w)
		}
	}
	return indexWords, words, weights
}

// keywordText is the question without stop words and punctuation: the
// words BM25 looks for. PostgreSQL's 'english' configuration stems them the
// way it stemmed the chunks.
func keywordText(query string) string {
	var kept []string
	for _, w := range tokens(query) {
		if !isStopWord(w) {
			kept = append(kept, w)
		}
	}
	return strings.Join(kept, " ")
}
