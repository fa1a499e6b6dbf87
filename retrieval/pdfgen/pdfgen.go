// Package pdfgen writes small, valid PDF files of plain text, for tests that
// need a real PDF to upload and ingest (gametable only reads PDFs; it never
// produces them for users).
//
// The output uses the standard Helvetica font (not embedded), one
// uncompressed content stream per page, and a classic cross-reference
// table, which every PDF reader accepts.
package pdfgen

import (
	"bytes"
	"fmt"
	"strings"
)

// Pages returns a PDF with one page per element of pages; each page shows
// its lines top to bottom. Characters outside Latin-1 are replaced by '?'.
// An empty line leaves a gap, which readers take as a paragraph break.
func Pages(pages [][]string) []byte {
	var buf bytes.Buffer
	offsets := []int{0} // object 0 is the free-list head
	obj := func(body string) {
		offsets = append(offsets, buf.Len())
		fmt.Fprintf(&buf, "%d 0 obj\n%s\nendobj\n", len(offsets)-1, body)
	}

	buf.WriteString("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
	n := len(pages)
	// Objects: 1 catalog, 2 page tree, 3 font, then per page a page object
	// and its content stream.
	kids := make([]string, n)
	for i := range pages {
		kids[i] = fmt.Sprintf("%d 0 R", 4+2*i)
	}
	obj("<< /Type /Catalog /Pages 2 0 R >>")
	obj(fmt.Sprintf("<< /Type /Pages /Kids [%s] /Count %d >>", strings.Join(kids, " "), n))
	obj("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
	for i, lines := range pages {
		var content strings.Builder
		content.WriteString("BT\n/F1 12 Tf\n72 720 Td\n")
		for j, line := range lines {
			if j > 0 {
				if line == "" {
					content.WriteString("0 -30 Td\n")
					continue
				}
				content.WriteString("0 -16 Td\n")
			}
			fmt.Fprintf(&content, "(%s) Tj\n", escape(line))
		}
		content.WriteString("ET\n")
		obj(fmt.Sprintf("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> >> /Contents %d 0 R >>", 5+2*i))
		obj(fmt.Sprintf("<< /Length %d >>\nstream\n%sendstream", content.Len(), content.String()))
	}

	xref := buf.Len()
	fmt.Fprintf(&buf, "xref\n0 %d\n", len(offsets))
	buf.WriteString("0000000000 65535 f \n")
	for _, off := range offsets[1:] {
		fmt.Fprintf(&buf, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&buf, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(offsets), xref)
	return buf.Bytes()
}

// escape makes s a PDF literal string body in WinAnsi (Latin-1) bytes.
func escape(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '(' || r == ')' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r < 32 || r > 255:
			b.WriteByte('?')
		default:
			b.WriteByte(byte(r))
		}
	}
	return b.String()
}
