package http

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/stretchr/testify/require"

	"gametable/codex"
	"gametable/jobs"
	"gametable/llm"
)

// startExtractionJobs starts a River client that works recap extractions
// on pool, asking model when it is not nil. It stops when the test ends.
func startExtractionJobs(t *testing.T, pool *pgxpool.Pool, model *llm.Client) *river.Client[pgx.Tx] {
	t.Helper()
	x, err := codex.NewExtractor(codex.Config{Pool: pool, LLM: model, Logger: slog.New(slog.DiscardHandler)})
	require.NoError(t, err)
	workers := river.NewWorkers()
	x.AddWorkers(workers)
	rc, err := jobs.New(pool, jobs.Config{Workers: workers, Logger: slog.New(slog.DiscardHandler)})
	require.NoError(t, err)
	require.NoError(t, rc.Start(context.Background()))
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = rc.StopAndCancel(ctx)
	})
	return rc
}

// newJobsServer starts a test server whose database has River's tables and
// whose extraction jobs run on a River client (returned) that asks model.
func newJobsServer(t *testing.T, model *llm.Client) (*testServer, *river.Client[pgx.Tx]) {
	t.Helper()
	var rc *river.Client[pgx.Tx]
	ts := newTestServer(t, func(o *Options) {
		require.NoError(t, jobs.Migrate(context.Background(), o.Pool, nil))
		rc = startExtractionJobs(t, o.Pool, model)
		o.Jobs = rc
	})
	return ts, rc
}

// enableAI gives the GM of b aiAccess: a verified email and AI enabled.
func (b *codexBundle) enableAI(t *testing.T) {
	t.Helper()
	b.ts.exec(t, `UPDATE users SET email_verified_at = now() WHERE id = $1`, b.gm.User.ID)
	b.gm.do(t, http.MethodPatch, campaignPath(b.id), map[string]any{"aiEnabled": true}).requireStatus(t, http.StatusOK)
}

// setCharacter names c's character in the campaign.
func setCharacter(t *testing.T, c *testClient, campaignID uuid.UUID, name string) {
	t.Helper()
	c.do(t, http.MethodPatch, campaignPath(campaignID, "members", c.User.ID.String()), map[string]any{"characterName": name}).
		requireStatus(t, http.StatusOK)
}

// insertExtraction inserts a pending extraction without a job and returns
// its id.
func (ts *testServer) insertExtraction(t *testing.T, campaignID, sessionID, userID uuid.UUID) uuid.UUID {
	t.Helper()
	var id uuid.UUID
	require.NoError(t, ts.Pool.QueryRow(context.Background(),
		`INSERT INTO recap_extractions (campaign_id, session_id, created_by) VALUES ($1, $2, $3) RETURNING id`,
		campaignID, sessionID, userID).Scan(&id))
	return id
}

func extractionPath(campaignID, sessionID uuid.UUID, rest ...string) string {
	return campaignPath(campaignID, append([]string{"sessions", sessionID.String(), "extractions"}, rest...)...)
}

// startExtraction asks for an extraction of the session as gm, requiring
// 202 and a pending extraction.
func startExtraction(t *testing.T, gm *testClient, campaignID, sessionID uuid.UUID) extractionJSON {
	t.Helper()
	var xb extractionBody
	gm.do(t, http.MethodPost, extractionPath(campaignID, sessionID), nil).requireStatus(t, http.StatusAccepted).decode(t, &xb)
	require.Equal(t, "pending", xb.Extraction.Status)
	require.Empty(t, xb.Extraction.Method, "no method until it is done")
	require.Equal(t, sessionID, xb.Extraction.SessionID)
	require.Empty(t, xb.Extraction.Proposals)
	return xb.Extraction
}

// waitExtraction polls the extraction until it is no longer pending.
func waitExtraction(t *testing.T, gm *testClient, campaignID, id uuid.UUID) extractionJSON {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		var xb extractionBody
		gm.do(t, http.MethodGet, campaignPath(campaignID, "extractions", id.String()), nil).requireStatus(t, http.StatusOK).decode(t, &xb)
		if xb.Extraction.Status != "pending" {
			return xb.Extraction
		}
		require.True(t, time.Now().Before(deadline), "extraction %s still pending", id)
		time.Sleep(25 * time.Millisecond)
	}
}

