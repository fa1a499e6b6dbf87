package demo

import (
	"context"
	"fmt"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"gametable/compendium"
)

// The demo bestiary: creatures and gear of the Hollow Marches, the setting
// of the demo campaign, so that a fresh server shows the compendium, the
// encounter builder and a combat without any imported data. Every name,
// number and word of it was written for gametable; the stat blocks only
// follow the 5e format (challenge rating, XP and proficiency bonus by the
// rules' tables, hit points the average of their dice).

// Bestiary book and encounter names, the keys of their idempotence.
const (
	BestiarySlug  = "gametable-demo-bestiary"
	BestiaryTitle = "Hollow Marches Bestiary (gametable demo)"
	EncounterName = "Ambush at the Drowned Bell"
)

// loadBestiary stores the bestiary in its tool-only book (every campaign's
// compendium shows tool-only books) and gives the demo campaign its
// encounter, unless it has one of that name. Storing is an upsert by book
// and index, so a later run updates changed entries in place and leaves
// the rest alone.
func loadBestiary(ctx context.Context, tx pgx.Tx, campaignID uuid.UUID) error {
	book, err := compendium.EnsureBook(ctx, tx, compendium.ImportOptions{
		Slug:  BestiarySlug,
		Kind:  compendium.BookToolOnly,
		Title: BestiaryTitle,
	})
	if err != nil {
		return fmt.Errorf("demo bestiary: %w", err)
	}
	files := []*compendium.File{
		{Name: "demo monsters", Kind: compendium.KindMonsters, Records: len(bestiary), Monsters: bestiary},
		{Name: "demo equipment", Kind: compendium.KindEquipment, Records: len(equipment), Items: equipment},
		{Name: "demo magic items", Kind: compendium.KindMagicItems, Records: len(magicItems), Items: magicItems},
	}
	for _, f := range files {
		if _, err := compendium.Store(ctx, tx, book.ID, f, nil); err != nil {
			return fmt.Errorf("demo bestiary: %w", err)
		}
	}
	return ensureEncounter(ctx, tx, campaignID, book.ID)
}

// The demo encounter: two marsh stalkers rise from the reeds while a
// lantern wisp lures the party off the causeway. Without its own party it
// is rated for the players' levels (two level-3 characters: 250 XP, 625
// adjusted, hard under the 2014 rules; low under 2024).
const ambushNotes = `The green light the party saw on the first night was no lamplighter. When
the caravan camps by the half-sunk bell, a lantern wisp drifts along the
causeway to draw a guard into the reeds, where two marsh stalkers wait.
The stalkers try to drag their prey under and away; they flee once one of
them falls. Salt from the caravan's stores snuffs the wisp's light.`

var ambushMonsters = []struct {
	index string
	count int
}{
	{"marsh-stalker", 2},
	{"lantern-wisp", 1},
}

// ensureEncounter creates the demo encounter unless the campaign has one
// of that name.
func ensureEncounter(ctx context.Context, tx pgx.Tx, campaignID, bookID uuid.UUID) error {
	es, err := compendium.ListEncounters(ctx, tx, campaignID)
	if err != nil {
		return fmt.Errorf("demo encounter: %w", err)
	}
	for _, e := range es {
		if e.Name == EncounterName {
			return nil
		}
	}
	in := compendium.EncounterInput{Name: EncounterName, Notes: ambushNotes}
	for _, m := range ambushMonsters {
		id, err := bestiaryMonsterID(ctx, tx, campaignID, bookID, m.index)
		if err != nil {
			return err
		}
		in.Monsters = append(in.Monsters, compendium.EncounterMonsterInput{MonsterID: id, Count: m.count})
	}
	if _, err := compendium.CreateEncounter(ctx, tx, campaignID, in); err != nil {
		return fmt.Errorf("demo encounter: %w", err)
	}
	return nil
}

