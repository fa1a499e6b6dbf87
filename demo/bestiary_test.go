package demo

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"

	"gametable/compendium"
	"gametable/db"
	"gametable/db/dbtest"
)

// TestMain stops the private PostgreSQL of dbtest, if one was started.
func TestMain(m *testing.M) { dbtest.Main(m) }

// fakeHash stands in for argon2id, which the demo does not need to test.
func fakeHash(_ context.Context, pw string) (string, error) { return "fake$" + pw, nil }

// TestLoad_Bestiary loads the demo twice: the second run finds the book,
// its entries and the encounter, and adds nothing.
func TestLoad_Bestiary(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := dbtest.New(t)

	first, err := Load(ctx, pool, fakeHash)
	require.NoError(t, err)
	require.True(t, first.Created)
	second, err := Load(ctx, pool, fakeHash)
	require.NoError(t, err)
	require.False(t, second.Created)
	require.Equal(t, first.CampaignID, second.CampaignID)

	// One book, tool-only, with each entry once.
	book, err := db.New(pool).CoreRuleGetBySlug(ctx, BestiarySlug)
	require.NoError(t, err)
	require.Equal(t, compendium.BookToolOnly, book.Kind)
	counts, err := db.New(pool).CoreRuleCompendiumCounts(ctx, book.ID)
	require.NoError(t, err)
	require.Equal(t, int64(len(bestiary)), counts.MonsterCount)
	require.Equal(t, int64(len(equipment)+len(magicItems)), counts.ItemCount)

	// The campaign sees the bestiary through the compendium.
	page, err := compendium.ListMonsters(ctx, pool, first.CampaignID, compendium.MonsterFilter{Q: "marsh stalker"})
	require.NoError(t, err)
	require.Len(t, page.Items, 1)
	stalker, err := compendium.GetMonster(ctx, pool, first.CampaignID, page.Items[0].ID)
	require.NoError(t, err)
	require.Equal(t, BestiaryTitle, stalker.BookTitle)
	require.Equal(t, "Hooked Claw", stalker.StatBlock.Actions[0].Name)
	items, err := compendium.ListItems(ctx, pool, first.CampaignID, compendium.ItemFilter{Q: "drowned bell"})
	require.NoError(t, err)
	require.Len(t, items.Items, 1)
	require.Equal(t, "Rare", items.Items[0].Rarity)

	// One encounter of that name, rated for the two level-3 players.
	es, err := compendium.ListEncounters(ctx, pool, first.CampaignID)
	require.NoError(t, err)
	require.Len(t, es, 1)
	e := es[0]
	require.Equal(t, EncounterName, e.Name)
	require.Nil(t, e.PartyLevels)
	require.Len(t, e.Monsters, 2)
	require.Equal(t, "Marsh Stalker", e.Monsters[0].Name)
	require.Equal(t, 2, e.Monsters[0].Count)
	require.Equal(t, "Lantern Wisp", e.Monsters[1].Name)
	levels, err := compendium.PlayerLevels(ctx, pool, first.CampaignID)
	require.NoError(t, err)
	require.ElementsMatch(t, []int{3, 3}, levels)
	d, err := e.Difficulty(levels)
	require.NoError(t, err)
	require.Equal(t, &compendium.Difficulty{PartyLevels: levels, XP: 250, AdjustedXP: 625, DMG2014: compendium.Hard, DMG2024: compendium.Low}, d)

	// A combat from it has three monsters, numbered.
	specs, err := compendium.EncounterCombatants(ctx, pool, first.CampaignID, e.ID)
	require.NoError(t, err)
	require.Len(t, specs, 3)
	require.Equal(t, "Marsh Stalker 1", specs[0].Name)
	require.Equal(t, 22, specs[0].HP)
	require.Equal(t, "Lantern Wisp", specs[2].Name)
}

// dicePattern is a hit point roll such as "4d8+4".
var dicePattern = regexp.MustCompile(`^(\d+)d(\d+)(?:\+(\d+))?$`)

// TestBestiary_StatBlocks checks that every stat block follows the rules'
// arithmetic, so the demo teaches nothing wrong: XP and proficiency bonus
// by challenge rating, hit points the average of the roll, the initiative
// bonus the Dexterity modifier, unique indexes.
func TestBestiary_StatBlocks(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	for _, m := range bestiary {
		require.False(t, seen[m.Index], m.Index)
		seen[m.Index] = true
		t.Run(m.Index, func(t *testing.T) {
			t.Parallel()
			xp, err := compendium.XPForCR(m.ChallengeRating)
			require.NoError(t, err)
			require.Equal(t, xp, m.XP)
			require.Equal(t, 2, m.ProficiencyBonus) // CR 0 to 4
			require.Equal(t, compendium.DexModifier(m.Abilities.Dex), m.InitiativeBonus)
			require.Equal(t, m.ArmorClass, m.ArmorClasses[0].Value)

			p := dicePattern.FindStringSubmatch(m.HitPointsRoll)
			require.NotNil(t, p, m.HitPointsRoll)
			n, _ := strconv.Atoi(p[1])
			sides, _ := strconv.Atoi(p[2])
			bonus, _ := strconv.Atoi(p[3])
			require.Equal(t, fmt.Sprintf("%dd%d", n, sides), m.HitDice)
			require.Equal(t, n*(sides+1)/2+bonus, m.HitPoints)
			// The bonus is the Constitution modifier per die (DexModifier
			// is the modifier of any ability score).
			require.Equal(t, n*compendium.DexModifier(m.Abilities.Con), bonus)
		})
	}
	for _, list := range [][]compendium.Item{equipment, magicItems} {
		for _, it := range list {
			require.False(t, seen[it.Index], it.Index)
			seen[it.Index] = true
			require.NotEmpty(t, it.Text)
			require.Equal(t, it.Magic, it.Rarity != "")
		}
	}
}
