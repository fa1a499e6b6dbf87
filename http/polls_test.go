package http

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"gametable/db"
)

// weeklyPoll is a poll body with n weekly options from first on, at the
// same wall-clock time in first's zone (calendar weeks, so across a
// daylight-saving change too), each three hours long.
func weeklyPoll(title string, first time.Time, n int) map[string]any {
	opts := make([]map[string]any, 0, n)
	for i := range n {
		start := first.AddDate(0, 0, 7*i)
		opts = append(opts, map[string]any{
			"startsAt": start.Format(time.RFC3339),
			"endsAt":   start.Add(3 * time.Hour).Format(time.RFC3339),
		})
	}
	return map[string]any{"title": title, "options": opts}
}

// createPoll creates a poll as gm, requiring 201.
func (ts *testServer) createPoll(t *testing.T, gm *testClient, campaignID uuid.UUID, body map[string]any) pollJSON {
	t.Helper()
	var pb pollBody
	gm.do(t, http.MethodPost, campaignPath(campaignID, "polls"), body).requireStatus(t, http.StatusCreated).decode(t, &pb)
	return pb.Poll
}

func pollPath(campaignID, pollID uuid.UUID, parts ...string) string {
	return campaignPath(campaignID, append([]string{"polls", pollID.String()}, parts...)...)
}

// vote casts c's answer for the option, requiring 200, and returns the poll.
func (c *testClient) vote(t *testing.T, campaignID, pollID, optionID uuid.UUID, answer string) pollJSON {
	t.Helper()
	var pb pollBody
	c.do(t, http.MethodPut, pollPath(campaignID, pollID, "votes", optionID.String()), map[string]any{"answer": answer}).
		requireStatus(t, http.StatusOK).decode(t, &pb)
	return pb.Poll
}

func (c *testClient) getPoll(t *testing.T, campaignID, pollID uuid.UUID) pollJSON {
	t.Helper()
	var pb pollBody
	c.do(t, http.MethodGet, pollPath(campaignID, pollID), nil).requireStatus(t, http.StatusOK).decode(t, &pb)
	return pb.Poll
}

// future is a Friday evening well ahead, so that polls made in tests stay
// in the future.
func future() time.Time { return time.Date(time.Now().Year()+2, 3, 7, 18, 0, 0, 0, time.UTC) }

