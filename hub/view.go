package hub

// This file projects the live state into the two views of CONTRACT.md
// section 7.
//
// The GM view is the whole state, plus combat.difficulty for a combat from
// an encounter (difficulty.go). The player view:
//   - never carries combat.difficulty;
//   - leaves out hidden combatants everywhere: in combatants, in order, and
//     turn while one of them acts;
//   - for combatants that are not player characters, replaces hp, maxHp and
//     tempHp by health ("healthy", "bloodied" at half HP or less, "down" at
//     0) and leaves out ac, initiativeBonus, monsterId and npcId (they would
//     give the stat block away);
//   - never carries the GM-only "hidden" flag.
//
// No projection holds a JSON null: an absent key means "none".

// projector projects the state for one view and caches the projection of
// each part by the part's identity (parts are copy-on-write, see state), so
// that an unchanged part projects to the very same doc and diff skips it.
// One projector per view lives in the hub goroutine; it is not safe for
// concurrent use.
type projector struct {
	view View

	campaign     campaignInfo
	campaignNode doc

	presence        *presence
	presenceVersion uint64
	presenceNode    doc

	polls     *pollSet
	pollsNode doc

	combat     *combat
	combatNode doc
	// combatants caches each combatant's node by the combatant's identity.
	combatants map[*combatant]doc
}

func newProjector(v View) *projector {
	return &projector{view: v}
}

// project returns the state document of s for the projector's view.
func (p *projector) project(s *state) doc {
	d := make(doc, 4)
	if p.campaignNode == nil || p.campaign != s.campaign {
		p.campaign = s.campaign
		p.campaignNode = doc{"id": s.campaign.id, "name": s.campaign.name}
	}
	d["campaign"] = p.campaignNode

	if p.presenceNode == nil || p.presence != s.presence || p.presenceVersion != s.presence.version {
		p.presence, p.presenceVersion = s.presence, s.presence.version
		p.presenceNode = projectPresence(s.presence)
	}
	d["presence"] = p.presenceNode

	if p.pollsNode == nil || p.polls != s.polls {
		p.polls = s.polls
		p.pollsNode = projectPolls(s.polls)
	}
	d["polls"] = p.pollsNode

	if s.combat != nil {
		if p.combatNode == nil || p.combat != s.combat {
			p.combatNode = p.projectCombat(s.combat)
			p.combat = s.combat
		}
		d["combat"] = p.combatNode
	} else {
		p.combat, p.combatNode, p.combatants = nil, nil, nil
	}
	return d
}

// projectCombatOnly returns the combat object of s for the view, or nil
// when no combat runs (GET /combat).
func (p *projector) projectCombatOnly(s *state) doc {
	if s.combat == nil {
		return nil
	}
	return p.project(s)["combat"].(doc)
}

func projectPresence(pr *presence) doc {
	d := make(doc, len(pr.users))
	for id, u := range pr.users {
		d[id] = doc{"displayName": u.displayName, "role": string(u.role), "connections": u.connections}
	}
	return d
}

func projectPolls(ps *pollSet) doc {
	d := make(doc, len(ps.polls))
	for id, pl := range ps.polls {
		opts := make(doc, len(pl.options))
		for oid, o := range pl.options {
			votes := make(doc, len(o.votes))
			for uid, a := range o.votes {
				votes[uid] = a
			}
			od := doc{"startsAt": o.startsAt, "votes": votes}
			if o.endsAt != "" {
				od["endsAt"] = o.endsAt
			}
			opts[oid] = od
		}
		pd := doc{"title": pl.title, "status": pl.status, "options": opts}
		if pl.closesAt != "" {
			pd["closesAt"] = pl.closesAt
		}
		d[id] = pd
	}
	return d
}

func (p *projector) projectCombat(c *combat) doc {
	gm := p.view == ViewGM
	nodes := make(doc, len(c.combatants))
	cache := make(map[*combatant]doc, len(c.combatants))
	order := make([]string, 0, len(c.order))
	for _, id := range c.order {
		cb := c.combatants[id]
		if cb.hidden && !gm {
			continue
		}
		order = append(order, id)
		n := p.combatants[cb]
		if n == nil {
			n = projectCombatant(cb, gm)
		}
		cache[cb] = n
		nodes[id] = n
	}
	p.combatants = cache
	d := doc{"id": c.id, "round": c.round, "order": order, "combatants": nodes}
	if gm {
		if diff, ok := combatDifficulty(c); ok {
			d["difficulty"] = projectDifficulty(diff)
		}
	}
	if c.turn != "" {
		if cb := c.combatants[c.turn]; cb != nil && (gm || !cb.hidden) {
			d["turn"] = c.turn
		}
	}
	return d
}

func projectCombatant(cb *combatant, gm bool) doc {
	d := make(doc, 14)
	d["name"] = cb.name
	d["kind"] = cb.kind
	if cb.hasInit {
		d["initiative"] = cb.initiative
	}
	conds := make(doc, len(cb.conditions))
	for name, rounds := range cb.conditions {
		if rounds > 0 {
			conds[name] = doc{"rounds": rounds}
		} else {
			conds[name] = doc{}
		}
	}
	d["conditions"] = conds
	if cb.userID != "" {
		d["userId"] = cb.userID
	}
	if !gm && cb.kind != kindPC {
		d["health"] = health(cb.hp, cb.maxHP)
		return d
	}
	d["initiativeBonus"] = cb.initBonus
	d["hp"] = cb.hp
	d["maxHp"] = cb.maxHP
	d["tempHp"] = cb.tempHP
	if cb.hasAC {
		d["ac"] = cb.ac
	}
	if gm {
		d["hidden"] = cb.hidden
		if cb.monsterID != "" {
			d["monsterId"] = cb.monsterID
		}
		if cb.npcID != "" {
			d["npcId"] = cb.npcID
		}
	}
	return d
}

// health is what players see of a non-player combatant's hit points.
func health(hp, maxHP int) string {
	switch {
	case hp <= 0:
		return "down"
	case 2*hp <= maxHP:
		return "bloodied"
	}
	return "healthy"
}
