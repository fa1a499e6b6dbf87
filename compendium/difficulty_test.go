package compendium

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// The tables again, typed as text the way the books print them (thousands
// separators included), so that a slip in difficulty.go's Go literals and a
// slip here would have to agree to pass.

// DMG 2014 p. 82, "XP Thresholds by Character Level".
const thresholds2014Text = `
Level | Easy  | Medium | Hard  | Deadly
1st   | 25    | 50     | 75    | 100
2nd   | 50    | 100    | 150   | 200
3rd   | 75    | 150    | 225   | 400
4th   | 125   | 250    | 375   | 500
5th   | 250   | 500    | 750   | 1,100
6th   | 300   | 600    | 900   | 1,400
7th   | 350   | 750    | 1,100 | 1,700
8th   | 450   | 900    | 1,400 | 2,100
9th   | 550   | 1,100  | 1,600 | 2,400
10th  | 600   | 1,200  | 1,900 | 2,800
11th  | 800   | 1,600  | 2,400 | 3,600
12th  | 1,000 | 2,000  | 3,000 | 4,500
13th  | 1,100 | 2,200  | 3,400 | 5,100
14th  | 1,250 | 2,500  | 3,800 | 5,700
15th  | 1,400 | 2,800  | 4,300 | 6,400
16th  | 1,600 | 3,200  | 4,800 | 7,200
17th  | 2,000 | 3,900  | 5,900 | 8,800
18th  | 2,100 | 4,200  | 6,300 | 9,500
19th  | 2,400 | 4,900  | 7,300 | 10,900
20th  | 2,800 | 5,700  | 8,500 | 12,700
`

// SRD 5.2.1, "Combat Encounter Difficulty", "XP Budget per Character".
const budgets2024Text = `
Party's Level | Low   | Moderate | High
1             | 50    | 75       | 100
2             | 100   | 150      | 200
3             | 150   | 225      | 400
4             | 250   | 375      | 500
5             | 500   | 750      | 1,100
6             | 600   | 1,000    | 1,400
7             | 750   | 1,300    | 1,700
8             | 1,000 | 1,700    | 2,100
9             | 1,300 | 2,000    | 2,600
10            | 1,600 | 2,300    | 3,100
11            | 1,900 | 2,900    | 4,100
12            | 2,200 | 3,700    | 4,700
13            | 2,600 | 4,200    | 5,400
14            | 2,900 | 4,900    | 6,200
15            | 3,300 | 5,400    | 7,800
16            | 3,800 | 6,100    | 9,800
17            | 4,500 | 7,200    | 11,700
18            | 5,000 | 8,700    | 14,200
19            | 5,500 | 10,700   | 17,200
20            | 6,400 | 13,200   | 22,000
`

// MM 2014 p. 9 / DMG 2014 p. 275, "Experience Points by Challenge Rating",
// with CR 0 at the contract's 10 XP.
const xpByCRText = `
Challenge | XP
0         | 10
1/8       | 25
1/4       | 50
1/2       | 100
1         | 200
2         | 450
3         | 700
4         | 1,100
5         | 1,800
6         | 2,300
7         | 2,900
8         | 3,900
9         | 5,000
10        | 5,900
11        | 7,200
12        | 8,400
13        | 10,000
14        | 11,500
15        | 13,000
16        | 15,000
17        | 18,000
18        | 20,000
19        | 22,000
20        | 25,000
21        | 33,000
22        | 41,000
23        | 50,000
24        | 62,000
25        | 75,000
26        | 90,000
27        | 105,000
28        | 120,000
29        | 135,000
30        | 155,000
`

// parseTable reads a "|"-separated text table, skipping the header, and
// returns the first cell of each row and the numbers of the others.
func parseTable(t *testing.T, text string) (keys []string, rows [][]int) {
	t.Helper()
	sc := bufio.NewScanner(strings.NewReader(text))
	header := true
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		if header {
			header = false
			continue
		}
		cells := strings.Split(line, "|")
		keys = append(keys, strings.TrimSpace(cells[0]))
		var nums []int
		for _, c := range cells[1:] {
			n, err := strconv.Atoi(strings.ReplaceAll(strings.TrimSpace(c), ",", ""))
			require.NoError(t, err, "cell %q of %q", c, line)
			nums = append(nums, n)
		}
		rows = append(rows, nums)
	}
	require.NoError(t, sc.Err())
	return keys, rows
}