// applyExtraction applies as gm, requiring 200.
func applyExtraction(t *testing.T, gm *testClient, campaignID, id uuid.UUID, accept ...int) extractionJSON {
	t.Helper()
	if accept == nil {
		accept = []int{}
	}
	var xb extractionBody
	gm.do(t, http.MethodPost, campaignPath(campaignID, "extractions", id.String(), "apply"), map[string]any{"accept": accept}).
		requireStatus(t, http.StatusOK).decode(t, &xb)
	return xb.Extraction
}

// proposalSummary is the part of a proposal a test compares.
type proposalSummary struct {
	Kind     string
	Name     string
	Existing uuid.UUID // uuid.Nil: new
}

func summarize(ps []proposalJSON) []proposalSummary {
	out := make([]proposalSummary, 0, len(ps))
	for _, p := range ps {
		s := proposalSummary{Kind: p.Kind, Name: p.Name}
		if p.ExistingID != nil {
			s.Existing = *p.ExistingID
		}
		out = append(out, s)
	}
	return out
}

const testRecap = `The caravan left Greywater at dawn. Captain Idris Vell hired the party at the
Salt Gate after the old guards vanished in the fog.

On the first night the lanterns went out one by one; Wren followed a green
light into the reeds and found the **Drowned Bell**, half sunk in the mud.
Brother Quill read the inscription: a warning from the Order of the Ninth Wick.
Later, Vell paid Maud Harrow in silver.`

func TestExtraction_Access(t *testing.T) {
	t.Parallel()
	ts, _ := newJobsServer(t, nil)
	b := newCodexBundle(t, ts, "Access")
	s := ts.createSession(t, b.gm, b.id, map[string]any{"title": "Fog"})
	setRecap(t, b.gm, b.id, s.ID, testRecap)
	empty := ts.createSession(t, b.gm, b.id, map[string]any{})
	path := extractionPath(b.id, s.ID)

	// AI disabled, email unverified: no AI access.
	b.gm.do(t, http.MethodPost, path, nil).requireError(t, http.StatusForbidden, codeAIAccessDenied)
	b.gm.verifyEmail(t)
	b.gm.do(t, http.MethodPost, path, nil).requireError(t, http.StatusForbidden, codeAIAccessDenied)
	b.gm.do(t, http.MethodPatch, campaignPath(b.id), map[string]any{"aiEnabled": true}).requireStatus(t, http.StatusOK)
	// A verified player with AI enabled is still not a GM.
	b.ts.exec(t, `UPDATE users SET email_verified_at = now() WHERE id = $1`, b.player.User.ID)
	b.player.do(t, http.MethodPost, path, nil).requireError(t, http.StatusForbidden, codeForbidden)
	// A second GM whose email is not verified has no AI access.
	gm2 := ts.join(t, b.gm, b.id, roleGM, "Second GM")
	gm2.do(t, http.MethodPost, path, nil).requireError(t, http.StatusForbidden, codeAIAccessDenied)

	// No recap: nothing to read.
	b.gm.do(t, http.MethodPost, extractionPath(b.id, empty.ID), nil).requireError(t, http.StatusConflict, codeConflict)
	// Unknown or foreign sessions.
	other := newCodexBundle(t, ts, "Other")
	os := ts.createSession(t, other.gm, other.id, map[string]any{})
	b.gm.do(t, http.MethodPost, extractionPath(b.id, os.ID), nil).requireError(t, http.StatusNotFound, codeNotFound)
	b.gm.do(t, http.MethodPost, extractionPath(b.id, uuid.New()), nil).requireError(t, http.StatusNotFound, codeNotFound)
	// The body, when there is one, is an empty object.
	b.gm.do(t, http.MethodPost, path, `{"model":"x"}`).requireError(t, http.StatusBadRequest, codeBadRequest)

	x := startExtraction(t, b.gm, b.id, s.ID)
	b.gm.do(t, http.MethodPost, path, `{}`).requireStatus(t, http.StatusAccepted)
	// Reading an extraction is GM-only too, and it belongs to its session.
	b.player.do(t, http.MethodGet, campaignPath(b.id, "extractions", x.ID.String()), nil).requireError(t, http.StatusForbidden, codeForbidden)
	b.gm.do(t, http.MethodGet, extractionPath(b.id, empty.ID, x.ID.String()), nil).requireError(t, http.StatusNotFound, codeNotFound)
	other.gm.do(t, http.MethodGet, campaignPath(other.id, "extractions", x.ID.String()), nil).requireError(t, http.StatusNotFound, codeNotFound)
	var lb extractionListBody
	b.gm.do(t, http.MethodGet, path, nil).requireStatus(t, http.StatusOK).decode(t, &lb)
	require.Len(t, lb.Items, 2)

	t.Run("NoJobQueue", func(t *testing.T) {
		t.Parallel()
		plain := newTestServer(t)
		pb := newCodexBundle(t, plain, "No jobs")
		pb.enableAI(t)
		ps := plain.createSession(t, pb.gm, pb.id, map[string]any{})
		setRecap(t, pb.gm, pb.id, ps.ID, testRecap)
		pb.gm.do(t, http.MethodPost, extractionPath(pb.id, ps.ID), nil).requireError(t, http.StatusServiceUnavailable, codeUnavailable)
	})
}

