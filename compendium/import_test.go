package compendium

import (
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
)

// srdParsed caches parsed SRD files across tests (parsing under -race is
// slow); tests only read them.
var srdParsed = struct {
	sync.Mutex
	files map[string]*File
}{files: map[string]*File{}}

// parseSRD parses one SRD file, once per test binary, and requires it to be
// clean.
func parseSRD(t *testing.T, name string) *File {
	t.Helper()
	srdParsed.Lock()
	defer srdParsed.Unlock()
	if f, ok := srdParsed.files[name]; ok {
		return f
	}
	f, err := ParseFile(filepath.Join(srdDir(t), name))
	require.NoError(t, err)
	require.Empty(t, f.Errors)
	srdParsed.files[name] = f
	return f
}

func findMonster(t *testing.T, f *File, index string) Monster {
	t.Helper()
	for _, m := range f.Monsters {
		if m.Index == index {
			return m
		}
	}
	t.Fatalf("monster %s not found", index)
	return Monster{}
}

func findItem(t *testing.T, f *File, index string) Item {
	t.Helper()
	for _, it := range f.Items {
		if it.Index == index {
			return it
		}
	}
	t.Fatalf("item %s not found", index)
	return Item{}
}

func intp(n int) *int { return &n }

func TestParse_SRDMonsters(t *testing.T) {
	t.Parallel()
	f := parseSRD(t, "5e-SRD-Monsters.json")
	require.Equal(t, KindMonsters, f.Kind)
	require.Equal(t, 334, f.Records)
	require.Len(t, f.Monsters, 334)
	require.Empty(t, f.Items)

	goblin := findMonster(t, f, "goblin")
	require.Equal(t, Monster{
		Index:      "goblin",
		Name:       "Goblin",
		Size:       "Small",
		Type:       "humanoid",
		Subtype:    "goblinoid",
		Alignment:  "neutral evil",
		ArmorClass: 15,
		ArmorClasses: []ArmorClass{
			{Value: 15, Type: "armor", Note: "leather armor, shield"},
		},
		HitPoints:             7,
		HitDice:               "2d6",
		HitPointsRoll:         "2d6",
		Speed:                 Speed{Walk: "30 ft."},
		Abilities:             Abilities{Str: 8, Dex: 14, Con: 10, Int: 10, Wis: 8, Cha: 8},
		InitiativeBonus:       2,
		SavingThrows:          []Bonus{},
		Skills:                []Bonus{{Name: "Stealth", Bonus: 6}},
		DamageVulnerabilities: []string{},
		DamageResistances:     []string{},
		DamageImmunities:      []string{},
		ConditionImmunities:   []string{},
		Senses:                Senses{Darkvision: "60 ft.", PassivePerception: 9},
		Languages:             "Common, Goblin",
		ChallengeRating:       0.25,
		ProficiencyBonus:      2,
		XP:                    50,
		Traits: []Feature{{
			Name: "Nimble Escape",
			Desc: "The goblin can take the Disengage or Hide action as a bonus action on each of its turns.",
		}},
		Actions: []Feature{
			{
				Name:        "Scimitar",
				Desc:        "Melee Weapon Attack: +4 to hit, reach 5 ft., one target. Hit: 5 (1d6 + 2) slashing damage.",
				AttackBonus: intp(4),
				Damage:      []Damage{{Dice: "1d6+2", Type: "Slashing"}},
			},
			{
				Name:        "Shortbow",
				Desc:        "Ranged Weapon Attack: +4 to hit, range 80/320 ft., one target. Hit: 5 (1d6 + 2) piercing damage.",
				AttackBonus: intp(4),
				Damage:      []Damage{{Dice: "1d6+2", Type: "Piercing"}},
			},
		},
		LegendaryActions: []Feature{},
		Reactions:        []Feature{},
	}, goblin)

	dragon := findMonster(t, f, "adult-red-dragon")
	require.Equal(t, "Adult Red Dragon", dragon.Name)
	require.Equal(t, "Huge", dragon.Size)
	require.Equal(t, "dragon", dragon.Type)
	require.Equal(t, "", dragon.Subtype)
	require.Equal(t, "chaotic evil", dragon.Alignment)
	require.Equal(t, 19, dragon.ArmorClass)
	require.Equal(t, []ArmorClass{{Value: 19, Type: "natural", Note: "natural armor"}}, dragon.ArmorClasses)
	require.Equal(t, 256, dragon.HitPoints)
	require.Equal(t, "19d12", dragon.HitDice)
	require.Equal(t, "19d12+133", dragon.HitPointsRoll)
	require.Equal(t, Speed{Walk: "40 ft.", Climb: "40 ft.", Fly: "80 ft."}, dragon.Speed)
	require.Equal(t, Abilities{Str: 27, Dex: 10, Con: 25, Int: 16, Wis: 13, Cha: 21}, dragon.Abilities)
	require.Equal(t, 0, dragon.InitiativeBonus)
	require.Equal(t, []Bonus{{"DEX", 6}, {"CON", 13}, {"WIS", 7}, {"CHA", 11}}, dragon.SavingThrows)
	require.Equal(t, []Bonus{{"Perception", 13}, {"Stealth", 6}}, dragon.Skills)
	require.Equal(t, []string{"fire"}, dragon.DamageImmunities)
	require.Equal(t, Senses{Blindsight: "60 ft.", Darkvision: "120 ft.", PassivePerception: 23}, dragon.Senses)
	require.Equal(t, "Common, Draconic", dragon.Languages)
	require.Equal(t, 17.0, dragon.ChallengeRating)
	require.Equal(t, 18000, dragon.XP)
	require.Equal(t, 6, dragon.ProficiencyBonus)
	require.Equal(t, []Feature{{
		Name:  "Legendary Resistance",
		Desc:  "If the dragon fails a saving throw, it can choose to succeed instead.",
		Usage: "3/Day",
	}}, dragon.Traits)
	require.Len(t, dragon.Actions, 6)
	require.Equal(t, "Multiattack", dragon.Actions[0].Name)
	require.Equal(t, Feature{
		Name:        "Bite",
		Desc:        "Melee Weapon Attack: +14 to hit, reach 10 ft., one target. Hit: 19 (2d10 + 8) piercing damage plus 7 (2d6) fire damage.",
		AttackBonus: intp(14),
		Damage:      []Damage{{Dice: "2d10+8", Type: "Piercing"}, {Dice: "2d6", Type: "Fire"}},
	}, dragon.Actions[1])
	breath := dragon.Actions[5]
	require.Equal(t, "Fire Breath", breath.Name)
	require.Equal(t, "Recharge 5–6", breath.Usage)
	require.Equal(t, &DC{Ability: "DEX", Value: 21, Success: "none"}, breath.DC)
	require.Equal(t, []Damage{{Dice: "18d6", Type: "Fire"}}, breath.Damage)
	require.Len(t, dragon.LegendaryActions, 3)
	require.Equal(t, "Wing Attack (Costs 2 Actions)", dragon.LegendaryActions[2].Name)
	require.Equal(t, &DC{Ability: "DEX", Value: 22, Success: "none"}, dragon.LegendaryActions[2].DC)
	require.Empty(t, dragon.Reactions)

	// Two armour classes, a condition immunity list, a reaction, forms.
	archmage := findMonster(t, f, "archmage")
	require.Equal(t, 12, archmage.ArmorClass)
	require.Equal(t, []ArmorClass{{12, "dex", ""}, {15, "spell", "mage armor"}}, archmage.ArmorClasses)
	require.Equal(t, 2, archmage.InitiativeBonus) // DEX 14
	require.NotEmpty(t, archmage.Description)
	vampire := findMonster(t, f, "vampire-vampire")
	require.Len(t, vampire.Forms, 2)
	for _, m := range f.Monsters {
		require.Equal(t, DexModifier(m.Abilities.Dex), m.InitiativeBonus, m.Index)
	}
}

