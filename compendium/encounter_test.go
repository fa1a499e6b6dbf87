package compendium

import (
	"context"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"gametable/db"
	"gametable/db/dbtest"
)

func TestCombatants(t *testing.T) {
	t.Parallel()
	goblin, bugbear, goblin2 := uuid.New(), uuid.New(), uuid.New()
	ms := []EncounterMonster{
		{MonsterID: goblin, Name: "Goblin", Count: 2, ChallengeRating: 0.25, HitPoints: 7, ArmorClass: 15, InitiativeBonus: 2},
		{MonsterID: bugbear, Name: "Bugbear", Count: 1, ChallengeRating: 1, HitPoints: 27, ArmorClass: 16, InitiativeBonus: 2},
		// The same name from another book continues the numbering.
		{MonsterID: goblin2, Name: "Goblin", Count: 1, ChallengeRating: 0.25, HitPoints: 9, ArmorClass: 13, InitiativeBonus: 1},
	}
	require.Equal(t, []CombatantSpec{
		{Name: "Goblin 1", MonsterID: goblin, HP: 7, MaxHP: 7, AC: 15, InitiativeBonus: 2, ChallengeRating: 0.25},
		{Name: "Goblin 2", MonsterID: goblin, HP: 7, MaxHP: 7, AC: 15, InitiativeBonus: 2, ChallengeRating: 0.25},
		{Name: "Bugbear", MonsterID: bugbear, HP: 27, MaxHP: 27, AC: 16, InitiativeBonus: 2, ChallengeRating: 1},
		{Name: "Goblin 3", MonsterID: goblin2, HP: 9, MaxHP: 9, AC: 13, InitiativeBonus: 1, ChallengeRating: 0.25},
	}, Combatants(ms))

	require.Empty(t, Combatants(nil))

	// Long names are cut so that the number still fits in 80 characters.
	long := strings.Repeat("Ä", 90)
	cs := Combatants([]EncounterMonster{{Name: long, Count: 12}})
	require.Len(t, cs, 12)
	require.Equal(t, strings.Repeat("Ä", 77)+" 12", cs[11].Name)
	require.Equal(t, strings.Repeat("Ä", 78)+" 1", cs[0].Name)
	cs = Combatants([]EncounterMonster{{Name: long, Count: 1}})
	require.Equal(t, strings.Repeat("Ä", 80), cs[0].Name)
}

func TestEncounterInput_Validate(t *testing.T) {
	t.Parallel()
	id := uuid.New()
	ok := EncounterInput{Name: "Ambush", PartyLevels: []int{3, 3, 2}, Monsters: []EncounterMonsterInput{{MonsterID: id, Count: 4}}}
	require.Nil(t, ok.Validate())

	tooMany := make([]EncounterMonsterInput, MaxEncounterEntries+1)
	for i := range tooMany {
		tooMany[i] = EncounterMonsterInput{MonsterID: uuid.New(), Count: 1}
	}
	tests := []struct {
		name string
		in   EncounterInput
		want map[string]string
	}{
		{"NoName", EncounterInput{Name: "  "}, map[string]string{"name": "is required"}},
		{"LongName", EncounterInput{Name: strings.Repeat("x", 81)}, map[string]string{"name": "must be at most 80 characters"}},
		{"BadLevels", EncounterInput{Name: "a", PartyLevels: []int{0, 5, 21}}, map[string]string{
			"partyLevels[0]": "must be 1 to 20", "partyLevels[2]": "must be 1 to 20"}},
		{"BigParty", EncounterInput{Name: "a", PartyLevels: make([]int, 13)}, map[string]string{"partyLevels": "must have at most 12 levels"}},
		{"Counts", EncounterInput{Name: "a", Monsters: []EncounterMonsterInput{{MonsterID: id, Count: 0}, {MonsterID: uuid.New(), Count: 101}}},
			map[string]string{"monsters[0].count": "must be 1 to 100", "monsters[1].count": "must be 1 to 100"}},
		{"Repeat", EncounterInput{Name: "a", Monsters: []EncounterMonsterInput{{MonsterID: id, Count: 1}, {MonsterID: id, Count: 2}}},
			map[string]string{"monsters[1].monsterId": "repeats monsters[0]; raise its count instead"}},
		{"NilID", EncounterInput{Name: "a", Monsters: []EncounterMonsterInput{{Count: 1}}},
			map[string]string{"monsters[0].monsterId": "is required"}},
		{"TooManyEntries", EncounterInput{Name: "a", Monsters: tooMany}, map[string]string{"monsters": "must have at most 50 entries"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			verr := tt.in.Validate()
			require.NotNil(t, verr)
			require.Equal(t, tt.want, verr.Fields)
		})
	}

	empty := ""
	require.Equal(t, map[string]string{"name": "is required"}, EncounterPatch{Name: &empty}.Validate().Fields)
	require.Nil(t, EncounterPatch{SetPartyLevels: true}.Validate())
}

