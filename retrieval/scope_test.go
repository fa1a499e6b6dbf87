package retrieval_test

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	pgvector "github.com/pgvector/pgvector-go"
	"github.com/stretchr/testify/require"

	"gametable/db"
	"gametable/retrieval"
)

// searchFinds reports whether a search for q in the campaign returns a
// passage containing marker, and whether the chat answer cites one.
func searchFinds(t *testing.T, b *testBundle, campaignID uuid.UUID, q, marker string) (search, chat bool) {
	t.Helper()
	ctx := context.Background()
	results, err := b.svc.Search(ctx, campaignID, q, retrieval.SearchOptions{Limit: 50})
	require.NoError(t, err)
	for _, r := range results {
		if containsFold(r.Text, marker) {
			search = true
		}
	}
	ans, err := b.svc.Answer(ctx, campaignID, q, nil)
	require.NoError(t, err)
	for _, r := range ans.Sources {
		if containsFold(r.Text, marker) {
			chat = true
		}
	}
	return search, chat
}

// TestSearchScope checks the campaign scope of search and chat: a phrase
// only in an optional book is invisible until the campaign enables it; a
// phrase only in a tool-only book never appears; a phrase only in one
// campaign's document never appears in another campaign.
func TestSearchScope(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b := setup(t)
	c1, u1 := b.campaign(t, "Alpha")
	c2, _ := b.campaign(t, "Beta")

	b.book(t, "core", retrieval.KindRequired, "# Core\n\n## Sneezing\n\nA creature that sneezes loudly has disadvantage on Stealth checks.")
	optional := b.book(t, "opt", retrieval.KindOptional, "# Optional Rules\n\n## Flanking\n\nWhen two allies flank an enemy, each has advantage on melee attack rolls against it. Mentioned only here: quorble.")
	b.book(t, "tools", retrieval.KindToolOnly, "# Monster Manual\n\n## Zyzzlewort\n\nThe zyzzlewort is a marsh monster with zyzzlewort spores.")

	doc, err := b.q.CampaignDocumentCreate(ctx, db.CampaignDocumentCreateParams{
		CampaignID: c1, Title: "Alpha notes", Filename: "notes.md", ContentType: retrieval.TypeMarkdown,
		SHA256: make([]byte, 32), UploadedBy: u1,
	})
	require.NoError(t, err)
	require.NoError(t, b.svc.IngestDocument(ctx, c1, doc.ID, []byte("# Secret\n\nThe vault password is frobnicated glimmerstone."), nil))

	// Required books: everywhere.
	for _, c := range []uuid.UUID{c1, c2} {
		s, ch := searchFinds(t, b, c, "what happens when a creature sneezes", "sneezes")
		require.True(t, s)
		require.True(t, ch)
	}

	// Optional: invisible until enabled, then only where enabled.
	s, ch := searchFinds(t, b, c1, "how does flanking work quorble", "quorble")
	require.False(t, s)
	require.False(t, ch)
	require.NoError(t, b.svc.SetCoreRuleEnabled(ctx, c1, optional, true))
	s, ch = searchFinds(t, b, c1, "how does flanking work quorble", "quorble")
	require.True(t, s)
	require.True(t, ch)
	s, ch = searchFinds(t, b, c2, "how does flanking work quorble", "quorble")
	require.False(t, s, "enabled in another campaign only")
	require.False(t, ch)
	require.NoError(t, b.svc.SetCoreRuleEnabled(ctx, c1, optional, false))
	s, _ = searchFinds(t, b, c1, "how does flanking work quorble", "quorble")
	require.False(t, s, "disabled again")

	// Tool-only: never.
	for _, c := range []uuid.UUID{c1, c2} {
		s, ch := searchFinds(t, b, c, "zyzzlewort spores", "zyzzlewort")
		require.False(t, s)
		require.False(t, ch)
	}

	// A campaign's document: only in that campaign.
	s, ch = searchFinds(t, b, c1, "vault password glimmerstone", "glimmerstone")
	require.True(t, s)
	require.True(t, ch)
	s, ch = searchFinds(t, b, c2, "vault password glimmerstone", "glimmerstone")
	require.False(t, s)
	require.False(t, ch)

	// Only optional books toggle.
	core, err := b.q.CoreRuleGetBySlug(ctx, "core")
	require.NoError(t, err)
	err = b.svc.SetCoreRuleEnabled(ctx, c1, core.ID, true)
	require.ErrorIs(t, err, retrieval.ErrNotOptional)
	var ve *retrieval.ValidationError
	require.ErrorAs(t, err, &ve)
	require.ErrorIs(t, b.svc.SetCoreRuleEnabled(ctx, c1, uuid.New(), true), db.ErrNotFound)
}

