// Package retrieval makes rule books and campaign documents searchable and
// answers rules questions from them (CONTRACT section 9, docs/retrieval.md).
//
// The pipeline: Extract sniffs the type from the content (Markdown, plain
// text, PDF through github.com/ledongthuc/pdf, page numbers kept) and never
// panics on a bad file; Split cuts the text at its headings, then by size,
// keeping the heading path on every chunk; an Embedder (the offline
// HashEmbedder, or an OpenAI-compatible endpoint) embeds the chunks; the
// Service stores them with their tsvector, BM25 statistics and embedding in
// one transaction. Search fuses BM25 and vector rankings by Reciprocal Rank
// Fusion, and Answer builds a cited answer from the best passages, with or
// without a language model.
//
// Invariants:
//   - The campaign scope is part of every search query's SQL: required
//     books, optional books the campaign enabled, the campaign's own
//     documents; never tool-only books, never another campaign's documents.
//     BM25 statistics are summed over the visible sources only.
//   - A book's or document's chunks are replaced in one transaction, so a
//     search sees the old passages or the new ones, never a mix.
//   - Every chunk records the model of its embedding; queries compare
//     vectors of the current model only.
//
// Ingestion runs in River jobs (package jobs) registered by AddWorkers; the
// Service is safe for concurrent use.
package retrieval
