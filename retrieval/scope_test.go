package retrieval_test

import (
	"context"
	"testing"

	"github.com/google/uuid"
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
