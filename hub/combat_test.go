package hub

import (
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"
)

// tid is a valid id for tests: tid(7) = 00000000-0000-0000-0000-000000000007.
func tid(n int) string { return fmt.Sprintf("00000000-0000-0000-0000-%012d", n) }

const (
	gmUser     = "00000000-0000-0000-0000-0000000000a1"
	playerUser = "00000000-0000-0000-0000-0000000000b1"
	otherUser  = "00000000-0000-0000-0000-0000000000b2"
)

var (
	gmActor     = actor{userID: gmUser, role: RoleGM}
	playerActor = actor{userID: playerUser, role: RolePlayer}
	otherActor  = actor{userID: otherUser, role: RolePlayer}
)

// testRules gives ids 1000, 1001... and rolls the given dice in turn (10
// once they run out).
func testRules(dice ...int) *rules {
	next := 1000
	return &rules{
		rollFunc: func() int {
			if len(dice) == 0 {
				return 10
			}
			d := dice[0]
			dice = dice[1:]
			return d
		},
		newIDFunc: func() string { next++; return tid(next - 1) },
	}
}

func emptyState() *state {
	return &state{campaign: campaignInfo{id: tid(999), name: "The Sunken Keep"}, presence: newPresence(), polls: emptyPolls()}
}

// cb is a shorthand combatant; initiative < -1000 means none.
func cb(n int, name, kind string, init, hp, maxHP int) *combatant {
	c := &combatant{id: tid(n), name: name, kind: kind, hp: hp, maxHP: maxHP, conditions: map[string]int{}}
	if init > -1000 {
		c.initiative, c.hasInit = init, true
	}
	return c
}

func withCombat(s *state, round int, turn string, cbs ...*combatant) *state {
	c := &combat{id: tid(500), round: round, turn: turn, combatants: map[string]*combatant{}}
	for _, x := range cbs {
		c.combatants[x.id] = x
	}
	c.sortOrder()
	s.combat = c
	return s
}

// party: fighter (PC, player's, init 18), goblin (init 15, 7/7),
// wolf (init 12, 11/11), rogue (PC, other player's, init 10).
func party() *state {
	fighter := cb(1, "Fighter", kindPC, 18, 30, 30)
	fighter.userID = playerUser
	rogue := cb(4, "Rogue", kindPC, 10, 20, 20)
	rogue.userID = otherUser
	return withCombat(emptyState(), 0, "",
		fighter,
		cb(2, "Goblin", kindMonster, 15, 7, 7),
		cb(3, "Wolf", kindMonster, 12, 11, 11),
		rogue,
	)
}

func run(t *testing.T, r *rules, s *state, a actor, typ, data string) (outcome, error) {
	t.Helper()
	d, err := decodeCommandData(typ, []byte(data))
	require.NoError(t, err)
	if err := d.validate().err(); err != nil {
		return outcome{}, err
	}
	return r.apply(s, a, typ, d, nil)
}

func TestRules_Damage(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name            string
		hp, temp        int
		amount          int
		wantHP, wantTmp int
	}{
		{"TempHPLargerThanDamage", 10, 8, 5, 10, 3},
		{"TempHPEqualToDamage", 10, 5, 5, 10, 0},
		{"TempHPThenHP", 10, 3, 5, 8, 0},
		{"NoTempHP", 10, 0, 4, 6, 0},
		{"NeverBelowZero", 10, 2, 50, 0, 0},
		{"ExactlyToZero", 10, 0, 10, 0, 0},
		{"MaxAmount", 100000, 0, 100000, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := party()
			g := s.combat.combatants[tid(2)]
			g.hp, g.tempHP, g.maxHP = tt.hp, tt.temp, max(tt.hp, 10)
			out, err := run(t, testRules(), s, gmActor, TypeCombatDamage, fmt.Sprintf(`{"combatantId":%q,"amount":%d}`, tid(2), tt.amount))
			require.NoError(t, err)
			ng := out.next.combat.combatants[tid(2)]
			require.Equal(t, tt.wantHP, ng.hp)
			require.Equal(t, tt.wantTmp, ng.tempHP)
			require.Equal(t, []effect{effCombatantDamage{id: tid(2), amount: tt.amount, hp: tt.wantHP, tempHP: tt.wantTmp}}, out.effects)
			// The input state is untouched.
			require.Equal(t, tt.hp, s.combat.combatants[tid(2)].hp)
		})
	}

	t.Run("ZeroIsNoEffect", func(t *testing.T) {
		t.Parallel()
		s := party()
		out, err := run(t, testRules(), s, gmActor, TypeCombatDamage, fmt.Sprintf(`{"combatantId":%q,"amount":0}`, tid(2)))
		require.NoError(t, err)
		require.Empty(t, out.effects)
		require.Same(t, s, out.next)
	})
}

