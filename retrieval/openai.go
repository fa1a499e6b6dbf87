package retrieval

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// OpenAIConfig configures an OpenAI-compatible embeddings endpoint (OpenAI,
// Ollama, vLLM, llama.cpp, LocalAI): POST {BaseURL}/embeddings with
// {"model", "input": [...]} answered by {"data": [{"index", "embedding"}]}.
type OpenAIConfig struct {
	// BaseURL is the API root including /v1, e.g. http://localhost:11434/v1
	// (GAMETABLE_EMBEDDINGS_BASE_URL).
	BaseURL string
	// Model is the model name (GAMETABLE_EMBEDDINGS_MODEL).
	Model string
	// APIKey, when set, is sent as a bearer token
	// (GAMETABLE_EMBEDDINGS_API_KEY).
	APIKey string
	// BatchSize is how many texts go in one request; default 64.
	BatchSize int
	// Timeout bounds each request; default 60 s.
	Timeout time.Duration
	// MaxRetries is how many times a request is retried after a 429, a 5xx
	// or a network error; default 4. Other errors are not retried.
	MaxRetries int
	// RetryBase is the first backoff; it doubles on each retry, up to
	// MaxRetryWait. A server's Retry-After replaces it, also capped at
	// MaxRetryWait. Default 500 ms.
	RetryBase time.Duration
	// MaxRetryWait bounds each wait between attempts; default 30 s.
	MaxRetryWait time.Duration
	// SendDimensions adds "dimensions": Dim to each request, which OpenAI's
	// text-embedding-3 models honour (others may refuse it).
	SendDimensions bool
	// HTTPClient is the client to use; default a new http.Client.
	HTTPClient *http.Client
}

// OpenAIEmbedder calls an OpenAI-compatible /embeddings endpoint. The model
// must produce Dim numbers per text (all-MiniLM-L6-v2, bge-small-en, or
// text-embedding-3-* with SendDimensions); any other length is an error
// rather than a silently broken index.
type OpenAIEmbedder struct {
	cfg OpenAIConfig
}

var _ Embedder = (*OpenAIEmbedder)(nil)

// NewOpenAIEmbedder checks cfg and fills in its defaults.
func NewOpenAIEmbedder(cfg OpenAIConfig) (*OpenAIEmbedder, error) {
	if cfg.BaseURL == "" {
		return nil, errors.New("embeddings base url is required")
	}
	if cfg.Model == "" {
		return nil, errors.New("embeddings model is required")
	}
	cfg.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
	if cfg.BatchSize <= 0 {
		cfg.BatchSize = 64
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 60 * time.Second
	}
	if cfg.MaxRetries < 0 {
		cfg.MaxRetries = 0
	} else if cfg.MaxRetries == 0 {
		cfg.MaxRetries = 4
	}
	if cfg.MaxRetryWait <= 0 {
		cfg.MaxRetryWait = 30 * time.Second
	}
	if cfg.RetryBase <= 0 {
		cfg.RetryBase = 500 * time.Millisecond
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{}
	}
	return &OpenAIEmbedder{cfg: cfg}, nil
}

// Model returns the configured model name.
func (e *OpenAIEmbedder) Model() string { return e.cfg.Model }

// Dim returns Dim.
func (e *OpenAIEmbedder) Dim() int { return Dim }

// Embed sends texts in batches of BatchSize and returns the vectors in
// order, L2-normalised.
func (e *OpenAIEmbedder) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	out := make([][]float32, 0, len(texts))
	for start := 0; start < len(texts); start += e.cfg.BatchSize {
		end := min(start+e.cfg.BatchSize, len(texts))
		vecs, err := e.embedBatch(ctx, texts[start:end])
		if err != nil {
			return nil, fmt.Errorf("embed texts %d to %d with %s: %w", start, end-1, e.cfg.Model, err)
		}
		out = append(out, vecs...)
	}
	return out, nil
}

type embeddingsRequest struct {
	Model      string   `json:"model"`
	Input      []string `json:"input"`
	Dimensions int      `json:"dimensions,omitempty"`
}

type embeddingsResponse struct {
	Data []struct {
		Index     int       `json:"index"`
		Embedding []float64 `json:"embedding"`
	} `json:"data"`
	Error *struct {
		Message string `json:"message"`
	} `json:"error"`
}

// statusError is a non-2xx answer; retryable says whether to try again.
type statusError struct {
	status     int
	message    string
	retryAfter time.Duration
}

func (e *statusError) Error() string {
	if e.message == "" {
		return fmt.Sprintf("embeddings endpoint answered %d", e.status)
	}
	return fmt.Sprintf("embeddings endpoint answered %d: %s", e.status, e.message)
}