// TestDocumentQueriesIsolation: the scoped document and chat queries never
// see another campaign's rows (STYLE section 4, layer 4).
func TestDocumentQueriesIsolation(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b := setup(t)
	c1, u1 := b.campaign(t, "Alpha")
	c2, u2 := b.campaign(t, "Beta")
	doc, err := b.q.CampaignDocumentCreate(ctx, db.CampaignDocumentCreateParams{
		CampaignID: c1, Title: "Alpha notes", Filename: "notes.md", ContentType: retrieval.TypeMarkdown,
		SHA256: make([]byte, 32), UploadedBy: u1,
	})
	require.NoError(t, err)

	_, err = b.q.CampaignDocumentGet(ctx, db.CampaignDocumentGetParams{CampaignID: c2, ID: doc.ID})
	require.ErrorIs(t, db.Interpret(err), db.ErrNotFound)
	list, err := b.q.CampaignDocumentList(ctx, db.CampaignDocumentListParams{CampaignID: c2, RowLimit: 50})
	require.NoError(t, err)
	require.Empty(t, list)
	require.ErrorIs(t, b.svc.DeleteDocument(ctx, c2, doc.ID), db.ErrNotFound)
	require.NoError(t, b.q.CampaignDocumentSetStatus(ctx, db.CampaignDocumentSetStatusParams{CampaignID: c2, ID: doc.ID, Status: "failed"}))
	got, err := b.q.CampaignDocumentGet(ctx, db.CampaignDocumentGetParams{CampaignID: c1, ID: doc.ID})
	require.NoError(t, err)
	require.Equal(t, "pending", got.Status, "an update scoped to another campaign changes nothing")
	// Ingesting into another campaign's document is refused.
	err = b.svc.IngestDocument(ctx, c2, doc.ID, []byte("# x\n\ny"), nil)
	require.ErrorIs(t, err, db.ErrNotFound)
	// A user who is not a member cannot have a history in the campaign.
	_, err = b.q.RulesChatMessageCreate(ctx, db.RulesChatMessageCreateParams{CampaignID: c1, UserID: u2, Role: "user", Content: "hi", Sources: []byte("[]")})
	require.ErrorIs(t, db.Interpret(err), db.ErrNotFound)
	hist, err := b.q.RulesChatMessageList(ctx, db.RulesChatMessageListParams{CampaignID: c2, UserID: u1, RowLimit: 50})
	require.NoError(t, err)
	require.Empty(t, hist)
}

// chunkSearchRecorder is a pgx tracer that keeps the latest ChunkSearch
// query and the RetrievalSetSearchParams before it, SQL and arguments, so
// that a test can EXPLAIN exactly what a search ran, in the same settings.
type chunkSearchRecorder struct {
	mu                     sync.Mutex
	params, search         string
	paramsArgs, searchArgs []any
}

func (r *chunkSearchRecorder) TraceQueryStart(ctx context.Context, _ *pgx.Conn, d pgx.TraceQueryStartData) context.Context {
	r.mu.Lock()
	defer r.mu.Unlock()
	switch {
	case strings.HasPrefix(d.SQL, "-- name: RetrievalSetSearchParams "):
		r.params, r.paramsArgs = d.SQL, slices.Clone(d.Args)
	case strings.HasPrefix(d.SQL, "-- name: ChunkSearch "):
		r.search, r.searchArgs = d.SQL, slices.Clone(d.Args)
	}
	return ctx
}