func TestPolls_CreateValidation(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	b := newScheduleBundle(t, ts, "Validation")
	path := campaignPath(b.id, "polls")
	start := future()
	iso := func(t time.Time) string { return t.Format(time.RFC3339) }
	opt := func(s, e string) map[string]any {
		o := map[string]any{"startsAt": s}
		if e != "" {
			o["endsAt"] = e
		}
		return o
	}
	many := func(n int) []map[string]any {
		out := make([]map[string]any, 0, n)
		for i := range n {
			out = append(out, opt(iso(start.Add(time.Duration(i)*time.Hour)), ""))
		}
		return out
	}
	one := many(1)
	tests := []struct {
		name   string
		body   map[string]any
		fields []string
	}{
		{"EmptyTitle", map[string]any{"title": "", "options": one}, []string{"title"}},
		{"BlankTitle", map[string]any{"title": "   ", "options": one}, []string{"title"}},
		{"LongTitle", map[string]any{"title": strings.Repeat("x", 201), "options": one}, []string{"title"}},
		{"NoOptionsKey", map[string]any{"title": "When?"}, []string{"options"}},
		{"ZeroOptions", map[string]any{"title": "When?", "options": []any{}}, []string{"options"}},
		{"FiftyOneOptions", map[string]any{"title": "When?", "options": many(51)}, []string{"options"}},
		{"EndBeforeStart", map[string]any{"title": "When?", "options": []any{
			opt(iso(start), ""), opt(iso(start.Add(24*time.Hour)), iso(start.Add(23*time.Hour))),
		}}, []string{"options", "options[1].endsAt"}},
		{"EndEqualsStart", map[string]any{"title": "When?", "options": []any{opt(iso(start), iso(start))}}, []string{"options", "options[0].endsAt"}},
		{"DuplicateSlots", map[string]any{"title": "When?", "options": []any{
			opt(iso(start), ""), opt(iso(start.Add(time.Hour)), ""),
			// The same instant written in another offset is the same slot.
			opt(start.In(time.FixedZone("", 2*3600)).Format(time.RFC3339), ""),
		}}, []string{"options", "options[2]"}},
		{"DuplicateSlotsWithEnd", map[string]any{"title": "When?", "options": []any{
			opt(iso(start), iso(start.Add(time.Hour))), opt(iso(start), iso(start.Add(time.Hour))),
		}}, []string{"options", "options[1]"}},
		{"MissingStart", map[string]any{"title": "When?", "options": []any{map[string]any{}}}, []string{"options", "options[0].startsAt"}},
		{"BadStart", map[string]any{"title": "When?", "options": []any{opt("friday", "")}}, []string{"options", "options[0].startsAt"}},
		{"ClosesAtPast", map[string]any{"title": "When?", "options": one, "closesAt": iso(time.Now().Add(-time.Minute))}, []string{"closesAt"}},
		{"ClosesAtBad", map[string]any{"title": "When?", "options": one, "closesAt": "soon"}, []string{"closesAt"}},
		{"Several", map[string]any{"title": "", "options": []any{}}, []string{"title", "options"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			b.gm.do(t, http.MethodPost, path, tt.body).requireFields(t, tt.fields...)
		})
	}
	t.Run("Allowed", func(t *testing.T) {
		t.Parallel()
		// Same start with and without an end are two slots; 50 options is
		// the most.
		p := ts.createPoll(t, b.gm, b.id, map[string]any{"title": "Fifty", "options": many(50)})
		require.Len(t, p.Options, 50)
		p = ts.createPoll(t, b.gm, b.id, map[string]any{"title": "Ends", "options": []any{
			opt(iso(start), ""), opt(iso(start), iso(start.Add(time.Hour))),
		}})
		require.Len(t, p.Options, 2)
	})
	// Nothing invalid was stored.
	var list pollListBody
	b.gm.do(t, http.MethodGet, path, nil).requireStatus(t, http.StatusOK).decode(t, &list)
	for _, p := range list.Items {
		require.Contains(t, []string{"Fifty", "Ends"}, p.Title)
	}
}

