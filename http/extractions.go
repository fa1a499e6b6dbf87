package http

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"gametable/codex"
	"gametable/db"
)

// Recap extraction (CONTRACT.md section 8): a GM with AI access asks for
// proposals from a game session's recap; a background job (codex.Extractor,
// on River) reads the recap, with the language model when one is
// configured, and fills in the proposals; the GM applies the ones they
// accept. Every route is GM-only.
//
// An extraction is reachable both under its session,
// /sessions/{sessionId}/extractions/{extractionId}, and directly,
// /extractions/{extractionId}.

// JobInserter enqueues background jobs in the caller's transaction, so a
// row and the job that processes it commit together.
// *river.Client[pgx.Tx] implements it.
type JobInserter interface {
	InsertTx(ctx context.Context, tx pgx.Tx, args river.JobArgs, opts *river.InsertOpts) (*rivertype.JobInsertResult, error)
}

var _ JobInserter = (*river.Client[pgx.Tx])(nil)

// extractionRoutes mounts the extraction routes (behind requireMember).
func (s *Server) extractionRoutes(r chi.Router) {
	r.Group(func(r chi.Router) {
		r.Use(s.requireGM)
		r.Post("/sessions/{sessionId}/extractions", s.handleExtractionCreate)
		r.Get("/sessions/{sessionId}/extractions", s.handleExtractionList)
		r.Get("/sessions/{sessionId}/extractions/{extractionId}", s.handleExtractionGet)
		r.Post("/sessions/{sessionId}/extractions/{extractionId}/apply", s.handleExtractionApply)
		r.Get("/extractions/{extractionId}", s.handleExtractionGet)
		r.Post("/extractions/{extractionId}/apply", s.handleExtractionApply)
	})
}

// extractionJSON is CONTRACT.md's extraction. Reason says why a failed
// extraction failed. After apply, Accepted holds the accepted indexes and
// each accepted proposal's existingId the NPC or entity it created or
// linked.
type extractionJSON struct {
	ID         uuid.UUID      `json:"id"`
	SessionID  uuid.UUID      `json:"sessionId"`
	Status     string         `json:"status"`
	Reason     string         `json:"reason,omitempty"`
	Method     string         `json:"method,omitempty"`
	Proposals  []proposalJSON `json:"proposals"`
	Accepted   []int          `json:"accepted"`
	CreatedAt  time.Time      `json:"createdAt"`
	FinishedAt *time.Time     `json:"finishedAt,omitempty"`
	AppliedAt  *time.Time     `json:"appliedAt,omitempty"`
}

// proposalJSON is one proposal: kind is "npc" or an entity kind;
// existingId names the NPC or entity it links to; evidence is the
// sentence of the recap it comes from.
type proposalJSON struct {
	Kind       string     `json:"kind"`
	Name       string     `json:"name"`
	Summary    string     `json:"summary"`
	ExistingID *uuid.UUID `json:"existingId,omitempty"`
	Evidence   string     `json:"evidence"`
}

type extractionBody struct {
	Extraction extractionJSON `json:"extraction"`
}

func (extractionBody) responseBody() {}

type extractionListBody struct {
	Items []extractionJSON `json:"items"`
}

func (extractionListBody) responseBody() {}

func newExtractionJSON(x db.RecapExtraction) (extractionJSON, error) {
	props, err := codex.DecodeProposals(x.Proposals)
	if err != nil {
		return extractionJSON{}, err
	}
	accepted, err := codex.DecodeAccepted(x.Accepted)
	if err != nil {
		return extractionJSON{}, err
	}
	j := extractionJSON{
		ID:         x.ID,
		SessionID:  x.SessionID,
		Status:     x.Status,
		Proposals:  make([]proposalJSON, 0, len(props)),
		Accepted:   make([]int, 0, len(accepted)),
		CreatedAt:  x.CreatedAt.UTC(),
		FinishedAt: codexUTC(x.FinishedAt),
		AppliedAt:  codexUTC(x.AppliedAt),
	}
	if x.Status == codex.StatusFailed && x.Error != nil {
		j.Reason = *x.Error
	}
	if x.Method != nil {
		j.Method = *x.Method
	}
	for _, p := range props {
		j.Proposals = append(j.Proposals, proposalJSON{
			Kind: p.Kind, Name: p.Name, Summary: p.Summary, ExistingID: p.ExistingID, Evidence: p.Evidence,
		})
	}
	j.Accepted = append(j.Accepted, accepted...)
	return j, nil
}