func (e *statusError) retryable() bool {
	return e.status == http.StatusTooManyRequests || e.status >= 500
}

func (e *OpenAIEmbedder) embedBatch(ctx context.Context, texts []string) ([][]float32, error) {
	req := embeddingsRequest{Model: e.cfg.Model, Input: texts}
	if e.cfg.SendDimensions {
		req.Dimensions = Dim
	}
	body, err := json.Marshal(req)
	if err != nil {
		return nil, fmt.Errorf("encode request: %w", err)
	}
	backoff := e.cfg.RetryBase
	for attempt := 0; ; attempt++ {
		vecs, err := e.post(ctx, body, len(texts))
		if err == nil {
			return vecs, nil
		}
		var se *statusError
		retry := errors.As(err, &se) && se.retryable() || isNetworkError(ctx, err)
		if !retry || attempt >= e.cfg.MaxRetries {
			return nil, err
		}
		wait := backoff
		if se != nil && se.retryAfter > 0 {
			// A server asking for an hour would stall ingestion; ask again
			// sooner and let MaxRetries bound the whole.
			wait = min(se.retryAfter, e.cfg.MaxRetryWait)
		}
		backoff = min(backoff*2, e.cfg.MaxRetryWait)
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, fmt.Errorf("%w (after %d attempts: %w)", ctx.Err(), attempt+1, err)
		case <-t.C:
		}
	}
}

// isNetworkError reports whether err is a transport failure worth a retry
// (not the caller's own cancellation).
func isNetworkError(ctx context.Context, err error) bool {
	if ctx.Err() != nil {
		return false
	}
	var se *statusError
	if errors.As(err, &se) {
		return false
	}
	var de *decodeError
	return !errors.As(err, &de)
}

// decodeError is an answer that could not be understood; retrying will not
// help.
type decodeError struct{ err error }

func (e *decodeError) Error() string { return e.err.Error() }
func (e *decodeError) Unwrap() error { return e.err }

func (e *OpenAIEmbedder) post(ctx context.Context, body []byte, n int) ([][]float32, error) {
	ctx, cancel := context.WithTimeout(ctx, e.cfg.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, e.cfg.BaseURL+"/embeddings", bytes.NewReader(body))
	if err != nil {
		return nil, &decodeError{fmt.Errorf("build request: %w", err)}
	}
	req.Header.Set("Content-Type", "application/json")
	if e.cfg.APIKey != "" {
		req.Header.Set("Authorization", "Bearer "+e.cfg.APIKey)
	}
	resp, err := e.cfg.HTTPClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("post embeddings: %w", err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 256<<20))
	if err != nil {
		return nil, fmt.Errorf("read embeddings answer: %w", err)
	}
	var parsed embeddingsResponse
	jsonErr := json.Unmarshal(raw, &parsed)
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		se := &statusError{status: resp.StatusCode, retryAfter: parseRetryAfter(resp.Header.Get("Retry-After"))}
		if jsonErr == nil && parsed.Error != nil {
			se.message = parsed.Error.Message
		}
		return nil, se
	}
	if jsonErr != nil {
		return nil, &decodeError{fmt.Errorf("decode embeddings answer: %w", jsonErr)}
	}
	if len(parsed.Data) != n {
		return nil, &decodeError{fmt.Errorf("embeddings answer has %d vectors for %d texts", len(parsed.Data), n)}
	}
	out := make([][]float32, n)
	for i, d := range parsed.Data {
		idx := d.Index
		if idx < 0 || idx >= n {
			idx = i
		}
		if out[idx] != nil {
			return nil, &decodeError{fmt.Errorf("embeddings answer repeats index %d", idx)}
		}
		if len(d.Embedding) != Dim {
			return nil, &decodeError{fmt.Errorf("model %s returns %d dimensions; gametable stores %d (choose a %d-dimension model such as all-minilm, or text-embedding-3-small with dimensions)",
				e.cfg.Model, len(d.Embedding), Dim, Dim)}
		}
		out[idx] = normalize(d.Embedding)
	}
	return out, nil
}

func parseRetryAfter(v string) time.Duration {
	if v == "" {
		return 0
	}
	if secs, err := strconv.Atoi(strings.TrimSpace(v)); err == nil && secs >= 0 {
		return min(time.Duration(secs)*time.Second, time.Minute)
	}
	if t, err := http.ParseTime(v); err == nil {
		return min(max(time.Until(t), 0), time.Minute)
	}
	return 0
}

func normalize(v []float64) []float32 {
	var n float64
	for _, x := range v {
		n += x * x
	}
	out := make([]float32, len(v))
	if n == 0 {
		return out
	}
	n = math.Sqrt(n)
	for i, x := range v {
		out[i] = float32(x / n)
	}
	return out
}
