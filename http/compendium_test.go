package http

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"gametable/compendium"
	"gametable/db"
)

// The open SRD data is read from <repo>/../shared/data/srd (never copied
// into the repository). Each file is parsed once per test binary, the
// first time a test asks for it; each test stores what it needs into its
// own database.
var (
	srdMonsters   = sync.OnceValues(func() (*compendium.File, error) { return parseSRD("5e-SRD-Monsters.json") })
	srdEquipment  = sync.OnceValues(func() (*compendium.File, error) { return parseSRD("5e-SRD-Equipment.json") })
	srdMagicItems = sync.OnceValues(func() (*compendium.File, error) { return parseSRD("5e-SRD-Magic-Items.json") })
)

// parseSRD parses one file of the SRD data, found from this file's
// location so that the working directory does not matter.
func parseSRD(name string) (*compendium.File, error) {
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		return nil, errors.New("cannot locate compendium_test.go")
	}
	repo := filepath.Dir(filepath.Dir(file))
	return compendium.ParseFile(filepath.Join(repo, "..", "shared", "data", "srd", name))
}

// srdFile returns a parsed SRD file (srdMonsters…), failing the test when
// the data is missing: it belongs at ../shared/data/srd beside the
// repository.
func srdFile(t *testing.T, parsed func() (*compendium.File, error)) *compendium.File {
	t.Helper()
	f, err := parsed()
	require.NoError(t, err, "the SRD data belongs at ../shared/data/srd beside the repository")
	return f
}

// testBook is a rule book stored for a test, with its entries' ids by
// source index.
type testBook struct {
	ID       uuid.UUID
	Slug     string
	Monsters map[string]uuid.UUID
	Items    map[string]uuid.UUID
}

// randomSlug returns a unique book slug starting with prefix.
func randomSlug(t *testing.T, prefix string) string {
	t.Helper()
	b := make([]byte, 6)
	_, err := rand.Read(b)
	require.NoError(t, err)
	return prefix + "-" + hex.EncodeToString(b)
}

// storeBook creates a book of the kind (compendium.BookRequired…) and
// stores the files into it, as "gametable compendium import" does.
func (ts *testServer) storeBook(t *testing.T, kind string, files ...*compendium.File) testBook {
	t.Helper()
	ctx := context.Background()
	b, err := compendium.EnsureBook(ctx, ts.Pool, compendium.ImportOptions{Slug: randomSlug(t, "test"), Kind: kind})
	require.NoError(t, err)
	for _, f := range files {
		_, err := compendium.Store(ctx, ts.Pool, b.ID, f, nil)
		require.NoError(t, err)
	}
	book := testBook{ID: b.ID, Slug: b.Slug, Monsters: map[string]uuid.UUID{}, Items: map[string]uuid.UUID{}}
	for table, ids := range map[string]map[string]uuid.UUID{"monsters": book.Monsters, "items": book.Items} {
		rows, err := ts.Pool.Query(ctx, `SELECT source_index, id FROM `+table+` WHERE core_rule_id = $1`, b.ID)
		require.NoError(t, err)
		for rows.Next() {
			var index string
			var id uuid.UUID
			require.NoError(t, rows.Scan(&index, &id))
			ids[index] = id
		}
		require.NoError(t, rows.Err())
	}
	return book
}

// setBookEnabled records a campaign's choice for an optional book, through
// the query the core-rules routes use.
func (ts *testServer) setBookEnabled(t *testing.T, campaignID, bookID uuid.UUID, enabled bool) {
	t.Helper()
	require.NoError(t, db.New(ts.Pool).CampaignCoreRuleSetEnabled(context.Background(), db.CampaignCoreRuleSetEnabledParams{
		CampaignID: campaignID, CoreRuleID: bookID, Enabled: enabled,
	}))
}

