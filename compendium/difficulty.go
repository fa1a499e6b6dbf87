package compendium

import (
	"errors"
	"fmt"
	"math"
	"strconv"
)

// The rules tables of this file are written once, as data, each with the
// source it comes from. difficulty_test.go checks them against a second,
// independently typed copy.

// xpByCR is the experience a monster is worth by challenge rating: the
// "Experience Points by Challenge Rating" table of the 2014 Monster Manual
// (p. 9) and Dungeon Master's Guide (p. 275), repeated in the SRD 5.1
// ("Challenge" under Monsters). CR 0 is worth 0 or 10 XP in the books; the
// contract counts it as 10.
var xpByCR = []struct {
	CR float64
	XP int
}{
	{0, 10}, {0.125, 25}, {0.25, 50}, {0.5, 100},
	{1, 200}, {2, 450}, {3, 700}, {4, 1100}, {5, 1800},
	{6, 2300}, {7, 2900}, {8, 3900}, {9, 5000}, {10, 5900},
	{11, 7200}, {12, 8400}, {13, 10000}, {14, 11500}, {15, 13000},
	{16, 15000}, {17, 18000}, {18, 20000}, {19, 22000}, {20, 25000},
	{21, 33000}, {22, 41000}, {23, 50000}, {24, 62000}, {25, 75000},
	{26, 90000}, {27, 105000}, {28, 120000}, {29, 135000}, {30, 155000},
}

// thresholds2014 are the XP thresholds per character, indexed by level - 1:
// Dungeon Master's Guide (2014), chapter 3, "Creating a Combat Encounter",
// table "XP Thresholds by Character Level" (p. 82).
var thresholds2014 = [20]struct{ Easy, Medium, Hard, Deadly int }{
	{25, 50, 75, 100},         // 1
	{50, 100, 150, 200},       // 2
	{75, 150, 225, 400},       // 3
	{125, 250, 375, 500},      // 4
	{250, 500, 750, 1100},     // 5
	{300, 600, 900, 1400},     // 6
	{350, 750, 1100, 1700},    // 7
	{450, 900, 1400, 2100},    // 8
	{550, 1100, 1600, 2400},   // 9
	{600, 1200, 1900, 2800},   // 10
	{800, 1600, 2400, 3600},   // 11
	{1000, 2000, 3000, 4500},  // 12
	{1100, 2200, 3400, 5100},  // 13
	{1250, 2500, 3800, 5700},  // 14
	{1400, 2800, 4300, 6400},  // 15
	{1600, 3200, 4800, 7200},  // 16
	{2000, 3900, 5900, 8800},  // 17
	{2100, 4200, 6300, 9500},  // 18
	{2400, 4900, 7300, 10900}, // 19
	{2800, 5700, 8500, 12700}, // 20
}

// multiplierSteps are the encounter multipliers of the Dungeon Master's
// Guide (2014), table "Encounter Multipliers" (p. 82), plus the two extra
// steps of p. 83 for party size: x0.5 below x1 (six or more characters)
// and x5 above x4 (fewer than three characters).
var multiplierSteps = []float64{0.5, 1, 1.5, 2, 2.5, 3, 4, 5}

// multiplierByCount maps the number of monsters to a step of
// multiplierSteps (DMG 2014 p. 82): 1 -> x1, 2 -> x1.5, 3-6 -> x2,
// 7-10 -> x2.5, 11-14 -> x3, 15 or more -> x4. Checked in order; the first
// row whose Max is >= the count applies.
var multiplierByCount = []struct {
	Max  int // largest number of monsters for this row; 0 means no limit
	Step int // index into multiplierSteps
}{
	{1, 1}, {2, 2}, {6, 3}, {10, 4}, {14, 5}, {0, 6},
}

// budgets2024 are the XP budgets per character, indexed by level - 1:
// System Reference Document 5.2.1 (2024 rules), "Combat Encounter
// Difficulty", table "XP Budget per Character" (the same as the 2024
// Dungeon Master's Guide, chapter 4).
var budgets2024 = [20]struct{ Low, Moderate, High int }{
	{50, 75, 100},        // 1
	{100, 150, 200},      // 2
	{150, 225, 400},      // 3
	{250, 375, 500},      // 4
	{500, 750, 1100},     // 5
	{600, 1000, 1400},    // 6
	{750, 1300, 1700},    // 7
	{1000, 1700, 2100},   // 8
	{1300, 2000, 2600},   // 9
	{1600, 2300, 3100},   // 10
	{1900, 2900, 4100},   // 11
	{2200, 3700, 4700},   // 12
	{2600, 4200, 5400},   // 13
	{2900, 4900, 6200},   // 14
	{3300, 5400, 7800},   // 15
	{3800, 6100, 9800},   // 16
	{4500, 7200, 11700},  // 17
	{5000, 8700, 14200},  // 18
	{5500, 10700, 17200}, // 19
	{6400, 13200, 22000}, // 20
}

// Badges of the 2014 rules, lowest first, as the contract spells them.
const (
	Trivial = "trivial"
	Easy    = "easy"
	Medium  = "medium"
	Hard    = "hard"
	Deadly  = "deadly"
)

// Badges of the 2024 rules, lowest first, as the contract spells them.
const (
	Low      = "low"
	Moderate = "moderate"
	High     = "high"
	Extreme  = "extreme"
)

