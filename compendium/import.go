package compendium

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"unicode/utf8"
)

// Kind is what a 5e-database file holds, recognised from its records.
type Kind string

// The kinds of file Parse understands.
const (
	KindMonsters   Kind = "monsters"
	KindEquipment  Kind = "equipment"
	KindMagicItems Kind = "magic items"
)

// ErrUnrecognised means a file is valid JSON but not an array of monsters,
// equipment or magic items.
var ErrUnrecognised = errors.New("not a 5e-database monsters, equipment or magic items file")

// maxText is the longest name or source index the schema accepts.
const maxText = 200

// RecordError is one record of a file that could not be imported. The
// other records of the file are imported all the same.
type RecordError struct {
	File     string // the file's base name
	Position int    // 1-based position of the record in the file's array
	Index    string // the record's "index", when it has one
	Err      error
}

// Error names the file, the record and what is wrong with it.
func (e *RecordError) Error() string {
	if e.Index != "" {
		return fmt.Sprintf("%s: record %d (%s): %v", e.File, e.Position, e.Index, e.Err)
	}
	return fmt.Sprintf("%s: record %d: %v", e.File, e.Position, e.Err)
}

// Unwrap gives the cause.
func (e *RecordError) Unwrap() error { return e.Err }

// File is one parsed 5e-database file: the records that are good and an
// error for each record that is not.
type File struct {
	Name     string // base name, for messages
	Kind     Kind
	Records  int // records in the file, good and bad
	Monsters []Monster
	Items    []Item
	Errors   []*RecordError
}

// ParseFile reads and parses one 5e-database JSON file.
func ParseFile(path string) (*File, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	return Parse(filepath.Base(path), data)
}

// Parse reads the content of a 5e-database JSON file (an array of
// objects) and recognises from the records what it holds: monsters (they
// have challenge_rating and hit_points), magic items (rarity) or equipment
// (equipment_category and cost, no rarity). The kind most records show
// wins; records that do not parse as that kind are reported in
// File.Errors with their position and index, and skipped.
//
// An error is returned only when the file as a whole is unusable: not
// JSON, not an array, or no record of a known kind.
func Parse(name string, data []byte) (*File, error) {
	var raws []json.RawMessage
	if err := json.Unmarshal(data, &raws); err != nil {
		return nil, fmt.Errorf("%s: not a JSON array of records: %w", name, err)
	}
	probes := make([]probe, len(raws))
	for i, raw := range raws {
		probes[i] = probeRecord(raw)
	}
	kind, err := detectKind(probes)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	f := &File{Name: name, Kind: kind, Records: len(raws)}
	seen := make(map[string]int, len(raws)) // index -> position
	for i, raw := range raws {
		pos := i + 1
		index := probes[i].index
		fail := func(err error) {
			f.Errors = append(f.Errors, &RecordError{File: name, Position: pos, Index: index, Err: err})
		}
		if index != "" {
			if first, dup := seen[index]; dup {
				fail(fmt.Errorf("duplicate index, first seen at record %d", first))
				continue
			}
			seen[index] = pos
		}
		switch kind {
		case KindMonsters:
			m, err := parseMonster(raw)
			if err != nil {
				fail(err)
				continue
			}
			f.Monsters = append(f.Monsters, m)
		case KindEquipment:
			it, err := parseEquipment(raw)
			if err != nil {
				fail(err)
				continue
			}
			f.Items = append(f.Items, it)
		case KindMagicItems:
			it, err := parseMagicItem(raw)
			if err != nil {
				fail(err)
				continue
			}
			f.Items = append(f.Items, it)
		}
	}
	return f, nil
}

// probe is what Parse needs to know of a record before parsing it: its
// index, for messages, and which keys it has, for detectKind.
type probe struct {
	index                    string
	monster, magic, equipped bool
}