func TestPolls_VoteTallyBest(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	b := newScheduleBundle(t, ts, "Votes")
	p2 := ts.join(t, b.gm, b.id, rolePlayer, "Second Player")
	start := future()
	closesAt := time.Now().Add(time.Hour).UTC().Truncate(time.Second)
	body := weeklyPoll("  Next session  ", start, 3)
	body["closesAt"] = closesAt.Format(time.RFC3339)
	p := ts.createPoll(t, b.gm, b.id, body)
	require.Equal(t, "Next session", p.Title)
	require.Equal(t, "open", p.Status)
	require.True(t, closesAt.Equal(*p.ClosesAt))
	require.Nil(t, p.SessionID)
	require.Nil(t, p.Best, "no votes, no best option")
	require.Len(t, p.Options, 3)
	for i, o := range p.Options {
		require.True(t, start.AddDate(0, 0, 7*i).Equal(o.StartsAt))
		require.True(t, o.StartsAt.Add(3*time.Hour).Equal(*o.EndsAt))
		require.Equal(t, 0, o.Yes+o.Maybe+o.No)
		require.Empty(t, o.Votes)
	}
	a, bb, c := p.Options[0].ID, p.Options[1].ID, p.Options[2].ID

	b.player.vote(t, b.id, p.ID, bb, "yes")
	got := p2.vote(t, b.id, p.ID, bb, "maybe")
	require.Equal(t, bb, *got.Best)
	b.gm.vote(t, b.id, p.ID, a, "yes")
	got = p2.vote(t, b.id, p.ID, a, "yes")
	// a: 2 yes; b: 1 yes 1 maybe.
	require.Equal(t, a, *got.Best)
	require.Equal(t, map[uuid.UUID]string{b.gm.User.ID: "yes", p2.User.ID: "yes"}, got.Options[0].Votes)
	require.Equal(t, 2, got.Options[0].Yes)
	require.Equal(t, 1, got.Options[1].Yes)
	require.Equal(t, 1, got.Options[1].Maybe)

	// Changing a vote replaces it; a tie on yes goes to the most maybe.
	p2.vote(t, b.id, p.ID, a, "no")
	got = b.player.vote(t, b.id, p.ID, c, "no")
	require.Equal(t, 1, got.Options[0].Yes)
	require.Equal(t, 1, got.Options[0].No)
	require.Equal(t, bb, *got.Best)

	// DELETE withdraws the vote and answers with the poll; again is a no-op.
	for range 2 {
		var pb pollBody
		p2.do(t, http.MethodDelete, pollPath(b.id, p.ID, "votes", bb.String()), nil).requireStatus(t, http.StatusOK).decode(t, &pb)
		require.NotContains(t, pb.Poll.Options[1].Votes, p2.User.ID)
		require.Equal(t, 0, pb.Poll.Options[1].Maybe)
		// a and b tie on 1 yes, 0 maybe: the earliest wins.
		require.Equal(t, a, *pb.Poll.Best)
	}

	// Everyone sees the same tallies.
	require.Equal(t, b.gm.getPoll(t, b.id, p.ID), b.player.getPoll(t, b.id, p.ID))

	// Bad input.
	votePath := pollPath(b.id, p.ID, "votes", a.String())
	for _, answer := range []any{"YES", "none", "", "sure"} {
		b.player.do(t, http.MethodPut, votePath, map[string]any{"answer": answer}).requireFields(t, "answer")
	}
	b.player.do(t, http.MethodPut, votePath, map[string]any{}).requireFields(t, "answer")
	b.player.do(t, http.MethodPut, votePath, map[string]any{"answer": 1}).requireError(t, http.StatusBadRequest, codeBadRequest)
	b.player.do(t, http.MethodPut, pollPath(b.id, p.ID, "votes", uuid.NewString()), map[string]any{"answer": "yes"}).requireError(t, http.StatusNotFound, codeNotFound)
	b.player.do(t, http.MethodPut, pollPath(b.id, p.ID, "votes", "nope"), map[string]any{"answer": "yes"}).requireError(t, http.StatusNotFound, codeNotFound)
	b.player.do(t, http.MethodPut, pollPath(b.id, uuid.New(), "votes", a.String()), map[string]any{"answer": "yes"}).requireError(t, http.StatusNotFound, codeNotFound)
	// An option of another poll of the same campaign is not this poll's.
	other := ts.createPoll(t, b.gm, b.id, weeklyPoll("Other", start, 1))
	b.player.do(t, http.MethodPut, pollPath(b.id, p.ID, "votes", other.Options[0].ID.String()), map[string]any{"answer": "yes"}).requireError(t, http.StatusNotFound, codeNotFound)

	// Lists carry the same polls, newest first.
	var list pollListBody
	b.player.do(t, http.MethodGet, campaignPath(b.id, "polls"), nil).requireStatus(t, http.StatusOK).decode(t, &list)
	require.Len(t, list.Items, 2)
	require.Equal(t, other.ID, list.Items[0].ID)
	require.Equal(t, b.player.getPoll(t, b.id, p.ID), list.Items[1])
}

