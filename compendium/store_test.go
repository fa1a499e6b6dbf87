package compendium

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"gametable/db"
	"gametable/db/dbtest"
)

func TestImport_SRD(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := srdDir(t)
	pool := dbtest.New(t)
	paths := []string{
		filepath.Join(dir, "5e-SRD-Monsters.json"),
		filepath.Join(dir, "5e-SRD-Equipment.json"),
		filepath.Join(dir, "5e-SRD-Magic-Items.json"),
	}

	var calls int
	var lastDone = map[string]int{}
	progress := func(p Progress) {
		calls++
		require.LessOrEqual(t, p.Done, p.Total)
		lastDone[p.File] = p.Done
	}
	start := time.Now()
	sum, err := Import(ctx, pool, ImportOptions{Slug: "srd-5-1", Title: "SRD 5.1"}, paths, progress)
	first := time.Since(start)
	require.NoError(t, err)
	t.Logf("first import of the full SRD (%d monsters, %d items): %s", 334, 237+362, first)

	require.True(t, sum.Book.Created)
	require.Equal(t, BookToolOnly, sum.Book.Kind)
	require.Equal(t, "SRD 5.1", sum.Book.Title)
	require.Equal(t, "ready", sum.Book.Status)
	require.Zero(t, sum.Failed())
	require.Len(t, sum.Files, 3)
	wantKinds := []Kind{KindMonsters, KindEquipment, KindMagicItems}
	wantCounts := []int{334, 237, 362}
	for i, f := range sum.Files {
		require.Equal(t, wantKinds[i], f.Kind)
		require.Equal(t, wantCounts[i], f.Records)
		require.Equal(t, wantCounts[i], f.Inserted)
		require.Zero(t, f.Updated+f.Unchanged)
		require.Equal(t, wantCounts[i], lastDone[f.Name])
	}
	require.Equal(t, 334+237+362, calls)

	counts, err := db.New(pool).CoreRuleCompendiumCounts(ctx, sum.Book.ID)
	require.NoError(t, err)
	require.EqualValues(t, 334, counts.MonsterCount)
	require.EqualValues(t, 237+362, counts.ItemCount)

	// The typed columns and the stored stat block.
	campaign := newCampaign(t, pool)
	page, err := ListMonsters(ctx, pool, campaign, MonsterFilter{Q: "goblin"})
	require.NoError(t, err)
	require.Equal(t, []string{"Goblin", "Hobgoblin"}, monsterNames(page.Items))
	g := page.Items[0]
	require.Equal(t, "humanoid", g.Type)
	require.Equal(t, "Small", g.Size)
	require.Equal(t, 0.25, g.ChallengeRating)
	require.Equal(t, 50, g.XP)
	require.Equal(t, 7, g.HitPoints)
	require.Equal(t, 15, g.ArmorClass)
	require.Equal(t, 2, g.InitiativeBonus)
	detail, err := GetMonster(ctx, pool, campaign, g.ID)
	require.NoError(t, err)
	require.Equal(t, "srd-5-1", detail.BookSlug)
	parsed := parseSRD(t, "5e-SRD-Monsters.json")
	require.Equal(t, findMonster(t, parsed, "goblin"), detail.StatBlock)

	items, err := ListItems(ctx, pool, campaign, ItemFilter{Q: "longsword"})
	require.NoError(t, err)
	require.Equal(t, []string{"Longsword"}, itemNames(items.Items))
	sword, err := GetItem(ctx, pool, campaign, items.Items[0].ID)
	require.NoError(t, err)
	require.Equal(t, "Weapon", sword.Category)
	require.Equal(t, "", sword.Rarity)
	require.Equal(t, "1d8", sword.Entry.Weapon.Damage.Dice)
	items, err = ListItems(ctx, pool, campaign, ItemFilter{Q: "bag of holding"})
	require.NoError(t, err)
	require.Len(t, items.Items, 1)
	bag, err := GetItem(ctx, pool, campaign, items.Items[0].ID)
	require.NoError(t, err)
	require.Equal(t, "Uncommon", bag.Rarity)
	require.Equal(t, "Wondrous Items", bag.Category)
	require.Equal(t, findItem(t, parseSRD(t, "5e-SRD-Magic-Items.json"), "bag-of-holding"), bag.Entry)

	// Re-importing the same files changes nothing.
	start = time.Now()
	again, err := Import(ctx, pool, ImportOptions{Slug: "srd-5-1", Kind: "required", Title: "ignored"}, paths, nil)
	t.Logf("re-import, nothing changed: %s", time.Since(start))
	require.NoError(t, err)
	require.False(t, again.Book.Created)
	require.Equal(t, sum.Book.ID, again.Book.ID)
	require.Equal(t, BookToolOnly, again.Book.Kind, "an existing book keeps its kind")
	require.Equal(t, "SRD 5.1", again.Book.Title, "an existing book keeps its title")
	for i, f := range again.Files {
		require.Equal(t, wantCounts[i], f.Unchanged, f.Name)
		require.Zero(t, f.Inserted+f.Updated, f.Name)
	}
	counts, err = db.New(pool).CoreRuleCompendiumCounts(ctx, sum.Book.ID)
	require.NoError(t, err)
	require.EqualValues(t, 334, counts.MonsterCount)
	require.EqualValues(t, 237+362, counts.ItemCount)

	// A changed record is updated in place: same id, new values. (A file
	// of that one record: the others were shown unchanged above.)
	var monsters []map[string]any
	raw, err := os.ReadFile(paths[0])
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(raw, &monsters))
	var changedGoblin []map[string]any
	for _, m := range monsters {
		if m["index"] == "goblin" {
			m["hit_points"] = 9
			m["name"] = "Goblin Sneak"
			changedGoblin = append(changedGoblin, m)
		}
	}
	changed, err := json.Marshal(changedGoblin)
	require.NoError(t, err)
	changedPath := filepath.Join(t.TempDir(), "bestiary.json")
	require.NoError(t, os.WriteFile(changedPath, changed, 0o600))
	third, err := Import(ctx, pool, ImportOptions{Slug: "srd-5-1"}, []string{changedPath}, nil)
	require.NoError(t, err)
	require.Equal(t, 1, third.Files[0].Updated)
	require.Zero(t, third.Files[0].Inserted+third.Files[0].Unchanged)
	detail, err = GetMonster(ctx, pool, campaign, g.ID)
	require.NoError(t, err)
	require.Equal(t, "Goblin Sneak", detail.Name)
	require.Equal(t, 9, detail.HitPoints)
	require.Equal(t, 9, detail.StatBlock.HitPoints)
	counts, err = db.New(pool).CoreRuleCompendiumCounts(ctx, sum.Book.ID)
	require.NoError(t, err)
	require.EqualValues(t, 334, counts.MonsterCount)
}

