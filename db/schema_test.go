package db_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"gametable/db"
	"gametable/db/dbtest"
)

// TestMain stops dbtest's private PostgreSQL cluster, if it started one,
// after the package's tests. A test binary has one TestMain: this one serves
// every test file of package db and db_test.
func TestMain(m *testing.M) { dbtest.Main(m) }

// nullableCampaignID lists the tables whose campaign_id may be NULL: rule
// book rows are shared by every campaign, document rows belong to one.
var nullableCampaignID = []string{"chunks", "term_doc_frequencies"}

func TestSchema_MigrateFromEmpty(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := dbtest.New(t)

	// The test database is migrated already: nothing may be pending.
	conn, err := pool.Acquire(ctx)
	require.NoError(t, err)
	current, latest, err := db.MigrationStatus(ctx, conn.Conn())
	conn.Release()
	require.NoError(t, err)
	require.NotZero(t, latest)
	require.Equal(t, latest, current)

	// A new, empty database on the same server migrates from nothing, and a
	// second run is a no-op.
	empty := createEmptyDatabase(t, pool)
	require.NoError(t, db.Migrate(ctx, empty))
	require.NoError(t, db.Migrate(ctx, empty))
	current, latest, err = db.MigrationStatus(ctx, empty)
	require.NoError(t, err)
	require.Equal(t, latest, current)

	// ... and ends with the same tables as the test database.
	require.Equal(t, tableNames(t, pool), tableNames(t, empty))

	// The single settings row exists.
	var n int
	require.NoError(t, empty.QueryRow(ctx, `SELECT count(*) FROM ingestion_settings`).Scan(&n))
	require.Equal(t, 1, n)
}

// createEmptyDatabase creates a database without any migration next to the
// test database, and drops it when the test ends.
func createEmptyDatabase(t *testing.T, pool *pgxpool.Pool) *pgx.Conn {
	t.Helper()
	ctx := context.Background()
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	name := "schema_test_" + hex.EncodeToString(b)
	_, err := pool.Exec(ctx, "CREATE DATABASE "+name)
	require.NoError(t, err)
	t.Cleanup(func() {
		_, err := pool.Exec(context.WithoutCancel(ctx), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
		require.NoError(t, err)
	})
	cfg := pool.Config().ConnConfig.Copy()
	cfg.Database = name
	conn, err := pgx.ConnectConfig(ctx, cfg)
	require.NoError(t, err)
	t.Cleanup(func() { _ = conn.Close(context.WithoutCancel(ctx)) })
	return conn
}

type querier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}

func tableNames(t *testing.T, q querier) []string {
	t.Helper()
	return queryStrings(t, q, `
		SELECT table_name::text FROM information_schema.tables
		WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'
		ORDER BY 1`)
}

// queryStrings runs a query whose rows are one text column.
func queryStrings(t *testing.T, q querier, sql string, args ...any) []string {
	t.Helper()
	rows, err := q.Query(context.Background(), sql, args...)
	require.NoError(t, err)
	out, err := pgx.CollectRows(rows, pgx.RowTo[string])
	require.NoError(t, err)
	if out == nil {
		out = []string{}
	}
	return out
}