func TestPolls_CloseAndFinalize(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	b := newScheduleBundle(t, ts, "Finalize")
	ts.createSession(t, b.gm, b.id, map[string]any{"title": "Zero"})
	p := ts.createPoll(t, b.gm, b.id, weeklyPoll("When?", future(), 2))
	opt := p.Options[1]
	b.player.vote(t, b.id, p.ID, opt.ID, "yes")

	// Players may not close or finalize.
	b.player.do(t, http.MethodPost, pollPath(b.id, p.ID, "close"), nil).requireError(t, http.StatusForbidden, codeForbidden)
	b.player.do(t, http.MethodPost, pollPath(b.id, p.ID, "finalize"), map[string]any{"optionId": opt.ID}).requireError(t, http.StatusForbidden, codeForbidden)
	b.player.do(t, http.MethodPost, campaignPath(b.id, "polls"), weeklyPoll("Mine", future(), 1)).requireError(t, http.StatusForbidden, codeForbidden)

	var pb pollBody
	b.gm.do(t, http.MethodPost, pollPath(b.id, p.ID, "close"), nil).requireStatus(t, http.StatusOK).decode(t, &pb)
	require.Equal(t, "closed", pb.Poll.Status)
	require.NotNil(t, pb.Poll.ClosedAt)
	closedAt := *pb.Poll.ClosedAt
	// Closing again changes nothing.
	b.gm.do(t, http.MethodPost, pollPath(b.id, p.ID, "close"), nil).requireStatus(t, http.StatusOK).decode(t, &pb)
	require.Equal(t, closedAt, *pb.Poll.ClosedAt)
	b.gm.do(t, http.MethodPost, pollPath(b.id, uuid.New(), "close"), nil).requireError(t, http.StatusNotFound, codeNotFound)

	// Votes on a closed poll are refused; the votes stay.
	b.player.do(t, http.MethodPut, pollPath(b.id, p.ID, "votes", opt.ID.String()), map[string]any{"answer": "no"}).requireError(t, http.StatusConflict, codeConflict)
	b.player.do(t, http.MethodDelete, pollPath(b.id, p.ID, "votes", opt.ID.String()), nil).requireError(t, http.StatusConflict, codeConflict)
	require.Equal(t, 1, b.gm.getPoll(t, b.id, p.ID).Options[1].Yes)

	// Finalize: bad input changes nothing.
	fin := pollPath(b.id, p.ID, "finalize")
	b.gm.do(t, http.MethodPost, fin, map[string]any{}).requireFields(t, "optionId")
	b.gm.do(t, http.MethodPost, fin, map[string]any{"optionId": "first"}).requireFields(t, "optionId")
	b.gm.do(t, http.MethodPost, fin, map[string]any{"optionId": uuid.New()}).requireError(t, http.StatusNotFound, codeNotFound)
	b.gm.do(t, http.MethodPost, pollPath(b.id, uuid.New(), "finalize"), map[string]any{"optionId": opt.ID}).requireError(t, http.StatusNotFound, codeNotFound)
	require.Nil(t, b.gm.getPoll(t, b.id, p.ID).SessionID)

	var sb sessionBody
	b.gm.do(t, http.MethodPost, fin, map[string]any{"optionId": opt.ID, "title": "The Reed Maze"}).requireStatus(t, http.StatusCreated).decode(t, &sb)
	s := sb.Session
	require.Equal(t, int32(2), s.Number)
	require.Equal(t, "Session 2: The Reed Maze", s.Label)
	require.Equal(t, "planned", s.Status)
	require.True(t, opt.StartsAt.Equal(*s.ScheduledAt))

	got := b.player.getPoll(t, b.id, p.ID)
	require.Equal(t, "closed", got.Status)
	require.Equal(t, s.ID, *got.SessionID)
	require.Equal(t, closedAt, *got.ClosedAt, "closed earlier, it keeps its closedAt")
	// Finalizing twice is a conflict and makes no second session.
	b.gm.do(t, http.MethodPost, fin, map[string]any{"optionId": p.Options[0].ID}).requireError(t, http.StatusConflict, codeConflict)
	var list sessionListBody
	b.gm.do(t, http.MethodGet, campaignPath(b.id, "sessions"), nil).requireStatus(t, http.StatusOK).decode(t, &list)
	require.Len(t, list.Items, 2)

	// Finalizing an open poll closes it in the same step.
	open := ts.createPoll(t, b.gm, b.id, weeklyPoll("Again?", future().AddDate(0, 1, 0), 1))
	b.gm.do(t, http.MethodPost, pollPath(b.id, open.ID, "finalize"), map[string]any{"optionId": open.Options[0].ID}).requireStatus(t, http.StatusCreated).decode(t, &sb)
	got = b.gm.getPoll(t, b.id, open.ID)
	require.Equal(t, "closed", got.Status)
	require.Equal(t, sb.Session.ID, *got.SessionID)
	require.Equal(t, int32(3), sb.Session.Number)

	// Deleting the session keeps the poll and drops the link.
	b.gm.do(t, http.MethodDelete, campaignPath(b.id, "sessions", sb.Session.ID.String()), nil).requireStatus(t, http.StatusNoContent)
	got = b.gm.getPoll(t, b.id, open.ID)
	require.Nil(t, got.SessionID)
	require.Equal(t, "closed", got.Status)
}

