-- Rule books, campaign documents, their chunks, the BM25 statistics,
-- ingestion settings, hybrid search and the rules chat (issue 8).
--
-- Scope: rule books (core_rules) and their chunks are global; a campaign
-- sees required books always, optional books where campaign_core_rules
-- enables them, and never tool_only books. Campaign documents and their
-- chunks belong to one campaign. Book chunks have campaign_id NULL, so
-- queries that read chunks for a campaign spell the scope out as
-- (c.campaign_id = @campaign_id OR c.core_rule_id IN <visible books>).

-- name: CoreRuleCreate :one
-- CoreRuleCreate inserts a rule book in status pending.
INSERT INTO core_rules (slug, title, kind, filename, sha256, size_bytes)
VALUES (@slug::text, @title::text, @kind::text, @filename::text, sqlc.narg('sha256')::bytea, @size_bytes::bigint)
RETURNING *;

-- name: CoreRuleGet :one
SELECT *
FROM core_rules
WHERE id = @id::uuid;

-- name: CoreRuleGetBySlug :one
SELECT *
FROM core_rules
WHERE slug = @slug::text;

-- name: CoreRuleSetSource :one
-- CoreRuleSetSource records a new upload of an existing book, with the
-- title and kind given this time, and puts it back to pending. Its file
-- list is replaced in the same transaction (CoreRuleFileDelete,
-- CoreRuleFileInsert).
UPDATE core_rules
SET title = @title::text,
    kind = @kind::text,
    filename = @filename::text,
    sha256 = sqlc.narg('sha256')::bytea,
    size_bytes = @size_bytes::bigint,
    status = 'pending',
    error = NULL,
    progress_done = 0,
    progress_total = 0,
    updated_at = now()
WHERE id = @id::uuid
RETURNING *;

-- name: CoreRuleFileInsert :batchexec
-- CoreRuleFileInsert records one source file of a book; positions run from
-- 0 in ingestion order. Delete the old list first (CoreRuleFileDelete).
INSERT INTO core_rule_files (core_rule_id, position, filename, sha256, size_bytes)
VALUES (@core_rule_id::uuid, @position::integer, @filename::text, @sha256::bytea, @size_bytes::bigint);

-- name: CoreRuleFileDelete :exec
DELETE FROM core_rule_files
WHERE core_rule_id = @core_rule_id::uuid;

-- name: CoreRuleFileList :many
-- CoreRuleFileList returns a book's source files in ingestion order.
SELECT position, filename, sha256, size_bytes
FROM core_rule_files
WHERE core_rule_id = @core_rule_id::uuid
ORDER BY position;

-- name: CoreRuleList :many
-- CoreRuleList returns every book with its compendium counts, by title.
SELECT sqlc.embed(r),
    (SELECT count(*) FROM monsters m WHERE m.core_rule_id = r.id)::bigint AS monster_count,
    (SELECT count(*) FROM items i WHERE i.core_rule_id = r.id)::bigint AS item_count
FROM core_rules r
ORDER BY lower(r.title), r.id;

-- name: CoreRuleListForCampaign :many
-- CoreRuleListForCampaign returns every book with whether it serves this
-- campaign: required and tool_only books always (tool_only ones only to
-- the compendium), optional ones when the campaign enabled them.
SELECT r.id,
    r.slug,
    r.title,
    r.kind,
    r.status,
    r.chunk_count,
    (r.kind <> 'optional' OR coalesce(ccr.enabled, false))::boolean AS enabled
FROM core_rules r
LEFT JOIN campaign_core_rules ccr ON ccr.core_rule_id = r.id AND ccr.campaign_id = @campaign_id::uuid
ORDER BY lower(r.title), r.id;

-- name: CampaignCoreRuleSetEnabled :exec
-- CampaignCoreRuleSetEnabled records a campaign's choice for a book. Go
-- refuses books that are not optional before calling it.
INSERT INTO campaign_core_rules (campaign_id, core_rule_id, enabled)
VALUES (@campaign_id::uuid, @core_rule_id::uuid, @enabled::boolean)
ON CONFLICT (campaign_id, core_rule_id)
DO UPDATE SET enabled = excluded.enabled, updated_at = now();

