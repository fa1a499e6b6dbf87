package http

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"gametable/db"
)

// TestSchedulingQueries_Isolation is the campaign-scope test (STYLE.md
// section 4, layer 4) of the scheduling queries: given campaign A's id,
// none of them reaches campaign B's rows: lookups are db.ErrNotFound,
// lists are empty, writes change nothing.
func TestSchedulingQueries_Isolation(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	a := newScheduleBundle(t, ts, "Alpha")
	b := newScheduleBundle(t, ts, "Beta")
	at := future()
	bSession := ts.createSession(t, b.gm, b.id, map[string]any{"scheduledAt": at.Format(time.RFC3339)})
	bPoll := ts.createPoll(t, b.gm, b.id, weeklyPoll("Beta poll", at, 2))
	b.player.vote(t, b.id, bPoll.ID, bPoll.Options[0].ID, "yes")
	bToken := b.player.calendarToken(t, b.id)
	ctx := context.Background()
	q := db.New(ts.Pool)
	notFound := func(t *testing.T, err error) {
		t.Helper()
		require.ErrorIs(t, db.Interpret(err), db.ErrNotFound)
	}

	_, err := q.PlaySessionGet(ctx, db.PlaySessionGetParams{CampaignID: a.id, ID: bSession.ID})
	notFound(t, err)
	title := "Stolen"
	_, err = q.PlaySessionUpdate(ctx, db.PlaySessionUpdateParams{CampaignID: a.id, ID: bSession.ID, Title: &title})
	notFound(t, err)
	n, err := q.PlaySessionDelete(ctx, db.PlaySessionDeleteParams{CampaignID: a.id, ID: bSession.ID})
	require.NoError(t, err)
	require.Zero(t, n)
	planned, err := q.PlaySessionListPlanned(ctx, a.id)
	require.NoError(t, err)
	require.Empty(t, planned)
	sessions, err := q.PlaySessionList(ctx, a.id)
	require.NoError(t, err)
	require.Empty(t, sessions)

	_, err = q.PollGet(ctx, db.PollGetParams{CampaignID: a.id, ID: bPoll.ID})
	notFound(t, err)
	_, err = q.PollGetForUpdate(ctx, db.PollGetForUpdateParams{CampaignID: a.id, ID: bPoll.ID})
	notFound(t, err)
	polls, err := q.PollList(ctx, a.id)
	require.NoError(t, err)
	require.Empty(t, polls)
	opts, err := q.PollOptionList(ctx, db.PollOptionListParams{CampaignID: a.id, PollIds: []uuid.UUID{bPoll.ID}})
	require.NoError(t, err)
	require.Empty(t, opts)
	votes, err := q.PollVoteList(ctx, db.PollVoteListParams{CampaignID: a.id, PollIds: []uuid.UUID{bPoll.ID}})
	require.NoError(t, err)
	require.Empty(t, votes)
	n, err = q.PollClose(ctx, db.PollCloseParams{CampaignID: a.id, ID: bPoll.ID})
	require.NoError(t, err)
	require.Zero(t, n)
	// Finalizing B's poll into A's session, or A's poll into B's session.
	aSession := ts.createSession(t, a.gm, a.id, nil)
	n, err = q.PollFinalize(ctx, db.PollFinalizeParams{CampaignID: a.id, ID: bPoll.ID, SessionID: aSession.ID})
	require.NoError(t, err)
	require.Zero(t, n)
	aPoll := ts.createPoll(t, a.gm, a.id, weeklyPoll("Alpha poll", at, 1))
	_, err = q.PollFinalize(ctx, db.PollFinalizeParams{CampaignID: a.id, ID: aPoll.ID, SessionID: bSession.ID})
	notFound(t, err)
	// An option for B's poll under A's id breaks the composite key.
	br := q.PollOptionCreate(ctx, []db.PollOptionCreateParams{{CampaignID: a.id, PollID: bPoll.ID, StartsAt: at.Add(time.Hour), Position: 9}})
	called := false
	br.QueryRow(func(_ int, _ db.AvailabilityOption, err error) { called = true; notFound(t, err) })
	if err := br.Close(); err != nil {
		notFound(t, err)
	}
	require.True(t, called)

	n, err = q.MembershipCalendarTokenSet(ctx, db.MembershipCalendarTokenSetParams{CampaignID: a.id, UserID: b.player.User.ID, TokenHash: hashSecret("x")})
	require.NoError(t, err)
	require.Zero(t, n)
	_, err = q.CalendarFeedGet(ctx, db.CalendarFeedGetParams{CampaignID: a.id, TokenHash: hashSecret(bToken.Token)})
	notFound(t, err)

	// B is untouched.
	got := b.gm.getPoll(t, b.id, bPoll.ID)
	require.Equal(t, "open", got.Status)
	require.Nil(t, got.SessionID)
	require.Len(t, got.Options, 2)
	require.Equal(t, 1, got.Options[0].Yes)
	var sb sessionBody
	b.gm.do(t, "GET", campaignPath(b.id, "sessions", bSession.ID.String()), nil).requireStatus(t, 200).decode(t, &sb)
	require.Empty(t, sb.Session.Title)
	parseFeed(t, fetchFeed(t, ts, bToken.URL))
}