func TestExtraction_OfflineEndToEnd(t *testing.T) {
	t.Parallel()
	ts, _ := newJobsServer(t, nil)
	b := newCodexBundle(t, ts, "Lantern Road")
	b.enableAI(t)
	setCharacter(t, b.player, b.id, "Wren Thistledown")
	quill := ts.join(t, b.gm, b.id, rolePlayer, "Tobin")
	setCharacter(t, quill, b.id, "Brother Quill")

	// The codex knows Idris Vell (hidden from players) and Greywater.
	vell := ts.createNPC(t, b.gm, b.id, map[string]any{"name": "Idris Vell", "hidden": true, "summary": "Caravan master."})
	grey := ts.createEntity(t, b.gm, b.id, map[string]any{"kind": "location", "name": "Greywater"})
	s := ts.createSession(t, b.gm, b.id, map[string]any{"title": "The Drowned Bell"})
	setRecap(t, b.gm, b.id, s.ID, testRecap)

	x := startExtraction(t, b.gm, b.id, s.ID)
	done := waitExtraction(t, b.gm, b.id, x.ID)
	require.Equal(t, "done", done.Status, "reason: %s", done.Reason)
	require.Equal(t, "offline", done.Method, "no model is configured")
	require.NotNil(t, done.FinishedAt)
	require.Nil(t, done.AppliedAt)
	require.Empty(t, done.Accepted)
	require.Equal(t, []proposalSummary{
		{Kind: "location", Name: "Greywater", Existing: grey.ID},
		{Kind: "npc", Name: "Idris Vell", Existing: vell.ID},
		{Kind: "location", Name: "Salt Gate"},
		{Kind: "item", Name: "Drowned Bell"},
		{Kind: "faction", Name: "Order of the Ninth Wick"},
		{Kind: "npc", Name: "Maud Harrow"},
	}, summarize(done.Proposals))
	require.Equal(t, "The caravan left Greywater at dawn.", done.Proposals[0].Evidence)
	require.Equal(t, "Captain Idris Vell hired the party at the Salt Gate after the old guards vanished in the fog.", done.Proposals[2].Evidence)
	require.Equal(t, done.Proposals[2].Evidence, done.Proposals[2].Summary)
	require.Equal(t, "Later, Vell paid Maud Harrow in silver.", done.Proposals[5].Evidence)
	// The same, under the session's path.
	var xb extractionBody
	b.gm.do(t, http.MethodGet, extractionPath(b.id, s.ID, x.ID.String()), nil).requireStatus(t, http.StatusOK).decode(t, &xb)
	require.Equal(t, done, xb.Extraction)

	// Bad applies change nothing.
	applyPath := campaignPath(b.id, "extractions", x.ID.String(), "apply")
	b.gm.do(t, http.MethodPost, applyPath, map[string]any{"accept": []int{6}}).requireFields(t, "accept")
	b.gm.do(t, http.MethodPost, applyPath, map[string]any{"accept": []int{-1}}).requireFields(t, "accept")
	b.gm.do(t, http.MethodPost, applyPath, map[string]any{}).requireFields(t, "accept")
	b.player.do(t, http.MethodPost, applyPath, map[string]any{"accept": []int{0}}).requireError(t, http.StatusForbidden, codeForbidden)
	require.Len(t, listNPCs(t, b.gm, b.id, "").Items, 1)

	// Apply the link to Idris Vell, the Salt Gate and Maud Harrow (twice
	// in the list is once).
	applied := applyExtraction(t, b.gm, b.id, x.ID, 5, 1, 2, 5)
	require.Equal(t, "applied", applied.Status)
	require.NotNil(t, applied.AppliedAt)
	require.Equal(t, []int{1, 2, 5}, applied.Accepted)
	require.Equal(t, vell.ID, *applied.Proposals[1].ExistingID)
	gateID, maudID := *applied.Proposals[2].ExistingID, *applied.Proposals[5].ExistingID
	require.Nil(t, applied.Proposals[3].ExistingID, "not accepted, not created")

	label := []sessionRefJSON{{ID: s.ID, Label: "Session 1: The Drowned Bell"}}
	gotVell := getNPC(t, b.gm, b.id, vell.ID)
	require.Equal(t, label, gotVell.Sessions)
	require.True(t, *gotVell.Hidden, "linking keeps the NPC as it was")
	require.Equal(t, "Caravan master.", gotVell.Summary)
	maud := getNPC(t, b.gm, b.id, maudID)
	require.Equal(t, "Maud Harrow", maud.Name)
	require.Equal(t, "Later, Vell paid Maud Harrow in silver.", maud.Summary)
	require.Equal(t, label, maud.Sessions)
	require.Equal(t, "alive", maud.Status)
	gate := getEntity(t, b.gm, b.id, gateID)
	require.Equal(t, "location", gate.Kind)
	require.Equal(t, "Salt Gate", gate.Name)
	require.Equal(t, label, gate.Sessions)
	require.Empty(t, getEntity(t, b.gm, b.id, grey.ID).Sessions, "not accepted, not linked")
	// New entries are visible to players; the hidden NPC stays hidden.
	require.Equal(t, []string{"Maud Harrow"}, npcNames(listNPCs(t, b.player, b.id, "").Items))
	require.Equal(t, []string{"Greywater", "Salt Gate"}, entityNames(listEntities(t, b.player, b.id, "").Items))

	// Applying again does nothing more, whatever it accepts.
	again := applyExtraction(t, b.gm, b.id, x.ID, 0, 3, 4)
	require.Equal(t, applied, again)
	require.Len(t, listNPCs(t, b.gm, b.id, "").Items, 2)
	require.Len(t, listEntities(t, b.gm, b.id, "").Items, 2)
	b.gm.do(t, http.MethodPost, applyPath, map[string]any{"accept": []int{9}}).requireFields(t, "accept")

	// A second extraction of the same recap now links what the first one
	// created; applying it from two tabs at once applies once.
	second := waitExtraction(t, b.gm, b.id, startExtraction(t, b.gm, b.id, s.ID).ID)
	require.Equal(t, proposalSummary{Kind: "location", Name: "Salt Gate", Existing: gateID}, summarize(second.Proposals)[2])
	require.Equal(t, proposalSummary{Kind: "npc", Name: "Maud Harrow", Existing: maudID}, summarize(second.Proposals)[5])
	statuses := make(chan int, 2)
	var wg sync.WaitGroup
	for range 2 {
		wg.Go(func() {
			body := bytes.NewReader([]byte(`{"accept":[3,4]}`))
			req, _ := http.NewRequest(http.MethodPost, ts.URL+campaignPath(b.id, "extractions", second.ID.String(), "apply"), body)
			req.Header.Set("Content-Type", "application/json")
			res, err := b.gm.client.Do(req)
			if err != nil {
				statuses <- 0
				return
			}
			_, _ = io.Copy(io.Discard, res.Body)
			res.Body.Close()
			statuses <- res.StatusCode
		})
	}
	wg.Wait()
	close(statuses)
	for st := range statuses {
		require.Equal(t, http.StatusOK, st)
	}
	require.Equal(t, []string{"Drowned Bell", "Greywater", "Order of the Ninth Wick", "Salt Gate"}, entityNames(listEntities(t, b.gm, b.id, "").Items))
	bell := listEntities(t, b.gm, b.id, "?q=drowned").Items[0]
	require.Equal(t, "item", bell.Kind)
	require.Equal(t, label, bell.Sessions)

	// A pending extraction cannot be applied; a failed one neither.
	pending := ts.insertExtraction(t, b.id, s.ID, b.gm.User.ID)
	b.gm.do(t, http.MethodPost, campaignPath(b.id, "extractions", pending.String(), "apply"), map[string]any{"accept": []int{}}).
		requireError(t, http.StatusConflict, codeConflict)
	ts.exec(t, `UPDATE recap_extractions SET status = 'failed', error = 'x', finished_at = now() WHERE id = $1`, pending)
	b.gm.do(t, http.MethodPost, extractionPath(b.id, s.ID, pending.String(), "apply"), map[string]any{"accept": []int{}}).
		requireError(t, http.StatusConflict, codeConflict)
	var fb extractionBody
	b.gm.do(t, http.MethodGet, campaignPath(b.id, "extractions", pending.String()), nil).requireStatus(t, http.StatusOK).decode(t, &fb)
	require.Equal(t, "failed", fb.Extraction.Status)
	require.Equal(t, "x", fb.Extraction.Reason)
}

