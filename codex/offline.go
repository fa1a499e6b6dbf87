package codex

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Offline proposes codex entries from a recap without a language model:
// the capitalised names in it. known is what the codex holds (names found
// there are linked, not proposed anew); party holds the party's names
// (characters and players), which are never proposed.
//
// A name is a run of capitalised words, which may be joined by a few
// lower-case particles ("Order of the Ninth Wick", "Hugo van Dalen") and
// ends at punctuation or a possessive ("Vell's" gives "Vell"). Dropped:
// common words that are capitalised only because they start a sentence
// ("The", "After", "Meanwhile"…) or a line, a leading article ("The
// Drowned Bell" gives "Drowned Bell"), acronyms ("DM", "HP"), bare titles
// ("Captain"), weekdays and months, single words that also occur in lower
// case in the recap ("Lanterns" when "lanterns" occurs too), and a shorter
// mention of a longer name ("Vell" after "Captain Idris Vell").
//
// The kind is guessed from the words of the name and its context: a title
// makes an NPC ("Captain Idris Vell"); "Gate", "Keep", "Marches"… or "in",
// "at", "reached"… before it a location; "Order", "Guild"… a faction;
// "Bell", "Sword"… an item; "Battle", "Siege"… an event; a name after "the"
// that is none of these is "other"; anything else an NPC. The GM reviews
// every proposal before applying it. The summary is the sentence the name
// first appears in, which is also the evidence.
func Offline(recap string, known []Known, party []string) []Proposal {
	sents := splitSentences(recap)
	lower := lowerWords(sents)

	type cand struct {
		name, kind, evidence string
	}
	var cands []cand
	for _, s := range sents {
		for _, r := range nameRuns(s) {
			name := r.name
			kind := guessKind(r)
			cands = append(cands, cand{name: name, kind: kind, evidence: s.text})
		}
	}

	idx := newKnownIndex(known)
	// Single words that also occur in lower case are ordinary words; a
	// shorter mention of a longer name found in the same recap is that
	// name.
	var multi [][]string
	for _, c := range cands {
		if w := strings.Fields(strings.ToLower(c.name)); len(w) > 1 {
			multi = append(multi, w)
		}
	}
	props := make([]Proposal, 0, len(cands))
	for _, c := range cands {
		words := strings.Fields(strings.ToLower(c.name))
		if _, ok := idx.match(c.name); !ok {
			if len(words) == 1 && lower[words[0]] {
				continue
			}
			if partOfLonger(words, multi) {
				continue
			}
		}
		props = append(props, Proposal{Kind: c.kind, Name: c.name, Summary: c.evidence, Evidence: c.evidence})
	}
	return resolve(props, known, party)
}

// partOfLonger reports whether words is a contiguous part of one of the
// longer names in multi, ignoring titles ("Vell" in "captain idris vell").
func partOfLonger(words []string, multi [][]string) bool {
	for _, m := range multi {
		if len(m) <= len(words) {
			continue
		}
		for i := 0; i+len(words) <= len(m); i++ {
			match := true
			for j, w := range words {
				if m[i+j] != w {
					match = false
					break
				}
			}
			if match {
				return true
			}
		}
	}
	return false
}

// sentence is one sentence of the recap and its words.
type sentence struct {
	text  string
	words []word
}

type word struct {
	text       string
	start, end int // byte offsets in sentence.text
}

var (
	mdLink      = regexp.MustCompile(`!?\[([^\]]*)\]\([^)]*\)`)
	mdLinePrefx = regexp.MustCompile(`^\s*(?:#{1,6}\s+|[-*+]\s+|\d{1,3}[.)]\s+|>\s*)+`)
	wordRe      = regexp.MustCompile(`[\p{L}\p{N}][\p{L}\p{M}\p{N}'’\-]*`)
)

