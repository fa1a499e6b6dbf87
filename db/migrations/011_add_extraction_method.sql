-- How a recap extraction's proposals were made: 'model' (the language
-- model's reply, validated) or 'offline' (the built-in method, used without
-- a model and whenever the model fails). NULL until the extraction is done,
-- and for extractions finished before this migration.
ALTER TABLE recap_extractions
    ADD COLUMN method text CHECK (method IN ('model', 'offline'));

---- create above / drop below ----

ALTER TABLE recap_extractions DROP COLUMN method;