// bestiaryMonsterID finds a bestiary monster by its index, through the
// compendium as the campaign sees it.
func bestiaryMonsterID(ctx context.Context, tx pgx.Tx, campaignID, bookID uuid.UUID, index string) (uuid.UUID, error) {
	name := ""
	for _, m := range bestiary {
		if m.Index == index {
			name = m.Name
		}
	}
	page, err := compendium.ListMonsters(ctx, tx, campaignID, compendium.MonsterFilter{Q: name, Limit: compendium.MaxLimit})
	if err != nil {
		return uuid.Nil, fmt.Errorf("demo encounter: find %s: %w", index, err)
	}
	for _, m := range page.Items {
		if m.BookID == bookID && m.SourceIndex == index {
			return m.ID, nil
		}
	}
	return uuid.Nil, fmt.Errorf("demo encounter: the demo campaign cannot see %s of book %s", index, BestiarySlug)
}

// valuePtr returns a pointer to a copy of v, for the optional fields of
// the entries below.
func valuePtr[T any](v T) *T { return &v }

// bestiary is the demo's monsters, weakest first.
var bestiary = []compendium.Monster{
	{
		Index:                 "peat-toad",
		Name:                  "Peat Toad",
		Size:                  "Small",
		Type:                  "beast",
		Alignment:             "unaligned",
		ArmorClass:            11,
		ArmorClasses:          []compendium.ArmorClass{{Value: 11, Type: "dex"}},
		HitPoints:             7,
		HitDice:               "2d6",
		HitPointsRoll:         "2d6",
		Speed:                 compendium.Speed{Walk: "20 ft.", Swim: "20 ft."},
		Abilities:             compendium.Abilities{Str: 8, Dex: 12, Con: 11, Int: 2, Wis: 10, Cha: 3},
		InitiativeBonus:       1,
		SavingThrows:          []compendium.Bonus{},
		Skills:                []compendium.Bonus{{Name: "Stealth", Bonus: 3}},
		DamageVulnerabilities: []string{},
		DamageResistances:     []string{},
		DamageImmunities:      []string{},
		ConditionImmunities:   []string{},
		Senses:                compendium.Senses{PassivePerception: 10},
		Languages:             "—",
		ChallengeRating:       0.125,
		ProficiencyBonus:      2,
		XP:                    25,
		Traits: []compendium.Feature{
			{Name: "Mud Breather", Desc: "The toad breathes air and water alike, and can lie buried in wet peat for a day without coming up."},
		},
		Actions: []compendium.Feature{
			{
				Name:        "Sticky Tongue",
				Desc:        "Melee Weapon Attack: +3 to hit, reach 10 ft., one target. Hit: 3 (1d4 + 1) bludgeoning damage, and a Small or smaller target is pulled up to 5 feet toward the toad.",
				AttackBonus: valuePtr(3),
				Damage:      []compendium.Damage{{Dice: "1d4+1", Type: "Bludgeoning"}},
			},
		},
		LegendaryActions: []compendium.Feature{},
		Reactions: []compendium.Feature{
			{
				Name: "Peat Burst",
				Desc: "When a creature comes within 5 feet of the buried toad, the toad bursts out of the peat. Each creature within 5 feet of it must succeed on a DC 10 Dexterity saving throw or be blinded by flung mud until it uses an action to wipe its eyes.",
				DC:   &compendium.DC{Ability: "DEX", Value: 10, Success: "none"},
			},
		},
		Description: "Fat, brown and patient, peat toads lie under the bog's skin for days. Lamplighters step around any hummock that breathes.",
	},
	{
		Index:                 "bog-hound",
		Name:                  "Bog Hound",
		Size:                  "Medium",
		Type:                  "beast",
		Alignment:             "unaligned",
		ArmorClass:            12,
		ArmorClasses:          []compendium.ArmorClass{{Value: 12, Type: "dex"}},
		HitPoints:             13,
		HitDice:               "3d8",
		HitPointsRoll:         "3d8",
		Speed:                 compendium.Speed{Walk: "40 ft.", Swim: "20 ft."},
		Abilities:             compendium.Abilities{Str: 13, Dex: 14, Con: 11, Int: 3, Wis: 12, Cha: 5},
		InitiativeBonus:       2,
		SavingThrows:          []compendium.Bonus{},
		Skills:                []compendium.Bonus{{Name: "Perception", Bonus: 3}, {Name: "Stealth", Bonus: 4}},
		DamageVulnerabilities: []string{},
		DamageResistances:     []string{},
		DamageImmunities:      []string{},
		ConditionImmunities:   []string{},
		Senses:                compendium.Senses{PassivePerception: 13},
		Languages:             "—",
		ChallengeRating:       0.25,
		ProficiencyBonus:      2,
		XP:                    50,
		Traits: []compendium.Feature{
			{Name: "Nose for the Wounded", Desc: "The hound has advantage on Wisdom (Perception) checks to find a creature that is missing any of its hit points."},
			{Name: "Circling Pack", Desc: "Moving around a creature that another bog hound is within 5 feet of does not provoke opportunity attacks from that creature."},
		},
		Actions: []compendium.Feature{
			{
				Name:        "Mud-Slick Bite",
				Desc:        "Melee Weapon Attack: +3 to hit, reach 5 ft., one target. Hit: 6 (2d4 + 1) piercing damage. A creature hit must succeed on a DC 11 Strength saving throw or be knocked prone.",
				AttackBonus: valuePtr(3),
				DC:          &compendium.DC{Ability: "STR", Value: 11, Success: "none"},
				Damage:      []compendium.Damage{{Dice: "2d4+1", Type: "Piercing"}},
			},
		},
		LegendaryActions: []compendium.Feature{},
		Reactions:        []compendium.Feature{},
		Description:      "Lean grey dogs gone feral in the marsh, their coats matted with clay. They follow caravans for days, waiting for someone to fall behind.",
	},
	{
		Index:                 "lantern-wisp",
		Name:                  "Lantern Wisp",
		Size:                  "Tiny",
		Type:                  "undead",
		Alignment:             "neutral evil",
		ArmorClass:            14,
		ArmorClasses:          []compendium.ArmorClass{{Value: 14, Type: "dex"}},
		HitPoints:             10,
		HitDice:               "4d4",
		HitPointsRoll:         "4d4",
		Speed:                 compendium.Speed{Walk: "0 ft.", Fly: "40 ft.", Hover: true},
		Abilities:             compendium.Abilities{Str: 1, Dex: 18, Con: 10, Int: 8, Wis: 12, Cha: 12},
		InitiativeBonus:       4,
		SavingThrows:          []compendium.Bonus{},
		Skills:                []compendium.Bonus{{Name: "Deception", Bonus: 3}},
		DamageVulnerabilities: []string{},
		DamageResistances:     []string{"cold", "necrotic"},
		DamageImmunities:      []string{"poison"},
		ConditionImmunities:   []string{"exhaustion", "grappled", "poisoned", "prone", "restrained"},
		Senses:                compendium.Senses{Darkvision: "60 ft.", PassivePerception: 11},
		Languages:             "—",
		ChallengeRating:       0.25,
		ProficiencyBonus:      2,
		XP:                    50,
		Traits: []compendium.Feature{
			{Name: "False Lantern", Desc: "The wisp sheds dim green light in a 20-foot radius. Seen from more than 60 feet away, it cannot be told from a lamplighter's lantern."},
			{Name: "Snuffed by Salt", Desc: "A creature within 10 feet can throw a handful of salt at the wisp as an action. The wisp must succeed on a DC 10 Constitution saving throw or its light goes out and it can't use Chill Flicker until the end of its next turn."},
		},
		Actions: []compendium.Feature{
			{
				Name:        "Chill Flicker",
				Desc:        "Melee Spell Attack: +3 to hit, reach 5 ft., one creature. Hit: 5 (2d4) cold damage, and the target can't regain hit points until the start of the wisp's next turn.",
				AttackBonus: valuePtr(3),
				Damage:      []compendium.Damage{{Dice: "2d4", Type: "Cold"}},
			},
		},
		LegendaryActions: []compendium.Feature{},
		Reactions:        []compendium.Feature{},
		Description:      "What is left of a lamplighter who walked into the fog and did not come back. It still carries its light, and still wants company.",
	},
	{
		Index:                 "marsh-stalker",
		Name:                  "Marsh Stalker",
		Size:                  "Medium",
		Type:                  "monstrosity",
		Alignment:             "unaligned",
		ArmorClass:            13,
		ArmorClasses:          []compendium.ArmorClass{{Value: 13, Type: "natural"}},
		HitPoints:             22,
		HitDice:               "4d8",
		HitPointsRoll:         "4d8+4",
		Speed:                 compendium.Speed{Walk: "30 ft.", Swim: "30 ft."},
		Abilities:             compendium.Abilities{Str: 14, Dex: 14, Con: 12, Int: 6, Wis: 12, Cha: 6},
		InitiativeBonus:       2,
		SavingThrows:          []compendium.Bonus{},
		Skills:                []compendium.Bonus{{Name: "Perception", Bonus: 3}, {Name: "Stealth", Bonus: 4}},
		DamageVulnerabilities: []string{},
		DamageResistances:     []string{},
		DamageImmunities:      []string{},
		ConditionImmunities:   []string{},
		Senses:                compendium.Senses{Darkvision: "60 ft.", PassivePerception: 13},
		Languages:             "—",
		ChallengeRating:       0.5,
		ProficiencyBonus:      2,
		XP:                    100,
		Traits: []compendium.Feature{
			{Name: "Reed-Still", Desc: "While the stalker stands motionless in water or tall reeds, it looks like a clump of rotting reeds and nothing else."},
			{Name: "Drag Under", Desc: "The stalker swims at full speed while it grapples a creature of its size or smaller."},
		},
		Actions: []compendium.Feature{
			{
				Name:        "Hooked Claw",
				Desc:        "Melee Weapon Attack: +4 to hit, reach 10 ft., one target. Hit: 6 (1d8 + 2) piercing damage. A Medium or smaller target is grappled (escape DC 12); until the grapple ends, the stalker can't use its claw on another target.",
				AttackBonus: valuePtr(4),
				Damage:      []compendium.Damage{{Dice: "1d8+2", Type: "Piercing"}},
			},
		},
		LegendaryActions: []compendium.Feature{},
		Reactions:        []compendium.Feature{},
		Description:      "Long-limbed hunters with bark-brown hide and a hooked claw on each arm. They wait in the shallows for days and strike at whatever leans over the water.",
	},
	{
		Index:           "reed-hag",
		Name:            "Reed Hag",
		Size:            "Medium",
		Type:            "fey",
		Alignment:       "neutral evil",
		ArmorClass:      14,
		ArmorClasses:    []compendium.ArmorClass{{Value: 14, Type: "natural"}},
		HitPoints:       45,
		HitDice:         "7d8",
		HitPointsRoll:   "7d8+14",
		Speed:           compendium.Speed{Walk: "30 ft.", Swim: "30 ft."},
		Abilities:       compendium.Abilities{Str: 16, Dex: 12, Con: 14, Int: 13, Wis: 14, Cha: 15},
		InitiativeBonus: 1,
		SavingThrows:    []compendium.Bonus{},
		Skills: []compendium.Bonus{
			{Name: "Deception", Bonus: 4}, {Name: "Perception", Bonus: 4}, {Name: "Stealth", Bonus: 3},
		},
		DamageVulnerabilities: []string{},
		DamageResistances:     []string{},
		DamageImmunities:      []string{},
		ConditionImmunities:   []string{},
		Senses:                compendium.Senses{Darkvision: "60 ft.", PassivePerception: 14},
		Languages:             "Common, Sylvan",
		ChallengeRating:       2,
		ProficiencyBonus:      2,
		XP:                    450,
		Traits: []compendium.Feature{
			{Name: "Voice in the Reeds", Desc: "The hag can make her voice come from any point she can see within 60 feet, in any voice she has heard in the last day. A listener who succeeds on a DC 12 Wisdom (Insight) check knows the voice is false."},
			{Name: "Rooted", Desc: "While standing in water or mud, the hag has advantage on saving throws against being moved or knocked prone."},
		},
		Actions: []compendium.Feature{
			{Name: "Multiattack", Desc: "The hag makes two Rake attacks."},
			{
				Name:        "Rake",
				Desc:        "Melee Weapon Attack: +5 to hit, reach 5 ft., one target. Hit: 7 (1d8 + 3) slashing damage.",
				AttackBonus: valuePtr(5),
				Damage:      []compendium.Damage{{Dice: "1d8+3", Type: "Slashing"}},
			},
			{
				Name:   "Choking Silt",
				Desc:   "The hag breathes out grey silt in a 15-foot cone. Each creature in it must make a DC 12 Constitution saving throw, taking 10 (3d6) poison damage and being poisoned until the end of its next turn on a failure, or half as much damage and no poison on a success.",
				Usage:  "Recharge 5–6",
				DC:     &compendium.DC{Ability: "CON", Value: 12, Success: "half"},
				Damage: []compendium.Damage{{Dice: "3d6", Type: "Poison"}},
			},
		},
		LegendaryActions: []compendium.Feature{},
		Reactions:        []compendium.Feature{},
		Description:      "The reed hag trades in lost things: a name, a way home, a lantern's light. Caravans leave her a jar of honey at the marsh's edge and hope it is enough.",
	},
	{
		Index:                 "drowned-bellringer",
		Name:                  "Drowned Bellringer",
		Size:                  "Medium",
		Type:                  "undead",
		Alignment:             "neutral evil",
		ArmorClass:            13,
		ArmorClasses:          []compendium.ArmorClass{{Value: 13, Type: "armor", Note: "rusted chain shirt"}},
		HitPoints:             52,
		HitDice:               "8d8",
		HitPointsRoll:         "8d8+16",
		Speed:                 compendium.Speed{Walk: "20 ft.", Swim: "30 ft."},
		Abilities:             compendium.Abilities{Str: 17, Dex: 10, Con: 14, Int: 8, Wis: 10, Cha: 12},
		InitiativeBonus:       0,
		SavingThrows:          []compendium.Bonus{{Name: "CON", Bonus: 4}},
		Skills:                []compendium.Bonus{},
		DamageVulnerabilities: []string{},
		DamageResistances:     []string{"necrotic"},
		DamageImmunities:      []string{"poison"},
		ConditionImmunities:   []string{"exhaustion", "poisoned"},
		Senses:                compendium.Senses{Darkvision: "60 ft.", PassivePerception: 10},
		Languages:             "Common (it answers only with its bell)",
		ChallengeRating:       3,
		ProficiencyBonus:      2,
		XP:                    700,
		Traits: []compendium.Feature{
			{Name: "Last Toll", Desc: "When the bellringer drops to 0 hit points, its bell sounds once. Each creature within 20 feet of it must succeed on a DC 11 Wisdom saving throw or be frightened until the end of its next turn.", DC: &compendium.DC{Ability: "WIS", Value: 11, Success: "none"}},
			{Name: "Waterlogged", Desc: "Out of the water, the bellringer squelches with every step and has disadvantage on Dexterity (Stealth) checks."},
		},
		Actions: []compendium.Feature{
			{Name: "Multiattack", Desc: "The bellringer makes two Clapper Flail attacks."},
			{
				Name:        "Clapper Flail",
				Desc:        "Melee Weapon Attack: +5 to hit, reach 10 ft., one target. Hit: 8 (1d10 + 3) bludgeoning damage.",
				AttackBonus: valuePtr(5),
				Damage:      []compendium.Damage{{Dice: "1d10+3", Type: "Bludgeoning"}},
			},
			{
				Name:   "Knell",
				Desc:   "The bellringer strikes the bell on its back. Each creature within 30 feet that can hear it must make a DC 12 Constitution saving throw, taking 9 (2d8) thunder damage and being deafened until the end of its next turn on a failure, or half as much damage on a success.",
				Usage:  "Recharge 5–6",
				DC:     &compendium.DC{Ability: "CON", Value: 12, Success: "half"},
				Damage: []compendium.Damage{{Dice: "2d8", Type: "Thunder"}},
			},
		},
		LegendaryActions: []compendium.Feature{},
		Reactions:        []compendium.Feature{},
		Description:      "The Order of the Ninth Wick hung a bell over the marsh road to warn travellers of the fog. When the road sank, its ringer stayed at his post. He is still ringing.",
	},
}