-- name: CoreRuleSetStatus :exec
-- CoreRuleSetStatus moves a book through pending, processing, ready and
-- failed; error is the readable reason when failed, else NULL.
UPDATE core_rules
SET status = @status::text,
    error = sqlc.narg('error')::text,
    updated_at = now()
WHERE id = @id::uuid;

-- name: CoreRuleSetProgress :exec
UPDATE core_rules
SET progress_done = @progress_done::integer,
    progress_total = @progress_total::integer,
    updated_at = now()
WHERE id = @id::uuid;

-- name: CoreRuleDelete :execrows
-- CoreRuleDelete removes a global book; its chunks, statistics, monsters,
-- items and enablement rows go with it (ON DELETE CASCADE).
DELETE FROM core_rules
WHERE id = @id::uuid;

-- name: CampaignDocumentCreate :one
INSERT INTO campaign_documents (campaign_id, title, filename, content_type, sha256, size_bytes, uploaded_by)
VALUES (@campaign_id::uuid, @title::text, @filename::text, @content_type::text, @sha256::bytea, @size_bytes::bigint, @uploaded_by::uuid)
RETURNING *;

-- name: CampaignDocumentGet :one
SELECT *
FROM campaign_documents
WHERE campaign_id = @campaign_id::uuid
    AND id = @id::uuid;

-- name: CampaignDocumentList :many
-- CampaignDocumentList pages a campaign's documents, newest first. The
-- cursor is the (created_at, id) of the last row of the previous page;
-- pass NULLs for the first page.
SELECT *
FROM campaign_documents
WHERE campaign_id = @campaign_id::uuid
    AND (
        sqlc.narg('before_created_at')::timestamptz IS NULL
        OR created_at < sqlc.narg('before_created_at')::timestamptz
        OR (created_at = sqlc.narg('before_created_at')::timestamptz AND id < sqlc.narg('before_id')::uuid)
    )
ORDER BY created_at DESC, id DESC
LIMIT @row_limit::integer;

-- name: CampaignDocumentDelete :execrows
-- CampaignDocumentDelete removes a document; its chunks and statistics go
-- in the same statement (ON DELETE CASCADE).
DELETE FROM campaign_documents
WHERE campaign_id = @campaign_id::uuid
    AND id = @id::uuid;

-- name: CampaignDocumentSetStatus :exec
UPDATE campaign_documents
SET status = @status::text,
    error = sqlc.narg('error')::text,
    updated_at = now()
WHERE campaign_id = @campaign_id::uuid
    AND id = @id::uuid;

-- name: CampaignDocumentSetProgress :exec
UPDATE campaign_documents
SET progress_done = @progress_done::integer,
    progress_total = @progress_total::integer,
    updated_at = now()
WHERE campaign_id = @campaign_id::uuid
    AND id = @id::uuid;

-- name: IngestionSettingsGet :one
-- unscoped: the single row of server-wide settings.
SELECT *
FROM ingestion_settings
WHERE id;

-- name: IngestionSettingsUpdate :one
-- unscoped: the single row of server-wide settings.
UPDATE ingestion_settings
SET chunk_size = @chunk_size::integer,
    chunk_overlap = @chunk_overlap::integer,
    embedding_model = @embedding_model::text,
    updated_at = now()
WHERE id
RETURNING *;

-- name: ChunkDeleteForCoreRule :exec
-- unscoped: a rule book's chunks are global (campaign_id NULL).
DELETE FROM chunks
WHERE core_rule_id = @core_rule_id::uuid;

-- name: ChunkDeleteForDocument :exec
DELETE FROM chunks
WHERE campaign_id = @campaign_id::uuid
    AND campaign_document_id = @campaign_document_id::uuid;

-- name: ChunkInsertCoreRule :batchexec
-- ChunkInsertCoreRule stores one passage of a book. tsv is built here from
-- index_text (heading path and passage) with the 'english' configuration,
-- and token_count is its number of lexeme positions, the BM25 length.
-- unscoped: a rule book's chunks are global (campaign_id NULL).
INSERT INTO chunks (core_rule_id, ordinal, heading_path, heading, page, text, tsv, token_count, embedding, embedding_model)
SELECT @core_rule_id::uuid,
    @ordinal::integer,
    @heading_path::text[],
    @heading::text,
    sqlc.narg('page')::integer,
    @text::text,
    v.tsv,
    (SELECT coalesce(sum(cardinality(u.positions)), 0) FROM unnest(v.tsv) AS u(lexeme, positions, weights))::integer,
    @embedding::vector,
    @embedding_model::text
