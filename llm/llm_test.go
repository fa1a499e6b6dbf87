package llm

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

const testKey = "sk-test-very-secret-key-0123456789"

// fakeModel is a chat-completions server on loopback. Each request is
// answered by the next reply function; the last one repeats.
type fakeModel struct {
	t       *testing.T
	srv     *httptest.Server
	mu      sync.Mutex
	replies []func(w http.ResponseWriter, r *http.Request)
	calls   atomic.Int32
	// bodies holds every request body received.
	bodies [][]byte
	// inFlight and maxInFlight measure concurrency.
	inFlight, maxInFlight atomic.Int32
}

func newFakeModel(t *testing.T, replies ...func(w http.ResponseWriter, r *http.Request)) *fakeModel {
	t.Helper()
	f := &fakeModel{t: t, replies: replies}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeModel) serve(w http.ResponseWriter, r *http.Request) {
	n := f.inFlight.Add(1)
	defer f.inFlight.Add(-1)
	for {
		m := f.maxInFlight.Load()
		if n <= m || f.maxInFlight.CompareAndSwap(m, n) {
			break
		}
	}
	if r.Method != http.MethodPost || r.URL.Path != "/v1/chat/completions" {
		http.Error(w, "wrong endpoint", http.StatusNotFound)
		return
	}
	if r.Header.Get("Authorization") != "Bearer "+testKey {
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = io.WriteString(w, `{"error":{"message":"bad key","type":"invalid_request_error","code":"invalid_api_key"}}`)
		return
	}
	b, _ := io.ReadAll(r.Body)
	i := int(f.calls.Add(1)) - 1
	f.mu.Lock()
	f.bodies = append(f.bodies, b)
	reply := f.replies[min(i, len(f.replies)-1)]
	f.mu.Unlock()
	reply(w, r)
}

func (f *fakeModel) client(t *testing.T, mod ...func(*Config)) *Client {
	t.Helper()
	cfg := Config{
		BaseURL:   f.srv.URL + "/v1/",
		APIKey:    testKey,
		Model:     "test-model",
		Timeout:   30 * time.Second, // the timeout tests set their own
		RetryBase: time.Millisecond,
	}
	for _, m := range mod {
		m(&cfg)
	}
	c, err := New(cfg)
	require.NoError(t, err)
	return c
}

// completion answers with one choice whose content is content.
func completion(content string) func(w http.ResponseWriter, r *http.Request) {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		body, _ := json.Marshal(map[string]any{
			"id":      "chatcmpl-1",
			"object":  "chat.completion",
			"created": 1700000000,
			"model":   "test-model-2024",
			"choices": []any{map[string]any{
				"index":         0,
				"message":       map[string]any{"role": "assistant", "content": content},
				"finish_reason": "stop",
			}},
			"usage": map[string]any{"prompt_tokens": 12, "completion_tokens": 5, "total_tokens": 17},
		})
		_, _ = w.Write(body)
	}
}

