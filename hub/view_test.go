package hub

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"
)

// hiddenParty is party() with a hidden ambusher (id 9) whose turn it is.
func hiddenParty() *state {
	s := party()
	amb := cb(9, "Assassin", kindMonster, 16, 40, 40)
	amb.hidden, amb.ac, amb.hasAC, amb.monsterID = true, 15, true, tid(90)
	amb.conditions["invisible"] = 0
	s.combat.combatants[amb.id] = amb
	s.combat.round, s.combat.turn = 1, amb.id
	s.combat.sortOrder()
	g := s.combat.combatants[tid(2)]
	g.hp, g.ac, g.hasAC, g.monsterID, g.initBonus = 3, 13, true, tid(91), 2
	s.presence.join(playerUser, "Pat", RolePlayer)
	return s
}

func TestProject_GM(t *testing.T) {
	t.Parallel()
	s := hiddenParty()
	d := newProjector(ViewGM).project(s)
	c := d["combat"].(doc)
	require.Equal(t, tid(9), c["turn"])
	require.Equal(t, []string{tid(1), tid(9), tid(2), tid(3), tid(4)}, c["order"])
	amb := c["combatants"].(doc)[tid(9)].(doc)
	require.Equal(t, doc{
		"name": "Assassin", "kind": "monster", "initiative": 16, "initiativeBonus": 0,
		"hp": 40, "maxHp": 40, "tempHp": 0, "ac": 15, "hidden": true, "monsterId": tid(90),
		"conditions": doc{"invisible": doc{}},
	}, amb)
	require.Equal(t, doc{"id": tid(999), "name": "The Sunken Keep"}, d["campaign"])
	require.Equal(t, doc{playerUser: doc{"displayName": "Pat", "role": "player", "connections": 1}}, d["presence"])
	require.Equal(t, doc{}, d["polls"])
}

func TestProject_Player(t *testing.T) {
	t.Parallel()
	s := hiddenParty()
	d := newProjector(ViewPlayer).project(s)
	c := d["combat"].(doc)
	_, hasTurn := c["turn"]
	require.False(t, hasTurn, "turn of a hidden combatant is left out")
	require.Equal(t, []string{tid(1), tid(2), tid(3), tid(4)}, c["order"])
	cbs := c["combatants"].(doc)
	require.NotContains(t, cbs, tid(9))
	require.Equal(t, doc{"name": "Goblin", "kind": "monster", "initiative": 15, "health": "bloodied", "conditions": doc{}}, cbs[tid(2)])
	require.Equal(t, doc{
		"name": "Fighter", "kind": "pc", "initiative": 18, "initiativeBonus": 0,
		"hp": 30, "maxHp": 30, "tempHp": 0, "conditions": doc{}, "userId": playerUser,
	}, cbs[tid(1)])

	raw := appendJSON(nil, d)
	for _, secret := range []string{tid(9), "Assassin", tid(90), tid(91), `"hidden"`, `"ac"`, "null"} {
		require.NotContains(t, string(raw), secret)
	}

	// Once the turn passes to a visible combatant, players see it.
	s.combat.turn = tid(2)
	s.combat = s.combat.clone()
	require.Equal(t, tid(2), newProjector(ViewPlayer).project(s)["combat"].(doc)["turn"])
}

func TestHealth(t *testing.T) {
	t.Parallel()
	tests := []struct {
		hp, max int
		want    string
	}{{10, 10, "healthy"}, {6, 10, "healthy"}, {5, 10, "bloodied"}, {1, 10, "bloodied"}, {0, 10, "down"}, {0, 0, "down"}, {4, 7, "healthy"}, {3, 7, "bloodied"}, {12, 10, "healthy"}}
	for _, tt := range tests {
		require.Equal(t, tt.want, health(tt.hp, tt.max), "%d/%d", tt.hp, tt.max)
	}
}

func TestDiff(t *testing.T) {
	t.Parallel()
	old := doc{"a": 1, "b": doc{"x": "1", "y": []string{"p"}}, "c": true, "gone": doc{"z": 1}}
	next := doc{"a": 1, "b": doc{"x": "2", "y": []string{"p"}, "w": doc{}}, "c": true, "new": []string{}}
	p := diff(old, next)
	require.Equal(t, doc{"b": doc{"x": "2", "w": doc{}}, "gone": nil, "new": []string{}}, p)
	require.Equal(t, `{"b":{"w":{},"x":"2"},"gone":null,"new":[]}`, string(appendJSON(nil, p)))
	require.Nil(t, diff(next, next))
	require.Nil(t, diff(old, doc{"a": 1, "b": doc{"x": "1", "y": []string{"p"}}, "c": true, "gone": doc{"z": 1}}))
}

// decodeAny decodes a doc's encoding into generic JSON values.
func decodeAny(t testing.TB, d doc) any {
	var v any
	require.NoError(t, json.Unmarshal(appendJSON(nil, d), &v))
	return v
}

