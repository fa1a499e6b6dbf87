package hub

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"gametable/db"
	"gametable/db/dbtest"
)

// TestStore_Isolation seeds two campaigns and proves that every query of
// queries/combat.sql and queries/live.sql, run for campaign A, cannot see
// or touch campaign B's rows (STYLE.md section 4, layer 4).
func TestStore_Isolation(t *testing.T) {
	t.Parallel()
	pool := dbtest.New(t)
	ctx := context.Background()
	q := db.New(pool)

	type seeded struct {
		campaign, combat, combatant, poll, option, user uuid.UUID
	}
	seed := func(name string) seeded {
		gm := createUser(t, pool, "gm", "GM "+name)
		player := createUser(t, pool, "pl", "Player "+name)
		cid := createCampaign(t, pool, gm, name)
		addMember(t, pool, cid, player, "player", "")
		reg := newTestRegistry(t, pool)
		do := func(typ, data string) Result {
			res, err := reg.Do(ctx, cid, Actor{UserID: gm, Role: RoleGM}, Command{Type: typ, Data: json.RawMessage(data)})
			require.NoError(t, err)
			return res
		}
		var start, add map[string]string
		require.NoError(t, json.Unmarshal(do(TypeCombatStart, `{"includePlayers":false}`).Data, &start))
		require.NoError(t, json.Unmarshal(do(TypeCombatAdd, `{"name":"Orc","kind":"monster","hp":15,"maxHp":15}`).Data, &add))
		var poll, option uuid.UUID
		require.NoError(t, pool.QueryRow(ctx, `INSERT INTO availability_polls (campaign_id, title, created_by) VALUES ($1, 'When?', $2) RETURNING id`, cid, gm).Scan(&poll))
		require.NoError(t, pool.QueryRow(ctx, `INSERT INTO availability_options (campaign_id, poll_id, starts_at, position) VALUES ($1, $2, now(), 0) RETURNING id`, cid, poll).Scan(&option))
		_, err := reg.Do(ctx, cid, Actor{UserID: player, Role: RolePlayer}, Command{ID: "v1", Type: TypePollVote,
			Data: json.RawMessage(fmt.Sprintf(`{"pollId":%q,"optionId":%q,"answer":"yes"}`, poll, option))})
		require.NoError(t, err)
		return seeded{uuid.MustParse(cid), uuid.MustParse(start["combatId"]), uuid.MustParse(add["combatantId"]), poll, option, uuid.MustParse(player)}
	}
	a, b := seed("A"), seed("B")

	t.Run("Reads", func(t *testing.T) {
		c, err := q.CombatGetActive(ctx, a.campaign)
		require.NoError(t, err)
		require.Equal(t, a.combat, c.ID)
		rows, err := q.CombatantListByCombat(ctx, db.CombatantListByCombatParams{CampaignID: a.campaign, CombatID: b.combat})
		require.NoError(t, err)
		require.Empty(t, rows)
		opts, err := q.LivePollOptionList(ctx, db.LivePollOptionListParams{CampaignID: a.campaign, PollIds: []uuid.UUID{b.poll}})
		require.NoError(t, err)
		require.Empty(t, opts)
		votes, err := q.LivePollVoteList(ctx, db.LivePollVoteListParams{CampaignID: a.campaign, PollIds: []uuid.UUID{b.poll}})
		require.NoError(t, err)
		require.Empty(t, votes)
		polls, err := q.LivePollList(ctx, a.campaign)
		require.NoError(t, err)
		require.Len(t, polls, 1)
		require.Equal(t, a.poll, polls[0].ID)
		cmds, err := q.LiveCommandGetMany(ctx, db.LiveCommandGetManyParams{CampaignID: a.campaign, UserIds: []uuid.UUID{b.user}, CommandIds: []string{"v1"}})
		require.NoError(t, err)
		require.Empty(t, cmds)
		events, err := q.LiveEventList(ctx, db.LiveEventListParams{CampaignID: a.campaign, View: "gm", MaxRows: 100})
		require.NoError(t, err)
		bEvents, err := q.LiveEventList(ctx, db.LiveEventListParams{CampaignID: b.campaign, View: "gm", MaxRows: 100})
		require.NoError(t, err)
		require.NotEmpty(t, events)
		require.Len(t, bEvents, len(events))
		members, err := q.LiveMemberList(ctx, a.campaign)
		require.NoError(t, err)
		require.Len(t, members, 1)
		require.Equal(t, "Player A", members[0].Name)
		ended, err := q.CombatListEnded(ctx, db.CombatListEndedParams{CampaignID: a.campaign, MaxRows: 10})
		require.NoError(t, err)
		require.Empty(t, ended)
	})

	t.Run("Writes", func(t *testing.T) {
		_, err := q.CombatantDamage(ctx, db.CombatantDamageParams{CampaignID: a.campaign, ID: b.combatant, Amount: 1})
		require.ErrorIs(t, db.Interpret(err), db.ErrNotFound)
		_, err = q.CombatantHeal(ctx, db.CombatantHealParams{CampaignID: a.campaign, ID: b.combatant, Amount: 1})
		require.ErrorIs(t, db.Interpret(err), db.ErrNotFound)
		n, err := q.CombatantSet(ctx, db.CombatantSetParams{CampaignID: a.campaign, ID: b.combatant, Name: "x", Conditions: []byte(`{}`)})
		require.NoError(t, err)
		require.Zero(t, n)
		n, err = q.CombatantDelete(ctx, db.CombatantDeleteParams{CampaignID: a.campaign, ID: b.combatant})
		require.NoError(t, err)
		require.Zero(t, n)
		n, err = q.CombatSetTurn(ctx, db.CombatSetTurnParams{CampaignID: a.campaign, ID: b.combat, Round: 1})
		require.NoError(t, err)
		require.Zero(t, n)
		n, err = q.CombatEnd(ctx, db.CombatEndParams{CampaignID: a.campaign, ID: b.combat})
		require.NoError(t, err)
		require.Zero(t, n)
		n, err = q.LivePollVoteSet(ctx, db.LivePollVoteSetParams{CampaignID: a.campaign, PollID: b.poll, OptionID: b.option, UserID: b.user, Answer: "no"})
		require.NoError(t, err)
		require.Zero(t, n)
		n, err = q.LivePollVoteDelete(ctx, db.LivePollVoteDeleteParams{CampaignID: a.campaign, PollID: b.poll, OptionID: b.option, UserID: b.user})
		require.NoError(t, err)
		require.Zero(t, n)
		n, err = q.LiveEventTrim(ctx, db.LiveEventTrimParams{CampaignID: a.campaign, View: "gm", BelowSeq: 1 << 40})
		require.NoError(t, err)
		bEvents, err := q.LiveEventList(ctx, db.LiveEventListParams{CampaignID: b.campaign, View: "gm", MaxRows: 100})
		require.NoError(t, err)
		require.NotEmpty(t, bEvents, "trimming A left B's log alone")

		// A row of A that points into B breaks a composite foreign key.
		br := q.CombatantInsert(ctx, []db.CombatantInsertParams{{ID: uuid.New(), CampaignID: a.campaign, CombatID: b.combat, Kind: "pc", Name: "x", Conditions: []byte(`{}`)}})
		var insErr error
		br.Exec(func(_ int, err error) { insErr = err })
		if err := br.Close(); insErr == nil {
			insErr = err
		}
		require.ErrorIs(t, db.Interpret(insErr), db.ErrNotFound)

		// B's state is untouched.
		var hp int
		require.NoError(t, pool.QueryRow(ctx, `SELECT hp FROM combatants WHERE id = $1`, b.combatant).Scan(&hp))
		require.Equal(t, 15, hp)
		var answer string
		require.NoError(t, pool.QueryRow(ctx, `SELECT answer FROM availability_responses WHERE option_id = $1`, b.option).Scan(&answer))
		require.Equal(t, "yes", answer)
	})
}