func status(code int, body string, header ...string) func(w http.ResponseWriter, r *http.Request) {
	return func(w http.ResponseWriter, r *http.Request) {
		for i := 0; i+1 < len(header); i += 2 {
			w.Header().Set(header[i], header[i+1])
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(code)
		_, _ = io.WriteString(w, body)
	}
}

func raw(body string) func(w http.ResponseWriter, r *http.Request) {
	return status(http.StatusOK, body)
}

var hello = Request{Messages: []Message{{Role: RoleSystem, Content: "Be brief."}, {Role: RoleUser, Content: "Hello"}}}

func TestClient_Chat(t *testing.T) {
	t.Parallel()

	t.Run("Good", func(t *testing.T) {
		t.Parallel()
		f := newFakeModel(t, completion("Hi there."))
		temp := 0.2
		req := hello
		req.JSON, req.Temperature, req.MaxTokens = true, &temp, 300
		res, err := f.client(t).Chat(context.Background(), req)
		require.NoError(t, err)
		require.Equal(t, "Hi there.", res.Content)
		require.Equal(t, "stop", res.FinishReason)
		require.Equal(t, "test-model-2024", res.Model)
		require.Equal(t, 12, res.PromptTokens)
		require.Equal(t, 5, res.CompletionTokens)

		// The request is the wire format: model, messages, no streaming,
		// JSON mode.
		require.Len(t, f.bodies, 1)
		var sent map[string]any
		require.NoError(t, json.Unmarshal(f.bodies[0], &sent))
		require.Equal(t, "test-model", sent["model"])
		require.Equal(t, false, sent["stream"])
		require.Equal(t, map[string]any{"type": "json_object"}, sent["response_format"])
		require.Equal(t, 0.2, sent["temperature"])
		require.Equal(t, float64(300), sent["max_tokens"])
		require.Equal(t, []any{
			map[string]any{"role": "system", "content": "Be brief."},
			map[string]any{"role": "user", "content": "Hello"},
		}, sent["messages"])
	})

	t.Run("PlainRequestOmitsOptions", func(t *testing.T) {
		t.Parallel()
		f := newFakeModel(t, completion("ok"))
		_, err := f.client(t).Chat(context.Background(), hello)
		require.NoError(t, err)
		var sent map[string]any
		require.NoError(t, json.Unmarshal(f.bodies[0], &sent))
		require.NotContains(t, sent, "response_format")
		require.NotContains(t, sent, "temperature")
		require.NotContains(t, sent, "max_tokens")
	})

	t.Run("ErrorReplyNotRetried", func(t *testing.T) {
		t.Parallel()
		f := newFakeModel(t, status(http.StatusBadRequest,
			`{"error":{"message":"model 'x' not found","type":"invalid_request_error","code":"model_not_found"}}`))
		_, err := f.client(t).Chat(context.Background(), hello)
		var ae *APIError
		require.ErrorAs(t, err, &ae)
		require.Equal(t, http.StatusBadRequest, ae.StatusCode)
		require.Equal(t, "model_not_found", ae.Code)
		require.Equal(t, "invalid_request_error", ae.Type)
		require.Equal(t, "model 'x' not found", ae.Message)
		require.False(t, ae.Retryable())
		require.EqualValues(t, 1, f.calls.Load())
	})

	t.Run("ErrorReplyWithoutBody", func(t *testing.T) {
		t.Parallel()
		f := newFakeModel(t, status(http.StatusNotFound, `not json`))
		_, err := f.client(t).Chat(context.Background(), hello)
		var ae *APIError
		require.ErrorAs(t, err, &ae)
		require.Equal(t, http.StatusNotFound, ae.StatusCode)
		require.Contains(t, err.Error(), "Not Found")
	})

	t.Run("RateLimitedThenSuccess", func(t *testing.T) {
		t.Parallel()
		f := newFakeModel(t,
			status(http.StatusTooManyRequests, `{"error":{"message":"slow down","type":"rate_limit"}}`, "Retry-After", "2"),
			completion("finally"))
		c := f.client(t)
		var waits []time.Duration
		c.sleepFunc = func(_ context.Context, d time.Duration) error { waits = append(waits, d); return nil }
		res, err := c.Chat(context.Background(), hello)
		require.NoError(t, err)
		require.Equal(t, "finally", res.Content)
		require.EqualValues(t, 2, f.calls.Load())
		// Retry-After is honoured.
		require.Equal(t, []time.Duration{2 * time.Second}, waits)
	})

	t.Run("RetryAfterCapped", func(t *testing.T) {
		t.Parallel()
		f := newFakeModel(t,
			status(http.StatusTooManyRequests, `{}`, "Retry-After", "3600"),
			completion("ok"))
		c := f.client(t, func(c *Config) { c.MaxRetryWait = 5 * time.Second })
		var waits []time.Duration
		c.sleepFunc = func(_ context.Context, d time.Duration) error { waits = append(waits, d); return nil }
		_, err := c.Chat(context.Background(), hello)
		require.NoError(t, err)
		require.Equal(t, []time.Duration{5 * time.Second}, waits)
	})

	t.Run("ServerErrorsRetriedWithBackoff", func(t *testing.T) {
		t.Parallel()
		f := newFakeModel(t,
			status(http.StatusInternalServerError, `{"error":{"message":"boom"}}`),
			status(http.StatusBadGateway, ``),
			completion("ok"))
		c := f.client(t, func(c *Config) { c.RetryBase = 100 * time.Millisecond })
		var waits []time.Duration
		c.sleepFunc = func(_ context.Context, d time.Duration) error { waits = append(waits, d); return nil }
		res, err := c.Chat(context.Background(), hello)
		require.NoError(t, err)
		require.Equal(t, "ok", res.Content)
		require.Len(t, waits, 2)
		// Exponential with jitter on the upper half: [50, 100] ms, then [100, 200] ms.
		require.GreaterOrEqual(t, waits[0], 50*time.Millisecond)
		require.LessOrEqual(t, waits[0], 100*time.Millisecond)
		require.GreaterOrEqual(t, waits[1], 100*time.Millisecond)
		require.LessOrEqual(t, waits[1], 200*time.Millisecond)
	})

	t.Run("RetriesExhausted", func(t *testing.T) {
		t.Parallel()
		f := newFakeModel(t, status(http.StatusServiceUnavailable, `{"error":{"message":"overloaded"}}`))
		_, err := f.client(t, func(c *Config) { c.MaxRetries = 2 }).Chat(context.Background(), hello)
		var ae *APIError
		require.ErrorAs(t, err, &ae)
		require.Equal(t, http.StatusServiceUnavailable, ae.StatusCode)
		require.True(t, ae.Retryable())
		require.EqualValues(t, 3, f.calls.Load())
	})

	t.Run("NoRetries", func(t *testing.T) {
		t.Parallel()
		f := newFakeModel(t, status(http.StatusServiceUnavailable, `{}`))
		_, err := f.client(t, func(c *Config) { c.MaxRetries = -1 }).Chat(context.Background(), hello)
		require.Error(t, err)
		require.EqualValues(t, 1, f.calls.Load())
	})

	t.Run("Timeout", func(t *testing.T) {
		t.Parallel()
		release := make(chan struct{})
		t.Cleanup(func() { close(release) })
		f := newFakeModel(t, func(w http.ResponseWriter, r *http.Request) {
			select {
			case <-release:
			case <-r.Context().Done():
			}
		})
		start := time.Now()
		_, err := f.client(t, func(c *Config) { c.Timeout = 150 * time.Millisecond }).Chat(context.Background(), hello)
		require.ErrorIs(t, err, ErrTimeout)
		require.Less(t, time.Since(start), 2*time.Second)
		// A timeout is not retried.
		require.EqualValues(t, 1, f.calls.Load())
	})

	t.Run("TimeoutWhileReadingBody", func(t *testing.T) {
		t.Parallel()
		release := make(chan struct{})
		t.Cleanup(func() { close(release) })
		f := newFakeModel(t, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			_, _ = io.WriteString(w, `{"choices": [`)
			w.(http.Flusher).Flush()
			select {
			case <-release:
			case <-r.Context().Done():
			}
		})
		_, err := f.client(t, func(c *Config) { c.Timeout = 150 * time.Millisecond }).Chat(context.Background(), hello)
		require.ErrorIs(t, err, ErrTimeout)
	})

	t.Run("CallerCancels", func(t *testing.T) {
		t.Parallel()
		release := make(chan struct{})
		t.Cleanup(func() { close(release) })
		f := newFakeModel(t, func(w http.ResponseWriter, r *http.Request) {
			select {
			case <-release:
			case <-r.Context().Done():
			}
		})
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		defer cancel()
		_, err := f.client(t).Chat(ctx, hello)
		require.ErrorIs(t, err, context.DeadlineExceeded)
		require.NotErrorIs(t, err, ErrTimeout)
	})

	malformed := []struct {
		name string
		body string
	}{
		{"NotJSON", `<html>oops</html>`},
		{"Truncated", `{"choices": [{"message": {"content": "hi"`},
		{"NoChoices", `{"choices": []}`},
		{"ChoicesWrongType", `{"choices": "hi"}`},
		{"NoMessage", `{"choices": [{"finish_reason": "stop"}]}`},
		{"NullContent", `{"choices": [{"message": {"role": "assistant", "content": null}}]}`},
	}
	for _, tt := range malformed {
		t.Run("Malformed"+tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFakeModel(t, raw(tt.body))
			_, err := f.client(t).Chat(context.Background(), hello)
			require.ErrorIs(t, err, ErrMalformedResponse)
			require.NotContains(t, err.Error(), "oops", "the reply is not echoed")
			require.EqualValues(t, 1, f.calls.Load())
		})
	}

	t.Run("Unreachable", func(t *testing.T) {
		t.Parallel()
		f := newFakeModel(t, completion("never"))
		c := f.client(t, func(c *Config) { c.MaxRetries = 1 })
		f.srv.Close()
		_, err := c.Chat(context.Background(), hello)
		require.ErrorIs(t, err, ErrUnavailable)
	})

	t.Run("ConcurrencyCapped", func(t *testing.T) {
		t.Parallel()
		gate := make(chan struct{})
		f := newFakeModel(t, func(w http.ResponseWriter, r *http.Request) {
			<-gate
			completion("ok")(w, r)
		})
		c := f.client(t, func(c *Config) { c.MaxConcurrent = 2 })
		var wg sync.WaitGroup
		errs := make(chan error, 5)
		for range 5 {
			wg.Go(func() {
				_, err := c.Chat(context.Background(), hello)
				errs <- err
			})
		}
		require.Eventually(t, func() bool { return f.inFlight.Load() == 2 }, 5*time.Second, 5*time.Millisecond)
		time.Sleep(50 * time.Millisecond) // would a third one get in?
		require.EqualValues(t, 2, f.inFlight.Load())
		close(gate)
		wg.Wait()
		close(errs)
		for err := range errs {
			require.NoError(t, err)
		}
		require.EqualValues(t, 2, f.maxInFlight.Load())
		require.EqualValues(t, 5, f.calls.Load())
	})

	t.Run("WaitingForSlotRespectsContext", func(t *testing.T) {
		t.Parallel()
		gate := make(chan struct{})
		t.Cleanup(func() { close(gate) })
		f := newFakeModel(t, func(w http.ResponseWriter, r *http.Request) {
			select {
			case <-gate:
			case <-r.Context().Done():
			}
		})
		c := f.client(t, func(c *Config) { c.MaxConcurrent = 1 })
		bg, cancelBG := context.WithCancel(context.Background())
		defer cancelBG()
		go func() { _, _ = c.Chat(bg, hello) }()
		require.Eventually(t, func() bool { return f.inFlight.Load() == 1 }, 5*time.Second, 5*time.Millisecond)
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		defer cancel()
		_, err := c.Chat(ctx, hello)
		require.ErrorIs(t, err, context.DeadlineExceeded)
	})

	t.Run("NoSecretsInLogsOrErrors", func(t *testing.T) {
		t.Parallel()
		var buf bytes.Buffer
		logger := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
		f := newFakeModel(t,
			status(http.StatusServiceUnavailable, `{"error":{"message":"key `+testKey+` is overloaded"}}`),
			status(http.StatusUnauthorized, `{"error":{"message":"Incorrect API key provided: `+testKey+`"}}`))
		c := f.client(t, func(c *Config) { c.Logger = logger })
		_, err := c.Chat(context.Background(), Request{Messages: []Message{{Role: RoleUser, Content: "the secret recap"}}})
		var ae *APIError
		require.ErrorAs(t, err, &ae)
		require.Equal(t, http.StatusUnauthorized, ae.StatusCode)
		require.NotContains(t, err.Error(), testKey)
		require.Contains(t, err.Error(), "[redacted]")
		require.Contains(t, buf.String(), "retrying")
		require.NotContains(t, buf.String(), testKey)
		require.NotContains(t, buf.String(), "the secret recap", "conversations are not logged")

		cfg := c.cfg
		cfg.BaseURL = "https://user:hunter2@llm.example.com/v1?key=abc"
		buf.Reset()
		logger.Info("config", "llm", cfg)
		require.NotContains(t, buf.String(), testKey)
		require.NotContains(t, buf.String(), "hunter2")
		require.NotContains(t, buf.String(), "abc")
		require.Contains(t, buf.String(), "api_key_set=true")
	})
}

