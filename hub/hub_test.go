package hub

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/google/uuid"
	dto "github.com/prometheus/client_model/go"
	"github.com/stretchr/testify/require"

	"gametable/db"
)

func TestHub_Join(t *testing.T) {
	t.Parallel()
	b := setup(t)
	gm := b.connect(t, b.gm, RoleGM, ViewGM, Resume{})
	m, ok := gm.recv()
	require.True(t, ok)
	require.Equal(t, "snapshot", m.Type)
	require.Equal(t, "gm", m.View)
	require.NotEmpty(t, m.Epoch)
	require.Equal(t, map[string]any{"id": b.campaignID, "name": "The Sunken Keep"}, field(gm.state, "campaign"))
	require.Equal(t, map[string]any{}, field(gm.state, "presence"))
	require.Nil(t, field(gm.state, "combat"))

	// Its own presence follows as a patch.
	gm.until(func(m serverMsg) bool { return m.Type == "patch" })
	require.Equal(t, float64(1), field(gm.state, "presence", b.gm, "connections"))
	require.Equal(t, "gm", field(gm.state, "presence", b.gm, "role"))

	// A player asking for the GM view gets the player view.
	p := b.connect(t, b.player, RolePlayer, ViewGM, Resume{})
	m, _ = p.recv()
	require.Equal(t, "player", m.View)

	t.Run("Ping", func(t *testing.T) {
		p.send(`{"id":"p1","type":"ping","data":{}}`)
		m := p.until(func(m serverMsg) bool { return m.Type == "pong" })
		require.Equal(t, "p1", m.ID)
	})
}

// TestHub_Combat plays a combat through GM and player connections and a GM
// on the player view, and checks what each sees.
func TestHub_Combat(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.reg.rules = testRulesUUID(17, 4)
	gm := b.connect(t, b.gm, RoleGM, ViewGM, Resume{})
	screen := b.connect(t, b.gm, RoleGM, ViewPlayer, Resume{})
	pl := b.connect(t, b.player, RolePlayer, ViewPlayer, Resume{})
	for _, p := range []*fakePeer{gm, screen, pl} {
		p.recv()
	}

	start := gm.do("c1", "combat.start", `{}`)
	var res map[string]string
	require.NoError(t, json.Unmarshal(start.Result, &res))
	require.NotEmpty(t, res["combatId"])
	// includePlayers: both players join as PCs named after their character
	// or display name.
	require.Len(t, field(gm.state, "combat", "order"), 2)

	ack := gm.do("c2", "combat.add", `{"name":"Goblin","kind":"monster","hp":7,"maxHp":7,"ac":15,"initiative":14}`)
	goblin := resultString(t, ack, "combatantId")
	ack = gm.do("c3", "combat.add", `{"name":"Lurker","kind":"monster","hp":30,"maxHp":30,"ac":17,"initiative":20,"hidden":true}`)
	lurker := resultString(t, ack, "combatantId")

	// The screen's ack for a hidden add carries no id.
	screen.send(`{"id":"s1","type":"combat.add","data":{"name":"Shade","kind":"npc","hp":5,"maxHp":5,"hidden":true}}`)
	sAck := screen.ack("s1")
	require.JSONEq(t, `{}`, string(sAck.Result))

	gm.do("c4", "combat.damage", fmt.Sprintf(`{"combatantId":%q,"amount":4}`, goblin))
	gm.do("c5", "combat.damage", fmt.Sprintf(`{"combatantId":%q,"amount":4}`, lurker))
	gm.do("c6", "combat.next", `{}`) // the lurker (20) acts first

	// The player's character.
	var fighter string
	for id, c := range field(gm.state, "combat", "combatants").(map[string]any) {
		if field(c, "userId") == b.player {
			fighter = id
		}
	}
	require.NotEmpty(t, fighter)
	pl.do("p1", "combat.update", fmt.Sprintf(`{"combatantId":%q,"hp":12,"tempHp":3,"initiative":2}`, fighter))
	pl.send(`{"id":"p2","type":"combat.damage","data":{"combatantId":%q,"amount":1}}`, lurker)
	require.Equal(t, "not_found", pl.reply("p2").Code)
	pl.send(`{"id":"p3","type":"combat.damage","data":{"combatantId":%q,"amount":1}}`, goblin)
	require.Equal(t, "forbidden", pl.reply("p3").Code)
	pl.send(`{"id":"p4","type":"combat.next","data":{}}`)
	require.Equal(t, "forbidden", pl.reply("p4").Code)
	pl.send(`{"id":"p5","type":"combat.damage","data":{"combatantId":%q,"amount":-1}}`, goblin)
	p5 := pl.reply("p5")
	require.Equal(t, "validation_failed", p5.Code)
	require.Contains(t, p5.Fields, "amount")

	// Everyone catches up with a fresh snapshot of their view.
	gmFresh, gmSeq := b.freshState(t, b.gm, RoleGM, ViewGM)
	plFresh, plSeq := b.freshState(t, b.player2, RolePlayer, ViewPlayer)
	gm.catchUp(gmSeq)
	require.Equal(t, gmFresh, gm.state)
	for _, p := range []*fakePeer{screen, pl} {
		p.catchUp(plSeq)
		require.Equal(t, plFresh, p.state, p.name)
	}

	// What the player view shows and hides.
	require.Equal(t, "bloodied", field(pl.state, "combat", "combatants", goblin, "health"))
	require.Nil(t, field(pl.state, "combat", "combatants", goblin, "hp"))
	require.Nil(t, field(pl.state, "combat", "combatants", goblin, "ac"))
	require.Nil(t, field(pl.state, "combat", "turn"), "the hidden lurker's turn")
	require.Equal(t, float64(12), field(pl.state, "combat", "combatants", fighter, "hp"))
	require.Equal(t, float64(3), field(gm.state, "combat", "combatants", goblin, "hp"))
	require.Equal(t, float64(26), field(gm.state, "combat", "combatants", lurker, "hp"))
	require.Equal(t, lurker, field(gm.state, "combat", "turn"))
	for _, p := range []*fakePeer{screen, pl} {
		raw := p.rawFrames()
		for _, secret := range []string{lurker, "Lurker", "Shade", `"ac"`, `"hidden"`} {
			require.NotContains(t, raw, secret, "%s saw %s", p.name, secret)
		}
	}

	// The database has it all.
	cid := uuid.MustParse(b.campaignID)
	rows, err := db.New(b.pool).CombatantListByCombat(t.Context(), db.CombatantListByCombatParams{CampaignID: cid, CombatID: uuid.MustParse(res["combatId"])})
	require.NoError(t, err)
	require.Len(t, rows, 5)
	live, err := db.New(b.pool).CampaignLiveStateGet(t.Context(), cid)
	require.NoError(t, err)
	require.LessOrEqual(t, live.LiveGMSeq, gmSeq)
	events, err := db.New(b.pool).LiveEventList(t.Context(), db.LiveEventListParams{CampaignID: cid, View: "gm", MaxRows: 1000})
	require.NoError(t, err)
	require.Equal(t, live.LiveGMSeq, events[len(events)-1].Seq)

	// Ending the combat removes it from every view.
	gm.do("c9", "combat.end", `{"outcome":"victory"}`)
	pl.until(func(m serverMsg) bool { return m.Type == "patch" && field(pl.state, "combat") == nil })
}

