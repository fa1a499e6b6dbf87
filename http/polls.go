package http

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"gametable/db"
	"gametable/hub"
	"gametable/schedule"
)

// Availability polls (CONTRACT.md section 4).
//
// PostgreSQL holds every poll; the campaign's hub holds the live part
// (CONTRACT.md section 7, state.polls). Every change is persisted first and
// then published through the hub:
//   - a vote, over HTTP as over the WebSocket, is a poll.vote command that
//     the hub applies, persists and publishes (LivePolls.PollVote);
//   - creating, closing (by a GM or at closesAt) and finalizing are written
//     here, in SQL, and then the hub is told to read its polls part again
//     and publish the difference (LivePolls.PollsChanged).
//
// A poll whose closesAt has passed is closed by the poll closer
// (RunPollCloser), and also by any request that meets it first, through the
// same closePoll path: a vote after closesAt is 409 even if the closer has
// not run yet.

// pollRoutes mounts /api/campaigns/{campaignId}/polls (behind
// requireMember): members read and vote, GMs create, close and finalize.
func (s *Server) pollRoutes(r chi.Router) {
	r.Get("/polls", s.handlePollList)
	r.With(s.requireGM).Post("/polls", s.handlePollCreate)
	r.Get("/polls/{pollId}", s.handlePollGet)
	r.Put("/polls/{pollId}/votes/{optionId}", s.handlePollVote)
	r.Delete("/polls/{pollId}/votes/{optionId}", s.handlePollUnvote)
	r.With(s.requireGM).Post("/polls/{pollId}/close", s.handlePollClose)
	r.With(s.requireGM).Post("/polls/{pollId}/finalize", s.handlePollFinalize)
}

// LivePolls carries poll changes into the live state (CONTRACT.md section
// 7). The hub's Registry, or an adapter around it, implements it; the
// server finds it on the value given as Options.Live (see livePolls).
type LivePolls interface {
	// PollVote applies a poll.vote command of the member userID (with
	// role "gm" or "player") exactly as if it came over the WebSocket: the
	// hub checks it against its state, persists it and publishes the patch
	// before it returns. answer is "yes", "maybe", "no", or "none" to
	// withdraw. Errors the rules raise are *hub.RuleError values, or
	// errors matching ErrPollVoteClosed / ErrPollVoteNotFound.
	PollVote(ctx context.Context, campaignID, userID uuid.UUID, role string, pollID, optionID uuid.UUID, answer string) error
	// PollsChanged tells the campaign's hub, if one is running, that polls
	// changed in PostgreSQL (created, closed, finalized, or due to leave
	// the live state): it reads its polls part again and publishes the
	// patch. Without a running hub there is nobody to tell and it returns
	// nil; the next hub loads the polls from PostgreSQL.
	PollsChanged(ctx context.Context, campaignID uuid.UUID) error
}

// Errors a LivePolls.PollVote may return (wrapped or matched with
// errors.Is) for the two refusals that depend on the live state.
var (
	ErrPollVoteClosed   = errors.New("the poll is closed")
	ErrPollVoteNotFound = errors.New("poll or option not found")
)

// HubPolls is LivePolls on the hub's Registry: votes are poll.vote
// commands run through Registry.Do, the WebSocket's path, and other
// changes are Registry.Reload of the polls part.
type HubPolls struct {
	Registry *hub.Registry
}

var _ LivePolls = HubPolls{}

// PollVote implements LivePolls.
func (h HubPolls) PollVote(ctx context.Context, campaignID, userID uuid.UUID, role string, pollID, optionID uuid.UUID, answer string) error {
	data, err := json.Marshal(map[string]string{"pollId": pollID.String(), "optionId": optionID.String(), "answer": answer})
	if err != nil {
		return fmt.Errorf("encode vote: %w", err)
	}
	_, err = h.Registry.Do(ctx, campaignID.String(),
		hub.Actor{UserID: userID.String(), Role: hub.Role(role)},
		hub.Command{Type: hub.TypePollVote, Data: data})
	return pollHubError(err)
}

