package http

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"gametable/compendium"
)

// encounterPath is /api/campaigns/{id}/encounters[/{encounterId}].
func encounterPath(campaignID uuid.UUID, encounterID ...uuid.UUID) string {
	if len(encounterID) == 0 {
		return campaignPath(campaignID, "encounters")
	}
	return campaignPath(campaignID, "encounters", encounterID[0].String())
}

// createEncounter creates an encounter as c, requiring 201.
func createEncounter(t *testing.T, c *testClient, campaignID uuid.UUID, body map[string]any) encounterJSON {
	t.Helper()
	var eb encounterBody
	c.do(t, http.MethodPost, encounterPath(campaignID), body).requireStatus(t, http.StatusCreated).decode(t, &eb)
	return eb.Encounter
}

// getEncounter gets an encounter as c, requiring 200.
func getEncounter(t *testing.T, c *testClient, campaignID, id uuid.UUID) encounterJSON {
	t.Helper()
	var eb encounterBody
	c.do(t, http.MethodGet, encounterPath(campaignID, id), nil).requireStatus(t, http.StatusOK).decode(t, &eb)
	return eb.Encounter
}

// patchEncounter patches an encounter as c, requiring 200.
func patchEncounter(t *testing.T, c *testClient, campaignID, id uuid.UUID, body any) encounterJSON {
	t.Helper()
	var eb encounterBody
	c.do(t, http.MethodPatch, encounterPath(campaignID, id), body).requireStatus(t, http.StatusOK).decode(t, &eb)
	return eb.Encounter
}

// monsterEntry is one monster entry of a request body.
func monsterEntry(id uuid.UUID, count int) map[string]any {
	return map[string]any{"monsterId": id.String(), "count": count}
}