// testRulesUUID is testRules with real UUIDs.
func testRulesUUID(dice ...int) *rules {
	r := testRules(dice...)
	r.newIDFunc = func() string { return uuid.NewString() }
	return r
}

func resultString(t *testing.T, m serverMsg, key string) string {
	t.Helper()
	var res map[string]any
	require.NoError(t, json.Unmarshal(m.Result, &res))
	s, _ := res[key].(string)
	require.NotEmpty(t, s, "result %s has no %s", m.Result, key)
	return s
}

func TestHub_Idempotency(t *testing.T) {
	t.Parallel()
	b := setup(t)
	gm := b.connect(t, b.gm, RoleGM, ViewGM, Resume{})
	gm.recv()
	gm.do("s", "combat.start", `{"includePlayers":false}`)
	first := gm.do("a1", "combat.add", `{"name":"Ogre","kind":"monster","hp":59,"maxHp":59}`)
	seqAfter := gm.seq

	// The same id again, same connection: the same ack, no second ogre.
	gm.send(`{"id":"a1","type":"combat.add","data":{"name":"Ogre","kind":"monster","hp":59,"maxHp":59}}`)
	again := gm.ack("a1")
	require.Equal(t, first.Seq, again.Seq)
	require.JSONEq(t, string(first.Result), string(again.Result))
	require.Equal(t, seqAfter, gm.seq, "no patch for a retry")

	// An error outcome is replayed too.
	gm.send(`{"id":"e1","type":"combat.damage","data":{"combatantId":%q,"amount":1}}`, uuid.NewString())
	require.Equal(t, "not_found", gm.reply("e1").Code)
	gm.send(`{"id":"e1","type":"combat.next","data":{}}`)
	require.Equal(t, "not_found", gm.reply("e1").Code)

	// Twice in one batch (Do calls racing) counts once.
	var wg sync.WaitGroup
	results := make([]Result, 8)
	for i := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res, err := b.reg.Do(context.Background(), b.campaignID, Actor{UserID: b.gm, Role: RoleGM},
				Command{ID: "race", Type: TypeCombatAdd, Data: json.RawMessage(`{"name":"Imp","kind":"monster","hp":1,"maxHp":1}`)})
			if err == nil {
				results[i] = res
			}
		}()
	}
	wg.Wait()
	for _, r := range results {
		require.Equal(t, results[0], r)
	}

	// After a restart of the process (a new registry), the outcome comes
	// from live_commands.
	ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
	defer cancel()
	require.NoError(t, b.reg.Shutdown(ctx))
	require.Equal(t, websocket.StatusGoingAway, gm.waitClosed(t))
	b.reg = newTestRegistry(t, b.pool)
	res, err := b.reg.Do(ctx, b.campaignID, Actor{UserID: b.gm, Role: RoleGM},
		Command{ID: "a1", Type: TypeCombatAdd, Data: json.RawMessage(`{"name":"Ogre","kind":"monster","hp":59,"maxHp":59}`)})
	require.NoError(t, err)
	require.Equal(t, first.Seq, res.Seq)
	require.JSONEq(t, string(first.Result), string(res.Data))
	combat, _, err := b.reg.Snapshot(ctx, b.campaignID, ViewGM)
	require.NoError(t, err)
	var c map[string]any
	require.NoError(t, json.Unmarshal(combat, &c))
	require.Len(t, c["order"], 2, "one ogre, one imp")
}