// randomCommand makes a random, mostly valid command for s.
func randomCommand(rng *rand.Rand, s *state) (actor, string, string) {
	var ids []string
	if s.combat != nil {
		ids = append(ids, s.combat.order...)
	}
	pick := func() string {
		if len(ids) == 0 || rng.IntN(20) == 0 {
			return tid(4242)
		}
		return ids[rng.IntN(len(ids))]
	}
	a := gmActor
	switch rng.IntN(4) {
	case 0:
		a = playerActor
	case 1:
		a = otherActor
	}
	switch rng.IntN(13) {
	case 0:
		if s.combat == nil || rng.IntN(3) == 0 {
			return a, TypeCombatStart, `{}`
		}
		return a, TypeCombatEnd, `{}`
	case 1, 2:
		kind := []string{"pc", "monster", "npc"}[rng.IntN(3)]
		hp := rng.IntN(30)
		user := ""
		if rng.IntN(3) == 0 {
			user = fmt.Sprintf(`,"userId":%q`, []string{playerUser, otherUser}[rng.IntN(2)])
		}
		init := ""
		if rng.IntN(2) == 0 {
			init = fmt.Sprintf(`,"initiative":%d`, rng.IntN(25))
		}
		return a, TypeCombatAdd, fmt.Sprintf(`{"name":"C%d","kind":%q,"hp":%d,"maxHp":%d,"ac":%d,"hidden":%t%s%s}`,
			rng.IntN(10), kind, hp, hp+rng.IntN(5), 10+rng.IntN(8), rng.IntN(3) == 0, user, init)
	case 3:
		return a, TypeCombatDamage, fmt.Sprintf(`{"combatantId":%q,"amount":%d}`, pick(), rng.IntN(15))
	case 4:
		return a, TypeCombatHeal, fmt.Sprintf(`{"combatantId":%q,"amount":%d}`, pick(), rng.IntN(15))
	case 5:
		return a, TypeCombatUpdate, fmt.Sprintf(`{"combatantId":%q,"hidden":%t,"tempHp":%d}`, pick(), rng.IntN(2) == 0, rng.IntN(5))
	case 6:
		r := ""
		if rng.IntN(2) == 0 {
			r = fmt.Sprintf(`,"rounds":%d`, 1+rng.IntN(3))
		}
		return a, TypeCombatCondition, fmt.Sprintf(`{"combatantId":%q,"condition":%q,"active":%t%s}`, pick(), []string{"prone", "poisoned", "stunned"}[rng.IntN(3)], rng.IntN(3) > 0, r)
	case 7:
		return a, TypeCombatRollInitiative, `{}`
	case 8, 9:
		return a, TypeCombatNext, `{}`
	case 10:
		return a, TypeCombatPrevious, `{}`
	case 11:
		return a, TypeCombatRemove, fmt.Sprintf(`{"combatantId":%q}`, pick())
	default:
		return a, TypePollVote, fmt.Sprintf(`{"pollId":%q,"optionId":%q,"answer":%q}`, tid(80), tid(81+rng.IntN(2)), []string{"yes", "no", "maybe", "none"}[rng.IntN(4)])
	}
}

// TestMergePatch_Property applies random command sequences and checks, for
// both views, that the merge patch of each change applied to the old view
// gives the new view, that no view holds nulls and that the player view
// never names a combatant that is hidden.
func TestMergePatch_Property(t *testing.T) {
	t.Parallel()
	for seed := range uint64(20) {
		t.Run(fmt.Sprint("Seed", seed), func(t *testing.T) {
			t.Parallel()
			rng := rand.New(rand.NewPCG(seed, 7))
			r := &rules{rollFunc: func() int { return 1 + rng.IntN(20) }, newIDFunc: func() string { return tid(1000 + rng.IntN(1_000_000)) }}
			s := emptyState()
			s.polls = &pollSet{polls: map[string]*poll{tid(80): {id: tid(80), title: "When?", status: "open", options: map[string]*pollOption{
				tid(81): {startsAt: "2030-01-01T18:00:00Z", votes: map[string]string{}},
				tid(82): {startsAt: "2030-01-02T18:00:00Z", endsAt: "2030-01-02T22:00:00Z", votes: map[string]string{}},
			}}}}
			projs := [2]*projector{newProjector(ViewGM), newProjector(ViewPlayer)}
			var pub [2]doc
			var client [2]any
			for i, p := range projs {
				pub[i] = p.project(s)
				client[i] = decodeAny(t, pub[i])
			}
			for step := range 300 {
				a, typ, data := randomCommand(rng, s)
				if rng.IntN(10) == 0 {
					if rng.IntN(2) == 0 {
						s.presence.join(a.userID, "U", a.role)
					} else {
						s.presence.leave(a.userID)
					}
				} else {
					d, err := decodeCommandData(typ, []byte(data))
					require.NoError(t, err)
					if d.validate().err() != nil {
						continue
					}
					out, err := r.apply(s, a, typ, d, nil)
					if err != nil {
						continue
					}
					s = out.next
				}
				for i, p := range projs {
					next := p.project(s)
					patch := diff(pub[i], next)
					if patch == nil {
						require.Equal(t, client[i], decodeAny(t, next), "step %d view %d: no patch but a change", step, i)
						continue
					}
					enc := appendJSON(nil, patch)
					var pv any
					require.NoError(t, json.Unmarshal(enc, &pv))
					client[i] = mergePatch(client[i], pv)
					require.Equal(t, decodeAny(t, next), client[i], "step %d view %d (%s %s)", step, i, typ, data)
					full := appendJSON(nil, next)
					require.False(t, bytes.Contains(full, []byte("null")), "state holds a null")
					if i == 1 && s.combat != nil {
						for id, c := range s.combat.combatants {
							if c.hidden {
								require.NotContains(t, string(full), id, "player view shows a hidden combatant")
							}
						}
					}
					pub[i] = next
				}
			}
		})
	}
}
