package schedule

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestLocal_BerlinWeeklyAcrossDST: a weekly game on Fridays at 19:00 in
// Berlin keeps its wall-clock time across the end of summer time (the
// last Sunday of October 2025 is the 26th), while its UTC time moves by an
// hour.
func TestLocal_BerlinWeeklyAcrossDST(t *testing.T) {
	t.Parallel()
	berlin := Zone("Europe/Berlin")
	first := time.Date(2025, 10, 17, 19, 0, 0, 0, berlin)
	wantUTC := []string{"2025-10-17T17:00:00Z", "2025-10-24T17:00:00Z", "2025-10-31T18:00:00Z", "2025-11-07T18:00:00Z"}
	wantDate := []string{"2025-10-17", "2025-10-24", "2025-10-31", "2025-11-07"}
	for i := range wantUTC {
		inst := first.AddDate(0, 0, 7*i) // calendar days, in Berlin
		require.Equal(t, wantUTC[i], inst.UTC().Format(time.RFC3339))
		date, clock := Local(inst.UTC(), berlin)
		require.Equal(t, wantDate[i], date)
		require.Equal(t, "19:00", clock)
	}
	// Adding 7×24 h instead of a week of calendar days shows up as 18:00.
	_, clock := Local(first.Add(14*24*time.Hour), berlin)
	require.Equal(t, "18:00", clock)
}

// TestLocal_Auckland: far from UTC the local date is another day.
func TestLocal_Auckland(t *testing.T) {
	t.Parallel()
	akl := Zone("Pacific/Auckland")
	// Friday 2025-10-24 07:00 UTC is Friday 20:00 in Auckland (NZDT, +13).
	date, clock := Local(time.Date(2025, 10, 24, 7, 0, 0, 0, time.UTC), akl)
	require.Equal(t, "2025-10-24", date)
	require.Equal(t, "20:00", clock)
	// Thursday 23:30 UTC is already Friday lunchtime there.
	date, clock = Local(time.Date(2025, 10, 23, 23, 30, 0, 0, time.UTC), akl)
	require.Equal(t, "2025-10-24", date)
	require.Equal(t, "12:30", clock)
	// In the southern winter (NZST, +12) the offset is an hour less.
	date, clock = Local(time.Date(2025, 7, 4, 7, 0, 0, 0, time.UTC), akl)
	require.Equal(t, "2025-07-04", date)
	require.Equal(t, "19:00", clock)
}

func TestZone(t *testing.T) {
	t.Parallel()
	require.Equal(t, time.UTC, Zone(""))
	require.Equal(t, time.UTC, Zone("Local"))
	require.Equal(t, time.UTC, Zone("Mars/Olympus_Mons"))
	require.Equal(t, "Europe/Berlin", Zone("Europe/Berlin").String())
}