// fakeLLM is an OpenAI-compatible chat-completions server on loopback. It
// answers by the marker it finds in the request's user message:
//
//	[model:good]     proposals, some of which validation drops
//	[model:notjson]  prose instead of JSON
//	[model:badkind]  JSON with an unknown kind
//	[model:500]      an error reply
//	[model:slow]     nothing until the client gives up
type fakeLLM struct {
	srv      *httptest.Server
	requests atomic.Int32
	// started is signalled (without blocking) when a request arrives.
	started chan struct{}
	mu      sync.Mutex
	bodies  []map[string]any
}

func newFakeLLM(t *testing.T) *fakeLLM {
	t.Helper()
	f := &fakeLLM{started: make(chan struct{}, 16)}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeLLM) client(t *testing.T, timeout time.Duration) *llm.Client {
	t.Helper()
	c, err := llm.New(llm.Config{BaseURL: f.srv.URL + "/v1", Model: "fake", APIKey: "k", Timeout: timeout, MaxRetries: -1})
	require.NoError(t, err)
	return c
}

func (f *fakeLLM) serve(w http.ResponseWriter, r *http.Request) {
	f.requests.Add(1)
	select {
	case f.started <- struct{}{}:
	default:
	}
	var req map[string]any
	_ = json.NewDecoder(r.Body).Decode(&req)
	f.mu.Lock()
	f.bodies = append(f.bodies, req)
	f.mu.Unlock()
	user := ""
	if msgs, ok := req["messages"].([]any); ok && len(msgs) > 0 {
		user, _ = msgs[len(msgs)-1].(map[string]any)["content"].(string)
	}
	reply := func(content string) {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{
			"id": "x", "object": "chat.completion", "model": "fake",
			"choices": []any{map[string]any{"index": 0, "finish_reason": "stop",
				"message": map[string]any{"role": "assistant", "content": content}}},
		})
	}
	switch {
	case strings.Contains(user, "[model:good]"):
		b, _ := json.Marshal(map[string]any{"proposals": []any{
			map[string]any{"kind": "npc", "name": "Captain Idris Vell", "summary": "The caravan master who hired the party.",
				"evidence": "Captain Idris Vell hired the party at the Salt Gate."},
			map[string]any{"kind": "location", "name": "Salt Gate", "summary": "A gate of Greywater.", "evidence": "It is a gate."},
			map[string]any{"kind": "npc", "name": "Wren Thistledown", "summary": "A player character.", "evidence": ""},
			map[string]any{"kind": "faction", "name": "The Invented Guild", "summary": "Not in the recap.", "evidence": ""},
		}})
		reply("```json\n" + string(b) + "\n```")
	case strings.Contains(user, "[model:notjson]"):
		reply("Sure! The recap mentions Captain Idris Vell and the Salt Gate.")
	case strings.Contains(user, "[model:badkind]"):
		reply(`{"proposals": [{"kind": "person", "name": "Salt Gate", "summary": "", "evidence": ""}]}`)
	case strings.Contains(user, "[model:500]"):
		w.WriteHeader(http.StatusInternalServerError)
		_, _ = io.WriteString(w, `{"error": {"message": "overloaded"}}`)
	default: // [model:slow], [model:hang]
		<-r.Context().Done()
	}
}

