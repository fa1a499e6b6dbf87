package retrieval_test

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"gametable/db"
	"gametable/retrieval"
)

// fakeModel records the prompt and answers with a fixed text.
type fakeModel struct {
	got    []retrieval.Message
	answer string
	err    error
	before func() // runs when the model is asked
}

func (m *fakeModel) Complete(_ context.Context, msgs []retrieval.Message) (string, error) {
	m.got = msgs
	if m.before != nil {
		m.before()
	}
	return m.answer, m.err
}

var _ retrieval.ChatCompleter = (*fakeModel)(nil)

func TestAnswer(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b := setup(t)
	c, u := b.campaign(t, "Chat")
	b.book(t, "srd-rules", retrieval.KindRequired, srdRulesBook(t))

	t.Run("offline quotes and cites", func(t *testing.T) {
		ans, err := b.svc.Answer(ctx, c, "How does grappling work?", nil)
		require.NoError(t, err)
		require.True(t, ans.Found)
		require.NotEmpty(t, ans.Sources)
		// The rules of grappling and the Grappled condition both answer it;
		// the Grappling section must be among the sources.
		require.True(t, slices.ContainsFunc(ans.Sources, func(r retrieval.Result) bool { return r.Heading == "Grappling" }),
			"sources: %v", ans.Sources)
		require.Contains(t, ans.Text, "> ")
		require.Contains(t, ans.Text, "[1]")
		require.Contains(t, ans.Text, "grapple")
		require.Contains(t, ans.Text, "srd-rules, Combat > Making an Attack > Melee Attacks > Grappling")
	})

	t.Run("nothing relevant is said plainly", func(t *testing.T) {
		for _, q := range []string{
			"What is the airspeed velocity of an unladen swallow?",
			"How do I bake sourdough bread?",
			"Who won the football world cup in 1998?",
			"How do I configure my router's firewall?",
		} {
			m := &fakeModel{answer: "should not be asked"}
			ans, err := b.svc.Answer(ctx, c, q, m)
			require.NoError(t, err)
			require.False(t, ans.Found, q)
			require.Equal(t, retrieval.NotFoundText, ans.Text)
			require.Empty(t, ans.Sources)
			require.Nil(t, m.got, "the model is not asked without passages")
		}
	})

	t.Run("with a model the prompt carries the passages", func(t *testing.T) {
		m := &fakeModel{answer: "Use the Attack action to grapple [1]."}
		ans, err := b.svc.Answer(ctx, c, "How do I grab an enemy and hold it?", m)
		require.NoError(t, err)
		require.True(t, ans.Found)
		require.Equal(t, m.answer, ans.Text)
		require.Len(t, m.got, 2)
		require.Equal(t, "system", m.got[0].Role)
		require.Contains(t, m.got[0].Content, "only from the numbered passages")
		require.Equal(t, "user", m.got[1].Role)
		for i, src := range ans.Sources {
			require.Contains(t, m.got[1].Content, "["+string(rune('1'+i))+"] ")
			require.Contains(t, m.got[1].Content, strings.TrimSpace(src.Text), "every source is in the prompt")
		}
		require.Contains(t, m.got[1].Content, "Question: How do I grab an enemy and hold it?")
	})

	t.Run("a failing model falls back to the passages", func(t *testing.T) {
		ans, err := b.svc.Answer(ctx, c, "How does grappling work?", &fakeModel{err: errors.New("boom")})
		require.NoError(t, err)
		require.True(t, ans.Found)
		require.NotEmpty(t, ans.Sources)
		require.NotContains(t, ans.Text, "boom")
	})

	t.Run("the caller's cancellation is an error", func(t *testing.T) {
		cctx, cancel := context.WithCancel(ctx)
		m := &fakeModel{err: context.Canceled, before: cancel}
		_, err := b.svc.Answer(cctx, c, "How does grappling work?", m)
		require.ErrorIs(t, err, context.Canceled)
	})

	t.Run("chat keeps the history", func(t *testing.T) {
		reply, err := b.svc.Chat(ctx, c, u, "  How does cover work?  ", nil)
		require.NoError(t, err)
		require.True(t, reply.Answer.Found)
		hist, err := b.q.RulesChatMessageList(ctx, db.RulesChatMessageListParams{CampaignID: c, UserID: u, RowLimit: 10})
		require.NoError(t, err)
		require.Len(t, hist, 2)
		roles := map[string]db.RulesChatMessage{}
		for _, h := range hist {
			roles[h.Role] = h
		}
		require.Equal(t, "How does cover work?", roles["user"].Content)
		require.Equal(t, reply.ID, roles["assistant"].ID)
		var sources []retrieval.SourceJSON
		require.NoError(t, json.Unmarshal(roles["assistant"].Sources, &sources))
		require.Len(t, sources, len(reply.Answer.Sources))
		require.Equal(t, retrieval.SourceCoreRule, sources[0].Source.Type)
		require.Equal(t, reply.Answer.Sources[0].ChunkID.String(), sources[0].ChunkID)

		_, err = b.svc.Chat(ctx, c, u, "   ", nil)
		var ve *retrieval.ValidationError
		require.ErrorAs(t, err, &ve)
	})
}
