-- Retrieval performance (issue 8). First, an inverted index for BM25: one row per chunk and lexeme, with
-- the lexeme's frequency in the chunk. Scoring a question then reads only
-- the rows of its few terms through the primary key, instead of unnesting
-- the tsvector of every matching chunk (which cost ~50 ms per search over
-- the whole SRD). The chunk's length and source are copied from chunks so
-- that scoring needs no join until the winners are known.
--
-- Not campaign-owned: it has no campaign_id. source_id is the chunk's
-- core_rule_id or campaign_document_id (whichever is set), and searches
-- keep only rows whose source_id is a book visible to the campaign or a
-- document of the campaign (queries/retrieval.sql, ChunkSearch). Rows go
-- with their chunk (ON DELETE CASCADE), so deleting a document or book, or
-- re-ingesting it, removes them.

CREATE TABLE chunk_terms (
    term text NOT NULL,
    chunk_id uuid NOT NULL REFERENCES chunks ON DELETE CASCADE,
    -- chunks.core_rule_id or chunks.campaign_document_id of the chunk.
    source_id uuid NOT NULL,
    -- Occurrences of term in the chunk's tsv (its number of positions).
    tf integer NOT NULL CHECK (tf >= 1),
    -- chunks.token_count of the chunk: the BM25 document length.
    token_count integer NOT NULL CHECK (token_count >= 0),
    PRIMARY KEY (term, chunk_id)
);

COMMENT ON TABLE chunk_terms IS 'BM25 inverted index over chunks.tsv; source_id is the chunk''s core_rule_id or campaign_document_id.';

-- ON DELETE CASCADE from chunks looks rows up by chunk_id.
CREATE INDEX chunk_terms_chunk_id_idx ON chunk_terms (chunk_id);

-- Document frequencies are looked up by the question's terms.
CREATE INDEX term_doc_frequencies_term_idx ON term_doc_frequencies (term);

-- Keep embeddings (1.5 kB) in the row rather than in TOAST: an exact
-- (sequential) distance scan then reads no TOAST pages. It spent most of
-- its time fetching them (pgvector's README recommends this for scans).
-- Only rows written from now on are affected; chunks are rewritten on
-- every ingestion and re-embedding.
ALTER TABLE chunks ALTER COLUMN embedding SET STORAGE PLAIN;

---- create above / drop below ----

ALTER TABLE chunks ALTER COLUMN embedding SET STORAGE EXTERNAL;
DROP INDEX term_doc_frequencies_term_idx;
DROP TABLE chunk_terms;
