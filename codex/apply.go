package codex

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"gametable/db"
)

// Errors of Apply.
var (
	// ErrNotReady means the extraction has no proposals to apply yet (it is
	// pending) or never will (it failed).
	ErrNotReady = errors.New("codex: the extraction is not done")
)

// IndexError means an accepted index names no proposal.
type IndexError struct {
	Index int
	Count int // how many proposals there are
}

func (e *IndexError) Error() string {
	return fmt.Sprintf("codex: proposal %d does not exist (there are %d)", e.Index, e.Count)
}

// Status values of recap_extractions.
const (
	StatusPending = "pending"
	StatusDone    = "done"
	StatusFailed  = "failed"
	StatusApplied = "applied"
)

// DecodeProposals reads the proposals column of an extraction.
func DecodeProposals(b []byte) ([]Proposal, error) {
	var ps []Proposal
	if len(b) == 0 {
		return ps, nil
	}
	if err := json.Unmarshal(b, &ps); err != nil {
		return nil, fmt.Errorf("decode proposals: %w", err)
	}
	return ps, nil
}

// DecodeAccepted reads the accepted column of an extraction.
func DecodeAccepted(b []byte) ([]int, error) {
	var a []int
	if len(b) == 0 {
		return a, nil
	}
	if err := json.Unmarshal(b, &a); err != nil {
		return nil, fmt.Errorf("decode accepted: %w", err)
	}
	return a, nil
}

// Apply applies the accepted proposals of a done extraction in one
// transaction: each accepted proposal links to the NPC or entity it names
// (its ExistingID, else one of the same name, compared case-insensitively)
// or creates it, visible to players, with the proposal's summary; then it
// records the appearance in the extraction's session. The extraction
// becomes "applied", with the accepted indexes and, in each accepted
// proposal, the ID of the row it created or linked.
//
// Applying an applied extraction changes nothing and returns it as it is,
// whatever accept holds: applying twice does nothing more. A pending or
// failed extraction is ErrNotReady, an index out of range an *IndexError,
// an unknown extraction db.ErrNotFound.
func Apply(ctx context.Context, b db.Beginner, campaignID, extractionID uuid.UUID, accept []int) (db.RecapExtraction, error) {
	var out db.RecapExtraction
	err := db.InTx(ctx, b, func(tx pgx.Tx) error {
		q := db.New(tx)
		ex, err := q.ExtractionGetForUpdate(ctx, db.ExtractionGetForUpdateParams{CampaignID: campaignID, ID: extractionID})
		if err != nil {
			return fmt.Errorf("load extraction: %w", db.Interpret(err))
		}
		out = ex
		props, err := DecodeProposals(ex.Proposals)
		if err != nil {
			return err
		}
		for _, i := range accept {
			if i < 0 || i >= len(props) {
				return &IndexError{Index: i, Count: len(props)}
			}
		}
		switch ex.Status {
		case StatusApplied:
			return nil
		case StatusDone:
		default:
			return ErrNotReady
		}
		accept = slices.Clone(accept)
		slices.Sort(accept)
		accept = slices.Compact(accept)
		for _, i := range accept {
			id, err := applyOne(ctx, q, campaignID, ex.SessionID, props[i])
			if err != nil {
				return fmt.Errorf("apply proposal %d: %w", i, err)
			}
			props[i].ExistingID = &id
		}
		pb, err := json.Marshal(props)
		if err != nil {
			return fmt.Errorf("encode proposals: %w", err)
		}
		ab, err := json.Marshal(accept)
		if err != nil {
			return fmt.Errorf("encode accepted: %w", err)
		}
		out, err = q.ExtractionMarkApplied(ctx, db.ExtractionMarkAppliedParams{
			CampaignID: campaignID, ID: extractionID, Accepted: ab, Proposals: pb,
		})
		if err != nil {
			return fmt.Errorf("mark extraction applied: %w", db.Interpret(err))
		}
		return nil
	})
	return out, err
}

