package retrieval_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"gametable/db"
	"gametable/db/dbtest"
	"gametable/retrieval"
	"gametable/retrieval/srdbook"
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

// srdDir is ../shared/data/srd beside the repository.
func srdDir(t testing.TB) string {
	t.Helper()
	dir, err := srdbook.Dir()
	require.NoError(t, err)
	return dir
}

// srdRulesBook is the evaluation book (srdbook.Rules): the SRD rule
// sections in chapter order, then the conditions.
func srdRulesBook(t testing.TB) string {
	t.Helper()
	text, err := srdbook.Rules(srdDir(t))
	require.NoError(t, err)
	return text
}

func containsFold(s, sub string) bool {
	return strings.Contains(strings.ToLower(s), strings.ToLower(sub))
}