func TestEncounters(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	gm := ts.newUser(t, "Gina")
	player := ts.newUser(t, "Pip")
	alpha := ts.createCampaign(t, gm, "Alpha")
	player.accept(t, ts.invite(t, gm, alpha.ID, nil).Code)
	// Beta is Gina's too: her rights there must not leak into Alpha.
	beta := ts.createCampaign(t, gm, "Beta")

	// The SRD monsters of the contract's examples, in a tool-only book
	// (which feeds the compendium in every campaign).
	srdBook := ts.storeBook(t, compendium.BookToolOnly, srdSubset(t, "bugbear", "hobgoblin", "kobold", "goblin"))
	bugbear, hobgoblin, kobold, goblin := srdBook.Monsters["bugbear"], srdBook.Monsters["hobgoblin"], srdBook.Monsters["kobold"], srdBook.Monsters["goblin"]
	// An optional book that only Beta enables.
	betaBook := ts.storeBook(t, compendium.BookOptional, fixtureMonsters(t, "Beta Beast"))
	ts.setBookEnabled(t, beta.ID, betaBook.ID, true)
	betaBeast := betaBook.Monsters["beta-beast"]
	alphaSession, betaSession := ts.createSession(t, gm, alpha.ID, map[string]any{"title": "Ruins"}).ID, ts.createSession(t, gm, beta.ID, map[string]any{"title": "Caves"}).ID

	t.Run("WorkedExamples", func(t *testing.T) {
		t.Parallel()
		// CONTRACT.md section 5.
		tests := []struct {
			name     string
			monsters []any
			party    []int
			want     difficultyJSON
		}{
			{
				"BugbearAndHobgoblins",
				[]any{monsterEntry(bugbear, 1), monsterEntry(hobgoblin, 3)},
				[]int{3, 3, 3, 2},
				difficultyJSON{PartyLevels: []int{3, 3, 3, 2}, XP: 500, AdjustedXP: 1000, DMG2014: "hard", DMG2024: "low"},
			},
			{
				"OneCR1",
				[]any{monsterEntry(bugbear, 1)},
				[]int{1, 1, 1, 1},
				difficultyJSON{PartyLevels: []int{1, 1, 1, 1}, XP: 200, AdjustedXP: 200, DMG2014: "medium", DMG2024: "low"},
			},
			{
				"FifteenKobolds",
				[]any{monsterEntry(kobold, 15)},
				[]int{5, 5},
				difficultyJSON{PartyLevels: []int{5, 5}, XP: 375, AdjustedXP: 1875, DMG2014: "hard", DMG2024: "low"},
			},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				t.Parallel()
				e := createEncounter(t, gm, alpha.ID, map[string]any{"name": tt.name, "partyLevels": tt.party, "monsters": tt.monsters})
				require.NotNil(t, e.Difficulty)
				require.Equal(t, tt.want, *e.Difficulty)
				require.Equal(t, tt.party, e.PartyLevels)
				require.Equal(t, e, getEncounter(t, gm, alpha.ID, e.ID))
			})
		}
	})

	t.Run("CRUD", func(t *testing.T) {
		t.Parallel()
		e := createEncounter(t, gm, alpha.ID, map[string]any{
			"name":        "  Goblin Ambush  ",
			"notes":       "They hide in the ruins.",
			"sessionId":   alphaSession,
			"partyLevels": []int{2, 2, 2},
			"monsters":    []any{monsterEntry(goblin, 4), monsterEntry(bugbear, 1)},
		})
		require.Equal(t, "Goblin Ambush", e.Name)
		require.Equal(t, "They hide in the ruins.", e.Notes)
		require.Equal(t, &alphaSession, e.SessionID)
		require.Equal(t, []int{2, 2, 2}, e.PartyLevels)
		// The monsters come with what the builder shows: names, CR, XP…
		require.Equal(t, []encounterMonsterJSON{
			{MonsterID: goblin, Count: 4, Name: "Goblin", ChallengeRating: 0.25, XP: 50, HitPoints: 7, ArmorClass: 15, InitiativeBonus: 2, Visible: true},
			{MonsterID: bugbear, Count: 1, Name: "Bugbear", ChallengeRating: 1, XP: 200, HitPoints: 27, ArmorClass: 16, InitiativeBonus: 2, Visible: true},
		}, e.Monsters)
		// 4 × 50 + 200 = 400 XP; five monsters ×2 = 800 against
		// 150/300/450/600 (three level 2): deadly. 2024: 400 is above the
		// low budget (300) and within the moderate one (450).
		require.Equal(t, &difficultyJSON{PartyLevels: []int{2, 2, 2}, XP: 400, AdjustedXP: 800, DMG2014: "deadly", DMG2024: "moderate"}, e.Difficulty)
		require.False(t, e.CreatedAt.IsZero())
		require.Equal(t, e, getEncounter(t, gm, alpha.ID, e.ID))

		// Only the keys sent change.
		p := patchEncounter(t, gm, alpha.ID, e.ID, map[string]any{"name": "Goblin Rout"})
		require.Equal(t, "Goblin Rout", p.Name)
		require.Equal(t, e.Notes, p.Notes)
		require.Equal(t, e.SessionID, p.SessionID)
		require.Equal(t, e.Monsters, p.Monsters)
		require.Equal(t, e.Difficulty, p.Difficulty)
		require.False(t, p.UpdatedAt.Before(e.UpdatedAt))

		p = patchEncounter(t, gm, alpha.ID, e.ID, map[string]any{
			"notes": nil, "sessionId": nil, "partyLevels": []int{4}, "monsters": []any{monsterEntry(hobgoblin, 2)},
		})
		require.Empty(t, p.Notes)
		require.Nil(t, p.SessionID)
		require.Equal(t, []int{4}, p.PartyLevels)
		require.Equal(t, []encounterMonsterJSON{
			{MonsterID: hobgoblin, Count: 2, Name: "Hobgoblin", ChallengeRating: 0.5, XP: 100, HitPoints: 11, ArmorClass: 18, InitiativeBonus: 1, Visible: true},
		}, p.Monsters)
		// Two monsters are ×1.5, one step up for a lone character: ×2, so
		// 400 against 125/250/375/500: hard. 2024: 200 is within 250.
		require.Equal(t, &difficultyJSON{PartyLevels: []int{4}, XP: 200, AdjustedXP: 400, DMG2014: "hard", DMG2024: "low"}, p.Difficulty)
		res := gm.do(t, http.MethodGet, encounterPath(alpha.ID, e.ID), nil)
		res.requireStatus(t, http.StatusOK)
		require.NotContains(t, decodeRaw(t, res)["encounter"], "sessionId")

		// Everything can be emptied but the name.
		p = patchEncounter(t, gm, alpha.ID, e.ID, map[string]any{"monsters": []any{}, "sessionId": alphaSession})
		require.Empty(t, p.Monsters)
		require.Equal(t, &alphaSession, p.SessionID)
		require.Equal(t, &difficultyJSON{PartyLevels: []int{4}, XP: 0, AdjustedXP: 0, DMG2014: "trivial", DMG2024: "low"}, p.Difficulty)

		// The list has every encounter of the campaign, newest first.
		second := createEncounter(t, gm, alpha.ID, map[string]any{"name": "Second", "monsters": []any{}})
		var list encounterListBody
		gm.do(t, http.MethodGet, encounterPath(alpha.ID), nil).requireStatus(t, http.StatusOK).decode(t, &list)
		var ids []uuid.UUID
		for _, it := range list.Items {
			ids = append(ids, it.ID)
			if it.ID == e.ID {
				require.Equal(t, p, it)
			}
		}
		require.Contains(t, ids, e.ID)
		require.Less(t, slices.Index(ids, second.ID), slices.Index(ids, e.ID))

		gm.do(t, http.MethodDelete, encounterPath(alpha.ID, e.ID), nil).requireStatus(t, http.StatusNoContent)
		gm.do(t, http.MethodGet, encounterPath(alpha.ID, e.ID), nil).requireError(t, http.StatusNotFound, codeNotFound)
		gm.do(t, http.MethodDelete, encounterPath(alpha.ID, e.ID), nil).requireError(t, http.StatusNotFound, codeNotFound)
		gm.do(t, http.MethodPatch, encounterPath(alpha.ID, e.ID), map[string]any{"name": "X"}).requireError(t, http.StatusNotFound, codeNotFound)
		gm.do(t, http.MethodGet, encounterPath(alpha.ID, uuid.New()), nil).requireError(t, http.StatusNotFound, codeNotFound)
		e404 := gm.do(t, http.MethodGet, campaignPath(alpha.ID, "encounters", "nope"), nil).requireError(t, http.StatusNotFound, codeNotFound)
		require.Equal(t, "encounter not found", e404.Message)
	})

	t.Run("PlayersParty", func(t *testing.T) {
		t.Parallel()
		// A campaign of its own, so that setting levels here does not
		// change the other subtests' difficulties.
		c := ts.createCampaign(t, gm, "Party")
		pc := ts.newUser(t, "Quinn")
		pc.accept(t, ts.invite(t, gm, c.ID, nil).Code)

		// No partyLevels and no character levels: no difficulty at all.
		e := createEncounter(t, gm, c.ID, map[string]any{"name": "Unrated", "partyLevels": []int{}, "monsters": []any{monsterEntry(bugbear, 1)}})
		require.Nil(t, e.Difficulty)
		require.Nil(t, e.PartyLevels)
		res := gm.do(t, http.MethodGet, encounterPath(c.ID, e.ID), nil).requireStatus(t, http.StatusOK)
		raw := decodeRaw(t, res)["encounter"].(map[string]any)
		require.NotContains(t, raw, "difficulty")
		require.NotContains(t, raw, "partyLevels")

		// The players' character levels are the party; the GM's are not.
		gm.do(t, http.MethodPatch, campaignPath(c.ID, "members", pc.User.ID.String()), map[string]any{"characterLevel": 1}).requireStatus(t, http.StatusOK)
		gm.do(t, http.MethodPatch, campaignPath(c.ID, "members", gm.User.ID.String()), map[string]any{"characterLevel": 20}).requireStatus(t, http.StatusOK)
		got := getEncounter(t, gm, c.ID, e.ID)
		require.Nil(t, got.PartyLevels)
		// One CR 1 monster against one level-1 character: 200 XP, ×1.5
		// for a party of fewer than three, deadly (threshold 100).
		require.Equal(t, &difficultyJSON{PartyLevels: []int{1}, XP: 200, AdjustedXP: 300, DMG2014: "deadly", DMG2024: "extreme"}, got.Difficulty)

		// Its own party wins; null and [] hand it back to the players.
		got = patchEncounter(t, gm, c.ID, e.ID, map[string]any{"partyLevels": []int{5, 5, 5, 5}})
		require.Equal(t, []int{5, 5, 5, 5}, got.Difficulty.PartyLevels)
		require.Equal(t, "trivial", got.Difficulty.DMG2014)
		for _, reset := range []any{nil, []int{}} {
			patchEncounter(t, gm, c.ID, e.ID, map[string]any{"partyLevels": []int{5}})
			got = patchEncounter(t, gm, c.ID, e.ID, map[string]any{"partyLevels": reset})
			require.Nil(t, got.PartyLevels)
			require.Equal(t, []int{1}, got.Difficulty.PartyLevels)
		}
		var list encounterListBody
		gm.do(t, http.MethodGet, encounterPath(c.ID), nil).requireStatus(t, http.StatusOK).decode(t, &list)
		require.Len(t, list.Items, 1)
		require.Equal(t, got, list.Items[0])
	})

	t.Run("Visibility", func(t *testing.T) {
		t.Parallel()
		// A monster of a book that Alpha cannot see is refused, as is a
		// session of another campaign…
		gm.do(t, http.MethodPost, encounterPath(alpha.ID), map[string]any{
			"name": "Hidden", "monsters": []any{monsterEntry(bugbear, 1), monsterEntry(betaBeast, 2)},
		}).requireFields(t, "monsters[1].monsterId")
		gm.do(t, http.MethodPost, encounterPath(alpha.ID), map[string]any{
			"name": "Elsewhere", "sessionId": betaSession, "monsters": []any{},
		}).requireFields(t, "sessionId")
		// …but both are fine in Beta.
		e := createEncounter(t, gm, beta.ID, map[string]any{"name": "Beta fight", "sessionId": betaSession, "monsters": []any{monsterEntry(betaBeast, 2)}})
		// Alpha's URL does not reach Beta's encounter.
		for _, method := range []string{http.MethodGet, http.MethodPatch, http.MethodDelete} {
			gm.do(t, method, encounterPath(alpha.ID, e.ID), map[string]any{"name": "Stolen"}).requireError(t, http.StatusNotFound, codeNotFound)
		}
		var list encounterListBody
		gm.do(t, http.MethodGet, encounterPath(alpha.ID), nil).requireStatus(t, http.StatusOK).decode(t, &list)
		for _, it := range list.Items {
			require.NotEqual(t, e.ID, it.ID)
		}

		// A book disabled later keeps its monsters in the encounter, marked
		// invisible, and they still count.
		e = patchEncounter(t, gm, beta.ID, e.ID, map[string]any{"partyLevels": []int{1}})
		require.Equal(t, 400, e.Difficulty.XP)
		ts.setBookEnabled(t, beta.ID, betaBook.ID, false)
		got := getEncounter(t, gm, beta.ID, e.ID)
		require.Len(t, got.Monsters, 1)
		require.False(t, got.Monsters[0].Visible)
		require.Equal(t, "Beta Beast", got.Monsters[0].Name)
		require.Equal(t, 400, got.Difficulty.XP)
		// It can no longer be added anew.
		gm.do(t, http.MethodPatch, encounterPath(beta.ID, e.ID), map[string]any{"monsters": []any{monsterEntry(betaBeast, 3)}}).
			requireFields(t, "monsters[0].monsterId")
		ts.setBookEnabled(t, beta.ID, betaBook.ID, true)
	})

	t.Run("Validation", func(t *testing.T) {
		t.Parallel()
		fifty1 := make([]any, 51)
		for i := range fifty1 {
			fifty1[i] = monsterEntry(uuid.New(), 1)
		}
		thirteen := make([]int, 13)
		for i := range thirteen {
			thirteen[i] = 1
		}
		tests := []struct {
			name   string
			body   any
			fields []string
		}{
			{"Empty", map[string]any{}, []string{"name", "monsters"}},
			{"BlankName", map[string]any{"name": "  ", "monsters": []any{}}, []string{"name"}},
			{"LongName", map[string]any{"name": strings.Repeat("x", 81), "monsters": []any{}}, []string{"name"}},
			{"ControlInName", map[string]any{"name": "Bell\u0007", "monsters": []any{}}, []string{"name"}},
			{"LongNotes", map[string]any{"name": "N", "notes": strings.Repeat("x", 100001), "monsters": []any{}}, []string{"notes"}},
			{"NullMonsters", map[string]any{"name": "N", "monsters": nil}, []string{"monsters"}},
			{"NulInNotes", map[string]any{"name": "N", "notes": "a\x00b", "monsters": []any{}}, []string{"notes"}},
			{"PartyLevels", map[string]any{"name": "N", "partyLevels": []int{0, 21, 5}, "monsters": []any{}}, []string{"partyLevels[0]", "partyLevels[1]"}},
			{"PartyTooBig", map[string]any{"name": "N", "partyLevels": thirteen, "monsters": []any{}}, []string{"partyLevels"}},
			{"CountZero", map[string]any{"name": "N", "monsters": []any{monsterEntry(goblin, 0)}}, []string{"monsters[0].count"}},
			{"CountTooBig", map[string]any{"name": "N", "monsters": []any{monsterEntry(goblin, 1), monsterEntry(bugbear, 101)}}, []string{"monsters[1].count"}},
			{"NoMonsterID", map[string]any{"name": "N", "monsters": []any{map[string]any{"count": 1}}}, []string{"monsters[0].monsterId"}},
			{"MalformedMonsterID", map[string]any{"name": "N", "monsters": []any{map[string]any{"monsterId": "goblin", "count": 1}}}, []string{"monsters[0].monsterId"}},
			{"UnknownMonster", map[string]any{"name": "N", "monsters": []any{monsterEntry(goblin, 1), monsterEntry(uuid.New(), 1)}}, []string{"monsters[1].monsterId"}},
			{"RepeatedMonster", map[string]any{"name": "N", "monsters": []any{monsterEntry(goblin, 1), monsterEntry(goblin, 2)}}, []string{"monsters[1].monsterId"}},
			{"TooManyEntries", map[string]any{"name": "N", "monsters": fifty1}, []string{"monsters"}},
			{"MalformedSession", map[string]any{"name": "N", "sessionId": "next friday", "monsters": []any{}}, []string{"sessionId"}},
			{"UnknownSession", map[string]any{"name": "N", "sessionId": uuid.New(), "monsters": []any{}}, []string{"sessionId"}},
			{"Several", map[string]any{"name": "", "partyLevels": []int{99}, "monsters": []any{monsterEntry(goblin, -1)}}, []string{"name", "partyLevels[0]", "monsters[0].count"}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				t.Parallel()
				gm.do(t, http.MethodPost, encounterPath(alpha.ID), tt.body).requireFields(t, tt.fields...)
			})
		}

		// Wrong types and unknown keys are malformed bodies.
		for _, body := range []string{
			`{"name":"N","monsters":[{"monsterId":"` + goblin.String() + `","count":"3"}]}`,
			`{"name":"N","monsters":[],"partyLevels":"3"}`,
			`{"name":"N","monsters":[],"difficulty":{}}`,
			`{"name":"N","monsters":[{"monsterId":"` + goblin.String() + `","count":1.5}]}`,
			`{"name":`,
		} {
			gm.do(t, http.MethodPost, encounterPath(alpha.ID), body).requireError(t, http.StatusBadRequest, codeBadRequest)
		}

		e := createEncounter(t, gm, alpha.ID, map[string]any{"name": "Patched", "monsters": []any{monsterEntry(goblin, 2)}})
		patches := []struct {
			name   string
			body   any
			fields []string
		}{
			{"NullName", map[string]any{"name": nil}, []string{"name"}},
			{"BlankName", map[string]any{"name": ""}, []string{"name"}},
			{"NullMonsters", map[string]any{"monsters": nil}, []string{"monsters"}},
			{"BadLevel", map[string]any{"partyLevels": []int{30}}, []string{"partyLevels[0]"}},
			{"BadCount", map[string]any{"monsters": []any{monsterEntry(goblin, 200)}}, []string{"monsters[0].count"}},
			{"InvisibleMonster", map[string]any{"monsters": []any{monsterEntry(betaBeast, 1)}}, []string{"monsters[0].monsterId"}},
			{"ForeignSession", map[string]any{"sessionId": betaSession}, []string{"sessionId"}},
			{"MalformedSession", map[string]any{"sessionId": ""}, []string{"sessionId"}},
			{"LongNotes", map[string]any{"notes": strings.Repeat("x", 100001)}, []string{"notes"}},
		}
		for _, tt := range patches {
			gm.do(t, http.MethodPatch, encounterPath(alpha.ID, e.ID), tt.body).requireFields(t, tt.fields...)
		}
		// None of it changed anything.
		got := getEncounter(t, gm, alpha.ID, e.ID)
		require.Equal(t, e.Name, got.Name)
		require.Equal(t, e.Monsters, got.Monsters)
		require.Nil(t, got.SessionID)
	})

	t.Run("PlayersRefused", func(t *testing.T) {
		t.Parallel()
		e := createEncounter(t, gm, alpha.ID, map[string]any{"name": "Secret plans", "monsters": []any{monsterEntry(goblin, 3)}})
		for _, req := range []struct {
			method, path string
			body         any
		}{
			{http.MethodGet, encounterPath(alpha.ID), nil},
			{http.MethodPost, encounterPath(alpha.ID), map[string]any{"name": "Mine", "monsters": []any{}}},
			{http.MethodGet, encounterPath(alpha.ID, e.ID), nil},
			{http.MethodPatch, encounterPath(alpha.ID, e.ID), map[string]any{"name": "Mine"}},
			{http.MethodDelete, encounterPath(alpha.ID, e.ID), nil},
		} {
			player.do(t, req.method, req.path, req.body).requireError(t, http.StatusForbidden, codeForbidden)
		}
		require.Equal(t, e, getEncounter(t, gm, alpha.ID, e.ID))
		// The compendium itself is every member's.
		player.do(t, http.MethodGet, campaignPath(alpha.ID, "monsters", goblin.String()), nil).requireStatus(t, http.StatusOK)
	})
}
