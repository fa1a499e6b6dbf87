package compendium

import (
	"fmt"
	"strconv"
	"strings"
)

// ParseCR reads a challenge rating written as a fraction ("1/4"), a
// decimal ("0.25") or a whole number ("3"), and accepts only the values of
// the rules (0, 1/8, 1/4, 1/2, 1 to 30); anything else is ErrBadCR.
func ParseCR(s string) (float64, error) {
	s = strings.TrimSpace(s)
	var cr float64
	if num, den, ok := strings.Cut(s, "/"); ok {
		n, err1 := strconv.Atoi(strings.TrimSpace(num))
		d, err2 := strconv.Atoi(strings.TrimSpace(den))
		if err1 != nil || err2 != nil || d <= 0 || n < 0 {
			return 0, fmt.Errorf("%w: %q", ErrBadCR, s)
		}
		cr = float64(n) / float64(d)
	} else {
		f, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return 0, fmt.Errorf("%w: %q", ErrBadCR, s)
		}
		cr = f
	}
	if _, err := XPForCR(cr); err != nil {
		return 0, fmt.Errorf("%w: %q", ErrBadCR, s)
	}
	return cr, nil
}

// FormatCR writes a challenge rating the way stat blocks print it: "1/8",
// "1/4", "1/2" or a whole number.
func FormatCR(cr float64) string {
	switch cr {
	case 0.125:
		return "1/8"
	case 0.25:
		return "1/4"
	case 0.5:
		return "1/2"
	}
	return strconv.FormatFloat(cr, 'f', -1, 64)
}

// CRRange is an inclusive range of challenge ratings; Min == Max is an
// exact match.
type CRRange struct {
	Min, Max float64
}

// ParseCRRange reads the API's cr filter: one challenge rating ("1/4",
// "0.25", "2") or an inclusive range "A..B" ("1/4..2"); either end of a
// range may be left open ("..2", "5.."). Each value must be one ParseCR
// accepts, and Min <= Max.
func ParseCRRange(s string) (CRRange, error) {
	s = strings.TrimSpace(s)
	lo, hi, isRange := strings.Cut(s, "..")
	if !isRange {
		cr, err := ParseCR(s)
		if err != nil {
			return CRRange{}, err
		}
		return CRRange{Min: cr, Max: cr}, nil
	}
	r := CRRange{Min: 0, Max: 30}
	lo, hi = strings.TrimSpace(lo), strings.TrimSpace(hi)
	if lo == "" && hi == "" {
		return CRRange{}, fmt.Errorf("%w: %q has no bounds", ErrBadCR, s)
	}
	if lo != "" {
		cr, err := ParseCR(lo)
		if err != nil {
			return CRRange{}, err
		}
		r.Min = cr
	}
	if hi != "" {
		cr, err := ParseCR(hi)
		if err != nil {
			return CRRange{}, err
		}
		r.Max = cr
	}
	if r.Min > r.Max {
		return CRRange{}, fmt.Errorf("%w: %q runs backwards", ErrBadCR, s)
	}
	return r, nil
}
