package hub

import (
	"gametable/compendium"
)

// combatDifficulty is the GM view's combat.difficulty (issue 6): for a
// combat started from an encounter, compendium.ComputeDifficulty over the
// monsters still standing (hp > 0, with a challenge rating) against the
// party: the encounter's own partyLevels; else the characterLevels of the
// players who have a combatant in the fight; else those of all the
// campaign's players. ok is false when the combat has no encounter or
// there is no party (the key is then absent, as in the HTTP encounter).
// Pure: it is recomputed at every projection, so it follows combatants
// joining, leaving and dropping to 0.
func combatDifficulty(c *combat) (compendium.Difficulty, bool) {
	if c.encounterID == "" {
		return compendium.Difficulty{}, false
	}
	party := c.party
	if len(party) == 0 {
		seen := map[string]bool{}
		for _, id := range c.order {
			cb := c.combatants[id]
			if cb.kind != kindPC || cb.userID == "" || seen[cb.userID] {
				continue
			}
			if l, ok := c.levels[cb.userID]; ok {
				seen[cb.userID] = true
				party = append(party, l)
			}
		}
	}
	if len(party) == 0 {
		for _, uid := range c.userIDs {
			party = append(party, c.levels[uid])
		}
	}
	if len(party) == 0 {
		return compendium.Difficulty{}, false
	}
	var groups []compendium.MonsterGroup
	byCR := map[float64]int{}
	for _, id := range c.order {
		cb := c.combatants[id]
		if !cb.hasCR || cb.hp <= 0 || cb.kind == kindPC {
			continue
		}
		i, ok := byCR[cb.cr]
		if !ok {
			i = len(groups)
			byCR[cb.cr] = i
			groups = append(groups, compendium.MonsterGroup{CR: cb.cr})
		}
		groups[i].Count++
	}
	d, err := compendium.ComputeDifficulty(party, groups)
	if err != nil {
		// A level or CR outside the tables (data edited by hand): leave
		// the badge out rather than show a wrong one.
		return compendium.Difficulty{}, false
	}
	return d, true
}

// projectDifficulty is combat.difficulty as a doc, the shape of the HTTP
// encounter's difficulty.
func projectDifficulty(d compendium.Difficulty) doc {
	levels := d.PartyLevels
	if levels == nil {
		levels = []int{}
	}
	return doc{
		"partyLevels": levels, "xp": d.XP, "adjustedXp": d.AdjustedXP,
		"dmg2014": d.DMG2014, "dmg2024": d.DMG2024,
	}
}
