package http

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"gametable/db"
	"gametable/db/dbtest"
	"gametable/retrieval"
	"gametable/retrieval/srdbook"
)

// searchBenchQuestions are questions players ask at the table, in the
// book's words and in their own, for BenchmarkSearchHTTP.
var searchBenchQuestions = []string{
	"What happens if you are surprised at the start of combat?",
	"How is initiative determined?",
	"What can I do with a bonus action?",
	"When can I make an opportunity attack?",
	"How does two-weapon fighting work?",
	"How do I grapple a creature and how does it escape the grapple?",
	"What bonus does half cover give to AC?",
	"How do I roll damage for a critical hit?",
	"How do death saving throws work?",
	"How do temporary hit points work?",
	"What breaks concentration on a spell?",
	"How far can I jump with a long jump?",
	"What do I regain at the end of a long rest?",
	"How long can a creature hold its breath?",
	"How much damage does a creature take from falling?",
	"What does the poisoned condition do?",
	"Can a prone creature stand up during its turn?",
	"What does fireball do and how much damage at higher levels?",
	"How many hit points does an adult red dragon have?",
	"What are the legendary actions of a lich?",
	"What does a bag of holding do?",
	"How much does a longsword cost and weigh?",
	"What does the finesse weapon property mean?",
	"What is psychic damage?",
	"my guy is bleeding out what do I roll",
	"can I hit the goblin that runs away from me",
	"I rolled a nat 20, do I double the damage dice?",
	"can my wizard cast two spells in one turn",
	"how do I hide from the guards",
	"do I get advantage when attacking someone who is knocked down",
	"the troll keeps regenerating, how do we stop it",
	"how long does a short rest take and what can I do",
	"can I ready a spell for when the door opens",
	"what happens when my character is frightened of the dragon",
	"how do I climb onto a bigger creature",
	"does cover stack with shield",
}