FROM (SELECT to_tsvector('english', @index_text::text) AS tsv) v;

-- name: ChunkInsertDocument :batchexec
-- ChunkInsertDocument stores one passage of a campaign document, as
-- ChunkInsertCoreRule does for books.
INSERT INTO chunks (campaign_id, campaign_document_id, ordinal, heading_path, heading, page, text, tsv, token_count, embedding, embedding_model)
SELECT @campaign_id::uuid,
    @campaign_document_id::uuid,
    @ordinal::integer,
    @heading_path::text[],
    @heading::text,
    sqlc.narg('page')::integer,
    @text::text,
    v.tsv,
    (SELECT coalesce(sum(cardinality(u.positions)), 0) FROM unnest(v.tsv) AS u(lexeme, positions, weights))::integer,
    @embedding::vector,
    @embedding_model::text
FROM (SELECT to_tsvector('english', @index_text::text) AS tsv) v;

-- name: TermDocFrequencyDeleteForCoreRule :exec
-- unscoped: a rule book's statistics are global (campaign_id NULL).
DELETE FROM term_doc_frequencies
WHERE core_rule_id = @core_rule_id::uuid;

-- name: TermDocFrequencyBuildForCoreRule :exec
-- TermDocFrequencyBuildForCoreRule counts, for each lexeme, the book's
-- chunks that contain it. Run after TermDocFrequencyDeleteForCoreRule.
-- unscoped: a rule book's statistics are global (campaign_id NULL).
INSERT INTO term_doc_frequencies (core_rule_id, term, doc_freq)
SELECT @core_rule_id::uuid, u.lexeme, count(*)::integer
FROM chunks c
CROSS JOIN LATERAL unnest(c.tsv) AS u(lexeme, positions, weights)
WHERE c.core_rule_id = @core_rule_id::uuid
GROUP BY u.lexeme;

-- name: TermDocFrequencyDeleteForDocument :exec
DELETE FROM term_doc_frequencies
WHERE campaign_id = @campaign_id::uuid
    AND campaign_document_id = @campaign_document_id::uuid;

-- name: TermDocFrequencyBuildForDocument :exec
INSERT INTO term_doc_frequencies (campaign_id, campaign_document_id, term, doc_freq)
SELECT @campaign_id::uuid, @campaign_document_id::uuid, u.lexeme, count(*)::integer
FROM chunks c
CROSS JOIN LATERAL unnest(c.tsv) AS u(lexeme, positions, weights)
WHERE c.campaign_id = @campaign_id::uuid
    AND c.campaign_document_id = @campaign_document_id::uuid
GROUP BY u.lexeme;

-- name: ChunkTermBuildForCoreRule :exec
-- ChunkTermBuildForCoreRule fills the BM25 inverted index from the book's
-- chunks (their old rows went with the old chunks, ON DELETE CASCADE).
-- unscoped: a rule book's chunks are global (campaign_id NULL).
INSERT INTO chunk_terms (term, chunk_id, source_id, tf, token_count)
SELECT u.lexeme, c.id, c.core_rule_id, cardinality(u.positions), c.token_count
FROM chunks c
CROSS JOIN LATERAL unnest(c.tsv) AS u(lexeme, positions, weights)
WHERE c.core_rule_id = @core_rule_id::uuid;

-- name: ChunkTermBuildForDocument :exec
INSERT INTO chunk_terms (term, chunk_id, source_id, tf, token_count)
SELECT u.lexeme, c.id, c.campaign_document_id, cardinality(u.positions), c.token_count
FROM chunks c
CROSS JOIN LATERAL unnest(c.tsv) AS u(lexeme, positions, weights)
WHERE c.campaign_id = @campaign_id::uuid
    AND c.campaign_document_id = @campaign_document_id::uuid;