// TestPolls_FinalizeIsOneTransaction: when creating the session fails, the
// poll stays as it was.
func TestPolls_FinalizeIsOneTransaction(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	b := newScheduleBundle(t, ts, "Atomic")
	p := ts.createPoll(t, b.gm, b.id, weeklyPoll("When?", future(), 1))
	// A trigger makes the session insert fail after the poll was locked.
	ts.exec(t, `CREATE FUNCTION refuse_session() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN RAISE EXCEPTION 'refused'; END $$`)
	ts.exec(t, `CREATE TRIGGER refuse BEFORE INSERT ON play_sessions FOR EACH ROW EXECUTE FUNCTION refuse_session()`)
	b.gm.do(t, http.MethodPost, pollPath(b.id, p.ID, "finalize"), map[string]any{"optionId": p.Options[0].ID}).
		requireError(t, http.StatusInternalServerError, codeInternal)
	got := b.gm.getPoll(t, b.id, p.ID)
	require.Equal(t, "open", got.Status)
	require.Nil(t, got.SessionID)
}

// TestPolls_TimeZones: a weekly poll across the end of summer time in
// Berlin (the last Sunday of October) keeps its local time, 19:00, while
// its UTC times move by an hour; the same poll seen from Auckland is on
// the next morning.
func TestPolls_TimeZones(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	b := newScheduleBundle(t, ts, "Zones")
	setZone(t, b.gm, b.id, "Europe/Berlin")
	berlin, err := time.LoadLocation("Europe/Berlin")
	require.NoError(t, err)
	year := time.Now().Year() + 1
	// The last Sunday of October, when Berlin falls back to UTC+1.
	dstEnd := time.Date(year, 10, 31, 12, 0, 0, 0, berlin)
	for dstEnd.Weekday() != time.Sunday {
		dstEnd = dstEnd.AddDate(0, 0, -1)
	}
	// Fridays at 19:00, two before the change and two after.
	first := time.Date(year, 10, dstEnd.Day()-9, 19, 0, 0, 0, berlin)
	p := ts.createPoll(t, b.gm, b.id, weeklyPoll("Fridays", first, 4))
	require.Len(t, p.Options, 4)
	for i, o := range p.Options {
		local := first.AddDate(0, 0, 7*i)
		require.Equal(t, local.Format("2006-01-02"), o.LocalDate)
		require.Equal(t, "19:00", o.LocalTime)
		require.Equal(t, "22:00", o.LocalEndTime)
		wantUTC := 17
		if local.After(dstEnd) {
			wantUTC = 18
		}
		require.Equal(t, wantUTC, o.StartsAt.Hour(), "option %d", i)
		require.Equal(t, time.UTC, o.StartsAt.Location())
	}

	// The finalized session carries the same local fields.
	var sb sessionBody
	b.gm.do(t, http.MethodPost, pollPath(b.id, p.ID, "finalize"), map[string]any{"optionId": p.Options[3].ID}).requireStatus(t, http.StatusCreated).decode(t, &sb)
	require.Equal(t, "19:00", sb.Session.LocalTime)
	require.Equal(t, p.Options[3].LocalDate, sb.Session.LocalDate)

	// Auckland is 12 or 13 hours ahead: the Friday evening is Saturday
	// morning there.
	setZone(t, b.gm, b.id, "Pacific/Auckland")
	got := b.player.getPoll(t, b.id, p.ID)
	for i, o := range got.Options {
		local := o.StartsAt.In(mustZone(t, "Pacific/Auckland"))
		require.Equal(t, local.Format("2006-01-02"), o.LocalDate)
		require.Equal(t, local.Format("15:04"), o.LocalTime)
		require.Equal(t, first.AddDate(0, 0, 7*i+1).Format("2006-01-02"), o.LocalDate, "option %d is on Saturday", i)
		require.True(t, p.Options[i].StartsAt.Equal(o.StartsAt), "the instants do not move")
	}
}