func TestEncounter_Difficulty(t *testing.T) {
	t.Parallel()
	e := Encounter{Monsters: []EncounterMonster{
		{Name: "Bugbear", Count: 1, ChallengeRating: 1},
		{Name: "Hobgoblin", Count: 3, ChallengeRating: 0.5},
	}}
	d, err := e.Difficulty(nil)
	require.NoError(t, err)
	require.Nil(t, d, "no party, no difficulty")

	d, err = e.Difficulty([]int{3, 3, 3, 2})
	require.NoError(t, err)
	require.Equal(t, &Difficulty{PartyLevels: []int{3, 3, 3, 2}, XP: 500, AdjustedXP: 1000, DMG2014: Hard, DMG2024: Low}, d)

	e.PartyLevels = []int{1}
	d, err = e.Difficulty([]int{3, 3, 3, 2})
	require.NoError(t, err)
	require.Equal(t, []int{1}, d.PartyLevels, "the encounter's own party wins")
	require.Equal(t, Deadly, d.DMG2014)
	require.Equal(t, Extreme, d.DMG2024)
}

// encounterBundle is a campaign with a book of monsters it can see, one it
// cannot, and a second campaign.
type encounterBundle struct {
	tx        pgx.Tx
	campaign  uuid.UUID
	other     uuid.UUID
	bugbear   uuid.UUID
	hobgoblin uuid.UUID
	goblin    uuid.UUID
	hidden    uuid.UUID // in an optional book the campaign did not enable
}

func setupEncounters(t *testing.T) *encounterBundle {
	t.Helper()
	tx := dbtest.Tx(t)
	visible := newBook(t, tx, BookToolOnly)
	ids := storeMonsters(t, tx, visible.ID,
		testMonster("bugbear", "Bugbear", "humanoid", 1, 27, 16, 14),
		testMonster("hobgoblin", "Hobgoblin", "humanoid", 0.5, 11, 18, 12),
		testMonster("goblin", "Goblin", "humanoid", 0.25, 7, 15, 14),
	)
	hiddenBook := newBook(t, tx, BookOptional)
	hidden := storeMonsters(t, tx, hiddenBook.ID, testMonster("lich", "Lich", "undead", 21, 135, 17, 16))
	return &encounterBundle{
		tx:        tx,
		campaign:  newCampaign(t, tx),
		other:     newCampaign(t, tx),
		bugbear:   ids["bugbear"],
		hobgoblin: ids["hobgoblin"],
		goblin:    ids["goblin"],
		hidden:    hidden["lich"],
	}
}

