package retrieval

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"gametable/db"
	"gametable/llm"
)

// Message is one message of a chat-completions conversation.
type Message struct {
	// Role is "system", "user" or "assistant".
	Role    string
	Content string
}

// ChatCompleter is the language model, as the rules chat needs it: the
// shared OpenAI-compatible chat client satisfies it.
type ChatCompleter interface {
	Complete(ctx context.Context, messages []Message) (string, error)
}

// Answer is the rules chat's reply.
type Answer struct {
	Text string
	// Sources are the passages the answer rests on, in citation order: [1]
	// in Text is Sources[0].
	Sources []Result
	// Found is false when nothing relevant was found; Text then says so.
	Found bool
}

// NotFoundText is the answer when no passage is relevant enough.
const NotFoundText = "I couldn't find anything about that in the rule books and documents this campaign uses. Try other words, or ask your GM."

// Relevance threshold. A passage is relevant when its coverage (the share
// of the question's term weight it contains) plus twice its cosine
// similarity with the question reaches minRelevance. Neither signal alone
// separates on-topic paraphrases from off-topic questions: a paraphrase
// shares few words, and an off-topic question often shares a common one.
// The figure was set with the offline embedder on the evaluation questions
// (most reach 0.65; "terrified of the dragon" does not) and a dozen
// off-topic ones (airspeed of a swallow, sourdough, the 1998 world cup:
// below 0.55), see TestAnswerNotFound.
const (
	minRelevance      = 0.65
	answerPassages    = 4
	extractSentences  = 3
	maxPromptPassages = 6
)

// Relevant reports whether a search result is relevant enough to answer
// from.
func Relevant(r Result) bool {
	return r.Coverage+2*r.Similarity >= minRelevance
}

// Answer retrieves passages for question within the campaign's scope and
// answers from them. With llm nil the answer is built from the passages
// themselves: their most relevant sentences, quoted and cited. With a model,
// the prompt carries the passages and asks for an answer grounded in them,
// citing them as [n]; if the model fails (after the client's retries), the
// answer is built from the passages instead. When no passage is relevant
// the answer says so and the model is not asked.
func (s *Service) Answer(ctx context.Context, campaignID uuid.UUID, question string, llm ChatCompleter) (Answer, error) {
	results, err := s.Search(ctx, campaignID, question, SearchOptions{Limit: maxPromptPassages})
	if err != nil {
		return Answer{}, err
	}
	var relevant []Result
	for _, r := range results {
		if Relevant(r) {
			relevant = append(relevant, r)
		}
	}
	if len(relevant) == 0 {
		return Answer{Text: NotFoundText, Sources: []Result{}}, nil
	}
	if llm == nil {
		return extractiveAnswer(question, relevant), nil
	}
	text, err := llm.Complete(ctx, GroundedPrompt(question, relevant))
	if err != nil {
		if ctx.Err() != nil {
			return Answer{}, fmt.Errorf("ask the language model: %w", err)
		}
		// The passages are here: answer from them, as without a model.
		s.logger.Warn("language model failed; the rules chat answers from the passages", "err", err)
		return extractiveAnswer(question, relevant), nil
	}
	return Answer{Text: strings.TrimSpace(text), Sources: relevant, Found: true}, nil
}

// GroundedPrompt builds the chat messages for a model: a system message
// with the rules of the game (answer only from the passages, cite them, say
// when they do not cover the question) and a user message with the numbered
// passages and the question.
func GroundedPrompt(question string, passages []Result) []Message {
	var b strings.Builder
	b.WriteString("Passages:\n\n")
	for i, p := range passages {
		fmt.Fprintf(&b, "[%d] %s\n\n%s\n\n", i+1, citation(p), strings.TrimSpace(p.Text))
	}
	b.WriteString("Question: ")
	b.WriteString(strings.TrimSpace(question))
	return []Message{
		{Role: "system", Content: "You answer rules questions for a tabletop role-playing group. " +
			"Answer only from the numbered passages the user gives you, never from memory. " +
			"Cite the passages you use as [1], [2] after the sentences that rely on them. " +
			"If the passages do not answer the question, say plainly that the rule books and documents do not cover it. " +
			"Be brief: a few sentences."},
		{Role: "user", Content: b.String()},
	}
}

