package retrieval_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"gametable/llm"
	"gametable/retrieval"
)

// TestChatWithLoopbackModel answers through the shared llm client and a
// loopback server speaking the chat-completions format: the request carries
// the passages, and the reply's sources are those passages.
func TestChatWithLoopbackModel(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	var (
		mu  sync.Mutex
		got struct {
			Model    string `json:"model"`
			Messages []struct {
				Role    string `json:"role"`
				Content string `json:"content"`
			} `json:"messages"`
		}
	)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/v1/chat/completions" {
			http.NotFound(w, r)
			return
		}
		mu.Lock()
		defer mu.Unlock()
		if err := json.NewDecoder(r.Body).Decode(&got); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"id":"x","object":"chat.completion","model":"tiny","choices":[{"index":0,"finish_reason":"stop","message":{"role":"assistant","content":"Half cover gives +2 to AC [1]."}}],"usage":{"prompt_tokens":10,"completion_tokens":5}}`))
	}))
	t.Cleanup(srv.Close)
	client, err := llm.New(llm.Config{BaseURL: srv.URL + "/v1", Model: "tiny"})
	require.NoError(t, err)

	b := setup(t)
	c, u := b.campaign(t, "LLM")
	b.book(t, "house-rules", retrieval.KindRequired, "# House Rules\n\n## Cover\n\nA target with half cover has a +2 bonus to AC and Dexterity saving throws.\n\n## Resting\n\nA long rest takes eight hours.")

	reply, err := b.svc.Chat(ctx, c, u, "What does half cover give?", retrieval.NewChatCompleter(client))
	require.NoError(t, err)
	require.Equal(t, "Half cover gives +2 to AC [1].", reply.Answer.Text)
	require.NotEmpty(t, reply.Answer.Sources)
	require.Equal(t, "Cover", reply.Answer.Sources[0].Heading)

	mu.Lock()
	defer mu.Unlock()
	require.Equal(t, "tiny", got.Model)
	require.Len(t, got.Messages, 2)
	require.Equal(t, "system", got.Messages[0].Role)
	prompt := got.Messages[1].Content
	for i, src := range reply.Answer.Sources {
		require.Contains(t, prompt, strings.TrimSpace(src.Text), "source %d is in the prompt", i)
	}
	require.Contains(t, prompt, "[1] house-rules, House Rules > Cover")
	require.Contains(t, prompt, "Question: What does half cover give?")
}

// TestChatModelFails: when the model keeps failing, the chat still
// answers, from the passages themselves, with their sources.
func TestChatModelFails(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	var (
		mu    sync.Mutex
		calls int
	)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		calls++
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusInternalServerError)
		_, _ = w.Write([]byte(`{"error":{"message":"model crashed"}}`))
	}))
	t.Cleanup(srv.Close)
	client, err := llm.New(llm.Config{BaseURL: srv.URL + "/v1", Model: "tiny", MaxRetries: 1, RetryBase: time.Millisecond})
	require.NoError(t, err)

	b := setup(t)
	c, u := b.campaign(t, "LLM down")
	b.book(t, "house-rules", retrieval.KindRequired, "# House Rules\n\n## Cover\n\nA target with half cover has a +2 bonus to AC and Dexterity saving throws.\n\n## Resting\n\nA long rest takes eight hours.")

	reply, err := b.svc.Chat(ctx, c, u, "What does half cover give?", retrieval.NewChatCompleter(client))
	require.NoError(t, err)
	require.True(t, reply.Answer.Found)
	require.Contains(t, reply.Answer.Text, "+2 bonus to AC", "quoted from the passage")
	require.NotEmpty(t, reply.Answer.Sources)
	require.Equal(t, "Cover", reply.Answer.Sources[0].Heading)
	require.Equal(t, reply.Answer.Text, reply.Message.Content, "the history keeps the answer given")
	mu.Lock()
	defer mu.Unlock()
	require.Equal(t, 2, calls, "the model was asked, and asked again once")
}