-- name: CoreRuleFinishIngestion :exec
-- CoreRuleFinishIngestion marks a book ready with its chunk count and the
-- chunk settings its chunks were cut with.
-- unscoped: counts a global book's chunks (campaign_id NULL).
UPDATE core_rules
SET status = 'ready',
    error = NULL,
    chunk_count = (SELECT count(*) FROM chunks c WHERE c.core_rule_id = @id::uuid),
    chunk_size = @chunk_size::integer,
    chunk_overlap = @chunk_overlap::integer,
    index_version = @index_version::text,
    progress_done = progress_total,
    updated_at = now()
WHERE id = @id::uuid;

-- name: CampaignDocumentFinishIngestion :exec
-- CampaignDocumentFinishIngestion marks a document ready with its chunk
-- count and the chunk settings its chunks were cut with.
UPDATE campaign_documents
SET status = 'ready',
    error = NULL,
    chunk_count = (
        SELECT count(*) FROM chunks c
        WHERE c.campaign_id = @campaign_id::uuid AND c.campaign_document_id = @id::uuid
    ),
    chunk_size = @chunk_size::integer,
    chunk_overlap = @chunk_overlap::integer,
    index_version = @index_version::text,
    progress_done = progress_total,
    updated_at = now()
WHERE campaign_id = @campaign_id::uuid
    AND id = @id::uuid;

-- name: CoreRuleListToRechunk :many
-- CoreRuleListToRechunk returns the books whose chunks were cut with other
-- chunk settings than these (or unknown ones, from before migration 009),
-- or indexed with another search index version (migration 010),
-- and that have source files to cut again, oldest first. Books without
-- chunks are left to their own ingestion job.
SELECT r.id
FROM core_rules r
WHERE r.chunk_count > 0
    AND (r.chunk_size IS DISTINCT FROM @chunk_size::integer
        OR r.chunk_overlap IS DISTINCT FROM @chunk_overlap::integer
        OR r.index_version IS DISTINCT FROM @index_version::text)
    AND EXISTS (SELECT 1 FROM core_rule_files f WHERE f.core_rule_id = r.id)
ORDER BY r.created_at, r.id;

-- name: CampaignDocumentListToRechunk :many
-- CampaignDocumentListToRechunk is CoreRuleListToRechunk for the campaign
-- documents of every campaign.
-- unscoped: background re-chunking after a change of the server-wide chunk settings; each row carries its campaign_id, which every later query of the document is scoped by, and nothing leaves the server.
SELECT d.campaign_id, d.id, d.sha256
FROM campaign_documents d
WHERE d.chunk_count > 0
    AND (d.chunk_size IS DISTINCT FROM @chunk_size::integer
        OR d.chunk_overlap IS DISTINCT FROM @chunk_overlap::integer
        OR d.index_version IS DISTINCT FROM @index_version::text)
ORDER BY d.created_at, d.id;

-- name: IngestionSettingsGetForShare :one
-- IngestionSettingsGetForShare reads the settings and holds a share lock on
-- them until the transaction ends, so that a concurrent change
-- (IngestionSettingsUpdate) either commits before it, and is seen, or
-- waits for it.
-- unscoped: the single row of server-wide settings.
SELECT *
FROM ingestion_settings
WHERE id
FOR SHARE;

-- name: ChunkListStaleEmbeddings :many
-- ChunkListStaleEmbeddings returns up to row_limit chunks whose embedding
-- is missing or from another model than model, for re-embedding.
-- unscoped: background maintenance over every chunk; nothing leaves the server.
SELECT id, heading_path, text
FROM chunks
WHERE embedding_model IS DISTINCT FROM @model::text
ORDER BY id
LIMIT @row_limit::integer;

-- name: ChunkCountStaleEmbeddings :one
-- unscoped: background maintenance over every chunk; nothing leaves the server.
SELECT count(*)::bigint
FROM chunks
WHERE embedding_model IS DISTINCT FROM @model::text;

-- name: ChunkHasStaleEmbeddings :one
-- unscoped: start-up maintenance over every chunk; nothing leaves the server.
-- ChunkHasStaleEmbeddings is whether any chunk lacks an embedding of model:
-- three probes of chunks_embedding_model_idx (NULL, below, above), where
-- IS DISTINCT FROM would read every chunk when none is stale.
SELECT (EXISTS (SELECT 1 FROM chunks WHERE embedding_model IS NULL)
    OR EXISTS (SELECT 1 FROM chunks WHERE embedding_model < @model::text)
    OR EXISTS (SELECT 1 FROM chunks WHERE embedding_model > @model::text))::boolean AS stale;