// srdSubset is a monsters file of the SRD monsters with these indexes.
func srdSubset(t *testing.T, indexes ...string) *compendium.File {
	t.Helper()
	all := srdFile(t, srdMonsters)
	f := &compendium.File{Name: "srd subset", Kind: compendium.KindMonsters}
	for _, m := range all.Monsters {
		if slices.Contains(indexes, m.Index) {
			f.Monsters = append(f.Monsters, m)
		}
	}
	require.Len(t, f.Monsters, len(indexes))
	f.Records = len(f.Monsters)
	return f
}

// fixtureMonsters is a monsters file of small invented stat blocks, one
// per name, for tests where the SRD's content does not matter.
func fixtureMonsters(t *testing.T, names ...string) *compendium.File {
	t.Helper()
	f := &compendium.File{Name: "fixture", Kind: compendium.KindMonsters}
	for _, name := range names {
		f.Monsters = append(f.Monsters, compendium.Monster{
			Index: strings.ToLower(strings.ReplaceAll(name, " ", "-")), Name: name,
			Size: "Medium", Type: "beast", ChallengeRating: 1, XP: 200, ProficiencyBonus: 2,
			HitPoints: 11, ArmorClass: 12, ArmorClasses: []compendium.ArmorClass{{Value: 12, Type: "natural"}},
			Abilities: compendium.Abilities{Str: 10, Dex: 14, Con: 10, Int: 10, Wis: 10, Cha: 10}, InitiativeBonus: 2,
		})
	}
	f.Records = len(f.Monsters)
	return f
}

// fixtureItems is a magic items file of invented items, one per name.
func fixtureItems(names ...string) *compendium.File {
	f := &compendium.File{Name: "fixture", Kind: compendium.KindMagicItems}
	for _, name := range names {
		f.Items = append(f.Items, compendium.Item{
			Index: strings.ToLower(strings.ReplaceAll(name, " ", "-")), Name: name,
			Category: "Wondrous Items", Magic: true, Rarity: "Rare", TypeLine: "Wondrous item, rare",
			Text: []string{"A test item."},
		})
	}
	f.Records = len(f.Items)
	return f
}

// compendiumQuery returns path?query built from pairs of names and values.
func compendiumQuery(path string, pairs ...string) string {
	q := url.Values{}
	for i := 0; i+1 < len(pairs); i += 2 {
		q.Set(pairs[i], pairs[i+1])
	}
	if len(q) == 0 {
		return path
	}
	return path + "?" + q.Encode()
}

// listMonsters gets one page of monsters, requiring 200.
func listMonsters(t *testing.T, c *testClient, campaignID uuid.UUID, pairs ...string) monsterListBody {
	t.Helper()
	var body monsterListBody
	c.do(t, http.MethodGet, compendiumQuery(campaignPath(campaignID, "monsters"), pairs...), nil).
		requireStatus(t, http.StatusOK).decode(t, &body)
	return body
}

// listItems gets one page of items, requiring 200.
func listItems(t *testing.T, c *testClient, campaignID uuid.UUID, pairs ...string) itemListBody {
	t.Helper()
	var body itemListBody
	c.do(t, http.MethodGet, compendiumQuery(campaignPath(campaignID, "items"), pairs...), nil).
		requireStatus(t, http.StatusOK).decode(t, &body)
	return body
}

func monsterNames(ms []monsterSummaryJSON) []string {
	out := make([]string, len(ms))
	for i, m := range ms {
		out[i] = m.Name
	}
	return out
}

func itemNames(is []itemSummaryJSON) []string {
	out := make([]string, len(is))
	for i, it := range is {
		out[i] = it.Name
	}
	return out
}

