package retrieval_test

import (
	"cmp"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"gametable/retrieval"
)

// fakeEmbeddings is a loopback OpenAI-compatible /v1/embeddings server. It
// answers with deterministic vectors (the offline embedder's), in reverse
// index order to check that the client sorts them, after failing the first
// failures requests with the given status.
type fakeEmbeddings struct {
	t        testing.TB
	dim      int
	failures int
	status   int
	mu       sync.Mutex
	requests []embeddingsRequest
	calls    int
	// retryAfter is sent with the failures; default "0".
	retryAfter string
}

type embeddingsRequest struct {
	Model      string   `json:"model"`
	Input      []string `json:"input"`
	Dimensions int      `json:"dimensions"`
	Auth       string   `json:"-"`
}

func newFakeEmbeddings(t testing.TB) (*fakeEmbeddings, *httptest.Server) {
	f := &fakeEmbeddings{t: t, dim: 384, status: http.StatusTooManyRequests}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	return f, srv
}

func (f *fakeEmbeddings) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.URL.Path != "/v1/embeddings" {
		http.NotFound(w, r)
		return
	}
	var req embeddingsRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	req.Auth = r.Header.Get("Authorization")
	f.mu.Lock()
	f.calls++
	fail := f.calls <= f.failures
	if !fail {
		f.requests = append(f.requests, req)
	}
	dim := f.dim
	f.mu.Unlock()
	if fail {
		w.Header().Set("Retry-After", cmp.Or(f.retryAfter, "0"))
		w.WriteHeader(f.status)
		_, _ = w.Write([]byte(`{"error":{"message":"slow down"}}`))
		return
	}
	vecs, _ := retrieval.NewHashEmbedder().Embed(r.Context(), req.Input)
	type item struct {
		Object    string    `json:"object"`
		Index     int       `json:"index"`
		Embedding []float32 `json:"embedding"`
	}
	resp := struct {
		Object string `json:"object"`
		Data   []item `json:"data"`
		Model  string `json:"model"`
	}{Object: "list", Model: req.Model}
	for i := len(vecs) - 1; i >= 0; i-- {
		v := vecs[i]
		if dim != len(v) {
			v = make([]float32, dim)
			v[0] = 1
		}
		resp.Data = append(resp.Data, item{Object: "embedding", Index: i, Embedding: v})
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(resp)
}

func TestOpenAIEmbedderBatchesAndOrders(t *testing.T) {
	t.Parallel()
	f, srv := newFakeEmbeddings(t)
	e, err := retrieval.NewOpenAIEmbedder(retrieval.OpenAIConfig{
		BaseURL: srv.URL + "/v1/", Model: "all-minilm", APIKey: "sekret", BatchSize: 2,
	})
	require.NoError(t, err)
	require.Equal(t, "all-minilm", e.Model())
	texts := []string{"grapple", "long rest", "cover", "darkvision", "prone"}
	got, err := e.Embed(context.Background(), texts)
	require.NoError(t, err)
	want, _ := retrieval.NewHashEmbedder().Embed(context.Background(), texts)
	require.Len(t, got, 5)
	for i := range want {
		require.InDeltaSlice(t, want[i], got[i], 1e-6, "vector %d in input order", i)
	}
	require.Len(t, f.requests, 3, "5 texts in batches of 2")
	require.Equal(t, []string{"grapple", "long rest"}, f.requests[0].Input)
	require.Equal(t, []string{"prone"}, f.requests[2].Input)
	require.Equal(t, "Bearer sekret", f.requests[0].Auth)
	require.Equal(t, "all-minilm", f.requests[0].Model)
	require.Zero(t, f.requests[0].Dimensions)
}

func TestOpenAIEmbedderRetries(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		status   int
		failures int
		retries  int
		wantErr  bool
		wantCall int
	}{
		{name: "429 then success", status: http.StatusTooManyRequests, failures: 2, retries: 3, wantCall: 3},
		{name: "503 then success", status: http.StatusServiceUnavailable, failures: 1, retries: 3, wantCall: 2},
		{name: "429 beyond the retries", status: http.StatusTooManyRequests, failures: 10, retries: 2, wantErr: true, wantCall: 3},
		{name: "400 is not retried", status: http.StatusBadRequest, failures: 10, retries: 3, wantErr: true, wantCall: 1},
		{name: "401 is not retried", status: http.StatusUnauthorized, failures: 10, retries: 3, wantErr: true, wantCall: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f, srv := newFakeEmbeddings(t)
			f.status, f.failures = tt.status, tt.failures
			e, err := retrieval.NewOpenAIEmbedder(retrieval.OpenAIConfig{
				BaseURL: srv.URL + "/v1", Model: "m", MaxRetries: tt.retries, RetryBase: time.Millisecond,
			})
			require.NoError(t, err)
			_, err = e.Embed(context.Background(), []string{"a", "b"})
			if tt.wantErr {
				require.Error(t, err)
				require.Contains(t, err.Error(), "slow down", "the server's message is kept")
			} else {
				require.NoError(t, err)
			}
			f.mu.Lock()
			defer f.mu.Unlock()
			require.Equal(t, tt.wantCall, f.calls)
		})
	}
}

