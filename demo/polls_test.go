package demo

import (
	"context"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"gametable/db"
	"gametable/db/dbtest"
)

// TestLoad_Polls: the demo has a finalized poll, whose winning slot is the
// planned next session, and an open poll with a deadline and votes.
func TestLoad_Polls(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := dbtest.New(t)
	res, err := Load(ctx, pool, fakeHash)
	require.NoError(t, err)
	q := db.New(pool)

	polls, err := q.PollList(ctx, res.CampaignID)
	require.NoError(t, err)
	require.Len(t, polls, 2)
	var open, fin db.AvailabilityPoll
	for _, p := range polls {
		if p.SessionID != nil {
			fin = p
		} else {
			open = p
		}
	}
	require.Equal(t, "closed", fin.Status)
	require.NotNil(t, fin.ClosedAt)
	require.Equal(t, "open", open.Status)
	require.NotNil(t, open.ClosesAt)

	session, err := q.PlaySessionGet(ctx, db.PlaySessionGetParams{CampaignID: res.CampaignID, ID: *fin.SessionID})
	require.NoError(t, err)
	require.Equal(t, "planned", session.Status)
	opts, err := q.PollOptionList(ctx, db.PollOptionListParams{CampaignID: res.CampaignID, PollIds: []uuid.UUID{fin.ID, open.ID}})
	require.NoError(t, err)
	require.Len(t, opts, 6)
	found := false
	for _, o := range opts {
		if o.PollID == fin.ID && o.StartsAt.Equal(*session.ScheduledAt) {
			found = true
		}
	}
	require.True(t, found, "the session is at one of the finalized poll's slots")
	votes, err := q.PollVoteList(ctx, db.PollVoteListParams{CampaignID: res.CampaignID, PollIds: []uuid.UUID{open.ID}})
	require.NoError(t, err)
	require.NotEmpty(t, votes)

	// A second load adds no polls.
	_, err = Load(ctx, pool, fakeHash)
	require.NoError(t, err)
	polls, err = q.PollList(ctx, res.CampaignID)
	require.NoError(t, err)
	require.Len(t, polls, 2)
}
