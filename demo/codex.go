package demo

import (
	"context"
	"fmt"

	"github.com/google/uuid"

	"gametable/db"
)

// The demo's codex: NPCs (one of them hidden, with GM notes), their
// relationships and appearances, and a few entries of the other kinds
// (one GM-only). It deliberately leaves out some names of the first
// session's recap (the Drowned Bell, the Order of the Ninth Wick), so that
// a recap extraction of that session has something to propose besides the
// names it links.

type demoNPC struct {
	name, summary, description, gmNotes, status string
	hidden, inSessionOne                        bool
}

var demoNPCs = []demoNPC{
	{
		name:    "Idris Vell",
		summary: "Caravan master of the lamplighters; hired the party at the Salt Gate.",
		description: "A broad, soft-spoken man with a lamplighter's pole he never lets go of.\n\n" +
			"- Pays in silver, and in secrets when silver runs short.\n- Knows every waystone of the Hollow Marches.",
		gmNotes:      "He sold the old guards to the fog to pay a debt. He will not say so unless cornered.",
		status:       "alive",
		inSessionOne: true,
	},
	{
		name:        "Hester Crane",
		summary:     "The caravan's cook and healer.",
		description: "Keeps a ledger of every wound she has stitched, with the patient's name and the weather.",
		status:      "alive",
	},
	{
		name:    "The Lamplighter",
		summary: "Whoever, or whatever, puts out the caravan's lanterns at night.",
		gmNotes: "The ghost of the first caravan master. It wants the bell clapper back and will bargain for it.",
		status:  "unknown",
		hidden:  true,
	},
}

type demoRelationship struct {
	from, to, kind, description string
}

var demoRelationships = []demoRelationship{
	{from: "Idris Vell", to: "Hester Crane", kind: "employs", description: "Has for eleven seasons; she is the only one he trusts."},
	// A relationship to a hidden NPC is hidden from players too.
	{from: "Idris Vell", to: "The Lamplighter", kind: "owes a debt to", description: "The old guards were the first payment."},
}

type demoEntity struct {
	kind, name, summary, body string
	gmOnly, inSessionOne      bool
}

var demoEntities = []demoEntity{
	{kind: "location", name: "Greywater", summary: "A river town of tanneries and toll bridges; the caravan's first stop.", inSessionOne: true},
	{kind: "location", name: "Salt Gate", summary: "Greywater's eastern gate, where caravans hire their guards.", inSessionOne: true},
	{kind: "location", name: "Hollow Marches", summary: "Fog-bound fenland between Greywater and the coast.",
		body: "## Travelling the Marches\n\nStay on the causeway. Count the lanterns at dusk and again at midnight."},
	{kind: "lore", name: "The fog keeps what it takes", summary: "What really happens to those who leave the causeway.",
		body: "They are not dead. They walk the reeds until someone rings the Drowned Bell for them.", gmOnly: true},
}

// createCodex adds the demo's codex to a new demo campaign, after its
// sessions (the first one is where the first appearances happened).
func createCodex(ctx context.Context, q *db.Queries, campaignID uuid.UUID) error {
	sessions, err := q.PlaySessionList(ctx, campaignID)
	if err != nil {
		return fmt.Errorf("list sessions: %w", err)
	}
	var first *uuid.UUID
	if len(sessions) > 0 {
		first = &sessions[0].ID
	}

	npcIDs := map[string]uuid.UUID{}
	for _, n := range demoNPCs {
		row, err := q.NPCCreate(ctx, db.NPCCreateParams{
			CampaignID: campaignID, Name: n.name, Summary: n.summary, Description: n.description,
			GMNotes: n.gmNotes, Status: n.status, Hidden: n.hidden,
		})
		if err != nil {
			return fmt.Errorf("create npc %s: %w", n.name, db.Interpret(err))
		}
		npcIDs[n.name] = row.ID
		if n.inSessionOne && first != nil {
			if err := q.NPCSessionAdd(ctx, db.NPCSessionAddParams{CampaignID: campaignID, NPCID: row.ID, SessionID: *first}); err != nil {
				return fmt.Errorf("add appearance of %s: %w", n.name, db.Interpret(err))
			}
		}
	}
	for _, r := range demoRelationships {
		if _, err := q.NPCRelationshipCreate(ctx, db.NPCRelationshipCreateParams{
			CampaignID: campaignID, FromNPCID: npcIDs[r.from], ToNPCID: npcIDs[r.to], Kind: r.kind, Description: r.description,
		}); err != nil {
			return fmt.Errorf("create relationship %s %s %s: %w", r.from, r.kind, r.to, db.Interpret(err))
		}
	}
	for _, e := range demoEntities {
		row, err := q.EntityCreate(ctx, db.EntityCreateParams{
			CampaignID: campaignID, Kind: e.kind, Name: e.name, Summary: e.summary, Body: e.body, GMOnly: e.gmOnly,
		})
		if err != nil {
			return fmt.Errorf("create entity %s: %w", e.name, db.Interpret(err))
		}
		if e.inSessionOne && first != nil {
			if err := q.EntitySessionAdd(ctx, db.EntitySessionAddParams{CampaignID: campaignID, EntityID: row.ID, SessionID: *first}); err != nil {
				return fmt.Errorf("link %s to session 1: %w", e.name, db.Interpret(err))
			}
		}
	}
	return nil
}
