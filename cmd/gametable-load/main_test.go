package main

import (
	"testing"
	"time"
)

// TestRequireLoopback: the generator only targets this machine.
func TestRequireLoopback(t *testing.T) {
	for host, ok := range map[string]bool{
		"127.0.0.1": true, "127.3.4.5": true, "::1": true, "localhost": true,
		"10.0.0.1": false, "192.168.1.2": false, "example.com": false, "8.8.8.8": false, "": false,
	} {
		if err := requireLoopback(host); (err == nil) != ok {
			t.Errorf("requireLoopback(%q) = %v, want ok=%v", host, err, ok)
		}
	}
}

// TestSummary: percentiles of the sorted samples.
func TestSummary(t *testing.T) {
	var d []time.Duration
	for i := 100; i >= 1; i-- {
		d = append(d, time.Duration(i)*time.Millisecond)
	}
	if got, want := summary(d, true), "n=100 p50=51.00ms p99=100.00ms max=100.00ms"; got != want {
		t.Errorf("summary = %q, want %q", got, want)
	}
	if got := summary(nil, false); got != "no samples" {
		t.Errorf("summary(nil) = %q", got)
	}
}

// TestIsGMConn: the view mix gives the first share of the non-driver
// connections the GM view.
func TestIsGMConn(t *testing.T) {
	cfg := config{clients: 11, gmView: 0.2}
	n := 0
	for k := 1; k < cfg.clients; k++ {
		if isGMConn(k, cfg) {
			n++
		}
	}
	if n != 2 || isGMConn(0, cfg) {
		t.Errorf("GM connections = %d, want 2 (and the driver is not one)", n)
	}
}
