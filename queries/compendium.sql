-- The compendium: monsters and items of the rule books (core_rules).
--
-- monsters, items and core_rules are global tables (no campaign_id). What a
-- campaign may see is decided here, in every read: required and tool_only
-- books always, optional books only where campaign_core_rules enables them
-- for the campaign. That last test is the only campaign-scoped part of these
-- queries, and it filters on ccr.campaign_id = @campaign_id.

-- name: CoreRuleEnsureForCompendium :one
-- CoreRuleEnsureForCompendium returns the book with this slug, creating it
-- (status ready: a compendium-only book has nothing to ingest) when there is
-- none. An existing book is returned unchanged: its title, kind and status
-- are not touched. created says which happened.
-- The no-op DO UPDATE makes RETURNING yield the existing row too; xmax is 0
-- only for a freshly inserted row.
INSERT INTO core_rules (slug, title, kind, status)
VALUES (@slug::text, @title::text, @kind::text, 'ready')
ON CONFLICT (slug) DO UPDATE SET slug = excluded.slug
RETURNING id, slug, title, kind, status, (xmax = 0)::boolean AS created;

-- name: MonsterUpsert :batchone
-- MonsterUpsert inserts a monster or updates the one with the same book and
-- source index in place. A row whose values are all unchanged is not
-- written, and then no row is returned (pgx.ErrNoRows): the caller counts it
-- as unchanged. inserted tells a new row from an updated one.
INSERT INTO monsters (core_rule_id, source_index, name, type, size, challenge_rating, xp, hit_points, armor_class, dexterity, data)
VALUES (
    @core_rule_id::uuid, @source_index::text, @name::text, @type::text, @size::text,
    @challenge_rating::numeric, @xp::integer, @hit_points::integer, @armor_class::integer,
    @dexterity::integer, @data::jsonb
)
ON CONFLICT (core_rule_id, source_index) DO UPDATE
SET name = excluded.name,
    type = excluded.type,
    size = excluded.size,
    challenge_rating = excluded.challenge_rating,
    xp = excluded.xp,
    hit_points = excluded.hit_points,
    armor_class = excluded.armor_class,
    dexterity = excluded.dexterity,
    data = excluded.data,
    updated_at = now()
WHERE (monsters.name, monsters.type, monsters.size, monsters.challenge_rating, monsters.xp,
        monsters.hit_points, monsters.armor_class, monsters.dexterity, monsters.data)
    IS DISTINCT FROM
    (excluded.name, excluded.type, excluded.size, excluded.challenge_rating, excluded.xp,
        excluded.hit_points, excluded.armor_class, excluded.dexterity, excluded.data)
RETURNING id, (xmax = 0)::boolean AS inserted;

-- name: ItemUpsert :batchone
-- ItemUpsert is MonsterUpsert for items: no row back when nothing changed.
INSERT INTO items (core_rule_id, source_index, name, category, rarity, data)
VALUES (@core_rule_id::uuid, @source_index::text, @name::text, @category::text, @rarity::text, @data::jsonb)
ON CONFLICT (core_rule_id, source_index) DO UPDATE
SET name = excluded.name,
    category = excluded.category,
    rarity = excluded.rarity,
    data = excluded.data,
    updated_at = now()
WHERE (items.name, items.category, items.rarity, items.data)
    IS DISTINCT FROM (excluded.name, excluded.category, excluded.rarity, excluded.data)
RETURNING id, (xmax = 0)::boolean AS inserted;

-- name: CoreRuleCompendiumCounts :one
-- CoreRuleCompendiumCounts counts the monsters and items of one book.
SELECT
    (SELECT count(*) FROM monsters m WHERE m.core_rule_id = @core_rule_id::uuid)::bigint AS monster_count,
    (SELECT count(*) FROM items i WHERE i.core_rule_id = @core_rule_id::uuid)::bigint AS item_count;

-- name: MonsterList :many
-- MonsterList lists the monsters of the books the campaign can see (required
-- and tool_only books, and optional books the campaign enabled).
-- Filters: q matches the name case-insensitively anywhere ('' = all);
-- cr_min/cr_max bound the challenge rating (NULL = open); monster_type
-- matches the type case-insensitively ('' = all).
-- Order: rank (0 exact name, 1 name starts with q, 2 q elsewhere in the
-- name; all 0 without q), then lower(name), then id. That triple is the
-- keyset: pass the last row's (rank, sort_name, id) as after_* for the next
-- page, or NULLs for the first.
-- The LIKE pattern escapes \, % and _ so that q is matched literally.
SELECT s.id, s.core_rule_id, s.source_index, s.name, s.type, s.size, s.challenge_rating, s.xp,
    s.hit_points, s.armor_class, s.dexterity, s.rank, s.sort_name
