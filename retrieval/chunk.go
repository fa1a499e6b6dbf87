package retrieval

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"unicode"
	"unicode/utf8"
)

// ChunkOptions sizes chunks. Both numbers count characters (Unicode code
// points) of a chunk's text, not counting the heading path that is
// prepended for indexing; ingestion_settings stores them the same way.
type ChunkOptions struct {
	// Size is the most characters a chunk holds. A single word longer than
	// Size is cut.
	Size int
	// Overlap is how many characters at most of the end of a chunk are
	// repeated at the start of the next chunk of the same section, taken
	// as whole sentences, so a passage cut in two keeps its context.
	Overlap int
}

// DefaultChunkOptions are ingestion_settings' defaults.
var DefaultChunkOptions = ChunkOptions{Size: 1000, Overlap: 150}

// Chunk is a passage: the unit that is indexed, retrieved and cited.
type Chunk struct {
	// HeadingPath holds the Markdown headings above the passage, outermost
	// first. Empty for text without headings (plain text, PDF).
	HeadingPath []string
	// Page is the 1-based PDF page the passage starts on, 0 when unknown.
	Page int
	// Text is the passage itself, without its headings.
	Text string
}

// Heading returns the innermost heading, "" when there is none.
func (c Chunk) Heading() string {
	if len(c.HeadingPath) == 0 {
		return ""
	}
	return c.HeadingPath[len(c.HeadingPath)-1]
}

// IndexText is what full-text search and the embedder see: the heading
// path, then the passage. Headings name what a passage is about ("Combat >
// Grappling") even when the passage never repeats them.
func (c Chunk) IndexText() string {
	return IndexText(c.HeadingPath, c.Text)
}

// IndexText joins a heading path and a passage the way Chunk.IndexText does,
// for rows read back from the database.
func IndexText(headingPath []string, text string) string {
	if len(headingPath) == 0 {
		return text
	}
	return strings.Join(headingPath, " > ") + "\n\n" + text
}

// searchText is what the full-text index holds for a chunk: IndexText and
// a made-up word for each glossary concept its headings name
// (headingConceptTokens). Embeddings are of IndexText alone.
func (c Chunk) searchText() string {
	return c.IndexText() + headingConceptTokens(c.HeadingPath)
}

// SearchIndexVersion names how chunks are indexed for full-text search: the
// glossary whose concepts their headings are tagged with
// (headingConceptTokens). Every book and document records the version its
// chunks were indexed with; the re-chunking job ingests again those with
// another one, and serve queues it at start-up when there are any
// (Service.QueueIndexUpgrade), so a new glossary reaches stored books.
var SearchIndexVersion = func() string {
	sum := sha256.Sum256([]byte(glossarySource))
	return "glossary-" + hex.EncodeToString(sum[:6])
}()

// conceptTokenPrefix starts the made-up words that stand for glossary
// concepts in the index: "gtconcept" + concept name.
const conceptTokenPrefix = "gtconcept"

// headingConceptTokens returns, one word per concept, the glossary concepts
// that a heading path names, as index words: the chunk is about them.
func headingConceptTokens(headingPath []string) string {
	var b strings.Builder
	seen := map[string]bool{}
	for _, h := range headingPath {
		for _, c := range concepts(tokens(h)) {
			if !seen[c] {
				seen[c] = true
				b.WriteString(" " + conceptTokenPrefix + c)
			}
		}
	}
	return b.String()
}

// section is the body under one heading.
type section struct {
	path []string
	page int
	body string
}