func TestRules_Heal(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name              string
		hp, maxHP, amount int
		wantHP            int
		wantEffect        bool
	}{
		{"Partial", 3, 10, 4, 7, true},
		{"CappedAtMax", 8, 10, 5, 10, true},
		{"AtFullHP", 10, 10, 5, 10, false},
		{"AboveMaxStays", 12, 10, 5, 12, false},
		{"FromZero", 0, 10, 1, 1, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := party()
			w := s.combat.combatants[tid(3)]
			w.hp, w.maxHP = tt.hp, tt.maxHP
			out, err := run(t, testRules(), s, gmActor, TypeCombatHeal, fmt.Sprintf(`{"combatantId":%q,"amount":%d}`, tid(3), tt.amount))
			require.NoError(t, err)
			require.Equal(t, tt.wantHP, out.next.combat.combatants[tid(3)].hp)
			require.Equal(t, tt.wantEffect, len(out.effects) > 0)
		})
	}
}

func TestRules_Permissions(t *testing.T) {
	t.Parallel()
	hiddenState := func() *state {
		s := party()
		s.combat.combatants[tid(2)].hidden = true
		return s
	}
	tests := []struct {
		name    string
		state   func() *state
		actor   actor
		typ     string
		data    string
		wantErr error
	}{
		{"PlayerDamagesOwn", party, playerActor, TypeCombatDamage, `{"combatantId":"` + tid(1) + `","amount":3}`, nil},
		{"PlayerDamagesOthers", party, playerActor, TypeCombatDamage, `{"combatantId":"` + tid(4) + `","amount":3}`, ErrNotYourCombatant},
		{"PlayerHealsMonster", party, playerActor, TypeCombatHeal, `{"combatantId":"` + tid(2) + `","amount":3}`, ErrForbidden},
		{"PlayerConditionOwn", party, playerActor, TypeCombatCondition, `{"combatantId":"` + tid(1) + `","condition":"prone","active":true}`, nil},
		{"PlayerConditionOthers", party, playerActor, TypeCombatCondition, `{"combatantId":"` + tid(4) + `","condition":"prone","active":true}`, ErrForbidden},
		{"PlayerUpdatesOwnHP", party, playerActor, TypeCombatUpdate, `{"combatantId":"` + tid(1) + `","hp":12,"tempHp":3,"initiative":20}`, nil},
		{"PlayerUpdatesOwnName", party, playerActor, TypeCombatUpdate, `{"combatantId":"` + tid(1) + `","name":"Hero"}`, ErrForbidden},
		{"PlayerUpdatesOwnAC", party, playerActor, TypeCombatUpdate, `{"combatantId":"` + tid(1) + `","ac":30}`, ErrForbidden},
		{"PlayerUpdatesOthers", party, playerActor, TypeCombatUpdate, `{"combatantId":"` + tid(4) + `","hp":1}`, ErrNotYourCombatant},
		{"PlayerAdds", party, playerActor, TypeCombatAdd, `{"name":"Ally","kind":"npc","hp":5,"maxHp":5}`, ErrGMOnly},
		{"PlayerRemoves", party, playerActor, TypeCombatRemove, `{"combatantId":"` + tid(2) + `"}`, ErrGMOnly},
		{"PlayerRolls", party, playerActor, TypeCombatRollInitiative, `{}`, ErrGMOnly},
		{"PlayerPrevious", party, playerActor, TypeCombatPrevious, `{}`, ErrForbidden},
		{"PlayerEnds", party, playerActor, TypeCombatEnd, `{}`, ErrGMOnly},
		{"PlayerStarts", emptyState, playerActor, TypeCombatStart, `{}`, ErrGMOnly},
		{"PlayerHiddenIsNotFound", hiddenState, playerActor, TypeCombatDamage, `{"combatantId":"` + tid(2) + `","amount":3}`, ErrCombatantNotFound},
		{"PlayerHiddenUpdateIsNotFound", hiddenState, playerActor, TypeCombatUpdate, `{"combatantId":"` + tid(2) + `","hp":3}`, ErrNotFound},
		{"GMHiddenIsFound", hiddenState, gmActor, TypeCombatDamage, `{"combatantId":"` + tid(2) + `","amount":3}`, nil},
		{"UnknownCombatant", party, gmActor, TypeCombatDamage, `{"combatantId":"` + tid(77) + `","amount":3}`, ErrCombatantNotFound},
		{"NoCombat", emptyState, gmActor, TypeCombatDamage, `{"combatantId":"` + tid(1) + `","amount":3}`, ErrNoCombat},
		{"StartWhileRunning", party, gmActor, TypeCombatStart, `{}`, ErrCombatRunning},
		{"Validation", party, gmActor, TypeCombatDamage, `{"combatantId":"` + tid(1) + `","amount":-1}`, ErrValidation},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := run(t, testRules(), tt.state(), tt.actor, tt.typ, tt.data)
			if tt.wantErr == nil {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, tt.wantErr)
			var re *RuleError
			require.True(t, errors.As(err, &re))
		})
	}
}

