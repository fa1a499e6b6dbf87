package codex

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode"
	"unicode/utf8"

	"gametable/llm"
)

// ErrBadReply means a model's reply is not the JSON the prompt asked for;
// the extraction then falls back to Offline.
var ErrBadReply = errors.New("codex: the model's reply is not valid proposals")

// maxKnownInPrompt bounds the codex names listed in the prompt.
const maxKnownInPrompt = 300

const systemPrompt = `You help the game master of a tabletop role-playing campaign keep its codex: the campaign's NPCs, locations, factions, items, lore and events. You read the recap of one game session and list what in it belongs in the codex.

Reply with one JSON object and nothing else, exactly in this shape:
{"proposals": [{"kind": "npc", "name": "…", "summary": "…", "evidence": "…"}]}

Rules:
- kind is one of: npc, location, faction, item, lore, event, other.
- name is the proper name as the recap writes it (at most 80 characters). Only named things: no common nouns, no pronouns.
- summary is one short sentence saying who or what it is, from the recap alone (at most 300 characters).
- evidence is the sentence of the recap that mentions it, copied word for word.
- Never list the player characters or the players themselves.
- List names that are already in the codex too, spelled as the codex spells them, so the game master can link them to this session.
- At most 50 proposals, each name once. With nothing to list, reply {"proposals": []}.`

// ModelMessages is the conversation that asks a model for proposals from
// recap. known is listed so the model can spell existing names the same
// way; party is what it must leave out.
func ModelMessages(recap string, known []Known, party []string) []llm.Message {
	var b strings.Builder
	if len(party) > 0 {
		b.WriteString("The party (never list these): ")
		b.WriteString(strings.Join(party, ", "))
		b.WriteString("\n\n")
	}
	if len(known) > 0 {
		b.WriteString("Already in the codex:\n")
		for i, k := range known {
			if i == maxKnownInPrompt {
				fmt.Fprintf(&b, "- … and %d more\n", len(known)-i)
				break
			}
			fmt.Fprintf(&b, "- %s: %s\n", k.Kind, k.Name)
		}
		b.WriteString("\n")
	}
	b.WriteString("The recap:\n<recap>\n")
	b.WriteString(recap)
	b.WriteString("\n</recap>")
	return []llm.Message{
		{Role: llm.RoleSystem, Content: systemPrompt},
		{Role: llm.RoleUser, Content: b.String()},
	}
}

// modelReply is the JSON ModelMessages asks for. Pointers tell a missing
// key from an empty value.
type modelReply struct {
	Proposals *[]modelProposal `json:"proposals"`
}

type modelProposal struct {
	Kind     *string `json:"kind"`
	Name     *string `json:"name"`
	Summary  *string `json:"summary"`
	Evidence *string `json:"evidence"`
}

// ParseModelReply validates a model's reply strictly and turns it into
// proposals. The reply must be exactly the object ModelMessages describes
// (a Markdown code fence around it is tolerated): no other keys, every key
// present with a string value, a known kind, a name of 1 to 80 characters
// without control characters, a summary of at most 500 and evidence of at
// most 1000 characters, at most 50 proposals. Anything else is ErrBadReply.
//
// Then, as for Offline: names that do not occur in the recap are dropped
// (a model may invent), evidence that is not a sentence of the recap is
// replaced by the first sentence naming it, the party's names are dropped
// and existing codex names are linked.
func ParseModelReply(content, recap string, known []Known, party []string) ([]Proposal, error) {
	content = stripFence(strings.TrimSpace(content))
	dec := json.NewDecoder(strings.NewReader(content))
	dec.DisallowUnknownFields()
	var reply modelReply
	if err := dec.Decode(&reply); err != nil {
		return nil, fmt.Errorf("%w: %s", ErrBadReply, describeJSONError(err))
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("%w: text after the JSON object", ErrBadReply)
	}
	if reply.Proposals == nil {
		return nil, fmt.Errorf("%w: no \"proposals\" list", ErrBadReply)
	}
	items := *reply.Proposals
	if len(items) > MaxProposals {
		return nil, fmt.Errorf("%w: %d proposals, at most %d", ErrBadReply, len(items), MaxProposals)
	}

	normRecap := normalize(recap)
	sents := splitSentences(recap)
	props := make([]Proposal, 0, len(items))
	for i, it := range items {
		if it.Kind == nil || it.Name == nil || it.Summary == nil || it.Evidence == nil {
			return nil, fmt.Errorf("%w: proposal %d lacks kind, name, summary or evidence", ErrBadReply, i)
		}
		kind, name := *it.Kind, strings.TrimSpace(*it.Name)
		switch {
		case !IsKind(kind):
			return nil, fmt.Errorf("%w: proposal %d has kind %q", ErrBadReply, i, cut(kind, 20))
		case name == "" || utf8.RuneCountInString(name) > MaxNameLen || strings.IndexFunc(name, unicode.IsControl) >= 0:
			return nil, fmt.Errorf("%w: proposal %d has an invalid name", ErrBadReply, i)
		case utf8.RuneCountInString(*it.Summary) > MaxSummaryLen:
			return nil, fmt.Errorf("%w: proposal %d has a summary over %d characters", ErrBadReply, i, MaxSummaryLen)
		case utf8.RuneCountInString(*it.Evidence) > MaxEvidenceLen:
			return nil, fmt.Errorf("%w: proposal %d has evidence over %d characters", ErrBadReply, i, MaxEvidenceLen)
		}
		nn := normalize(name)
		if !strings.Contains(normRecap, nn) {
			continue
		}
		evidence := strings.TrimSpace(*it.Evidence)
		if evidence == "" || !strings.Contains(normRecap, normalize(evidence)) {
			evidence = sentenceWith(sents, nn)
		}
		props = append(props, Proposal{Kind: kind, Name: name, Summary: *it.Summary, Evidence: evidence})
	}
	return resolve(props, known, party), nil
}

// stripFence removes one Markdown code fence around s, if any.
func stripFence(s string) string {
	if !strings.HasPrefix(s, "```") || !strings.HasSuffix(s, "```") || len(s) < 6 {
		return s
	}
	s = strings.TrimSuffix(strings.TrimPrefix(s, "```"), "```")
	if nl := strings.IndexByte(s, '\n'); nl >= 0 && !strings.ContainsAny(s[:nl], "{[") {
		s = s[nl+1:] // the info string: ```json
	}
	return strings.TrimSpace(s)
}

// normalize lower-cases s and collapses whitespace, for containment tests.
func normalize(s string) string {
	return strings.ToLower(strings.Join(strings.Fields(s), " "))
}

// sentenceWith returns the first sentence whose normalised text contains
// the normalised name, or "".
func sentenceWith(sents []sentence, name string) string {
	for _, s := range sents {
		if strings.Contains(normalize(s.text), name) {
			return s.text
		}
	}
	return ""
}

// describeJSONError says what is wrong without quoting the reply.
func describeJSONError(err error) string {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		return fmt.Sprintf("invalid JSON at byte %d", se.Offset)
	case errors.As(err, &te):
		return fmt.Sprintf("%q must not be a JSON %s", te.Field, te.Value)
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return "empty or truncated JSON"
	case bytes.HasPrefix([]byte(err.Error()), []byte("json: unknown field ")):
		return "unexpected key " + strings.TrimPrefix(err.Error(), "json: unknown field ")
	}
	return "invalid JSON"
}
