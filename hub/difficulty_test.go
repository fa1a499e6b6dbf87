package hub

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// TestCombatDifficulty: combat.difficulty follows the encounter's party or
// the players', and counts only the monsters still standing.
func TestCombatDifficulty(t *testing.T) {
	t.Parallel()
	goblin := func(id string, hp int) *combatant {
		return &combatant{id: id, name: "Goblin " + id, kind: kindMonster, hp: hp, maxHP: 7, monsterID: "m-goblin", cr: 0.25, hasCR: true}
	}
	ogre := func(id string, hp int) *combatant {
		return &combatant{id: id, name: "Ogre " + id, kind: kindMonster, hp: hp, maxHP: 59, monsterID: "m-ogre", cr: 2, hasCR: true}
	}
	pc := func(id, user string) *combatant {
		return &combatant{id: id, name: "PC " + id, kind: kindPC, userID: user}
	}
	levels := map[string]int{"u1": 3, "u2": 5, "u3": 20}
	users := []string{"u1", "u2", "u3"}
	tests := []struct {
		name       string
		encounter  string
		party      []int
		levels     map[string]int
		users      []string
		combatants []*combatant
		absent     bool
		wantParty  []int
		wantXP     int
		wantAdj    int
		want2014   string
		want2024   string
	}{
		{name: "no encounter", combatants: []*combatant{goblin("a", 7)}, party: []int{1}, absent: true},
		{name: "encounter party, two goblins standing", encounter: "e", party: []int{1, 1, 1, 1},
			combatants: []*combatant{goblin("a", 7), goblin("b", 7)},
			wantParty:  []int{1, 1, 1, 1}, wantXP: 100, wantAdj: 150, want2014: "easy", want2024: "low"},
		{name: "a goblin at 0 HP leaves the count", encounter: "e", party: []int{1, 1, 1, 1},
			combatants: []*combatant{goblin("a", 7), goblin("b", 0)},
			wantParty:  []int{1, 1, 1, 1}, wantXP: 50, wantAdj: 50, want2014: "trivial", want2024: "low"},
		{name: "all monsters down", encounter: "e", party: []int{2},
			combatants: []*combatant{goblin("a", 0), ogre("b", 0)},
			wantParty:  []int{2}, wantXP: 0, wantAdj: 0, want2014: "trivial", want2024: "low"},
		// Fewer than three characters: the 2014 multiplier goes one step up.
		{name: "ogre against a level-1 pair is deadly and extreme", encounter: "e", party: []int{1, 1},
			combatants: []*combatant{ogre("a", 59)},
			wantParty:  []int{1, 1}, wantXP: 450, wantAdj: 675, want2014: "deadly", want2024: "extreme"},
		{name: "party from the player combatants", encounter: "e", levels: levels, users: users,
			combatants: []*combatant{goblin("a", 7), pc("p1", "u1"), pc("p2", "u2")},
			wantParty:  []int{3, 5}, wantXP: 50, wantAdj: 75, want2014: "trivial", want2024: "low"},
		{name: "a player combatant without a level is not counted", encounter: "e", levels: levels, users: users,
			combatants: []*combatant{goblin("a", 7), pc("p1", "u1"), pc("p9", "u9")},
			wantParty:  []int{3}, wantXP: 50, wantAdj: 75, want2014: "easy", want2024: "low"},
		{name: "no player combatants: the campaign's players", encounter: "e", levels: levels, users: users,
			combatants: []*combatant{goblin("a", 7)},
			wantParty:  []int{3, 5, 20}, wantXP: 50, wantAdj: 50, want2014: "trivial", want2024: "low"},
		{name: "monster added by hand without a stat block does not count", encounter: "e", party: []int{1},
			combatants: []*combatant{goblin("a", 7), {id: "x", name: "Thing", kind: kindMonster, hp: 30, maxHP: 30}},
			wantParty:  []int{1}, wantXP: 50, wantAdj: 75, want2014: "hard", want2024: "low"},
		{name: "no party at all", encounter: "e", combatants: []*combatant{goblin("a", 7)}, absent: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := &combat{id: "c", encounterID: tc.encounter, combatants: map[string]*combatant{},
				party: tc.party, levels: tc.levels, userIDs: tc.users}
			for _, cb := range tc.combatants {
				cb.conditions = map[string]int{}
				c.combatants[cb.id] = cb
			}
			c.sortOrder()
			d, ok := combatDifficulty(c)
			gm := newProjector(ViewGM).projectCombat(c)
			player := newProjector(ViewPlayer).projectCombat(c)
			require.NotContains(t, player, "difficulty", "never in the player view")
			if tc.absent {
				require.False(t, ok)
				require.NotContains(t, gm, "difficulty")
				return
			}
			require.True(t, ok)
			require.Equal(t, tc.wantParty, d.PartyLevels)
			require.Equal(t, tc.wantXP, d.XP)
			require.Equal(t, tc.wantAdj, d.AdjustedXP)
			require.Equal(t, tc.want2014, d.DMG2014)
			require.Equal(t, tc.want2024, d.DMG2024)
			require.Equal(t, string(appendJSON(nil, gm["difficulty"])),
				`{"adjustedXp":`+itoa(tc.wantAdj)+`,"dmg2014":"`+tc.want2014+`","dmg2024":"`+tc.want2024+`","partyLevels":`+string(appendJSON(nil, tc.wantParty))+`,"xp":`+itoa(tc.wantXP)+`}`)
		})
	}
}

func itoa(n int) string { return string(appendJSON(nil, n)) }