func TestExtraction_WithModel(t *testing.T) {
	t.Parallel()
	fake := newFakeLLM(t)
	recap := func(marker string) string {
		return marker + " Captain Idris Vell hired the party at the Salt Gate. Wren Thistledown kept watch."
	}
	// setup starts a server whose model client gives each attempt timeout;
	// run extracts a recap with marker there, offline is what extraction
	// without the model proposes.
	setup := func(t *testing.T, timeout time.Duration) (run func(t *testing.T, marker string) extractionJSON, offline []proposalSummary) {
		t.Helper()
		ts, _ := newJobsServer(t, fake.client(t, timeout))
		b := newCodexBundle(t, ts, "Model")
		b.enableAI(t)
		setCharacter(t, b.player, b.id, "Wren Thistledown")
		vell := ts.createNPC(t, b.gm, b.id, map[string]any{"name": "Idris Vell"})
		run = func(t *testing.T, marker string) extractionJSON {
			t.Helper()
			s := ts.createSession(t, b.gm, b.id, map[string]any{"title": marker})
			setRecap(t, b.gm, b.id, s.ID, recap(marker))
			x := waitExtraction(t, b.gm, b.id, startExtraction(t, b.gm, b.id, s.ID).ID)
			require.Equal(t, "done", x.Status, "reason: %s", x.Reason)
			return x
		}
		return run, []proposalSummary{{Kind: "npc", Name: "Idris Vell", Existing: vell.ID}, {Kind: "location", Name: "Salt Gate"}}
	}
	// A slow loopback reply on a loaded machine must not time out and
	// fall back to offline extraction.
	run, offline := setup(t, 10*time.Second)

	t.Run("GoodJSON", func(t *testing.T) {
		t.Parallel()
		x := run(t, "[model:good]")
		// The model's proposals, validated: the party's name and an
		// invented one are dropped, the known NPC is linked, evidence that
		// is not in the recap is replaced by the recap's sentence.
		require.Equal(t, offline, summarize(x.Proposals))
		require.Equal(t, "model", x.Method)
		require.Equal(t, "The caravan master who hired the party.", x.Proposals[0].Summary)
		require.Equal(t, "A gate of Greywater.", x.Proposals[1].Summary)
		require.Equal(t, "[model:good] Captain Idris Vell hired the party at the Salt Gate.", x.Proposals[1].Evidence)
	})
	for _, marker := range []string{"[model:notjson]", "[model:badkind]", "[model:500]", "[model:slow]"} {
		t.Run("FallsBackOn"+strings.Trim(marker, "[]"), func(t *testing.T) {
			t.Parallel()
			run, offline := run, offline
			if marker == "[model:slow]" {
				// A server of its own, whose model client gives up soon.
				run, offline = setup(t, 2*time.Second)
			}
			x := run(t, marker)
			require.Equal(t, "offline", x.Method, "the model failed; the offline method answered")
			require.Equal(t, offline, summarize(x.Proposals))
			// Offline summaries are the evidence sentence.
			require.Equal(t, x.Proposals[1].Evidence, x.Proposals[1].Summary)
		})
	}
	t.Run("Request", func(t *testing.T) {
		t.Parallel()
		run(t, "[model:good] request")
		fake.mu.Lock()
		defer fake.mu.Unlock()
		var found map[string]any
		for _, body := range fake.bodies {
			msgs := body["messages"].([]any)
			if strings.Contains(msgs[1].(map[string]any)["content"].(string), "[model:good] request") {
				found = body
			}
		}
		require.NotNil(t, found)
		require.Equal(t, map[string]any{"type": "json_object"}, found["response_format"])
		require.Equal(t, false, found["stream"])
		user := found["messages"].([]any)[1].(map[string]any)["content"].(string)
		require.Contains(t, user, "Wren Thistledown", "the party is named so the model leaves it out")
		require.Contains(t, user, "- npc: Idris Vell", "the codex is listed")
	})
}

