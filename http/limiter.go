package http

import (
	"net"
	"net/http"
	"net/netip"
	"strings"
	"sync"
	"time"
)

// limiter counts failures per key (an email, a client address) in a
// sliding window and locks a key out once it reaches the limit: after
// limit failures within window, the key is refused for at least minLock,
// and until fewer than limit failures remain in the window.
//
// Attempts are counted before they are judged: begin reserves a slot and
// end settles it, so a burst of parallel guesses cannot slip past the
// limit while the first ones are still hashing.
//
// State is per process, held in memory: a restart forgives, and several
// server processes each count on their own.
type limiter struct {
	limit   int
	window  time.Duration
	minLock time.Duration
	nowFunc func() time.Time

	// mu guards entries.
	mu      sync.Mutex
	entries map[string]*limitEntry
}

type limitEntry struct {
	failures    []time.Time // within the window, oldest first
	pending     int         // attempts begun and not yet ended
	lockedUntil time.Time
}

func newLimiter(limit int, window, minLock time.Duration) *limiter {
	return &limiter{
		limit:   limit,
		window:  window,
		minLock: minLock,
		nowFunc: time.Now,
		entries: map[string]*limitEntry{},
	}
}

// begin reserves an attempt for key. When the key is locked (or the
// attempts in flight would reach the limit) it returns how long to wait
// and false; the caller answers 429 and must not call end.
func (l *limiter) begin(key string) (time.Duration, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.nowFunc()
	e := l.entry(key, now)
	if now.Before(e.lockedUntil) {
		return e.lockedUntil.Sub(now), false
	}
	if len(e.failures)+e.pending >= l.limit {
		return l.minLock, false
	}
	e.pending++
	return 0, true
}

// end settles an attempt that begin allowed. A failure counts towards the
// limit; a success with forgive clears the key's failures (a user who
// logs in correctly starts afresh; a client address does not).
func (l *limiter) end(key string, failed, forgive bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.nowFunc()
	e := l.entry(key, now)
	if e.pending > 0 {
		e.pending--
	}
	switch {
	case failed:
		e.failures = append(e.failures, now)
		if n := len(e.failures); n >= l.limit {
			until := e.failures[n-l.limit].Add(l.window)
			e.lockedUntil = maxTime(until, now.Add(l.minLock))
		}
	case forgive:
		e.failures = nil
	}
}

// forgive clears key's failures and lock (after a password reset, the
// owner of the account may log in at once).
func (l *limiter) forgive(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if e := l.entries[key]; e != nil {
		e.failures, e.lockedUntil = nil, time.Time{}
	}
}

// entry returns key's entry with failures outside the window dropped.
func (l *limiter) entry(key string, now time.Time) *limitEntry {
	e := l.entries[key]
	if e == nil {
		e = &limitEntry{}
		l.entries[key] = e
	}
	cut := 0
	for cut < len(e.failures) && !e.failures[cut].After(now.Add(-l.window)) {
		cut++
	}
	e.failures = e.failures[cut:]
	return e
}

// prune forgets keys with nothing left to remember; the janitor calls it
// so that the map does not grow with every address ever seen.
func (l *limiter) prune() {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.nowFunc()
	for k := range l.entries {
		e := l.entry(k, now)
		if len(e.failures) == 0 && e.pending == 0 && !now.Before(e.lockedUntil) {
			delete(l.entries, k)
		}
	}
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// clientKey identifies the client address of r for throttling (see
// clientAddr), with IPv6 addresses grouped by /64 (one host usually owns a
// whole /64).
func clientKey(r *http.Request, trusted []netip.Prefix) string {
	addr, ok := clientAddr(r, trusted)
	return addrKey(addr, ok, r.RemoteAddr)
}

// addrKey is clientKey for an address clientAddr found (ok), else for the
// connection's unparsable remote address.
func addrKey(addr netip.Addr, ok bool, remote string) string {
	if !ok {
		return "ip:" + remote
	}
	if addr.Is6() {
		p, _ := addr.Prefix(64)
		return "ip:" + p.String()
	}
	return "ip:" + addr.String()
}

// clientAddr is the client address of r: the IP of the connection, or,
// when the connection comes from a trusted proxy, the rightmost address of
// X-Forwarded-For that is not a trusted proxy itself (the leftmost, if all
// are): entries further left are whatever the client claims and are never
// believed. ok is false when RemoteAddr holds no address.
func clientAddr(r *http.Request, trusted []netip.Prefix) (netip.Addr, bool) {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	addr, err := netip.ParseAddr(host)
	if err != nil {
		return netip.Addr{}, false
	}
	addr = addr.Unmap()
	if isTrusted(addr, trusted) {
		addr = forwardedFor(r.Header.Values("X-Forwarded-For"), addr, trusted)
	}
	return addr, true
}

// forwardedFor walks the X-Forwarded-For entries (all header lines, in
// order) from the right, starting from the trusted proxy peer, and returns
// the first address that is not a trusted proxy. Entries may carry a port
// ("203.0.113.7:41234", "[2001:db8::1]:443"), as some proxies send them.
// An entry that is not an address ("unknown") stops the walk at the last
// trusted hop before it.
func forwardedFor(values []string, peer netip.Addr, trusted []netip.Prefix) netip.Addr {
	var hops []string
	for _, v := range values {
		hops = append(hops, strings.Split(v, ",")...)
	}
	client := peer
	for i := len(hops) - 1; i >= 0; i-- {
		a, ok := parseHop(strings.TrimSpace(hops[i]))
		if !ok {
			return client
		}
		client = a.Unmap()
		if !isTrusted(client, trusted) {
			return client
		}
	}
	return client
}

// parseHop reads one X-Forwarded-For entry: an address, with or without a
// port.
func parseHop(hop string) (netip.Addr, bool) {
	if a, err := netip.ParseAddr(hop); err == nil {
		return a, true
	}
	if ap, err := netip.ParseAddrPort(hop); err == nil {
		return ap.Addr(), true
	}
	return netip.Addr{}, false
}

func isTrusted(addr netip.Addr, trusted []netip.Prefix) bool {
	for _, p := range trusted {
		if p.Contains(addr) {
			return true
		}
	}
	return false
}