// equipment is the demo's mundane gear.
var equipment = []compendium.Item{
	{
		Index:    "marsh-lantern",
		Name:     "Marsh Lantern",
		Category: "Adventuring Gear",
		TypeLine: "Adventuring Gear",
		Cost:     &compendium.Cost{Quantity: 8, Unit: "gp"},
		Weight:   valuePtr(3.0),
		Text: []string{
			"A hooded lantern with a shutter of green glass and a long hook for hanging it from a cart pole. It casts bright light in a 30-foot cone and dim light for another 30 feet, and burns for 6 hours on a pint of oil.",
			"Lamplighters paint a white stripe on the hood so that a real lantern can be told from a wisp's glow at a glance.",
		},
	},
}

// magicItems is the demo's magic items.
var magicItems = []compendium.Item{
	{
		Index:    "lamplighters-wick",
		Name:     "Lamplighter's Wick",
		Category: "Wondrous Items",
		Magic:    true,
		Rarity:   "Uncommon",
		TypeLine: "Wondrous item, uncommon",
		Text: []string{
			"A coil of waxed cord stamped with the sign of the Order of the Ninth Wick. A lantern or candle lit with it burns without fuel for 8 hours, and neither wind nor rain puts it out; only a pinch does.",
			"While the flame burns, creatures in its bright light have advantage on saving throws against being charmed. The coil is enough for 3 lightings and grows back one each dawn.",
		},
	},
	{
		Index:    "reedwalker-boots",
		Name:     "Reedwalker Boots",
		Category: "Wondrous Items",
		Magic:    true,
		Rarity:   "Uncommon",
		TypeLine: "Wondrous item, uncommon",
		Text: []string{
			"Boots of oiled eel-leather with soles woven from marsh reed. While you wear them, mud, shallow water and marsh plants are not difficult terrain for you, and you leave no tracks in them.",
		},
	},
	{
		Index:              "clapper-of-the-drowned-bell",
		Name:               "Clapper of the Drowned Bell",
		Category:           "Wondrous Items",
		Magic:              true,
		Rarity:             "Rare",
		TypeLine:           "Wondrous item, rare (requires attunement)",
		RequiresAttunement: true,
		Weight:             valuePtr(2.0),
		Text: []string{
			"A green-bronze bell clapper the size of a fist, cold and always a little damp. While you are attuned to it, undead cannot frighten you.",
			"As an action, you can strike the clapper against metal to sound a knell. Each undead within 30 feet of you must succeed on a DC 13 Wisdom saving throw or be turned for 1 minute or until it takes damage. Once used, the knell can't be sounded again until the next dawn.",
		},
	},
}