func TestHub_Resume(t *testing.T) {
	t.Parallel()
	b := setup(t)
	gm := b.connect(t, b.gm, RoleGM, ViewGM, Resume{})
	gm.recv()
	gm.do("s", "combat.start", `{"includePlayers":false}`)
	gm.do("a", "combat.add", `{"name":"Ogre","kind":"monster","hp":59,"maxHp":59}`)

	pl := b.connect(t, b.player, RolePlayer, ViewPlayer, Resume{})
	pl.recv()
	pl.catchUp(pl.seq) // at its snapshot
	epoch, since := pl.epoch, pl.seq
	state := pl.state
	pl.fc.CloseNow()
	<-pl.done

	for i := range 5 {
		gm.do(fmt.Sprint("n", i), "combat.add", fmt.Sprintf(`{"name":"Rat %d","kind":"monster","hp":1,"maxHp":1}`, i))
	}

	t.Run("InsideWindow", func(t *testing.T) {
		p := b.connect(t, b.player, RolePlayer, ViewPlayer, Resume{Epoch: epoch, Seq: since})
		p.epoch, p.seq, p.state = epoch, since, state
		m, _ := p.recv()
		require.Equal(t, "resumed", m.Type)
		require.Equal(t, since, m.Seq)
		fresh, seq := b.freshState(t, b.player2, RolePlayer, ViewPlayer)
		p.catchUp(seq)
		require.Equal(t, fresh, p.state)
		p.fc.CloseNow()
		<-p.done
	})
	t.Run("WrongEpoch", func(t *testing.T) {
		p := b.connect(t, b.player, RolePlayer, ViewPlayer, Resume{Epoch: uuid.NewString(), Seq: since})
		m, _ := p.recv()
		require.Equal(t, "snapshot", m.Type)
		require.Equal(t, epoch, m.Epoch)
	})
	t.Run("Ahead", func(t *testing.T) {
		p := b.connect(t, b.player, RolePlayer, ViewPlayer, Resume{Epoch: epoch, Seq: since + 1000})
		m, _ := p.recv()
		require.Equal(t, "snapshot", m.Type)
	})
	t.Run("OutsideWindow", func(t *testing.T) {
		// Push more than the window through the player view: distinct
		// hp values of a PC (players see PCs' hp), sent concurrently so
		// that they are group-committed.
		res, err := b.reg.Do(context.Background(), b.campaignID, Actor{UserID: b.gm, Role: RoleGM},
			Command{Type: TypeCombatAdd, Data: json.RawMessage(`{"name":"Target","kind":"pc","hp":0,"maxHp":100000}`)})
		require.NoError(t, err)
		var target map[string]string
		require.NoError(t, json.Unmarshal(res.Data, &target))
		const n = ringSize + 10
		errs := make(chan error, n)
		var wg sync.WaitGroup
		for w := range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := w; i < n; i += 8 {
					_, err := b.reg.Do(context.Background(), b.campaignID, Actor{UserID: b.gm, Role: RoleGM},
						Command{Type: TypeCombatUpdate, Data: json.RawMessage(fmt.Sprintf(`{"combatantId":%q,"hp":%d}`, target["combatantId"], i+1))})
					errs <- err
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			require.NoError(t, err)
		}
		p := b.connect(t, b.player, RolePlayer, ViewPlayer, Resume{Epoch: epoch, Seq: since})
		m, _ := p.recv()
		require.Equal(t, "snapshot", m.Type)
	})
}