func mustZone(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	require.NoError(t, err)
	return loc
}

// recordingLive is a hub as far as polls go: votes are persisted as the
// hub does (through the live queries) and recorded, and so is every
// PollsChanged.
type recordingLive struct {
	*fakeLive
	pool *pgxpool.Pool

	mu      sync.Mutex
	votes   []string      // "campaign user poll option answer role"
	changed []uuid.UUID   // campaigns told that polls changed
	signal  chan struct{} // gets a value on every PollsChanged
}

var _ LivePolls = (*recordingLive)(nil)

func newRecordingLive() *recordingLive {
	return &recordingLive{fakeLive: &fakeLive{}, signal: make(chan struct{}, 100)}
}

func (l *recordingLive) PollVote(ctx context.Context, campaignID, userID uuid.UUID, role string, pollID, optionID uuid.UUID, answer string) error {
	l.mu.Lock()
	l.votes = append(l.votes, fmt.Sprint(campaignID, userID, pollID, optionID, answer, role))
	l.mu.Unlock()
	q := db.New(l.pool)
	var n int64
	var err error
	if answer == "none" {
		_, err = q.LivePollVoteDelete(ctx, db.LivePollVoteDeleteParams{CampaignID: campaignID, PollID: pollID, OptionID: optionID, UserID: userID})
		n = 1
	} else {
		n, err = q.LivePollVoteSet(ctx, db.LivePollVoteSetParams{CampaignID: campaignID, PollID: pollID, OptionID: optionID, UserID: userID, Answer: answer})
	}
	if err == nil && n == 0 {
		return ErrPollVoteClosed
	}
	return err
}

func (l *recordingLive) PollsChanged(_ context.Context, campaignID uuid.UUID) error {
	l.mu.Lock()
	l.changed = append(l.changed, campaignID)
	l.mu.Unlock()
	l.signal <- struct{}{}
	return nil
}

func (l *recordingLive) changes() []uuid.UUID {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]uuid.UUID(nil), l.changed...)
}

func (l *recordingLive) voteLog() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.votes...)
}

// newLiveTestServer starts a test server whose live side records poll
// changes.
func newLiveTestServer(t *testing.T) (*testServer, *recordingLive) {
	t.Helper()
	live := newRecordingLive()
	ts := newTestServer(t, func(o *Options) {
		live.pool = o.Pool
		o.Live = live
	})
	return ts, live
}

// TestPolls_Publish: every poll change is published after it is
// persisted: votes as hub commands, the rest as "polls changed".
func TestPolls_Publish(t *testing.T) {
	t.Parallel()
	ts, live := newLiveTestServer(t)
	b := newScheduleBundle(t, ts, "Publish")
	p := ts.createPoll(t, b.gm, b.id, weeklyPoll("When?", future(), 2))
	require.Equal(t, []uuid.UUID{b.id}, live.changes(), "create")

	got := b.player.vote(t, b.id, p.ID, p.Options[0].ID, "maybe")
	require.Equal(t, 1, got.Options[0].Maybe, "the hub persisted the vote before the answer")
	b.player.do(t, http.MethodDelete, pollPath(b.id, p.ID, "votes", p.Options[0].ID.String()), nil).requireStatus(t, http.StatusOK)
	require.Equal(t, []string{
		fmt.Sprint(b.id, b.player.User.ID, p.ID, p.Options[0].ID, "maybe", "player"),
		fmt.Sprint(b.id, b.player.User.ID, p.ID, p.Options[0].ID, "none", "player"),
	}, live.voteLog())
	require.Len(t, live.changes(), 1, "votes are the hub's own changes")

	b.gm.do(t, http.MethodPost, pollPath(b.id, p.ID, "close"), nil).requireStatus(t, http.StatusOK)
	require.Len(t, live.changes(), 2, "close")
	b.gm.do(t, http.MethodPost, pollPath(b.id, p.ID, "close"), nil).requireStatus(t, http.StatusOK)
	require.Len(t, live.changes(), 2, "closing a closed poll changes nothing")
	b.gm.do(t, http.MethodPost, pollPath(b.id, p.ID, "finalize"), map[string]any{"optionId": p.Options[1].ID}).requireStatus(t, http.StatusCreated)
	require.Len(t, live.changes(), 3, "finalize")
	// Refused changes are not published.
	b.player.do(t, http.MethodPut, pollPath(b.id, p.ID, "votes", p.Options[0].ID.String()), map[string]any{"answer": "yes"}).requireError(t, http.StatusConflict, codeConflict)
	require.Len(t, live.voteLog(), 2)
	require.Len(t, live.changes(), 3)
}