// splitSentences cuts a Markdown recap into sentences. Blank lines,
// headings and list items start a new sentence as well as ". ", "! " and
// "? " (not after an abbreviation such as "Mr." or an initial).
func splitSentences(recap string) []sentence {
	recap = mdLink.ReplaceAllString(recap, "$1")
	recap = strings.NewReplacer("**", "", "__", "", "`", "", "~~", "", "*", "").Replace(recap)
	var blocks []string
	var cur []string
	flush := func() {
		if len(cur) > 0 {
			blocks = append(blocks, strings.Join(cur, " "))
			cur = nil
		}
	}
	for _, line := range strings.Split(strings.ReplaceAll(recap, "\r\n", "\n"), "\n") {
		if strings.TrimSpace(line) == "" {
			flush()
			continue
		}
		if loc := mdLinePrefx.FindStringIndex(line); loc != nil {
			flush()
			line = line[loc[1]:]
		}
		cur = append(cur, strings.TrimSpace(line))
	}
	flush()

	var out []sentence
	for _, b := range blocks {
		for _, s := range splitBlock(b) {
			s = strings.TrimSpace(s)
			if s == "" {
				continue
			}
			sn := sentence{text: s}
			for _, loc := range wordRe.FindAllStringIndex(s, -1) {
				w := strings.TrimRight(s[loc[0]:loc[1]], "-'’")
				sn.words = append(sn.words, word{text: w, start: loc[0], end: loc[0] + len(w)})
			}
			if len(sn.words) > 0 {
				out = append(out, sn)
			}
		}
	}
	return out
}

// splitBlock splits a paragraph at sentence ends.
func splitBlock(b string) []string {
	var out []string
	start := 0
	for i := 0; i < len(b); {
		r, size := utf8.DecodeRuneInString(b[i:])
		i += size
		if r != '.' && r != '!' && r != '?' && r != '…' {
			continue
		}
		// Closing quotes and brackets belong to the sentence.
		j := i
		for j < len(b) {
			c, sz := utf8.DecodeRuneInString(b[j:])
			if !strings.ContainsRune(`"'”’)]»`, c) {
				break
			}
			j += sz
		}
		if j < len(b) && b[j] != ' ' && b[j] != '\t' {
			continue
		}
		if r == '.' && isAbbreviation(b[start:i-1]) {
			continue
		}
		out = append(out, b[start:j])
		start = j
		i = j
	}
	return append(out, b[start:])
}

// isAbbreviation reports whether the text before a full stop ends with an
// abbreviation or an initial, after which a sentence does not end.
func isAbbreviation(before string) bool {
	f := strings.Fields(before)
	if len(f) == 0 {
		return false
	}
	last := strings.ToLower(strings.TrimLeft(f[len(f)-1], `"'“‘(`))
	if utf8.RuneCountInString(last) == 1 && unicode.IsLetter([]rune(last)[0]) {
		return true
	}
	return abbreviations[last]
}

// lowerWords returns the words that occur in lower case somewhere in the
// sentences.
func lowerWords(sents []sentence) map[string]bool {
	m := map[string]bool{}
	for _, s := range sents {
		for _, w := range s.words {
			if r, _ := utf8.DecodeRuneInString(w.text); unicode.IsLower(r) {
				m[strings.ToLower(trimPossessive(w.text))] = true
			}
		}
	}
	return m
}

// run is a candidate name found in a sentence.
type run struct {
	name  string
	words []string // lower case
	// prev holds the lower-case words before the name (nearest first),
	// articles included, up to three.
	prev []string
	// article is true when the name was preceded by an article, or began
	// with one that was dropped.
	article bool
}

// nameRuns finds the candidate names of a sentence.
func nameRuns(s sentence) []run {
	ws := s.words
	// joined reports whether words a and b = a+1 belong together: only
	// spaces between them, or the full stop of an abbreviated title
	// ("St. Cuthbert", "Mr. Pell").
	joined := func(a, b int) bool {
		gap := strings.TrimSpace(s.text[ws[a].end:ws[b].start])
		return gap == "" || gap == "." && abbreviatedTitles[strings.ToLower(ws[a].text)]
	}
	lower := func(i int) string { return strings.ToLower(ws[i].text) }
	var out []run
	for i := 0; i < len(ws); {
		if !isCapitalised(ws[i].text) {
			i++
			continue
		}
		last := i
		if !hasPossessive(ws[i].text) {
			for k := i + 1; k < len(ws) && k-i < 8 && joined(k-1, k); {
				if isCapitalised(ws[k].text) {
					last = k
					if hasPossessive(ws[k].text) {
						break
					}
					k++
					continue
				}
				// Up to two particles, then a capitalised word.
				m := k
				for m < len(ws) && m-k < 2 && connectors[lower(m)] && (m == k || joined(m-1, m)) {
					m++
				}
				if m > k && m < len(ws) && joined(m-1, m) && isCapitalised(ws[m].text) {
					last = m
					if hasPossessive(ws[m].text) {
						break
					}
					k = m + 1
					continue
				}
				break
			}
		}
		next := last + 1
		r := run{}
		for p := i - 1; p >= 0 && len(r.prev) < 3; p-- {
			r.prev = append(r.prev, lower(p))
		}
		if len(r.prev) > 0 && articles[r.prev[0]] {
			r.article = true
		}
		// A common word that starts the sentence is not part of a name;
		// nor is a leading article anywhere, nor the particles after them.
		first := i
		for first <= last {
			l := lower(first)
			if articles[l] {
				r.article = true
			} else if !(first == 0 && commonStarters[l]) {
				break
			}
			first++
			for first <= last && connectors[lower(first)] {
				if articles[lower(first)] {
					r.article = true
				}
				first++
			}
		}
		i = next
		if first > last {
			continue
		}
		end := ws[last].start + len(trimPossessive(ws[last].text))
		r.name = strings.Join(strings.Fields(s.text[ws[first].start:end]), " ")
		for k := first; k <= last; k++ {
			r.words = append(r.words, lower(k))
		}
		r.words[len(r.words)-1] = strings.ToLower(trimPossessive(ws[last].text))
		if notNames[r.words[0]] {
			continue
		}
		if len(r.words) == 1 && (titles[r.words[0]] || abbreviatedTitles[r.words[0]] || commonStarters[r.words[0]]) {
			continue
		}
		out = append(out, r)
	}
	return out
}