// Split cuts extracted text into chunks: first at Markdown headings (# to
// ######, outside fenced code), so every chunk carries its heading path;
// then each section's body by size, on paragraph boundaries, else line,
// sentence and word boundaries. Chunks never span two PDF pages, so each
// cites one page. Sections without a body (a heading directly followed by
// a subheading) yield no chunk; their heading stays in the path below.
func Split(doc Extracted, opts ChunkOptions) []Chunk {
	if opts.Size <= 0 {
		opts = DefaultChunkOptions
	}
	if opts.Overlap < 0 || opts.Overlap >= opts.Size {
		opts.Overlap = 0
	}
	var sections []section
	if doc.ContentType == TypeMarkdown {
		for _, p := range doc.Pages {
			sections = append(sections, markdownSections(p)...)
		}
	} else {
		for _, p := range doc.Pages {
			sections = append(sections, section{page: p.Number, body: p.Text})
		}
	}
	var chunks []Chunk
	for _, s := range sections {
		for _, text := range splitBody(s.body, opts) {
			chunks = append(chunks, Chunk{HeadingPath: s.path, Page: s.page, Text: text})
		}
	}
	return chunks
}

// markdownSections splits one page of Markdown at its ATX headings.
func markdownSections(p Page) []section {
	type level struct {
		n     int
		title string
	}
	var (
		stack  []level
		out    []section
		body   strings.Builder
		fence  string
		header = func() []string {
			path := make([]string, len(stack))
			for i, l := range stack {
				path[i] = l.title
			}
			return path
		}
	)
	flush := func() {
		if strings.TrimSpace(body.String()) != "" {
			out = append(out, section{path: header(), page: p.Number, body: body.String()})
		}
		body.Reset()
	}
	for line := range strings.SplitSeq(p.Text, "\n") {
		trimmed := strings.TrimSpace(line)
		if fence != "" {
			if strings.HasPrefix(trimmed, fence) {
				fence = ""
			}
			body.WriteString(line + "\n")
			continue
		}
		if strings.HasPrefix(trimmed, "```") || strings.HasPrefix(trimmed, "~~~") {
			fence = trimmed[:3]
			body.WriteString(line + "\n")
			continue
		}
		if n := headingLevel(line); n > 0 {
			flush()
			for len(stack) > 0 && stack[len(stack)-1].n >= n {
				stack = stack[:len(stack)-1]
			}
			stack = append(stack, level{n: n, title: headingTitle(line, n)})
			continue
		}
		body.WriteString(line + "\n")
	}
	flush()
	return out
}

// headingLevel returns the level of an ATX heading line (1 to 6), or 0. Up
// to three spaces of indentation are allowed, as in CommonMark.
func headingLevel(line string) int {
	t := strings.TrimLeft(line, " ")
	if len(line)-len(t) > 3 {
		return 0
	}
	n := 0
	for n < len(t) && t[n] == '#' {
		n++
	}
	if n == 0 || n > 6 {
		return 0
	}
	rest := t[n:]
	if rest != "" && rest[0] != ' ' && rest[0] != '\t' {
		return 0
	}
	if strings.TrimSpace(strings.Trim(strings.TrimSpace(rest), "#")) == "" {
		return 0
	}
	return n
}

func headingTitle(line string, n int) string {
	t := strings.TrimSpace(strings.TrimLeft(line, " ")[n:])
	// A closing sequence of #s is not part of the title.
	if i := strings.LastIndex(t, " #"); i >= 0 && strings.Trim(t[i+1:], "#") == "" {
		t = strings.TrimSpace(t[:i])
	}
	return strings.Trim(t, "*_ ")
}

// splitBody cuts a section's body into passages of at most opts.Size
// characters.
func splitBody(body string, opts ChunkOptions) []string {
	var units []string
	for _, para := range paragraphs(body) {
		units = append(units, fitUnits(para, opts.Size)...)
	}
	var (
		out []string
		cur strings.Builder
		n   int
	)
	for _, u := range units {
		un := runeLen(u)
		if n > 0 && n+2+un > opts.Size {
			prev := cur.String()
			out = append(out, prev)
			cur.Reset()
			n = 0
			if tail := overlapTail(prev, opts.Overlap); tail != "" && runeLen(tail)+2+un <= opts.Size {
				cur.WriteString(tail)
				n = runeLen(tail)
			}
		}
		if n > 0 {
			cur.WriteString("\n\n")
			n += 2
		}
		cur.WriteString(u)
		n += un
	}
	if n > 0 {
		out = append(out, cur.String())
	}
	return out
}