// pollStatus reads a poll's status straight from the database.
func pollStatus(t *testing.T, pool *pgxpool.Pool, pollID uuid.UUID) string {
	t.Helper()
	var status string
	require.NoError(t, pool.QueryRow(context.Background(), "SELECT status FROM availability_polls WHERE id = $1", pollID).Scan(&status))
	return status
}

// TestPolls_AutoClose: a poll closes itself at closesAt: the poll closer
// closes it and publishes the change, and a request that meets it first
// closes it through the same path.
func TestPolls_AutoClose(t *testing.T) {
	t.Parallel()
	ts, live := newLiveTestServer(t)
	b := newScheduleBundle(t, ts, "Deadline")
	body := weeklyPoll("Closes soon", future(), 1)
	body["closesAt"] = time.Now().Add(time.Hour).Format(time.RFC3339)
	p := ts.createPoll(t, b.gm, b.id, body)
	later := weeklyPoll("Closes later", future(), 1)
	later["closesAt"] = time.Now().Add(time.Hour).Format(time.RFC3339)
	keep := ts.createPoll(t, b.gm, b.id, later)
	<-live.signal
	<-live.signal
	// The handler wants closesAt in the future when the request arrives,
	// however slow it is: bring the deadline close only now.
	ts.exec(t, "UPDATE availability_polls SET closes_at = now() + interval '300 milliseconds' WHERE id = $1", p.ID)

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		ts.RunPollCloser(ctx, time.Minute) // the deadline, not the interval, wakes it
	}()
	t.Cleanup(func() { cancel(); <-done })

	select {
	case <-live.signal:
	case <-time.After(10 * time.Second):
		t.Fatal("the poll closer did not publish")
	}
	require.Equal(t, []uuid.UUID{b.id, b.id, b.id}, live.changes())
	got := b.player.getPoll(t, b.id, p.ID)
	require.Equal(t, "closed", got.Status)
	require.False(t, got.ClosedAt.Before(*got.ClosesAt))
	require.Equal(t, "open", b.player.getPoll(t, b.id, keep.ID).Status)
	b.player.do(t, http.MethodPut, pollPath(b.id, p.ID, "votes", p.Options[0].ID.String()), map[string]any{"answer": "yes"}).requireError(t, http.StatusConflict, codeConflict)
}