// TestHub_SlowClient checks that a connection that does not read is cut
// off while the others get every patch.
func TestHub_SlowClient(t *testing.T) {
	t.Parallel()
	// The stalled write is cut as "slow" when the queue overflows, not by
	// the watchdog after WriteTimeout (which a starved machine may reach).
	b := setup(t, func(o *Options) { o.MaxQueueBytes, o.WriteTimeout = 16<<10, time.Minute })
	gm := b.connect(t, b.gm, RoleGM, ViewGM, Resume{})
	gm.recv()
	slow := b.connect(t, b.player, RolePlayer, ViewPlayer, Resume{})
	slow.recv()
	fast := b.connect(t, b.player2, RolePlayer, ViewPlayer, Resume{})
	fast.recv()
	slow.fc.stall.Store(true)

	gm.do("s", "combat.start", `{"includePlayers":false}`)
	res := gm.do("a", "combat.add", `{"name":"Target","kind":"monster","hp":100000,"maxHp":100000}`)
	target := resultString(t, res, "combatantId")
	const n = 400
	for i := range n {
		gm.send(`{"id":"d%d","type":"combat.update","data":{"combatantId":%q,"name":"Target %d"}}`, i, target, i)
	}
	last := gm.ack(fmt.Sprint("d", n-1))
	fast.catchUp(last.Seq)
	gm.catchUp(last.Seq)
	require.Equal(t, fmt.Sprint("Target ", n-1), field(fast.state, "combat", "combatants", target, "name"))
	// The slow peer's write was stuck: its socket is cut (the close
	// frame could not reach a peer that does not read anyway).
	require.Contains(t, []websocket.StatusCode{websocket.StatusPolicyViolation, websocket.StatusAbnormalClosure}, slow.waitClosed(t))
	require.Equal(t, 1.0, counterValue(t, b.reg, "slow"))
}

func TestHub_Presence(t *testing.T) {
	t.Parallel()
	b := setup(t)
	gm := b.connect(t, b.gm, RoleGM, ViewGM, Resume{})
	gm.recv()
	gm.until(func(m serverMsg) bool { return m.Type == "patch" })
	start := gm.seq

	// A crowd connects at once: presence patches are coalesced.
	const crowd = 40
	var peers []*fakePeer
	for i := range crowd {
		u := b.player
		if i%2 == 1 {
			u = b.player2
		}
		p := b.connect(t, u, RolePlayer, ViewPlayer, Resume{})
		peers = append(peers, p)
	}
	for _, p := range peers {
		p.recv()
	}
	gm.until(func(m serverMsg) bool {
		return m.Type == "patch" && field(gm.state, "presence", b.player, "connections") == float64(crowd/2) &&
			field(gm.state, "presence", b.player2, "connections") == float64(crowd/2)
	})
	require.Less(t, gm.seq-start, int64(crowd/2), "presence patches were not coalesced")
	require.Equal(t, "Pat", field(gm.state, "presence", b.player, "displayName"))

	for _, p := range peers {
		p.fc.CloseNow()
	}
	gm.until(func(m serverMsg) bool {
		return m.Type == "patch" && field(gm.state, "presence", b.player) == nil && field(gm.state, "presence", b.player2) == nil
	})
}

func TestHub_Limits(t *testing.T) {
	t.Parallel()

	t.Run("RateLimit", func(t *testing.T) {
		t.Parallel()
		b := setup(t, func(o *Options) { o.WSRate, o.WSBurst = 0.001, 3 })
		p := b.connect(t, b.player, RolePlayer, ViewPlayer, Resume{})
		p.recv()
		for i := range 5 {
			p.send(`{"id":"r%d","type":"ping"}`, i)
		}
		codes := map[string]int{}
		for range 5 {
			m := p.until(func(m serverMsg) bool { return m.Type == "pong" || m.Type == "error" })
			codes[m.Type+m.Code]++
		}
		require.Equal(t, map[string]int{"pong": 3, "errorrate_limited": 2}, codes)
	})

	t.Run("Flood", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		p := b.connect(t, b.player, RolePlayer, ViewPlayer, Resume{})
		p.recv()
		for range 50 {
			p.send(`{not json`)
		}
		require.Equal(t, websocket.StatusPolicyViolation, p.waitClosed(t))
		for {
			if _, ok := p.recv(); !ok {
				break
			}
		}
		var bad int
		for _, m := range p.msgs {
			if m.Type == "error" && m.Code == "bad_request" {
				bad++
			}
		}
		require.GreaterOrEqual(t, bad, 1)
	})

	t.Run("PerUserCap", func(t *testing.T) {
		t.Parallel()
		b := setup(t, func(o *Options) { o.WSMaxPerUser = 2 })
		p1 := b.connect(t, b.player, RolePlayer, ViewPlayer, Resume{})
		p1.recv()
		p2 := b.connect(t, b.player, RolePlayer, ViewPlayer, Resume{})
		p2.recv()
		p3 := b.connect(t, b.player, RolePlayer, ViewPlayer, Resume{})
		require.Equal(t, websocket.StatusPolicyViolation, p3.waitClosed(t))
		other := b.connect(t, b.player2, RolePlayer, ViewPlayer, Resume{})
		m, _ := other.recv()
		require.Equal(t, "snapshot", m.Type)
	})
}

