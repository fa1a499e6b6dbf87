package schedule

import (
	"bytes"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	ics "github.com/arran4/golang-ical"
	"github.com/stretchr/testify/require"
)

// requireWellFormed checks the RFC 5545 line rules that a lenient parser
// would let pass: CRLF endings, at most 75 octets per line, valid UTF-8 in
// every physical line (no rune split by folding), continuation lines
// starting with one space.
func requireWellFormed(t *testing.T, doc []byte) {
	t.Helper()
	require.True(t, bytes.HasSuffix(doc, []byte("\r\n")), "ends in CRLF")
	lines := strings.Split(strings.TrimSuffix(string(doc), "\r\n"), "\r\n")
	for i, l := range lines {
		require.NotContains(t, l, "\n", "line %d has a bare LF", i)
		require.NotContains(t, l, "\r", "line %d has a bare CR", i)
		require.LessOrEqual(t, len(l), 75, "line %d is %d octets: %q", i, len(l), l)
		require.True(t, utf8.ValidString(l), "line %d splits a rune: %q", i, l)
		require.NotEmpty(t, l, "line %d is empty", i)
	}
	require.Equal(t, "BEGIN:VCALENDAR", lines[0])
	require.Equal(t, "END:VCALENDAR", lines[len(lines)-1])
}

func TestCalendar_Encode(t *testing.T) {
	t.Parallel()
	start := time.Date(2025, 10, 31, 18, 0, 0, 0, time.UTC)
	stamp := time.Date(2025, 10, 20, 9, 30, 15, 123, time.UTC)
	longTitle := strings.Repeat("Ünterwasser-Höhle, Teil; ", 8) + "東京の夜 🐉"
	desc := "Line one\nLine two, with a comma; and a semicolon\r\nback\\slash\x00\x07"
	c := Calendar{
		ProdID:          "-//gametable//gametable//EN",
		Name:            "The Lantern Road, Tuesdays",
		TimeZone:        "Europe/Berlin",
		RefreshInterval: time.Hour,
		Events: []Event{
			{UID: "a@gametable", Stamp: stamp, Start: start, Duration: 4 * time.Hour, Summary: longTitle,
				Description: desc, URL: "https://example.com/x?a=1", Status: "CONFIRMED", LastModified: stamp},
			{UID: "b@gametable", Stamp: stamp, Start: start.AddDate(0, 0, 7), End: start.AddDate(0, 0, 7).Add(90 * time.Minute), Summary: "Session 2"},
		},
	}
	doc := c.Encode()
	requireWellFormed(t, doc)
	s := string(doc)
	require.Contains(t, s, "DTSTART:20251031T180000Z\r\n")
	require.Contains(t, s, "DTSTAMP:20251020T093015Z\r\n")
	require.Contains(t, s, "DURATION:PT4H\r\n")
	require.Contains(t, s, "DTEND:20251107T193000Z\r\n")
	require.Contains(t, s, "REFRESH-INTERVAL;VALUE=DURATION:PT1H\r\n")
	require.Contains(t, s, `X-WR-CALNAME:The Lantern Road\, Tuesdays`)

	cal, err := ics.ParseCalendar(bytes.NewReader(doc))
	require.NoError(t, err)
	events := cal.Events()
	require.Len(t, events, 2)
	e := events[0]
	require.Equal(t, "a@gametable", e.Id())
	got, err := e.GetStartAt()
	require.NoError(t, err)
	require.True(t, got.Equal(start), "start %s", got)
	st, err := e.GetDtStampTime()
	require.NoError(t, err)
	require.True(t, st.Equal(stamp.Truncate(time.Second)))
	require.Equal(t, longTitle, e.GetProperty(ics.ComponentPropertySummary).Value)
	require.Equal(t, "Line one\nLine two, with a comma; and a semicolon\nback\\slash", e.GetProperty(ics.ComponentPropertyDescription).Value)
	end, err := events[1].GetEndAt()
	require.NoError(t, err)
	require.True(t, end.Equal(start.AddDate(0, 0, 7).Add(90*time.Minute)))
}

func TestCalendar_EncodeEmpty(t *testing.T) {
	t.Parallel()
	doc := (&Calendar{ProdID: "-//x//y//EN"}).Encode()
	requireWellFormed(t, doc)
	cal, err := ics.ParseCalendar(bytes.NewReader(doc))
	require.NoError(t, err)
	require.Empty(t, cal.Events())
}

func TestFold(t *testing.T) {
	t.Parallel()
	for _, n := range []int{0, 1, 60, 74, 75, 76, 149, 150, 151, 400} {
		for _, unit := range []string{"a", "é", "€", "🐉"} {
			v := strings.Repeat(unit, n)
			var w icalWriter
			w.line("X", v)
			out := w.b.String()
			requireLines(t, out)
			// Unfolding gives the line back.
			require.Equal(t, "X:"+v, strings.ReplaceAll(strings.TrimSuffix(out, "\r\n"), "\r\n ", ""))
		}
	}
}

func requireLines(t *testing.T, out string) {
	t.Helper()
	for _, l := range strings.Split(strings.TrimSuffix(out, "\r\n"), "\r\n") {
		require.LessOrEqual(t, len(l), 75)
		require.True(t, utf8.ValidString(l))
	}
}

func TestEscapeText(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"plain", "plain"},
		{`a\b`, `a\\b`},
		{"a;b,c", `a\;b\,c`},
		{"a\nb\r\nc\rd", `a\nb\nc\nd`},
		{"tab\there", "tab\there"},
		{"bell\x07nul\x00del\x7f", "bellnuldel"},
		{"bad\xffutf8", "bad\uFFFDutf8"},
	}
	for _, tt := range tests {
		require.Equal(t, tt.want, escapeText(tt.in), "%q", tt.in)
	}
}

func TestFormatDuration(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   time.Duration
		want string
	}{
		{4 * time.Hour, "PT4H"},
		{90 * time.Minute, "PT1H30M"},
		{45 * time.Second, "PT45S"},
		{26 * time.Hour, "P1DT2H"},
		{48 * time.Hour, "P2D"},
		{0, "PT0S"},
	}
	for _, tt := range tests {
		require.Equal(t, tt.want, formatDuration(tt.in), "%s", tt.in)
	}
}
