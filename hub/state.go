package hub

import (
	"crypto/rand"
	"math/big"

	"github.com/google/uuid"
)

// View is one of the two projections of the live state.
type View string

// The views. A GM may ask for the player view (the shared screen at the
// table); a player always gets it.
const (
	ViewGM     View = "gm"
	ViewPlayer View = "player"
)

func (v View) valid() bool { return v == ViewGM || v == ViewPlayer }

// index is v's position in per-view arrays.
func (v View) index() int {
	if v == ViewPlayer {
		return 1
	}
	return 0
}

var views = [2]View{ViewGM, ViewPlayer}

// Role is a member's role in a campaign.
type Role string

// The roles.
const (
	RoleGM     Role = "gm"
	RolePlayer Role = "player"
)

// state is the live state of one campaign, owned by its hub goroutine.
//
// Parts are copy-on-write: apply never modifies the combat or polls it was
// given but builds new ones, so that a failed command (or a failed
// transaction) simply drops its result, and so that a projection can cache
// a part's projection by the part's identity. Presence is the exception:
// it is not persisted, changes outside commands and is mutated in place by
// the hub, with a version that projections compare.
type state struct {
	campaign campaignInfo
	presence *presence
	combat   *combat  // nil: no combat running
	polls    *pollSet // never nil
}

type campaignInfo struct {
	id   string
	name string
}

// shallow returns a copy of s that shares every part; apply replaces the
// parts it changes.
func (s *state) shallow() *state {
	c := *s
	return &c
}

// presence counts the open live connections per user.
type presence struct {
	users   map[string]*presenceUser
	version uint64 // bumped on every change
}

type presenceUser struct {
	displayName string
	role        Role
	connections int
}

func newPresence() *presence {
	return &presence{users: map[string]*presenceUser{}}
}

func (p *presence) join(userID, displayName string, role Role) {
	u := p.users[userID]
	if u == nil {
		u = &presenceUser{}
		p.users[userID] = u
	}
	u.displayName = displayName
	u.role = role
	u.connections++
	p.version++
}

func (p *presence) leave(userID string) {
	u := p.users[userID]
	if u == nil {
		return
	}
	u.connections--
	if u.connections <= 0 {
		delete(p.users, userID)
	}
	p.version++
}

// pollSet is the live part of the campaign's availability polls: the open
// ones, and closed ones not yet turned into a session.
type pollSet struct {
	polls map[string]*poll
}

type poll struct {
	id       string
	title    string
	status   string // "open" | "closed"
	closesAt string // RFC 3339, "" for none
	options  map[string]*pollOption
}

type pollOption struct {
	startsAt string
	endsAt   string            // "" for none
	votes    map[string]string // userID → "yes" | "maybe" | "no"
}

func emptyPolls() *pollSet { return &pollSet{polls: map[string]*poll{}} }

// rules holds what the pure rules need from outside: dice and ids. Tests
// replace both.
type rules struct {
	// rollFunc rolls a d20: 1 to 20, uniformly, from a cryptographic
	// source.
	rollFunc func() int
	// newIDFunc returns a fresh id for a combat or combatant.
	newIDFunc func() string
}

func defaultRules() *rules {
	return &rules{rollFunc: rollD20, newIDFunc: func() string { return uuid.NewString() }}
}

var twenty = big.NewInt(20)

// rollD20 rolls a fair d20 from crypto/rand.
func rollD20() int {
	n, err := rand.Int(rand.Reader, twenty)
	if err != nil {
		// crypto/rand does not fail on supported platforms (Go 1.24+
		// crashes the program instead); keep the compiler content.
		panic("developer error: crypto/rand: " + err.Error())
	}
	return int(n.Int64()) + 1
}