func TestRegistry_Do(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	gmA := Actor{UserID: b.gm, Role: RoleGM}
	plA := Actor{UserID: b.player, Role: RolePlayer}

	combat, seq, err := b.reg.Snapshot(ctx, b.campaignID, ViewGM)
	require.NoError(t, err)
	require.Nil(t, combat)
	require.Equal(t, int64(0), seq)

	_, err = b.reg.Do(ctx, b.campaignID, plA, Command{Type: TypeCombatStart})
	require.ErrorIs(t, err, ErrGMOnly)
	var re *RuleError
	require.True(t, errors.As(err, &re))
	require.Equal(t, CodeForbidden, re.Code)

	res, err := b.reg.Do(ctx, b.campaignID, gmA, Command{Type: TypeCombatStart, Data: json.RawMessage(`{"includePlayers":true}`)})
	require.NoError(t, err)
	require.Positive(t, res.Seq)
	require.Contains(t, string(res.Combat), `"round":0`)
	require.Contains(t, string(res.Combat), `"name":"Fighter"`)
	require.Contains(t, string(res.Combat), `"name":"Quinn"`)

	_, err = b.reg.Do(ctx, b.campaignID, gmA, Command{Type: TypeCombatStart})
	require.ErrorIs(t, err, ErrCombatRunning)

	_, err = b.reg.Do(ctx, b.campaignID, gmA, Command{Type: TypeCombatAdd, Data: json.RawMessage(`{"name":5}`)})
	require.ErrorIs(t, err, ErrBadCommand)
	_, err = b.reg.Do(ctx, b.campaignID, gmA, Command{Type: TypeCombatAdd, Data: json.RawMessage(`{"name":""}`)})
	require.ErrorIs(t, err, ErrValidation)
	require.True(t, errors.As(err, &re))
	require.Contains(t, re.Fields, "name")
	_, err = b.reg.Do(ctx, b.campaignID, gmA, Command{Type: "combat.nope"})
	require.ErrorIs(t, err, ErrBadCommand)

	// A userId that is not a member: not_found, nothing changes.
	_, err = b.reg.Do(ctx, b.campaignID, gmA, Command{Type: TypeCombatAdd,
		Data: json.RawMessage(fmt.Sprintf(`{"name":"Ghost","kind":"pc","hp":1,"maxHp":1,"userId":%q}`, uuid.NewString()))})
	require.ErrorIs(t, err, ErrNotFound)

	combat, seq, err = b.reg.Snapshot(ctx, b.campaignID, ViewPlayer)
	require.NoError(t, err)
	require.NotNil(t, combat)
	require.NotContains(t, string(combat), "Ghost")
	require.Positive(t, seq)
}