// TestSchema_Invariants checks, through the catalog, the rules every
// migration must follow (db/doc.go, STYLE.md sections 3 and 4), so that a
// new table that forgets one fails here rather than in review.
func TestSchema_Invariants(t *testing.T) {
	t.Parallel()
	pool := dbtest.New(t)

	t.Run("CampaignIDNotNull", func(t *testing.T) {
		t.Parallel()
		got := queryStrings(t, pool, `
			SELECT c.table_name::text
			FROM information_schema.columns c
			JOIN information_schema.tables t USING (table_schema, table_name)
			WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE'
				AND c.column_name = 'campaign_id' AND c.is_nullable = 'YES'
			ORDER BY 1`)
		require.Equal(t, nullableCampaignID, got, "tables whose campaign_id may be NULL")
	})

	t.Run("CampaignIDReferencesCampaigns", func(t *testing.T) {
		t.Parallel()
		// Every campaign_id has its own key to campaigns, cascading, so
		// deleting a campaign deletes all of it.
		got := queryStrings(t, pool, `
			SELECT c.relname::text
			FROM pg_class c
			JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = current_schema()
			JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'campaign_id' AND NOT a.attisdropped
			WHERE c.relkind = 'r'
				AND NOT EXISTS (
					SELECT 1 FROM pg_constraint k
					WHERE k.conrelid = c.oid AND k.contype = 'f'
						AND k.confrelid = 'campaigns'::regclass
						AND k.conkey = ARRAY[a.attnum]
						AND k.confdeltype = 'c'
				)
			ORDER BY 1`)
		require.Empty(t, got, "tables without campaign_id REFERENCES campaigns ON DELETE CASCADE")
	})

	t.Run("ChildrenUseCompositeKeys", func(t *testing.T) {
		t.Parallel()
		// A key from a campaign-owned table to another one pairs
		// campaign_id with campaign_id, so it cannot cross campaigns.
		got := queryStrings(t, pool, `
			SELECT k.conname::text
			FROM pg_constraint k
			JOIN pg_namespace n ON n.oid = k.connamespace AND n.nspname = current_schema()
			JOIN pg_attribute ca ON ca.attrelid = k.conrelid AND ca.attname = 'campaign_id'
			JOIN pg_attribute pa ON pa.attrelid = k.confrelid AND pa.attname = 'campaign_id'
			WHERE k.contype = 'f'
				AND NOT EXISTS (
					SELECT 1 FROM unnest(k.conkey, k.confkey) AS u(c, p)
					WHERE u.c = ca.attnum AND u.p = pa.attnum
				)
			ORDER BY 1`)
		require.Empty(t, got, "foreign keys between campaign-owned tables without campaign_id")
	})

	t.Run("SetNullKeepsCampaignID", func(t *testing.T) {
		t.Parallel()
		// ON DELETE SET NULL on a composite key must name its columns
		// (PostgreSQL 15), or it would null campaign_id too.
		got := queryStrings(t, pool, `
			SELECT k.conname::text
			FROM pg_constraint k
			JOIN pg_namespace n ON n.oid = k.connamespace AND n.nspname = current_schema()
			JOIN pg_attribute ca ON ca.attrelid = k.conrelid AND ca.attname = 'campaign_id'
			WHERE k.contype = 'f' AND k.confdeltype IN ('n', 'd')
				AND ca.attnum = ANY (k.conkey)
				AND (k.confdelsetcols IS NULL OR ca.attnum = ANY (k.confdelsetcols))
			ORDER BY 1`)
		require.Empty(t, got, "SET NULL keys that would clear campaign_id")
	})

	t.Run("ParentsHaveCampaignIDUnique", func(t *testing.T) {
		t.Parallel()
		// Every campaign-owned table with an id can be a parent of a
		// composite key. (chunks, whose campaign_id may be NULL, is not
		// campaign-owned in this sense.)
		got := queryStrings(t, pool, `
			SELECT c.relname::text
			FROM pg_class c
			JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = current_schema()
			JOIN pg_attribute ca ON ca.attrelid = c.oid AND ca.attname = 'campaign_id' AND ca.attnotnull
			JOIN pg_attribute ia ON ia.attrelid = c.oid AND ia.attname = 'id'
			WHERE c.relkind = 'r'
				AND NOT EXISTS (
					SELECT 1 FROM pg_index i
					WHERE i.indrelid = c.oid AND i.indisunique AND i.indpred IS NULL
						AND i.indnkeyatts = 2
						AND i.indkey::int2[] @> ARRAY[ca.attnum, ia.attnum]::int2[]
				)
			ORDER BY 1`)
		require.Empty(t, got, "campaign-owned tables with an id but no UNIQUE (campaign_id, id)")
	})

	t.Run("ForeignKeysIndexed", func(t *testing.T) {
		t.Parallel()
		require.Empty(t, unindexedForeignKeys(t, pool), "foreign keys without a supporting index")
	})

	t.Run("TimestampsWithTimeZone", func(t *testing.T) {
		t.Parallel()
		got := queryStrings(t, pool, `
			SELECT table_name || '.' || column_name
			FROM information_schema.columns
			WHERE table_schema = current_schema() AND data_type = 'timestamp without time zone'
			ORDER BY 1`)
		require.Empty(t, got, "use timestamptz")
	})

	t.Run("UUIDPrimaryKeys", func(t *testing.T) {
		t.Parallel()
		got := queryStrings(t, pool, `
			SELECT c.table_name || '.id ' || c.data_type || ' default ' || coalesce(c.column_default, 'none')
			FROM information_schema.columns c
			JOIN information_schema.tables t USING (table_schema, table_name)
			WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE'
				AND c.column_name = 'id'
				AND c.table_name <> 'ingestion_settings'
				AND (c.data_type <> 'uuid' OR c.column_default IS DISTINCT FROM 'gen_random_uuid()')
			ORDER BY 1`)
		require.Empty(t, got, "id columns must be uuid DEFAULT gen_random_uuid()")
	})
}