func TestDifficulty_ContractExamples(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		party      []int
		monsters   []MonsterGroup
		xp         int
		adjusted   int
		dmg2014    string
		dmg2024    string
		multiplier float64
	}{
		{
			name:     "BugbearAndThreeHobgoblins",
			party:    []int{3, 3, 3, 2},
			monsters: []MonsterGroup{{CR: 1, Count: 1}, {CR: 0.5, Count: 3}},
			xp:       500, adjusted: 1000, dmg2014: Hard,
			// 2024 budgets: low 150*3+100 = 550, so 500 is low.
			dmg2024: Low,
		},
		{
			name:     "OneCR1AgainstFourFirstLevel",
			party:    []int{1, 1, 1, 1},
			monsters: []MonsterGroup{{CR: 1, Count: 1}},
			xp:       200, adjusted: 200, dmg2014: Medium,
			dmg2024: Low, // low budget 4*50 = 200, at most low
		},
		{
			name:     "FifteenCR1/8AgainstTwoFifthLevel",
			party:    []int{5, 5},
			monsters: []MonsterGroup{{CR: 0.125, Count: 15}},
			xp:       375, adjusted: 1875, dmg2014: Hard,
			dmg2024: Low, // low budget 2*500
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			d, err := ComputeDifficulty(tt.party, tt.monsters)
			require.NoError(t, err)
			require.Equal(t, Difficulty{
				PartyLevels: tt.party,
				XP:          tt.xp,
				AdjustedXP:  tt.adjusted,
				DMG2014:     tt.dmg2014,
				DMG2024:     tt.dmg2024,
			}, d)
		})
	}
}

func TestDifficulty_Boundaries(t *testing.T) {
	t.Parallel()
	// Four first-level characters: 2014 thresholds 100/200/300/400, 2024
	// budgets 200/300/400.
	party := []int{1, 1, 1, 1}
	b, err := partyBudget(party)
	require.NoError(t, err)
	require.Equal(t, budget{Easy: 100, Medium: 200, Hard: 300, Deadly: 400, Low: 200, Moderate: 300, High: 400}, b)

	t.Run("Bands2014", func(t *testing.T) {
		t.Parallel()
		tests := []struct {
			adjusted int
			want     string
		}{
			{0, Trivial}, {99, Trivial},
			{100, Easy}, {199, Easy},
			{200, Medium}, {299, Medium},
			{300, Hard}, {399, Hard},
			{400, Deadly}, {100000, Deadly},
		}
		for _, tt := range tests {
			require.Equal(t, tt.want, b.rate2014(tt.adjusted), "adjusted %d", tt.adjusted)
		}
	})
	t.Run("Bands2024", func(t *testing.T) {
		t.Parallel()
		tests := []struct {
			xp   int
			want string
		}{
			{0, Low}, {200, Low},
			{201, Moderate}, {300, Moderate},
			{301, High}, {400, High},
			{401, Extreme}, {100000, Extreme},
		}
		for _, tt := range tests {
			require.Equal(t, tt.want, b.rate2024(tt.xp), "xp %d", tt.xp)
		}
	})
	// The same boundaries reached with real monster groups.
	t.Run("WithMonsters", func(t *testing.T) {
		t.Parallel()
		tests := []struct {
			name     string
			monsters []MonsterGroup
			xp, adj  int
			d14, d24 string
		}{
			{"Nothing", nil, 0, 0, Trivial, Low},
			{"JustBelowEasy", []MonsterGroup{{CR: 0.25, Count: 1}, {CR: 0, Count: 1}}, 60, 90, Trivial, Low},
			{"ExactlyEasy", []MonsterGroup{{CR: 0.5, Count: 1}}, 100, 100, Easy, Low},
			{"ExactlyMedium", []MonsterGroup{{CR: 1, Count: 1}}, 200, 200, Medium, Low},
			{"JustOverLow", []MonsterGroup{{CR: 0.5, Count: 1}, {CR: 0.25, Count: 1}, {CR: 0, Count: 6}}, 210, 525, Deadly, Moderate},
			{"ExactlyHard", []MonsterGroup{{CR: 0.5, Count: 2}}, 200, 300, Hard, Low},
			{"ExactlyDeadly", []MonsterGroup{{CR: 0.25, Count: 4}}, 200, 400, Deadly, Low},
			{"ExactlyHigh", []MonsterGroup{{CR: 1, Count: 2}, {CR: 0, Count: 0}}, 400, 600, Deadly, High},
			{"JustOverHigh", []MonsterGroup{{CR: 2, Count: 1}}, 450, 450, Deadly, Extreme},
			{"ExactlyModerate", []MonsterGroup{{CR: 0.5, Count: 3}}, 300, 600, Deadly, Moderate},
		}
		for _, tt := range tests {
			d, err := ComputeDifficulty(party, tt.monsters)
			require.NoError(t, err, tt.name)
			require.Equal(t, tt.xp, d.XP, tt.name)
			require.Equal(t, tt.adj, d.AdjustedXP, tt.name)
			require.Equal(t, tt.d14, d.DMG2014, tt.name)
			require.Equal(t, tt.d24, d.DMG2024, tt.name)
		}
	})
}

