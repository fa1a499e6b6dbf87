package demo

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"

	"gametable/db"
)

// createSessionsAndPolls adds the demo's game sessions and then its two
// availability polls: a finalized one, whose chosen evening became the
// planned next session, and an open one for the session after it, with
// some votes in. memberIDs are the demo people's ids, GM first.
func createSessionsAndPolls(ctx context.Context, q *db.Queries, campaignID uuid.UUID, memberIDs []uuid.UUID) error {
	if err := createSessions(ctx, q, campaignID); err != nil {
		return err
	}
	return createPolls(ctx, q, campaignID, memberIDs)
}

// demoPollOption is a slot and the answers of the demo people (by index
// into people; "" for none).
type demoPollOption struct {
	start   time.Time
	answers [3]string
}

func createPolls(ctx context.Context, q *db.Queries, campaignID uuid.UUID, memberIDs []uuid.UUID) error {
	if len(memberIDs) < 3 {
		return errors.New("create polls: need the GM and two players")
	}
	sessions, err := q.PlaySessionList(ctx, campaignID)
	if err != nil {
		return fmt.Errorf("list sessions: %w", err)
	}
	var next *db.PlaySession
	for i := range sessions {
		if sessions[i].Status == "planned" && sessions[i].ScheduledAt != nil {
			next = &sessions[i]
			break
		}
	}
	if next == nil {
		return errors.New("create polls: no planned session to finalize into")
	}
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		berlin = time.UTC
	}
	// The planned session's Friday, 19:00 in Berlin, and the weekend after.
	friday := next.ScheduledAt.In(berlin)
	at := func(days, hour int) time.Time {
		y, m, d := friday.AddDate(0, 0, days).Date()
		return time.Date(y, m, d, hour, 0, 0, 0, berlin).UTC()
	}

	// The finalized poll: Friday won, with everybody's yes.
	fin, err := createPoll(ctx, q, campaignID, memberIDs, "When do we enter the Reed Maze?", nil, []demoPollOption{
		{start: next.ScheduledAt.UTC(), answers: [3]string{"yes", "yes", "yes"}},
		{start: at(1, 18), answers: [3]string{"yes", "maybe", "no"}},
		{start: at(2, 15), answers: [3]string{"maybe", "no", "yes"}},
	})
	if err != nil {
		return err
	}
	if _, err := q.PollClose(ctx, db.PollCloseParams{CampaignID: campaignID, ID: fin}); err != nil {
		return fmt.Errorf("close poll: %w", err)
	}
	if _, err := q.PollFinalize(ctx, db.PollFinalizeParams{CampaignID: campaignID, ID: fin, SessionID: next.ID}); err != nil {
		return fmt.Errorf("finalize poll: %w", err)
	}

	// The open poll, for the session after: two Fridays and a Saturday,
	// closing in five days.
	closesAt := time.Now().Add(5 * 24 * time.Hour).UTC().Truncate(time.Hour)
	_, err = createPoll(ctx, q, campaignID, memberIDs, "Session 3: which evening?", &closesAt, []demoPollOption{
		{start: at(14, 19), answers: [3]string{"yes", "yes", "maybe"}},
		{start: at(15, 18), answers: [3]string{"yes", "no", ""}},
		{start: at(21, 19), answers: [3]string{"maybe", "yes", ""}},
	})
	return err
}

// createPoll makes an open poll by the GM with its options (three hours
// each) and votes, and returns its id.
func createPoll(ctx context.Context, q *db.Queries, campaignID uuid.UUID, memberIDs []uuid.UUID, title string, closesAt *time.Time, opts []demoPollOption) (uuid.UUID, error) {
	p, err := q.PollCreate(ctx, db.PollCreateParams{CampaignID: campaignID, Title: title, ClosesAt: closesAt, CreatedBy: memberIDs[0]})
	if err != nil {
		return uuid.Nil, fmt.Errorf("create poll: %w", db.Interpret(err))
	}
	params := make([]db.PollOptionCreateParams, 0, len(opts))
	for i, o := range opts {
		end := o.start.Add(3 * time.Hour)
		params = append(params, db.PollOptionCreateParams{CampaignID: campaignID, PollID: p.ID, StartsAt: o.start, EndsAt: &end, Position: int32(i)})
	}
	ids := make([]uuid.UUID, len(opts))
	var first error
	br := q.PollOptionCreate(ctx, params)
	br.QueryRow(func(i int, o db.AvailabilityOption, err error) {
		if err != nil {
			if first == nil {
				first = err
			}
			return
		}
		ids[i] = o.ID
	})
	if err := br.Close(); err != nil && first == nil {
		first = err
	}
	if first != nil {
		return uuid.Nil, fmt.Errorf("create poll options: %w", db.Interpret(first))
	}
	for i, o := range opts {
		for who, answer := range o.answers {
			if answer == "" {
				continue
			}
			if _, err := q.LivePollVoteSet(ctx, db.LivePollVoteSetParams{
				CampaignID: campaignID, PollID: p.ID, OptionID: ids[i], UserID: memberIDs[who], Answer: answer,
			}); err != nil {
				return uuid.Nil, fmt.Errorf("vote: %w", db.Interpret(err))
			}
		}
	}
	return p.ID, nil
}