// TestCompendium_Monsters searches the full SRD bestiary, stored in a
// required book, through the API.
func TestCompendium_Monsters(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	gm := ts.newUser(t, "Gina")
	c := ts.createCampaign(t, gm, "Monster Hunt")
	player := ts.join(t, gm, c.ID, rolePlayer, "Pip")
	monsters := srdFile(t, srdMonsters)
	book := ts.storeBook(t, compendium.BookRequired, monsters)
	total := len(monsters.Monsters)

	t.Run("Search", func(t *testing.T) {
		t.Parallel()
		// Exact name first, then names that start with q, then the rest;
		// alphabetical within each rank.
		got := monsterNames(listMonsters(t, player, c.ID, "q", "ogre").Items)
		require.Equal(t, []string{"Ogre", "Ogre Zombie"}, got)
		got = monsterNames(listMonsters(t, player, c.ID, "q", "Dragon").Items)
		require.Equal(t, []string{"Dragon Turtle", "Adult Black Dragon", "Adult Blue Dragon"}, got[:3])
		require.Contains(t, got, "Pseudodragon")
		got = monsterNames(listMonsters(t, player, c.ID, "q", "GOB").Items)
		require.Equal(t, []string{"Goblin", "Hobgoblin"}, got)
		got = monsterNames(listMonsters(t, player, c.ID, "q", "  goblin ").Items)
		require.Equal(t, []string{"Goblin", "Hobgoblin"}, got)
		// % and _ are plain characters.
		require.Empty(t, listMonsters(t, player, c.ID, "q", "%").Items)
		require.Empty(t, listMonsters(t, player, c.ID, "q", "zzz").Items)
	})

	t.Run("ChallengeRating", func(t *testing.T) {
		t.Parallel()
		quarter := listMonsters(t, player, c.ID, "cr", "1/4", "limit", "200")
		require.NotEmpty(t, quarter.Items)
		for _, m := range quarter.Items {
			require.Equal(t, 0.25, m.ChallengeRating, m.Name)
			require.Equal(t, 50, m.XP, m.Name)
		}
		require.Equal(t, quarter, listMonsters(t, player, c.ID, "cr", "0.25", "limit", "200"))

		// Challenge ratings are JSON numbers.
		res := player.do(t, http.MethodGet, compendiumQuery(campaignPath(c.ID, "monsters"), "q", "goblin", "cr", "1/4"), nil)
		res.requireStatus(t, http.StatusOK)
		require.Contains(t, string(res.Body), `"challengeRating":0.25`)

		rng := listMonsters(t, player, c.ID, "cr", "1/8..1/2", "limit", "200")
		seen := map[float64]bool{}
		for _, m := range rng.Items {
			require.True(t, m.ChallengeRating >= 0.125 && m.ChallengeRating <= 0.5, "%s has CR %v", m.Name, m.ChallengeRating)
			seen[m.ChallengeRating] = true
		}
		require.Equal(t, map[float64]bool{0.125: true, 0.25: true, 0.5: true}, seen)

		low := listMonsters(t, player, c.ID, "cr", "..1/8", "limit", "200")
		for _, m := range low.Items {
			require.LessOrEqual(t, m.ChallengeRating, 0.125, m.Name)
		}
		require.Contains(t, monsterNames(low.Items), "Kobold")
		require.Contains(t, monsterNames(low.Items), "Rat") // CR 0
		require.Equal(t, []string{"Tarrasque"}, monsterNames(listMonsters(t, player, c.ID, "cr", "30").Items))
		require.Equal(t, []string{"Tarrasque"}, monsterNames(listMonsters(t, player, c.ID, "cr", "25..").Items))

		for _, bad := range []string{"1/3", "31", "-1", "2..1", "abc", "1/4..x", "0.3"} {
			player.do(t, http.MethodGet, compendiumQuery(campaignPath(c.ID, "monsters"), "cr", bad), nil).requireFields(t, "cr")
		}
	})

	t.Run("Type", func(t *testing.T) {
		t.Parallel()
		dragons := listMonsters(t, player, c.ID, "type", "dragon", "limit", "200")
		require.NotEmpty(t, dragons.Items)
		for _, m := range dragons.Items {
			require.Equal(t, "dragon", m.Type)
		}
		require.Equal(t, dragons, listMonsters(t, player, c.ID, "type", "DRAGON", "limit", "200"))
		// Filters combine.
		wyrmlings := listMonsters(t, player, c.ID, "q", "wyrmling", "type", "dragon", "cr", "..1")
		require.Equal(t, []string{"Brass Dragon Wyrmling", "Copper Dragon Wyrmling"}, monsterNames(wyrmlings.Items))
		require.Empty(t, listMonsters(t, player, c.ID, "type", "dragon", "q", "goblin").Items)
	})

	t.Run("Pages", func(t *testing.T) {
		t.Parallel()
		first := listMonsters(t, player, c.ID)
		require.Len(t, first.Items, 50) // the default
		require.NotEmpty(t, first.NextCursor)

		// Walk every page at the maximum size: each monster once, in
		// name order.
		ids := map[uuid.UUID]bool{}
		cursor := ""
		for range 10 {
			page := listMonsters(t, player, c.ID, "limit", "200", "cursor", cursor)
			require.LessOrEqual(t, len(page.Items), 200)
			for _, m := range page.Items {
				require.False(t, ids[m.ID], "%s twice", m.Name)
				ids[m.ID] = true
				require.Equal(t, book.ID, m.BookID)
			}
			if cursor = page.NextCursor; cursor == "" {
				break
			}
		}
		require.Len(t, ids, total)

		// Over the maximum is served as the maximum.
		require.Len(t, listMonsters(t, player, c.ID, "limit", "5000").Items, 200)
		// A filtered walk keeps the filter.
		page := listMonsters(t, player, c.ID, "type", "dragon", "limit", "3")
		next := listMonsters(t, player, c.ID, "type", "dragon", "limit", "3", "cursor", page.NextCursor)
		for _, m := range append(page.Items, next.Items...) {
			require.Equal(t, "dragon", m.Type)
		}
		require.NotEqual(t, page.Items[0].ID, next.Items[0].ID)

		for _, bad := range []string{"0", "-1", "ten", "1.5"} {
			player.do(t, http.MethodGet, compendiumQuery(campaignPath(c.ID, "monsters"), "limit", bad), nil).requireFields(t, "limit")
		}
		player.do(t, http.MethodGet, compendiumQuery(campaignPath(c.ID, "monsters"), "cursor", "not-a-cursor"), nil).requireFields(t, "cursor")
		player.do(t, http.MethodGet, compendiumQuery(campaignPath(c.ID, "monsters"), "cursor", "bm9wZQ", "limit", "0", "cr", "x"), nil).
			requireFields(t, "limit", "cr")
		player.do(t, http.MethodGet, compendiumQuery(campaignPath(c.ID, "monsters"), "q", "gob\x00lin"), nil).requireFields(t, "q")
		player.do(t, http.MethodGet, compendiumQuery(campaignPath(c.ID, "monsters"), "q", strings.Repeat("a", 201)), nil).requireFields(t, "q")
	})

	t.Run("StatBlock", func(t *testing.T) {
		t.Parallel()
		var body monsterBody
		res := player.do(t, http.MethodGet, campaignPath(c.ID, "monsters", book.Monsters["bugbear"].String()), nil)
		res.requireStatus(t, http.StatusOK).decode(t, &body)
		m := body.Monster
		require.Equal(t, book.Monsters["bugbear"], m.ID)
		require.Equal(t, compendiumBookJSON{ID: book.ID, Slug: book.Slug, Title: book.Slug}, m.Book)
		require.Equal(t, book.ID, m.BookID)
		require.Equal(t, "Bugbear", m.Name)
		require.Equal(t, "humanoid", m.Type)
		require.Equal(t, "goblinoid", m.Subtype)
		require.Equal(t, "Medium", m.Size)
		require.Equal(t, "chaotic evil", m.Alignment)
		require.Equal(t, 1.0, m.ChallengeRating)
		require.Equal(t, 200, m.XP)
		require.Equal(t, 2, m.ProficiencyBonus)
		require.Equal(t, 27, m.HitPoints)
		require.Equal(t, "5d8", m.HitDice)
		require.Equal(t, "5d8+5", m.HitPointsRoll)
		require.Equal(t, 16, m.ArmorClass)
		require.Equal(t, []compendium.ArmorClass{{Value: 16, Type: "armor", Note: "shield, hide armor"}}, m.ArmorClasses)
		require.Equal(t, compendium.Abilities{Str: 15, Dex: 14, Con: 13, Int: 8, Wis: 11, Cha: 9}, m.Abilities)
		require.Equal(t, 2, m.InitiativeBonus)
		require.Equal(t, compendium.Speed{Walk: "30 ft."}, m.Speed)
		require.Equal(t, []compendium.Bonus{{Name: "Stealth", Bonus: 6}, {Name: "Survival", Bonus: 2}}, m.Skills)
		require.Equal(t, compendium.Senses{Darkvision: "60 ft.", PassivePerception: 10}, m.Senses)
		require.Equal(t, "Common, Goblin", m.Languages)
		require.Equal(t, []string{"Brute", "Surprise Attack"}, featureNames(m.Traits))
		require.Equal(t, []string{"Morningstar", "Javelin"}, featureNames(m.Actions))
		require.NotNil(t, m.Actions[0].AttackBonus)
		require.Equal(t, 4, *m.Actions[0].AttackBonus)
		// Empty lists are [], never null.
		for _, key := range []string{`"savingThrows":[]`, `"legendaryActions":[]`, `"reactions":[]`, `"damageImmunities":[]`} {
			require.Contains(t, string(res.Body), key)
		}
		require.NotContains(t, string(res.Body), "null")

		// The summary in lists is the same monster.
		list := listMonsters(t, player, c.ID, "q", "bugbear")
		require.Equal(t, []monsterSummaryJSON{m.monsterSummaryJSON}, list.Items)
	})

	t.Run("NotFound", func(t *testing.T) {
		t.Parallel()
		for _, id := range []string{uuid.NewString(), "not-a-uuid"} {
			e := player.do(t, http.MethodGet, campaignPath(c.ID, "monsters", id), nil).requireError(t, http.StatusNotFound, codeNotFound)
			require.Equal(t, "monster not found", e.Message)
		}
	})
}