func TestRegistry_StartFromEncounter(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	q := db.New(b.pool)
	cid := uuid.MustParse(b.campaignID)
	book, err := q.CoreRuleEnsureForCompendium(ctx, db.CoreRuleEnsureForCompendiumParams{Slug: "srd-" + uuid.NewString()[:8], Title: "SRD", Kind: "required"})
	require.NoError(t, err)
	var monsterIDs []uuid.UUID
	for _, m := range []struct {
		name    string
		hp, dex int32
	}{{"Goblin", 7, 14}, {"Bugbear", 27, 14}} {
		var id uuid.UUID
		require.NoError(t, b.pool.QueryRow(ctx,
			`INSERT INTO monsters (core_rule_id, source_index, name, challenge_rating, xp, hit_points, armor_class, dexterity)
			 VALUES ($1, $2, $3, 1, 200, $4, 15, $5) RETURNING id`, book.ID, strings.ToLower(m.name), m.name, m.hp, m.dex).Scan(&id))
		monsterIDs = append(monsterIDs, id)
	}
	enc, err := q.EncounterCreate(ctx, db.EncounterCreateParams{CampaignID: cid, Name: "Ambush"})
	require.NoError(t, err)
	n, err := q.EncounterMonsterReplace(ctx, db.EncounterMonsterReplaceParams{CampaignID: cid, EncounterID: enc.ID, MonsterIds: monsterIDs, Counts: []int32{3, 1}})
	require.NoError(t, err)
	require.Equal(t, int64(2), n)

	res, err := b.reg.Do(ctx, b.campaignID, Actor{UserID: b.gm, Role: RoleGM},
		Command{Type: TypeCombatStart, Data: json.RawMessage(fmt.Sprintf(`{"encounterId":%q,"includePlayers":false}`, enc.ID))})
	require.NoError(t, err)
	var c map[string]any
	require.NoError(t, json.Unmarshal(res.Combat, &c))
	var names []string
	for _, id := range c["order"].([]any) {
		cb := field(c, "combatants", id.(string))
		names = append(names, field(cb, "name").(string))
		require.Equal(t, float64(2), field(cb, "initiativeBonus"))
		require.Equal(t, float64(15), field(cb, "ac"))
	}
	require.Equal(t, []string{"Bugbear", "Goblin 1", "Goblin 2", "Goblin 3"}, names)

	_, err = b.reg.Do(ctx, b.campaignID, Actor{UserID: b.gm, Role: RoleGM}, Command{Type: TypeCombatEnd})
	require.NoError(t, err)
	_, err = b.reg.Do(ctx, b.campaignID, Actor{UserID: b.gm, Role: RoleGM},
		Command{Type: TypeCombatStart, Data: json.RawMessage(fmt.Sprintf(`{"encounterId":%q}`, uuid.NewString()))})
	require.ErrorIs(t, err, ErrEncounterNotFound)
}

func TestRegistry_ReloadAndPolls(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	pl := b.connect(t, b.player, RolePlayer, ViewPlayer, Resume{})
	pl.recv()

	// A poll made over HTTP (here: directly in the database), then
	// Reload: every connection sees it.
	var pollID, optionID string
	require.NoError(t, b.pool.QueryRow(ctx,
		`INSERT INTO availability_polls (campaign_id, title, created_by) VALUES ($1, 'Next session', $2) RETURNING id`,
		b.campaignID, b.gm).Scan(&pollID))
	require.NoError(t, b.pool.QueryRow(ctx,
		`INSERT INTO availability_options (campaign_id, poll_id, starts_at, position) VALUES ($1, $2, '2030-01-05T18:00:00Z', 0) RETURNING id`,
		b.campaignID, pollID).Scan(&optionID))
	require.NoError(t, b.reg.Reload(ctx, b.campaignID, PartPolls))
	pl.until(func(m serverMsg) bool { return m.Type == "patch" && field(pl.state, "polls", pollID) != nil })
	require.Equal(t, "2030-01-05T18:00:00Z", field(pl.state, "polls", pollID, "options", optionID, "startsAt"))

	pl.do("v1", "poll.vote", fmt.Sprintf(`{"pollId":%q,"optionId":%q,"answer":"yes"}`, pollID, optionID))
	require.Equal(t, "yes", field(pl.state, "polls", pollID, "options", optionID, "votes", b.player))

	// Another poll created without a Reload is found when voted on.
	var poll2, opt2 string
	require.NoError(t, b.pool.QueryRow(ctx,
		`INSERT INTO availability_polls (campaign_id, title, created_by) VALUES ($1, 'Later', $2) RETURNING id`,
		b.campaignID, b.gm).Scan(&poll2))
	require.NoError(t, b.pool.QueryRow(ctx,
		`INSERT INTO availability_options (campaign_id, poll_id, starts_at, position) VALUES ($1, $2, '2030-02-05T18:00:00Z', 0) RETURNING id`,
		b.campaignID, poll2).Scan(&opt2))
	pl.do("v2", "poll.vote", fmt.Sprintf(`{"pollId":%q,"optionId":%q,"answer":"maybe"}`, poll2, opt2))
	require.Equal(t, "maybe", field(pl.state, "polls", poll2, "options", opt2, "votes", b.player))

	// Closed over HTTP: a vote gets conflict, and the state shows it.
	_, err := b.pool.Exec(ctx, `UPDATE availability_polls SET status = 'closed', closed_at = now() WHERE id = $1`, pollID)
	require.NoError(t, err)
	require.NoError(t, b.reg.Reload(ctx, b.campaignID, PartPolls))
	pl.send(`{"id":"v3","type":"poll.vote","data":{"pollId":%q,"optionId":%q,"answer":"no"}}`, pollID, optionID)
	require.Equal(t, "conflict", pl.reply("v3").Code)
	require.Equal(t, "closed", field(pl.state, "polls", pollID, "status"))

	// Renamed campaign.
	_, err = b.pool.Exec(ctx, `UPDATE campaigns SET name = 'The Risen Keep' WHERE id = $1`, b.campaignID)
	require.NoError(t, err)
	require.NoError(t, b.reg.Reload(ctx, b.campaignID, PartCampaign))
	pl.until(func(m serverMsg) bool { return field(pl.state, "campaign", "name") == "The Risen Keep" })

	// No hub for an unknown campaign: nothing to do.
	require.NoError(t, b.reg.Reload(ctx, uuid.NewString(), PartPolls))
}

