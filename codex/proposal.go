// Package codex reads a game session's recap and proposes what to add to
// the campaign's codex (its NPCs and entities), and applies the proposals
// a GM accepts.
//
// It has three parts:
//   - pure functions that turn a recap into proposals: Offline (capitalised
//     names, no model) and ModelMessages / ParseModelReply (a language
//     model's structured JSON, validated strictly), both finished by the
//     same resolution step that drops the party's own names, merges
//     repeated mentions and links names that are already in the codex;
//   - Extractor, the durable background job (River) that moves an
//     extraction from pending to done or failed: it asks the model when one
//     is configured and falls back to Offline on any bad or missing answer;
//   - Apply, which creates or links the accepted proposals and records
//     their appearance in the session, in one transaction, once.
//
// Invariants: a proposal's kind is "npc" or an entity kind; ExistingID,
// when set, names a row of the same campaign in the table its kind implies
// (npcs for "npc", campaign_entities otherwise); an applied extraction
// never changes again.
package codex

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/google/uuid"
)

// KindNPC is the proposal kind of an NPC; the others are entity kinds.
const KindNPC = "npc"

// EntityKinds are the kinds of codex entities, as the API spells them.
var EntityKinds = []string{"location", "faction", "item", "lore", "event", "other"}

// IsEntityKind reports whether k is one of EntityKinds.
func IsEntityKind(k string) bool {
	for _, e := range EntityKinds {
		if k == e {
			return true
		}
	}
	return false
}

// IsKind reports whether k is a proposal kind: KindNPC or an entity kind.
func IsKind(k string) bool { return k == KindNPC || IsEntityKind(k) }

// Limits of proposals. Summaries longer than MaxSummaryLen are cut (the
// NPC and entity summaries they become have the same limit).
const (
	MaxProposals   = 50
	MaxNameLen     = 80
	MaxSummaryLen  = 500
	MaxEvidenceLen = 1000
)

// Proposal is one suggested codex change: a new NPC or entity, or, with
// ExistingID set, one that exists and appeared in the session. It is
// stored in recap_extractions.proposals as JSON.
type Proposal struct {
	Kind    string `json:"kind"`
	Name    string `json:"name"`
	Summary string `json:"summary"`
	// ExistingID is the NPC or entity the name links to. After apply it
	// names the row that was created or linked.
	ExistingID *uuid.UUID `json:"existingId,omitempty"`
	// Evidence is the sentence of the recap the proposal comes from.
	Evidence string `json:"evidence"`
}

// Known is an NPC (Kind KindNPC) or an entity that is already in the
// codex.
type Known struct {
	ID   uuid.UUID
	Kind string
	Name string
}

// resolve finishes a list of candidate proposals, from either method:
// names of the party are dropped; a name that is already in the codex is
// linked (its existing kind and spelling, ExistingID set); repeated names
// are merged, keeping the first; at most MaxProposals remain.
func resolve(cands []Proposal, known []Known, party []string) []Proposal {
	excl := newExclusions(party)
	idx := newKnownIndex(known)
	out := make([]Proposal, 0, len(cands))
	seen := map[string]bool{}
	for _, p := range cands {
		p.Name = cleanName(p.Name)
		if p.Name == "" || excl.excludes(p.Name) {
			continue
		}
		if k, ok := idx.match(p.Name); ok {
			id := k.ID
			p.ExistingID, p.Kind, p.Name = &id, k.Kind, k.Name
		} else {
			p.ExistingID = nil
		}
		key := strings.ToLower(p.Name)
		if p.ExistingID != nil {
			key = p.ExistingID.String()
		}
		if seen[key] {
			continue
		}
		seen[key] = true
		p.Summary = cut(strings.TrimSpace(p.Summary), MaxSummaryLen)
		p.Evidence = cut(strings.TrimSpace(p.Evidence), MaxEvidenceLen)
		out = append(out, p)
		if len(out) == MaxProposals {
			break
		}
	}
	return out
}

// cleanName collapses whitespace and trims; names that are too long or
// hold control characters become "".
func cleanName(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if s == "" || utf8.RuneCountInString(s) > MaxNameLen || strings.IndexFunc(s, unicode.IsControl) >= 0 {
		return ""
	}
	return s
}

// cut shortens s to at most n runes, ending with "…" when cut.
func cut(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return strings.TrimSpace(string(r[:n-1])) + "…"
}

// exclusions are the party's names: whole names and each of their words.
type exclusions map[string]bool

func newExclusions(party []string) exclusions {
	e := exclusions{}
	for _, name := range party {
		name = strings.ToLower(strings.Join(strings.Fields(name), " "))
		if name == "" {
			continue
		}
		e[name] = true
		for _, w := range strings.Fields(name) {
			if !connectors[w] && utf8.RuneCountInString(w) > 1 {
				e[w] = true
			}
		}
	}
	return e
}

// excludes reports whether name is a party member's name or one word of
// one (also with a possessive or a title in front: "Brother Quill").
func (e exclusions) excludes(name string) bool {
	l := strings.ToLower(name)
	if e[l] {
		return true
	}
	words := strings.Fields(l)
	if len(words) > 1 && titles[words[0]] && e[strings.Join(words[1:], " ")] {
		return true
	}
	return false
}

// knownIndex finds existing codex names.
type knownIndex struct {
	exact map[string]Known
	// byWord maps a significant word of a known name to the names that
	// have it, for "Vell" → "Idris Vell".
	byWord map[string][]Known
}

func newKnownIndex(known []Known) *knownIndex {
	x := &knownIndex{exact: map[string]Known{}, byWord: map[string][]Known{}}
	for _, k := range known {
		l := strings.ToLower(strings.Join(strings.Fields(k.Name), " "))
		if _, dup := x.exact[l]; !dup {
			x.exact[l] = k
		}
		for _, w := range strings.Fields(l) {
			if connectors[w] || titles[w] || utf8.RuneCountInString(w) < 3 {
				continue
			}
			x.byWord[w] = append(x.byWord[w], k)
		}
	}
	return x
}

// match finds the codex entry name refers to: the same name
// (case-insensitively), the same name after a title ("Captain Idris Vell"
// → "Idris Vell"), a name with a leading article dropped, or a single
// word that belongs to exactly one known name ("Vell").
func (x *knownIndex) match(name string) (Known, bool) {
	l := strings.ToLower(name)
	if k, ok := x.exact[l]; ok {
		return k, true
	}
	words := strings.Fields(l)
	if len(words) > 1 && (titles[words[0]] || articles[words[0]]) {
		if k, ok := x.exact[strings.Join(words[1:], " ")]; ok {
			return k, true
		}
	}
	if k, ok := x.exact["the "+l]; ok {
		return k, true
	}
	if len(words) == 1 {
		if ks := x.byWord[words[0]]; len(ks) > 0 && sameID(ks) {
			return ks[0], true
		}
	}
	return Known{}, false
}

// sameID reports whether every entry of ks is the same row.
func sameID(ks []Known) bool {
	for _, k := range ks[1:] {
		if k.ID != ks[0].ID {
			return false
		}
	}
	return true
}