func featureNames(fs []compendium.Feature) []string {
	out := make([]string, len(fs))
	for i, f := range fs {
		out[i] = f.Name
	}
	return out
}

// TestCompendium_Items searches the SRD equipment and magic items.
func TestCompendium_Items(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	gm := ts.newUser(t, "Gina")
	c := ts.createCampaign(t, gm, "Treasure")
	equipment, magic := srdFile(t, srdEquipment), srdFile(t, srdMagicItems)
	book := ts.storeBook(t, compendium.BookToolOnly, equipment, magic)

	// q ranks like monsters: "Longsword" exactly, then the rest that
	// contain it.
	require.Equal(t, []string{"Longsword"}, itemNames(listItems(t, gm, c.ID, "q", "longsword").Items))
	require.Equal(t, []string{
		"Sword of Life Stealing", "Sword of Sharpness", "Sword of Wounding", // starting with "sword"
		"Dancing Sword", "Greatsword", "Longsword", "Shortsword", "Vorpal Sword",
	}, itemNames(listItems(t, gm, c.ID, "q", "sword").Items))

	weapons := listItems(t, gm, c.ID, "type", "weapon", "limit", "200")
	require.NotEmpty(t, weapons.Items)
	for _, it := range weapons.Items {
		require.Equal(t, "Weapon", it.Type)
	}
	veryRare := listItems(t, gm, c.ID, "rarity", "very rare", "limit", "200")
	require.NotEmpty(t, veryRare.Items)
	for _, it := range veryRare.Items {
		require.Equal(t, "Very Rare", it.Rarity)
	}
	// Filters combine: no rare bags, no mundane ball bearings.
	require.Equal(t, []string{"Bag of Holding", "Bag of Tricks", "Gray Bag of Tricks", "Rust Bag of Tricks", "Tan Bag of Tricks"},
		itemNames(listItems(t, gm, c.ID, "q", "bag of", "type", "wondrous items", "rarity", "uncommon").Items))

	// Pages: every item once.
	ids := map[uuid.UUID]bool{}
	cursor := ""
	for range 10 {
		page := listItems(t, gm, c.ID, "limit", "200", "cursor", cursor)
		for _, it := range page.Items {
			require.False(t, ids[it.ID])
			ids[it.ID] = true
		}
		if cursor = page.NextCursor; cursor == "" {
			break
		}
	}
	require.Len(t, ids, len(equipment.Items)+len(magic.Items))
	require.Len(t, listItems(t, gm, c.ID).Items, 50)
	gm.do(t, http.MethodGet, compendiumQuery(campaignPath(c.ID, "items"), "limit", "0"), nil).requireFields(t, "limit")
	gm.do(t, http.MethodGet, compendiumQuery(campaignPath(c.ID, "items"), "cursor", "!"), nil).requireFields(t, "cursor")

	var body itemBody
	gm.do(t, http.MethodGet, campaignPath(c.ID, "items", book.Items["longsword"].String()), nil).
		requireStatus(t, http.StatusOK).decode(t, &body)
	ls := body.Item
	require.Equal(t, "Longsword", ls.Name)
	require.Equal(t, "Weapon", ls.Type)
	require.Empty(t, ls.Rarity)
	require.False(t, ls.Magic)
	require.Equal(t, "Martial Melee Weapon", ls.TypeLine)
	require.Equal(t, &compendium.Cost{Quantity: 15, Unit: "gp"}, ls.Cost)
	require.NotNil(t, ls.Weight)
	require.Equal(t, 3.0, *ls.Weight)
	require.NotNil(t, ls.Weapon)
	require.Equal(t, &compendium.Damage{Dice: "1d8", Type: "Slashing"}, ls.Weapon.Damage)
	require.Equal(t, &compendium.Damage{Dice: "1d10", Type: "Slashing"}, ls.Weapon.TwoHandedDamage)
	require.Equal(t, compendiumBookJSON{ID: book.ID, Slug: book.Slug, Title: book.Slug}, ls.Book)

	body = itemBody{}
	gm.do(t, http.MethodGet, campaignPath(c.ID, "items", book.Items["bag-of-holding"].String()), nil).
		requireStatus(t, http.StatusOK).decode(t, &body)
	bag := body.Item
	require.Equal(t, "Uncommon", bag.Rarity)
	require.True(t, bag.Magic)
	require.Equal(t, "Wondrous Items", bag.Type)
	require.Equal(t, "Wondrous item, uncommon", bag.TypeLine)
	require.False(t, bag.RequiresAttunement)
	require.NotEmpty(t, bag.Text)

	gm.do(t, http.MethodGet, campaignPath(c.ID, "items", uuid.NewString()), nil).requireError(t, http.StatusNotFound, codeNotFound)
	// A monster's id is not an item's.
	other := ts.storeBook(t, compendium.BookRequired, fixtureMonsters(t, "Decoy"))
	gm.do(t, http.MethodGet, campaignPath(c.ID, "items", other.Monsters["decoy"].String()), nil).requireError(t, http.StatusNotFound, codeNotFound)
}