// TestOpenAIEmbedderCapsRetryAfter: a server asking for an hour's pause is
// asked again after MaxRetryWait.
func TestOpenAIEmbedderCapsRetryAfter(t *testing.T) {
	t.Parallel()
	f, srv := newFakeEmbeddings(t)
	f.failures, f.retryAfter = 1, "3600"
	e, err := retrieval.NewOpenAIEmbedder(retrieval.OpenAIConfig{
		BaseURL: srv.URL + "/v1", Model: "m", MaxRetries: 2, RetryBase: time.Millisecond, MaxRetryWait: 20 * time.Millisecond,
	})
	require.NoError(t, err)
	// The deadline only keeps a broken cap from hanging the suite.
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	vecs, err := e.Embed(ctx, []string{"a"})
	require.NoError(t, err)
	require.Len(t, vecs, 1)
	f.mu.Lock()
	defer f.mu.Unlock()
	require.Equal(t, 2, f.calls)
}

// TestOpenAIEmbedderRetriesDroppedConnections: a connection the server
// drops before answering is retried like a 503.
func TestOpenAIEmbedderRetriesDroppedConnections(t *testing.T) {
	t.Parallel()
	f := &fakeEmbeddings{t: t, dim: 384}
	var mu sync.Mutex
	drops := 2
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		drop := drops > 0
		drops--
		mu.Unlock()
		if drop {
			conn, _, err := http.NewResponseController(w).Hijack()
			if err != nil {
				t.Errorf("hijack: %v", err) // not require: this is the handler's goroutine
				return
			}
			conn.Close()
			return
		}
		f.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)

	for _, tt := range []struct {
		retries int
		wantErr bool
	}{{retries: 1, wantErr: true}, {retries: 3}} {
		mu.Lock()
		drops = 2
		mu.Unlock()
		e, err := retrieval.NewOpenAIEmbedder(retrieval.OpenAIConfig{
			BaseURL: srv.URL + "/v1", Model: "m", MaxRetries: tt.retries, RetryBase: time.Millisecond,
		})
		require.NoError(t, err)
		vecs, err := e.Embed(context.Background(), []string{"a", "b"})
		if tt.wantErr {
			require.Error(t, err, "two dropped connections exhaust one retry")
			continue
		}
		require.NoError(t, err)
		require.Len(t, vecs, 2)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	require.Equal(t, 1, f.calls, "only the third attempt of the second call reached the endpoint")
}

func TestOpenAIEmbedderRefusesOtherDimensions(t *testing.T) {
	t.Parallel()
	f, srv := newFakeEmbeddings(t)
	f.dim = 768
	e, err := retrieval.NewOpenAIEmbedder(retrieval.OpenAIConfig{BaseURL: srv.URL + "/v1", Model: "nomic-embed-text", SendDimensions: true})
	require.NoError(t, err)
	_, err = e.Embed(context.Background(), []string{"a"})
	require.ErrorContains(t, err, "returns 768 dimensions")
	f.mu.Lock()
	defer f.mu.Unlock()
	require.Equal(t, 1, f.calls, "a bad answer is not retried")
	require.Equal(t, 384, f.requests[0].Dimensions)
}

func TestOpenAIEmbedderTimeout(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(func() { close(release); srv.Close() })
	e, err := retrieval.NewOpenAIEmbedder(retrieval.OpenAIConfig{
		BaseURL: srv.URL + "/v1", Model: "m", Timeout: 50 * time.Millisecond, MaxRetries: 1, RetryBase: time.Millisecond,
	})
	require.NoError(t, err)
	start := time.Now()
	_, err = e.Embed(context.Background(), []string{"a"})
	require.Error(t, err)
	require.Less(t, time.Since(start), 5*time.Second)
}