// TestExtraction_SurvivesRestart stops the job client while the job waits
// for the model, as a server shutdown does; a new client (a restarted
// server, here without a model) finishes the job.
func TestExtraction_SurvivesRestart(t *testing.T) {
	t.Parallel()
	fake := newFakeLLM(t)
	ts, first := newJobsServer(t, fake.client(t, time.Minute))
	b := newCodexBundle(t, ts, "Restart")
	b.enableAI(t)
	s := ts.createSession(t, b.gm, b.id, map[string]any{})
	setRecap(t, b.gm, b.id, s.ID, "[model:hang] Captain Idris Vell hired the party at the Salt Gate.")

	x := startExtraction(t, b.gm, b.id, s.ID)
	select {
	case <-fake.started:
	case <-time.After(20 * time.Second):
		t.Fatal("the job never asked the model")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	require.NoError(t, first.StopAndCancel(ctx))
	var xb extractionBody
	b.gm.do(t, http.MethodGet, campaignPath(b.id, "extractions", x.ID.String()), nil).requireStatus(t, http.StatusOK).decode(t, &xb)
	require.Equal(t, "pending", xb.Extraction.Status, "a stopped job is not a failed extraction")

	startExtractionJobs(t, ts.Pool, nil)
	done := waitExtraction(t, b.gm, b.id, x.ID)
	require.Equal(t, "done", done.Status, "reason: %s", done.Reason)
	require.Equal(t, []proposalSummary{{Kind: "npc", Name: "Captain Idris Vell"}, {Kind: "location", Name: "Salt Gate"}}, summarize(done.Proposals))
	require.EqualValues(t, 1, fake.requests.Load())
}