func (r *chunkSearchRecorder) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}

// tracedSearcher is a Service on its own pool (same database) whose
// ChunkSearch queries are recorded.
type tracedSearcher struct {
	pool *pgxpool.Pool
	svc  *retrieval.Service
	rec  *chunkSearchRecorder
}

// newTracedSearcher opens a second pool on b's database with b's pool
// settings plus the recorder and the given session settings.
func newTracedSearcher(t *testing.T, b *testBundle, settings map[string]string) *tracedSearcher {
	t.Helper()
	cfg := b.pool.Config()
	rec := &chunkSearchRecorder{}
	cfg.ConnConfig.Tracer = rec
	params := maps.Clone(cfg.ConnConfig.RuntimeParams)
	if params == nil {
		params = map[string]string{}
	}
	maps.Copy(params, settings)
	cfg.ConnConfig.RuntimeParams = params
	pool, err := pgxpool.NewWithConfig(context.Background(), cfg)
	require.NoError(t, err)
	t.Cleanup(pool.Close) // before dbtest drops the database
	svc, err := retrieval.New(retrieval.Config{Pool: pool})
	require.NoError(t, err)
	return &tracedSearcher{pool: pool, svc: svc, rec: rec}
}

// planNode is the part of EXPLAIN (FORMAT JSON) that vectorBranch reads.
type planNode struct {
	NodeType      string     `json:"Node Type"`
	Parent        string     `json:"Parent Relationship"`
	SubplanName   string     `json:"Subplan Name"`
	CTEName       string     `json:"CTE Name"`
	Alias         string     `json:"Alias"`
	RelationName  string     `json:"Relation Name"`
	IndexName     string     `json:"Index Name"`
	OneTimeFilter string     `json:"One-Time Filter"`
	ActualLoops   float64    `json:"Actual Loops"`
	RowsRemoved   float64    `json:"Rows Removed by Filter"`
	Plans         []planNode `json:"Plans"`
}

// vectorPlan is what EXPLAIN ANALYZE says of a search's vector ranking.
type vectorPlan struct {
	// branch is the branch that ran: "vec_near" (the nearest chunks of
	// the whole table, then the scope) or "vec_exact" (the exact filtered
	// scan).
	branch string
	// nearScan is how vec_near read the chunks, e.g. "Seq Scan" or
	// "Index Scan chunks_embedding_hnsw_idx".
	nearScan string
	// nearFiltered is how many of the chunks vec_near read its scope
	// filter removed.
	nearFiltered int
}

// find returns the first node of the tree (depth first) for which ok holds.
func (n *planNode) find(ok func(*planNode) bool) *planNode {
	if ok(n) {
		return n
	}
	for i := range n.Plans {
		if m := n.Plans[i].find(ok); m != nil {
			return m
		}
	}
	return nil
}

// ran reports whether a branch of the vector ranking's UNION ALL executed:
// each branch is a Result whose one-time filter (the count of vec_near
// against candidates) decides whether its input runs at all; EXPLAIN
// ANALYZE shows the input of the branch not taken as never executed.
func (n *planNode) ran() bool {
	if n.NodeType == "Result" && n.OneTimeFilter != "" {
		for _, c := range n.Plans {
			if c.Parent == "Outer" {
				return c.ActualLoops > 0
			}
		}
	}
	return n.ActualLoops > 0
}