// PollsChanged implements LivePolls.
func (h HubPolls) PollsChanged(ctx context.Context, campaignID uuid.UUID) error {
	return pollHubError(h.Registry.Reload(ctx, campaignID.String(), hub.PartPolls))
}

// pollHubError maps the hub's errors to the API's.
func pollHubError(err error) error {
	var re *hub.RuleError
	switch {
	case err == nil:
		return nil
	case errors.Is(err, hub.ErrPollClosed):
		return fmt.Errorf("%w: %w", ErrPollVoteClosed, err)
	case errors.Is(err, hub.ErrPollNotFound), errors.Is(err, hub.ErrOptionNotFound):
		return fmt.Errorf("%w: %w", ErrPollVoteNotFound, err)
	case errors.Is(err, hub.ErrShuttingDown), errors.Is(err, hub.ErrHubStopped):
		return errUnavailable("the live service is restarting; try again")
	case errors.As(err, &re):
		switch re.Code {
		case hub.CodeValidationFailed:
			return &validationError{Fields: re.Fields}
		case hub.CodeForbidden:
			return errForbidden(re.Message)
		case hub.CodeNotFound:
			return errNotFound("poll option")
		case hub.CodeConflict:
			return errConflict(re.Message)
		case hub.CodeRateLimited:
			return errRateLimited(time.Second)
		case hub.CodeBadRequest:
			return errBadRequest(re.Message)
		}
	}
	return fmt.Errorf("live vote: %w", err)
}

// livePolls returns the live side of polls: Options.Live when it
// implements LivePolls, else nil (no hub: votes are written directly).
func (s *Server) livePolls() LivePolls {
	if lp, ok := s.live.(LivePolls); ok {
		return lp
	}
	return nil
}

// publishTimeout bounds telling a hub that polls changed.
const publishTimeout = 10 * time.Second

// publishPolls tells the campaign's hub that its polls changed. The change
// is committed already, so it goes on when the client has gone away, and a
// failure is logged, not returned: the hub reads the polls again whenever
// it next loads.
func (s *Server) publishPolls(ctx context.Context, campaignID uuid.UUID) {
	lp := s.livePolls()
	if lp == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), publishTimeout)
	defer cancel()
	if err := lp.PollsChanged(ctx, campaignID); err != nil {
		s.logger.ErrorContext(ctx, "publish polls", "campaign_id", campaignID, "err", err)
	}
}

// Limits of polls.
const (
	maxPollTitleLen = 200
	maxPollOptions  = 50
)

// Poll statuses.
const (
	pollOpen   = "open"
	pollClosed = "closed"
)

// pollJSON is CONTRACT.md's `poll`, plus createdAt and closedAt.
type pollJSON struct {
	ID        uuid.UUID        `json:"id"`
	Title     string           `json:"title"`
	Status    string           `json:"status"`
	ClosesAt  *time.Time       `json:"closesAt,omitempty"`
	ClosedAt  *time.Time       `json:"closedAt,omitempty"`
	SessionID *uuid.UUID       `json:"sessionId,omitempty"`
	Options   []pollOptionJSON `json:"options"`
	Best      *uuid.UUID       `json:"best,omitempty"`
	CreatedAt time.Time        `json:"createdAt"`
}

// pollOptionJSON is one option: its slot (with local date and time in the
// campaign's zone), its tallies and every member's answer.
type pollOptionJSON struct {
	ID           uuid.UUID            `json:"id"`
	StartsAt     time.Time            `json:"startsAt"`
	EndsAt       *time.Time           `json:"endsAt,omitempty"`
	LocalDate    string               `json:"localDate"`
	LocalTime    string               `json:"localTime"`
	LocalEndDate string               `json:"localEndDate,omitempty"`
	LocalEndTime string               `json:"localEndTime,omitempty"`
	Yes          int                  `json:"yes"`
	Maybe        int                  `json:"maybe"`
	No           int                  `json:"no"`
	Votes        map[uuid.UUID]string `json:"votes"`
}