// TestHub_StaleMemory changes the database behind the hub's back: the hub
// notices, answers conflict, and publishes the database's state.
func TestHub_StaleMemory(t *testing.T) {
	t.Parallel()
	b := setup(t)
	gm := b.connect(t, b.gm, RoleGM, ViewGM, Resume{})
	gm.recv()
	gm.do("s", "combat.start", `{"includePlayers":false}`)
	id := resultString(t, gm.do("a", "combat.add", `{"name":"Ogre","kind":"monster","hp":59,"maxHp":59}`), "combatantId")
	_, err := b.pool.Exec(context.Background(), `UPDATE combatants SET hp = 30 WHERE id = $1`, id)
	require.NoError(t, err)

	gm.send(`{"id":"d","type":"combat.damage","data":{"combatantId":%q,"amount":5}}`, id)
	m := gm.reply("d")
	require.Equal(t, "conflict", m.Code)
	// The database's value was published before the answer.
	require.Equal(t, float64(30), field(gm.state, "combat", "combatants", id, "hp"))
	gm.do("d2", "combat.damage", fmt.Sprintf(`{"combatantId":%q,"amount":5}`, id))
	require.Equal(t, float64(25), field(gm.state, "combat", "combatants", id, "hp"))
}

// TestHub_Fenced starts a second registry (another process) on the same
// campaign: the first one's hub is fenced off at its next write and its
// clients are closed; the new one serves.
func TestHub_Fenced(t *testing.T) {
	t.Parallel()
	b := setup(t)
	gm := b.connect(t, b.gm, RoleGM, ViewGM, Resume{})
	gm.recv()
	gm.do("s", "combat.start", `{"includePlayers":false}`)

	other := newTestRegistry(t, b.pool)
	_, err := other.Do(context.Background(), b.campaignID, Actor{UserID: b.gm, Role: RoleGM},
		Command{Type: TypeCombatAdd, Data: json.RawMessage(`{"name":"Ogre","kind":"monster","hp":59,"maxHp":59}`)})
	require.NoError(t, err)

	gm.send(`{"id":"a","type":"combat.add","data":{"name":"Imp","kind":"monster","hp":1,"maxHp":1}}`)
	require.Equal(t, "internal", gm.reply("a").Code)
	require.Equal(t, websocket.StatusInternalError, gm.waitClosed(t))

	combat, _, err := other.Snapshot(context.Background(), b.campaignID, ViewGM)
	require.NoError(t, err)
	require.Contains(t, string(combat), "Ogre")
	require.NotContains(t, string(combat), "Imp")
}

func TestRegistry_Close(t *testing.T) {
	t.Parallel()
	b := setup(t)
	other := createCampaign(t, b.pool, b.gm, "Elsewhere")
	addMember(t, b.pool, other, b.player, "player", "")
	conn := func(campaign, user string, role Role, session string) *fakePeer {
		p := connectFake(t, b.reg, Participant{CampaignID: campaign, UserID: user, DisplayName: "x", Role: role, View: View(role), SessionID: session}, Resume{})
		p.recv()
		return p
	}

	here := conn(b.campaignID, b.player, RolePlayer, "sess-1")
	there := conn(other, b.player, RolePlayer, "sess-2")
	require.Equal(t, 1, b.reg.CloseMember(b.campaignID, b.player, CloseRemoved, "removed from campaign"))
	require.Equal(t, CloseRemoved, here.waitClosed(t))

	require.Equal(t, 1, b.reg.CloseSession("sess-2", CloseSessionEnded, "logged out"))
	require.Equal(t, CloseSessionEnded, there.waitClosed(t))

	a := conn(b.campaignID, b.player2, RolePlayer, "s3")
	c := conn(other, b.gm, RoleGM, "s4")
	d := conn(b.campaignID, b.gm, RoleGM, "s4")
	require.Equal(t, 1, b.reg.CloseUser(b.player2, CloseSessionEnded, "password reset"))
	require.Equal(t, CloseSessionEnded, a.waitClosed(t))
	require.Equal(t, 1, b.reg.CloseCampaign(other, CloseCampaignDeleted, "campaign deleted"))
	require.Equal(t, CloseCampaignDeleted, c.waitClosed(t))
	d.send(`{"id":"still","type":"ping"}`)
	d.until(func(m serverMsg) bool { return m.Type == "pong" })
}