var (
	// ErrNoParty means there are no character levels to measure an
	// encounter against; the contract then leaves difficulty out.
	ErrNoParty = errors.New("no party levels")
	// ErrBadLevel means a character level outside 1 to 20.
	ErrBadLevel = errors.New("character level must be 1 to 20")
	// ErrBadCR means a challenge rating that is not one of the rules'
	// values (0, 1/8, 1/4, 1/2, 1 to 30).
	ErrBadCR = errors.New("challenge rating must be 0, 1/8, 1/4, 1/2 or a whole number 1 to 30")
)

// XPForCR returns the experience a monster of challenge rating cr is worth
// (CR 0 counts 10 XP), or ErrBadCR when cr is not a value of the table.
func XPForCR(cr float64) (int, error) {
	for _, row := range xpByCR {
		if row.CR == cr {
			return row.XP, nil
		}
	}
	return 0, fmt.Errorf("%w: %s", ErrBadCR, strconv.FormatFloat(cr, 'g', -1, 64))
}

// MonsterGroup is Count monsters of one challenge rating in an encounter.
type MonsterGroup struct {
	CR    float64
	Count int
}

// Difficulty is an encounter's difficulty under both rule editions: the
// contract's `difficulty` object.
type Difficulty struct {
	// PartyLevels are the character levels it was computed for.
	PartyLevels []int
	// XP is the sum of the monsters' XP by challenge rating.
	XP int
	// AdjustedXP is XP times the 2014 encounter multiplier, rounded down
	// to a whole number (x0.5, x1.5 and x2.5 can give a half). Rounding
	// down never changes the band: every threshold is a whole number.
	AdjustedXP int
	// DMG2014 is trivial, easy, medium, hard or deadly.
	DMG2014 string
	// DMG2024 is low, moderate, high or extreme.
	DMG2024 string
}

// ComputeDifficulty rates the monsters against a party of the given
// character levels under the 2014 rules (adjusted XP against the party's
// thresholds; the highest band reached, trivial below easy) and the 2024
// rules (raw XP against the party's budgets; at most low is low, at most
// moderate is moderate, at most high is high, above is extreme). Every
// monster counts; groups with Count <= 0 are ignored.
//
// It returns ErrNoParty for an empty party, ErrBadLevel or ErrBadCR for
// values outside the tables.
func ComputeDifficulty(partyLevels []int, monsters []MonsterGroup) (Difficulty, error) {
	party, err := partyBudget(partyLevels)
	if err != nil {
		return Difficulty{}, err
	}
	xp, count := 0, 0
	for _, g := range monsters {
		if g.Count <= 0 {
			continue
		}
		each, err := XPForCR(g.CR)
		if err != nil {
			return Difficulty{}, err
		}
		xp += each * g.Count
		count += g.Count
	}
	adjusted := int(math.Floor(float64(xp) * EncounterMultiplier(count, len(partyLevels))))
	return Difficulty{
		PartyLevels: append([]int(nil), partyLevels...),
		XP:          xp,
		AdjustedXP:  adjusted,
		DMG2014:     party.rate2014(adjusted),
		DMG2024:     party.rate2024(xp),
	}, nil
}

// budget is a whole party's 2014 thresholds and 2024 budgets: the sums of
// its characters' rows.
type budget struct {
	Easy, Medium, Hard, Deadly int // 2014
	Low, Moderate, High        int // 2024
}

// partyBudget adds up the rows of the party's levels.
func partyBudget(levels []int) (budget, error) {
	if len(levels) == 0 {
		return budget{}, ErrNoParty
	}
	var b budget
	for _, lvl := range levels {
		if lvl < 1 || lvl > 20 {
			return budget{}, fmt.Errorf("%w: %d", ErrBadLevel, lvl)
		}
		t := thresholds2014[lvl-1]
		b.Easy += t.Easy
		b.Medium += t.Medium
		b.Hard += t.Hard
		b.Deadly += t.Deadly
		u := budgets2024[lvl-1]
		b.Low += u.Low
		b.Moderate += u.Moderate
		b.High += u.High
	}
	return b, nil
}

// rate2014 is the highest band whose threshold adjusted reaches, trivial
// below easy.
func (b budget) rate2014(adjusted int) string {
	switch {
	case adjusted >= b.Deadly:
		return Deadly
	case adjusted >= b.Hard:
		return Hard
	case adjusted >= b.Medium:
		return Medium
	case adjusted >= b.Easy:
		return Easy
	default:
		return Trivial
	}
}

// rate2024 is the lowest band whose budget xp stays within, extreme above
// the high budget.
func (b budget) rate2024(xp int) string {
	switch {
	case xp <= b.Low:
		return Low
	case xp <= b.Moderate:
		return Moderate
	case xp <= b.High:
		return High
	default:
		return Extreme
	}
}

// EncounterMultiplier is the 2014 multiplier for monsters monsters against
// a party of partySize characters: the step for the number of monsters,
// one step up for fewer than three characters (at most x5) and one step
// down for six or more (at least x0.5). No monsters count as one.
func EncounterMultiplier(monsters, partySize int) float64 {
	step := multiplierByCount[len(multiplierByCount)-1].Step
	for _, row := range multiplierByCount {
		if row.Max == 0 || monsters <= row.Max {
			step = row.Step
			break
		}
	}
	switch {
	case partySize < 3:
		step++
	case partySize >= 6:
		step--
	}
	step = max(0, min(step, len(multiplierSteps)-1))
	return multiplierSteps[step]
}