func TestParse_SRDItems(t *testing.T) {
	t.Parallel()
	eq := parseSRD(t, "5e-SRD-Equipment.json")
	require.Equal(t, KindEquipment, eq.Kind)
	require.Len(t, eq.Items, 237)
	require.Empty(t, eq.Monsters)

	w := 3.0
	require.Equal(t, Item{
		Index:    "longsword",
		Name:     "Longsword",
		Category: "Weapon",
		TypeLine: "Martial Melee Weapon",
		Cost:     &Cost{Quantity: 15, Unit: "gp"},
		Weight:   &w,
		Text:     []string{},
		Weapon: &Weapon{
			Category:        "Martial",
			Range:           "Melee",
			Damage:          &Damage{Dice: "1d8", Type: "Slashing"},
			TwoHandedDamage: &Damage{Dice: "1d10", Type: "Slashing"},
			Normal:          5,
			Properties:      []string{"Versatile"},
		},
	}, findItem(t, eq, "longsword"))

	chain := findItem(t, eq, "chain-mail")
	require.Equal(t, "Heavy Armor", chain.TypeLine)
	require.Equal(t, &Armor{Category: "Heavy", BaseAC: 16, StrMinimum: 13, StealthDisadvantage: true}, chain.Armor)
	require.False(t, chain.Magic)
	require.Empty(t, chain.Rarity)

	dagger := findItem(t, eq, "dagger")
	require.Equal(t, 20, dagger.Weapon.ThrowNormal)
	require.Equal(t, 60, dagger.Weapon.ThrowLong)

	pack := findItem(t, eq, "burglars-pack")
	require.Equal(t, "Equipment Packs", pack.TypeLine)
	require.Contains(t, pack.Pack, PackItem{Name: "Candle", Quantity: 5})

	mi := parseSRD(t, "5e-SRD-Magic-Items.json")
	require.Equal(t, KindMagicItems, mi.Kind)
	require.Len(t, mi.Items, 362)

	bag := findItem(t, mi, "bag-of-holding")
	require.Equal(t, "Bag of Holding", bag.Name)
	require.Equal(t, "Wondrous Items", bag.Category)
	require.True(t, bag.Magic)
	require.Equal(t, "Uncommon", bag.Rarity)
	require.Equal(t, "Wondrous item, uncommon", bag.TypeLine)
	require.False(t, bag.RequiresAttunement)
	require.Len(t, bag.Text, 3)
	require.Nil(t, bag.Cost)

	armor := findItem(t, mi, "armor")
	require.Equal(t, "Varies", armor.Rarity)
	require.Equal(t, []string{"Armor, +1", "Armor, +2", "Armor, +3"}, armor.Variants)
	plus1 := findItem(t, mi, "armor-1")
	require.True(t, plus1.Variant)
	require.Equal(t, "Armor (light, medium, or heavy), rare", plus1.TypeLine)
	require.Equal(t, []string{"You have a +1 bonus to AC while wearing this armor."}, plus1.Text)

	belt := findItem(t, mi, "belt-of-giant-strength")
	require.True(t, belt.RequiresAttunement)

	variants, parents := 0, 0
	for _, it := range mi.Items {
		if it.Variant {
			variants++
		}
		if len(it.Variants) > 0 {
			parents++
		}
	}
	require.Equal(t, 123, variants)
	require.Equal(t, 21, parents)
}