// probeRecord reads a record's index and distinguishing keys in one pass.
func probeRecord(raw json.RawMessage) probe {
	var r struct {
		Index             any             `json:"index"`
		ChallengeRating   json.RawMessage `json:"challenge_rating"`
		HitPoints         json.RawMessage `json:"hit_points"`
		Rarity            json.RawMessage `json:"rarity"`
		EquipmentCategory json.RawMessage `json:"equipment_category"`
		Cost              json.RawMessage `json:"cost"`
	}
	if !bytes.HasPrefix(bytes.TrimSpace(raw), []byte("{")) || json.Unmarshal(raw, &r) != nil {
		return probe{}
	}
	var p probe
	p.index, _ = r.Index.(string)
	switch {
	case r.ChallengeRating != nil && r.HitPoints != nil:
		p.monster = true
	case r.Rarity != nil && r.EquipmentCategory != nil:
		p.magic = true
	case r.EquipmentCategory != nil && r.Cost != nil:
		p.equipped = true
	}
	return p
}

// detectKind votes: each record counts for the kind its keys show. Ties go
// to monsters, then magic items, then equipment.
func detectKind(probes []probe) (Kind, error) {
	votes := map[Kind]int{}
	for _, p := range probes {
		switch {
		case p.monster:
			votes[KindMonsters]++
		case p.magic:
			votes[KindMagicItems]++
		case p.equipped:
			votes[KindEquipment]++
		}
	}
	best, bestVotes := Kind(""), 0
	for _, k := range []Kind{KindMonsters, KindMagicItems, KindEquipment} {
		if votes[k] > bestVotes {
			best, bestVotes = k, votes[k]
		}
	}
	if best == "" {
		return "", ErrUnrecognised
	}
	return best, nil
}

// ---- monsters ----

// Monster is a stat block, mapped from the 5e-database format. It is stored
// whole as the data column of monsters (JSON keys in camelCase, as the API
// shows it); name, type, size, challenge rating, XP, hit points, armour
// class and Dexterity also get columns of their own.
type Monster struct {
	Index     string `json:"index"`
	Name      string `json:"name"`
	Size      string `json:"size"`
	Type      string `json:"type"`
	Subtype   string `json:"subtype,omitempty"`
	Alignment string `json:"alignment"`
	// ArmorClass is the first armour class listed; ArmorClasses has them
	// all with what they come from ("natural armor", "leather armor,
	// shield", "with mage armor").
	ArmorClass    int          `json:"armorClass"`
	ArmorClasses  []ArmorClass `json:"armorClasses"`
	HitPoints     int          `json:"hitPoints"` // the average
	HitDice       string       `json:"hitDice"`
	HitPointsRoll string       `json:"hitPointsRoll,omitempty"` // "2d6" or "19d12+133"
	Speed         Speed        `json:"speed"`
	Abilities     Abilities    `json:"abilities"`
	// InitiativeBonus is the Dexterity modifier.
	InitiativeBonus       int      `json:"initiativeBonus"`
	SavingThrows          []Bonus  `json:"savingThrows"`
	Skills                []Bonus  `json:"skills"`
	DamageVulnerabilities []string `json:"damageVulnerabilities"`
	DamageResistances     []string `json:"damageResistances"`
	DamageImmunities      []string `json:"damageImmunities"`
	ConditionImmunities   []string `json:"conditionImmunities"`
	Senses                Senses   `json:"senses"`
	Languages             string   `json:"languages"`
	// ChallengeRating is a number: 0.125, 0.25, 0.5 or 0 to 30.
	ChallengeRating  float64 `json:"challengeRating"`
	ProficiencyBonus int     `json:"proficiencyBonus"`
	// XP is the rules' XP for the challenge rating (CR 0 counts 10).
	XP               int       `json:"xp"`
	Traits           []Feature `json:"traits"`
	Actions          []Feature `json:"actions"`
	LegendaryActions []Feature `json:"legendaryActions"`
	Reactions        []Feature `json:"reactions"`
	// Forms names the other stat blocks of a shape changer.
	Forms       []string `json:"forms,omitempty"`
	Description string   `json:"description,omitempty"`
}

// ArmorClass is one armour class of a stat block and where it comes from.
type ArmorClass struct {
	Value int    `json:"value"`
	Type  string `json:"type"`           // armor, natural, dex, spell, condition
	Note  string `json:"note,omitempty"` // "leather armor, shield", "mage armor", "prone"
}

