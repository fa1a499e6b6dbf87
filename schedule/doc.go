// Package schedule holds the pure rules of game scheduling, with no I/O:
// poll tallies and the best option, the local date and time of an instant
// in a campaign's zone, and an iCalendar (RFC 5545) writer for the
// calendar feed.
//
// Times are instants (time.Time, compared and stored in UTC); a campaign's
// IANA zone only decides how they are shown. Nothing here reads the clock.
package schedule