func TestEncounters_CRUD(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b := setupEncounters(t)
	session := newPlaySession(t, b.tx, b.campaign)

	e, err := CreateEncounter(ctx, b.tx, b.campaign, EncounterInput{
		Name:        " Goblin ambush ",
		Notes:       "On the road to Phandalin.",
		SessionID:   &session,
		PartyLevels: []int{3, 3, 3, 2},
		Monsters: []EncounterMonsterInput{
			{MonsterID: b.bugbear, Count: 1},
			{MonsterID: b.hobgoblin, Count: 3},
		},
	})
	require.NoError(t, err)
	require.Equal(t, "Goblin ambush", e.Name)
	require.Equal(t, b.campaign, e.CampaignID)
	require.Equal(t, &session, e.SessionID)
	require.Equal(t, []int{3, 3, 3, 2}, e.PartyLevels)
	require.Equal(t, []EncounterMonster{
		{MonsterID: b.bugbear, Count: 1, Name: "Bugbear", ChallengeRating: 1, XP: 200, HitPoints: 27, ArmorClass: 16, InitiativeBonus: 2, Visible: true},
		{MonsterID: b.hobgoblin, Count: 3, Name: "Hobgoblin", ChallengeRating: 0.5, XP: 100, HitPoints: 11, ArmorClass: 18, InitiativeBonus: 1, Visible: true},
	}, e.Monsters)
	d, err := e.Difficulty(nil)
	require.NoError(t, err)
	require.Equal(t, 1000, d.AdjustedXP)
	require.Equal(t, Hard, d.DMG2014)

	got, err := GetEncounter(ctx, b.tx, b.campaign, e.ID)
	require.NoError(t, err)
	require.Equal(t, e, got)

	// A second encounter without party or monsters.
	e2, err := CreateEncounter(ctx, b.tx, b.campaign, EncounterInput{Name: "Empty room", PartyLevels: []int{}})
	require.NoError(t, err)
	require.Nil(t, e2.PartyLevels)
	require.Nil(t, e2.SessionID)
	require.Empty(t, e2.Monsters)

	list, err := ListEncounters(ctx, b.tx, b.campaign)
	require.NoError(t, err)
	require.Len(t, list, 2)
	byID := map[uuid.UUID]Encounter{list[0].ID: list[0], list[1].ID: list[1]}
	require.Equal(t, e, byID[e.ID])
	require.Equal(t, e2, byID[e2.ID])

	// Update: rename, clear the party and the session, replace the
	// monsters (one kept with a new count, one dropped, one added) in a new
	// order.
	name := "Goblin ambush, revised"
	up, err := UpdateEncounter(ctx, b.tx, b.campaign, e.ID, EncounterPatch{
		Name:           &name,
		SetPartyLevels: true,
		SetSessionID:   true,
		SetMonsters:    true,
		Monsters: []EncounterMonsterInput{
			{MonsterID: b.goblin, Count: 6},
			{MonsterID: b.hobgoblin, Count: 2},
		},
	})
	require.NoError(t, err)
	require.Equal(t, name, up.Name)
	require.Equal(t, e.Notes, up.Notes)
	require.Nil(t, up.PartyLevels)
	require.Nil(t, up.SessionID)
	require.Len(t, up.Monsters, 2)
	require.Equal(t, b.goblin, up.Monsters[0].MonsterID)
	require.Equal(t, 6, up.Monsters[0].Count)
	require.Equal(t, b.hobgoblin, up.Monsters[1].MonsterID)
	require.Equal(t, 2, up.Monsters[1].Count)
	require.False(t, up.UpdatedAt.Before(e.UpdatedAt))

	// Without its own party the players' levels count; players without a
	// level are left out.
	addPlayer(t, b.tx, b.campaign, 5)
	addPlayer(t, b.tx, b.campaign, 5)
	addPlayer(t, b.tx, b.campaign, 0)
	addPlayer(t, b.tx, b.other, 20)
	levels, err := PlayerLevels(ctx, b.tx, b.campaign)
	require.NoError(t, err)
	require.Equal(t, []int{5, 5}, levels)
	d, err = up.Difficulty(levels)
	require.NoError(t, err)
	// 6 x 50 + 2 x 100 = 500 XP, 8 monsters x2.5, one step up for two
	// characters: x3 = 1500 against 2 x 750 hard.
	require.Equal(t, &Difficulty{PartyLevels: []int{5, 5}, XP: 500, AdjustedXP: 1500, DMG2014: Hard, DMG2024: Low}, d)

	// Only the notes: the rest stays.
	notes := "Changed."
	up2, err := UpdateEncounter(ctx, b.tx, b.campaign, e.ID, EncounterPatch{Notes: &notes})
	require.NoError(t, err)
	require.Equal(t, notes, up2.Notes)
	require.Equal(t, name, up2.Name)
	require.Equal(t, up.Monsters, up2.Monsters)

	// Combatants for a combat.
	cs, err := EncounterCombatants(ctx, b.tx, b.campaign, e.ID)
	require.NoError(t, err)
	require.Len(t, cs, 8)
	require.Equal(t, "Goblin 1", cs[0].Name)
	require.Equal(t, "Goblin 6", cs[5].Name)
	require.Equal(t, CombatantSpec{Name: "Hobgoblin 2", MonsterID: b.hobgoblin, HP: 11, MaxHP: 11, AC: 18, InitiativeBonus: 1, ChallengeRating: 0.5}, cs[7])

	require.NoError(t, DeleteEncounter(ctx, b.tx, b.campaign, e.ID))
	_, err = GetEncounter(ctx, b.tx, b.campaign, e.ID)
	require.ErrorIs(t, err, db.ErrNotFound)
	require.ErrorIs(t, DeleteEncounter(ctx, b.tx, b.campaign, e.ID), db.ErrNotFound)
	list, err = ListEncounters(ctx, b.tx, b.campaign)
	require.NoError(t, err)
	require.Len(t, list, 1)
}