// Speed holds the movement modes as printed ("30 ft."); empty when absent.
type Speed struct {
	Walk   string `json:"walk,omitempty"`
	Burrow string `json:"burrow,omitempty"`
	Climb  string `json:"climb,omitempty"`
	Fly    string `json:"fly,omitempty"`
	Swim   string `json:"swim,omitempty"`
	Hover  bool   `json:"hover,omitempty"`
}

// Abilities are the six ability scores.
type Abilities struct {
	Str int `json:"str"`
	Dex int `json:"dex"`
	Con int `json:"con"`
	Int int `json:"int"`
	Wis int `json:"wis"`
	Cha int `json:"cha"`
}

// Bonus is a saving throw ("DEX") or skill ("Perception") and its bonus.
type Bonus struct {
	Name  string `json:"name"`
	Bonus int    `json:"bonus"`
}

// Senses are the special senses as printed ("60 ft.") and the passive
// Perception.
type Senses struct {
	Blindsight        string `json:"blindsight,omitempty"`
	Darkvision        string `json:"darkvision,omitempty"`
	Tremorsense       string `json:"tremorsense,omitempty"`
	Truesight         string `json:"truesight,omitempty"`
	PassivePerception int    `json:"passivePerception"`
}

// Feature is a trait, action, legendary action or reaction.
type Feature struct {
	Name string `json:"name"`
	Desc string `json:"desc"`
	// Usage is how often it can be used, as stat blocks print it: "3/Day",
	// "Recharge 5–6", "Recharges after a Short or Long Rest".
	Usage       string   `json:"usage,omitempty"`
	AttackBonus *int     `json:"attackBonus,omitempty"`
	DC          *DC      `json:"dc,omitempty"`
	Damage      []Damage `json:"damage,omitempty"`
}

// DC is a saving throw a feature calls for.
type DC struct {
	Ability string `json:"ability"` // "DEX"
	Value   int    `json:"value"`
	Success string `json:"success,omitempty"` // "none", "half"
}

// Damage is one damage roll of a feature. Choices between damage types
// ("lightning or thunder") are in the text only.
type Damage struct {
	Dice string `json:"dice"` // "2d6+8"
	Type string `json:"type"` // "Fire"
}

// DexModifier is the ability modifier of a score: floor((score - 10) / 2).
func DexModifier(score int) int {
	return int(math.Floor(float64(score-10) / 2))
}

type ref struct {
	Index string `json:"index"`
	Name  string `json:"name"`
}

type rawFeature struct {
	Name  string `json:"name"`
	Desc  string `json:"desc"`
	Usage *struct {
		Type      string   `json:"type"`
		Times     int      `json:"times"`
		Dice      string   `json:"dice"`
		MinValue  int      `json:"min_value"`
		RestTypes []string `json:"rest_types"`
	} `json:"usage"`
	AttackBonus *int `json:"attack_bonus"`
	DC          *struct {
		Type        ref    `json:"dc_type"`
		Value       int    `json:"dc_value"`
		SuccessType string `json:"success_type"`
	} `json:"dc"`
	// Entries are {damage_type, damage_dice} or a choice
	// {choose, type, from}; choices are left to the text.
	Damage []struct {
		Type ref    `json:"damage_type"`
		Dice string `json:"damage_dice"`
	} `json:"damage"`
}