func TestRules_Order(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		cbs  []*combatant
		want []string
	}{
		{
			name: "ByInitiative",
			cbs:  []*combatant{cb(1, "A", kindPC, 5, 1, 1), cb(2, "B", kindPC, 20, 1, 1), cb(3, "C", kindPC, 12, 1, 1)},
			want: []string{tid(2), tid(3), tid(1)},
		},
		{
			name: "TieByBonus",
			cbs: func() []*combatant {
				a, b := cb(1, "A", kindPC, 12, 1, 1), cb(2, "B", kindPC, 12, 1, 1)
				a.initBonus, b.initBonus = 1, 3
				return []*combatant{a, b}
			}(),
			want: []string{tid(2), tid(1)},
		},
		{
			name: "TieByNameCaseInsensitive",
			cbs:  []*combatant{cb(1, "zed", kindPC, 12, 1, 1), cb(2, "Bob", kindPC, 12, 1, 1), cb(3, "alice", kindPC, 12, 1, 1)},
			want: []string{tid(3), tid(2), tid(1)},
		},
		{
			name: "TieByID",
			cbs:  []*combatant{cb(9, "Goblin", kindMonster, 12, 1, 1), cb(3, "goblin", kindMonster, 12, 1, 1)},
			want: []string{tid(3), tid(9)},
		},
		{
			name: "NoInitiativeLastByName",
			cbs: []*combatant{
				cb(1, "Zombie", kindMonster, -2000, 1, 1), cb(2, "Ant", kindMonster, -2000, 1, 1),
				cb(3, "Low", kindMonster, -5, 1, 1),
			},
			want: []string{tid(3), tid(2), tid(1)},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := withCombat(emptyState(), 0, "", tt.cbs...)
			require.Equal(t, tt.want, s.combat.order)
		})
	}
}