// TestPolls_AutoCloseOnRequest: a vote that arrives after closesAt but
// before the closer ran is refused, and the poll is closed then.
func TestPolls_AutoCloseOnRequest(t *testing.T) {
	t.Parallel()
	ts, live := newLiveTestServer(t)
	b := newScheduleBundle(t, ts, "Lazy")
	body := weeklyPoll("Overdue", future(), 1)
	body["closesAt"] = time.Now().Add(time.Hour).Format(time.RFC3339)
	p := ts.createPoll(t, b.gm, b.id, body)
	ts.exec(t, "UPDATE availability_polls SET closes_at = now() - interval '1 second' WHERE id = $1", p.ID)
	b.player.do(t, http.MethodPut, pollPath(b.id, p.ID, "votes", p.Options[0].ID.String()), map[string]any{"answer": "yes"}).requireError(t, http.StatusConflict, codeConflict)
	require.Equal(t, "closed", pollStatus(t, ts.Pool, p.ID))
	require.Len(t, live.changes(), 2, "create, close")
	require.Empty(t, live.voteLog())

	// A list closes overdue polls too.
	other := ts.createPoll(t, b.gm, b.id, body)
	ts.exec(t, "UPDATE availability_polls SET closes_at = now() - interval '1 second' WHERE id = $1", other.ID)
	var list pollListBody
	b.player.do(t, http.MethodGet, campaignPath(b.id, "polls"), nil).requireStatus(t, http.StatusOK).decode(t, &list)
	for _, it := range list.Items {
		require.Equal(t, "closed", it.Status)
	}
}

// TestPolls_AutoCloseAfterRestart: a deadline that passed while the
// server was down is honoured by the next server's first round, and what
// it closes is published.
func TestPolls_AutoCloseAfterRestart(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	b := newScheduleBundle(t, ts, "Restart")
	body := weeklyPoll("Across a restart", future(), 1)
	body["closesAt"] = time.Now().Add(time.Hour).Format(time.RFC3339)
	p := ts.createPoll(t, b.gm, b.id, body)
	// The first server stops; the deadline passes while none runs.
	require.NoError(t, ts.Close(context.Background()))
	ts.exec(t, "UPDATE availability_polls SET closes_at = now() - interval '1 hour' WHERE id = $1", p.ID)
	require.Equal(t, "open", pollStatus(t, ts.Pool, p.ID))

	// A new server on the same database.
	live := newRecordingLive()
	live.pool = ts.Pool
	srv, err := NewServer(Options{Pool: ts.Pool, Logger: slog.New(slog.DiscardHandler), BaseURL: "http://127.0.0.1:1", Live: live})
	require.NoError(t, err)
	t.Cleanup(func() { _ = srv.Close(context.Background()) })
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		srv.RunPollCloser(ctx, time.Hour)
	}()
	t.Cleanup(func() { cancel(); <-done })
	select {
	case <-live.signal:
	case <-time.After(10 * time.Second):
		t.Fatal("the poll closer did not close the overdue poll")
	}
	require.Equal(t, "closed", pollStatus(t, ts.Pool, p.ID))
	require.Equal(t, []uuid.UUID{b.id}, live.changes())
}

// TestPolls_LeaveLiveState: 24 hours after closing, the closer tells the
// campaign's hub to drop the poll from its live state, once.
func TestPolls_LeaveLiveState(t *testing.T) {
	t.Parallel()
	ts, live := newLiveTestServer(t)
	b := newScheduleBundle(t, ts, "Expire")
	other := newScheduleBundle(t, ts, "Other")
	p := ts.createPoll(t, b.gm, b.id, weeklyPoll("Old", future(), 1))
	q := ts.createPoll(t, other.gm, other.id, weeklyPoll("Recent", future(), 1))
	b.gm.do(t, http.MethodPost, pollPath(b.id, p.ID, "close"), nil).requireStatus(t, http.StatusOK)
	other.gm.do(t, http.MethodPost, pollPath(other.id, q.ID, "close"), nil).requireStatus(t, http.StatusOK)
	ts.exec(t, "UPDATE availability_polls SET closed_at = now() - interval '24 hours 30 minutes' WHERE id = $1", p.ID)
	ts.exec(t, "UPDATE availability_polls SET closed_at = now() - interval '23 hours' WHERE id = $1", q.ID)
	before := len(live.changes())

	now := time.Now()
	require.NoError(t, ts.expirePolls(context.Background(), now.Add(-25*time.Hour), now.Add(-24*time.Hour)))
	require.Equal(t, []uuid.UUID{b.id}, live.changes()[before:])
	// The next window does not tell it again.
	require.NoError(t, ts.expirePolls(context.Background(), now.Add(-24*time.Hour), now.Add(-24*time.Hour+time.Minute)))
	require.Len(t, live.changes(), before+1)
}