type rawMonster struct {
	Index      string `json:"index"`
	Name       string `json:"name"`
	Size       string `json:"size"`
	Type       string `json:"type"`
	Subtype    string `json:"subtype"`
	Alignment  string `json:"alignment"`
	ArmorClass []struct {
		Type      string `json:"type"`
		Value     *int   `json:"value"`
		Armor     []ref  `json:"armor"`
		Spell     *ref   `json:"spell"`
		Condition *ref   `json:"condition"`
		Desc      string `json:"desc"`
	} `json:"armor_class"`
	HitPoints     *int   `json:"hit_points"`
	HitDice       string `json:"hit_dice"`
	HitPointsRoll string `json:"hit_points_roll"`
	Speed         struct {
		Walk   string `json:"walk"`
		Burrow string `json:"burrow"`
		Climb  string `json:"climb"`
		Fly    string `json:"fly"`
		Swim   string `json:"swim"`
		Hover  bool   `json:"hover"`
	} `json:"speed"`
	Strength      *int `json:"strength"`
	Dexterity     *int `json:"dexterity"`
	Constitution  *int `json:"constitution"`
	Intelligence  *int `json:"intelligence"`
	Wisdom        *int `json:"wisdom"`
	Charisma      *int `json:"charisma"`
	Proficiencies []struct {
		Value       int `json:"value"`
		Proficiency ref `json:"proficiency"`
	} `json:"proficiencies"`
	DamageVulnerabilities []string `json:"damage_vulnerabilities"`
	DamageResistances     []string `json:"damage_resistances"`
	DamageImmunities      []string `json:"damage_immunities"`
	ConditionImmunities   []ref    `json:"condition_immunities"`
	Senses                struct {
		Blindsight        string `json:"blindsight"`
		Darkvision        string `json:"darkvision"`
		Tremorsense       string `json:"tremorsense"`
		Truesight         string `json:"truesight"`
		PassivePerception int    `json:"passive_perception"`
	} `json:"senses"`
	Languages        string       `json:"languages"`
	ChallengeRating  *float64     `json:"challenge_rating"`
	ProficiencyBonus int          `json:"proficiency_bonus"`
	XP               *int         `json:"xp"`
	SpecialAbilities []rawFeature `json:"special_abilities"`
	Actions          []rawFeature `json:"actions"`
	LegendaryActions []rawFeature `json:"legendary_actions"`
	Reactions        []rawFeature `json:"reactions"`
	Forms            []ref        `json:"forms"`
	Desc             string       `json:"desc"`
}

// decodeStrict unmarshals one record, naming the field at fault on a type
// mismatch.
func decodeStrict(raw json.RawMessage, v any) error {
	if !bytes.HasPrefix(bytes.TrimSpace(raw), []byte("{")) {
		return errors.New("not a JSON object")
	}
	if err := json.Unmarshal(raw, v); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) && te.Field != "" {
			return fmt.Errorf("%s: %s where %s was expected", te.Field, te.Value, te.Type)
		}
		return err
	}
	return nil
}

// checkText validates the index and name every record needs.
func checkText(index, name string) error {
	switch {
	case strings.TrimSpace(index) == "":
		return errors.New("index: missing")
	case utf8.RuneCountInString(index) > maxText:
		return fmt.Errorf("index: longer than %d characters", maxText)
	case strings.TrimSpace(name) == "":
		return errors.New("name: missing")
	case utf8.RuneCountInString(name) > maxText:
		return fmt.Errorf("name: longer than %d characters", maxText)
	}
	return nil
}