type pollBody struct {
	Poll pollJSON `json:"poll"`
}

func (pollBody) responseBody() {}

type pollListBody struct {
	Items []pollJSON `json:"items"`
}

func (pollListBody) responseBody() {}

// buildPolls loads the options and votes of polls (all of campaignID) and
// builds their JSON, in the order given.
func buildPolls(ctx context.Context, q *db.Queries, campaignID uuid.UUID, polls []db.AvailabilityPoll, loc *time.Location) ([]pollJSON, error) {
	out := make([]pollJSON, 0, len(polls))
	if len(polls) == 0 {
		return out, nil
	}
	ids := make([]uuid.UUID, 0, len(polls))
	for _, p := range polls {
		ids = append(ids, p.ID)
	}
	opts, err := q.PollOptionList(ctx, db.PollOptionListParams{CampaignID: campaignID, PollIds: ids})
	if err != nil {
		return nil, fmt.Errorf("list poll options: %w", err)
	}
	votes, err := q.PollVoteList(ctx, db.PollVoteListParams{CampaignID: campaignID, PollIds: ids})
	if err != nil {
		return nil, fmt.Errorf("list poll votes: %w", err)
	}
	byOption := make(map[uuid.UUID]map[uuid.UUID]string, len(opts))
	for _, v := range votes {
		m := byOption[v.OptionID]
		if m == nil {
			m = map[uuid.UUID]string{}
			byOption[v.OptionID] = m
		}
		m[v.UserID] = v.Answer
	}
	byPoll := make(map[uuid.UUID][]pollOptionJSON, len(polls))
	for _, o := range opts {
		byPoll[o.PollID] = append(byPoll[o.PollID], newPollOptionJSON(o, byOption[o.ID], loc))
	}
	for _, p := range polls {
		out = append(out, newPollJSON(p, byPoll[p.ID]))
	}
	return out, nil
}

func newPollOptionJSON(o db.PollOptionListRow, votes map[uuid.UUID]string, loc *time.Location) pollOptionJSON {
	if votes == nil {
		votes = map[uuid.UUID]string{}
	}
	t := schedule.Count(votes)
	j := pollOptionJSON{
		ID:       o.ID,
		StartsAt: o.StartsAt.UTC(),
		Yes:      t.Yes,
		Maybe:    t.Maybe,
		No:       t.No,
		Votes:    votes,
	}
	j.LocalDate, j.LocalTime = schedule.Local(j.StartsAt, loc)
	if o.EndsAt != nil {
		end := o.EndsAt.UTC()
		j.EndsAt = &end
		j.LocalEndDate, j.LocalEndTime = schedule.Local(end, loc)
	}
	return j
}

// newPollJSON builds a poll from its row and its options (in display
// order), with best chosen by schedule.Best.
func newPollJSON(p db.AvailabilityPoll, opts []pollOptionJSON) pollJSON {
	if opts == nil {
		opts = []pollOptionJSON{}
	}
	j := pollJSON{
		ID:        p.ID,
		Title:     p.Title,
		Status:    p.Status,
		ClosesAt:  pollUTC(p.ClosesAt),
		ClosedAt:  pollUTC(p.ClosedAt),
		SessionID: p.SessionID,
		Options:   opts,
		CreatedAt: p.CreatedAt.UTC(),
	}
	cands := make([]schedule.Option, 0, len(opts))
	for _, o := range opts {
		cands = append(cands, schedule.Option{StartsAt: o.StartsAt, Tally: schedule.Tally{Yes: o.Yes, Maybe: o.Maybe, No: o.No}})
	}
	if i, ok := schedule.Best(cands); ok {
		id := opts[i].ID
		j.Best = &id
	}
	return j
}

