-- Re-chunking after a change of chunk size (issue 8). A changed chunk size
-- or overlap re-processes every rule book and campaign document in the
-- background, which needs two things the schema did not keep:
--
-- 1. Every source file of a book, in order. core_rules.filename/sha256 hold
--    only the last file of a book imported from several files
--    (gametable rules import FILE..., or several "file" parts of an
--    upload); the full list was kept only in an upload's ingestion job
--    arguments, which River deletes a day after the job completes.
-- 2. The chunk settings each book's and document's current chunks were cut
--    with, so the background job knows which sources are still to do: it
--    resumes after a restart with the rest, and follows a second change
--    made while it runs.

-- A rule book's source files in the order they are ingested (chunk ordinals
-- run across them). The files themselves are in the upload store
-- (retrieval.FileStore), named by sha256. Replaced as a whole when the book
-- is uploaded or imported again.
CREATE TABLE core_rule_files (
    core_rule_id uuid NOT NULL REFERENCES core_rules ON DELETE CASCADE,
    -- 0-based.
    position integer NOT NULL CHECK (position >= 0),
    -- Sanitised base name of the upload.
    filename text NOT NULL CHECK (char_length(filename) BETWEEN 1 AND 255),
    sha256 bytea NOT NULL CHECK (octet_length(sha256) = 32),
    size_bytes bigint NOT NULL CHECK (size_bytes >= 0),
    PRIMARY KEY (core_rule_id, position)
);

COMMENT ON TABLE core_rule_files IS 'Source files of a rule book, in ingestion order; core_rules.filename/sha256 repeat the last one.';

-- Books uploaded before this migration: the one file core_rules recorded.
-- A book imported from several files before it has only its last file
-- here; importing it again records all of them.
INSERT INTO core_rule_files (core_rule_id, position, filename, sha256, size_bytes)
SELECT r.id, 0, CASE WHEN r.filename = '' THEN 'upload' ELSE r.filename END, r.sha256, r.size_bytes
FROM core_rules r
WHERE r.sha256 IS NOT NULL;

-- chunk_size and chunk_overlap (ingestion_settings, in characters) that the
-- current chunks were cut with, set in the transaction that stores them.
-- NULL before a first successful ingestion, and for chunks stored before
-- this migration (unknown): the next change of chunk settings re-chunks
-- every source that has chunks and other (or unknown) settings.
ALTER TABLE core_rules
    ADD COLUMN chunk_size integer CHECK (chunk_size > 0),
    ADD COLUMN chunk_overlap integer CHECK (chunk_overlap >= 0),
    ADD CONSTRAINT core_rules_chunk_settings_check CHECK ((chunk_size IS NULL) = (chunk_overlap IS NULL));

ALTER TABLE campaign_documents
    ADD COLUMN chunk_size integer CHECK (chunk_size > 0),
    ADD COLUMN chunk_overlap integer CHECK (chunk_overlap >= 0),
    ADD CONSTRAINT campaign_documents_chunk_settings_check CHECK ((chunk_size IS NULL) = (chunk_overlap IS NULL));

---- create above / drop below ----

ALTER TABLE campaign_documents
    DROP CONSTRAINT campaign_documents_chunk_settings_check,
    DROP COLUMN chunk_overlap,
    DROP COLUMN chunk_size;
ALTER TABLE core_rules
    DROP CONSTRAINT core_rules_chunk_settings_check,
    DROP COLUMN chunk_overlap,
    DROP COLUMN chunk_size;
DROP TABLE core_rule_files;
