package schedule

import (
	"time"

	// Campaign zones must not depend on the host's zoneinfo files.
	_ "time/tzdata"
)

// Layouts of the local fields: "2025-10-24" and "19:00".
const (
	DateLayout = "2006-01-02"
	TimeLayout = "15:04"
)

// Zone loads the IANA zone name; a name that does not load (which
// validation should have refused) gives UTC, so that showing a time never
// fails.
func Zone(name string) *time.Location {
	if name == "" || name == "Local" {
		return time.UTC
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return time.UTC
	}
	return loc
}

// Local returns the calendar date and the wall-clock time (24-hour, minutes)
// of the instant t in loc: what members of a campaign in that zone read on
// their clocks, daylight saving time included.
func Local(t time.Time, loc *time.Location) (date, clock string) {
	lt := t.In(loc)
	return lt.Format(DateLayout), lt.Format(TimeLayout)
}
