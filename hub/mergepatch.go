package hub

import (
	"maps"
	"reflect"
	"slices"
	"strconv"
	"unicode/utf8"
)

// A doc is a projected JSON object: the live state of one view, or a merge
// patch of it. Its values are limited to what the state holds and what
// appendJSON can encode:
//
//	string, int, bool, []string, doc, and nil (only in patches: "delete").
//
// Projected docs are immutable once built: diff shares unchanged subtrees
// between the old and the new document by identity, so nothing may write to
// a doc after it has been returned by a projection.
type doc = map[string]any

// diff returns the RFC 7386 merge patch that turns old into next, or nil
// when they are equal. Neither argument may contain nil values (state
// documents hold no JSON nulls, which is what makes deletion by null sound).
//
// Arrays and scalars are replaced whole; objects are diffed key by key.
// Subtrees that are the same map on both sides are skipped without being
// walked, which is what makes a projection that reuses cached parts cheap
// to diff.
func diff(old, next doc) doc {
	if sameMap(old, next) {
		return nil
	}
	var p doc
	for k := range old {
		if _, ok := next[k]; !ok {
			if p == nil {
				p = make(doc)
			}
			p[k] = nil
		}
	}
	for k, nv := range next {
		ov, had := old[k]
		if !had {
			if p == nil {
				p = make(doc)
			}
			p[k] = nv
			continue
		}
		od, oIsDoc := ov.(doc)
		nd, nIsDoc := nv.(doc)
		switch {
		case oIsDoc && nIsDoc:
			if sub := diff(od, nd); sub != nil {
				if p == nil {
					p = make(doc)
				}
				p[k] = sub
			}
		case !equalValue(ov, nv):
			if p == nil {
				p = make(doc)
			}
			p[k] = nv
		}
	}
	return p
}

// sameMap reports whether a and b are the same map (not merely equal).
func sameMap(a, b doc) bool {
	return reflect.ValueOf(a).UnsafePointer() == reflect.ValueOf(b).UnsafePointer()
}

// equalValue compares two doc values deeply.
func equalValue(a, b any) bool {
	switch av := a.(type) {
	case string:
		bv, ok := b.(string)
		return ok && av == bv
	case int:
		bv, ok := b.(int)
		return ok && av == bv
	case bool:
		bv, ok := b.(bool)
		return ok && av == bv
	case []string:
		bv, ok := b.([]string)
		return ok && slices.Equal(av, bv)
	case []int:
		bv, ok := b.([]int)
		return ok && slices.Equal(av, bv)
	case doc:
		bv, ok := b.(doc)
		if !ok {
			return false
		}
		if sameMap(av, bv) {
			return true
		}
		if len(av) != len(bv) {
			return false
		}
		for k, x := range av {
			y, ok := bv[k]
			if !ok || !equalValue(x, y) {
				return false
			}
		}
		return true
	case nil:
		return b == nil
	}
	panic("developer error: unexpected doc value " + reflect.TypeOf(a).String())
}

// mergePatch applies an RFC 7386 merge patch to target and returns the
// result. It is the client's side of the protocol; the hub uses it only in
// tests and to check itself. It works on the generic values encoding/json
// decodes into (map[string]any, []any, string, float64, bool, nil) as well
// as on docs.
func mergePatch(target any, patch any) any {
	p, ok := patch.(map[string]any)
	if !ok {
		return patch
	}
	t, ok := target.(map[string]any)
	if !ok {
		t = map[string]any{}
	} else {
		t = maps.Clone(t)
	}
	for k, v := range p {
		if v == nil {
			delete(t, k)
			continue
		}
		t[k] = mergePatch(t[k], v)
	}
	return t
}

// appendJSON appends the JSON encoding of v, a doc value, to b. Object keys
// are written in sorted order, so equal docs encode to equal bytes.
func appendJSON(b []byte, v any) []byte {
	switch v := v.(type) {
	case nil:
		return append(b, "null"...)
	case string:
		return appendString(b, v)
	case int:
		return strconv.AppendInt(b, int64(v), 10)
	case bool:
		return strconv.AppendBool(b, v)
	case []string:
		b = append(b, '[')
		for i, s := range v {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendString(b, s)
		}
		return append(b, ']')
	case []int:
		b = append(b, '[')
		for i, n := range v {
			if i > 0 {
				b = append(b, ',')
			}
			b = strconv.AppendInt(b, int64(n), 10)
		}
		return append(b, ']')
	case doc:
		return appendDoc(b, v)
	}
	panic("developer error: unexpected doc value " + reflect.TypeOf(v).String())
}

// appendDoc writes d with its keys sorted. Docs are small: a stack array
// holds the keys of most of them without allocating.
func appendDoc(b []byte, d doc) []byte {
	var arr [16]string
	keys := arr[:0]
	for k := range d {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	b = append(b, '{')
	for i, k := range keys {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, k)
		b = append(b, ':')
		b = appendJSON(b, d[k])
	}
	return append(b, '}')
}

const hexDigits = "0123456789abcdef"

// appendString appends s as a JSON string. Invalid UTF-8 becomes U+FFFD, as
// encoding/json does; control characters are escaped.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		// U+2028 and U+2029 are valid JSON but break JavaScript parsers
		// that eval; escape them as encoding/json does.
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