// unindexedForeignKeys returns the foreign keys that no index serves. An
// index serves a key when its leading columns that belong to the key either
// are the whole key or include a column other than campaign_id (such as
// PRIMARY KEY (option_id, user_id) for a key on (campaign_id, poll_id,
// option_id)): an index that only leads with campaign_id would scan a whole
// campaign on every parent delete.
func unindexedForeignKeys(t *testing.T, pool *pgxpool.Pool) []string {
	t.Helper()
	ctx := context.Background()

	type key struct {
		table, name string
		cols        []string
	}
	rows, err := pool.Query(ctx, `
		SELECT k.conrelid::regclass::text, k.conname::text,
			array(
				SELECT a.attname::text FROM unnest(k.conkey) AS u(n)
				JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = u.n
			)
		FROM pg_constraint k
		JOIN pg_namespace n ON n.oid = k.connamespace AND n.nspname = current_schema()
		WHERE k.contype = 'f'`)
	require.NoError(t, err)
	keys, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (key, error) {
		var k key
		err := r.Scan(&k.table, &k.name, &k.cols)
		return k, err
	})
	require.NoError(t, err)
	require.NotEmpty(t, keys)

	// Key columns of every valid, non-partial index, in order; an
	// expression column is "".
	rows, err = pool.Query(ctx, `
		SELECT i.indrelid::regclass::text,
			array(
				SELECT coalesce(a.attname::text, '')
				FROM unnest((i.indkey::int2[])[0:i.indnkeyatts - 1]) WITH ORDINALITY AS u(n, o)
				LEFT JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = u.n
				ORDER BY u.o
			)
		FROM pg_index i
		JOIN pg_class c ON c.oid = i.indexrelid
		JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = current_schema()
		WHERE i.indpred IS NULL AND i.indisvalid`)
	require.NoError(t, err)
	indexes := map[string][][]string{}
	for rows.Next() {
		var table string
		var cols []string
		require.NoError(t, rows.Scan(&table, &cols))
		indexes[table] = append(indexes[table], cols)
	}
	require.NoError(t, rows.Err())

	var bad []string
	for _, k := range keys {
		inKey := map[string]bool{}
		for _, c := range k.cols {
			inKey[c] = true
		}
		served := false
		for _, idx := range indexes[k.table] {
			covered, selective := 0, false
			for _, c := range idx {
				if !inKey[c] {
					break
				}
				covered++
				if c != "campaign_id" {
					selective = true
				}
			}
			if covered == len(k.cols) || selective {
				served = true
				break
			}
		}
		if !served {
			bad = append(bad, fmt.Sprintf("%s.%s (%s)", k.table, k.name, strings.Join(k.cols, ", ")))
		}
	}
	sort.Strings(bad)
	return bad
}

// campaignFixture is one campaign with a row in each parent table that the
// cross-campaign cases point at.
type campaignFixture struct {
	id        uuid.UUID
	player    uuid.UUID // a member of this campaign only
	session   uuid.UUID
	npc       uuid.UUID
	otherNPC  uuid.UUID
	entity    uuid.UUID
	encounter uuid.UUID
	combat    uuid.UUID
	combatant uuid.UUID
	poll      uuid.UUID
	option    uuid.UUID
	document  uuid.UUID
}