func TestEncounters_Invalid(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b := setupEncounters(t)

	// A monster of a book the campaign cannot see, or none at all.
	_, err := CreateEncounter(ctx, b.tx, b.campaign, EncounterInput{Name: "Lair", Monsters: []EncounterMonsterInput{
		{MonsterID: b.goblin, Count: 1}, {MonsterID: b.hidden, Count: 1}, {MonsterID: uuid.New(), Count: 1},
	}})
	var verr *ValidationError
	require.ErrorAs(t, err, &verr)
	require.Equal(t, map[string]string{
		"monsters[1].monsterId": "no such monster in this campaign's books",
		"monsters[2].monsterId": "no such monster in this campaign's books",
	}, verr.Fields)
	list, err := ListEncounters(ctx, b.tx, b.campaign)
	require.NoError(t, err)
	require.Empty(t, list, "nothing saved")

	// A session of another campaign.
	otherSession := newPlaySession(t, b.tx, b.other)
	_, err = CreateEncounter(ctx, b.tx, b.campaign, EncounterInput{Name: "x", SessionID: &otherSession})
	require.ErrorAs(t, err, &verr)
	require.Equal(t, map[string]string{"sessionId": "no such session in this campaign"}, verr.Fields)

	// Invalid values never reach the database.
	_, err = CreateEncounter(ctx, b.tx, b.campaign, EncounterInput{Name: ""})
	require.ErrorAs(t, err, &verr)

	// An update that fails leaves the encounter as it was.
	e, err := CreateEncounter(ctx, b.tx, b.campaign, EncounterInput{Name: "Kept", Monsters: []EncounterMonsterInput{{MonsterID: b.goblin, Count: 2}}})
	require.NoError(t, err)
	name := "Renamed"
	_, err = UpdateEncounter(ctx, b.tx, b.campaign, e.ID, EncounterPatch{Name: &name, SetMonsters: true, Monsters: []EncounterMonsterInput{{MonsterID: b.hidden, Count: 1}}})
	require.ErrorAs(t, err, &verr)
	got, err := GetEncounter(ctx, b.tx, b.campaign, e.ID)
	require.NoError(t, err)
	require.Equal(t, e, got)

	// Enabling the optional book makes its monster usable.
	var hiddenBook uuid.UUID
	require.NoError(t, b.tx.QueryRow(ctx, `SELECT core_rule_id FROM monsters WHERE id = $1`, b.hidden).Scan(&hiddenBook))
	setBookEnabled(t, b.tx, b.campaign, hiddenBook, true)
	up, err := UpdateEncounter(ctx, b.tx, b.campaign, e.ID, EncounterPatch{SetMonsters: true, Monsters: []EncounterMonsterInput{{MonsterID: b.hidden, Count: 1}}})
	require.NoError(t, err)
	require.Equal(t, "Lich", up.Monsters[0].Name)
	require.True(t, up.Monsters[0].Visible)
	// ... and disabling it again keeps the entry, marked invisible.
	setBookEnabled(t, b.tx, b.campaign, hiddenBook, false)
	got, err = GetEncounter(ctx, b.tx, b.campaign, e.ID)
	require.NoError(t, err)
	require.Len(t, got.Monsters, 1)
	require.False(t, got.Monsters[0].Visible)
}