// TestParse_KindByContent gives files misleading names: the kind comes from
// the records.
func TestParse_KindByContent(t *testing.T) {
	t.Parallel()
	dir := srdDir(t)
	tmp := t.TempDir()
	for src, dst := range map[string]string{
		"5e-SRD-Magic-Items.json": "monsters.json",
		"5e-SRD-Monsters.json":    "equipment.json",
		"5e-SRD-Equipment.json":   "magic-items.json",
	} {
		b, err := os.ReadFile(filepath.Join(dir, src))
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(tmp, dst), b, 0o600))
	}
	f, err := ParseFile(filepath.Join(tmp, "monsters.json"))
	require.NoError(t, err)
	require.Equal(t, KindMagicItems, f.Kind)
	f, err = ParseFile(filepath.Join(tmp, "equipment.json"))
	require.NoError(t, err)
	require.Equal(t, KindMonsters, f.Kind)
	f, err = ParseFile(filepath.Join(tmp, "magic-items.json"))
	require.NoError(t, err)
	require.Equal(t, KindEquipment, f.Kind)

	for _, other := range []string{"5e-SRD-Spells.json", "5e-SRD-Rule-Sections.json", "5e-SRD-Conditions.json"} {
		_, err := ParseFile(filepath.Join(dir, other))
		require.ErrorIs(t, err, ErrUnrecognised, other)
	}
}

