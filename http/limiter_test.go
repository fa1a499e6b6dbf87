package http

import (
	"net/http"
	"net/netip"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestLimiter(t *testing.T) {
	t.Parallel()
	setup := func(t *testing.T) (*limiter, *time.Time) {
		t.Helper()
		now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
		l := newLimiter(10, 15*time.Minute, time.Minute)
		l.nowFunc = func() time.Time { return now }
		return l, &now
	}
	fail := func(t *testing.T, l *limiter, key string) {
		t.Helper()
		_, ok := l.begin(key)
		require.True(t, ok)
		l.end(key, true, false)
	}

	t.Run("EleventhRefused", func(t *testing.T) {
		t.Parallel()
		l, now := setup(t)
		for range 10 {
			fail(t, l, "k")
			*now = now.Add(time.Second)
		}
		wait, ok := l.begin("k")
		require.False(t, ok)
		// Until the first failure leaves the window.
		require.Equal(t, 15*time.Minute-10*time.Second, wait)
		_, ok = l.begin("other")
		require.True(t, ok)
	})
	t.Run("AtLeastAMinute", func(t *testing.T) {
		t.Parallel()
		l, now := setup(t)
		// Ten failures spread over 14.9 minutes: the window alone would
		// unlock a few seconds after the tenth.
		for i := range 10 {
			fail(t, l, "k")
			if i < 9 {
				*now = now.Add(99 * time.Second)
			}
		}
		wait, ok := l.begin("k")
		require.False(t, ok)
		require.Equal(t, time.Minute, wait)
		*now = now.Add(59 * time.Second)
		_, ok = l.begin("k")
		require.False(t, ok)
		*now = now.Add(time.Second)
		_, ok = l.begin("k")
		require.True(t, ok)
	})
	t.Run("WindowSlides", func(t *testing.T) {
		t.Parallel()
		l, now := setup(t)
		for range 9 {
			fail(t, l, "k")
		}
		*now = now.Add(16 * time.Minute)
		for range 9 {
			fail(t, l, "k")
		}
		_, ok := l.begin("k")
		require.True(t, ok, "nine failures in the window")
	})
	t.Run("SuccessForgives", func(t *testing.T) {
		t.Parallel()
		l, _ := setup(t)
		for range 9 {
			fail(t, l, "k")
		}
		_, ok := l.begin("k")
		require.True(t, ok)
		l.end("k", false, true)
		for range 9 {
			fail(t, l, "k")
		}
		_, ok = l.begin("k")
		require.True(t, ok)
	})
	t.Run("BurstInFlight", func(t *testing.T) {
		t.Parallel()
		l, _ := setup(t)
		for range 10 {
			_, ok := l.begin("k")
			require.True(t, ok)
		}
		_, ok := l.begin("k")
		require.False(t, ok, "ten attempts are still being checked")
	})
	t.Run("Prune", func(t *testing.T) {
		t.Parallel()
		l, now := setup(t)
		fail(t, l, "k")
		*now = now.Add(16 * time.Minute)
		l.prune()
		require.Empty(t, l.entries)
	})
}

func TestClientKey(t *testing.T) {
	t.Parallel()
	tests := []struct{ remote, want string }{
		{"192.0.2.7:5555", "ip:192.0.2.7"},
		{"[::ffff:192.0.2.7]:5555", "ip:192.0.2.7"},
		{"[2001:db8:1:2:3:4:5:6]:443", "ip:2001:db8:1:2::/64"},
		{"[2001:db8:1:2:ffff::1]:443", "ip:2001:db8:1:2::/64"},
	}
	for _, tt := range tests {
		r := &http.Request{RemoteAddr: tt.remote}
		require.Equal(t, tt.want, clientKey(r, nil), tt.remote)
	}
}

func TestClientKeyTrustedProxies(t *testing.T) {
	t.Parallel()
	trusted := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("::1/128")}
	tests := []struct {
		name    string
		remote  string
		forward []string
		want    string
	}{
		{"NoProxy", "192.0.2.7:5555", nil, "ip:192.0.2.7"},
		{"UntrustedPeerLies", "192.0.2.7:5555", []string{"198.51.100.1"}, "ip:192.0.2.7"},
		{"OneProxy", "10.0.0.2:443", []string{"198.51.100.1"}, "ip:198.51.100.1"},
		{"ClientClaimsIgnored", "10.0.0.2:443", []string{"203.0.113.9, 198.51.100.1"}, "ip:198.51.100.1"},
		{"TwoProxies", "10.0.0.2:443", []string{"198.51.100.1, 10.1.2.3"}, "ip:198.51.100.1"},
		{"SeveralHeaderLines", "10.0.0.2:443", []string{"203.0.113.9", "198.51.100.1, 10.1.2.3"}, "ip:198.51.100.1"},
		{"AllTrusted", "10.0.0.2:443", []string{"10.9.9.9, 10.1.2.3"}, "ip:10.9.9.9"},
		{"NoHeader", "10.0.0.2:443", nil, "ip:10.0.0.2"},
		{"Garbage", "10.0.0.2:443", []string{"198.51.100.1, not-an-ip, 10.1.2.3"}, "ip:10.1.2.3"},
		{"Unknown", "10.0.0.2:443", []string{"unknown"}, "ip:10.0.0.2"},
		{"WithPort", "10.0.0.2:443", []string{"198.51.100.1:41234"}, "ip:198.51.100.1"},
		{"IPv6WithPort", "10.0.0.2:443", []string{"[2001:db8:1:2::9]:443, 10.1.2.3:80"}, "ip:2001:db8:1:2::/64"},
		{"IPv6Client", "[::1]:443", []string{"2001:db8:1:2:3:4:5:6"}, "ip:2001:db8:1:2::/64"},
		{"MappedIPv4", "10.0.0.2:443", []string{"::ffff:198.51.100.1"}, "ip:198.51.100.1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := &http.Request{RemoteAddr: tt.remote, Header: http.Header{}}
			for _, v := range tt.forward {
				r.Header.Add("X-Forwarded-For", v)
			}
			require.Equal(t, tt.want, clientKey(r, trusted))
		})
	}
}