// paragraphs splits text at blank lines, trimming each paragraph.
func paragraphs(text string) []string {
	var out []string
	var cur []string
	flush := func() {
		p := strings.TrimSpace(strings.Join(cur, "\n"))
		if p != "" {
			out = append(out, p)
		}
		cur = cur[:0]
	}
	for line := range strings.SplitSeq(text, "\n") {
		if strings.TrimSpace(line) == "" {
			flush()
			continue
		}
		cur = append(cur, strings.TrimRight(line, " \t\r"))
	}
	flush()
	return out
}

// splitter cuts text at one kind of boundary; sep joins the pieces back.
type splitter struct {
	split func(string) []string
	sep   string
}

// splitters go from the coarsest boundary to the finest.
var splitters = []splitter{
	{split: lines, sep: "\n"},
	{split: sentences, sep: " "},
	{split: words, sep: " "},
}

// fitUnits cuts a paragraph into pieces of at most size characters: at
// line breaks first (list items, table rows), then sentences, then words.
func fitUnits(para string, size int) []string {
	if runeLen(para) <= size {
		return []string{para}
	}
	for _, sp := range splitters {
		parts := sp.split(para)
		if len(parts) < 2 {
			continue
		}
		var out []string
		for _, p := range pack(parts, size, sp.sep) {
			out = append(out, fitUnits(p, size)...)
		}
		return out
	}
	// One word longer than size: cut it.
	var out []string
	r := []rune(para)
	for len(r) > size {
		out = append(out, string(r[:size]))
		r = r[size:]
	}
	return append(out, string(r))
}

// pack joins consecutive parts back together with sep while they fit in
// size, so a long paragraph becomes a few large pieces rather than many
// sentences.
func pack(parts []string, size int, sep string) []string {
	var out []string
	cur := ""
	for _, p := range parts {
		switch {
		case cur == "":
			cur = p
		case runeLen(cur)+runeLen(sep)+runeLen(p) <= size:
			cur += sep + p
		default:
			out = append(out, cur)
			cur = p
		}
	}
	if cur != "" {
		out = append(out, cur)
	}
	return out
}

func lines(s string) []string {
	var out []string
	for l := range strings.SplitSeq(s, "\n") {
		if t := strings.TrimSpace(l); t != "" {
			out = append(out, l)
		}
	}
	return out
}

// sentences splits at ., ! or ? followed by a space and an upper-case
// letter, digit, quote, bracket or emphasis mark.
func sentences(s string) []string {
	var out []string
	start := 0
	rs := []rune(s)
	for i := 0; i < len(rs)-2; i++ {
		if rs[i] != '.' && rs[i] != '!' && rs[i] != '?' {
			continue
		}
		if !unicode.IsSpace(rs[i+1]) {
			continue
		}
		j := i + 1
		for j < len(rs) && unicode.IsSpace(rs[j]) {
			j++
		}
		if j >= len(rs) {
			break
		}
		next := rs[j]
		if unicode.IsUpper(next) || unicode.IsDigit(next) || strings.ContainsRune("\"'(*_[“‘", next) {
			if t := strings.TrimSpace(string(rs[start : i+1])); t != "" {
				out = append(out, t)
			}
			start = j
			i = j - 1
		}
	}
	if t := strings.TrimSpace(string(rs[start:])); t != "" {
		out = append(out, t)
	}
	return out
}

func words(s string) []string { return strings.Fields(s) }

// overlapTail returns the last whole sentences of text that together fit
// in n characters, or "" (never the whole text).
func overlapTail(text string, n int) string {
	if n <= 0 {
		return ""
	}
	ss := sentences(strings.ReplaceAll(text, "\n\n", " "))
	total := 0
	i := len(ss)
	for i > 0 {
		l := runeLen(ss[i-1]) + 1
		if total+l > n {
			break
		}
		total += l
		i--
	}
	if i == len(ss) || i == 0 {
		return ""
	}
	return strings.Join(ss[i:], " ")
}

func runeLen(s string) int { return utf8.RuneCountInString(s) }