func seedCampaign(t *testing.T, pool *pgxpool.Pool, gm uuid.UUID, label string) *campaignFixture {
	t.Helper()
	ctx := context.Background()
	q := db.New(pool)

	c, err := q.CampaignCreate(ctx, db.CampaignCreateParams{Name: "Campaign " + label, TimeZone: "UTC", OwnerID: gm})
	require.NoError(t, err)
	f := &campaignFixture{id: c.ID}

	player, err := q.UserCreate(ctx, db.UserCreateParams{
		Email: "player-" + label + "-" + uuid.NewString() + "@example.com", DisplayName: "Player " + label, PasswordHash: "x",
	})
	require.NoError(t, err)
	f.player = player.ID
	_, err = q.MembershipCreate(ctx, db.MembershipCreateParams{CampaignID: f.id, UserID: f.player, Role: "player"})
	require.NoError(t, err)

	s, err := q.PlaySessionCreate(ctx, db.PlaySessionCreateParams{CampaignID: f.id, Title: "Opening", Status: "planned"})
	require.NoError(t, err)
	f.session = s.ID

	// Tables without queries yet are seeded with plain SQL.
	insert := func(dst *uuid.UUID, sql string, args ...any) {
		t.Helper()
		require.NoError(t, pool.QueryRow(ctx, sql, args...).Scan(dst), sql)
	}
	insert(&f.npc, `INSERT INTO npcs (campaign_id, name) VALUES ($1, 'Mira') RETURNING id`, f.id)
	insert(&f.otherNPC, `INSERT INTO npcs (campaign_id, name) VALUES ($1, 'Tomas') RETURNING id`, f.id)
	insert(&f.entity, `INSERT INTO campaign_entities (campaign_id, kind, name) VALUES ($1, 'location', 'Keep') RETURNING id`, f.id)
	insert(&f.encounter, `INSERT INTO encounters (campaign_id, name) VALUES ($1, 'Ambush') RETURNING id`, f.id)
	insert(&f.combat, `INSERT INTO combats (campaign_id) VALUES ($1) RETURNING id`, f.id)
	insert(&f.combatant, `INSERT INTO combatants (campaign_id, combat_id, kind, name, hp, max_hp) VALUES ($1, $2, 'monster', 'Goblin', 7, 7) RETURNING id`, f.id, f.combat)
	insert(&f.poll, `INSERT INTO availability_polls (campaign_id, title, created_by) VALUES ($1, 'When?', $2) RETURNING id`, f.id, gm)
	insert(&f.option, `INSERT INTO availability_options (campaign_id, poll_id, starts_at, position) VALUES ($1, $2, $3, 0) RETURNING id`, f.id, f.poll, time.Now().Add(48*time.Hour))
	insert(&f.document, `INSERT INTO campaign_documents (campaign_id, title, filename, content_type, sha256, size_bytes, uploaded_by) VALUES ($1, 'Notes', 'notes.md', 'text/markdown', $2, 1, $3) RETURNING id`, f.id, make([]byte, 32), gm)
	return f
}