func codexUTC(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

// errAIAccessDenied is the 403 for members without aiAccess.
func errAIAccessDenied() error {
	return &apiError{http.StatusForbidden, codeAIAccessDenied,
		"AI features need the campaign's AI to be enabled and your email to be verified", 0}
}

// aiAccess reports CONTRACT.md's aiAccess for the current user and
// campaign: the campaign has AI enabled and the user's email is verified.
func (s *Server) aiAccess(ctx context.Context) (bool, error) {
	u := userFrom(ctx)
	if u.EmailVerifiedAt == nil {
		return false, nil
	}
	c, err := s.queries.CampaignGet(ctx, db.CampaignGetParams{CampaignID: campaignFrom(ctx), UserID: u.ID})
	if err != nil {
		return false, fmt.Errorf("load campaign: %w", db.Interpret(err))
	}
	return c.AIEnabled, nil
}

// loadPlaySession loads the game session named by the URL's sessionId.
func (s *Server) loadPlaySession(r *http.Request) (db.PlaySession, error) {
	id, err := urlUUID(r, "sessionId", "session")
	if err != nil {
		return db.PlaySession{}, err
	}
	ps, err := s.queries.PlaySessionGet(r.Context(), db.PlaySessionGetParams{CampaignID: campaignFrom(r.Context()), ID: id})
	if err != nil {
		if err = db.Interpret(err); errors.Is(err, db.ErrNotFound) {
			return db.PlaySession{}, errNotFound("session")
		}
		return db.PlaySession{}, fmt.Errorf("load session: %w", err)
	}
	return ps, nil
}

// extractionCreateRequest is the optional body of POST …/extractions:
// nothing, or {}.
type extractionCreateRequest struct{}

func (extractionCreateRequest) validate() error { return nil }

// handleExtractionCreate queues an extraction of the session's recap: 404
// for a session not in this campaign, 403 ai_access_denied without
// aiAccess, 409 when the session has no recap, else 202 with the pending
// extraction. The row and its job are written in one transaction.
func (s *Server) handleExtractionCreate(w http.ResponseWriter, r *http.Request) {
	ps, err := s.loadPlaySession(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if r.ContentLength != 0 {
		var req extractionCreateRequest
		if err := decodeJSON(w, r, &req); err != nil {
			s.writeError(w, r, err)
			return
		}
	}
	ctx := r.Context()
	ok, err := s.aiAccess(ctx)
	switch {
	case err != nil:
		s.writeError(w, r, err)
		return
	case !ok:
		s.writeError(w, r, errAIAccessDenied())
		return
	case strings.TrimSpace(ps.Recap) == "":
		s.writeError(w, r, errConflict("the session has no recap to read yet"))
		return
	case s.opts.Jobs == nil:
		s.writeError(w, r, errUnavailable("background jobs are not running on this server"))
		return
	}
	var x db.RecapExtraction
	err = db.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		var err error
		x, err = db.New(tx).ExtractionCreate(ctx, db.ExtractionCreateParams{
			CampaignID: ps.CampaignID, SessionID: ps.ID, CreatedBy: userFrom(ctx).ID,
		})
		if err != nil {
			return fmt.Errorf("create extraction: %w", db.Interpret(err))
		}
		if _, err := s.opts.Jobs.InsertTx(ctx, tx, codex.ExtractArgs{CampaignID: x.CampaignID, ExtractionID: x.ID}, nil); err != nil {
			return fmt.Errorf("queue extraction job: %w", err)
		}
		return nil
	})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	j, err := newExtractionJSON(x)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusAccepted, extractionBody{j})
}

