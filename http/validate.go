package http

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/mail"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	// Campaign time zones are checked with time.LoadLocation; the embedded
	// database makes that independent of the host's zoneinfo.
	_ "time/tzdata"
)

// Field limits shared by the request types.
const (
	maxNameLen        = 80
	maxDescriptionLen = 10000
	minPasswordLen    = 8
	maxPasswordLen    = 256
	maxEmailLen       = 254
)

// normalizeEmail trims and lowercases an address; emails are
// case-insensitive throughout.
func normalizeEmail(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// checkEmail validates a normalised address: a bare addr-spec with a local
// part and a domain, no display name, no spaces.
func checkEmail(v *validator, field, email string) {
	switch {
	case email == "":
		v.add(field, "is required")
	case len(email) > maxEmailLen:
		v.add(field, "must be at most 254 characters")
	default:
		a, err := mail.ParseAddress(email)
		at := strings.LastIndexByte(email, '@')
		if err != nil || a.Address != email || at < 1 || at == len(email)-1 || strings.ContainsAny(email, " \t\r\n") {
			v.add(field, "is not a valid email address")
		}
	}
}

// checkPassword enforces 8 to 256 characters, any characters.
func checkPassword(v *validator, field, pw string) {
	n := utf8.RuneCountInString(pw)
	switch {
	case pw == "":
		v.add(field, "is required")
	case !utf8.ValidString(pw):
		v.add(field, "must be valid UTF-8")
	case n < minPasswordLen:
		v.add(field, "must be at least 8 characters")
	case n > maxPasswordLen:
		v.add(field, "must be at most 256 characters")
	}
}

// checkName trims *s in place and requires 1 to max characters without
// control characters.
func checkName(v *validator, field string, s *string, max int) {
	*s = strings.TrimSpace(*s)
	n := utf8.RuneCountInString(*s)
	switch {
	case n == 0:
		v.add(field, "is required")
	case n > max:
		v.add(field, "must be at most "+strconv.Itoa(max)+" characters")
	case strings.IndexFunc(*s, unicode.IsControl) >= 0:
		v.add(field, "must not contain control characters")
	}
}

// checkText requires at most max characters (empty is fine).
func checkText(v *validator, field, s string, max int) {
	if utf8.RuneCountInString(s) > max {
		v.add(field, "must be at most "+strconv.Itoa(max)+" characters")
	}
	// PostgreSQL text cannot hold NUL: refuse it here rather than fail
	// with a 500 at the database.
	if strings.ContainsRune(s, 0) {
		v.add(field, "must not contain NUL characters")
	}
}

// checkTimeZone requires an IANA zone name such as "Europe/Berlin" or
// "UTC". "Local" names the server's zone, which means nothing to a group,
// so it is refused.
func checkTimeZone(v *validator, field, tz string) {
	if tz == "" || tz == "Local" || len(tz) > 64 {
		v.add(field, "must be an IANA time zone such as Europe/Berlin")
		return
	}
	if _, err := time.LoadLocation(tz); err != nil {
		v.add(field, "must be an IANA time zone such as Europe/Berlin")
	}
}

// optional is a JSON field that tells "absent" from "null" from a value,
// for PATCH bodies where null clears a field.
type optional[T any] struct {
	Set   bool // the key was present
	Null  bool // its value was null
	Value T
}

func (o *optional[T]) UnmarshalJSON(b []byte) error {
	o.Set = true
	if bytes.Equal(bytes.TrimSpace(b), []byte("null")) {
		o.Null = true
		return nil
	}
	return json.Unmarshal(b, &o.Value)
}

// ptr returns the value's address, or nil when absent or null.
func (o optional[T]) ptr() *T {
	if !o.Set || o.Null {
		return nil
	}
	v := o.Value
	return &v
}

// newSecret returns a random URL-safe token of n random bytes and the
// SHA-256 under which it is stored. Only the hash is ever stored; the token
// travels once, in a mail or a response.
func newSecret(n int) (token string, hash []byte) {
	b := make([]byte, n)
	_, _ = rand.Read(b) // never fails (crypto/rand)
	token = base64.RawURLEncoding.EncodeToString(b)
	return token, hashSecret(token)
}

// hashSecret is the stored form of a token.
func hashSecret(token string) []byte {
	sum := sha256.Sum256([]byte(token))
	return sum[:]
}

// tokenBytes is the size of verification and reset tokens (256 bits);
// invite codes use inviteCodeBytes (128 bits, a shorter link).
const (
	tokenBytes      = 32
	inviteCodeBytes = 16
)

// plausibleToken reports whether s could be one of our tokens, so that
// garbage is refused without a database round trip.
func plausibleToken(s string) bool {
	if len(s) < 16 || len(s) > 128 {
		return false
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}