func TestDifficulty_Multiplier(t *testing.T) {
	t.Parallel()
	tests := []struct {
		monsters, party int
		want            float64
	}{
		{0, 4, 1}, {1, 4, 1}, {2, 4, 1.5}, {3, 4, 2}, {6, 4, 2}, {7, 4, 2.5}, {10, 4, 2.5},
		{11, 4, 3}, {14, 4, 3}, {15, 4, 4}, {200, 4, 4},
		{1, 3, 1}, {1, 5, 1}, // three to five characters: no shift
		{1, 2, 1.5}, {1, 1, 1.5}, {2, 2, 2}, {6, 2, 2.5}, {14, 2, 4}, {15, 2, 5}, {50, 1, 5},
		{1, 6, 0.5}, {1, 9, 0.5}, {2, 6, 1}, {3, 6, 1.5}, {7, 6, 2}, {11, 6, 2.5}, {15, 6, 3},
	}
	for _, tt := range tests {
		require.Equal(t, tt.want, EncounterMultiplier(tt.monsters, tt.party), "%d monsters, %d characters", tt.monsters, tt.party)
	}

	// Half XP rounds down and never crosses a whole-number threshold.
	d, err := ComputeDifficulty([]int{1, 1, 1, 1, 1, 1}, []MonsterGroup{{CR: 0.125, Count: 1}})
	require.NoError(t, err)
	require.Equal(t, 25, d.XP)
	require.Equal(t, 12, d.AdjustedXP)
}

func TestDifficulty_Errors(t *testing.T) {
	t.Parallel()
	_, err := ComputeDifficulty(nil, []MonsterGroup{{CR: 1, Count: 1}})
	require.ErrorIs(t, err, ErrNoParty)
	_, err = ComputeDifficulty([]int{0}, nil)
	require.ErrorIs(t, err, ErrBadLevel)
	_, err = ComputeDifficulty([]int{21}, nil)
	require.ErrorIs(t, err, ErrBadLevel)
	_, err = ComputeDifficulty([]int{3}, []MonsterGroup{{CR: 0.3, Count: 1}})
	require.ErrorIs(t, err, ErrBadCR)
	_, err = ComputeDifficulty([]int{3}, []MonsterGroup{{CR: 31, Count: 1}})
	require.ErrorIs(t, err, ErrBadCR)
}

