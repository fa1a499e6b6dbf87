package retrieval_test

import (
	"bytes"
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/require"

	"gametable/retrieval"
	"gametable/retrieval/pdfgen"
)

func TestDetectType(t *testing.T) {
	t.Parallel()
	pdf := pdfgen.Pages([][]string{{"Hello"}})
	tests := []struct {
		name string
		data []byte
		want string
		err  error
	}{
		{name: "markdown heading", data: []byte("# Grappling\n\nGrab a creature."), want: retrieval.TypeMarkdown},
		{name: "markdown lists", data: []byte("Rules:\n- one\n- two\n- **three**\n"), want: retrieval.TypeMarkdown},
		{name: "plain text", data: []byte("Just some notes about the town of Phandalin.\nNothing else."), want: retrieval.TypeText},
		{name: "utf-8 text", data: []byte("Café crème, naïve résumé"), want: retrieval.TypeText},
		{name: "pdf", data: pdf, want: retrieval.TypePDF},
		{name: "pdf after junk", data: append([]byte("junk\n"), pdf...), want: retrieval.TypePDF},
		{name: "png named .md", data: []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), err: retrieval.ErrUnsupportedType},
		{name: "zip", data: []byte("PK\x03\x04\x14\x00\x00\x00\x08\x00"), err: retrieval.ErrUnsupportedType},
		{name: "latin-1 bytes", data: []byte("caf\xe9 cr\xe8me"), err: retrieval.ErrUnsupportedType},
		{name: "nul bytes", data: []byte("text\x00with\x00nuls and more text"), err: retrieval.ErrUnsupportedType},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := retrieval.DetectType(tt.data)
			if tt.err != nil {
				require.ErrorIs(t, err, tt.err)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.want, got)
		})
	}
}

func TestExtractPDFKeepsPages(t *testing.T) {
	t.Parallel()
	data := pdfgen.Pages([][]string{
		{"Chapter One", "The dragon sleeps under the mountain.", "", "A second paragraph (with brackets)."},
		{"Chapter Two", "The party wakes the dragon."},
	})
	ex, err := retrieval.Extract(context.Background(), data)
	require.NoError(t, err)
	require.Equal(t, retrieval.TypePDF, ex.ContentType)
	require.Len(t, ex.Pages, 2)
	require.Equal(t, 1, ex.Pages[0].Number)
	require.Contains(t, ex.Pages[0].Text, "The dragon sleeps under the mountain.")
	require.Contains(t, ex.Pages[0].Text, "\n\nA second paragraph (with brackets).")
	require.Equal(t, 2, ex.Pages[1].Number)
	require.Contains(t, ex.Pages[1].Text, "The party wakes the dragon.")
}

// TestExtractCorruptPDF feeds broken PDFs: each must give a readable error,
// never a panic.
func TestExtractCorruptPDF(t *testing.T) {
	t.Parallel()
	good := pdfgen.Pages([][]string{{"Some text on a page."}})
	tests := []struct {
		name string
		data []byte
		err  error
	}{
		{name: "header only", data: []byte("%PDF-1.7\n"), err: retrieval.ErrUnreadablePDF},
		{name: "truncated", data: good[:len(good)/2], err: retrieval.ErrUnreadablePDF},
		{name: "garbage body", data: append([]byte("%PDF-1.4\n"), bytes.Repeat([]byte("(((<<>>]] obj stream endobj "), 50)...), err: retrieval.ErrUnreadablePDF},
		{name: "bad startxref", data: badStartXref(good), err: retrieval.ErrUnreadablePDF},
		{name: "no text", data: pdfgen.Pages([][]string{{}}), err: retrieval.ErrNoText},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := retrieval.Extract(context.Background(), tt.data)
			require.Error(t, err)
			require.True(t, errors.Is(err, tt.err) || errors.Is(err, retrieval.ErrNoText), "got %v", err)
			require.NotEmpty(t, err.Error())
		})
	}
}

// badStartXref points a PDF's startxref into the middle of a content
// stream.
func badStartXref(pdf []byte) []byte {
	i := bytes.LastIndex(pdf, []byte("startxref\n"))
	return append(append([]byte{}, pdf[:i]...), []byte("startxref\n200\n%%EOF\n")...)
}

// FuzzExtract: whatever the bytes, Extract returns (an error or text) and
// never panics.
func FuzzExtract(f *testing.F) {
	f.Add(pdfgen.Pages([][]string{{"Hello", "world"}}))
	f.Add([]byte("# Title\n\nBody text."))
	f.Add([]byte("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF"))
	f.Fuzz(func(t *testing.T, data []byte) {
		_, _ = retrieval.Extract(context.Background(), data)
	})
}