func TestRegistry_Shutdown(t *testing.T) {
	t.Parallel()
	b := setup(t)
	gm := b.connect(t, b.gm, RoleGM, ViewGM, Resume{})
	gm.recv()
	gm.do("s", "combat.start", `{"includePlayers":false}`)
	id := resultString(t, gm.do("a", "combat.add", `{"name":"Target","kind":"monster","hp":1000,"maxHp":1000}`), "combatantId")
	for i := range 20 {
		gm.send(`{"id":"d%d","type":"combat.damage","data":{"combatantId":%q,"amount":1}}`, i, id)
	}
	ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
	defer cancel()
	require.NoError(t, b.reg.Shutdown(ctx))
	require.Equal(t, websocket.StatusGoingAway, gm.waitClosed(t))

	// Whatever was acked is in the database, and nothing else.
	acked := 0
	for {
		if _, ok := gm.recv(); !ok {
			break
		}
	}
	for _, m := range gm.msgs {
		if m.Type == "ack" && strings.HasPrefix(m.ID, "d") {
			acked++
		}
	}
	var hp int
	require.NoError(t, b.pool.QueryRow(ctx, `SELECT hp FROM combatants WHERE id = $1`, id).Scan(&hp))
	require.LessOrEqual(t, hp, 1000-acked)

	_, err := b.reg.Do(ctx, b.campaignID, Actor{UserID: b.gm, Role: RoleGM}, Command{Type: TypeCombatNext})
	require.ErrorIs(t, err, ErrShuttingDown)
	late := b.connect(t, b.gm, RoleGM, ViewGM, Resume{})
	require.Equal(t, websocket.StatusGoingAway, late.waitClosed(t))
}

func TestHub_IdleStop(t *testing.T) {
	t.Parallel()
	b := setup(t, func(o *Options) { o.IdleTimeout = 20 * time.Millisecond })
	p := b.connect(t, b.player, RolePlayer, ViewPlayer, Resume{})
	p.recv()
	epoch := p.epoch
	b.reg.mu.Lock()
	h := b.reg.hubs[b.campaignID]
	b.reg.mu.Unlock()
	require.NotNil(t, h)
	p.fc.CloseNow()
	select {
	case <-h.done:
	case <-time.After(waitTimeout):
		t.Fatal("idle hub did not stop")
	}
	require.NoError(t, h.err)
	b.reg.mu.Lock()
	require.Empty(t, b.reg.hubs)
	b.reg.mu.Unlock()

	// A new hub serves the campaign under a new epoch.
	p2 := b.connect(t, b.player, RolePlayer, ViewPlayer, Resume{Epoch: epoch, Seq: p.seq})
	m, _ := p2.recv()
	require.Equal(t, "snapshot", m.Type)
	require.NotEqual(t, epoch, m.Epoch)
}

// TestHub_GroupCommit sends commands from many connections at once: every
// one is acked, every view's seq has no gap, and the database agrees.
func TestHub_GroupCommit(t *testing.T) {
	t.Parallel()
	b := setup(t)
	gm := b.connect(t, b.gm, RoleGM, ViewGM, Resume{})
	gm.recv()
	gm.do("s", "combat.start", `{"includePlayers":false}`)
	id := resultString(t, gm.do("a", "combat.add", `{"name":"Target","kind":"monster","hp":10000,"maxHp":10000}`), "combatantId")

	const conns, each = 6, 30
	var peers []*fakePeer
	for range conns {
		p := b.connect(t, b.gm, RoleGM, ViewGM, Resume{})
		p.recv()
		peers = append(peers, p)
	}
	for i, p := range peers {
		for j := range each {
			p.send(`{"id":"c%d-%d","type":"combat.damage","data":{"combatantId":%q,"amount":1}}`, i, j, id)
		}
	}
	for i, p := range peers {
		for j := range each {
			p.ack(fmt.Sprintf("c%d-%d", i, j))
		}
	}
	fresh, seq := b.freshState(t, b.gm, RoleGM, ViewGM)
	for _, p := range append(peers, gm) {
		p.catchUp(seq)
		require.Equal(t, fresh, p.state)
	}
	require.Equal(t, float64(10000-conns*each), field(fresh, "combat", "combatants", id, "hp"))
	var hp int
	require.NoError(t, b.pool.QueryRow(context.Background(), `SELECT hp FROM combatants WHERE id = $1`, id).Scan(&hp))
	require.Equal(t, 10000-conns*each, hp)
}

// counterValue reads the dropped-connections counter for reason.
func counterValue(t *testing.T, r *Registry, reason string) float64 {
	t.Helper()
	var m dto.Metric
	require.NoError(t, r.metrics.dropped.WithLabelValues(reason).Write(&m))
	return m.GetCounter().GetValue()
}
