// Package llm is gametable's client for a language model behind any
// OpenAI-compatible chat-completions endpoint (OpenAI, Ollama, vLLM, the
// llama.cpp server): POST {BaseURL}/chat/completions, non-streaming.
//
// One Client is shared by everything that asks a model (recap extraction,
// the rules chat). It bounds every attempt with a timeout, retries 429 and
// 5xx replies and network errors with exponential backoff (honouring
// Retry-After), caps the number of calls in flight, and never writes the
// API key or the conversation to its logs: it logs sizes, statuses and
// durations only, at Debug level, and retries at Warn.
//
// Errors are typed so callers can decide what to do (a caller with an
// offline fallback typically falls back on all of them except its own
// context's cancellation):
//   - *APIError: the endpoint answered with a non-2xx status (after retries
//     for the retryable ones);
//   - ErrTimeout: an attempt took longer than Config.Timeout;
//   - ErrMalformedResponse: a 2xx reply that is not a chat completion;
//   - ErrUnavailable: the endpoint could not be reached;
//   - the caller's context error (context.Canceled, DeadlineExceeded) when
//     the caller gave up.
package llm

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Defaults of Config.
const (
	DefaultTimeout       = 60 * time.Second
	DefaultMaxRetries    = 3
	DefaultRetryBase     = 500 * time.Millisecond
	DefaultMaxRetryWait  = 30 * time.Second
	DefaultMaxConcurrent = 4
	// maxResponseBytes bounds what is read of a reply.
	maxResponseBytes = 8 << 20
)

// Config configures a Client. BaseURL and Model are required; every other
// field has a default.
type Config struct {
	// BaseURL is the API root including the version, e.g.
	// https://api.openai.com/v1 or http://localhost:11434/v1
	// (GAMETABLE_LLM_BASE_URL).
	BaseURL string
	// APIKey, when set, is sent as "Authorization: Bearer <key>"
	// (GAMETABLE_LLM_API_KEY). It is never logged.
	APIKey string
	// Model is the model name sent with each request (GAMETABLE_LLM_MODEL).
	Model string
	// Timeout bounds one attempt, from sending the request to reading the
	// whole reply; default 60 s.
	Timeout time.Duration
	// MaxRetries is how many times a call is retried after a 429, a 5xx or
	// a network error; default 3. Negative means never.
	MaxRetries int
	// RetryBase is the first backoff; it doubles on each retry, with
	// jitter, up to MaxRetryWait; default 500 ms. A Retry-After header
	// replaces the computed backoff (still capped by MaxRetryWait).
	RetryBase time.Duration
	// MaxRetryWait caps a single wait between attempts; default 30 s.
	MaxRetryWait time.Duration
	// MaxConcurrent caps the calls in flight across the process; further
	// calls wait for a slot (or for their context); default 4.
	MaxConcurrent int
	// HTTPClient sends the requests; default a new http.Client.
	HTTPClient *http.Client
	// Logger receives Debug and Warn lines without secrets; default
	// discards.
	Logger *slog.Logger
}

// LogValue describes the configuration without the API key or any
// credentials in the URL.
func (c Config) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("base_url", redactURL(c.BaseURL)),
		slog.String("model", c.Model),
		slog.Bool("api_key_set", c.APIKey != ""),
		slog.Duration("timeout", c.Timeout),
		slog.Int("max_concurrent", c.MaxConcurrent),
	)
}

// Client calls a chat-completions endpoint. It is safe for concurrent use.
type Client struct {
	cfg      Config
	endpoint string
	// slots holds one token per call in flight; Chat sends before calling
	// and receives when done, so at most cap(slots) calls run at once.
	slots chan struct{}
	// sleepFunc waits between attempts; tests may shorten it.
	sleepFunc func(ctx context.Context, d time.Duration) error
}