func TestRules_Turns(t *testing.T) {
	t.Parallel()
	// party order: fighter(1) 18, goblin(2) 15, wolf(3) 12, rogue(4) 10.
	type step struct {
		actor     actor
		typ       string
		wantErr   error
		wantRound int
		wantTurn  string
	}
	tests := []struct {
		name  string
		setup func(s *state)
		steps []step
	}{
		{
			name: "FirstNextStartsRoundOne",
			steps: []step{
				{gmActor, TypeCombatNext, nil, 1, tid(1)},
				{gmActor, TypeCombatNext, nil, 1, tid(2)},
			},
		},
		{
			name: "WrapAddsRound",
			steps: []step{
				{gmActor, TypeCombatNext, nil, 1, tid(1)},
				{gmActor, TypeCombatNext, nil, 1, tid(2)},
				{gmActor, TypeCombatNext, nil, 1, tid(3)},
				{gmActor, TypeCombatNext, nil, 1, tid(4)},
				{gmActor, TypeCombatNext, nil, 2, tid(1)},
			},
		},
		{
			name:  "SkipsMonstersAtZero",
			setup: func(s *state) { s.combat.combatants[tid(2)].hp = 0 },
			steps: []step{
				{gmActor, TypeCombatNext, nil, 1, tid(1)},
				{gmActor, TypeCombatNext, nil, 1, tid(3)},
			},
		},
		{
			name:  "PCAtZeroStillActs",
			setup: func(s *state) { s.combat.combatants[tid(1)].hp = 0 },
			steps: []step{{gmActor, TypeCombatNext, nil, 1, tid(1)}},
		},
		{
			name: "AllMonstersDown",
			setup: func(s *state) {
				s.combat.combatants[tid(2)].hp = 0
				s.combat.combatants[tid(3)].hp = 0
			},
			steps: []step{
				{gmActor, TypeCombatNext, nil, 1, tid(1)},
				{gmActor, TypeCombatNext, nil, 1, tid(4)},
				{gmActor, TypeCombatNext, nil, 2, tid(1)},
			},
		},
		{
			name: "OnlyMonstersAllDown",
			setup: func(s *state) {
				s.combat = withCombat(emptyState(), 0, "", cb(2, "Goblin", kindMonster, 15, 0, 7)).combat
			},
			steps: []step{{gmActor, TypeCombatNext, ErrNoEligibleCombatant, 0, ""}},
		},
		{
			name:  "EmptyCombat",
			setup: func(s *state) { s.combat = withCombat(emptyState(), 0, "").combat },
			steps: []step{{gmActor, TypeCombatNext, ErrNoEligibleCombatant, 0, ""}},
		},
		{
			name: "PreviousWrapsBackTakingARound",
			steps: []step{
				{gmActor, TypeCombatNext, nil, 1, tid(1)},
				{gmActor, TypeCombatNext, nil, 1, tid(2)},
				{gmActor, TypeCombatNext, nil, 1, tid(3)},
				{gmActor, TypeCombatNext, nil, 1, tid(4)},
				{gmActor, TypeCombatNext, nil, 2, tid(1)},
				{gmActor, TypeCombatPrevious, nil, 1, tid(4)},
				{gmActor, TypeCombatPrevious, nil, 1, tid(3)},
			},
		},
		{
			name: "PreviousNeverBelowRoundOne",
			steps: []step{
				{gmActor, TypeCombatNext, nil, 1, tid(1)},
				{gmActor, TypeCombatPrevious, nil, 1, tid(4)},
			},
		},
		{
			name:  "PreviousSkipsDownMonsters",
			setup: func(s *state) { s.combat.combatants[tid(2)].hp = 0 },
			steps: []step{
				{gmActor, TypeCombatNext, nil, 1, tid(1)},
				{gmActor, TypeCombatNext, nil, 1, tid(3)},
				{gmActor, TypeCombatPrevious, nil, 1, tid(1)},
			},
		},
		{
			name:  "PreviousBeforeStart",
			steps: []step{{gmActor, TypeCombatPrevious, ErrCombatNotStarted, 0, ""}},
		},
		{
			name: "PlayerNextOnOwnTurn",
			steps: []step{
				{playerActor, TypeCombatNext, ErrNotYourTurn, 0, ""},
				{gmActor, TypeCombatNext, nil, 1, tid(1)},
				{otherActor, TypeCombatNext, ErrNotYourTurn, 1, tid(1)},
				{playerActor, TypeCombatNext, nil, 1, tid(2)},
				{playerActor, TypeCombatNext, ErrNotYourTurn, 1, tid(2)},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := party()
			if tt.setup != nil {
				tt.setup(s)
			}
			r := testRules()
			for i, st := range tt.steps {
				out, err := run(t, r, s, st.actor, st.typ, `{}`)
				if st.wantErr != nil {
					require.ErrorIs(t, err, st.wantErr, "step %d", i)
					continue
				}
				require.NoError(t, err, "step %d", i)
				s = out.next
				require.Equal(t, st.wantRound, s.combat.round, "step %d round", i)
				require.Equal(t, st.wantTurn, s.combat.turn, "step %d turn", i)
			}
		})
	}
}

