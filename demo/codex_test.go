package demo

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"

	"gametable/codex"
	"gametable/db"
	"gametable/db/dbtest"
)

// TestLoad_Codex: the demo has NPCs (one hidden), relationships, codex
// entries (one GM-only) and appearances in session 1, and an extraction of
// session 1's recap links what the codex knows and proposes the rest.
func TestLoad_Codex(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := dbtest.New(t)
	res, err := Load(ctx, pool, fakeHash)
	require.NoError(t, err)
	q := db.New(pool)

	gm, err := q.NPCList(ctx, db.NPCListParams{CampaignID: res.CampaignID, IsGM: true, MaxRows: 50})
	require.NoError(t, err)
	require.Len(t, gm, 3)
	player, err := q.NPCList(ctx, db.NPCListParams{CampaignID: res.CampaignID, IsGM: false, MaxRows: 50})
	require.NoError(t, err)
	require.Len(t, player, 2, "the Lamplighter is hidden")
	var vell db.NPCListRow
	for _, n := range gm {
		if n.Name == "Idris Vell" {
			vell = n
		}
	}
	var rels, sessions []json.RawMessage
	require.NoError(t, json.Unmarshal(vell.Relationships, &rels))
	require.Len(t, rels, 2)
	require.NoError(t, json.Unmarshal(vell.Sessions, &sessions))
	require.Len(t, sessions, 1)
	for _, n := range player {
		require.NoError(t, json.Unmarshal(n.Relationships, &rels))
		require.Len(t, rels, 1, "the relationship to the hidden NPC is hidden")
	}

	entities, err := q.EntityList(ctx, db.EntityListParams{CampaignID: res.CampaignID, IsGM: true, MaxRows: 50})
	require.NoError(t, err)
	require.Len(t, entities, 4)
	visible, err := q.EntityList(ctx, db.EntityListParams{CampaignID: res.CampaignID, IsGM: false, MaxRows: 50})
	require.NoError(t, err)
	require.Len(t, visible, 3)

	names, err := q.CodexNameList(ctx, res.CampaignID)
	require.NoError(t, err)
	known := make([]codex.Known, 0, len(names))
	for _, n := range names {
		known = append(known, codex.Known{ID: n.ID, Kind: n.Kind, Name: n.Name})
	}
	var got []string
	for _, p := range codex.Offline(recapOne, known, []string{"Brother Quill", "Wren Thistledown"}) {
		if p.ExistingID != nil {
			got = append(got, "link "+p.Name)
		} else {
			got = append(got, "new "+p.Name)
		}
	}
	require.Equal(t, []string{"link Greywater", "link Idris Vell", "link Salt Gate", "new Lanterns", "new Drowned Bell", "new Order of the Ninth Wick"}, got)

	// A second load adds nothing.
	_, err = Load(ctx, pool, fakeHash)
	require.NoError(t, err)
	again, err := q.NPCList(ctx, db.NPCListParams{CampaignID: res.CampaignID, IsGM: true, MaxRows: 50})
	require.NoError(t, err)
	require.Len(t, again, 3)
}
