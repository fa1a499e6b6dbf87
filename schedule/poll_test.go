package schedule

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestCount(t *testing.T) {
	t.Parallel()
	got := Count(map[string]string{"a": Yes, "b": Maybe, "c": No, "d": Yes, "e": "none"})
	require.Equal(t, Tally{Yes: 2, Maybe: 1, No: 1}, got)
	require.Equal(t, Tally{}, Count(map[int]string(nil)))
}

func TestValidAnswer(t *testing.T) {
	t.Parallel()
	for _, a := range []string{Yes, Maybe, No} {
		require.True(t, ValidAnswer(a), a)
	}
	for _, a := range []string{"", "none", "YES", "y"} {
		require.False(t, ValidAnswer(a), a)
	}
}

func TestBest(t *testing.T) {
	t.Parallel()
	t0 := time.Date(2025, 10, 24, 17, 0, 0, 0, time.UTC)
	day := func(n int) time.Time { return t0.AddDate(0, 0, n) }
	tests := []struct {
		name   string
		opts   []Option
		want   int
		wantOK bool
	}{
		{"NoOptions", nil, -1, false},
		{"NoVotes", []Option{{StartsAt: day(0)}, {StartsAt: day(1)}}, -1, false},
		{"OnlyNo", []Option{{StartsAt: day(0), Tally: Tally{No: 3}}}, -1, false},
		{"MostYes", []Option{
			{StartsAt: day(0), Tally: Tally{Yes: 1, Maybe: 5}},
			{StartsAt: day(1), Tally: Tally{Yes: 2}},
		}, 1, true},
		{"YesTieMostMaybe", []Option{
			{StartsAt: day(0), Tally: Tally{Yes: 2, Maybe: 0, No: 0}},
			{StartsAt: day(1), Tally: Tally{Yes: 2, Maybe: 1, No: 3}},
		}, 1, true},
		{"FullTieEarliest", []Option{
			{StartsAt: day(2), Tally: Tally{Yes: 1, Maybe: 1}},
			{StartsAt: day(1), Tally: Tally{Yes: 1, Maybe: 1, No: 2}},
			{StartsAt: day(3), Tally: Tally{Yes: 1, Maybe: 1}},
		}, 1, true},
		{"SameStartFirstWins", []Option{
			{StartsAt: day(1), Tally: Tally{Yes: 1}},
			{StartsAt: day(1), Tally: Tally{Yes: 1}},
		}, 0, true},
		{"MaybeOnly", []Option{
			{StartsAt: day(0), Tally: Tally{No: 2}},
			{StartsAt: day(1), Tally: Tally{Maybe: 1}},
		}, 1, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, ok := Best(tt.opts)
			require.Equal(t, tt.wantOK, ok)
			require.Equal(t, tt.want, got)
		})
	}
}