func pollUTC(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

// loadPoll builds one poll of the campaign as the API shows it.
func (s *Server) loadPoll(ctx context.Context, campaignID, pollID uuid.UUID) (pollJSON, error) {
	p, err := s.queries.PollGet(ctx, db.PollGetParams{CampaignID: campaignID, ID: pollID})
	if err != nil {
		if err = db.Interpret(err); errors.Is(err, db.ErrNotFound) {
			return pollJSON{}, errNotFound("poll")
		}
		return pollJSON{}, fmt.Errorf("load poll: %w", err)
	}
	loc, err := s.campaignZone(ctx, s.queries, campaignID)
	if err != nil {
		return pollJSON{}, err
	}
	polls, err := buildPolls(ctx, s.queries, campaignID, []db.AvailabilityPoll{p}, loc)
	if err != nil {
		return pollJSON{}, err
	}
	return polls[0], nil
}

// writePoll answers with the poll as it is now.
func (s *Server) writePoll(w http.ResponseWriter, r *http.Request, status int, campaignID, pollID uuid.UUID) {
	p, err := s.loadPoll(r.Context(), campaignID, pollID)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, status, pollBody{p})
}

// pollDue reports whether an open poll's closesAt has passed.
func pollDue(p db.AvailabilityPoll, now time.Time) bool {
	return p.Status == pollOpen && p.ClosesAt != nil && !p.ClosesAt.After(now)
}

// closePoll closes the poll if it is open and publishes the change; it is
// the one path of the GM's close, of the poll closer and of requests that
// meet a poll past its closesAt. closed is false when the poll was closed
// already. A poll that does not exist is errNotFound.
func (s *Server) closePoll(ctx context.Context, campaignID, pollID uuid.UUID) (closed bool, err error) {
	n, err := s.queries.PollClose(ctx, db.PollCloseParams{CampaignID: campaignID, ID: pollID})
	if err != nil {
		return false, fmt.Errorf("close poll: %w", db.Interpret(err))
	}
	if n == 0 {
		if _, err := s.queries.PollGet(ctx, db.PollGetParams{CampaignID: campaignID, ID: pollID}); err != nil {
			if err = db.Interpret(err); errors.Is(err, db.ErrNotFound) {
				return false, errNotFound("poll")
			}
			return false, fmt.Errorf("load poll: %w", err)
		}
		return false, nil
	}
	s.publishPolls(ctx, campaignID)
	return true, nil
}

// closeDue closes those of polls whose closesAt has passed (the closer
// may not have reached them yet) and updates them in place.
func (s *Server) closeDue(ctx context.Context, campaignID uuid.UUID, polls []db.AvailabilityPoll) error {
	now := time.Now()
	for i, p := range polls {
		if !pollDue(p, now) {
			continue
		}
		if _, err := s.closePoll(ctx, campaignID, p.ID); err != nil {
			return err
		}
		np, err := s.queries.PollGet(ctx, db.PollGetParams{CampaignID: campaignID, ID: p.ID})
		if err != nil {
			return fmt.Errorf("load poll: %w", db.Interpret(err))
		}
		polls[i] = np
	}
	return nil
}

func (s *Server) handlePollList(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	id := campaignFrom(ctx)
	rows, err := s.queries.PollList(ctx, id)
	if err != nil {
		s.writeError(w, r, fmt.Errorf("list polls: %w", err))
		return
	}
	if err := s.closeDue(ctx, id, rows); err != nil {
		s.writeError(w, r, err)
		return
	}
	loc, err := s.campaignZone(ctx, s.queries, id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	items, err := buildPolls(ctx, s.queries, id, rows, loc)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, pollListBody{Items: items})
}

// pollFromURL loads the poll {pollId} of the request's campaign, closing
// it first when its closesAt has passed.
func (s *Server) pollFromURL(r *http.Request) (db.AvailabilityPoll, error) {
	ctx := r.Context()
	pid, err := urlUUID(r, "pollId", "poll")
	if err != nil {
		return db.AvailabilityPoll{}, err
	}
	id := campaignFrom(ctx)
	p, err := s.queries.PollGet(ctx, db.PollGetParams{CampaignID: id, ID: pid})
	if err != nil {
		if err = db.Interpret(err); errors.Is(err, db.ErrNotFound) {
			return db.AvailabilityPoll{}, errNotFound("poll")
		}
		return db.AvailabilityPoll{}, fmt.Errorf("load poll: %w", err)
	}
	polls := []db.AvailabilityPoll{p}
	if err := s.closeDue(ctx, id, polls); err != nil {
		return db.AvailabilityPoll{}, err
	}
	return polls[0], nil
}

