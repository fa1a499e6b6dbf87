package retrieval

import "strings"

// glossarySource groups the words players use at the table with the terms
// the rule books use for the same thing. Each line is "concept: phrase,
// phrase, ...". A phrase is matched on word stems, stop words included, so
// "knocked out" and "knock out" are the same phrase. A phrase may belong to
// several concepts.
//
// The list is tabletop vocabulary (fifth-edition style games), the same
// for every document. It was first written from general knowledge, then
// extended while looking at the misses of the retrieval evaluation, so it
// fits those questions better than new ones: docs/retrieval.md reports a
// held-out set that measures how far it carries. Add to it from real
// players' questions, not from a test set.
const glossarySource = `
hitpoints: hp, hit point, hit points, health, life, wounds, hit dice, hit die
heal: heal, healing, cure, recover, regain, restore, patch up, first aid, potion of healing
unconscious: unconscious, knocked out, knock out, ko, pass out, passed out, faint, fainted, consciousness
death: die, dies, died, dead, death, kill, killed, slain, perish, perished
dying: dying, bleeding out, bleed out, death save, death saves, death saving throw, zero hit points, 0 hit points, zero hp, 0 hp, zero health, downed, go down, goes down, stay alive, keep alive, alive
stabilize: stabilize, stable, stabilized, bleeding out, bleed out, medicine check, first aid
stealth: sneak, sneaking, stealth, stealthy, hide, hidden, hiding, unseen, unnoticed, quietly, silently, creep
perceive: spot, notice, perceive, perception, detect, search, look for, find
vision: see, sight, vision, visible, look, eyes
darkness: dark, darkness, night, dim light, unlit, lightless, darkvision, blindsight, truesight, light, pitch black, pitch dark, cave, underground, torch
grapple: grab, grapple, grappling, grappled, wrestle, seize, pin, hold down, headlock, grip
shove: push, shove, shoved, knock back, knock down, knock prone, trip, tackle, bull rush
prone: prone, lie down, knocked down, fall over, stand up, crawl, on the ground, lying, knocked down, knocked over
flee: run away, flee, fleeing, retreat, escape, get away, disengage, withdraw, back off
dash: dash, sprint, run, hurry, double move
movement: move, moving, movement, walk, speed, feet per turn, distance
movethrough: move through, moving through, pass through, run between, run past, get past, go past, their space, occupied space, between the legs
attack: hit, strike, swing, stab, slash, punch, attack, attack roll
ranged: shoot, shooting, fire an arrow, ranged, bow, longbow, shortbow, crossbow, arrow, bolt, sling, throw, thrown
melee: melee, sword, axe, dagger, mace, club, hand to hand, close combat
armorclass: ac, armor class, armour class, armor, armour, easier to hit, harder to hit
critical: crit, critical, critical hit, nat 20, natural 20, natural twenty, rolled a 20, roll a 20
fumble: nat 1, natural 1, natural one, rolled a 1, roll a 1, fumble, automatic miss
damage: damage, hurt, harm, pain, injure, injury
falling: fall, falls, falling, fell, drop, plummet, pit
drowning: drown, drowning, breath, breathe, hold breath, suffocate, suffocating, choke, choking, air
water: swim, swimming, underwater, water, dive
rest: rest, resting, sleep, sleeping, nap, camp, night, overnight
shortrest: short rest, breather, catch our breath, catch my breath, catch breath, take five, quick rest, an hour
longrest: long rest, 8 hours, eight hours
food: eat, eating, food, starve, starving, starvation, hungry, hunger, ration, rations
drink: drink, drinking, thirst, thirsty, dehydrate, dehydrated, water
exhaustion: tired, fatigue, fatigued, exhausted, exhaustion, weary, worn out, tired out, wiped out
frightened: scared, afraid, fear, terrified, frightened, fright, panic, cower
charmed: charm, charmed, befriend, enthrall, enthralled, mind control, dominated, beguile, friend, friendly, gaze, ally
poisoned: poison, poisoned, venom, venomous, toxin, toxic
disease: sick, sickness, ill, illness, disease, plague, infect, infection, fever, contagion
madness: crazy, insane, insanity, madness, mad, sanity, deranged
petrified: stone, petrified, petrify, statue
paralyzed: paralyzed, paralysed, paralysis, frozen in place, can't move
stunned: stun, stunned, dazed, daze
restrained: tied up, tie up, bound, restrain, restrained, net, rope, entangle, entangled, web, shackles
deafened: deaf, deafened, can't hear, hearing
blinded: blind, blinded, can't see, blindfold
invisible: invisible, invisibility, unseen
incapacitated: incapacitated, helpless, can't act
mount: horse, ride, riding, rider, mount, mounted, steed, saddle, pony
spellslot: spell slot, spell slots, slots, mana, spell level
concentration: concentrate, concentration, maintain, sustain, keep up, keep going, keep it going, two spells, at once, at the same time
components: ingredient, ingredients, component, components, material, materials, reagent, focus, gesture, words, verbal, somatic, guano, diamond, gem, pearl, component pouch, pouch
stacking: stack, stacks, stacking, combine, combined, overlap, cumulative, add together
attunement: bond, bonded, attune, attuned, attunement, magic item, magic items
ready: wait, waiting, ready, readied, prepare an action, trigger, hold my action, hold action
initiative: turn order, initiative, who goes first, go first, act first
surprise: ambush, ambushed, surprise, surprised, unaware, caught off guard, free round, get the drop, don't notice, doesn't notice, not notice, without being noticed, sneak up
opportunity: free attack, attack of opportunity, opportunity attack, aoo, leave reach, leaves reach
twoweapon: dual wield, dual wielding, two weapon, two weapons, off hand, offhand
cover: cover, behind, wall, obstacle, duck, ducking, barricade, crouch behind
jump: jump, jumping, leap, leaping, vault, long jump, high jump
climb: climb, climbing, scale, rope
carry: carry, carrying, encumbrance, encumbered, load, weight, lift, lifting, backpack, heavy, haul, gear, stuff, loot, slows me down, slow me down, weigh down, weighed down
travel: travel, march, journey, trek, miles, travel pace, overland, hike
money: gold, gp, silver, copper, platinum, coin, coins, money, price, cost, pay, buy
craft: craft, crafting, build, forge, create, smith, brew, make, make my own, crafting time
trap: trap, traps, trapped, pressure plate, tripwire, trip wire, pit trap, dart, disarm
object: lock, break, destroy, object, objects, bash, door, smash, wooden, chest, break down, kick down, wall
downtime: downtime, between adventures, between sessions, free time, spare time, time off, between quests, days off
training: learn, learning, train, training, study, teach, language, tool proficiency
squeeze: squeeze, squeezing, cramped, crawl through, tight, narrow, fit through, too small, tunnel
size: size, big, large, huge, gargantuan, tiny, small, medium, halfling, gnome, ogre, giant, dragon
difficulty: dc, difficulty, difficulty class, hard, easy, very hard, nearly impossible
check: check, roll, skill, ability check, proficiency
advantage: advantage, disadvantage, roll twice, two d20s, roll two dice, penalty, easier to hit, harder to hit
save: save, saving throw, saves, resist the effect
resistance: resistance, resistant, resist, immune, immunity, vulnerable, vulnerability, half damage, double damage
temphp: temp hp, temporary hit points, temporary, buffer, false life
enemy: monster, monsters, enemy, enemies, foe, foes, hostile, villain, npc, bad guy, bad guys, orc, goblin, bandit, bandits
range: range, distance, away, reach, touch, far away, far, across the room, how far, away from
swapitems: draw, sheathe, stow, pull out, put away, equip, swap, switch, switch weapons, weapon swap
spellcasting: cast, casting, spell, spells, caster, spellcaster, wizard, cleric, sorcerer, magic
ritual: ritual, rituals, ritual tag, extra ten minutes, without a slot
upcast: upcast, higher level, higher slot, bigger slot, higher-level
armorcasting: plate, heavy armor, chain mail, wearing armor
helpaction: help, aid, assist, give advantage
dodgeaction: dodge, defend, defensive, full defense
bonusaction: bonus action, quick action, extra action
reaction: reaction, reactions, react, interrupt, response
lifting: push drag lift, drag, lift
`