// isCapitalised reports whether w starts with an upper-case letter and is
// not an acronym ("DM", "HP") or the pronoun "I".
func isCapitalised(w string) bool {
	r, _ := utf8.DecodeRuneInString(w)
	if !unicode.IsUpper(r) {
		return false
	}
	letters, upper := 0, 0
	for _, c := range w {
		if unicode.IsLetter(c) {
			letters++
			if unicode.IsUpper(c) {
				upper++
			}
		}
	}
	if letters <= 1 {
		return false
	}
	return upper < letters // all capitals: an acronym
}

func hasPossessive(w string) bool {
	return strings.HasSuffix(w, "'s") || strings.HasSuffix(w, "’s") || strings.HasSuffix(w, "s'") || strings.HasSuffix(w, "s’")
}

func trimPossessive(w string) string {
	for _, suf := range []string{"'s", "’s"} {
		if strings.HasSuffix(w, suf) {
			return strings.TrimSuffix(w, suf)
		}
	}
	return strings.TrimRight(w, "'’")
}

// guessKind guesses a new name's kind from its words and context. The
// head noun is the last word, or the word before "of" ("Crown of Ashes").
func guessKind(r run) string {
	first, last, head := r.words[0], r.words[len(r.words)-1], r.words[len(r.words)-1]
	for i, w := range r.words {
		if w == "of" && i > 0 {
			head = r.words[i-1]
			break
		}
	}
	switch {
	case titles[first] && len(r.words) > 1:
		return KindNPC
	case factionWords[first] || factionWords[head] || factionWords[last]:
		return "faction"
	case eventWords[first] || eventWords[head] || eventWords[last]:
		return "event"
	case locationWords[head] || locationWords[last] || locationPrefixes[first]:
		return "location"
	case itemWords[head] || itemWords[last]:
		return "item"
	case titles[last] && len(r.words) > 1: // "the Marsh Queen"
		return KindNPC
	}
	for _, p := range r.prev {
		if articles[p] {
			continue
		}
		if locationContext[p] {
			return "location"
		}
		break
	}
	if r.article {
		return "other"
	}
	return KindNPC
}

func set(words ...string) map[string]bool {
	m := make(map[string]bool, len(words))
	for _, w := range words {
		m[w] = true
	}
	return m
}

