package schedule

import "time"

// The answers a member may give to a poll option.
const (
	Yes   = "yes"
	Maybe = "maybe"
	No    = "no"
)

// ValidAnswer reports whether a is one of Yes, Maybe and No.
func ValidAnswer(a string) bool { return a == Yes || a == Maybe || a == No }

// Tally counts one option's answers.
type Tally struct {
	Yes, Maybe, No int
}

// Count tallies votes (voter → answer). Answers other than Yes, Maybe and
// No are not counted.
func Count[K comparable](votes map[K]string) Tally {
	var t Tally
	for _, a := range votes {
		switch a {
		case Yes:
			t.Yes++
		case Maybe:
			t.Maybe++
		case No:
			t.No++
		}
	}
	return t
}

// Option is what Best compares: an option's start and its tally.
type Option struct {
	StartsAt time.Time
	Tally    Tally
}

// Best returns the index of the poll's best option: the most yes, then the
// most maybe, then the earliest start; options that tie on all three keep
// their order (the first wins). ok is false when no option has a yes or a
// maybe, so that an unanswered poll (or one everybody refused) has no best
// option rather than an arbitrary earliest one.
func Best(opts []Option) (i int, ok bool) {
	best := -1
	for j, o := range opts {
		if o.Tally.Yes == 0 && o.Tally.Maybe == 0 {
			continue
		}
		if best < 0 || better(o, opts[best]) {
			best = j
		}
	}
	return best, best >= 0
}

// better reports whether a beats b.
func better(a, b Option) bool {
	if a.Tally.Yes != b.Tally.Yes {
		return a.Tally.Yes > b.Tally.Yes
	}
	if a.Tally.Maybe != b.Tally.Maybe {
		return a.Tally.Maybe > b.Tally.Maybe
	}
	return a.StartsAt.Before(b.StartsAt)
}