func parseMonster(raw json.RawMessage) (Monster, error) {
	var r rawMonster
	if err := decodeStrict(raw, &r); err != nil {
		return Monster{}, err
	}
	if err := checkText(r.Index, r.Name); err != nil {
		return Monster{}, err
	}
	m := Monster{
		Index:     r.Index,
		Name:      strings.TrimSpace(r.Name),
		Size:      r.Size,
		Type:      r.Type,
		Subtype:   r.Subtype,
		Alignment: r.Alignment,
		HitDice:   r.HitDice,

		HitPointsRoll:         r.HitPointsRoll,
		Speed:                 Speed(r.Speed),
		Senses:                Senses(r.Senses),
		Languages:             r.Languages,
		ProficiencyBonus:      r.ProficiencyBonus,
		DamageVulnerabilities: nonNil(r.DamageVulnerabilities),
		DamageResistances:     nonNil(r.DamageResistances),
		DamageImmunities:      nonNil(r.DamageImmunities),
		ConditionImmunities:   make([]string, 0, len(r.ConditionImmunities)),
		SavingThrows:          []Bonus{},
		Skills:                []Bonus{},
		Traits:                features(r.SpecialAbilities),
		Actions:               features(r.Actions),
		LegendaryActions:      features(r.LegendaryActions),
		Reactions:             features(r.Reactions),
		Description:           r.Desc,
	}

	if r.HitPoints == nil {
		return Monster{}, errors.New("hit_points: missing")
	}
	if *r.HitPoints < 0 || *r.HitPoints > 100000 {
		return Monster{}, fmt.Errorf("hit_points: %d is out of range", *r.HitPoints)
	}
	m.HitPoints = *r.HitPoints

	if len(r.ArmorClass) == 0 {
		return Monster{}, errors.New("armor_class: missing")
	}
	for i, ac := range r.ArmorClass {
		if ac.Value == nil || *ac.Value < 0 || *ac.Value > 100 {
			return Monster{}, fmt.Errorf("armor_class[%d].value: missing or out of range", i)
		}
		var note string
		switch {
		case len(ac.Armor) > 0:
			names := make([]string, len(ac.Armor))
			for j, a := range ac.Armor {
				names[j] = strings.ToLower(a.Name)
			}
			note = strings.Join(names, ", ")
		case ac.Spell != nil:
			note = strings.ToLower(ac.Spell.Name)
		case ac.Condition != nil:
			note = strings.ToLower(ac.Condition.Name)
		case ac.Desc != "":
			note = ac.Desc
		case ac.Type == "natural":
			note = "natural armor"
		}
		m.ArmorClasses = append(m.ArmorClasses, ArmorClass{Value: *ac.Value, Type: ac.Type, Note: note})
	}
	m.ArmorClass = m.ArmorClasses[0].Value

	scores := []struct {
		name string
		v    *int
		dst  *int
	}{
		{"strength", r.Strength, &m.Abilities.Str},
		{"dexterity", r.Dexterity, &m.Abilities.Dex},
		{"constitution", r.Constitution, &m.Abilities.Con},
		{"intelligence", r.Intelligence, &m.Abilities.Int},
		{"wisdom", r.Wisdom, &m.Abilities.Wis},
		{"charisma", r.Charisma, &m.Abilities.Cha},
	}
	for _, s := range scores {
		if s.v == nil {
			return Monster{}, fmt.Errorf("%s: missing", s.name)
		}
		if *s.v < 1 || *s.v > 30 {
			return Monster{}, fmt.Errorf("%s: %d is not 1 to 30", s.name, *s.v)
		}
		*s.dst = *s.v
	}
	m.InitiativeBonus = DexModifier(m.Abilities.Dex)

	if r.ChallengeRating == nil {
		return Monster{}, errors.New("challenge_rating: missing")
	}
	xp, err := XPForCR(*r.ChallengeRating)
	if err != nil {
		return Monster{}, fmt.Errorf("challenge_rating: %w", err)
	}
	m.ChallengeRating = *r.ChallengeRating
	// XP comes from the rules table, not the record: the contract counts
	// CR 0 as 10 XP, and the 5e-database has a few slips (the brass dragon
	// wyrmling, CR 1, says 100 XP where the SRD prints 200).
	m.XP = xp
	if r.XP != nil && *r.XP < 0 {
		return Monster{}, fmt.Errorf("xp: %d is negative", *r.XP)
	}

	for _, p := range r.Proficiencies {
		label := p.Proficiency.Name
		switch {
		case strings.HasPrefix(p.Proficiency.Index, "saving-throw-"):
			m.SavingThrows = append(m.SavingThrows, Bonus{Name: after(label, ": "), Bonus: p.Value})
		case strings.HasPrefix(p.Proficiency.Index, "skill-"):
			m.Skills = append(m.Skills, Bonus{Name: after(label, ": "), Bonus: p.Value})
		}
	}
	for _, c := range r.ConditionImmunities {
		m.ConditionImmunities = append(m.ConditionImmunities, strings.ToLower(c.Name))
	}
	for _, f := range r.Forms {
		m.Forms = append(m.Forms, f.Name)
	}
	return m, nil
}

