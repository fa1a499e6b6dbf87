package compendium

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"gametable/db"
)

// Test fixtures. Campaigns, users and book settings are written with plain
// SQL here (STYLE.md allows SQL strings in test helpers) so that these
// tests do not depend on other packages' queries.

func randomSuffix(t *testing.T) string {
	t.Helper()
	b := make([]byte, 6)
	_, err := rand.Read(b)
	require.NoError(t, err)
	return hex.EncodeToString(b)
}

// newCampaign creates a user and a campaign with that user as GM.
func newCampaign(t *testing.T, conn db.DBTX) uuid.UUID {
	t.Helper()
	ctx := context.Background()
	var userID, campaignID uuid.UUID
	require.NoError(t, conn.QueryRow(ctx,
		`INSERT INTO users (email, display_name, password_hash) VALUES ($1, 'GM', 'x') RETURNING id`,
		"gm-"+randomSuffix(t)+"@example.test").Scan(&userID))
	require.NoError(t, conn.QueryRow(ctx,
		`INSERT INTO campaigns (name, owner_id) VALUES ('Test campaign', $1) RETURNING id`, userID).Scan(&campaignID))
	_, err := conn.Exec(ctx, `INSERT INTO memberships (campaign_id, user_id, role) VALUES ($1, $2, 'gm')`, campaignID, userID)
	require.NoError(t, err)
	return campaignID
}

// addPlayer adds a player member, with a character level when level > 0.
func addPlayer(t *testing.T, conn db.DBTX, campaignID uuid.UUID, level int) {
	t.Helper()
	ctx := context.Background()
	var userID uuid.UUID
	require.NoError(t, conn.QueryRow(ctx,
		`INSERT INTO users (email, display_name, password_hash) VALUES ($1, 'Player', 'x') RETURNING id`,
		"player-"+randomSuffix(t)+"@example.test").Scan(&userID))
	var lvl *int
	if level > 0 {
		lvl = &level
	}
	_, err := conn.Exec(ctx,
		`INSERT INTO memberships (campaign_id, user_id, role, character_name, character_level) VALUES ($1, $2, 'player', 'Hero', $3)`,
		campaignID, userID, lvl)
	require.NoError(t, err)
}

// newPlaySession creates a game session of the campaign.
func newPlaySession(t *testing.T, conn db.DBTX, campaignID uuid.UUID) uuid.UUID {
	t.Helper()
	var id uuid.UUID
	require.NoError(t, conn.QueryRow(context.Background(),
		`INSERT INTO play_sessions (campaign_id, number) VALUES ($1, 1) RETURNING id`, campaignID).Scan(&id))
	return id
}

// newBook creates a rule book of the given kind with a unique slug.
func newBook(t *testing.T, conn db.DBTX, kind string) Book {
	t.Helper()
	b, err := EnsureBook(context.Background(), conn, ImportOptions{Slug: "test-" + randomSuffix(t), Kind: kind})
	require.NoError(t, err)
	require.True(t, b.Created)
	return b
}

// setBookEnabled records a campaign's choice for a book.
func setBookEnabled(t *testing.T, conn db.DBTX, campaignID, bookID uuid.UUID, enabled bool) {
	t.Helper()
	_, err := conn.Exec(context.Background(), `
		INSERT INTO campaign_core_rules (campaign_id, core_rule_id, enabled) VALUES ($1, $2, $3)
		ON CONFLICT (campaign_id, core_rule_id) DO UPDATE SET enabled = excluded.enabled`,
		campaignID, bookID, enabled)
	require.NoError(t, err)
}

// testMonster is a small valid stat block.
func testMonster(index, name, typ string, cr float64, hp, ac, dex int) Monster {
	xp, err := XPForCR(cr)
	if err != nil {
		panic(err)
	}
	return Monster{
		Index: index, Name: name, Type: typ, Size: "Medium",
		ChallengeRating: cr, XP: xp, HitPoints: hp, ArmorClass: ac,
		ArmorClasses:    []ArmorClass{{Value: ac, Type: "natural"}},
		Abilities:       Abilities{Str: 10, Dex: dex, Con: 10, Int: 10, Wis: 10, Cha: 10},
		InitiativeBonus: DexModifier(dex),
	}
}

// storeMonsters writes monsters into a book and returns their ids by index.
func storeMonsters(t *testing.T, conn db.Beginner, bookID uuid.UUID, ms ...Monster) map[string]uuid.UUID {
	t.Helper()
	ctx := context.Background()
	f := &File{Name: "test.json", Kind: KindMonsters, Records: len(ms), Monsters: ms}
	_, err := Store(ctx, conn, bookID, f, nil)
	require.NoError(t, err)
	return sourceIDs(t, conn.(db.DBTX), "monsters", bookID)
}

// storeItems writes items into a book and returns their ids by index.
func storeItems(t *testing.T, conn db.Beginner, bookID uuid.UUID, items ...Item) map[string]uuid.UUID {
	t.Helper()
	f := &File{Name: "test.json", Kind: KindMagicItems, Records: len(items), Items: items}
	_, err := Store(context.Background(), conn, bookID, f, nil)
	require.NoError(t, err)
	return sourceIDs(t, conn.(db.DBTX), "items", bookID)
}

func sourceIDs(t *testing.T, conn db.DBTX, table string, bookID uuid.UUID) map[string]uuid.UUID {
	t.Helper()
	q := `SELECT source_index, id FROM monsters WHERE core_rule_id = $1`
	if table == "items" {
		q = `SELECT source_index, id FROM items WHERE core_rule_id = $1`
	}
	rows, err := conn.Query(context.Background(), q, bookID)
	require.NoError(t, err)
	defer rows.Close()
	out := map[string]uuid.UUID{}
	for rows.Next() {
		var idx string
		var id uuid.UUID
		require.NoError(t, rows.Scan(&idx, &id))
		out[idx] = id
	}
	require.NoError(t, rows.Err())
	return out
}
