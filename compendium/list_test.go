package compendium

import (
	"context"
	"sort"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"gametable/db"
	"gametable/db/dbtest"
)

// visibilityBundle is four books, one of each visibility case, with one
// monster and one item each, and two campaigns: A enabled the first
// optional book, B disabled it explicitly; nobody enabled the second.
type visibilityBundle struct {
	tx                   pgx.Tx
	campaignA, campaignB uuid.UUID
	books                map[string]Book
	monsters             map[string]uuid.UUID // by book kind label
	items                map[string]uuid.UUID
	suffix               string
}

func setupVisibility(t *testing.T) *visibilityBundle {
	t.Helper()
	tx := dbtest.Tx(t)
	b := &visibilityBundle{tx: tx, monsters: map[string]uuid.UUID{}, items: map[string]uuid.UUID{}, suffix: randomSuffix(t)}
	b.campaignA = newCampaign(t, tx)
	b.campaignB = newCampaign(t, tx)
	b.books = map[string]Book{
		"required": newBook(t, tx, BookRequired),
		"toolOnly": newBook(t, tx, BookToolOnly),
		"enabled":  newBook(t, tx, BookOptional),
		"disabled": newBook(t, tx, BookOptional),
	}
	setBookEnabled(t, tx, b.campaignA, b.books["enabled"].ID, true)
	setBookEnabled(t, tx, b.campaignB, b.books["enabled"].ID, false)
	// A row for a required book changes nothing.
	setBookEnabled(t, tx, b.campaignA, b.books["required"].ID, false)
	for label, book := range b.books {
		// Unique names per test run: other tests share the database.
		name := "Zq" + b.suffix + " " + label
		ids := storeMonsters(t, tx, book.ID, testMonster("m", name, "fiend", 1, 10, 12, 12))
		b.monsters[label] = ids["m"]
		ids = storeItems(t, tx, book.ID, Item{Index: "i", Name: name, Category: "Wondrous Items", Magic: true, Rarity: "Rare", TypeLine: "Wondrous item, rare"})
		b.items[label] = ids["i"]
	}
	return b
}

func TestCompendium_Visibility(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b := setupVisibility(t)

	listM := func(campaign uuid.UUID) []string {
		page, err := ListMonsters(ctx, b.tx, campaign, MonsterFilter{Q: "Zq" + b.suffix})
		require.NoError(t, err)
		var out []string
		for _, m := range page.Items {
			out = append(out, m.Name[len("Zq"+b.suffix+" "):])
		}
		sort.Strings(out)
		return out
	}
	listI := func(campaign uuid.UUID) []string {
		page, err := ListItems(ctx, b.tx, campaign, ItemFilter{Q: "Zq" + b.suffix})
		require.NoError(t, err)
		var out []string
		for _, it := range page.Items {
			out = append(out, it.Name[len("Zq"+b.suffix+" "):])
		}
		sort.Strings(out)
		return out
	}
	require.Equal(t, []string{"enabled", "required", "toolOnly"}, listM(b.campaignA))
	require.Equal(t, []string{"required", "toolOnly"}, listM(b.campaignB))
	require.Equal(t, []string{"enabled", "required", "toolOnly"}, listI(b.campaignA))
	require.Equal(t, []string{"required", "toolOnly"}, listI(b.campaignB))

	// One by id: invisible is not found, exactly like missing.
	for label, id := range b.monsters {
		_, errA := GetMonster(ctx, b.tx, b.campaignA, id)
		_, errB := GetMonster(ctx, b.tx, b.campaignB, id)
		switch label {
		case "disabled":
			require.ErrorIs(t, errA, db.ErrNotFound, label)
			require.ErrorIs(t, errB, db.ErrNotFound, label)
		case "enabled":
			require.NoError(t, errA, label)
			require.ErrorIs(t, errB, db.ErrNotFound, label)
		default:
			require.NoError(t, errA, label)
			require.NoError(t, errB, label)
		}
	}
	for label, id := range b.items {
		_, errA := GetItem(ctx, b.tx, b.campaignA, id)
		_, errB := GetItem(ctx, b.tx, b.campaignB, id)
		require.Equal(t, label != "disabled", errA == nil, label)
		require.Equal(t, label == "required" || label == "toolOnly", errB == nil, label)
	}
	_, err := GetMonster(ctx, b.tx, b.campaignA, uuid.New())
	require.ErrorIs(t, err, db.ErrNotFound)
	_, err = GetItem(ctx, b.tx, b.campaignA, uuid.New())
	require.ErrorIs(t, err, db.ErrNotFound)

	// Enabling a book for B makes it visible there at once; A is not
	// affected by B's settings.
	setBookEnabled(t, b.tx, b.campaignB, b.books["disabled"].ID, true)
	require.Equal(t, []string{"disabled", "required", "toolOnly"}, listM(b.campaignB))
	require.Equal(t, []string{"enabled", "required", "toolOnly"}, listM(b.campaignA))
	// Turning a required or tool-only book "off" changes nothing.
	setBookEnabled(t, b.tx, b.campaignB, b.books["toolOnly"].ID, false)
	require.Equal(t, []string{"disabled", "required", "toolOnly"}, listM(b.campaignB))
}

