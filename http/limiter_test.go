package http

import (
	"net/http"
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
		require.Equal(t, tt.want, clientKey(r), tt.remote)
	}
}