func TestImport_MalformedRecord(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tx := dbtest.Tx(t)

	src := `[
		{"index":"ok-one","name":"Bog Hound","challenge_rating":0.5,"hit_points":11,
		 "armor_class":[{"type":"natural","value":12}],"strength":13,"dexterity":14,"constitution":12,
		 "intelligence":3,"wisdom":12,"charisma":6},
		{"index":"broken","name":"Broken","challenge_rating":"high","hit_points":11},
		{"index":"ok-two","name":"Moss Crawler","challenge_rating":0,"hit_points":2,
		 "armor_class":[{"type":"natural","value":10}],"strength":3,"dexterity":8,"constitution":10,
		 "intelligence":1,"wisdom":7,"charisma":2}
	]`
	path := filepath.Join(t.TempDir(), "homebrew.json")
	require.NoError(t, os.WriteFile(path, []byte(src), 0o600))

	var out bytes.Buffer
	sum, err := RunImport(ctx, tx, ImportOptions{Slug: "homebrew-" + randomSuffix(t), Kind: "optional"}, []string{path}, &out)
	require.ErrorIs(t, err, ErrRecordsFailed)
	require.Equal(t, 1, sum.Failed())
	require.Equal(t, BookOptional, sum.Book.Kind)
	re := sum.Files[0].Errors[0]
	require.Equal(t, 2, re.Position)
	require.Equal(t, "broken", re.Index)
	require.Equal(t, 2, sum.Files[0].Inserted)

	ids := sourceIDs(t, tx, "monsters", sum.Book.ID)
	require.Len(t, ids, 2)
	require.Contains(t, ids, "ok-one")
	require.Contains(t, ids, "ok-two")

	// Plain lines when not a terminal: a line per file, the skipped
	// record with its index, the totals.
	text := out.String()
	require.NotContains(t, text, "\r")
	require.Contains(t, text, "homebrew.json: 2/2 monsters written\n")
	require.Contains(t, text, "skipped homebrew.json: record 2 (broken): challenge_rating: string where float64 was expected\n")
	require.Contains(t, text, "homebrew.json: 3 monsters: 2 new, 0 updated, 0 unchanged, 1 skipped\n")
	require.True(t, strings.HasPrefix(text, "homebrew.json: 2/2"), text)
}

func TestImport_BadInput(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tx := dbtest.Tx(t)
	dir := srdDir(t)

	// A file that is not monsters or items stops the import before the
	// book is created.
	slug := "nothing-" + randomSuffix(t)
	_, err := Import(ctx, tx, ImportOptions{Slug: slug}, []string{
		filepath.Join(dir, "5e-SRD-Monsters.json"),
		filepath.Join(dir, "5e-SRD-Spells.json"),
	}, nil)
	require.ErrorIs(t, err, ErrUnrecognised)
	var n int
	require.NoError(t, tx.QueryRow(ctx, `SELECT count(*) FROM core_rules WHERE slug = $1`, slug).Scan(&n))
	require.Zero(t, n)

	_, err = Import(ctx, tx, ImportOptions{Slug: slug}, []string{filepath.Join(dir, "missing.json")}, nil)
	require.ErrorIs(t, err, os.ErrNotExist)
	_, err = Import(ctx, tx, ImportOptions{Slug: slug}, nil, nil)
	require.Error(t, err)
	_, err = Import(ctx, tx, ImportOptions{Slug: "Bad Slug"}, []string{filepath.Join(dir, "5e-SRD-Monsters.json")}, nil)
	require.ErrorContains(t, err, "book slug")
	_, err = Import(ctx, tx, ImportOptions{Slug: slug, Kind: "sometimes"}, []string{filepath.Join(dir, "5e-SRD-Monsters.json")}, nil)
	require.ErrorContains(t, err, "book kind")
}

func TestParseBookKind(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"": BookToolOnly, "toolOnly": BookToolOnly, "tool_only": BookToolOnly, "tool-only": BookToolOnly,
		"required": BookRequired, "Optional": BookOptional,
	} {
		got, err := ParseBookKind(in)
		require.NoError(t, err, in)
		require.Equal(t, want, got, in)
	}
	_, err := ParseBookKind("core")
	require.Error(t, err)
}

func monsterNames(ms []MonsterSummary) []string {
	out := make([]string, len(ms))
	for i, m := range ms {
		out[i] = m.Name
	}
	return out
}

func itemNames(is []ItemSummary) []string {
	out := make([]string, len(is))
	for i, it := range is {
		out[i] = it.Name
	}
	return out
}