func (s *Server) handlePollGet(w http.ResponseWriter, r *http.Request) {
	p, err := s.pollFromURL(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writePoll(w, r, http.StatusOK, p.CampaignID, p.ID)
}

type createPollRequest struct {
	Title    string              `json:"title"`
	Options  []pollOptionRequest `json:"options"`
	ClosesAt *string             `json:"closesAt"`

	slots    []pollSlot
	closesAt *time.Time
}

type pollOptionRequest struct {
	StartsAt *string `json:"startsAt"`
	EndsAt   *string `json:"endsAt"`
}

// pollSlot is a validated option.
type pollSlot struct {
	start time.Time
	end   *time.Time
}

// key identifies a slot for the duplicate check: two options with the same
// start and the same end (or both without one) are the same slot.
func (p pollSlot) key() [2]int64 {
	k := [2]int64{p.start.UnixMicro(), -1 << 63}
	if p.end != nil {
		k[1] = p.end.UnixMicro()
	}
	return k
}

// validate checks the poll. Errors in an option are named after it
// ("options[2].endsAt") and summed up under "options", so that a client
// can show either.
func (req *createPollRequest) validate() error {
	var v validator
	checkName(&v, "title", &req.Title, maxPollTitleLen)
	switch n := len(req.Options); {
	case n == 0:
		v.add("options", "must have at least one option")
	case n > maxPollOptions:
		v.add("options", "must have at most "+strconv.Itoa(maxPollOptions)+" options")
	default:
		seen := make(map[[2]int64]int, n)
		req.slots = make([]pollSlot, 0, n)
		for i, o := range req.Options {
			field := "options[" + strconv.Itoa(i) + "]"
			var slot pollSlot
			bad := func(sub, msg string) {
				v.add(field+sub, msg)
				v.add("options", "option "+strconv.Itoa(i)+": "+msg)
			}
			if o.StartsAt == nil {
				bad(".startsAt", "is required")
				continue
			}
			var sub validator
			start := checkInstant(&sub, "x", *o.StartsAt)
			if start == nil {
				bad(".startsAt", sub.fields["x"])
				continue
			}
			slot.start = *start
			if o.EndsAt != nil {
				sub = validator{}
				end := checkInstant(&sub, "x", *o.EndsAt)
				if end == nil {
					bad(".endsAt", sub.fields["x"])
					continue
				}
				if !end.After(*start) {
					bad(".endsAt", "must be after startsAt")
					continue
				}
				slot.end = end
			}
			if j, dup := seen[slot.key()]; dup {
				bad("", "is the same slot as option "+strconv.Itoa(j))
				continue
			}
			seen[slot.key()] = i
			req.slots = append(req.slots, slot)
		}
	}
	if req.ClosesAt != nil {
		req.closesAt = checkInstant(&v, "closesAt", *req.ClosesAt)
		if req.closesAt != nil && !req.closesAt.After(time.Now()) {
			v.add("closesAt", "must be in the future")
		}
	}
	return v.err()
}

func (s *Server) handlePollCreate(w http.ResponseWriter, r *http.Request) {
	var req createPollRequest
	if err := decodeJSON(w, r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	ctx := r.Context()
	id := campaignFrom(ctx)
	var poll db.AvailabilityPoll
	err := db.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		q := db.New(tx)
		var err error
		poll, err = q.PollCreate(ctx, db.PollCreateParams{
			CampaignID: id,
			Title:      req.Title,
			ClosesAt:   req.closesAt,
			CreatedBy:  userFrom(ctx).ID,
		})
		if err != nil {
			return fmt.Errorf("create poll: %w", db.Interpret(err))
		}
		params := make([]db.PollOptionCreateParams, 0, len(req.slots))
		for i, sl := range req.slots {
			params = append(params, db.PollOptionCreateParams{
				CampaignID: id, PollID: poll.ID, StartsAt: sl.start, EndsAt: sl.end, Position: int32(i),
			})
		}
		var first error
		br := q.PollOptionCreate(ctx, params)
		br.QueryRow(func(_ int, _ db.AvailabilityOption, err error) {
			if err != nil && first == nil {
				first = err
			}
		})
		if err := br.Close(); err != nil && first == nil {
			first = err
		}
		if first != nil {
			return fmt.Errorf("create poll options: %w", db.Interpret(first))
		}
		return nil
	})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.publishPolls(ctx, id)
	s.writePoll(w, r, http.StatusCreated, id, poll.ID)
}