// TestSchema_CrossCampaignReferences proves the composite keys: a row of
// one campaign pointing at a parent row of another campaign is refused, and
// db.Interpret reports it as ErrNotFound. Each case first runs against a
// parent of the same campaign, which must succeed, so that the failure is
// the campaign check and nothing else.
func TestSchema_CrossCampaignReferences(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := dbtest.New(t)
	q := db.New(pool)

	gm, err := q.UserCreate(ctx, db.UserCreateParams{Email: "gm@example.com", DisplayName: "GM", PasswordHash: "x"})
	require.NoError(t, err)
	a := seedCampaign(t, pool, gm.ID, "A")
	b := seedCampaign(t, pool, gm.ID, "B")

	// Each statement writes a row of campaign own that points at parents of
	// campaign parent.
	tests := []struct {
		name string
		stmt func(own, parent *campaignFixture) (string, []any)
	}{
		{"EncounterSession", func(own, parent *campaignFixture) (string, []any) {
			return `INSERT INTO encounters (campaign_id, name, session_id) VALUES ($1, 'x', $2)`, []any{own.id, parent.session}
		}},
		{"NPCAppearanceNPC", func(own, parent *campaignFixture) (string, []any) {
			return `INSERT INTO npc_sessions (campaign_id, npc_id, session_id) VALUES ($1, $2, $3)`, []any{own.id, parent.npc, own.session}
		}},
		{"NPCAppearanceSession", func(own, parent *campaignFixture) (string, []any) {
			return `INSERT INTO npc_sessions (campaign_id, npc_id, session_id) VALUES ($1, $2, $3)`, []any{own.id, own.npc, parent.session}
		}},
		{"NPCRelationship", func(own, parent *campaignFixture) (string, []any) {
			return `INSERT INTO npc_relationships (campaign_id, from_npc_id, to_npc_id, kind) VALUES ($1, $2, $3, 'rival')`, []any{own.id, parent.npc, own.otherNPC}
		}},
		{"EntitySession", func(own, parent *campaignFixture) (string, []any) {
			return `INSERT INTO campaign_entity_sessions (campaign_id, entity_id, session_id) VALUES ($1, $2, $3)`, []any{own.id, own.entity, parent.session}
		}},
		{"RecapExtractionSession", func(own, parent *campaignFixture) (string, []any) {
			return `INSERT INTO recap_extractions (campaign_id, session_id, created_by) VALUES ($1, $2, $3)`, []any{own.id, parent.session, gm.ID}
		}},
		{"CombatantCombat", func(own, parent *campaignFixture) (string, []any) {
			return `INSERT INTO combatants (campaign_id, combat_id, kind, name, hp, max_hp) VALUES ($1, $2, 'pc', 'Ana', 9, 9)`, []any{own.id, parent.combat}
		}},
		{"CombatantUserNotAMember", func(own, parent *campaignFixture) (string, []any) {
			return `INSERT INTO combatants (campaign_id, combat_id, kind, name, hp, max_hp, user_id) VALUES ($1, $2, 'pc', 'Ana', 9, 9, $3)`, []any{own.id, own.combat, parent.player}
		}},
		{"CombatantNPC", func(own, parent *campaignFixture) (string, []any) {
			return `INSERT INTO combatants (campaign_id, combat_id, kind, name, hp, max_hp, npc_id) VALUES ($1, $2, 'npc', 'Mira', 9, 9, $3)`, []any{own.id, own.combat, parent.npc}
		}},
		{"CombatEncounter", func(own, parent *campaignFixture) (string, []any) {
			return `UPDATE combats SET encounter_id = $2 WHERE campaign_id = $1`, []any{own.id, parent.encounter}
		}},
		{"CombatTurn", func(own, parent *campaignFixture) (string, []any) {
			return `UPDATE combats SET turn_combatant_id = $2 WHERE campaign_id = $1`, []any{own.id, parent.combatant}
		}},
		{"PollSession", func(own, parent *campaignFixture) (string, []any) {
			return `UPDATE availability_polls SET status = 'closed', closed_at = now(), session_id = $2 WHERE campaign_id = $1`, []any{own.id, parent.session}
		}},
		{"PollOption", func(own, parent *campaignFixture) (string, []any) {
			return `INSERT INTO availability_options (campaign_id, poll_id, starts_at, position) VALUES ($1, $2, now(), 1)`, []any{own.id, parent.poll}
		}},
		{"VoteOption", func(own, parent *campaignFixture) (string, []any) {
			return `INSERT INTO availability_responses (campaign_id, poll_id, option_id, user_id, answer) VALUES ($1, $2, $3, $4, 'yes')`, []any{own.id, own.poll, parent.option, own.player}
		}},
		{"VoteUserNotAMember", func(own, parent *campaignFixture) (string, []any) {
			return `INSERT INTO availability_responses (campaign_id, poll_id, option_id, user_id, answer) VALUES ($1, $2, $3, $4, 'yes')`, []any{own.id, own.poll, own.option, parent.player}
		}},
		{"ChatMessageUserNotAMember", func(own, parent *campaignFixture) (string, []any) {
			return `INSERT INTO rules_chat_messages (campaign_id, user_id, role, content) VALUES ($1, $2, 'user', 'hi')`, []any{own.id, parent.player}
		}},
		{"LiveCommandUserNotAMember", func(own, parent *campaignFixture) (string, []any) {
			return `INSERT INTO live_commands (campaign_id, user_id, command_id, outcome) VALUES ($1, $2, 'c1', '{}')`, []any{own.id, parent.player}
		}},
		{"ChunkDocument", func(own, parent *campaignFixture) (string, []any) {
			return `INSERT INTO chunks (campaign_id, campaign_document_id, ordinal, text, tsv) VALUES ($1, $2, 0, 'x', to_tsvector('english', 'x'))`, []any{own.id, parent.document}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			// Same campaign: accepted.
			sql, args := tt.stmt(b, b)
			require.NoError(t, execRolledBack(ctx, pool, sql, args...), "same-campaign control")
			// Parent in another campaign: refused as not found.
			sql, args = tt.stmt(b, a)
			err := db.Interpret(execRolledBack(ctx, pool, sql, args...))
			require.ErrorIs(t, err, db.ErrNotFound)
		})
	}
}