// TestCompendium_Visibility checks which books each campaign sees:
// required and tool-only books always, optional books only where enabled.
func TestCompendium_Visibility(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	gina, otto := ts.newUser(t, "Gina"), ts.newUser(t, "Otto")
	a := ts.createCampaign(t, gina, "Alpha")
	b := ts.createCampaign(t, otto, "Beta")

	required := ts.storeBook(t, compendium.BookRequired, fixtureMonsters(t, "Required Beast"), fixtureItems("Required Charm"))
	tool := ts.storeBook(t, compendium.BookToolOnly, fixtureMonsters(t, "Tool Beast"), fixtureItems("Tool Charm"))
	optional := ts.storeBook(t, compendium.BookOptional, fixtureMonsters(t, "Optional Beast"), fixtureItems("Optional Charm"))
	disabled := ts.storeBook(t, compendium.BookOptional, fixtureMonsters(t, "Disabled Beast"), fixtureItems("Disabled Charm"))
	ts.setBookEnabled(t, a.ID, optional.ID, true)
	ts.setBookEnabled(t, a.ID, disabled.ID, false)
	// Enabling a book in one campaign shows it there only.
	ts.setBookEnabled(t, b.ID, disabled.ID, true)

	visible := func(c *testClient, campaignID uuid.UUID) (monsters, items []string) {
		return monsterNames(listMonsters(t, c, campaignID, "q", "beast").Items), itemNames(listItems(t, c, campaignID, "q", "charm").Items)
	}
	ms, is := visible(gina, a.ID)
	require.Equal(t, []string{"Optional Beast", "Required Beast", "Tool Beast"}, ms)
	require.Equal(t, []string{"Optional Charm", "Required Charm", "Tool Charm"}, is)
	ms, is = visible(otto, b.ID)
	require.Equal(t, []string{"Disabled Beast", "Required Beast", "Tool Beast"}, ms)
	require.Equal(t, []string{"Disabled Charm", "Required Charm", "Tool Charm"}, is)

	get := func(c *testClient, campaignID uuid.UUID, kind string, id uuid.UUID) int {
		return c.do(t, http.MethodGet, campaignPath(campaignID, kind, id.String()), nil).Status
	}
	for _, tt := range []struct {
		book testBook
		a, b int
	}{
		{required, http.StatusOK, http.StatusOK},
		{tool, http.StatusOK, http.StatusOK},
		{optional, http.StatusOK, http.StatusNotFound},
		{disabled, http.StatusNotFound, http.StatusOK},
	} {
		for _, id := range tt.book.Monsters {
			require.Equal(t, tt.a, get(gina, a.ID, "monsters", id))
			require.Equal(t, tt.b, get(otto, b.ID, "monsters", id))
		}
		for _, id := range tt.book.Items {
			require.Equal(t, tt.a, get(gina, a.ID, "items", id))
			require.Equal(t, tt.b, get(otto, b.ID, "items", id))
		}
	}

	// Disabling takes effect at once.
	ts.setBookEnabled(t, a.ID, optional.ID, false)
	ms, is = visible(gina, a.ID)
	require.Equal(t, []string{"Required Beast", "Tool Beast"}, ms)
	require.Equal(t, []string{"Required Charm", "Tool Charm"}, is)
	require.Equal(t, http.StatusNotFound, get(gina, a.ID, "monsters", optional.Monsters["optional-beast"]))
}