type voteRequest struct {
	Answer string `json:"answer"`
}

func (req *voteRequest) validate() error {
	var v validator
	v.check(schedule.ValidAnswer(req.Answer), "answer", `must be "yes", "maybe" or "no"`)
	return v.err()
}

func (s *Server) handlePollVote(w http.ResponseWriter, r *http.Request) {
	var req voteRequest
	if err := decodeJSON(w, r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	s.vote(w, r, req.Answer)
}

// handlePollUnvote withdraws the caller's vote for the option (no vote:
// nothing changes) and answers 200 with the poll, like PUT.
func (s *Server) handlePollUnvote(w http.ResponseWriter, r *http.Request) {
	s.vote(w, r, "none")
}

// vote sets (or with "none" withdraws) the caller's answer for the
// option {optionId} of the poll {pollId}: 404 for a poll or option that
// is not there, 409 when the poll is closed. The vote goes through the
// hub when there is one, so that it is published like a WebSocket vote.
func (s *Server) vote(w http.ResponseWriter, r *http.Request, answer string) {
	ctx := r.Context()
	m := membershipFrom(ctx)
	p, err := s.pollFromURL(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	oid, err := urlUUID(r, "optionId", "option")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if err := s.requireOption(ctx, p, oid); err != nil {
		s.writeError(w, r, err)
		return
	}
	if p.Status != pollOpen {
		s.writeError(w, r, errConflict("the poll is closed"))
		return
	}
	if lp := s.livePolls(); lp != nil {
		err = lp.PollVote(ctx, m.CampaignID, m.UserID, m.Role, p.ID, oid, answer)
		if errors.Is(err, ErrPollVoteNotFound) {
			// The poll and the option exist (checked above) but the live
			// state does not show the poll: write the vote here and have
			// the hub read the polls again.
			if err = s.voteDirect(ctx, m, p.ID, oid, answer); err == nil {
				s.publishPolls(ctx, m.CampaignID)
			}
		}
	} else {
		err = s.voteDirect(ctx, m, p.ID, oid, answer)
	}
	if err != nil {
		s.writeError(w, r, voteError(err))
		return
	}
	s.writePoll(w, r, http.StatusOK, p.CampaignID, p.ID)
}

// requireOption is errNotFound unless optionID is an option of p.
func (s *Server) requireOption(ctx context.Context, p db.AvailabilityPoll, optionID uuid.UUID) error {
	opts, err := s.queries.PollOptionList(ctx, db.PollOptionListParams{CampaignID: p.CampaignID, PollIds: []uuid.UUID{p.ID}})
	if err != nil {
		return fmt.Errorf("list poll options: %w", err)
	}
	for _, o := range opts {
		if o.ID == optionID {
			return nil
		}
	}
	return errNotFound("option")
}

// voteDirect writes a vote without a hub (no live clients to tell). The
// queries refuse a closed poll (0 rows): 409.
func (s *Server) voteDirect(ctx context.Context, m membership, pollID, optionID uuid.UUID, answer string) error {
	var n int64
	var err error
	if answer == "none" {
		n, err = s.queries.LivePollVoteDelete(ctx, db.LivePollVoteDeleteParams{CampaignID: m.CampaignID, PollID: pollID, OptionID: optionID, UserID: m.UserID})
		if err == nil && n == 0 {
			// No vote to remove, or a closed poll.
			p, gerr := s.queries.PollGet(ctx, db.PollGetParams{CampaignID: m.CampaignID, ID: pollID})
			if gerr != nil {
				return fmt.Errorf("load poll: %w", db.Interpret(gerr))
			}
			if p.Status != pollOpen {
				return ErrPollVoteClosed
			}
		}
	} else {
		n, err = s.queries.LivePollVoteSet(ctx, db.LivePollVoteSetParams{CampaignID: m.CampaignID, PollID: pollID, OptionID: optionID, UserID: m.UserID, Answer: answer})
		if err == nil && n == 0 {
			return ErrPollVoteClosed
		}
	}
	if err != nil {
		return fmt.Errorf("vote: %w", db.Interpret(err))
	}
	return nil
}

// voteError maps the refusals of a vote to the API's errors.
func voteError(err error) error {
	switch {
	case errors.Is(err, ErrPollVoteClosed):
		return errConflict("the poll is closed")
	case errors.Is(err, ErrPollVoteNotFound):
		return errNotFound("poll option")
	}
	return err
}

func (s *Server) handlePollClose(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	pid, err := urlUUID(r, "pollId", "poll")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	id := campaignFrom(ctx)
	if _, err := s.closePoll(ctx, id, pid); err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writePoll(w, r, http.StatusOK, id, pid)
}

// finalizeRequest picks the option that becomes a session. title
// (optional, an extension) is the new session's title.
type finalizeRequest struct {
	OptionID string  `json:"optionId"`
	Title    *string `json:"title"`

	optionID uuid.UUID
}

func (req *finalizeRequest) validate() error {
	var v validator
	id, err := uuid.Parse(req.OptionID)
	switch {
	case req.OptionID == "":
		v.add("optionId", "is required")
	case err != nil:
		v.add("optionId", "must be an option id")
	default:
		req.optionID = id
	}
	if req.Title != nil {
		checkTitle(&v, "title", req.Title, maxSessionTitleLen)
	}
	return v.err()
}

// handlePollFinalize turns an option into a planned session at its start
// and closes the poll, in one transaction: 201 with the session. A poll
// finalized already is 409; an option that is not the poll's is 404.
func (s *Server) handlePollFinalize(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	id := campaignFrom(ctx)
	pid, err := urlUUID(r, "pollId", "poll")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var req finalizeRequest
	if err := decodeJSON(w, r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	var session db.PlaySession
	err = db.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		q := db.New(tx)
		p, err := q.PollGetForUpdate(ctx, db.PollGetForUpdateParams{CampaignID: id, ID: pid})
		if err != nil {
			if err = db.Interpret(err); errors.Is(err, db.ErrNotFound) {
				return errNotFound("poll")
			}
			return fmt.Errorf("lock poll: %w", err)
		}
		if p.SessionID != nil {
			return errConflict("the poll is finalized already")
		}
		opts, err := q.PollOptionList(ctx, db.PollOptionListParams{CampaignID: id, PollIds: []uuid.UUID{pid}})
		if err != nil {
			return fmt.Errorf("list poll options: %w", err)
		}
		var start *time.Time
		for _, o := range opts {
			if o.ID == req.optionID {
				t := o.StartsAt
				start = &t
			}
		}
		if start == nil {
			return errNotFound("option")
		}
		session, err = createSession(ctx, q, db.PlaySessionCreateParams{
			CampaignID: id, Title: deref(req.Title, ""), ScheduledAt: start, Status: sessionPlanned,
		}, false)
		if err != nil {
			return err
		}
		n, err := q.PollFinalize(ctx, db.PollFinalizeParams{CampaignID: id, ID: pid, SessionID: session.ID})
		if err != nil {
			return fmt.Errorf("finalize poll: %w", db.Interpret(err))
		}
		if n == 0 {
			return errConflict("the poll is finalized already")
		}
		return nil
	})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.publishPolls(ctx, id)
	s.writeSession(w, r, http.StatusCreated, session)
}

// Poll closer timing.
const (
	// DefaultPollCloserInterval is the poll closer's longest sleep: a poll
	// created while it sleeps closes at most this late (requests that meet
	// it close it on time). Known deadlines wake it on time.
	DefaultPollCloserInterval = 5 * time.Second
	// pollLiveRetention is how long a closed poll stays in the live state.
	pollLiveRetention = 24 * time.Hour
	// pollCloseBatch bounds the polls closed per round.
	pollCloseBatch = 100
)

// RunPollCloser closes polls at their closesAt until ctx is done, through
// closePoll, as the GM's close does (persist, then publish). It is correct
// after a restart: the deadlines are in PostgreSQL, and its first round
// closes every poll whose closesAt passed while the server was down. Run
// one per process (several are safe: PollClose closes a poll once). It
// also tells the hubs when a closed poll has been closed for 24 hours, so
// that it leaves their live state. interval ≤ 0 means
// DefaultPollCloserInterval.
func (s *Server) RunPollCloser(ctx context.Context, interval time.Duration) {
	if interval <= 0 {
		interval = DefaultPollCloserInterval
	}
	// Polls closed before the retention window started are out of every
	// hub's state already (hubs load only the last 24 hours' closed polls).
	expiredUntil := time.Now().Add(-pollLiveRetention)
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-timer.C:
		}
		next := s.closeDuePolls(ctx)
		now := time.Now()
		until := now.Add(-pollLiveRetention)
		if err := s.expirePolls(ctx, expiredUntil, until); err == nil {
			expiredUntil = until
		}
		sleep := interval
		if !next.IsZero() {
			sleep = min(sleep, max(next.Sub(now), 10*time.Millisecond))
		}
		timer.Reset(sleep)
	}
}