FROM (
    SELECT m.id, m.core_rule_id, m.source_index, m.name, m.type, m.size, m.challenge_rating, m.xp,
        m.hit_points, m.armor_class, m.dexterity,
        lower(m.name) AS sort_name,
        (CASE
            WHEN @q::text = '' THEN 0
            WHEN lower(m.name) = lower(@q::text) THEN 0
            WHEN starts_with(lower(m.name), lower(@q::text)) THEN 1
            ELSE 2
        END)::integer AS rank
    FROM monsters m
    JOIN core_rules b ON b.id = m.core_rule_id
    WHERE (
            b.kind IN ('required', 'tool_only')
            OR (b.kind = 'optional' AND EXISTS (
                SELECT 1
                FROM campaign_core_rules ccr
                WHERE ccr.campaign_id = @campaign_id::uuid
                    AND ccr.core_rule_id = b.id
                    AND ccr.enabled
            ))
        )
        AND (@q::text = '' OR m.name ILIKE '%' || replace(replace(replace(@q::text, '\', '\\'), '%', '\%'), '_', '\_') || '%')
        AND (sqlc.narg('cr_min')::numeric IS NULL OR m.challenge_rating >= sqlc.narg('cr_min')::numeric)
        AND (sqlc.narg('cr_max')::numeric IS NULL OR m.challenge_rating <= sqlc.narg('cr_max')::numeric)
        AND (@monster_type::text = '' OR lower(m.type) = lower(@monster_type::text))
) s
WHERE sqlc.narg('after_rank')::integer IS NULL
    OR (s.rank, s.sort_name, s.id) > (sqlc.narg('after_rank')::integer, sqlc.narg('after_name')::text, sqlc.narg('after_id')::uuid)
ORDER BY s.rank, s.sort_name, s.id
LIMIT @row_limit::integer;

-- name: MonsterGet :one
-- MonsterGet returns one monster with its whole stat block (data), if the
-- campaign can see its book; ErrNotFound otherwise.
SELECT m.id, m.core_rule_id, m.source_index, m.name, m.type, m.size, m.challenge_rating, m.xp,
    m.hit_points, m.armor_class, m.dexterity, m.data, b.slug AS book_slug, b.title AS book_title
FROM monsters m
JOIN core_rules b ON b.id = m.core_rule_id
WHERE m.id = @id::uuid
    AND (
        b.kind IN ('required', 'tool_only')
        OR (b.kind = 'optional' AND EXISTS (
            SELECT 1
            FROM campaign_core_rules ccr
            WHERE ccr.campaign_id = @campaign_id::uuid
                AND ccr.core_rule_id = b.id
                AND ccr.enabled
        ))
    );

-- name: MonsterListVisibleByIDs :many
-- MonsterListVisibleByIDs returns those of the given monsters that the
-- campaign can see; an id missing from the result is unknown or invisible.
-- For checking an encounter's monsters before saving it.
SELECT m.id, m.name, m.challenge_rating, m.xp, m.hit_points, m.armor_class, m.dexterity
FROM monsters m
JOIN core_rules b ON b.id = m.core_rule_id
WHERE m.id = ANY(@ids::uuid[])
    AND (
        b.kind IN ('required', 'tool_only')
        OR (b.kind = 'optional' AND EXISTS (
            SELECT 1
            FROM campaign_core_rules ccr
            WHERE ccr.campaign_id = @campaign_id::uuid
                AND ccr.core_rule_id = b.id
                AND ccr.enabled
        ))
    );

-- name: ItemList :many
-- ItemList is MonsterList for items. Filters: q (name, case-insensitive,
-- anywhere), category (the API's item type, case-insensitive; '' = all),
-- rarity (case-insensitive; '' = all). Same order and keyset as MonsterList.
SELECT s.id, s.core_rule_id, s.source_index, s.name, s.category, s.rarity, s.rank, s.sort_name
FROM (
    SELECT i.id, i.core_rule_id, i.source_index, i.name, i.category, i.rarity,
        lower(i.name) AS sort_name,
        (CASE
            WHEN @q::text = '' THEN 0
            WHEN lower(i.name) = lower(@q::text) THEN 0
            WHEN starts_with(lower(i.name), lower(@q::text)) THEN 1
            ELSE 2
        END)::integer AS rank
    FROM items i
    JOIN core_rules b ON b.id = i.core_rule_id
    WHERE (
            b.kind IN ('required', 'tool_only')
            OR (b.kind = 'optional' AND EXISTS (
                SELECT 1
                FROM campaign_core_rules ccr
                WHERE ccr.campaign_id = @campaign_id::uuid
                    AND ccr.core_rule_id = b.id
                    AND ccr.enabled
            ))
        )
        AND (@q::text = '' OR i.name ILIKE '%' || replace(replace(replace(@q::text, '\', '\\'), '%', '\%'), '_', '\_') || '%')
        AND (@category::text = '' OR lower(i.category) = lower(@category::text))
        AND (@rarity::text = '' OR lower(i.rarity) = lower(@rarity::text))
) s
WHERE sqlc.narg('after_rank')::integer IS NULL
    OR (s.rank, s.sort_name, s.id) > (sqlc.narg('after_rank')::integer, sqlc.narg('after_name')::text, sqlc.narg('after_id')::uuid)
ORDER BY s.rank, s.sort_name, s.id
LIMIT @row_limit::integer;

-- name: ItemGet :one
-- ItemGet returns one item with its whole entry (data), if the campaign can
-- see its book; ErrNotFound otherwise.
SELECT i.id, i.core_rule_id, i.source_index, i.name, i.category, i.rarity, i.data,
    b.slug AS book_slug, b.title AS book_title
FROM items i
JOIN core_rules b ON b.id = i.core_rule_id
WHERE i.id = @id::uuid
    AND (
        b.kind IN ('required', 'tool_only')
        OR (b.kind = 'optional' AND EXISTS (
            SELECT 1
            FROM campaign_core_rules ccr
            WHERE ccr.campaign_id = @campaign_id::uuid
                AND ccr.core_rule_id = b.id
                AND ccr.enabled
        ))
    );