func TestRules_Conditions(t *testing.T) {
	t.Parallel()

	t.Run("ExpireAtEndOfOwnTurn", func(t *testing.T) {
		t.Parallel()
		s := party()
		r := testRules()
		out, err := run(t, r, s, gmActor, TypeCombatCondition, fmt.Sprintf(`{"combatantId":%q,"condition":"poisoned","active":true,"rounds":2}`, tid(1)))
		require.NoError(t, err)
		out, err = run(t, r, out.next, gmActor, TypeCombatCondition, fmt.Sprintf(`{"combatantId":%q,"condition":"prone","active":true}`, tid(1)))
		require.NoError(t, err)
		s = out.next
		require.Equal(t, map[string]int{"poisoned": 2, "prone": 0}, s.combat.combatants[tid(1)].conditions)

		next := func() {
			t.Helper()
			out, err := run(t, r, s, gmActor, TypeCombatNext, `{}`)
			require.NoError(t, err)
			s = out.next
		}
		next() // round 1, fighter's turn starts: nothing ends
		require.Equal(t, 2, s.combat.combatants[tid(1)].conditions["poisoned"])
		next() // fighter's turn ends
		require.Equal(t, map[string]int{"poisoned": 1, "prone": 0}, s.combat.combatants[tid(1)].conditions)
		next()
		next()
		next() // round 2, fighter again
		require.Equal(t, 1, s.combat.combatants[tid(1)].conditions["poisoned"])
		next() // fighter's turn ends: poisoned goes, prone stays
		require.Equal(t, map[string]int{"prone": 0}, s.combat.combatants[tid(1)].conditions)

		// previous does not give rounds back.
		out, err = run(t, r, s, gmActor, TypeCombatPrevious, `{}`)
		require.NoError(t, err)
		require.Equal(t, map[string]int{"prone": 0}, out.next.combat.combatants[tid(1)].conditions)
	})

	t.Run("RemoveAndNoOps", func(t *testing.T) {
		t.Parallel()
		s := party()
		s.combat.combatants[tid(2)].conditions["prone"] = 0
		out, err := run(t, testRules(), s, gmActor, TypeCombatCondition, fmt.Sprintf(`{"combatantId":%q,"condition":"prone","active":false}`, tid(2)))
		require.NoError(t, err)
		require.Empty(t, out.next.combat.combatants[tid(2)].conditions)
		require.Equal(t, map[string]int{"prone": 0}, s.combat.combatants[tid(2)].conditions, "input untouched")

		out, err = run(t, testRules(), out.next, gmActor, TypeCombatCondition, fmt.Sprintf(`{"combatantId":%q,"condition":"prone","active":false}`, tid(2)))
		require.NoError(t, err)
		require.Empty(t, out.effects)
	})

	t.Run("TooMany", func(t *testing.T) {
		t.Parallel()
		s := party()
		for i := range maxConditions {
			s.combat.combatants[tid(2)].conditions[fmt.Sprint("c", i)] = 0
		}
		_, err := run(t, testRules(), s, gmActor, TypeCombatCondition, fmt.Sprintf(`{"combatantId":%q,"condition":"prone","active":true}`, tid(2)))
		require.ErrorIs(t, err, ErrTooManyConditions)
	})
}

func TestRules_RollInitiative(t *testing.T) {
	t.Parallel()

	t.Run("OnlyThoseWithout", func(t *testing.T) {
		t.Parallel()
		bat := cb(2, "Bat", kindMonster, -2000, 1, 1)
		bat.initBonus = 2
		s := withCombat(emptyState(), 0, "", cb(1, "Fighter", kindPC, 18, 30, 30), bat, cb(3, "Crab", kindMonster, -2000, 2, 2))
		out, err := run(t, testRules(20, 1), s, gmActor, TypeCombatRollInitiative, `{}`)
		require.NoError(t, err)
		// order before: fighter, bat, crab (no initiative, by name) → bat rolls 20, crab 1.
		require.Equal(t, map[string]int{tid(2): 22, tid(3): 1}, out.result.initiative)
		require.Equal(t, []string{tid(2), tid(1), tid(3)}, out.next.combat.order)
		require.Len(t, out.effects, 2)
	})

	t.Run("GivenIDsReroll", func(t *testing.T) {
		t.Parallel()
		out, err := run(t, testRules(3), party(), gmActor, TypeCombatRollInitiative, fmt.Sprintf(`{"combatantIds":[%q]}`, tid(1)))
		require.NoError(t, err)
		require.Equal(t, 3, out.next.combat.combatants[tid(1)].initiative)
		require.Equal(t, tid(1), out.next.combat.order[3])
	})

	t.Run("UnknownID", func(t *testing.T) {
		t.Parallel()
		_, err := run(t, testRules(), party(), gmActor, TypeCombatRollInitiative, fmt.Sprintf(`{"combatantIds":[%q]}`, tid(42)))
		require.ErrorIs(t, err, ErrCombatantNotFound)
	})

	t.Run("NothingToRoll", func(t *testing.T) {
		t.Parallel()
		out, err := run(t, testRules(), party(), gmActor, TypeCombatRollInitiative, `{}`)
		require.NoError(t, err)
		require.Empty(t, out.effects)
	})

	t.Run("D20IsFair", func(t *testing.T) {
		t.Parallel()
		seen := map[int]int{}
		for range 2000 {
			seen[rollD20()]++
		}
		for face := 1; face <= 20; face++ {
			require.Positive(t, seen[face], "face %d", face)
		}
		require.Len(t, seen, 20)
	})
}