// applyOne creates or finds the row of one proposal and records its
// appearance in the session; it returns the row's ID.
func applyOne(ctx context.Context, q *db.Queries, campaignID, sessionID uuid.UUID, p Proposal) (uuid.UUID, error) {
	summary := cut(p.Summary, MaxSummaryLen)
	if p.Kind == KindNPC {
		id, err := findNPC(ctx, q, campaignID, p)
		if err != nil {
			return uuid.Nil, err
		}
		if id == uuid.Nil {
			n, err := q.NPCCreate(ctx, db.NPCCreateParams{CampaignID: campaignID, Name: p.Name, Summary: summary, Status: "alive"})
			if err != nil {
				return uuid.Nil, fmt.Errorf("create npc: %w", db.Interpret(err))
			}
			id = n.ID
		}
		if err := q.NPCSessionAdd(ctx, db.NPCSessionAddParams{CampaignID: campaignID, NPCID: id, SessionID: sessionID}); err != nil {
			return uuid.Nil, fmt.Errorf("add appearance: %w", db.Interpret(err))
		}
		return id, nil
	}
	if !IsEntityKind(p.Kind) {
		return uuid.Nil, fmt.Errorf("unknown kind %q", p.Kind)
	}
	id, err := findEntity(ctx, q, campaignID, p)
	if err != nil {
		return uuid.Nil, err
	}
	if id == uuid.Nil {
		e, err := q.EntityCreate(ctx, db.EntityCreateParams{CampaignID: campaignID, Kind: p.Kind, Name: p.Name, Summary: summary})
		if err != nil {
			return uuid.Nil, fmt.Errorf("create entity: %w", db.Interpret(err))
		}
		id = e.ID
	}
	if err := q.EntitySessionAdd(ctx, db.EntitySessionAddParams{CampaignID: campaignID, EntityID: id, SessionID: sessionID}); err != nil {
		return uuid.Nil, fmt.Errorf("link session: %w", db.Interpret(err))
	}
	return id, nil
}

// findNPC returns the NPC a proposal names, or uuid.Nil when there is none.
func findNPC(ctx context.Context, q *db.Queries, campaignID uuid.UUID, p Proposal) (uuid.UUID, error) {
	if p.ExistingID != nil {
		n, err := q.NPCGet(ctx, db.NPCGetParams{CampaignID: campaignID, ID: *p.ExistingID})
		if err == nil {
			return n.ID, nil
		}
		if !errors.Is(db.Interpret(err), db.ErrNotFound) {
			return uuid.Nil, fmt.Errorf("load npc: %w", err)
		}
	}
	n, err := q.NPCFindByName(ctx, db.NPCFindByNameParams{CampaignID: campaignID, Name: p.Name})
	switch {
	case err == nil:
		return n.ID, nil
	case errors.Is(db.Interpret(err), db.ErrNotFound):
		return uuid.Nil, nil
	}
	return uuid.Nil, fmt.Errorf("find npc: %w", err)
}

// findEntity returns the entity a proposal names, or uuid.Nil when there
// is none.
func findEntity(ctx context.Context, q *db.Queries, campaignID uuid.UUID, p Proposal) (uuid.UUID, error) {
	if p.ExistingID != nil {
		e, err := q.EntityGet(ctx, db.EntityGetParams{CampaignID: campaignID, ID: *p.ExistingID})
		if err == nil {
			return e.ID, nil
		}
		if !errors.Is(db.Interpret(err), db.ErrNotFound) {
			return uuid.Nil, fmt.Errorf("load entity: %w", err)
		}
	}
	e, err := q.EntityFindByName(ctx, db.EntityFindByNameParams{CampaignID: campaignID, Name: p.Name})
	switch {
	case err == nil:
		return e.ID, nil
	case errors.Is(db.Interpret(err), db.ErrNotFound):
		return uuid.Nil, nil
	}
	return uuid.Nil, fmt.Errorf("find entity: %w", err)
}