// TestDifficulty_EveryLevel checks every level of both tables against the
// text encoding, both the Go literal and the rating it produces at each
// threshold and one below it.
func TestDifficulty_EveryLevel(t *testing.T) {
	t.Parallel()
	levels14, rows14 := parseTable(t, thresholds2014Text)
	levels24, rows24 := parseTable(t, budgets2024Text)
	require.Len(t, rows14, 20)
	require.Len(t, rows24, 20)

	for i := range 20 {
		level := i + 1
		require.Equal(t, strconv.Itoa(level), strings.TrimRight(levels14[i], "stndrh"), "2014 row order")
		require.Equal(t, strconv.Itoa(level), levels24[i], "2024 row order")

		want14, want24 := rows14[i], rows24[i]
		got := thresholds2014[i]
		require.Equal(t, want14, []int{got.Easy, got.Medium, got.Hard, got.Deadly}, "2014 level %d", level)
		gotB := budgets2024[i]
		require.Equal(t, want24, []int{gotB.Low, gotB.Moderate, gotB.High}, "2024 level %d", level)

		// One character of this level: the rating flips exactly at each
		// threshold (>=) and each budget (<=).
		b, err := partyBudget([]int{level})
		require.NoError(t, err)
		bands14 := []string{Easy, Medium, Hard, Deadly}
		below14 := []string{Trivial, Easy, Medium, Hard}
		for j, th := range want14 {
			require.Equal(t, bands14[j], b.rate2014(th), "2014 level %d at %d", level, th)
			require.Equal(t, below14[j], b.rate2014(th-1), "2014 level %d at %d", level, th-1)
		}
		bands24 := []string{Low, Moderate, High}
		above24 := []string{Moderate, High, Extreme}
		for j, bu := range want24 {
			require.Equal(t, bands24[j], b.rate2024(bu), "2024 level %d at %d", level, bu)
			require.Equal(t, above24[j], b.rate2024(bu+1), "2024 level %d at %d", level, bu+1)
		}

		// A party of four of this level is four times the row.
		b4, err := partyBudget([]int{level, level, level, level})
		require.NoError(t, err)
		require.Equal(t, budget{
			Easy: 4 * want14[0], Medium: 4 * want14[1], Hard: 4 * want14[2], Deadly: 4 * want14[3],
			Low: 4 * want24[0], Moderate: 4 * want24[1], High: 4 * want24[2],
		}, b4)
	}
}

func TestXPForCR(t *testing.T) {
	t.Parallel()
	crs, rows := parseTable(t, xpByCRText)
	require.Len(t, crs, len(xpByCR))
	for i, text := range crs {
		cr, err := ParseCR(text)
		require.NoError(t, err)
		xp, err := XPForCR(cr)
		require.NoError(t, err, text)
		require.Equal(t, rows[i][0], xp, "CR %s", text)
	}

	// And against the XP of every SRD stat block. The 5e-database data
	// has a few slips against the printed SRD (which has, for example,
	// "Challenge 1 (200 XP)" for the brass dragon wyrmling), and CR 0
	// creatures that print 0 XP; the import takes XP from the table.
	knownSlips := map[string]int{
		"brass-dragon-wyrmling":  100,
		"deep-gnome-svirfneblin": 50,
		"dretch":                 25,
		"riding-horse":           25,
		"frog":                   0,
		"sea-horse":              0,
	}
	dir := srdDir(t)
	raw, err := os.ReadFile(filepath.Join(dir, "5e-SRD-Monsters.json"))
	require.NoError(t, err)
	var monsters []struct {
		Index string  `json:"index"`
		CR    float64 `json:"challenge_rating"`
		XP    int     `json:"xp"`
	}
	require.NoError(t, json.Unmarshal(raw, &monsters))
	require.Len(t, monsters, 334)
	slips := map[string]int{}
	for _, m := range monsters {
		xp, err := XPForCR(m.CR)
		require.NoError(t, err, m.Index)
		if m.XP != xp {
			slips[m.Index] = m.XP
		}
	}
	require.Equal(t, knownSlips, slips)
}
