package schedule

import (
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// This file writes iCalendar (RFC 5545) documents: a VCALENDAR of VEVENTs
// with UTC times, which is all the calendar feed needs. It follows the
// RFC's rules that calendar apps are strict about:
//   - lines end in CRLF and are folded at 75 octets (section 3.1), a
//     continuation line starting with one space, never inside a UTF-8
//     sequence;
//   - TEXT values escape backslash, semicolon, comma and newlines (section
//     3.3.11); other control characters are not allowed and are dropped;
//   - DATE-TIME values are UTC ("Z", section 3.3.5 form #2), so the feed
//     needs no VTIMEZONE.

// Calendar is an iCalendar object of events.
type Calendar struct {
	// ProdID names the product that wrote the calendar (PRODID, required).
	ProdID string
	// Name is shown by calendar apps as the subscription's name
	// (X-WR-CALNAME, NAME of RFC 7986). Optional.
	Name string
	// TimeZone is the IANA zone the events are meant to be shown in
	// (X-WR-TIMEZONE, a hint; the times themselves are UTC). Optional.
	TimeZone string
	// RefreshInterval suggests how often subscribers poll the feed
	// (REFRESH-INTERVAL of RFC 7986 and X-PUBLISHED-TTL). Zero: no hint.
	RefreshInterval time.Duration
	Events          []Event
}

// Event is one VEVENT.
type Event struct {
	// UID identifies the event across versions of the feed; it must be
	// stable and globally unique.
	UID string
	// Stamp is DTSTAMP: when this version of the event was last changed.
	Stamp time.Time
	// Start is DTSTART.
	Start time.Time
	// End is DTEND; when zero, Duration (if positive) gives DURATION
	// instead, and with neither the event has no length.
	End      time.Time
	Duration time.Duration
	Summary  string
	// Description, URL and Status ("CONFIRMED", "TENTATIVE", "CANCELLED")
	// are optional.
	Description string
	URL         string
	Status      string
	// LastModified is LAST-MODIFIED; optional.
	LastModified time.Time
	// Sequence is SEQUENCE, the revision of the event (optional, 0).
	Sequence int
}

// Encode returns the calendar as an RFC 5545 document.
func (c *Calendar) Encode() []byte {
	var w icalWriter
	w.line("BEGIN", "VCALENDAR")
	w.line("VERSION", "2.0")
	w.line("PRODID", escapeText(c.ProdID))
	w.line("CALSCALE", "GREGORIAN")
	w.line("METHOD", "PUBLISH")
	if c.Name != "" {
		w.line("NAME", escapeText(c.Name))
		w.line("X-WR-CALNAME", escapeText(c.Name))
	}
	if c.TimeZone != "" {
		w.line("X-WR-TIMEZONE", escapeText(c.TimeZone))
	}
	if c.RefreshInterval > 0 {
		d := formatDuration(c.RefreshInterval)
		w.line("REFRESH-INTERVAL;VALUE=DURATION", d)
		w.line("X-PUBLISHED-TTL", d)
	}
	for _, e := range c.Events {
		w.line("BEGIN", "VEVENT")
		w.line("UID", escapeText(e.UID))
		w.line("DTSTAMP", FormatUTC(e.Stamp))
		w.line("DTSTART", FormatUTC(e.Start))
		switch {
		case !e.End.IsZero():
			w.line("DTEND", FormatUTC(e.End))
		case e.Duration > 0:
			w.line("DURATION", formatDuration(e.Duration))
		}
		if !e.LastModified.IsZero() {
			w.line("LAST-MODIFIED", FormatUTC(e.LastModified))
		}
		if e.Sequence > 0 {
			w.line("SEQUENCE", strconv.Itoa(e.Sequence))
		}
		w.line("SUMMARY", escapeText(e.Summary))
		if e.Description != "" {
			w.line("DESCRIPTION", escapeText(e.Description))
		}
		if e.URL != "" {
			w.line("URL", stripControl(e.URL))
		}
		if e.Status != "" {
			w.line("STATUS", e.Status)
		}
		w.line("END", "VEVENT")
	}
	w.line("END", "VCALENDAR")
	return []byte(w.b.String())
}

// FormatUTC formats t as an RFC 5545 UTC DATE-TIME: 20251024T170000Z.
// Fractions of a second are dropped.
func FormatUTC(t time.Time) string { return t.UTC().Format("20060102T150405Z") }

// formatDuration formats d (positive, whole seconds) as an RFC 5545
// DURATION such as PT4H, PT1H30M or P1DT2H.
func formatDuration(d time.Duration) string {
	secs := int64(d / time.Second)
	days := secs / 86400
	secs %= 86400
	h, m, s := secs/3600, secs%3600/60, secs%60
	var b strings.Builder
	b.WriteString("P")
	if days > 0 {
		b.WriteString(strconv.FormatInt(days, 10) + "D")
	}
	if h > 0 || m > 0 || s > 0 || days == 0 {
		b.WriteString("T")
		if h > 0 {
			b.WriteString(strconv.FormatInt(h, 10) + "H")
		}
		if m > 0 {
			b.WriteString(strconv.FormatInt(m, 10) + "M")
		}
		if s > 0 || (h == 0 && m == 0) {
			b.WriteString(strconv.FormatInt(s, 10) + "S")
		}
	}
	return b.String()
}

// escapeText escapes a TEXT value (RFC 5545 section 3.3.11): backslash,
// semicolon and comma get a backslash, each line break (CRLF, LF or CR)
// becomes \n, and other control characters except tab are dropped.
// Invalid UTF-8 becomes U+FFFD.
func escapeText(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		switch {
		case r == '\\' || r == ';' || r == ',':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\r':
			if i < len(s) && s[i] == '\n' {
				i++
			}
			b.WriteString(`\n`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\t':
			b.WriteRune(r)
		case r < 0x20 || r == 0x7f:
			// CONTROL is not allowed in TEXT.
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// stripControl drops control characters from a non-TEXT value (a URI).
func stripControl(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return -1
		}
		return r
	}, strings.ToValidUTF8(s, "\uFFFD"))
}

// maxLineOctets is the longest content line RFC 5545 allows, without the
// CRLF.
const maxLineOctets = 75

// icalWriter accumulates folded content lines.
type icalWriter struct{ b strings.Builder }

// line writes "name:value" as one content line, folded.
func (w *icalWriter) line(name, value string) {
	s := name + ":" + value
	limit := maxLineOctets
	for len(s) > limit {
		cut := limit
		// Never split a UTF-8 sequence: back up to the start of a rune.
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		w.b.WriteString(s[:cut])
		w.b.WriteString("\r\n ")
		s = s[cut:]
		limit = maxLineOctets - 1 // the leading space counts
	}
	w.b.WriteString(s)
	w.b.WriteString("\r\n")
}