// after returns what follows sep in s ("Skill: Perception" -> "Perception"),
// or s when sep is absent.
func after(s, sep string) string {
	if _, rest, ok := strings.Cut(s, sep); ok {
		return strings.TrimSpace(rest)
	}
	return strings.TrimSpace(s)
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func features(raws []rawFeature) []Feature {
	out := make([]Feature, 0, len(raws))
	for _, r := range raws {
		f := Feature{Name: r.Name, Desc: r.Desc, AttackBonus: r.AttackBonus}
		if r.Usage != nil {
			f.Usage = usage(r.Usage.Type, r.Usage.Times, r.Usage.Dice, r.Usage.MinValue, r.Usage.RestTypes)
		}
		if r.DC != nil {
			f.DC = &DC{Ability: r.DC.Type.Name, Value: r.DC.Value, Success: r.DC.SuccessType}
		}
		for _, d := range r.Damage {
			if d.Dice == "" {
				continue // a choice between damage types: see Desc
			}
			f.Damage = append(f.Damage, Damage{Dice: d.Dice, Type: d.Type.Name})
		}
		out = append(out, f)
	}
	return out
}

// usage prints a 5e-database usage object the way stat blocks do.
func usage(typ string, times int, dice string, minValue int, rests []string) string {
	switch typ {
	case "per day":
		return fmt.Sprintf("%d/Day", times)
	case "recharge on roll":
		top := 6
		if strings.HasPrefix(dice, "1d") {
			fmt.Sscanf(dice, "1d%d", &top)
		}
		if minValue >= top || minValue == 0 {
			return fmt.Sprintf("Recharge %d", top)
		}
		return fmt.Sprintf("Recharge %d–%d", minValue, top)
	case "recharge after rest":
		names := make([]string, len(rests))
		for i, r := range rests {
			names[i] = strings.ToUpper(r[:min(1, len(r))]) + r[min(1, len(r)):]
		}
		return "Recharges after a " + strings.Join(names, " or ") + " Rest"
	}
	return typ
}

// ---- items ----

// Item is a piece of mundane equipment or a magic item, mapped from the
// 5e-database format and stored whole as the data column of items.
type Item struct {
	Index string `json:"index"`
	Name  string `json:"name"`
	// Category is the equipment category ("Weapon", "Armor", "Adventuring
	// Gear", "Wondrous Items", "Potion"): the API's item type.
	Category string `json:"category"`
	Magic    bool   `json:"magic"`
	// Rarity of a magic item ("Uncommon", "Very Rare", "Varies"); empty
	// for equipment.
	Rarity string `json:"rarity,omitempty"`
	// TypeLine is the line under the name: "Wondrous item, uncommon
	// (requires attunement)" for magic items, "Martial Melee Weapon" or
	// "Heavy Armor" for equipment.
	TypeLine           string   `json:"typeLine"`
	RequiresAttunement bool     `json:"requiresAttunement,omitempty"`
	Cost               *Cost    `json:"cost,omitempty"`
	Weight             *float64 `json:"weight,omitempty"` // pounds
	// Text is the description, one paragraph per element (Markdown tables
	// inlined as the source has them).
	Text   []string     `json:"text"`
	Weapon *Weapon      `json:"weapon,omitempty"`
	Armor  *Armor       `json:"armor,omitempty"`
	Pack   []PackItem   `json:"contents,omitempty"`
	Mount  *MountDetail `json:"mount,omitempty"`
	// Variant marks one of several versions of a magic item ("Armor,
	// +1"); Variants names the versions of a parent entry.
	Variant  bool     `json:"variant,omitempty"`
	Variants []string `json:"variants,omitempty"`
}

// Cost is a price in coins.
type Cost struct {
	Quantity int    `json:"quantity"`
	Unit     string `json:"unit"` // cp, sp, ep, gp, pp
}

// Weapon is what a weapon adds to an item.
type Weapon struct {
	Category        string   `json:"category"` // Simple, Martial
	Range           string   `json:"range"`    // Melee, Ranged
	Damage          *Damage  `json:"damage,omitempty"`
	TwoHandedDamage *Damage  `json:"twoHandedDamage,omitempty"`
	Normal          int      `json:"normalRange,omitempty"` // feet
	Long            int      `json:"longRange,omitempty"`
	ThrowNormal     int      `json:"throwNormalRange,omitempty"`
	ThrowLong       int      `json:"throwLongRange,omitempty"`
	Properties      []string `json:"properties"`
}

// Armor is what armour adds to an item.
type Armor struct {
	Category            string `json:"category"` // Light, Medium, Heavy, Shield
	BaseAC              int    `json:"baseAc"`
	DexBonus            bool   `json:"dexBonus"`
	MaxDexBonus         *int   `json:"maxDexBonus,omitempty"`
	StrMinimum          int    `json:"strMinimum,omitempty"`
	StealthDisadvantage bool   `json:"stealthDisadvantage,omitempty"`
}

// PackItem is one entry of an equipment pack.
type PackItem struct {
	Name     string `json:"name"`
	Quantity int    `json:"quantity"`
}

// MountDetail is what mounts and vehicles add to an item.
type MountDetail struct {
	Speed    string `json:"speed,omitempty"` // "60 ft/round"
	Capacity string `json:"capacity,omitempty"`
}

type rawDamage struct {
	Dice string `json:"damage_dice"`
	Type ref    `json:"damage_type"`
}

type rawEquipment struct {
	Index             string     `json:"index"`
	Name              string     `json:"name"`
	EquipmentCategory *ref       `json:"equipment_category"`
	Cost              *Cost      `json:"cost"`
	Weight            *float64   `json:"weight"`
	Desc              []string   `json:"desc"`
	Special           []string   `json:"special"`
	WeaponCategory    string     `json:"weapon_category"`
	WeaponRange       string     `json:"weapon_range"`
	CategoryRange     string     `json:"category_range"`
	Damage            *rawDamage `json:"damage"`
	TwoHandedDamage   *rawDamage `json:"two_handed_damage"`
	Range             *struct {
		Normal int `json:"normal"`
		Long   int `json:"long"`
	} `json:"range"`
	ThrowRange *struct {
		Normal int `json:"normal"`
		Long   int `json:"long"`
	} `json:"throw_range"`
	Properties    []ref  `json:"properties"`
	ArmorCategory string `json:"armor_category"`
	ArmorClass    *struct {
		Base     int  `json:"base"`
		DexBonus bool `json:"dex_bonus"`
		MaxBonus *int `json:"max_bonus"`
	} `json:"armor_class"`
	StrMinimum          int  `json:"str_minimum"`
	StealthDisadvantage bool `json:"stealth_disadvantage"`
	GearCategory        *ref `json:"gear_category"`
	Contents            []struct {
		Item     ref `json:"item"`
		Quantity int `json:"quantity"`
	} `json:"contents"`
	ToolCategory    string `json:"tool_category"`
	VehicleCategory string `json:"vehicle_category"`
	Speed           *struct {
		Quantity float64 `json:"quantity"`
		Unit     string  `json:"unit"`
	} `json:"speed"`
	Capacity string `json:"capacity"`
}

func parseEquipment(raw json.RawMessage) (Item, error) {
	var r rawEquipment
	if err := decodeStrict(raw, &r); err != nil {
		return Item{}, err
	}
	if err := checkText(r.Index, r.Name); err != nil {
		return Item{}, err
	}
	if r.EquipmentCategory == nil || r.EquipmentCategory.Name == "" {
		return Item{}, errors.New("equipment_category: missing")
	}
	if r.Cost == nil {
		return Item{}, errors.New("cost: missing")
	}
	if r.Cost.Quantity < 0 {
		return Item{}, fmt.Errorf("cost.quantity: %d is negative", r.Cost.Quantity)
	}
	it := Item{
		Index:    r.Index,
		Name:     strings.TrimSpace(r.Name),
		Category: r.EquipmentCategory.Name,
		Cost:     r.Cost,
		Weight:   r.Weight,
		Text:     append(nonNil(r.Desc), r.Special...),
	}
	switch {
	case r.WeaponCategory != "" || r.Damage != nil:
		w := &Weapon{Category: r.WeaponCategory, Range: r.WeaponRange, Properties: []string{}}
		if r.Damage != nil {
			w.Damage = &Damage{Dice: r.Damage.Dice, Type: r.Damage.Type.Name}
		}
		if r.TwoHandedDamage != nil {
			w.TwoHandedDamage = &Damage{Dice: r.TwoHandedDamage.Dice, Type: r.TwoHandedDamage.Type.Name}
		}
		if r.Range != nil {
			w.Normal, w.Long = r.Range.Normal, r.Range.Long
		}
		if r.ThrowRange != nil {
			w.ThrowNormal, w.ThrowLong = r.ThrowRange.Normal, r.ThrowRange.Long
		}
		for _, p := range r.Properties {
			w.Properties = append(w.Properties, p.Name)
		}
		it.Weapon = w
		it.TypeLine = strings.TrimSpace(firstNonEmpty(r.CategoryRange, r.WeaponCategory) + " Weapon")
	case r.ArmorCategory != "" || r.ArmorClass != nil:
		a := &Armor{Category: r.ArmorCategory, StrMinimum: r.StrMinimum, StealthDisadvantage: r.StealthDisadvantage}
		if r.ArmorClass != nil {
			a.BaseAC, a.DexBonus, a.MaxDexBonus = r.ArmorClass.Base, r.ArmorClass.DexBonus, r.ArmorClass.MaxBonus
		}
		it.Armor = a
		if r.ArmorCategory == "Shield" {
			it.TypeLine = "Shield"
		} else {
			it.TypeLine = strings.TrimSpace(r.ArmorCategory + " Armor")
		}
	case r.GearCategory != nil:
		it.TypeLine = r.GearCategory.Name
	case r.ToolCategory != "":
		it.TypeLine = r.ToolCategory
	case r.VehicleCategory != "":
		it.TypeLine = r.VehicleCategory
	}
	if it.TypeLine == "" {
		it.TypeLine = it.Category
	}
	for _, c := range r.Contents {
		it.Pack = append(it.Pack, PackItem{Name: c.Item.Name, Quantity: c.Quantity})
	}
	if r.Speed != nil || r.Capacity != "" {
		md := &MountDetail{Capacity: r.Capacity}
		if r.Speed != nil {
			md.Speed = fmt.Sprintf("%g %s", r.Speed.Quantity, r.Speed.Unit)
		}
		it.Mount = md
	}
	return it, nil
}

type rawMagicItem struct {
	Index             string `json:"index"`
	Name              string `json:"name"`
	EquipmentCategory *ref   `json:"equipment_category"`
	Rarity            *struct {
		Name string `json:"name"`
	} `json:"rarity"`
	Variant  bool     `json:"variant"`
	Variants []ref    `json:"variants"`
	Desc     []string `json:"desc"`
}

func parseMagicItem(raw json.RawMessage) (Item, error) {
	var r rawMagicItem
	if err := decodeStrict(raw, &r); err != nil {
		return Item{}, err
	}
	if err := checkText(r.Index, r.Name); err != nil {
		return Item{}, err
	}
	if r.EquipmentCategory == nil || r.EquipmentCategory.Name == "" {
		return Item{}, errors.New("equipment_category: missing")
	}
	if r.Rarity == nil || r.Rarity.Name == "" {
		return Item{}, errors.New("rarity: missing")
	}
	if len(r.Desc) == 0 {
		return Item{}, errors.New("desc: missing (its first line is the type line)")
	}
	it := Item{
		Index:    r.Index,
		Name:     strings.TrimSpace(r.Name),
		Category: r.EquipmentCategory.Name,
		Magic:    true,
		Rarity:   r.Rarity.Name,
		TypeLine: r.Desc[0],
		Text:     append([]string{}, r.Desc[1:]...),
		Variant:  r.Variant,
	}
	it.RequiresAttunement = strings.Contains(strings.ToLower(it.TypeLine), "requires attunement")
	for _, v := range r.Variants {
		it.Variants = append(it.Variants, v.Name)
	}
	return it, nil
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}