func TestParse_Malformed(t *testing.T) {
	t.Parallel()
	const good = `{"index":"imp-a","name":"Test Imp","size":"Tiny","type":"fiend","alignment":"lawful evil",
		"armor_class":[{"type":"natural","value":13}],"hit_points":10,"hit_dice":"3d4",
		"speed":{"walk":"20 ft."},"strength":6,"dexterity":17,"constitution":13,"intelligence":11,
		"wisdom":12,"charisma":14,"proficiencies":[],"damage_vulnerabilities":[],"damage_resistances":[],
		"damage_immunities":[],"condition_immunities":[],"senses":{"passive_perception":11},
		"languages":"","challenge_rating":1,"xp":200}`
	src := `[` + good + `,
		{"index":"bad-hp","name":"Bad HP","challenge_rating":1,"hit_points":"many"},
		{"name":"No Index","challenge_rating":1,"hit_points":3},
		{"index":"bad-cr","name":"Bad CR","size":"Tiny","type":"fiend","alignment":"",
		 "armor_class":[{"type":"natural","value":13}],"hit_points":3,"strength":6,"dexterity":17,
		 "constitution":13,"intelligence":11,"wisdom":12,"charisma":14,"challenge_rating":0.3},
		17,
		` + good + `,
		{"index":"no-dex","name":"No Dex","armor_class":[{"type":"natural","value":13}],"hit_points":3,
		 "strength":6,"constitution":13,"intelligence":11,"wisdom":12,"charisma":14,"challenge_rating":1}
	]`
	f, err := Parse("broken.json", []byte(src))
	require.NoError(t, err)
	require.Equal(t, KindMonsters, f.Kind)
	require.Equal(t, 7, f.Records)
	require.Len(t, f.Monsters, 1)
	require.Equal(t, "imp-a", f.Monsters[0].Index)

	type got struct {
		Pos   int
		Index string
		Msg   string
	}
	var errs []got
	for _, e := range f.Errors {
		errs = append(errs, got{e.Position, e.Index, e.Err.Error()})
	}
	require.Equal(t, []got{
		{2, "bad-hp", "hit_points: string where int was expected"},
		{3, "", "index: missing"},
		{4, "bad-cr", "challenge_rating: challenge rating must be 0, 1/8, 1/4, 1/2 or a whole number 1 to 30: 0.3"},
		{5, "", "not a JSON object"},
		{6, "imp-a", "duplicate index, first seen at record 1"},
		{7, "no-dex", "dexterity: missing"},
	}, errs)
	require.Equal(t, "broken.json: record 2 (bad-hp): hit_points: string where int was expected", f.Errors[0].Error())
	require.Equal(t, "broken.json: record 3: index: missing", f.Errors[1].Error())

	_, err = Parse("x.json", []byte(`{"index":"goblin"}`))
	require.ErrorContains(t, err, "not a JSON array")
	_, err = Parse("x.json", []byte(`[1, 2]`))
	require.ErrorIs(t, err, ErrUnrecognised)
	_, err = Parse("x.json", []byte(`[`))
	require.Error(t, err)
}

func TestUsage(t *testing.T) {
	t.Parallel()
	require.Equal(t, "3/Day", usage("per day", 3, "", 0, nil))
	require.Equal(t, "Recharge 5–6", usage("recharge on roll", 0, "1d6", 5, nil))
	require.Equal(t, "Recharge 6", usage("recharge on roll", 0, "1d6", 6, nil))
	require.Equal(t, "Recharges after a Short or Long Rest", usage("recharge after rest", 0, "", 0, []string{"short", "long"}))
	require.Equal(t, "at will", usage("at will", 0, "", 0, nil))
}
