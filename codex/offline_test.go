package codex

import (
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"
)

// short is the part of a proposal most tests compare.
type short struct {
	Kind, Name string
	Linked     bool
}

func shorten(ps []Proposal) []short {
	out := make([]short, 0, len(ps))
	for _, p := range ps {
		out = append(out, short{Kind: p.Kind, Name: p.Name, Linked: p.ExistingID != nil})
	}
	return out
}

const lanternRecap = `The caravan left Greywater at dawn. Captain Idris Vell hired the party at the
Salt Gate after the old guards vanished in the fog. On the first night the
Lanterns went out one by one; Wren followed a green light into the reeds and
found the Drowned Bell, half sunk in the mud, still ringing. Brother Quill
read the inscription: a warning from the Order of the Ninth Wick. The party
drove off three marsh stalkers and carried the bell clapper back to camp.`

var lanternParty = []string{"Brother Quill", "Wren Thistledown", "Tobin Ash", "Sela Varn"}

func TestOffline(t *testing.T) {
	t.Parallel()

	t.Run("NewNames", func(t *testing.T) {
		t.Parallel()
		got := Offline(lanternRecap, nil, lanternParty)
		require.Equal(t, []short{
			{"location", "Greywater", false},
			{"npc", "Captain Idris Vell", false},
			{"location", "Salt Gate", false},
			{"other", "Lanterns", false},
			{"item", "Drowned Bell", false},
			{"faction", "Order of the Ninth Wick", false},
		}, shorten(got))
		require.Equal(t, "The caravan left Greywater at dawn.", got[0].Evidence)
		require.Equal(t, got[0].Evidence, got[0].Summary)
		require.Equal(t, "Brother Quill read the inscription: a warning from the Order of the Ninth Wick.", got[5].Evidence)
	})

	t.Run("LinksKnownNames", func(t *testing.T) {
		t.Parallel()
		vell, order, bell := uuid.New(), uuid.New(), uuid.New()
		known := []Known{
			{ID: vell, Kind: KindNPC, Name: "Idris Vell"},
			{ID: order, Kind: "faction", Name: "order of the ninth wick"},
			{ID: bell, Kind: "lore", Name: "The Drowned Bell"},
			{ID: uuid.New(), Kind: "location", Name: "Somewhere Else"},
		}
		got := Offline(lanternRecap+" Later Vell paid them.", known, lanternParty)
		require.Equal(t, []short{
			{"location", "Greywater", false},
			{KindNPC, "Idris Vell", true},
			{"location", "Salt Gate", false},
			{"other", "Lanterns", false},
			{"lore", "The Drowned Bell", true},
			{"faction", "order of the ninth wick", true},
		}, shorten(got))
		require.Equal(t, vell, *got[1].ExistingID)
		require.Equal(t, bell, *got[4].ExistingID)
		require.Equal(t, order, *got[5].ExistingID)
	})

	t.Run("ShortMentionsMergeIntoLongNames", func(t *testing.T) {
		t.Parallel()
		got := Offline("Captain Idris Vell waved. Later Vell's men left, and Idris laughed.", nil, nil)
		require.Equal(t, []short{{KindNPC, "Captain Idris Vell", false}}, shorten(got))
	})

	t.Run("AmbiguousWordsDoNotLink", func(t *testing.T) {
		t.Parallel()
		known := []Known{{ID: uuid.New(), Kind: KindNPC, Name: "Idris Vell"}, {ID: uuid.New(), Kind: KindNPC, Name: "Mara Vell"}}
		got := Offline("We met Vell at noon.", known, nil)
		require.Equal(t, []short{{KindNPC, "Vell", false}}, shorten(got))
	})

	t.Run("PartyNeverProposed", func(t *testing.T) {
		t.Parallel()
		got := Offline("Wren and Brother Quill argued. Quill's staff broke. Thistledown laughed. Tobin brought snacks.", nil, lanternParty)
		require.Empty(t, got)
	})

	t.Run("SentenceStartsAndCommonWords", func(t *testing.T) {
		t.Parallel()
		recap := "Meanwhile the rain fell. After dinner, Maud Harrow sang. Suddenly a scream. " +
			"They ran. On Friday in March the DM gave XP. I rolled a 20. " +
			"Lanterns swayed; the lanterns were old."
		require.Equal(t, []short{{KindNPC, "Maud Harrow", false}}, shorten(Offline(recap, nil, nil)))
	})

	t.Run("Markdown", func(t *testing.T) {
		t.Parallel()
		recap := "# Session 3\n\n## The Reed Maze\n\n- Met **Old Maud** at the [Salt Gate](https://example.com)\n" +
			"- Fought the Marsh Queen\n\n> Beware the Ninth Wick\n\nSt. Cuthbert's shrine was quiet. " +
			"Mr. Pell agreed with O'Brien-Smith's plan. We saw Mt. Doom."
		got := Offline(recap, nil, nil)
		require.Equal(t, []short{
			{"location", "Reed Maze", false},
			{KindNPC, "Old Maud", false},
			{"location", "Salt Gate", false},
			{KindNPC, "Marsh Queen", false},
			{"other", "Ninth Wick", false},
			{KindNPC, "St. Cuthbert", false},
			{KindNPC, "Mr. Pell", false},
			{KindNPC, "O'Brien-Smith", false},
			{"location", "Mt. Doom", false},
		}, shorten(got))
		require.Equal(t, "Met Old Maud at the Salt Gate", got[1].Evidence)
	})

	t.Run("Kinds", func(t *testing.T) {
		t.Parallel()
		recap := "We rode into Blackmere. The Siege of Aldfort ended. Sister Ember blessed us. " +
			"We took the Crown of Ashes from the Iron Guild. Tomas Reed joined us at the Mount Sorrow."
		require.Equal(t, []short{
			{"location", "Blackmere", false},
			{"event", "Siege of Aldfort", false},
			{KindNPC, "Sister Ember", false},
			{"item", "Crown of Ashes", false},
			{"faction", "Iron Guild", false},
			{KindNPC, "Tomas Reed", false},
			{"location", "Mount Sorrow", false},
		}, shorten(Offline(recap, nil, nil)))
	})

	t.Run("Limits", func(t *testing.T) {
		t.Parallel()
		var b strings.Builder
		for i := range 80 {
			b.WriteString("We met Zed" + strings.Repeat("a", i%26+1) + "x Qor" + string(rune('a'+i%26)) + string(rune('a'+i/26)) + ". ")
		}
		got := Offline(b.String(), nil, nil)
		require.Len(t, got, MaxProposals)
		long := "We met " + strings.Repeat("Abcdefghij ", 9) + "there."
		for _, p := range Offline(long, nil, nil) {
			require.LessOrEqual(t, len([]rune(p.Name)), MaxNameLen)
		}
		huge := "We met Ona. " + strings.Repeat("word ", 400) + "end."
		got = Offline(huge, nil, nil)
		require.Len(t, got, 1)
		require.LessOrEqual(t, len([]rune(got[0].Summary)), MaxSummaryLen)
		require.LessOrEqual(t, len([]rune(got[0].Evidence)), MaxEvidenceLen)
	})

	t.Run("Empty", func(t *testing.T) {
		t.Parallel()
		require.Empty(t, Offline("", nil, nil))
		require.Empty(t, Offline("nothing capitalised here at all.", nil, nil))
	})
}

func FuzzOffline(f *testing.F) {
	f.Add(lanternRecap, "Idris Vell", "Wren")
	f.Add("# H\n- **A** [b](c)\n> D. E! F? G… \"H.\" I.", "", "")
	f.Add("Ā Ǆ ǅ 'S's’s -- .. O'Brien-Smith's", "o'brien", "")
	f.Fuzz(func(t *testing.T, recap, knownName, partyName string) {
		known := []Known{{ID: uuid.New(), Kind: KindNPC, Name: knownName}}
		ps := Offline(recap, known, []string{partyName})
		require.LessOrEqual(t, len(ps), MaxProposals)
		for _, p := range ps {
			require.True(t, IsKind(p.Kind))
			require.NotEmpty(t, p.Name)
			require.LessOrEqual(t, len([]rune(p.Name)), MaxNameLen)
			require.LessOrEqual(t, len([]rune(p.Summary)), MaxSummaryLen)
		}
	})
}