// closeDuePolls closes every open poll whose closesAt has passed and
// returns the next deadline (zero: none known). Errors are logged; the
// next round tries again.
func (s *Server) closeDuePolls(ctx context.Context) time.Time {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	for {
		due, err := s.queries.PollListDue(ctx, db.PollListDueParams{Now: time.Now(), MaxRows: pollCloseBatch})
		if err != nil {
			if ctx.Err() == nil {
				s.logger.Error("poll closer", "err", err)
			}
			return time.Time{}
		}
		for _, p := range due {
			if _, err := s.closePoll(ctx, p.CampaignID, p.ID); err != nil && !isNotFound(err) {
				if ctx.Err() == nil {
					s.logger.Error("poll closer", "campaign_id", p.CampaignID, "poll_id", p.ID, "err", err)
				}
				return time.Time{}
			}
			s.logger.Debug("poll closed at its deadline", "campaign_id", p.CampaignID, "poll_id", p.ID)
		}
		if len(due) < pollCloseBatch {
			break
		}
	}
	next, err := s.queries.PollNextClosesAt(ctx)
	if err != nil || next == nil {
		if err = db.Interpret(err); err != nil && !errors.Is(err, db.ErrNotFound) && ctx.Err() == nil {
			s.logger.Error("poll closer", "err", err)
		}
		return time.Time{}
	}
	return *next
}

// expirePolls tells the hubs of campaigns with a poll closed in
// (after, until] that it leaves their live state.
func (s *Server) expirePolls(ctx context.Context, after, until time.Time) error {
	if !until.After(after) || s.livePolls() == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	ids, err := s.queries.PollCampaignsClosedBetween(ctx, db.PollCampaignsClosedBetweenParams{After: after, Until: until})
	if err != nil {
		if ctx.Err() == nil {
			s.logger.Error("poll closer: expire", "err", err)
		}
		return err
	}
	for _, id := range ids {
		s.publishPolls(ctx, id)
	}
	return nil
}

// isNotFound reports whether err is a 404 of ours.
func isNotFound(err error) bool {
	var ae *apiError
	return errors.As(err, &ae) && ae.status == http.StatusNotFound
}