func TestRules_AddUpdateRemove(t *testing.T) {
	t.Parallel()

	t.Run("Add", func(t *testing.T) {
		t.Parallel()
		out, err := run(t, testRules(), party(), gmActor, TypeCombatAdd, `{"name":"  Ogre ","kind":"monster","hp":59,"maxHp":59,"ac":11,"initiative":8,"hidden":true}`)
		require.NoError(t, err)
		c := out.next.combat.combatants[tid(1000)]
		require.Equal(t, "Ogre", c.name)
		require.True(t, c.hidden)
		require.Equal(t, tid(1000), out.result.combatantID)
		require.Equal(t, tid(1000), out.next.combat.order[4])
	})

	t.Run("AddTooMany", func(t *testing.T) {
		t.Parallel()
		s := party()
		for i := range maxCombatants - 4 {
			c := cb(100+i, "x", kindMonster, 1, 1, 1)
			s.combat.combatants[c.id] = c
		}
		_, err := run(t, testRules(), s, gmActor, TypeCombatAdd, `{"name":"Ogre","kind":"monster","hp":59,"maxHp":59}`)
		require.ErrorIs(t, err, ErrTooManyCombatants)
	})

	t.Run("UpdateReorders", func(t *testing.T) {
		t.Parallel()
		out, err := run(t, testRules(), party(), gmActor, TypeCombatUpdate, fmt.Sprintf(`{"combatantId":%q,"initiative":30,"name":"Wolf Alpha"}`, tid(3)))
		require.NoError(t, err)
		require.Equal(t, tid(3), out.next.combat.order[0])
		require.Equal(t, "Wolf Alpha", out.next.combat.combatants[tid(3)].name)
	})

	t.Run("UpdateNoChange", func(t *testing.T) {
		t.Parallel()
		s := party()
		out, err := run(t, testRules(), s, gmActor, TypeCombatUpdate, fmt.Sprintf(`{"combatantId":%q,"hp":11}`, tid(3)))
		require.NoError(t, err)
		require.Empty(t, out.effects)
		require.Same(t, s, out.next)
	})

	t.Run("RemoveTurnHolderPassesTurn", func(t *testing.T) {
		t.Parallel()
		s := party()
		s.combat.round, s.combat.turn = 1, tid(2)
		out, err := run(t, testRules(), s, gmActor, TypeCombatRemove, fmt.Sprintf(`{"combatantId":%q}`, tid(2)))
		require.NoError(t, err)
		require.Equal(t, tid(3), out.next.combat.turn)
		require.Equal(t, 1, out.next.combat.round)
		require.NotContains(t, out.next.combat.order, tid(2))
		require.IsType(t, effCombatTurn{}, out.effects[0])
		require.Equal(t, effCombatantRemove{id: tid(2)}, out.effects[1])
	})

	t.Run("RemoveLastInOrderWraps", func(t *testing.T) {
		t.Parallel()
		s := party()
		s.combat.round, s.combat.turn = 3, tid(4)
		out, err := run(t, testRules(), s, gmActor, TypeCombatRemove, fmt.Sprintf(`{"combatantId":%q}`, tid(4)))
		require.NoError(t, err)
		require.Equal(t, tid(1), out.next.combat.turn)
		require.Equal(t, 4, out.next.combat.round)
	})

	t.Run("RemoveOnlyOneLeft", func(t *testing.T) {
		t.Parallel()
		s := withCombat(emptyState(), 2, tid(1), cb(1, "Solo", kindPC, 3, 1, 1))
		out, err := run(t, testRules(), s, gmActor, TypeCombatRemove, fmt.Sprintf(`{"combatantId":%q}`, tid(1)))
		require.NoError(t, err)
		require.Equal(t, "", out.next.combat.turn)
		require.Empty(t, out.next.combat.order)
	})

	t.Run("End", func(t *testing.T) {
		t.Parallel()
		out, err := run(t, testRules(), party(), gmActor, TypeCombatEnd, `{"outcome":"victory"}`)
		require.NoError(t, err)
		require.Nil(t, out.next.combat)
		require.Equal(t, []effect{effCombatEnd{combatID: tid(500), round: 0, outcome: "victory"}}, out.effects)
	})
}

