package codex

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"gametable/llm"
)

func TestModelMessages(t *testing.T) {
	t.Parallel()
	known := []Known{{ID: uuid.New(), Kind: KindNPC, Name: "Idris Vell"}, {ID: uuid.New(), Kind: "location", Name: "Greywater"}}
	msgs := ModelMessages("The recap.", known, []string{"Wren Thistledown"})
	require.Len(t, msgs, 2)
	require.Equal(t, llm.RoleSystem, msgs[0].Role)
	require.Contains(t, msgs[0].Content, `{"proposals": [{"kind": "npc", "name": "…", "summary": "…", "evidence": "…"}]}`)
	require.Equal(t, llm.RoleUser, msgs[1].Role)
	require.Contains(t, msgs[1].Content, "Wren Thistledown")
	require.Contains(t, msgs[1].Content, "- npc: Idris Vell\n- location: Greywater\n")
	require.True(t, strings.HasSuffix(msgs[1].Content, "<recap>\nThe recap.\n</recap>"))

	many := make([]Known, 400)
	for i := range many {
		many[i] = Known{ID: uuid.New(), Kind: "lore", Name: "Entry"}
	}
	require.Contains(t, ModelMessages("r", many, nil)[1].Content, "… and 100 more")
	require.NotContains(t, ModelMessages("r", nil, nil)[1].Content, "codex")
}

func TestParseModelReply(t *testing.T) {
	t.Parallel()
	recap := "Captain Idris Vell hired the party at the Salt Gate.\nWren kept watch over the Drowned Bell."
	vell := uuid.New()
	known := []Known{{ID: vell, Kind: KindNPC, Name: "Idris Vell"}}
	party := []string{"Wren Thistledown"}
	p := func(kind, name, summary, evidence string) map[string]any {
		return map[string]any{"kind": kind, "name": name, "summary": summary, "evidence": evidence}
	}
	reply := func(items ...map[string]any) string {
		b, _ := json.Marshal(map[string]any{"proposals": items})
		return string(b)
	}

	t.Run("Good", func(t *testing.T) {
		t.Parallel()
		got, err := ParseModelReply(reply(
			p("npc", "Captain Idris Vell", "Caravan master.", "Captain Idris Vell hired the party at the Salt Gate."),
			p("location", "salt gate", "A gate.", "hired the party at   the Salt Gate"),
			p("item", "Drowned Bell", "A bell.", "made up evidence"),
			p("npc", "Wren", "A player character.", ""),
			p("faction", "Invented Guild", "Not there.", ""),
			p("location", "Salt Gate", "Twice.", ""),
		), recap, known, party)
		require.NoError(t, err)
		require.Equal(t, []short{{KindNPC, "Idris Vell", true}, {"location", "salt gate", false}, {"item", "Drowned Bell", false}}, shorten(got))
		require.Equal(t, vell, *got[0].ExistingID)
		require.Equal(t, "Caravan master.", got[0].Summary)
		require.Equal(t, "hired the party at   the Salt Gate", got[1].Evidence, "evidence found in the recap stays")
		require.Equal(t, "Wren kept watch over the Drowned Bell.", got[2].Evidence, "evidence not in the recap is replaced")
	})

	t.Run("Fenced", func(t *testing.T) {
		t.Parallel()
		got, err := ParseModelReply("```json\n"+reply(p("location", "Salt Gate", "", ""))+"\n```", recap, nil, nil)
		require.NoError(t, err)
		require.Len(t, got, 1)
	})

	t.Run("Empty", func(t *testing.T) {
		t.Parallel()
		got, err := ParseModelReply(`{"proposals": []}`, recap, nil, nil)
		require.NoError(t, err)
		require.Empty(t, got)
	})

	tooMany := make([]map[string]any, 51)
	for i := range tooMany {
		tooMany[i] = p("lore", "Salt Gate", "", "")
	}
	bad := []struct {
		name    string
		content string
	}{
		{"Prose", "Here you go: Idris Vell, Salt Gate."},
		{"EmptyString", ""},
		{"Truncated", `{"proposals": [{"kind": "npc", "name": "Idris`},
		{"TrailingText", reply(p("npc", "Idris Vell", "", "")) + " Hope this helps!"},
		{"TwoObjects", `{"proposals": []} {"proposals": []}`},
		{"NoProposals", `{}`},
		{"NullProposals", `{"proposals": null}`},
		{"ProposalsNotList", `{"proposals": {"kind": "npc"}}`},
		{"ExtraTopKey", `{"proposals": [], "note": "x"}`},
		{"ExtraItemKey", `{"proposals": [{"kind": "npc", "name": "Idris Vell", "summary": "", "evidence": "", "confidence": 0.9}]}`},
		{"MissingSummary", `{"proposals": [{"kind": "npc", "name": "Idris Vell", "evidence": ""}]}`},
		{"MissingEvidence", `{"proposals": [{"kind": "npc", "name": "Idris Vell", "summary": ""}]}`},
		{"NullName", `{"proposals": [{"kind": "npc", "name": null, "summary": "", "evidence": ""}]}`},
		{"NumberName", `{"proposals": [{"kind": "npc", "name": 7, "summary": "", "evidence": ""}]}`},
		{"UnknownKind", reply(p("person", "Idris Vell", "", ""))},
		{"UpperCaseKind", reply(p("NPC", "Idris Vell", "", ""))},
		{"BlankName", reply(p("npc", "  ", "", ""))},
		{"LongName", reply(p("npc", strings.Repeat("a", 81), "", ""))},
		{"ControlName", reply(p("npc", "Idris\nVell", "", ""))},
		{"LongSummary", reply(p("npc", "Idris Vell", strings.Repeat("a", 501), ""))},
		{"LongEvidence", reply(p("npc", "Idris Vell", "", strings.Repeat("a", 1001)))},
		{"TooMany", reply(tooMany...)},
		{"List", `[{"kind": "npc", "name": "Idris Vell", "summary": "", "evidence": ""}]`},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := ParseModelReply(tt.content, recap, known, party)
			require.ErrorIs(t, err, ErrBadReply)
			require.Nil(t, got)
			require.NotContains(t, err.Error(), "Hope this helps", "the reply is not echoed")
		})
	}
}

func FuzzParseModelReply(f *testing.F) {
	f.Add(`{"proposals": [{"kind": "npc", "name": "Idris Vell", "summary": "", "evidence": ""}]}`, "Idris Vell came.")
	f.Add("```json\n{\"proposals\": []}\n```", "")
	f.Add(`{"proposals": [{"kind": "lore", "name": "É", "summary": "\u0000", "evidence": "é"}]}`, "É é")
	f.Fuzz(func(t *testing.T, content, recap string) {
		ps, err := ParseModelReply(content, recap, nil, nil)
		if err != nil {
			require.ErrorIs(t, err, ErrBadReply)
			return
		}
		require.LessOrEqual(t, len(ps), MaxProposals)
		for _, p := range ps {
			require.True(t, IsKind(p.Kind))
			require.NotEmpty(t, p.Name)
			require.Contains(t, normalize(recap), normalize(p.Name))
		}
	})
}