-- name: ChunkSetEmbedding :batchexec
-- unscoped: background maintenance over every chunk by id; nothing leaves the server.
UPDATE chunks
SET embedding = @embedding::vector,
    embedding_model = @embedding_model::text
WHERE id = @id::uuid;

-- name: RetrievalSetSearchParams :exec
-- RetrievalSetSearchParams tunes the rest of the transaction for
-- ChunkSearch: pgvector's iterative index scan, so that rows the scope
-- filters out do not leave a short result (iterative_scan: only pgvector
-- 0.8+ has the setting, and older ones refuse it), a wider candidate list,
-- and a plan made for the actual parameters every time (a generic plan of
-- the prepared statement cannot know which rankings are on or how common
-- the question's terms are, and was several times slower).
SELECT CASE WHEN @iterative_scan::boolean THEN set_config('hnsw.iterative_scan', 'relaxed_order', true) END,
    set_config('hnsw.ef_search', '100', true),
    set_config('plan_cache_mode', 'force_custom_plan', true);

-- name: VectorExtensionVersion :one
-- unscoped: the installed pgvector's version, from the catalog.
SELECT extversion
FROM pg_catalog.pg_extension
WHERE extname = 'vector';

-- name: ChunkSearch :many
-- ChunkSearch is the hybrid retrieval: BM25 over the inverted index
-- chunk_terms (built from the tsvectors), with
-- document frequencies summed over the sources this campaign can see, and
-- cosine distance over the embeddings of one model, each giving up to
-- candidates ranked chunks, fused by Reciprocal Rank Fusion:
-- score = bm25_weight / (rrf_k + bm25 rank) + vector_weight / (rrf_k + vector rank).
-- A weight of 0 turns a ranking off. terms is the question's text without
-- stop words; the 'english' configuration stems it like the chunks, and
-- the stems are OR-joined, so a chunk needs only some of them.
-- concept_words are the index words of the question's glossary concepts, at
-- concept_weight; expansion_words are other words for those concepts, each
-- counting with its expansion_weights entry instead of 1, and left out when
-- they occur in more than expansion_max_df of the visible chunks. A stem
-- that is several of these takes the largest weight. BM25 uses k1 = 1.2, b = 0.75.
-- matched_idf / query_idf is the share of the question's own term weight
-- that the chunk contains; similarity is 1 - cosine distance, 0 when the
-- vector ranking did not return the chunk.
--
-- The scope is part of every branch: the campaign's own documents
-- (campaign_id = @campaign_id), required books, and optional books enabled
-- for this campaign; never tool_only books, never other campaigns' rows.
-- chunk_terms has no campaign_id: its rows are kept when their source_id is
-- a visible book or one of this campaign's documents.
WITH visible_books AS (
    SELECT r.id, r.title
    FROM core_rules r
    LEFT JOIN campaign_core_rules ccr ON ccr.core_rule_id = r.id AND ccr.campaign_id = @campaign_id::uuid
    WHERE r.kind = 'required'
        OR (r.kind = 'optional' AND coalesce(ccr.enabled, false))
),
scope_stats AS (
    SELECT count(*)::float8 AS n, coalesce(avg(c.token_count), 1)::float8 AS avgdl
    FROM chunks c
    WHERE c.campaign_id = @campaign_id::uuid
        OR c.core_rule_id IN (SELECT vb.id FROM visible_books vb)
),
query_terms AS (
    SELECT qx.term, max(qx.weight)::float8 AS weight, bool_or(qx.own) AS own, bool_or(qx.keep) AS keep
    FROM (
        SELECT u.lexeme AS term, 1::float8 AS weight, true AS own, true AS keep
        FROM unnest(to_tsvector('english', @terms::text)) AS u(lexeme, positions, weights)
        UNION ALL
        SELECT y.lexeme, sqlc.arg(concept_weight)::float8, false, true
        FROM unnest(@concept_words::text[]) AS c(word)
        CROSS JOIN LATERAL unnest(to_tsvector('english', c.word)) AS y(lexeme, positions, weights)
        UNION ALL
        SELECT x.lexeme, (@expansion_weights::float8[])[e.ord], false, false
        FROM unnest(@expansion_words::text[]) WITH ORDINALITY AS e(word, ord)
        CROSS JOIN LATERAL unnest(to_tsvector('english', e.word)) AS x(lexeme, positions, weights)
    ) qx
    GROUP BY qx.term
),
term_idf AS (
    SELECT qt.term,
        qt.weight,
        qt.own,
        qt.keep OR df.df <= sqlc.arg(expansion_max_df)::float8 * s.n AS kept,
        ln(1 + (s.n - df.df + 0.5) / (df.df + 0.5)) AS idf
    FROM query_terms qt
    CROSS JOIN scope_stats s
    -- Per term, through the indexes (campaign_id, term) and
    -- (core_rule_id, term): a join of all terms at once hashed the whole
    -- table.
    CROSS JOIN LATERAL (
        SELECT (coalesce((
                SELECT sum(t.doc_freq) FROM term_doc_frequencies t
                WHERE t.campaign_id = @campaign_id::uuid AND t.term = qt.term
            ), 0) + coalesce((
                SELECT sum(t.doc_freq) FROM visible_books vb
                JOIN term_doc_frequencies t ON t.core_rule_id = vb.id AND t.term = qt.term
            ), 0))::float8 AS df
    ) df
),
query_weight AS (
    SELECT coalesce(sum(ti.idf) FILTER (WHERE ti.own), 0)::float8 AS total FROM term_idf ti
),
bm25 AS (
    SELECT ct.chunk_id AS id,
        sum(ti.weight * ti.idf * ct.tf * 2.2
            / (ct.tf + 1.2 * (0.25 + 0.75 * ct.token_count / greatest(s.avgdl, 1))))::float8 AS score,
        coalesce(sum(ti.idf) FILTER (WHERE ti.own), 0)::float8 AS matched_idf
    FROM term_idf ti
    -- Each term reads its own posting list through the primary key. As a
    -- plain join, a question with the glossary's fifty-odd words made the
    -- planner hash the whole table (60 ms instead of 5); OFFSET 0 keeps the
    -- subquery from being flattened into such a join.
    CROSS JOIN LATERAL (
        SELECT p.chunk_id, p.tf, p.token_count, p.source_id
        FROM chunk_terms p
        WHERE p.term = ti.term
        OFFSET 0
    ) ct
    CROSS JOIN scope_stats s
    WHERE sqlc.arg(bm25_weight)::float8 > 0
        AND ti.kept
        AND (ct.source_id IN (SELECT vd.id FROM campaign_documents vd WHERE vd.campaign_id = @campaign_id::uuid)
            OR ct.source_id IN (SELECT vb.id FROM visible_books vb))
    GROUP BY ct.chunk_id
    ORDER BY score DESC, ct.chunk_id
    LIMIT @candidates::integer
),
bm25_ranked AS (
    SELECT b.id, b.score, b.matched_idf, row_number() OVER (ORDER BY b.score DESC, b.id) AS rank
    FROM bm25 b
),
-- The vector ranking first asks the HNSW index for the nearest chunks of
-- the whole table (near_limit of them; an unfiltered scan is the one the
-- planner gives to the index, ~1 ms, where any filter made it compute the
-- distance of every chunk, fetched from TOAST) and keeps those in scope. If
-- at least candidates survive, they are exactly the nearest chunks in scope
-- (any closer one in scope would be among the nearest overall). If fewer
-- survive (a campaign that sees little of a large table), an exact filtered
-- scan runs instead; the one-time filters make PostgreSQL skip the branch
-- not taken.
vec_near AS MATERIALIZED (
    SELECT n.id, n.distance
    FROM (
        SELECT c.id, c.core_rule_id, c.campaign_id, c.embedding_model,
            (c.embedding <=> @embedding::vector)::float8 AS distance
        FROM chunks c
        WHERE sqlc.arg(vector_weight)::float8 > 0
        ORDER BY c.embedding <=> @embedding::vector
        LIMIT @near_limit::integer
    ) n
    WHERE n.embedding_model = @embedding_model::text
        AND (n.campaign_id = @campaign_id::uuid
            OR n.core_rule_id IN (SELECT vb.id FROM visible_books vb))
),
vec_exact AS (
    SELECT c.id, (c.embedding <=> @embedding::vector)::float8 AS distance
    FROM chunks c
    WHERE sqlc.arg(vector_weight)::float8 > 0
        AND c.embedding_model = @embedding_model::text
        AND (c.campaign_id = @campaign_id::uuid
            OR c.core_rule_id IN (SELECT vb.id FROM visible_books vb))
    ORDER BY c.embedding <=> @embedding::vector
    LIMIT @candidates::integer
),
vec AS (
    SELECT u.id, u.distance
    FROM (
        SELECT vn.id, vn.distance FROM vec_near vn
        WHERE (SELECT count(*) FROM vec_near) >= @candidates::integer
        UNION ALL
        SELECT ve.id, ve.distance FROM vec_exact ve
        WHERE (SELECT count(*) FROM vec_near) < @candidates::integer
    ) u
    ORDER BY u.distance
    LIMIT @candidates::integer
),
vec_ranked AS (
    SELECT v.id, v.distance, row_number() OVER (ORDER BY v.distance, v.id) AS rank
    FROM vec v
),
fused AS (
    SELECT coalesce(b.id, v.id) AS id,
        (coalesce(sqlc.arg(bm25_weight)::float8 / (sqlc.arg(rrf_k)::float8 + b.rank), 0)
            + coalesce(sqlc.arg(vector_weight)::float8 / (sqlc.arg(rrf_k)::float8 + v.rank), 0))::float8 AS score,
        b.score AS bm25_score,
        coalesce(b.matched_idf, 0)::float8 AS matched_idf,
        coalesce(1 - v.distance, 0)::float8 AS similarity
    FROM bm25_ranked b
    FULL JOIN vec_ranked v ON v.id = b.id
)
SELECT c.id,
    c.core_rule_id,
    c.campaign_document_id,
    c.heading_path,
    c.heading,
    c.page,
    c.text,
    coalesce(vb.title, d.title, '')::text AS source_title,
    f.score,
    f.bm25_score,
    f.matched_idf,
    qw.total AS query_idf,
    f.similarity
FROM fused f
JOIN chunks c ON c.id = f.id
CROSS JOIN query_weight qw
LEFT JOIN visible_books vb ON vb.id = c.core_rule_id
LEFT JOIN campaign_documents d ON d.campaign_id = @campaign_id::uuid AND d.id = c.campaign_document_id
ORDER BY f.score DESC, c.id
LIMIT @row_limit::integer;

-- name: RulesChatMessageCreate :one
-- RulesChatMessageCreate stamps the row with clock_timestamp(), not the
-- transaction's now(), so a question and its answer saved in one
-- transaction keep their order in the history.
INSERT INTO rules_chat_messages (campaign_id, user_id, role, content, sources, created_at)
VALUES (@campaign_id::uuid, @user_id::uuid, @role::text, @content::text, @sources::jsonb, clock_timestamp())
RETURNING *;

-- name: RulesChatMessageList :many
-- RulesChatMessageList pages one user's rules chat in one campaign, newest
-- first; the cursor is the (created_at, id) of the last row of the
-- previous page, NULLs for the first page.
SELECT *
FROM rules_chat_messages
WHERE campaign_id = @campaign_id::uuid
    AND user_id = @user_id::uuid
    AND (
        sqlc.narg('before_created_at')::timestamptz IS NULL
        OR created_at < sqlc.narg('before_created_at')::timestamptz
        OR (created_at = sqlc.narg('before_created_at')::timestamptz AND id < sqlc.narg('before_id')::uuid)
    )
ORDER BY created_at DESC, id DESC
LIMIT @row_limit::integer;

-- name: RetrievalAnalyze :exec
-- RetrievalAnalyze refreshes the planner's statistics of the search
-- tables after an ingestion. Without them (autovacuum analyses only later)
-- the planner misjudges chunk_terms and ChunkSearch runs several times
-- slower.
-- unscoped: planner statistics; reads no rows for anyone.
ANALYZE chunks, chunk_terms, term_doc_frequencies;

-- name: UploadChecksumList :many
-- unscoped: the file store is shared by every campaign and book; the
-- checksums of every stored file a row still needs.
SELECT sha256 FROM campaign_documents
UNION
SELECT sha256 FROM core_rule_files
UNION
SELECT sha256 FROM core_rules WHERE sha256 IS NOT NULL;