// TestEncounters_Isolation proves that no encounter query reaches into
// another campaign (STYLE.md section 4, layer 4).
func TestEncounters_Isolation(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b := setupEncounters(t)

	mine, err := CreateEncounter(ctx, b.tx, b.campaign, EncounterInput{Name: "Mine", Monsters: []EncounterMonsterInput{{MonsterID: b.goblin, Count: 3}}})
	require.NoError(t, err)
	theirs, err := CreateEncounter(ctx, b.tx, b.other, EncounterInput{Name: "Theirs", Monsters: []EncounterMonsterInput{{MonsterID: b.bugbear, Count: 1}}})
	require.NoError(t, err)

	_, err = GetEncounter(ctx, b.tx, b.campaign, theirs.ID)
	require.ErrorIs(t, err, db.ErrNotFound)
	_, err = EncounterCombatants(ctx, b.tx, b.campaign, theirs.ID)
	require.ErrorIs(t, err, db.ErrNotFound)
	name := "Stolen"
	_, err = UpdateEncounter(ctx, b.tx, b.campaign, theirs.ID, EncounterPatch{Name: &name})
	require.ErrorIs(t, err, db.ErrNotFound)
	_, err = UpdateEncounter(ctx, b.tx, b.campaign, theirs.ID, EncounterPatch{SetMonsters: true, Monsters: []EncounterMonsterInput{{MonsterID: b.goblin, Count: 1}}})
	require.ErrorIs(t, err, db.ErrNotFound)
	require.ErrorIs(t, DeleteEncounter(ctx, b.tx, b.campaign, theirs.ID), db.ErrNotFound)

	list, err := ListEncounters(ctx, b.tx, b.campaign)
	require.NoError(t, err)
	require.Len(t, list, 1)
	require.Equal(t, mine.ID, list[0].ID)

	// The raw queries too: the other campaign's monster rows stay hidden
	// even when asked for by encounter id.
	q := db.New(b.tx)
	rows, err := q.EncounterMonsterList(ctx, db.EncounterMonsterListParams{CampaignID: b.campaign, EncounterID: theirs.ID})
	require.NoError(t, err)
	require.Empty(t, rows)
	rows2, err := q.EncounterMonsterListByEncounters(ctx, db.EncounterMonsterListByEncountersParams{CampaignID: b.campaign, EncounterIds: []uuid.UUID{theirs.ID, mine.ID}})
	require.NoError(t, err)
	require.Len(t, rows2, 1)
	require.Equal(t, mine.ID, rows2[0].EncounterID)
	// Writing monsters into another campaign's encounter breaks the
	// composite key.
	err = db.InTx(ctx, b.tx, func(tx pgx.Tx) error {
		_, err := db.New(tx).EncounterMonsterReplace(ctx, db.EncounterMonsterReplaceParams{
			CampaignID: b.campaign, EncounterID: theirs.ID, MonsterIds: []uuid.UUID{b.goblin}, Counts: []int32{1},
		})
		return db.Interpret(err)
	})
	require.ErrorIs(t, err, db.ErrNotFound)

	got, err := GetEncounter(ctx, b.tx, b.other, theirs.ID)
	require.NoError(t, err)
	require.Equal(t, theirs, got, "untouched")
}