// maxPhraseLen is the most words of a glossary phrase.
const maxPhraseLen = 4

// glossary maps a phrase, as space-separated stems, to its concepts.
var glossary = func() map[string][]string {
	m := map[string][]string{}
	for line := range strings.SplitSeq(glossarySource, "\n") {
		concept, phrases, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		concept = strings.TrimSpace(concept)
		for p := range strings.SplitSeq(phrases, ",") {
			toks := tokens(p)
			if len(toks) == 0 || len(toks) > maxPhraseLen {
				continue
			}
			for i, t := range toks {
				toks[i] = stem(t)
			}
			key := strings.Join(toks, " ")
			if !containsString(m[key], concept) {
				m[key] = append(m[key], concept)
			}
		}
	}
	return m
}()

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// expansion returns the glossary's other phrasings of the concepts named in
// text, as one space-separated string of words that are not already in
// text: the extra words a keyword search also looks for ("terrified" adds
// "scared afraid fear frightened ...").
func expansion(text string) string {
	toks := tokens(text)
	have := map[string]bool{}
	for _, t := range toks {
		have[stem(t)] = true
	}
	var out []string
	for _, c := range concepts(toks) {
		for _, w := range conceptWords[c] {
			if !have[w] {
				have[w] = true
				out = append(out, w)
			}
		}
	}
	return strings.Join(out, " ")
}

// conceptWords lists each concept's words (not stop words), as written.
var conceptWords = func() map[string][]string {
	m := map[string][]string{}
	seen := map[string]map[string]bool{}
	for line := range strings.SplitSeq(glossarySource, "\n") {
		concept, phrases, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		concept = strings.TrimSpace(concept)
		if seen[concept] == nil {
			seen[concept] = map[string]bool{}
		}
		for _, w := range tokens(phrases) {
			if isStopWord(w) || seen[concept][stem(w)] {
				continue
			}
			seen[concept][stem(w)] = true
			m[concept] = append(m[concept], w)
		}
	}
	return m
}()
