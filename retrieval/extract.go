package retrieval

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/ledongthuc/pdf"
)

// Content types of the formats gametable ingests. They are the values of
// campaign_documents.content_type.
const (
	TypeMarkdown = "text/markdown"
	TypeText     = "text/plain"
	TypePDF      = "application/pdf"
)

var (
	// ErrUnsupportedType means the content is neither Markdown, plain text
	// nor PDF, whatever the file name says.
	ErrUnsupportedType = errors.New("unsupported file type: upload Markdown, plain text or PDF")
	// ErrUnreadablePDF means the PDF could not be parsed. The wrapped
	// message says why, in words fit for the document's error field.
	ErrUnreadablePDF = errors.New("the PDF could not be read")
	// ErrNoText means the file holds no extractable text, for example a PDF
	// of scanned images.
	ErrNoText = errors.New("the file contains no text that can be extracted (a scanned PDF needs OCR first)")
)

// maxPDFPages bounds the work one document can cause.
const maxPDFPages = 5000

// Page is the text of one page. Number is the 1-based page of a PDF, or 0
// for formats without pages.
type Page struct {
	Number int
	Text   string
}

// Extracted is a document's text as the chunker takes it.
type Extracted struct {
	// ContentType is one of TypeMarkdown, TypeText and TypePDF.
	ContentType string
	Pages       []Page
}

// DetectType sniffs the format from the content alone: the %PDF- magic
// (which the PDF specification allows within the first 1024 bytes), else
// net/http's sniffer must see text and the bytes must be valid UTF-8 without
// NUL bytes. Text with Markdown headings, lists, emphasis or tables is
// Markdown; other text is plain. Anything else is ErrUnsupportedType.
func DetectType(data []byte) (string, error) {
	head := data
	if len(head) > 1024 {
		head = head[:1024]
	}
	if bytes.Contains(head, []byte("%PDF-")) {
		return TypePDF, nil
	}
	sniffed := http.DetectContentType(data)
	if !strings.HasPrefix(sniffed, "text/plain") && !strings.HasPrefix(sniffed, "text/html") && !strings.HasPrefix(sniffed, "text/xml") {
		return "", fmt.Errorf("%w (content looks like %s)", ErrUnsupportedType, strings.SplitN(sniffed, ";", 2)[0])
	}
	if !utf8.Valid(data) || bytes.IndexByte(data, 0) >= 0 {
		return "", fmt.Errorf("%w (text is not valid UTF-8)", ErrUnsupportedType)
	}
	if looksLikeMarkdown(data) {
		return TypeMarkdown, nil
	}
	return TypeText, nil
}

// looksLikeMarkdown reports whether the text uses Markdown structure: ATX
// headings, list items, tables, emphasis or fenced code.
func looksLikeMarkdown(data []byte) bool {
	score := 0
	for line := range strings.SplitSeq(string(data), "\n") {
		t := strings.TrimSpace(line)
		switch {
		case headingLevel(t) > 0:
			return true
		case strings.HasPrefix(t, "```"), strings.HasPrefix(t, "|") && strings.HasSuffix(t, "|"):
			score += 2
		case strings.HasPrefix(t, "- "), strings.HasPrefix(t, "* "):
			score++
		case strings.Contains(t, "**"), strings.Contains(t, "]("):
			score++
		}
		if score >= 3 {
			return true
		}
	}
	return false
}

// Extract returns the text of a Markdown, plain text or PDF file, its type
// sniffed with DetectType. A PDF keeps its page numbers. Extract never
// panics on bad input: the PDF library is run under recover and a deadline
// (ctx's, if earlier), and a PDF it cannot parse is ErrUnreadablePDF.
func Extract(ctx context.Context, data []byte) (Extracted, error) {
	typ, err := DetectType(data)
	if err != nil {
		return Extracted{}, err
	}
	switch typ {
	case TypePDF:
		pages, err := extractPDF(ctx, data)
		if err != nil {
			return Extracted{}, err
		}
		return Extracted{ContentType: TypePDF, Pages: pages}, nil
	default:
		text := strings.TrimPrefix(string(data), "\uFEFF")
		text = strings.ReplaceAll(text, "\r\n", "\n")
		if strings.TrimSpace(text) == "" {
			return Extracted{}, ErrNoText
		}
		return Extracted{ContentType: typ, Pages: []Page{{Number: 0, Text: text}}}, nil
	}
}

// extractPDF runs the parser in its own goroutine so that a file that sends
// it into a loop costs a goroutine, not the ingestion worker.
func extractPDF(ctx context.Context, data []byte) ([]Page, error) {
	type result struct {
		pages []Page
		err   error
	}
	done := make(chan result, 1)
	go func() {
		pages, err := parsePDF(ctx, data)
		done <- result{pages, err}
	}()
	select {
	case r := <-done:
		return r.pages, r.err
	case <-ctx.Done():
		return nil, fmt.Errorf("extract pdf: %w", ctx.Err())
	}
}

func parsePDF(ctx context.Context, data []byte) (pages []Page, err error) {
	defer func() {
		if p := recover(); p != nil {
			pages = nil
			err = fmt.Errorf("%w: %v", ErrUnreadablePDF, p)
		}
	}()
	r, err := pdf.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrUnreadablePDF, err)
	}
	n := r.NumPage()
	if n == 0 {
		return nil, fmt.Errorf("%w: it has no pages", ErrUnreadablePDF)
	}
	if n > maxPDFPages {
		return nil, fmt.Errorf("%w: it has %d pages, more than the limit of %d", ErrUnreadablePDF, n, maxPDFPages)
	}
	total := 0
	for i := 1; i <= n; i++ {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("extract pdf page %d: %w", i, err)
		}
		p := r.Page(i)
		if p.V.IsNull() {
			continue
		}
		text := pageText(p.Content().Text)
		total += len(strings.TrimSpace(text))
		pages = append(pages, Page{Number: i, Text: text})
	}
	if total == 0 {
		return nil, ErrNoText
	}
	return pages, nil
}

// pageText rebuilds lines and paragraphs from positioned glyphs, in content
// stream order: a change of baseline starts a line, a gap of more than about
// two lines starts a paragraph, and a horizontal gap wider than a fraction
// of the font size is a space.
func pageText(glyphs []pdf.Text) string {
	var b strings.Builder
	var prev *pdf.Text
	for i := range glyphs {
		g := &glyphs[i]
		if g.S == "" {
			continue
		}
		if prev != nil {
			size := math.Max(math.Abs(prev.FontSize), 1)
			dy := math.Abs(g.Y - prev.Y)
			switch {
			case dy > 2.2*size:
				b.WriteString("\n\n")
			case dy > 0.5*size:
				b.WriteString("\n")
			case g.X-(prev.X+prev.W) > 0.2*size && !endsWithSpace(prev.S) && !startsWithSpace(g.S):
				b.WriteString(" ")
			}
		}
		b.WriteString(g.S)
		prev = g
	}
	return b.String()
}

func endsWithSpace(s string) bool {
	r, _ := utf8.DecodeLastRuneInString(s)
	return unicode.IsSpace(r)
}

func startsWithSpace(s string) bool {
	r, _ := utf8.DecodeRuneInString(s)
	return unicode.IsSpace(r)
}