// handleExtractionList lists a session's extractions, newest first.
func (s *Server) handleExtractionList(w http.ResponseWriter, r *http.Request) {
	ps, err := s.loadPlaySession(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	rows, err := s.queries.ExtractionListBySession(r.Context(), db.ExtractionListBySessionParams{CampaignID: ps.CampaignID, SessionID: ps.ID})
	if err != nil {
		s.writeError(w, r, fmt.Errorf("list extractions: %w", err))
		return
	}
	body := extractionListBody{Items: make([]extractionJSON, 0, len(rows))}
	for _, row := range rows {
		j, err := newExtractionJSON(row)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		body.Items = append(body.Items, j)
	}
	writeJSON(w, http.StatusOK, body)
}

// extractionIDs reads the URL's extractionId and, on the routes under a
// session, its sessionId (nil otherwise).
func extractionIDs(r *http.Request) (id uuid.UUID, sessionID *uuid.UUID, err error) {
	id, err = urlUUID(r, "extractionId", "extraction")
	if err != nil {
		return uuid.Nil, nil, err
	}
	if chi.URLParam(r, "sessionId") != "" {
		sid, err := urlUUID(r, "sessionId", "extraction")
		if err != nil {
			return uuid.Nil, nil, err
		}
		sessionID = &sid
	}
	return id, sessionID, nil
}

// loadExtraction loads the URL's extraction (of the URL's session, if the
// route names one).
func (s *Server) loadExtraction(r *http.Request) (db.RecapExtraction, error) {
	id, sessionID, err := extractionIDs(r)
	if err != nil {
		return db.RecapExtraction{}, err
	}
	x, err := s.queries.ExtractionGet(r.Context(), db.ExtractionGetParams{CampaignID: campaignFrom(r.Context()), ID: id, SessionID: sessionID})
	if err != nil {
		if err = db.Interpret(err); errors.Is(err, db.ErrNotFound) {
			return db.RecapExtraction{}, errNotFound("extraction")
		}
		return db.RecapExtraction{}, fmt.Errorf("load extraction: %w", err)
	}
	return x, nil
}

func (s *Server) handleExtractionGet(w http.ResponseWriter, r *http.Request) {
	x, err := s.loadExtraction(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	j, err := newExtractionJSON(x)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, extractionBody{j})
}

type extractionApplyRequest struct {
	Accept *[]int `json:"accept"`
}

func (req *extractionApplyRequest) validate() error {
	var v validator
	switch {
	case req.Accept == nil:
		v.add("accept", "is required: the indexes of the proposals to apply (an empty list dismisses them all)")
	case len(*req.Accept) > codex.MaxProposals:
		v.add("accept", "must hold at most "+strconv.Itoa(codex.MaxProposals)+" indexes")
	default:
		for _, i := range *req.Accept {
			if i < 0 {
				v.add("accept", "must hold proposal indexes (0, 1, …)")
				break
			}
		}
	}
	return v.err()
}

// handleExtractionApply applies the accepted proposals (codex.Apply): 200
// with the applied extraction; applying again changes nothing and answers
// the same; 409 while it is pending or after it failed; 422 for an index
// that names no proposal.
func (s *Server) handleExtractionApply(w http.ResponseWriter, r *http.Request) {
	x, err := s.loadExtraction(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var req extractionApplyRequest
	if err := decodeJSON(w, r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	ctx := r.Context()
	applied, err := codex.Apply(ctx, s.pool, x.CampaignID, x.ID, *req.Accept)
	if err != nil {
		var ie *codex.IndexError
		switch {
		case errors.As(err, &ie):
			err = &validationError{Fields: map[string]string{
				"accept": fmt.Sprintf("index %d names no proposal; there are %d", ie.Index, ie.Count),
			}}
		case errors.Is(err, codex.ErrNotReady):
			err = errConflict("the extraction is " + x.Status + "; only a done extraction can be applied")
		case errors.Is(err, db.ErrNotFound):
			err = errNotFound("extraction")
		}
		s.writeError(w, r, err)
		return
	}
	j, err := newExtractionJSON(applied)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, extractionBody{j})
}