// searchBundle is one tool-only book of monsters with names chosen for
// ranking, and a campaign.
type searchBundle struct {
	tx       db.DBTX
	campaign uuid.UUID
	tag      string // a unique word in every name
	ids      map[string]uuid.UUID
}

func setupSearch(t *testing.T) *searchBundle {
	t.Helper()
	tx := dbtest.Tx(t)
	tag := "xk" + randomSuffix(t)[:6]
	book := newBook(t, tx, BookToolOnly)
	ids := storeMonsters(t, tx, book.ID,
		testMonster("a", "Half-"+tag, "humanoid", 0.5, 7, 12, 12),
		testMonster("b", tag+" Captain", "humanoid", 2, 30, 16, 10),
		testMonster("c", tag, "humanoid", 0.5, 15, 13, 12),
		testMonster("d", "Great "+tag+" Shaman", "Humanoid", 3, 40, 12, 10),
		testMonster("e", tag+"ling", "beast", 0.125, 3, 11, 16),
		testMonster("f", "Dire "+tag+" Wolf", "beast", 1, 37, 14, 15),
		testMonster("g", "100%_"+tag, "ooze", 0, 5, 8, 6),
	)
	return &searchBundle{tx: tx, campaign: newCampaign(t, tx), tag: tag, ids: ids}
}

func TestListMonsters_Search(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b := setupSearch(t)
	tag := b.tag

	list := func(f MonsterFilter) []string {
		t.Helper()
		page, err := ListMonsters(ctx, b.tx, b.campaign, f)
		require.NoError(t, err)
		require.Empty(t, page.NextCursor)
		return monsterNames(page.Items)
	}

	// Ranked: exact, then prefix, then substring; by name within a rank.
	require.Equal(t, []string{
		tag,
		tag + " Captain", tag + "ling",
		"100%_" + tag, "Dire " + tag + " Wolf", "Great " + tag + " Shaman", "Half-" + tag,
	}, list(MonsterFilter{Q: tag}))
	// Case-insensitive.
	require.Equal(t, list(MonsterFilter{Q: tag}), list(MonsterFilter{Q: strings.ToUpper(tag)}))
	require.Equal(t, []string{tag + " Captain"}, list(MonsterFilter{Q: strings.ToUpper(tag) + " capt"}))
	require.Equal(t, []string{"Dire " + tag + " Wolf"}, list(MonsterFilter{Q: tag + " WOLF"}))
	// LIKE wildcards in q are literal.
	require.Equal(t, []string{"100%_" + tag}, list(MonsterFilter{Q: "%_" + tag}))
	require.Empty(t, list(MonsterFilter{Q: "_" + tag + "_"}))

	// CR exact and ranges, with fractions.
	cr := func(s string) *CRRange {
		r, err := ParseCRRange(s)
		require.NoError(t, err)
		return &r
	}
	require.Equal(t, []string{tag, "Half-" + tag}, list(MonsterFilter{Q: tag, CR: cr("1/2")}))
	require.Equal(t, []string{tag, tag + " Captain", tag + "ling", "Dire " + tag + " Wolf", "Half-" + tag},
		list(MonsterFilter{Q: tag, CR: cr("1/8..2")}))
	require.Equal(t, []string{"100%_" + tag}, list(MonsterFilter{Q: tag, CR: cr("0")}))
	require.Equal(t, []string{"Great " + tag + " Shaman"}, list(MonsterFilter{Q: tag, CR: cr("3..")}))

	// Type, case-insensitive.
	require.Equal(t, []string{tag, tag + " Captain", "Great " + tag + " Shaman", "Half-" + tag},
		list(MonsterFilter{Q: tag, Type: "HUMANOID"}))
	require.Equal(t, []string{tag + "ling", "Dire " + tag + " Wolf"}, list(MonsterFilter{Q: tag, Type: "beast"}))
	require.Equal(t, []string{tag + "ling"}, list(MonsterFilter{Q: tag, Type: "beast", CR: cr("0..1/4")}))

	// Summary fields.
	page, err := ListMonsters(ctx, b.tx, b.campaign, MonsterFilter{Q: tag + "ling"})
	require.NoError(t, err)
	require.Equal(t, MonsterSummary{
		ID: b.ids["e"], BookID: page.Items[0].BookID, SourceIndex: "e", Name: tag + "ling", Type: "beast", Size: "Medium",
		ChallengeRating: 0.125, XP: 25, HitPoints: 3, ArmorClass: 11, InitiativeBonus: 3,
	}, page.Items[0])
}

