package retrieval_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"gametable/db"
	"gametable/db/dbtest"
	"gametable/retrieval"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

// testBundle is a fresh database with a Service on it.
type testBundle struct {
	pool *pgxpool.Pool
	q    *db.Queries
	svc  *retrieval.Service
}

func setup(t testing.TB) *testBundle {
	t.Helper()
	pool := dbtest.New(t)
	svc, err := retrieval.New(retrieval.Config{Pool: pool})
	require.NoError(t, err)
	return &testBundle{pool: pool, q: db.New(pool), svc: svc}
}

// campaign creates a user and a campaign they run.
func (b *testBundle) campaign(t testing.TB, name string) (campaignID, userID uuid.UUID) {
	t.Helper()
	ctx := context.Background()
	u, err := b.q.UserCreate(ctx, db.UserCreateParams{
		Email:        fmt.Sprintf("%s-%s@example.com", strings.ToLower(name), uuid.NewString()[:8]),
		DisplayName:  name,
		PasswordHash: "x",
	})
	require.NoError(t, err)
	c, err := b.q.CampaignCreate(ctx, db.CampaignCreateParams{Name: name, TimeZone: "UTC", OwnerID: u.ID})
	require.NoError(t, err)
	return c.ID, u.ID
}

// book creates a rule book of the given kind and ingests text into it.
func (b *testBundle) book(t testing.TB, slug, kind, text string) uuid.UUID {
	t.Helper()
	ctx := context.Background()
	r, err := b.q.CoreRuleCreate(ctx, db.CoreRuleCreateParams{Slug: slug, Title: slug, Kind: kind, Filename: slug + ".md"})
	require.NoError(t, err)
	require.NoError(t, b.svc.IngestCoreRule(ctx, r.ID, []retrieval.File{{Name: slug + ".md", Data: []byte(text)}}, nil))
	return r.ID
}

// srdDir is ../shared/data/srd relative to the repository root.
func srdDir(t testing.TB) string {
	t.Helper()
	_, file, _, ok := runtime.Caller(0)
	require.True(t, ok)
	dir := filepath.Join(filepath.Dir(file), "..", "..", "shared", "data", "srd")
	_, err := os.Stat(dir)
	require.NoError(t, err, "the SRD data belongs in ../shared/data/srd beside the repository")
	return dir
}

func readJSON(t testing.TB, path string, v any) {
	t.Helper()
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(data, v))
}

// srdRulesBook builds the evaluation book: the SRD rule sections in chapter
// order (each chapter a "#" heading above its sections' own "##" Markdown),
// then the conditions under "# Conditions", one "##" heading each.
func srdRulesBook(t testing.TB) string {
	t.Helper()
	dir := srdDir(t)
	var sections []struct {
		Index string `json:"index"`
		Desc  string `json:"desc"`
	}
	readJSON(t, filepath.Join(dir, "5e-SRD-Rule-Sections.json"), &sections)
	byIndex := map[string]string{}
	for _, s := range sections {
		byIndex[s.Index] = s.Desc
	}
	var chapters []struct {
		Name        string `json:"name"`
		Subsections []struct {
			Index string `json:"index"`
		} `json:"subsections"`
	}
	readJSON(t, filepath.Join(dir, "5e-SRD-Rules.json"), &chapters)
	var b strings.Builder
	used := 0
	for _, ch := range chapters {
		fmt.Fprintf(&b, "# %s\n\n", ch.Name)
		for _, sub := range ch.Subsections {
			desc, ok := byIndex[sub.Index]
			require.True(t, ok, "rule section %s", sub.Index)
			b.WriteString(desc)
			b.WriteString("\n\n")
			used++
		}
	}
	require.Equal(t, len(sections), used, "every rule section belongs to a chapter")

	var conditions []struct {
		Name string   `json:"name"`
		Desc []string `json:"desc"`
	}
	readJSON(t, filepath.Join(dir, "5e-SRD-Conditions.json"), &conditions)
	b.WriteString("# Conditions\n\n")
	for _, c := range conditions {
		fmt.Fprintf(&b, "## %s\n\n%s\n\n", c.Name, strings.Join(c.Desc, "\n"))
	}
	return b.String()
}

func containsFold(s, sub string) bool {
	return strings.Contains(strings.ToLower(s), strings.ToLower(sub))
}