// citation names a passage: its source title, heading path and page.
func citation(r Result) string {
	parts := []string{r.Source.Title}
	if len(r.HeadingPath) > 0 {
		parts = append(parts, strings.Join(r.HeadingPath, " > "))
	}
	if r.Page > 0 {
		parts = append(parts, fmt.Sprintf("page %d", r.Page))
	}
	return strings.Join(nonEmpty(parts), ", ")
}

func nonEmpty(ss []string) []string {
	out := ss[:0]
	for _, s := range ss {
		if strings.TrimSpace(s) != "" {
			out = append(out, s)
		}
	}
	return out
}

// extractiveAnswer quotes the sentences of the best passages that share
// the most of the question's terms (and glossary words, at a lower weight),
// in passage order, each cited.
func extractiveAnswer(question string, passages []Result) Answer {
	if len(passages) > answerPassages {
		passages = passages[:answerPassages]
	}
	want := map[string]float64{}
	_, glossaryWords, _ := expansionTerms(question, 1)
	for _, t := range terms(strings.Join(glossaryWords, " ")) {
		want[t] = 0.5
	}
	for _, t := range terms(question) {
		want[t] = 1
	}
	type scored struct {
		passage, order int
		text           string
		score          float64
	}
	var all []scored
	for pi, p := range passages {
		for si, sent := range sentences(strings.Join(strings.Fields(markdownPlain(p.Text)), " ")) {
			seen := map[string]bool{}
			score := 0.0
			for _, t := range terms(sent) {
				if w, ok := want[t]; ok && !seen[t] {
					seen[t] = true
					score += w
				}
			}
			if score == 0 && !(pi == 0 && si == 0) {
				continue
			}
			// Earlier passages rank higher; the best passage's first
			// sentence is a fallback when no sentence shares a word.
			score -= 0.1 * float64(pi)
			all = append(all, scored{passage: pi, order: si, text: sent, score: score})
		}
	}
	sort.SliceStable(all, func(i, j int) bool { return all[i].score > all[j].score })
	if len(all) > extractSentences {
		all = all[:extractSentences]
	}
	sort.SliceStable(all, func(i, j int) bool {
		if all[i].passage != all[j].passage {
			return all[i].passage < all[j].passage
		}
		return all[i].order < all[j].order
	})
	// Number the cited passages in order of first citation.
	num := map[int]int{}
	var sources []Result
	var b strings.Builder
	b.WriteString("Here is what the rules say:\n")
	for _, s := range all {
		n, ok := num[s.passage]
		if !ok {
			sources = append(sources, passages[s.passage])
			n = len(sources)
			num[s.passage] = n
		}
		fmt.Fprintf(&b, "\n> %s [%d]\n", s.text, n)
	}
	b.WriteString("\nSources: ")
	for i, src := range sources {
		if i > 0 {
			b.WriteString("; ")
		}
		fmt.Fprintf(&b, "[%d] %s", i+1, citation(src))
	}
	return Answer{Text: b.String(), Sources: sources, Found: true}
}

// markdownPlain drops Markdown emphasis and heading marks, which read badly
// in a quote.
func markdownPlain(s string) string {
	s = strings.NewReplacer("***", "", "**", "", "__", "").Replace(s)
	var lines []string
	for line := range strings.SplitSeq(s, "\n") {
		t := strings.TrimSpace(line)
		t = strings.TrimLeft(t, "#")
		t = strings.TrimPrefix(strings.TrimSpace(t), "- ")
		if strings.HasPrefix(t, "|") {
			// Table rows are quoted as they are.
			lines = append(lines, t+".")
			continue
		}
		lines = append(lines, t)
	}
	return strings.Join(lines, "\n")
}