func TestNew(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		cfg  Config
		err  string
	}{
		{"NoURL", Config{Model: "m"}, "base url is required"},
		{"BadScheme", Config{BaseURL: "ftp://x/v1", Model: "m"}, "must be an http(s) URL"},
		{"NoHost", Config{BaseURL: "http:///v1", Model: "m"}, "must be an http(s) URL"},
		{"NoModel", Config{BaseURL: "http://localhost:11434/v1"}, "model is required"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := New(tt.cfg)
			require.ErrorContains(t, err, tt.err)
		})
	}
	c, err := New(Config{BaseURL: "http://localhost:11434/v1", Model: "llama3.2"})
	require.NoError(t, err)
	require.Equal(t, "llama3.2", c.Model())
	require.Equal(t, DefaultTimeout, c.cfg.Timeout)
	require.Equal(t, DefaultMaxRetries, c.cfg.MaxRetries)
	require.Equal(t, DefaultMaxConcurrent, cap(c.slots))
	_, err = c.Chat(context.Background(), Request{})
	require.Error(t, err)
}

func TestParseRetryAfter(t *testing.T) {
	t.Parallel()
	now := time.Date(2025, 1, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		in   string
		want time.Duration
	}{
		{"", 0},
		{"7", 7 * time.Second},
		{"-1", 0},
		{"soon", 0},
		{now.Add(30 * time.Second).Format(http.TimeFormat), 30 * time.Second},
		{now.Add(-30 * time.Second).Format(http.TimeFormat), 0},
	}
	for _, tt := range tests {
		require.Equal(t, tt.want, parseRetryAfter(tt.in, now), "Retry-After %q", tt.in)
	}
}

func TestAPIError(t *testing.T) {
	t.Parallel()
	e := &APIError{StatusCode: 429}
	require.True(t, e.Retryable())
	require.Equal(t, "llm: status 429: Too Many Requests", e.Error())
	var target *APIError
	require.True(t, errors.As(error(e), &target))
	require.False(t, (&APIError{StatusCode: 401}).Retryable())
	require.True(t, strings.HasPrefix((&APIError{StatusCode: 500, Message: "x"}).Error(), "llm: status 500"))
}