// execRolledBack runs one statement in a transaction that is rolled back,
// so the cases of a table test do not see each other's rows. It fails when
// the statement changes no row, so an UPDATE that matches nothing cannot
// pass for one that was accepted.
func execRolledBack(ctx context.Context, pool *pgxpool.Pool, sql string, args ...any) error {
	tx, err := pool.Begin(ctx)
	if err != nil {
		return err
	}
	defer func() { _ = tx.Rollback(context.WithoutCancel(ctx)) }()
	tag, err := tx.Exec(ctx, sql, args...)
	if err != nil {
		return err
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("%q changed no row", sql)
	}
	return nil
}

// TestQueries_Campaign covers the hand-written campaign queries whose SQL
// is not obvious: the create that adds the first GM, the computed fields,
// and the scope of lookups by id.
func TestQueries_Campaign(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := dbtest.New(t)
	q := db.New(pool)

	gm, err := q.UserCreate(ctx, db.UserCreateParams{Email: "GM@Example.com", DisplayName: "GM", PasswordHash: "x"})
	require.NoError(t, err)
	player, err := q.UserCreate(ctx, db.UserCreateParams{Email: "player@example.com", DisplayName: "Player", PasswordHash: "x"})
	require.NoError(t, err)
	outsider, err := q.UserCreate(ctx, db.UserCreateParams{Email: "outsider@example.com", DisplayName: "Outsider", PasswordHash: "x"})
	require.NoError(t, err)

	t.Run("EmailCaseInsensitive", func(t *testing.T) {
		t.Parallel()
		u, err := q.UserGetByEmail(ctx, "gm@EXAMPLE.com")
		require.NoError(t, err)
		require.Equal(t, gm.ID, u.ID)
		_, err = q.UserCreate(ctx, db.UserCreateParams{Email: "gm@example.COM", DisplayName: "Again", PasswordHash: "x"})
		require.ErrorIs(t, db.Interpret(err), db.ErrConflict)
	})

	a, err := q.CampaignCreate(ctx, db.CampaignCreateParams{Name: "A", TimeZone: "Europe/Berlin", OwnerID: gm.ID})
	require.NoError(t, err)
	b, err := q.CampaignCreate(ctx, db.CampaignCreateParams{Name: "B", TimeZone: "UTC", OwnerID: gm.ID})
	require.NoError(t, err)
	_, err = q.MembershipCreate(ctx, db.MembershipCreateParams{CampaignID: a.ID, UserID: player.ID, Role: "player"})
	require.NoError(t, err)

	// Campaign A: sessions 1 (past), 2 (next), 3 (later), 4 (cancelled,
	// sooner); a visible and a hidden NPC. Campaign B: nothing.
	at := func(d time.Duration) *time.Time { v := time.Now().Add(d).UTC().Truncate(time.Microsecond); return &v }
	for _, s := range []struct {
		when   *time.Time
		status string
	}{{at(-48 * time.Hour), "completed"}, {at(72 * time.Hour), "planned"}, {at(96 * time.Hour), "planned"}, {at(24 * time.Hour), "cancelled"}} {
		_, err := q.PlaySessionCreate(ctx, db.PlaySessionCreateParams{CampaignID: a.ID, Title: "", ScheduledAt: s.when, Status: s.status})
		require.NoError(t, err)
	}
	_, err = pool.Exec(ctx, `INSERT INTO npcs (campaign_id, name, hidden) VALUES ($1, 'Shown', false), ($1, 'Secret', true)`, a.ID)
	require.NoError(t, err)

	t.Run("CreatorIsGM", func(t *testing.T) {
		t.Parallel()
		m, err := q.MembershipGet(ctx, db.MembershipGetParams{CampaignID: b.ID, UserID: gm.ID})
		require.NoError(t, err)
		require.Equal(t, "gm", m.Role)
	})

	t.Run("ComputedFields", func(t *testing.T) {
		t.Parallel()
		list, err := q.CampaignListForUser(ctx, gm.ID)
		require.NoError(t, err)
		require.Len(t, list, 2)
		byID := map[uuid.UUID]db.CampaignListForUserRow{}
		for _, c := range list {
			byID[c.ID] = c
		}
		ga := byID[a.ID]
		require.Equal(t, "gm", ga.MyRole)
		require.EqualValues(t, 2, ga.MemberCount)
		require.EqualValues(t, 4, ga.SessionCount)
		require.EqualValues(t, 2, ga.NPCCount, "a GM counts hidden NPCs")
		require.NotNil(t, ga.NextSessionNumber)
		require.EqualValues(t, 2, *ga.NextSessionNumber)
		require.NotNil(t, ga.NextSessionID)
		gb := byID[b.ID]
		require.EqualValues(t, 1, gb.MemberCount)
		require.Zero(t, gb.SessionCount)
		require.Nil(t, gb.NextSessionID)
		require.Nil(t, gb.NextSessionScheduledAt)

		pl, err := q.CampaignListForUser(ctx, player.ID)
		require.NoError(t, err)
		require.Len(t, pl, 1)
		require.Equal(t, "player", pl[0].MyRole)
		require.EqualValues(t, 1, pl[0].NPCCount, "a player does not count hidden NPCs")

		got, err := q.CampaignGet(ctx, db.CampaignGetParams{CampaignID: a.ID, UserID: player.ID})
		require.NoError(t, err)
		require.EqualValues(t, 1, got.NPCCount)
		require.EqualValues(t, 4, got.SessionCount)
		require.Equal(t, *ga.NextSessionID, *got.NextSessionID)
		require.Equal(t, "Europe/Berlin", got.TimeZone)
	})

	t.Run("NotAMemberIsNotFound", func(t *testing.T) {
		t.Parallel()
		_, err := q.CampaignGet(ctx, db.CampaignGetParams{CampaignID: a.ID, UserID: outsider.ID})
		require.ErrorIs(t, db.Interpret(err), db.ErrNotFound)
		_, err = q.MembershipGet(ctx, db.MembershipGetParams{CampaignID: b.ID, UserID: player.ID})
		require.ErrorIs(t, db.Interpret(err), db.ErrNotFound)
	})

	t.Run("SessionOfOtherCampaignIsNotFound", func(t *testing.T) {
		t.Parallel()
		sessions, err := q.PlaySessionList(ctx, a.ID)
		require.NoError(t, err)
		require.Len(t, sessions, 4)
		for i, s := range sessions {
			require.EqualValues(t, i+1, s.Number, "ordered by number")
		}
		_, err = q.PlaySessionGet(ctx, db.PlaySessionGetParams{CampaignID: b.ID, ID: sessions[0].ID})
		require.ErrorIs(t, db.Interpret(err), db.ErrNotFound)
		n, err := q.PlaySessionDelete(ctx, db.PlaySessionDeleteParams{CampaignID: b.ID, ID: sessions[0].ID})
		require.NoError(t, err)
		require.Zero(t, n)
		empty, err := q.PlaySessionList(ctx, b.ID)
		require.NoError(t, err)
		require.NotNil(t, empty, "empty lists are empty slices")
		require.Empty(t, empty)
	})

	t.Run("LiveSeq", func(t *testing.T) {
		t.Parallel()
		before, err := q.CampaignLiveStateGet(ctx, b.ID)
		require.NoError(t, err)
		got, err := q.CampaignLiveSeqAdvance(ctx, db.CampaignLiveSeqAdvanceParams{CampaignID: b.ID, GMDelta: 1, PlayerDelta: 0})
		require.NoError(t, err)
		require.Equal(t, before.LiveGMSeq+1, got.LiveGMSeq)
		require.Equal(t, before.LivePlayerSeq, got.LivePlayerSeq)
		require.Equal(t, before.LiveEpoch, got.LiveEpoch)
	})
}