// New checks cfg, fills in its defaults and returns a Client.
func New(cfg Config) (*Client, error) {
	if cfg.BaseURL == "" {
		return nil, errors.New("llm: base url is required")
	}
	u, err := url.Parse(cfg.BaseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("llm: base url %q must be an http(s) URL", redactURL(cfg.BaseURL))
	}
	if cfg.Model == "" {
		return nil, errors.New("llm: model is required")
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	switch {
	case cfg.MaxRetries < 0:
		cfg.MaxRetries = 0
	case cfg.MaxRetries == 0:
		cfg.MaxRetries = DefaultMaxRetries
	}
	if cfg.RetryBase <= 0 {
		cfg.RetryBase = DefaultRetryBase
	}
	if cfg.MaxRetryWait <= 0 {
		cfg.MaxRetryWait = DefaultMaxRetryWait
	}
	if cfg.MaxConcurrent <= 0 {
		cfg.MaxConcurrent = DefaultMaxConcurrent
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	return &Client{
		cfg:       cfg,
		endpoint:  strings.TrimRight(cfg.BaseURL, "/") + "/chat/completions",
		slots:     make(chan struct{}, cfg.MaxConcurrent),
		sleepFunc: sleep,
	}, nil
}

// Model returns the configured model name.
func (c *Client) Model() string { return c.cfg.Model }

// Roles of a Message.
const (
	RoleSystem    = "system"
	RoleUser      = "user"
	RoleAssistant = "assistant"
)

// Message is one message of a conversation.
type Message struct {
	Role    string `json:"role"`
	Content string `json:"content"`
}

// Request is one chat completion.
type Request struct {
	Messages []Message
	// JSON asks for a JSON object reply (response_format json_object),
	// which OpenAI, vLLM, Ollama and llama.cpp support. The prompt should
	// still say which JSON it wants; callers must validate the reply.
	JSON bool
	// Temperature, when set, is sent as is; nil leaves the server default.
	Temperature *float64
	// MaxTokens, when positive, caps the reply's length.
	MaxTokens int
}

// Response is a chat completion's first choice.
type Response struct {
	Content      string
	FinishReason string
	// Model is the model that answered, as the server reports it.
	Model            string
	PromptTokens     int
	CompletionTokens int
}

// APIError is a non-2xx reply of the endpoint.
type APIError struct {
	StatusCode int
	// Type, Code and Message come from the OpenAI error body
	// {"error": {"message", "type", "code"}} when there is one.
	Type    string
	Code    string
	Message string
	// RetryAfter is the server's Retry-After, zero when absent.
	RetryAfter time.Duration
}

func (e *APIError) Error() string {
	msg := e.Message
	if msg == "" {
		msg = http.StatusText(e.StatusCode)
	}
	return fmt.Sprintf("llm: status %d: %s", e.StatusCode, msg)
}

// Retryable reports whether the same request may succeed later: 429 and
// 5xx.
func (e *APIError) Retryable() bool {
	return e.StatusCode == http.StatusTooManyRequests || e.StatusCode >= 500
}

var (
	// ErrTimeout means an attempt took longer than Config.Timeout.
	ErrTimeout = errors.New("llm: timed out")
	// ErrMalformedResponse means a 2xx reply that is not a chat completion
	// with at least one choice.
	ErrMalformedResponse = errors.New("llm: malformed response")
	// ErrUnavailable means the endpoint could not be reached.
	ErrUnavailable = errors.New("llm: endpoint unavailable")
)

// wire types of the chat-completions API.
type chatRequest struct {
	Model          string          `json:"model"`
	Messages       []Message       `json:"messages"`
	Stream         bool            `json:"stream"`
	Temperature    *float64        `json:"temperature,omitempty"`
	MaxTokens      int             `json:"max_tokens,omitempty"`
	ResponseFormat *responseFormat `json:"response_format,omitempty"`
}

type responseFormat struct {
	Type string `json:"type"`
}

type chatResponse struct {
	Model   string `json:"model"`
	Choices []struct {
		Message *struct {
			Role    string  `json:"role"`
			Content *string `json:"content"`
		} `json:"message"`
		FinishReason string `json:"finish_reason"`
	} `json:"choices"`
	Usage struct {
		PromptTokens     int `json:"prompt_tokens"`
		CompletionTokens int `json:"completion_tokens"`
	} `json:"usage"`
}

type errorResponse struct {
	Error struct {
		Message string `json:"message"`
		Type    string `json:"type"`
		Code    any    `json:"code"`
	} `json:"error"`
}

// Chat sends one non-streaming chat completion and returns the first
// choice. It waits for a free slot first (see Config.MaxConcurrent).
func (c *Client) Chat(ctx context.Context, req Request) (*Response, error) {
	if len(req.Messages) == 0 {
		return nil, errors.New("llm: a request needs at least one message")
	}
	body := chatRequest{
		Model:       c.cfg.Model,
		Messages:    req.Messages,
		Stream:      false,
		Temperature: req.Temperature,
		MaxTokens:   req.MaxTokens,
	}
	if req.JSON {
		body.ResponseFormat = &responseFormat{Type: "json_object"}
	}
	payload, err := json.Marshal(body)
	if err != nil {
		return nil, fmt.Errorf("llm: encode request: %w", err)
	}

	select {
	case c.slots <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	defer func() { <-c.slots }()

	for attempt := 0; ; attempt++ {
		start := time.Now()
		res, err := c.attempt(ctx, payload)
		if err == nil {
			c.cfg.Logger.DebugContext(ctx, "llm call",
				"model", c.cfg.Model, "attempt", attempt+1, "duration", time.Since(start),
				"prompt_tokens", res.PromptTokens, "completion_tokens", res.CompletionTokens)
			return res, nil
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		wait, retry := c.retryAfter(err, attempt)
		if !retry {
			return nil, err
		}
		c.cfg.Logger.WarnContext(ctx, "llm call failed, retrying",
			"model", c.cfg.Model, "attempt", attempt+1, "retry_in", wait, "err", err)
		if err := c.sleepFunc(ctx, wait); err != nil {
			return nil, err
		}
	}
}

// retryAfter decides whether err is worth another attempt and how long to
// wait first.
func (c *Client) retryAfter(err error, attempt int) (time.Duration, bool) {
	if attempt >= c.cfg.MaxRetries {
		return 0, false
	}
	var ae *APIError
	switch {
	case errors.As(err, &ae):
		if !ae.Retryable() {
			return 0, false
		}
		if ae.RetryAfter > 0 {
			return min(ae.RetryAfter, c.cfg.MaxRetryWait), true
		}
	case errors.Is(err, ErrUnavailable):
	default:
		// Timeouts are not retried: a model that needed longer than the
		// timeout once will likely do so again, and the caller waits.
		return 0, false
	}
	d := c.cfg.RetryBase << attempt
	if d <= 0 || d > c.cfg.MaxRetryWait {
		d = c.cfg.MaxRetryWait
	}
	// Full jitter on the upper half, so concurrent callers spread out.
	d = d/2 + rand.N(d/2+1)
	return d, true
}

// attempt makes one HTTP request under the per-attempt timeout.
func (c *Client) attempt(ctx context.Context, payload []byte) (*Response, error) {
	actx, cancel := context.WithTimeoutCause(ctx, c.cfg.Timeout, ErrTimeout)
	defer cancel()
	hreq, err := http.NewRequestWithContext(actx, http.MethodPost, c.endpoint, bytes.NewReader(payload))
	if err != nil {
		return nil, fmt.Errorf("llm: build request: %w", err)
	}
	hreq.Header.Set("Content-Type", "application/json")
	hreq.Header.Set("Accept", "application/json")
	if c.cfg.APIKey != "" {
		hreq.Header.Set("Authorization", "Bearer "+c.cfg.APIKey)
	}
	resp, err := c.cfg.HTTPClient.Do(hreq)
	if err != nil {
		return nil, c.transportError(ctx, actx, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseBytes+1))
	if err != nil {
		return nil, c.transportError(ctx, actx, err)
	}
	if len(raw) > maxResponseBytes {
		return nil, fmt.Errorf("%w: reply larger than %d bytes", ErrMalformedResponse, maxResponseBytes)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return nil, c.newAPIError(resp, raw)
	}
	var cr chatResponse
	if err := json.Unmarshal(raw, &cr); err != nil {
		return nil, fmt.Errorf("%w: %s", ErrMalformedResponse, jsonProblem(err))
	}
	if len(cr.Choices) == 0 || cr.Choices[0].Message == nil || cr.Choices[0].Message.Content == nil {
		return nil, fmt.Errorf("%w: no choice with a message", ErrMalformedResponse)
	}
	ch := cr.Choices[0]
	return &Response{
		Content:          *ch.Message.Content,
		FinishReason:     ch.FinishReason,
		Model:            cr.Model,
		PromptTokens:     cr.Usage.PromptTokens,
		CompletionTokens: cr.Usage.CompletionTokens,
	}, nil
}

// transportError classifies an error of sending or reading: the caller's
// cancellation, our timeout, or an unreachable endpoint. The text of the
// underlying error carries the URL (never the key, which travels in a
// header); credentials in the URL are stripped by net/http.
func (c *Client) transportError(ctx, actx context.Context, err error) error {
	switch {
	case ctx.Err() != nil:
		return ctx.Err()
	case errors.Is(context.Cause(actx), ErrTimeout):
		return fmt.Errorf("%w after %s", ErrTimeout, c.cfg.Timeout)
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return fmt.Errorf("%w after %s", ErrTimeout, c.cfg.Timeout)
	}
	return fmt.Errorf("%w: %w", ErrUnavailable, err)
}

// newAPIError reads the OpenAI error body, if any, and Retry-After. The
// server's message is kept short and scrubbed of the API key, since some
// servers echo a wrong key back.
func (c *Client) newAPIError(resp *http.Response, raw []byte) *APIError {
	e := &APIError{StatusCode: resp.StatusCode, RetryAfter: parseRetryAfter(resp.Header.Get("Retry-After"), time.Now())}
	var er errorResponse
	if json.Unmarshal(raw, &er) == nil && er.Error.Message != "" {
		msg := er.Error.Message
		if c.cfg.APIKey != "" {
			msg = strings.ReplaceAll(msg, c.cfg.APIKey, "[redacted]")
		}
		e.Message = truncate(msg, 500)
		e.Type = er.Error.Type
		switch v := er.Error.Code.(type) {
		case string:
			e.Code = v
		case float64:
			e.Code = strconv.FormatFloat(v, 'f', -1, 64)
		}
	}
	return e
}

// parseRetryAfter reads delay-seconds or an HTTP date; zero when absent or
// unreadable.
func parseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if secs, err := strconv.Atoi(v); err == nil {
		if secs < 0 {
			return 0
		}
		return time.Duration(secs) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		if d := t.Sub(now); d > 0 {
			return d
		}
	}
	return 0
}

// jsonProblem describes a decoding error without echoing the reply.
func jsonProblem(err error) string {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		return fmt.Sprintf("invalid JSON at byte %d", se.Offset)
	case errors.As(err, &te):
		return fmt.Sprintf("field %q has the wrong type", te.Field)
	}
	return "invalid JSON"
}

// truncate cuts s to at most n runes.
func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}

// redactURL drops credentials, query and fragment from a URL for logs.
func redactURL(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return "(invalid url)"
	}
	u.User = nil
	u.RawQuery = ""
	u.Fragment = ""
	return u.String()
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