// ChatReply is a stored assistant reply with its sources.
type ChatReply struct {
	ID      uuid.UUID
	Answer  Answer
	Message db.RulesChatMessage
}

// SourceJSON is a source as the API and the chat history show it: the
// search item shape of the contract.
type SourceJSON struct {
	ChunkID string        `json:"chunkId"`
	Text    string        `json:"text"`
	Heading string        `json:"heading"`
	Score   float64       `json:"score"`
	Source  SourceRefJSON `json:"source"`
}

// SourceRefJSON is where a passage comes from.
type SourceRefJSON struct {
	Type  string `json:"type"`
	ID    string `json:"id"`
	Title string `json:"title"`
	Page  *int   `json:"page,omitempty"`
}

// ToJSON turns a result into the API's search item shape.
func (r Result) ToJSON() SourceJSON {
	out := SourceJSON{
		ChunkID: r.ChunkID.String(),
		Text:    r.Text,
		Heading: r.Heading,
		Score:   r.Score,
		Source:  SourceRefJSON{Type: r.Source.Type, ID: r.Source.ID.String(), Title: r.Source.Title},
	}
	if r.Page > 0 {
		p := r.Page
		out.Source.Page = &p
	}
	return out
}

// Chat answers a member's question and stores both the question and the
// reply in that member's history for the campaign, in one transaction after
// the answer is ready. The caller checks membership and AI access.
func (s *Service) Chat(ctx context.Context, campaignID, userID uuid.UUID, message string, llm ChatCompleter) (ChatReply, error) {
	message = strings.TrimSpace(message)
	if message == "" {
		return ChatReply{}, invalid("message", "is required")
	}
	if len([]rune(message)) > 4000 {
		return ChatReply{}, invalid("message", "must be at most 4000 characters")
	}
	ans, err := s.Answer(ctx, campaignID, message, llm)
	if err != nil {
		return ChatReply{}, err
	}
	items := make([]SourceJSON, 0, len(ans.Sources))
	for _, r := range ans.Sources {
		items = append(items, r.ToJSON())
	}
	sources, err := json.Marshal(items)
	if err != nil {
		return ChatReply{}, fmt.Errorf("encode sources: %w", err)
	}
	var reply db.RulesChatMessage
	err = db.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		q := s.q.WithTx(tx)
		if _, err := q.RulesChatMessageCreate(ctx, db.RulesChatMessageCreateParams{
			CampaignID: campaignID, UserID: userID, Role: "user", Content: message, Sources: []byte("[]"),
		}); err != nil {
			return fmt.Errorf("store question: %w", db.Interpret(err))
		}
		reply, err = q.RulesChatMessageCreate(ctx, db.RulesChatMessageCreateParams{
			CampaignID: campaignID, UserID: userID, Role: "assistant", Content: ans.Text, Sources: sources,
		})
		if err != nil {
			return fmt.Errorf("store reply: %w", db.Interpret(err))
		}
		return nil
	})
	if err != nil {
		return ChatReply{}, err
	}
	return ChatReply{ID: reply.ID, Answer: ans, Message: reply}, nil
}

// NewChatCompleter adapts the shared language-model client (package llm)
// to ChatCompleter: a low temperature and a bounded length, since the answer
// must stay close to the passages.
func NewChatCompleter(c *llm.Client) ChatCompleter {
	return llmCompleter{c: c}
}

type llmCompleter struct{ c *llm.Client }

var _ ChatCompleter = llmCompleter{}

// answerTemperature keeps grounded answers close to the passages.
var answerTemperature = 0.2

func (l llmCompleter) Complete(ctx context.Context, messages []Message) (string, error) {
	msgs := make([]llm.Message, len(messages))
	for i, m := range messages {
		msgs[i] = llm.Message{Role: m.Role, Content: m.Content}
	}
	temp := answerTemperature
	resp, err := l.c.Chat(ctx, llm.Request{Messages: msgs, Temperature: &temp, MaxTokens: 800})
	if err != nil {
		return "", err
	}
	return resp.Content, nil
}