// vectorPlan runs EXPLAIN ANALYZE on the latest ChunkSearch of s, with the
// same arguments, after the same RetrievalSetSearchParams, and reads its
// vector ranking.
func (s *tracedSearcher) vectorPlan(t *testing.T) vectorPlan {
	t.Helper()
	ctx := context.Background()
	s.rec.mu.Lock()
	params, paramsArgs, search, searchArgs := s.rec.params, s.rec.paramsArgs, s.rec.search, s.rec.searchArgs
	s.rec.mu.Unlock()
	require.NotEmpty(t, search, "no ChunkSearch recorded")
	require.NotEmpty(t, params, "no RetrievalSetSearchParams recorded")

	tx, err := s.pool.BeginTx(ctx, pgx.TxOptions{AccessMode: pgx.ReadOnly})
	require.NoError(t, err)
	defer func() { _ = tx.Rollback(ctx) }()
	_, err = tx.Exec(ctx, params, paramsArgs...)
	require.NoError(t, err)
	var out []byte
	require.NoError(t, tx.QueryRow(ctx, "EXPLAIN (ANALYZE, TIMING OFF, FORMAT JSON) "+search, searchArgs...).Scan(&out))
	var plans []struct{ Plan planNode }
	require.NoError(t, json.Unmarshal(out, &plans))
	require.Len(t, plans, 1)
	root := &plans[0].Plan

	// The UNION ALL of the two branches: the Append above the scan of
	// vec_near that the query calls vn.
	isVN := func(n *planNode) bool { return n.NodeType == "CTE Scan" && n.CTEName == "vec_near" && n.Alias == "vn" }
	union := root.find(func(n *planNode) bool {
		return (n.NodeType == "Append" || n.NodeType == "Merge Append") && len(n.Plans) == 2 && n.find(isVN) != nil
	})
	require.NotNil(t, union, "no UNION ALL of vec_near and vec_exact in the plan:\n%s", out)
	var ran []string
	for i := range union.Plans {
		c := &union.Plans[i]
		if !c.ran() {
			continue
		}
		if c.find(isVN) != nil {
			ran = append(ran, "vec_near")
		} else {
			ran = append(ran, "vec_exact")
		}
	}
	require.Len(t, ran, 1, "exactly one branch runs:\n%s", out)

	cte := root.find(func(n *planNode) bool { return n.SubplanName == "CTE vec_near" })
	require.NotNil(t, cte, "no CTE vec_near in the plan:\n%s", out)
	scan := cte.find(func(n *planNode) bool { return n.RelationName == "chunks" })
	require.NotNil(t, scan, "vec_near reads no chunks:\n%s", out)
	return vectorPlan{
		branch:       ran[0],
		nearScan:     strings.TrimSpace(scan.NodeType + " " + scan.IndexName),
		nearFiltered: int(cte.RowsRemoved),
	}
}

