-- Campaign documents, ingestion settings, the chunks that retrieval searches
-- (full text and vectors), BM25 term statistics, and the rules chat.

CREATE TABLE campaign_documents (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    campaign_id uuid NOT NULL REFERENCES campaigns ON DELETE CASCADE,
    title text NOT NULL CHECK (char_length(title) BETWEEN 1 AND 200),
    -- Sanitised base name of the upload.
    filename text NOT NULL CHECK (char_length(filename) BETWEEN 1 AND 255),
    -- Sniffed from the content, not trusted from the name or the request.
    content_type text NOT NULL CHECK (content_type IN ('text/markdown', 'text/plain', 'application/pdf')),
    status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'processing', 'ready', 'failed')),
    -- Readable reason when status = 'failed' (e.g. a PDF that cannot be parsed).
    error text,
    sha256 bytea NOT NULL CHECK (octet_length(sha256) = 32),
    size_bytes bigint NOT NULL CHECK (size_bytes >= 0),
    chunk_count integer NOT NULL DEFAULT 0 CHECK (chunk_count >= 0),
    progress_done integer NOT NULL DEFAULT 0 CHECK (progress_done >= 0),
    progress_total integer NOT NULL DEFAULT 0 CHECK (progress_total >= 0),
    uploaded_by uuid NOT NULL REFERENCES users,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (campaign_id, id)
);

CREATE INDEX campaign_documents_campaign_id_created_at_idx ON campaign_documents (campaign_id, created_at DESC, id);

CREATE INDEX campaign_documents_uploaded_by_idx ON campaign_documents (uploaded_by);

-- Exactly one row (id is always true). Sizes are in characters.
CREATE TABLE ingestion_settings (
    id boolean PRIMARY KEY DEFAULT true CHECK (id),
    chunk_size integer NOT NULL DEFAULT 1000 CHECK (chunk_size BETWEEN 100 AND 20000),
    chunk_overlap integer NOT NULL DEFAULT 150 CHECK (chunk_overlap >= 0 AND chunk_overlap < chunk_size),
    -- '' means the server's configured embedder (GAMETABLE_EMBEDDINGS_MODEL,
    -- else the built-in offline one). Changing it re-embeds in the background.
    embedding_model text NOT NULL DEFAULT '' CHECK (char_length(embedding_model) <= 200),
    updated_at timestamptz NOT NULL DEFAULT now()
);

COMMENT ON TABLE ingestion_settings IS 'A single row (id = true), created by this migration.';

INSERT INTO ingestion_settings DEFAULT VALUES;

-- A passage of a rule book or of a campaign document: the unit of search.
--
-- Exactly one of core_rule_id and campaign_document_id is set. campaign_id
-- is set exactly for campaign document chunks (so it is the one
-- campaign_id column of the schema that may be NULL): a book's chunks are
-- shared by every campaign that can see the book. Retrieval queries always
-- spell the scope out: core_rule_id in the visible books (never tool_only)
-- OR campaign_id = @campaign_id.
CREATE TABLE chunks (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    core_rule_id uuid REFERENCES core_rules ON DELETE CASCADE,
    campaign_document_id uuid,
    campaign_id uuid REFERENCES campaigns ON DELETE CASCADE,
    -- Position within its book or document (across all files of a book).
    ordinal integer NOT NULL CHECK (ordinal >= 0),
    -- The headings above the passage, outermost first; heading is the last.
    heading_path text[] NOT NULL DEFAULT '{}',
    heading text NOT NULL DEFAULT '',
    -- 1-based PDF page where known.
    page integer CHECK (page >= 1),
    text text NOT NULL,
    -- Built by the ingester from the heading path and the text with the
    -- 'english' configuration; queries must use the same configuration.
    tsv tsvector NOT NULL,
    -- Document length for BM25: the number of lexeme positions in tsv.
    token_count integer NOT NULL DEFAULT 0 CHECK (token_count >= 0),
    -- NULL until embedded. Every configured model must produce 384
    -- dimensions (e.g. all-MiniLM-L6-v2, or OpenAI text-embedding-3-* with
    -- dimensions=384): the HNSW index needs one fixed dimension.
    embedding vector(384),
    -- The model that produced embedding; queries compare vectors of one model
    -- only, and a settings change re-embeds rows of another model.
    embedding_model text,
    created_at timestamptz NOT NULL DEFAULT now(),
    FOREIGN KEY (campaign_id, campaign_document_id) REFERENCES campaign_documents (campaign_id, id) ON DELETE CASCADE,
    UNIQUE (core_rule_id, ordinal),
    UNIQUE (campaign_document_id, ordinal),
    CONSTRAINT chunks_one_source_check CHECK ((core_rule_id IS NULL) <> (campaign_document_id IS NULL)),
    CONSTRAINT chunks_campaign_id_check CHECK ((campaign_id IS NULL) = (campaign_document_id IS NULL)),
    CHECK ((embedding IS NULL) = (embedding_model IS NULL))
);