func TestRules_Start(t *testing.T) {
	t.Parallel()
	p := &prepared{
		monsters: []monsterSeed{
			{monsterID: tid(70), name: "Goblin", hp: 7, ac: 15, initBonus: 2, count: 2},
			{monsterID: tid(71), name: "Bugbear", hp: 27, ac: 16, initBonus: 2, count: 1},
		},
		players: []playerSeed{{userID: playerUser, name: "Fighter"}},
	}
	d, err := decodeCommandData(TypeCombatStart, []byte(`{}`))
	require.NoError(t, err)
	out, err := testRules().apply(emptyState(), gmActor, TypeCombatStart, d, p)
	require.NoError(t, err)
	c := out.next.combat
	require.Equal(t, tid(1000), c.id)
	require.Equal(t, 0, c.round)
	require.Equal(t, "", c.turn)
	var names []string
	for _, id := range c.order {
		names = append(names, c.combatants[id].name)
	}
	require.Equal(t, []string{"Bugbear", "Fighter", "Goblin 1", "Goblin 2"}, names)
	require.Equal(t, tid(1000), out.result.combatID)

	t.Run("TooMany", func(t *testing.T) {
		t.Parallel()
		big := &prepared{monsters: []monsterSeed{{monsterID: tid(70), name: "Rat", hp: 1, count: maxCombatants + 1}}}
		_, err := testRules().apply(emptyState(), gmActor, TypeCombatStart, d, big)
		require.ErrorIs(t, err, ErrTooManyCombatants)
	})

	t.Run("NumberedNameFits", func(t *testing.T) {
		t.Parallel()
		long := string(make([]rune, 0)) + fmt.Sprintf("%080d", 0)
		require.Len(t, []rune(numberedName(long, 12)), maxNameLen)
	})
}

func TestRules_PollVote(t *testing.T) {
	t.Parallel()
	mk := func(status string) *state {
		s := emptyState()
		s.polls = &pollSet{polls: map[string]*poll{
			tid(80): {id: tid(80), title: "Next session", status: status, options: map[string]*pollOption{
				tid(81): {startsAt: "2030-01-01T18:00:00Z", votes: map[string]string{otherUser: "no"}},
			}},
		}}
		return s
	}
	vote := func(t *testing.T, s *state, poll, option, answer string) (outcome, error) {
		return run(t, testRules(), s, playerActor, TypePollVote, fmt.Sprintf(`{"pollId":%q,"optionId":%q,"answer":%q}`, poll, option, answer))
	}

	s := mk("open")
	out, err := vote(t, s, tid(80), tid(81), "yes")
	require.NoError(t, err)
	require.Equal(t, map[string]string{otherUser: "no", playerUser: "yes"}, out.next.polls.polls[tid(80)].options[tid(81)].votes)
	require.Equal(t, map[string]string{otherUser: "no"}, s.polls.polls[tid(80)].options[tid(81)].votes, "input untouched")

	same, err := vote(t, out.next, tid(80), tid(81), "yes")
	require.NoError(t, err)
	require.Empty(t, same.effects)

	none, err := vote(t, out.next, tid(80), tid(81), "none")
	require.NoError(t, err)
	require.Equal(t, map[string]string{otherUser: "no"}, none.next.polls.polls[tid(80)].options[tid(81)].votes)
	require.Equal(t, []effect{effPollVote{pollID: tid(80), optionID: tid(81), userID: playerUser, answer: "none"}}, none.effects)

	_, err = vote(t, mk("closed"), tid(80), tid(81), "yes")
	require.ErrorIs(t, err, ErrPollClosed)
	_, err = vote(t, s, tid(82), tid(81), "yes")
	require.ErrorIs(t, err, ErrPollNotFound)
	_, err = vote(t, s, tid(80), tid(82), "yes")
	require.ErrorIs(t, err, ErrOptionNotFound)
	_, err = vote(t, s, tid(80), tid(81), "perhaps")
	require.ErrorIs(t, err, ErrValidation)
}