// TestSearchScopeNearBranch checks the campaign scope of the vector
// ranking's approximate branch, vec_near: the near_limit (400) nearest
// chunks of the whole table, filtered to the scope afterwards, used when at
// least candidates (50) of them are in scope; the other scope tests have a
// few chunks, so their searches take the exact branch, vec_exact.
//
// The fixture has 62 in-scope chunks, so vec_near runs, and three
// out-of-scope chunks whose text is the question itself, the nearest chunks
// of the table to it: one in a tool-only book, one in an optional book the
// campaign disabled (and another campaign enabled), one in another
// campaign's document. None of them may come back, in any search mode or as
// a chat source, until the campaign enables the optional book, whose chunk
// then does. Every search is replayed under EXPLAIN ANALYZE (same SQL, same
// arguments, same settings) to require that vec_near ran, not vec_exact,
// and that vec_near's scope filter is what removed the traps.
//
// The checks run on the plan PostgreSQL chooses, which at this size reads
// the chunks inside vec_near with a sequential scan and a sort, and again
// with sorts disabled, which makes vec_near read the HNSW index
// (approximate, with the iterative scan) as on large tables. JIT is off
// there: the cost of a disabled sort crosses jit_above_cost, and compiling
// took seconds per query.
func TestSearchScopeNearBranch(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b := setup(t)
	natural := newTracedSearcher(t, b, nil)
	hnsw := newTracedSearcher(t, b, map[string]string{"enable_sort": "off", "jit": "off"})

	cA, uA := b.campaign(t, "Alpha")
	cB, uB := b.campaign(t, "Beta")

	// The questions; the traps repeat the first one word for word.
	questions := []string{
		"Can a grappled wyvern still sting with its poisoned tail?",
		"wyvern poison tail sting while grappled",
	}
	trap := "## " + questions[0] + "\n\n" + questions[0] + "\n"
	document := func(campaignID, userID uuid.UUID, title, text string) uuid.UUID {
		t.Helper()
		d, err := b.q.CampaignDocumentCreate(ctx, db.CampaignDocumentCreateParams{
			CampaignID: campaignID, Title: title, Filename: "notes.md", ContentType: retrieval.TypeMarkdown,
			SHA256: make([]byte, 32), UploadedBy: userID,
		})
		require.NoError(t, err)
		require.NoError(t, b.svc.IngestDocument(ctx, campaignID, d.ID, []byte(text), nil))
		return d.ID
	}
	tools := b.book(t, "trap-tools", retrieval.KindToolOnly, trap)
	optional := b.book(t, "trap-optional", retrieval.KindOptional, trap)
	otherDoc := document(cB, uB, "Beta notes", trap)
	require.NoError(t, b.svc.SetCoreRuleEnabled(ctx, cB, optional, true))
	require.NoError(t, b.svc.SetCoreRuleEnabled(ctx, cA, optional, false))
	ownDoc := document(cA, uA, "Alpha notes", "# House rules\n\n"+
		"## Wyverns in the grip\n\nIn this campaign a grappled wyvern may still sting the creature grappling it with its poisoned tail, with disadvantage.\n\n"+
		"## Falling\n\nA creature that falls takes 1d6 bludgeoning damage for every 10 feet it fell.\n")

	chunkIDs := func(where string, args ...any) map[uuid.UUID]bool {
		t.Helper()
		rows, err := b.pool.Query(ctx, "SELECT id FROM chunks WHERE "+where, args...)
		require.NoError(t, err)
		ids, err := pgx.CollectRows(rows, pgx.RowTo[uuid.UUID])
		require.NoError(t, err)
		out := map[uuid.UUID]bool{}
		for _, id := range ids {
			out[id] = true
		}
		return out
	}
	traps := chunkIDs("core_rule_id = ANY($1) OR campaign_document_id = $2", []uuid.UUID{tools, optional}, otherDoc)
	require.Len(t, traps, 3, "one chunk per trap")
	optionalChunks := chunkIDs("core_rule_id = $1", optional)
	require.Len(t, optionalChunks, 1)

	// The traps are the nearest chunks of the whole table to each question:
	// the first hits of any vector ranking that ignored the scope.
	requireTrapsNearest := func() {
		t.Helper()
		vs, err := retrieval.NewHashEmbedder().Embed(ctx, questions)
		require.NoError(t, err)
		for i, v := range vs {
			rows, err := b.pool.Query(ctx, "SELECT id FROM chunks ORDER BY embedding <=> $1 LIMIT 3", pgvector.NewVector(v))
			require.NoError(t, err)
			nearest, err := pgx.CollectRows(rows, pgx.RowTo[uuid.UUID])
			require.NoError(t, err)
			for _, id := range nearest {
				require.True(t, traps[id], "question %q: the 3 nearest chunks are the traps", questions[i])
			}
		}
	}

	modes := []struct {
		name string
		mode retrieval.Mode
	}{{"hybrid", retrieval.Hybrid}, {"keyword", retrieval.KeywordOnly}, {"vector", retrieval.VectorOnly}}

	// check searches campaign A with s in every mode and asks the chat, and
	// requires: no trap, except the optional book's chunk when
	// optionalEnabled, which must then come back; in-scope results; and
	// the vector ranking on branch wantBranch. It returns how vec_near read
	// the chunks.
	check := func(s *tracedSearcher, wantBranch string, optionalEnabled bool) (nearScan string) {
		t.Helper()
		requireScope := func(what string, results []retrieval.Result) {
			t.Helper()
			inScope, sawOptional := 0, false
			for _, r := range results {
				if optionalEnabled && optionalChunks[r.ChunkID] {
					sawOptional = true
					continue
				}
				require.False(t, traps[r.ChunkID], "%s: out-of-scope chunk %s (%s %s) returned", what, r.ChunkID, r.Source.Type, r.Source.Title)
				require.NotContains(t, []uuid.UUID{tools, optional, otherDoc}, r.Source.ID, what)
				inScope++
			}
			require.Positive(t, inScope, "%s: no in-scope results", what)
			if optionalEnabled {
				require.True(t, sawOptional, "%s: the enabled optional book's chunk is missing", what)
			}
		}
		requireBranch := func(what string) {
			t.Helper()
			p := s.vectorPlan(t)
			require.Equal(t, wantBranch, p.branch, "%s: the vector ranking ran %s", what, p.branch)
			// The whole table (65 chunks) is under near_limit: vec_near
			// reads every chunk, and its scope filter drops exactly the
			// out-of-scope ones, the traps among them.
			outOfScope := len(traps)
			if optionalEnabled {
				outOfScope -= len(optionalChunks)
			}
			if p.branch == "vec_near" {
				require.Equal(t, outOfScope, p.nearFiltered, "%s: chunks vec_near's scope filter removed", what)
			}
			nearScan = p.nearScan
		}
		for _, q := range questions {
			for _, m := range modes {
				what := fmt.Sprintf("%s search %q", m.name, q)
				results, err := s.svc.Search(ctx, cA, q, retrieval.SearchOptions{Limit: 50, Mode: m.mode})
				require.NoError(t, err, what)
				requireScope(what, results)
				if m.mode == retrieval.VectorOnly && wantBranch == "vec_near" {
					// All candidates come back from the branch, none lost to
					// the traps, and an enabled trap is the nearest.
					require.Len(t, results, 50, what)
					if optionalEnabled && q == questions[0] {
						require.True(t, optionalChunks[results[0].ChunkID], "%s: the optional book's copy of the question comes first", what)
					}
				}
				if m.mode != retrieval.KeywordOnly {
					requireBranch(what)
				}
			}
			ans, err := s.svc.Answer(ctx, cA, q, nil)
			require.NoError(t, err)
			require.True(t, ans.Found, "chat %q: %s", q, ans.Text)
			requireScope(fmt.Sprintf("chat %q", q), ans.Sources)
			requireBranch(fmt.Sprintf("chat %q", q))
		}
		return nearScan
	}

	// With only its own document in scope, campaign A's vector ranking is
	// the exact scan, as in the other scope tests; this also shows that
	// vectorPlan tells the branches apart.
	requireTrapsNearest()
	require.Len(t, chunkIDs("campaign_document_id = $1", ownDoc), 2)
	check(natural, "vec_exact", false)

	// A required book of 60 sections puts 62 chunks in A's scope: vec_near.
	var core strings.Builder
	core.WriteString("# Creatures and Conditions\n\n")
	creatures := []string{"wyvern", "dragon", "owlbear", "basilisk", "manticore", "hydra", "troll", "ogre", "harpy", "griffon"}
	conditions := []string{"grappled", "poisoned", "prone", "restrained", "stunned", "frightened"}
	for _, cr := range creatures {
		for _, co := range conditions {
			fmt.Fprintf(&core, "## The %s %s\n\nWhile a %s is %s, it follows the rules of the %s condition: its speed, its bite, its claws and its tail attacks change as that condition says.\n\n", co, cr, cr, co, co)
		}
	}
	coreID := b.book(t, "core", retrieval.KindRequired, core.String())
	require.Len(t, chunkIDs("core_rule_id = $1", coreID), 60)
	requireTrapsNearest()

	t.Logf("natural plan: vec_near reads the chunks with %s", check(natural, "vec_near", false))
	scan := check(hnsw, "vec_near", false)
	require.Equal(t, "Index Scan chunks_embedding_hnsw_idx", scan, "sorts off: vec_near reads the HNSW index")

	// Enabled, the optional book's chunk comes back, still on vec_near; the
	// other traps still never do.
	require.NoError(t, b.svc.SetCoreRuleEnabled(ctx, cA, optional, true))
	check(natural, "vec_near", true)
	check(hnsw, "vec_near", true)
}