func TestListMonsters_Pagination(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b := setupSearch(t)

	all, err := ListMonsters(ctx, b.tx, b.campaign, MonsterFilter{Q: b.tag})
	require.NoError(t, err)
	require.Len(t, all.Items, 7)

	for _, limit := range []int{1, 2, 3, 6, 7} {
		var got []MonsterSummary
		cursor := ""
		for pages := 0; ; pages++ {
			require.Less(t, pages, 10, "runaway pagination")
			page, err := ListMonsters(ctx, b.tx, b.campaign, MonsterFilter{Q: b.tag, Limit: limit, Cursor: cursor})
			require.NoError(t, err)
			require.LessOrEqual(t, len(page.Items), limit)
			got = append(got, page.Items...)
			if page.NextCursor == "" {
				break
			}
			require.Len(t, page.Items, limit)
			cursor = page.NextCursor
		}
		require.Equal(t, all.Items, got, "limit %d", limit)
	}

	_, err = ListMonsters(ctx, b.tx, b.campaign, MonsterFilter{Cursor: "not-a-cursor"})
	require.ErrorIs(t, err, ErrBadCursor)
	_, err = ListItems(ctx, b.tx, b.campaign, ItemFilter{Cursor: encodeCursor(cursor{Rank: 7, ID: uuid.New()})})
	require.ErrorIs(t, err, ErrBadCursor)
	require.Equal(t, DefaultLimit, clampLimit(0))
	require.Equal(t, MaxLimit, clampLimit(1000))
	require.Equal(t, 5, clampLimit(5))
}

func TestListItems_Filters(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tx := dbtest.Tx(t)
	tag := "yk" + randomSuffix(t)[:6]
	book := newBook(t, tx, BookRequired)
	storeItems(t, tx, book.ID,
		Item{Index: "a", Name: tag + " Sword", Category: "Weapon", TypeLine: "Martial Melee Weapon"},
		Item{Index: "b", Name: tag + " Sword, +1", Category: "Weapon", Magic: true, Rarity: "Uncommon", TypeLine: "Weapon (any sword), uncommon"},
		Item{Index: "c", Name: "Cloak of " + tag, Category: "Wondrous Items", Magic: true, Rarity: "Very Rare", TypeLine: "Wondrous item, very rare"},
		Item{Index: "d", Name: tag, Category: "Adventuring Gear", TypeLine: "Standard Gear"},
	)
	campaign := newCampaign(t, tx)
	list := func(f ItemFilter) []string {
		t.Helper()
		page, err := ListItems(ctx, tx, campaign, f)
		require.NoError(t, err)
		return itemNames(page.Items)
	}
	require.Equal(t, []string{tag, tag + " Sword", tag + " Sword, +1", "Cloak of " + tag}, list(ItemFilter{Q: tag}))
	require.Equal(t, []string{tag + " Sword", tag + " Sword, +1"}, list(ItemFilter{Q: tag, Type: "weapon"}))
	require.Equal(t, []string{"Cloak of " + tag}, list(ItemFilter{Q: tag, Rarity: "very rare"}))
	require.Equal(t, []string{tag + " Sword, +1"}, list(ItemFilter{Q: tag, Type: "Weapon", Rarity: "Uncommon"}))
	require.Empty(t, list(ItemFilter{Q: tag, Rarity: "Legendary"}))

	page, err := ListItems(ctx, tx, campaign, ItemFilter{Q: tag, Limit: 3})
	require.NoError(t, err)
	require.Len(t, page.Items, 3)
	require.NotEmpty(t, page.NextCursor)
	next, err := ListItems(ctx, tx, campaign, ItemFilter{Q: tag, Limit: 3, Cursor: page.NextCursor})
	require.NoError(t, err)
	require.Equal(t, []string{"Cloak of " + tag}, itemNames(next.Items))
	require.Empty(t, next.NextCursor)
}
