-- The version of the full-text index each book's and document's chunks were
-- built with (retrieval.SearchIndexVersion: it names the glossary whose
-- concepts the chunks' headings were tagged with). When the server's
-- version differs — after an upgrade that changed the glossary, or for
-- chunks stored before this migration (NULL) — the background re-chunking
-- job ingests the source again, as after a change of chunk size.
ALTER TABLE core_rules ADD COLUMN index_version text;
ALTER TABLE campaign_documents ADD COLUMN index_version text;

---- create above / drop below ----

ALTER TABLE campaign_documents DROP COLUMN index_version;
ALTER TABLE core_rules DROP COLUMN index_version;
