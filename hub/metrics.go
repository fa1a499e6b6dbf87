package hub

import (
	"github.com/prometheus/client_golang/prometheus"
)

// metrics are the live core's Prometheus series (CONTRACT.md section 10:
// live connections, hubs, commands, broadcast latency).
type metrics struct {
	connections prometheus.Gauge
	hubs        prometheus.Gauge
	commands    *prometheus.CounterVec
	broadcast   prometheus.Histogram
	commit      prometheus.Histogram
	batch       prometheus.Histogram
	dropped     *prometheus.CounterVec
}

func newMetrics(reg prometheus.Registerer) *metrics {
	m := &metrics{
		connections: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "gametable_live_connections",
			Help: "Open live WebSocket connections.",
		}),
		hubs: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "gametable_live_hubs",
			Help: "Running campaign hubs.",
		}),
		commands: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "gametable_live_commands_total",
			Help: "Live commands by type and outcome (ok, or the error code).",
		}, []string{"type", "outcome"}),
		broadcast: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "gametable_live_broadcast_seconds",
			Help:    "From a command reaching its hub to its patches being queued for every connection.",
			Buckets: []float64{.0005, .001, .002, .005, .01, .02, .05, .1, .25, .5, 1},
		}),
		commit: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "gametable_live_commit_seconds",
			Help:    "Duration of a hub's transaction for a batch of commands.",
			Buckets: []float64{.0005, .001, .002, .005, .01, .02, .05, .1, .25, .5, 1},
		}),
		batch: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "gametable_live_batch_commands",
			Help:    "Commands committed together in one transaction (group commit).",
			Buckets: []float64{1, 2, 4, 8, 16, 32, 64},
		}),
		dropped: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "gametable_live_dropped_connections_total",
			Help: "Live connections the server closed, by reason.",
		}, []string{"reason"}),
	}
	if reg != nil {
		reg.MustRegister(m.connections, m.hubs, m.commands, m.broadcast, m.commit, m.batch, m.dropped)
	}
	return m
}
