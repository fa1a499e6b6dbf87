package hub

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"gametable/db/dbtest"
)

// TestStore_NPCAppearanceFromCombat: an NPC added to a combat whose
// encounter is linked to a game session gains an appearance in that
// session, in the command's transaction; adding it again changes nothing,
// and an NPC of a combat without a session link gains none.
func TestStore_NPCAppearanceFromCombat(t *testing.T) {
	t.Parallel()
	pool := dbtest.New(t)
	ctx := context.Background()
	gm := createUser(t, pool, "gm", "GM")
	cid := createCampaign(t, pool, gm, "Appearances")
	reg := newTestRegistry(t, pool)
	actor := Actor{UserID: gm, Role: RoleGM}
	do := func(typ, data string) (Result, error) {
		return reg.Do(ctx, cid, actor, Command{Type: typ, Data: json.RawMessage(data)})
	}
	var sessionID, npcID, otherNPC, encounterID string
	require.NoError(t, pool.QueryRow(ctx, `INSERT INTO play_sessions (campaign_id, number) VALUES ($1, 1) RETURNING id`, cid).Scan(&sessionID))
	require.NoError(t, pool.QueryRow(ctx, `INSERT INTO npcs (campaign_id, name) VALUES ($1, 'Mira') RETURNING id`, cid).Scan(&npcID))
	require.NoError(t, pool.QueryRow(ctx, `INSERT INTO npcs (campaign_id, name) VALUES ($1, 'Tobin') RETURNING id`, cid).Scan(&otherNPC))
	require.NoError(t, pool.QueryRow(ctx, `INSERT INTO encounters (campaign_id, name, session_id, party_levels) VALUES ($1, 'Ambush', $2, '{3}') RETURNING id`, cid, sessionID).Scan(&encounterID))
	appearances := func(npc string) int {
		var n int
		require.NoError(t, pool.QueryRow(ctx, `SELECT count(*) FROM npc_sessions WHERE campaign_id = $1 AND npc_id = $2 AND session_id = $3`, cid, npc, sessionID).Scan(&n))
		return n
	}

	// A combat without an encounter: no session to appear in.
	_, err := do(TypeCombatStart, `{"includePlayers":false}`)
	require.NoError(t, err)
	_, err = do(TypeCombatAdd, fmt.Sprintf(`{"name":"Tobin","kind":"npc","hp":9,"maxHp":9,"npcId":%q}`, otherNPC))
	require.NoError(t, err)
	require.Equal(t, 0, appearances(otherNPC))
	_, err = do(TypeCombatEnd, `{}`)
	require.NoError(t, err)

	// From the encounter linked to session 1.
	_, err = do(TypeCombatStart, fmt.Sprintf(`{"encounterId":%q,"includePlayers":false}`, encounterID))
	require.NoError(t, err)
	require.Equal(t, 0, appearances(npcID))
	res, err := do(TypeCombatAdd, fmt.Sprintf(`{"name":"Mira","kind":"npc","hp":12,"maxHp":12,"npcId":%q}`, npcID))
	require.NoError(t, err)
	require.Equal(t, 1, appearances(npcID))
	_, err = do(TypeCombatAdd, fmt.Sprintf(`{"name":"Mira again","kind":"npc","hp":12,"maxHp":12,"npcId":%q}`, npcID))
	require.NoError(t, err)
	require.Equal(t, 1, appearances(npcID), "idempotent")

	// The GM view carries the link.
	var st any
	require.NoError(t, json.Unmarshal(res.Combat, &st))
	found := false
	for _, cb := range field(st, "combatants").(map[string]any) {
		if cb.(map[string]any)["npcId"] == npcID {
			found = true
		}
	}
	require.True(t, found)
	// A combat from an encounter carries its difficulty (no monsters yet).
	require.Equal(t, map[string]any{"partyLevels": []any{3.0}, "xp": 0.0, "adjustedXp": 0.0, "dmg2014": "trivial", "dmg2024": "low"},
		field(st, "difficulty"))

	// An unknown NPC is the client's error, and nothing changes.
	_, err = do(TypeCombatAdd, `{"name":"Ghost","kind":"npc","hp":1,"maxHp":1,"npcId":"00000000-0000-4000-8000-000000000001"}`)
	require.ErrorIs(t, err, ErrNotFound)
	require.Equal(t, 1, appearances(npcID))
}