// BenchmarkSearchHTTP measures GET /api/campaigns/{id}/search over the
// whole SRD (srdbook.Whole, the book of BenchmarkSearch in retrieval,
// about 2,100 chunks, offline embedder) as a player's browser sees it: a real HTTP server on
// loopback with the whole router, the session cookie, the middleware, the
// membership check and the JSON encoding, the response read to its end. It
// cycles through searchBenchQuestions and reports the median, 95th and
// 99th percentile latency. It skips when the SRD data is not at
// ../shared/data/srd beside the repository.
//
//	go test ./http -run '^$' -bench BenchmarkSearchHTTP -benchtime 200x
func BenchmarkSearchHTTP(b *testing.B) {
	dir, err := srdbook.Dir()
	if err != nil {
		b.Skip(err)
	}
	text, err := srdbook.Whole(dir)
	require.NoError(b, err)
	ctx := context.Background()
	pool := dbtest.New(b)
	svc, err := retrieval.New(retrieval.Config{Pool: pool})
	require.NoError(b, err)

	start := time.Now()
	book, err := db.New(pool).CoreRuleCreate(ctx, db.CoreRuleCreateParams{
		Slug: "srd", Title: "SRD", Kind: retrieval.KindRequired, Filename: "srd.md",
	})
	require.NoError(b, err)
	require.NoError(b, svc.IngestCoreRule(ctx, book.ID,
		[]retrieval.File{{Name: "srd.md", Data: []byte(text)}}, nil))
	var chunks int
	require.NoError(b, pool.QueryRow(ctx, "SELECT count(*) FROM chunks").Scan(&chunks))
	b.Logf("ingested the whole SRD: %d chunks in %s", chunks, time.Since(start).Round(time.Millisecond))

	hts := httptest.NewUnstartedServer(nil)
	base := "http://" + hts.Listener.Addr().String()
	srv, err := NewServer(Options{
		Pool: pool, Logger: slog.New(slog.DiscardHandler), BaseURL: base, Version: "bench", Retrieval: svc,
	})
	require.NoError(b, err)
	hts.Config.Handler = srv
	hts.Start()
	b.Cleanup(func() {
		hts.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Close(ctx)
	})

	// A GM creates the campaign; the player joins it through an invite and
	// searches with their own session.
	gm := newSearchBenchClient(b, base, "Gina")
	var campaign campaignBody
	gm.do(b, http.MethodPost, "/api/campaigns", map[string]string{"name": "Bench"}, http.StatusCreated, &campaign)
	var invite inviteBody
	gm.do(b, http.MethodPost, campaignPath(campaign.Campaign.ID, "invites"), map[string]any{"role": rolePlayer}, http.StatusCreated, &invite)
	player := newSearchBenchClient(b, base, "Pip")
	player.do(b, http.MethodPost, "/api/invites/"+invite.Invite.Code+"/accept", nil, http.StatusOK, nil)
	searchPath := campaignPath(campaign.Campaign.ID, "search") + "?q="

	// get sends one search and returns its latency: from the request to
	// the last byte of the body.
	get := func(q string) (time.Duration, []byte) {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+searchPath+url.QueryEscape(q), nil)
		require.NoError(b, err)
		t0 := time.Now()
		resp, err := player.client.Do(req)
		require.NoError(b, err)
		body, err := io.ReadAll(resp.Body)
		d := time.Since(t0)
		require.NoError(b, err)
		require.NoError(b, resp.Body.Close())
		if resp.StatusCode != http.StatusOK {
			b.Fatalf("search %q: %d %s", q, resp.StatusCode, body)
		}
		return d, body
	}
	// Warm up the connection pools, the caches and the keep-alive
	// connection.
	for _, q := range searchBenchQuestions[:10] {
		get(q)
	}

	var durations []time.Duration
	i := 0
	for b.Loop() {
		q := searchBenchQuestions[i%len(searchBenchQuestions)]
		i++
		d, body := get(q)
		durations = append(durations, d)
		var res searchBody
		if err := json.Unmarshal(body, &res); err != nil || len(res.Items) == 0 {
			b.Fatalf("search %q: %d items, %v: %s", q, len(res.Items), err, body)
		}
	}
	slices.Sort(durations)
	pct := func(p float64) time.Duration { return durations[int(p*float64(len(durations)-1))] }
	b.ReportMetric(float64(pct(0.50).Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(pct(0.95).Microseconds())/1000, "p95-ms")
	b.ReportMetric(float64(pct(0.99).Microseconds())/1000, "p99-ms")
}

// searchBenchClient is a browser-like client for benchmarks: the helpers
// of helpers_test.go take a *testing.T.
type searchBenchClient struct {
	base   string
	client *http.Client
}

// newSearchBenchClient signs up a new account and returns its logged-in
// client.
func newSearchBenchClient(b *testing.B, base, name string) *searchBenchClient {
	b.Helper()
	jar, err := cookiejar.New(nil)
	require.NoError(b, err)
	c := &searchBenchClient{base: base, client: &http.Client{Jar: jar, Timeout: 30 * time.Second}}
	c.do(b, http.MethodPost, "/api/auth/signup", map[string]string{
		"email": uniqueEmail(name), "password": testPassword, "displayName": name,
	}, http.StatusCreated, nil)
	return c
}

// do sends body as JSON (nil: none), requires status and decodes the
// response into out unless it is nil.
func (c *searchBenchClient) do(b *testing.B, method, path string, body any, status int, out any) {
	b.Helper()
	var rd io.Reader
	if body != nil {
		buf, err := json.Marshal(body)
		require.NoError(b, err)
		rd = bytes.NewReader(buf)
	}
	req, err := http.NewRequest(method, c.base+path, rd)
	require.NoError(b, err)
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.client.Do(req)
	require.NoError(b, err)
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	require.NoError(b, err)
	require.Equal(b, status, resp.StatusCode, "%s %s: %s", method, path, data)
	if out != nil {
		require.NoError(b, json.Unmarshal(data, out), "%s %s: %s", method, path, data)
	}
}