// sweepCompendiumBook stores an optional book that only f's campaign
// enables, with one monster and one item, for the access-control sweep:
// its entries exist, but no other campaign can see them.
func sweepCompendiumBook(t *testing.T, f *sweepCampaign) testBook {
	t.Helper()
	book := f.ts.storeBook(t, compendium.BookOptional, fixtureMonsters(t, "Sweep Beast"), fixtureItems("Sweep Charm"))
	f.ts.setBookEnabled(t, f.id, book.ID, true)
	return book
}

// sweepEncounter creates an encounter in f's campaign for the sweep and
// checks, when the test ends, that the sweep neither changed nor deleted
// it.
func sweepEncounter(t *testing.T, f *sweepCampaign) string {
	t.Helper()
	res := f.gm.do(t, http.MethodPost, campaignPath(f.id, "encounters"), map[string]any{"name": "Sweep encounter", "monsters": []any{}})
	var body encounterBody
	res.requireStatus(t, http.StatusCreated).decode(t, &body)
	id := body.Encounter.ID.String()
	t.Cleanup(func() {
		var after encounterBody
		f.gm.do(t, http.MethodGet, campaignPath(f.id, "encounters", id), nil).requireStatus(t, http.StatusOK).decode(t, &after)
		require.Equal(t, body.Encounter, after.Encounter)
	})
	return id
}

// decodeRaw decodes a response body into a generic map, to check which keys
// are present.
func decodeRaw(t *testing.T, res *testResponse) map[string]any {
	t.Helper()
	var m map[string]any
	require.NoError(t, json.Unmarshal(res.Body, &m), "body: %s", res.Body)
	return m
}
