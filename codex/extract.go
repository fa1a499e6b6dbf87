package codex

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"

	"gametable/db"
	"gametable/llm"
)

// ExtractArgs is the River job that turns a pending recap extraction into
// proposals. Insert it in the transaction that creates the extraction row
// (db.ExtractionCreate), so that neither exists without the other.
type ExtractArgs struct {
	CampaignID   uuid.UUID `json:"campaignId"`
	ExtractionID uuid.UUID `json:"extractionId"`
}

// Kind names the job in River's tables.
func (ExtractArgs) Kind() string { return "codex_extract" }

// maxAttempts is how often a failing extraction job runs before the
// extraction is marked failed. Failures here are database errors and
// shutdowns; a failing model is not one (the job falls back to Offline).
const maxAttempts = 5

// InsertOpts runs the job on River's default queue.
func (ExtractArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: maxAttempts}
}

// Config configures an Extractor.
type Config struct {
	// Pool is the database (required).
	Pool *pgxpool.Pool
	// LLM, when set, is asked for proposals first; nil uses the offline
	// method only.
	LLM *llm.Client
	// Logger; default discards.
	Logger *slog.Logger
}

// Extractor runs recap extractions. It is safe for concurrent use.
type Extractor struct {
	pool   *pgxpool.Pool
	llm    *llm.Client
	logger *slog.Logger
}

// NewExtractor returns an Extractor.
func NewExtractor(cfg Config) (*Extractor, error) {
	if cfg.Pool == nil {
		return nil, errors.New("codex: a database pool is required")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	return &Extractor{pool: cfg.Pool, llm: cfg.LLM, logger: cfg.Logger}, nil
}

// AddWorkers registers the extraction worker, for jobs.New.
func (x *Extractor) AddWorkers(workers *river.Workers) {
	river.AddWorker(workers, &extractWorker{x: x})
}

// jobTimeout bounds one attempt: the model's own timeout and retries fit
// well within it.
const jobTimeout = 10 * time.Minute

type extractWorker struct {
	river.WorkerDefaults[ExtractArgs]
	x *Extractor
}

func (w *extractWorker) Timeout(*river.Job[ExtractArgs]) time.Duration { return jobTimeout }

// Work runs the extraction. An error makes River retry the job with
// backoff (a shutdown's cancellation is retried at once by the next
// client); after the last attempt the extraction is marked failed.
func (w *extractWorker) Work(ctx context.Context, job *river.Job[ExtractArgs]) error {
	err := w.x.Run(ctx, job.Args.CampaignID, job.Args.ExtractionID)
	if err != nil && job.Attempt >= job.MaxAttempts {
		fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		w.x.fail(fctx, job.Args.CampaignID, job.Args.ExtractionID, "the extraction could not be completed; please try again")
	}
	return err
}

// Run moves one pending extraction to done (with its proposals) or to
// failed (with a reason a GM can read). An extraction that is gone or no
// longer pending is left alone, so a retried job is harmless. It returns
// an error only for what a retry may fix: database errors and ctx's end.
func (x *Extractor) Run(ctx context.Context, campaignID, extractionID uuid.UUID) error {
	q := db.New(x.pool)
	ex, err := q.ExtractionGet(ctx, db.ExtractionGetParams{CampaignID: campaignID, ID: extractionID})
	if err != nil {
		if errors.Is(db.Interpret(err), db.ErrNotFound) {
			x.logger.DebugContext(ctx, "recap extraction gone", "campaign_id", campaignID, "extraction_id", extractionID)
			return nil
		}
		return fmt.Errorf("load extraction: %w", err)
	}
	if ex.Status != "pending" {
		return nil
	}
	sess, err := q.PlaySessionGet(ctx, db.PlaySessionGetParams{CampaignID: campaignID, ID: ex.SessionID})
	if err != nil {
		if errors.Is(db.Interpret(err), db.ErrNotFound) {
			return nil // the session was deleted, and the extraction with it
		}
		return fmt.Errorf("load session: %w", err)
	}
	if strings.TrimSpace(sess.Recap) == "" {
		x.fail(ctx, campaignID, extractionID, "the session has no recap")
		return nil
	}
	names, err := q.CodexNameList(ctx, campaignID)
	if err != nil {
		return fmt.Errorf("load codex names: %w", err)
	}
	known := make([]Known, 0, len(names))
	for _, n := range names {
		known = append(known, Known{ID: n.ID, Kind: n.Kind, Name: n.Name})
	}
	members, err := q.MembershipList(ctx, campaignID)
	if err != nil {
		return fmt.Errorf("load members: %w", err)
	}
	party := make([]string, 0, 2*len(members))
	for _, m := range members {
		if m.CharacterName != nil {
			party = append(party, *m.CharacterName)
		}
		party = append(party, m.DisplayName)
	}

	props, method, err := x.propose(ctx, sess.Recap, known, party)
	if err != nil {
		return err
	}
	b, err := json.Marshal(props)
	if err != nil {
		return fmt.Errorf("encode proposals: %w", err)
	}
	if _, err := q.ExtractionFinish(ctx, db.ExtractionFinishParams{CampaignID: campaignID, ID: extractionID, Proposals: b, Method: method}); err != nil {
		return fmt.Errorf("store proposals: %w", err)
	}
	x.logger.InfoContext(ctx, "recap extraction done",
		"campaign_id", campaignID, "extraction_id", extractionID, "method", method, "proposals", len(props))
	return nil
}

// Methods of an extraction (recap_extractions.method).
const (
	MethodModel   = "model"
	MethodOffline = "offline"
)

// propose asks the model when there is one and falls back to Offline on
// any failure of it: an error reply, a timeout, an unreachable endpoint or
// a reply that does not validate. Only ctx's end is returned, so that the
// job is retried instead of finishing with the fallback.
func (x *Extractor) propose(ctx context.Context, recap string, known []Known, party []string) ([]Proposal, string, error) {
	if x.llm != nil {
		res, err := x.llm.Chat(ctx, llm.Request{Messages: ModelMessages(recap, known, party), JSON: true})
		switch {
		case ctx.Err() != nil:
			return nil, "", ctx.Err()
		case err != nil:
			x.logger.WarnContext(ctx, "recap extraction: model failed, using the offline method", "err", err)
		default:
			props, err := ParseModelReply(res.Content, recap, known, party)
			if err == nil {
				return props, MethodModel, nil
			}
			x.logger.WarnContext(ctx, "recap extraction: model reply rejected, using the offline method", "err", err)
		}
	}
	return Offline(recap, known, party), MethodOffline, nil
}

// fail marks a pending extraction failed; errors are logged, since the
// caller has nothing better to do with them.
func (x *Extractor) fail(ctx context.Context, campaignID, extractionID uuid.UUID, reason string) {
	_, err := db.New(x.pool).ExtractionFail(ctx, db.ExtractionFailParams{CampaignID: campaignID, ID: extractionID, Error: reason})
	if err != nil {
		x.logger.ErrorContext(ctx, "mark recap extraction failed", "campaign_id", campaignID, "extraction_id", extractionID, "err", err)
		return
	}
	x.logger.InfoContext(ctx, "recap extraction failed", "campaign_id", campaignID, "extraction_id", extractionID, "reason", reason)
}
