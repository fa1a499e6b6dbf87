package compendium

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestParseCR(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want float64
		ok   bool
	}{
		{"0", 0, true}, {"1/8", 0.125, true}, {"1/4", 0.25, true}, {" 1/2 ", 0.5, true},
		{"0.125", 0.125, true}, {"0.25", 0.25, true}, {".5", 0.5, true}, {"2/4", 0.5, true},
		{"1", 1, true}, {"17", 17, true}, {"30", 30, true}, {"2.0", 2, true},
		{"", 0, false}, {"1/3", 0, false}, {"0.3", 0, false}, {"31", 0, false}, {"-1", 0, false},
		{"1/0", 0, false}, {"a", 0, false}, {"1/4/2", 0, false}, {"NaN", 0, false}, {"Inf", 0, false},
	}
	for _, tt := range tests {
		got, err := ParseCR(tt.in)
		if !tt.ok {
			require.ErrorIs(t, err, ErrBadCR, "%q", tt.in)
			continue
		}
		require.NoError(t, err, "%q", tt.in)
		require.Equal(t, tt.want, got, "%q", tt.in)
	}
}

func TestParseCRRange(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want CRRange
		ok   bool
	}{
		{"1/4", CRRange{0.25, 0.25}, true},
		{"0.25", CRRange{0.25, 0.25}, true},
		{"1/4..2", CRRange{0.25, 2}, true},
		{"0..1/2", CRRange{0, 0.5}, true},
		{"..2", CRRange{0, 2}, true},
		{"5..", CRRange{5, 30}, true},
		{"3..3", CRRange{3, 3}, true},
		{"2..1", CRRange{}, false},
		{"..", CRRange{}, false},
		{"1/4..x", CRRange{}, false},
		{"1/4...2", CRRange{}, false},
	}
	for _, tt := range tests {
		got, err := ParseCRRange(tt.in)
		if !tt.ok {
			require.ErrorIs(t, err, ErrBadCR, "%q", tt.in)
			continue
		}
		require.NoError(t, err, "%q", tt.in)
		require.Equal(t, tt.want, got, "%q", tt.in)
	}
}

func TestFormatCR(t *testing.T) {
	t.Parallel()
	for _, row := range xpByCR {
		s := FormatCR(row.CR)
		back, err := ParseCR(s)
		require.NoError(t, err, s)
		require.Equal(t, row.CR, back, s)
	}
	require.Equal(t, "1/8", FormatCR(0.125))
	require.Equal(t, "17", FormatCR(17))
}

func TestDexModifier(t *testing.T) {
	t.Parallel()
	tests := map[int]int{1: -5, 3: -4, 8: -1, 9: -1, 10: 0, 11: 0, 12: 1, 14: 2, 15: 2, 30: 10}
	for score, want := range tests {
		require.Equal(t, want, DexModifier(score), "score %d", score)
	}
}