var (
	articles = set("the", "a", "an")
	// connectors may join the capitalised words of one name.
	connectors = set("of", "the", "de", "du", "da", "del", "della", "di", "van", "von", "der", "den", "la", "le", "al", "el", "y", "ibn", "bin")
	// abbreviatedTitles may be followed by a full stop inside a name.
	abbreviatedTitles = set("mr", "mrs", "ms", "dr", "st", "mt", "ft", "lt", "sgt", "capt", "col", "gen", "prof", "jr", "sr")
	abbreviations     = set("mr", "mrs", "ms", "dr", "st", "mt", "ft", "lt", "sgt", "capt", "col", "gen", "prof", "sr", "jr", "vs", "etc", "e.g", "i.e", "no", "vol", "ch", "pp")
	titles            = set("captain", "capt", "lord", "lady", "sir", "dame", "brother", "sister", "father", "mother",
		"king", "queen", "prince", "princess", "duke", "duchess", "baron", "baroness", "count", "countess",
		"earl", "mayor", "master", "mistress", "doctor", "dr", "professor", "elder", "chief", "general",
		"commander", "sergeant", "lieutenant", "marshal", "magistrate", "priest", "priestess", "abbot",
		"abbess", "bishop", "archmage", "grandmother", "grandfather", "uncle", "aunt", "madam", "madame",
		"mr", "mrs", "ms", "miss", "saint", "emperor", "empress", "warden", "steward")
	// notNames are capitalised words that are never codex names.
	notNames = set("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
		"january", "february", "march", "april", "june", "july", "august", "september", "october",
		"november", "december", "session", "chapter", "part", "act", "scene", "recap", "summary",
		"notes", "gm", "dm", "npc", "npcs", "pc", "pcs", "hp", "xp", "ac", "ok", "okay", "yes", "no",
		"english", "god", "gods", "sir", "madam")
	// commonStarters are words capitalised only because they start a
	// sentence.
	commonStarters = set(
		"a", "an", "the", "this", "that", "these", "those", "there", "here", "then", "than", "thus", "so",
		"and", "but", "or", "nor", "for", "yet", "as", "if", "when", "whenever", "while", "whilst", "where",
		"wherever", "why", "how", "what", "who", "whom", "whose", "which", "whatever", "whoever",
		"after", "afterwards", "afterward", "before", "during", "until", "till", "since", "once", "because",
		"although", "though", "unless", "whether", "despite", "instead", "meanwhile", "later", "earlier",
		"soon", "suddenly", "finally", "eventually", "first", "firstly", "second", "secondly", "third",
		"next", "last", "lastly", "now", "today", "tonight", "tomorrow", "yesterday", "still", "also",
		"even", "just", "only", "again", "already", "almost", "always", "never", "often", "sometimes",
		"perhaps", "maybe", "unfortunately", "fortunately", "luckily", "sadly", "however", "therefore",
		"nevertheless", "otherwise", "besides", "indeed", "in", "on", "at", "by", "with", "without",
		"within", "from", "to", "into", "onto", "upon", "of", "off", "out", "over", "under", "above",
		"below", "behind", "beyond", "beside", "between", "among", "amid", "around", "across", "through",
		"throughout", "toward", "towards", "inside", "outside", "near", "along", "against", "about",
		"i", "we", "you", "he", "she", "it", "they", "me", "us", "him", "her", "them", "my", "our",
		"your", "his", "its", "their", "mine", "ours", "yours", "hers", "theirs", "everyone",
		"everybody", "everything", "someone", "somebody", "something", "anyone", "anything", "nobody",
		"nothing", "none", "no", "not", "all", "both", "each", "every", "either", "neither", "few",
		"many", "most", "much", "more", "less", "several", "some", "any", "other", "another", "such",
		"one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "half",
		"once", "twice", "morning", "evening", "night", "day", "dawn", "dusk", "midnight", "noon",
		"let", "lets", "after", "upon", "having", "being", "with", "back", "down", "up", "well",
		"oh", "ah", "alas", "hey", "yes", "okay", "ok", "please", "thanks", "note", "notes",
		"session", "recap", "summary", "party", "everyone", "meanwhile", "elsewhere", "nearby",
		"together", "alone", "inside", "outside", "upstairs", "downstairs", "overnight", "ultimately",
		"initially", "shortly", "quickly", "slowly", "carefully", "quietly", "clearly", "apparently",
		"luckily", "thankfully", "hopefully", "naturally", "surprisingly", "worse", "better", "best",
		"worst", "unable", "despite", "amid", "whereupon", "thereafter", "did", "do", "does", "is",
		"are", "was", "were", "be", "been", "has", "have", "had", "can", "could", "will", "would",
		"shall", "should", "may", "might", "must", "go", "went", "come", "came", "see", "saw",
		"look", "find", "found", "take", "took", "get", "got", "make", "made", "tell", "told",
		"ask", "asked", "remember", "beware", "watch", "wait", "stop", "run", "hide", "follow",
		// Verbs that start the lines of a bullet-point recap ("Met Old
		// Maud", "Fought the Marsh Queen").
		"met", "meet", "fought", "fight", "killed", "kill", "slew", "visited", "visit", "left", "leave",
		"arrived", "returned", "return", "travelled", "traveled", "reached", "entered", "spoke", "talked",
		"learned", "learnt", "discovered", "bought", "sold", "rescued", "saved", "defeated", "escaped",
		"explored", "searched", "investigated", "followed", "attacked", "captured", "helped", "gave",
		"received", "stole", "broke", "opened", "crossed", "camped", "rested", "heard", "joined",
		"hired", "paid", "questioned", "interrogated", "negotiated", "sneaked", "snuck", "climbed",
		"delivered", "recovered", "retrieved", "freed", "lost", "won", "chased", "ambushed", "buried",
		"burned", "destroyed", "survived", "confronted", "warned", "agreed", "refused", "decided",
		"started", "ended", "finished", "continued", "headed", "went", "came", "took", "got", "made",
		"told", "asked", "said", "saw", "found", "used", "cast", "rolled", "spent", "looted")

	locationWords = set("gate", "gates", "keep", "tower", "towers", "castle", "citadel", "fortress", "fort",
		"hold", "hall", "halls", "temple", "shrine", "chapel", "cathedral", "abbey", "monastery", "inn",
		"tavern", "alehouse", "market", "square", "street", "road", "way", "path", "trail", "bridge",
		"river", "stream", "creek", "lake", "sea", "ocean", "bay", "harbor", "harbour", "port", "coast",
		"shore", "beach", "isle", "island", "islands", "marsh", "marshes", "marches", "swamp", "fen",
		"fens", "bog", "moor", "moors", "forest", "wood", "woods", "grove", "jungle", "hills", "hill",
		"mountain", "mountains", "peak", "peaks", "valley", "vale", "dale", "pass", "canyon", "gorge",
		"cave", "caves", "cavern", "caverns", "mine", "mines", "ruins", "crypt", "tomb", "catacombs",
		"dungeon", "maze", "labyrinth", "city", "town", "village", "hamlet", "district", "quarter",
		"ward", "kingdom", "empire", "realm", "province", "county", "barony", "duchy", "plains",
		"fields", "desert", "wastes", "waste", "falls", "springs", "well", "wells", "manor", "estate",
		"palace", "court", "yard", "docks", "wharf", "lighthouse", "mill", "farm", "camp", "outpost",
		"academy", "library", "archive", "sanctum", "spire", "reach", "hollow", "heights", "downs",
		"crossing", "ford", "glade", "cliffs", "ridge", "barrow", "barrows", "sewers", "underdark")
	locationPrefixes = set("mount", "mt", "lake", "fort", "port", "castle", "isle", "cape", "glen")
	locationContext  = set("in", "at", "into", "toward", "towards", "near", "through", "across",
		"reached", "entered", "left", "visited", "crossed", "beyond", "outside", "inside", "within",
		"explored", "arrived", "leaving", "reaching", "entering")
	factionWords = set("order", "guild", "brotherhood", "sisterhood", "circle", "company", "cult",
		"clan", "council", "league", "church", "legion", "watch", "syndicate", "cabal", "covenant",
		"band", "society", "knights", "tribe", "alliance", "union", "conclave", "house", "family",
		"faith", "assembly", "coven", "fellowship", "guard", "army", "host", "crew", "gang",
		"consortium", "collegium", "college", "enclave", "pact", "sect", "lodge", "dynasty")
	itemWords = set("bell", "sword", "blade", "ring", "amulet", "crown", "staff", "tome", "book", "orb",
		"clapper", "shield", "helm", "helmet", "dagger", "axe", "bow", "spear", "lantern", "lamp",
		"key", "map", "scroll", "stone", "gem", "jewel", "chalice", "cup", "goblet", "mirror",
		"cloak", "boots", "gauntlets", "gloves", "wand", "rod", "horn", "harp", "lute", "idol", "relic",
		"skull", "mask", "medallion", "pendant", "talisman", "codex", "grimoire", "hammer", "mace",
		"flail", "armor", "armour", "potion", "elixir", "coin", "crystal", "scepter", "sceptre",
		"circlet", "tiara", "locket", "compass", "chest", "box", "urn", "banner", "seal", "sigil")
	eventWords = set("war", "battle", "siege", "festival", "feast", "massacre", "rebellion", "uprising",
		"revolt", "plague", "coronation", "wedding", "funeral", "tournament", "treaty", "accord",
		"cataclysm", "sundering", "fall", "flood", "fire", "burning", "raid", "purge", "crusade",
		"exodus", "reckoning", "eclipse", "conclave", "trial", "duel", "heist", "ritual", "schism")
)