COMMENT ON COLUMN chunks.campaign_id IS 'Set iff campaign_document_id is set; NULL for rule book chunks, which every campaign that can see the book shares.';

CREATE INDEX chunks_campaign_id_idx ON chunks (campaign_id);

CREATE INDEX chunks_tsv_idx ON chunks USING gin (tsv);

-- Rows still to embed, or embedded by another model after a settings change.
CREATE INDEX chunks_embedding_model_idx ON chunks (embedding_model);

-- Build the HNSW index without parallel workers: issue 8 requires this for
-- pgvector older than 0.8.2 (0.8.0 is what Debian 12 ships), whose parallel
-- HNSW build is not to be trusted. SET LOCAL lasts until this migration's
-- transaction ends.
SET LOCAL max_parallel_maintenance_workers = 0;

-- Cosine distance (<=>). For filtered queries set
-- hnsw.iterative_scan = relaxed_order so a small book's rows are not lost
-- to the filter.
CREATE INDEX chunks_embedding_hnsw_idx ON chunks USING hnsw (embedding vector_cosine_ops);

-- BM25 statistics: for each book or campaign document and each lexeme, the
-- number of its chunks whose tsv contains the lexeme. The document frequency
-- within a campaign's scope is the sum over the visible sources. Rewritten
-- with the source's chunks. Same source columns and rules as chunks.
CREATE TABLE term_doc_frequencies (
    core_rule_id uuid REFERENCES core_rules ON DELETE CASCADE,
    campaign_document_id uuid,
    campaign_id uuid REFERENCES campaigns ON DELETE CASCADE,
    term text NOT NULL,
    doc_freq integer NOT NULL CHECK (doc_freq >= 1),
    FOREIGN KEY (campaign_id, campaign_document_id) REFERENCES campaign_documents (campaign_id, id) ON DELETE CASCADE,
    UNIQUE (core_rule_id, term),
    UNIQUE (campaign_document_id, term),
    CHECK ((core_rule_id IS NULL) <> (campaign_document_id IS NULL)),
    CHECK ((campaign_id IS NULL) = (campaign_document_id IS NULL))
);

COMMENT ON COLUMN term_doc_frequencies.campaign_id IS 'Set iff campaign_document_id is set, as in chunks.';

CREATE INDEX term_doc_frequencies_campaign_id_term_idx ON term_doc_frequencies (campaign_id, term);

-- The rules chat: each user's history per campaign.
CREATE TABLE rules_chat_messages (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    campaign_id uuid NOT NULL REFERENCES campaigns ON DELETE CASCADE,
    -- A member of the campaign; leaving it deletes the history.
    user_id uuid NOT NULL,
    role text NOT NULL CHECK (role IN ('user', 'assistant')),
    content text NOT NULL CHECK (char_length(content) <= 100000),
    -- The cited passages, in the search item shape; [] for user messages.
    sources jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(sources) = 'array'),
    created_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (campaign_id, id),
    FOREIGN KEY (campaign_id, user_id) REFERENCES memberships (campaign_id, user_id) ON DELETE CASCADE
);

-- History pages, newest first.
CREATE INDEX rules_chat_messages_campaign_id_user_id_created_at_idx ON rules_chat_messages (campaign_id, user_id, created_at DESC, id DESC);

---- create above / drop below ----

DROP TABLE rules_chat_messages;
DROP TABLE term_doc_frequencies;
DROP TABLE chunks;
DROP TABLE ingestion_settings;
DROP TABLE campaign_documents;
