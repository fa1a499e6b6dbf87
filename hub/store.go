package hub

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"gametable/db"
)

// This file is the hub's side of PostgreSQL: loading a campaign's live
// state and writing the effects of commands. Every call passes the hub's
// own campaign id (the campaign-scope rule); every call runs inside a
// transaction the hub opened with a deadline.

// errStale means a guarded write matched no row: the database disagrees
// with the hub's memory. The hub reloads.
var errStale = errors.New("live state is stale")

// Part names a part of the live state that Reload reads again from the
// database after a change made outside the hub.
type Part uint8

// The parts of the live state.
const (
	// PartCampaign is the campaign's name.
	PartCampaign Part = 1 << iota
	// PartCombat is the running combat (for example after a member's
	// removal cleared the userId of their combatants).
	PartCombat
	// PartPolls is the live part of availability polls (after a poll was
	// created, closed, finalized or edited over HTTP).
	PartPolls

	allParts = PartCampaign | PartCombat | PartPolls
)

// store runs the hub's queries for one campaign.
type store struct {
	campaignID uuid.UUID
}

// loaded is a campaign's state as PostgreSQL has it.
type loaded struct {
	st  *state
	seq [2]int64
}

// load starts serving the campaign under a new epoch and reads its whole
// live state, in one transaction.
func (s store) load(ctx context.Context, tx pgx.Tx, epoch string) (loaded, error) {
	q := db.New(tx)
	row, err := q.CampaignLiveLoad(ctx, db.CampaignLiveLoadParams{Epoch: epoch, CampaignID: s.campaignID})
	if err != nil {
		return loaded{}, fmt.Errorf("load campaign: %w", db.Interpret(err))
	}
	st := &state{
		campaign: campaignInfo{id: s.campaignID.String(), name: row.Name},
		presence: newPresence(),
	}
	if st.combat, err = s.loadCombat(ctx, q); err != nil {
		return loaded{}, err
	}
	if st.polls, err = s.loadPolls(ctx, q); err != nil {
		return loaded{}, err
	}
	return loaded{st: st, seq: [2]int64{row.LiveGMSeq, row.LivePlayerSeq}}, nil
}

// reloadParts returns a copy of cur with the given parts read again.
func (s store) reloadParts(ctx context.Context, tx pgx.Tx, cur *state, parts Part) (*state, error) {
	q := db.New(tx)
	next := cur.shallow()
	var err error
	if parts&PartCampaign != 0 {
		name, err := q.CampaignLiveName(ctx, s.campaignID)
		if err != nil {
			return nil, fmt.Errorf("reload campaign: %w", db.Interpret(err))
		}
		next.campaign.name = name
	}
	if parts&PartCombat != 0 {
		if next.combat, err = s.loadCombat(ctx, q); err != nil {
			return nil, err
		}
	}
	if parts&PartPolls != 0 {
		if next.polls, err = s.loadPolls(ctx, q); err != nil {
			return nil, err
		}
	}
	return next, nil
}

func (s store) loadCombat(ctx context.Context, q *db.Queries) (*combat, error) {
	row, err := q.CombatGetActive(ctx, s.campaignID)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("load combat: %w", db.Interpret(err))
	}
	c := &combat{id: row.ID.String(), round: int(row.Round), combatants: map[string]*combatant{}}
	if row.EncounterID != nil {
		c.encounterID = row.EncounterID.String()
	}
	if row.TurnCombatantID != nil {
		c.turn = row.TurnCombatantID.String()
	}
	rows, err := q.CombatantListByCombat(ctx, db.CombatantListByCombatParams{CampaignID: s.campaignID, CombatID: row.ID})
	if err != nil {
		return nil, fmt.Errorf("load combatants: %w", db.Interpret(err))
	}
	for _, r := range rows {
		cb := &combatant{
			id: r.ID.String(), name: r.Name, kind: r.Kind, initBonus: int(r.InitiativeBonus),
			hp: int(r.HP), maxHP: int(r.MaxHP), tempHP: int(r.TempHP), hidden: r.Hidden,
		}
		if r.Initiative != nil {
			cb.initiative, cb.hasInit = int(*r.Initiative), true
		}
		if r.AC != nil {
			cb.ac, cb.hasAC = int(*r.AC), true
		}
		cb.userID = uuidString(r.UserID)
		cb.monsterID = uuidString(r.MonsterID)
		cb.npcID = uuidString(r.NPCID)
		if cb.conditions, err = decodeConditions(r.Conditions); err != nil {
			return nil, fmt.Errorf("load combatant %s: %w", cb.id, err)
		}
		c.combatants[cb.id] = cb
	}
	if c.combatants[c.turn] == nil {
		c.turn = ""
	}
	if row.EncounterID != nil {
		if err := s.loadDifficultyInputs(ctx, q, c, *row.EncounterID); err != nil {
			return nil, err
		}
	}
	c.sortOrder()
	return c, nil
}

// loadDifficultyInputs reads what the GM view's combat.difficulty needs
// for a combat from an encounter: the encounter's party, the players'
// levels and the combatants' challenge ratings.
func (s store) loadDifficultyInputs(ctx context.Context, q *db.Queries, c *combat, encounterID uuid.UUID) error {
	p := &prepared{}
	if err := s.loadParty(ctx, q, p, encounterID); err != nil {
		return err
	}
	c.party, c.levels, c.userIDs = p.party, p.levels, p.userIDs
	var ids []string
	for _, cb := range c.combatants {
		if cb.monsterID != "" {
			ids = append(ids, cb.monsterID)
		}
	}
	crs, err := s.monsterCRs(ctx, q, ids)
	if err != nil {
		return err
	}
	for _, cb := range c.combatants {
		cb.cr, cb.hasCR = crs[cb.monsterID]
	}
	return nil
}

// loadParty reads the encounter's own partyLevels (a deleted encounter
// has none) and the players' characterLevels into p.
func (s store) loadParty(ctx context.Context, q *db.Queries, p *prepared, encounterID uuid.UUID) error {
	e, err := q.EncounterGet(ctx, db.EncounterGetParams{CampaignID: s.campaignID, ID: encounterID})
	switch {
	case err == nil:
		for _, l := range e.PartyLevels {
			p.party = append(p.party, int(l))
		}
	case !errors.Is(err, pgx.ErrNoRows):
		return fmt.Errorf("get encounter: %w", db.Interpret(err))
	}
	rows, err := q.CombatPartyLevelList(ctx, s.campaignID)
	if err != nil {
		return fmt.Errorf("list party levels: %w", db.Interpret(err))
	}
	p.levels = make(map[string]int, len(rows))
	for _, r := range rows {
		uid := r.UserID.String()
		p.levels[uid] = int(r.CharacterLevel)
		p.userIDs = append(p.userIDs, uid)
	}
	return nil
}

// monsterCRs returns the challenge ratings of the given monsters by id.
func (s store) monsterCRs(ctx context.Context, q *db.Queries, ids []string) (map[string]float64, error) {
	crs := map[string]float64{}
	if len(ids) == 0 {
		return crs, nil
	}
	uids := make([]uuid.UUID, 0, len(ids))
	for _, id := range ids {
		uids = append(uids, uuid.MustParse(id))
	}
	rows, err := q.CombatMonsterCRList(ctx, uids)
	if err != nil {
		return nil, fmt.Errorf("list monster challenge ratings: %w", db.Interpret(err))
	}
	for _, r := range rows {
		crs[r.ID.String()] = r.ChallengeRating
	}
	return crs, nil
}

// prepareAdd reads the challenge rating of combat.add's monsterId when the
// combat came from an encounter (its difficulty counts the monster).
func (s store) prepareAdd(ctx context.Context, tx pgx.Tx, d *combatAddData) (*prepared, error) {
	crs, err := s.monsterCRs(ctx, db.New(tx), []string{*d.MonsterID})
	if err != nil {
		return nil, err
	}
	return &prepared{crs: crs}, nil
}

func (s store) loadPolls(ctx context.Context, q *db.Queries) (*pollSet, error) {
	rows, err := q.LivePollList(ctx, s.campaignID)
	if err != nil {
		return nil, fmt.Errorf("load polls: %w", db.Interpret(err))
	}
	ps := emptyPolls()
	if len(rows) == 0 {
		return ps, nil
	}
	ids := make([]uuid.UUID, 0, len(rows))
	for _, r := range rows {
		p := &poll{id: r.ID.String(), title: r.Title, status: r.Status, options: map[string]*pollOption{}}
		if r.ClosesAt != nil {
			p.closesAt = formatTime(*r.ClosesAt)
		}
		ps.polls[p.id] = p
		ids = append(ids, r.ID)
	}
	opts, err := q.LivePollOptionList(ctx, db.LivePollOptionListParams{CampaignID: s.campaignID, PollIds: ids})
	if err != nil {
		return nil, fmt.Errorf("load poll options: %w", db.Interpret(err))
	}
	for _, o := range opts {
		po := &pollOption{startsAt: formatTime(o.StartsAt), votes: map[string]string{}}
		if o.EndsAt != nil {
			po.endsAt = formatTime(*o.EndsAt)
		}
		ps.polls[o.PollID.String()].options[o.ID.String()] = po
	}
	votes, err := q.LivePollVoteList(ctx, db.LivePollVoteListParams{CampaignID: s.campaignID, PollIds: ids})
	if err != nil {
		return nil, fmt.Errorf("load poll votes: %w", db.Interpret(err))
	}
	for _, v := range votes {
		if p := ps.polls[v.PollID.String()]; p != nil {
			if o := p.options[v.OptionID.String()]; o != nil {
				o.votes[v.UserID.String()] = v.Answer
			}
		}
	}
	return ps, nil
}

// prepare reads what a command needs before the rules can run: the
// encounter's monsters and the players for combat.start.
func (s store) prepare(ctx context.Context, tx pgx.Tx, d *combatStartData) (*prepared, error) {
	q := db.New(tx)
	p := &prepared{}
	if d.EncounterID != nil {
		eid := uuid.MustParse(*d.EncounterID)
		if _, err := q.EncounterGet(ctx, db.EncounterGetParams{CampaignID: s.campaignID, ID: eid}); err != nil {
			if errors.Is(err, pgx.ErrNoRows) {
				return nil, ErrEncounterNotFound
			}
			return nil, fmt.Errorf("get encounter: %w", err)
		}
		if err := s.loadParty(ctx, q, p, eid); err != nil {
			return nil, err
		}
		rows, err := q.EncounterMonsterList(ctx, db.EncounterMonsterListParams{CampaignID: s.campaignID, EncounterID: eid})
		if err != nil {
			return nil, fmt.Errorf("list encounter monsters: %w", err)
		}
		for _, r := range rows {
			if !r.Visible {
				continue // its book is not enabled in this campaign any more
			}
			p.monsters = append(p.monsters, monsterSeed{
				monsterID: r.MonsterID.String(), name: r.Name,
				hp: int(r.HitPoints), ac: int(r.ArmorClass),
				initBonus: abilityModifier(int(r.Dexterity)), count: int(r.Count),
				cr: r.ChallengeRating, hasCR: true,
			})
		}
	}
	if d.IncludePlayers == nil || *d.IncludePlayers {
		rows, err := q.LiveMemberList(ctx, s.campaignID)
		if err != nil {
			return nil, fmt.Errorf("list players: %w", err)
		}
		for _, r := range rows {
			p.players = append(p.players, playerSeed{userID: r.UserID.String(), name: truncateRunes(r.Name, maxNameLen)})
		}
	}
	return p, nil
}

// abilityModifier is floor((score - 10) / 2).
func abilityModifier(score int) int {
	d := score - 10
	if d < 0 {
		return (d - 1) / 2
	}
	return d / 2
}

func truncateRunes(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n])
}

// persist writes one effect. A guarded write that matches nothing, or a
// relative change whose result differs from the rules', is errStale.
func (s store) persist(ctx context.Context, tx pgx.Tx, e effect) error {
	q := db.New(tx)
	switch e := e.(type) {
	case effCombatStart:
		c := e.combat
		if err := q.CombatInsert(ctx, db.CombatInsertParams{ID: uuid.MustParse(c.id), CampaignID: s.campaignID, EncounterID: uuidPtr(c.encounterID)}); err != nil {
			return fmt.Errorf("insert combat: %w", db.Interpret(err))
		}
		cbs := make([]*combatant, 0, len(c.order))
		for _, id := range c.order {
			cbs = append(cbs, c.combatants[id])
		}
		if err := s.insertCombatants(ctx, q, c.id, cbs); err != nil {
			return err
		}
		return s.npcAppearances(ctx, q, c.id)
	case effCombatantAdd:
		if err := s.insertCombatants(ctx, q, e.combatID, []*combatant{e.c}); err != nil {
			return err
		}
		if e.c.npcID == "" {
			return nil
		}
		return s.npcAppearances(ctx, q, e.combatID)
	case effCombatTurn:
		n, err := q.CombatSetTurn(ctx, db.CombatSetTurnParams{
			CampaignID: s.campaignID, ID: uuid.MustParse(e.combatID),
			Round: int32(e.toRound), TurnCombatantID: uuidPtr(e.toTurn),
			FromRound: int32(e.fromRound), FromTurnCombatantID: uuidPtr(e.fromTurn),
		})
		return rowsOrStale("set turn", n, err)
	case effCombatEnd:
		n, err := q.CombatEnd(ctx, db.CombatEndParams{CampaignID: s.campaignID, ID: uuid.MustParse(e.combatID), Outcome: e.outcome})
		return rowsOrStale("end combat", n, err)
	case effCombatantSet:
		c := e.c
		n, err := q.CombatantSet(ctx, db.CombatantSetParams{
			CampaignID: s.campaignID, ID: uuid.MustParse(c.id),
			Name: c.name, Initiative: optInt32(c.initiative, c.hasInit), InitiativeBonus: int32(c.initBonus),
			HP: int32(c.hp), MaxHP: int32(c.maxHP), TempHP: int32(c.tempHP),
			AC: optInt32(c.ac, c.hasAC), Hidden: c.hidden, Conditions: encodeConditions(c.conditions),
		})
		return rowsOrStale("set combatant", n, err)
	case effCombatantDamage:
		row, err := q.CombatantDamage(ctx, db.CombatantDamageParams{CampaignID: s.campaignID, ID: uuid.MustParse(e.id), Amount: int32(e.amount)})
		if err != nil {
			return staleIfNoRows("damage combatant", err)
		}
		if int(row.HP) != e.hp || int(row.TempHP) != e.tempHP {
			return fmt.Errorf("damage combatant: hp %d/%d, expected %d/%d: %w", row.HP, row.TempHP, e.hp, e.tempHP, errStale)
		}
		return nil
	case effCombatantHeal:
		hp, err := q.CombatantHeal(ctx, db.CombatantHealParams{CampaignID: s.campaignID, ID: uuid.MustParse(e.id), Amount: int32(e.amount)})
		if err != nil {
			return staleIfNoRows("heal combatant", err)
		}
		if int(hp) != e.hp {
			return fmt.Errorf("heal combatant: hp %d, expected %d: %w", hp, e.hp, errStale)
		}
		return nil
	case effCombatantRemove:
		n, err := q.CombatantDelete(ctx, db.CombatantDeleteParams{CampaignID: s.campaignID, ID: uuid.MustParse(e.id)})
		return rowsOrStale("delete combatant", n, err)
	case effPollVote:
		var n int64
		var err error
		if e.answer == "none" {
			n, err = q.LivePollVoteDelete(ctx, db.LivePollVoteDeleteParams{
				CampaignID: s.campaignID, PollID: uuid.MustParse(e.pollID), OptionID: uuid.MustParse(e.optionID), UserID: uuid.MustParse(e.userID),
			})
		} else {
			n, err = q.LivePollVoteSet(ctx, db.LivePollVoteSetParams{
				CampaignID: s.campaignID, PollID: uuid.MustParse(e.pollID), OptionID: uuid.MustParse(e.optionID),
				UserID: uuid.MustParse(e.userID), Answer: e.answer,
			})
		}
		return rowsOrStale("vote", n, err)
	}
	panic(fmt.Sprintf("developer error: persist of unknown effect %T", e))
}

// npcAppearances gives the NPCs taking part in the combat an appearance
// in the session of its encounter (when it has one), in the transaction
// that started the combat or added them. Idempotent.
func (s store) npcAppearances(ctx context.Context, q *db.Queries, combatID string) error {
	if _, err := q.NPCAppearanceFromCombat(ctx, db.NPCAppearanceFromCombatParams{CampaignID: s.campaignID, CombatID: uuid.MustParse(combatID)}); err != nil {
		return fmt.Errorf("npc appearances: %w", db.Interpret(err))
	}
	return nil
}

func (s store) insertCombatants(ctx context.Context, q *db.Queries, combatID string, cbs []*combatant) error {
	if len(cbs) == 0 {
		return nil
	}
	cid := uuid.MustParse(combatID)
	params := make([]db.CombatantInsertParams, 0, len(cbs))
	for _, c := range cbs {
		params = append(params, db.CombatantInsertParams{
			ID: uuid.MustParse(c.id), CampaignID: s.campaignID, CombatID: cid,
			Kind: c.kind, Name: c.name, Initiative: optInt32(c.initiative, c.hasInit), InitiativeBonus: int32(c.initBonus),
			HP: int32(c.hp), MaxHP: int32(c.maxHP), TempHP: int32(c.tempHP), AC: optInt32(c.ac, c.hasAC),
			Hidden: c.hidden, Conditions: encodeConditions(c.conditions),
			UserID: uuidPtr(c.userID), MonsterID: uuidPtr(c.monsterID), NPCID: uuidPtr(c.npcID),
		})
	}
	var first error
	br := q.CombatantInsert(ctx, params)
	br.Exec(func(_ int, err error) {
		if err != nil && first == nil {
			first = err
		}
	})
	if err := br.Close(); err != nil && first == nil {
		first = err
	}
	if first != nil {
		return fmt.Errorf("insert combatants: %w", db.Interpret(first))
	}
	return nil
}

// commit stores the new seqs under the epoch fence and logs the patches.
func (s store) commit(ctx context.Context, tx pgx.Tx, epoch string, from, to [2]int64, events []event) error {
	q := db.New(tx)
	if from != to {
		n, err := q.CampaignLiveCommit(ctx, db.CampaignLiveCommitParams{
			CampaignID: s.campaignID, Epoch: epoch,
			GMSeq: to[0], PlayerSeq: to[1], FromGMSeq: from[0], FromPlayerSeq: from[1],
		})
		if err != nil {
			return fmt.Errorf("store seqs: %w", db.Interpret(err))
		}
		if n == 0 {
			return errFenced
		}
	}
	if len(events) == 0 {
		return nil
	}
	p := db.LiveEventAppendParams{CampaignID: s.campaignID,
		Views: make([]string, 0, len(events)), Seqs: make([]int64, 0, len(events)), Patches: make([]string, 0, len(events))}
	for _, e := range events {
		p.Views = append(p.Views, string(views[e.view]))
		p.Seqs = append(p.Seqs, e.seq)
		p.Patches = append(p.Patches, string(e.patch))
	}
	if err := q.LiveEventAppend(ctx, p); err != nil {
		return fmt.Errorf("log patches: %w", db.Interpret(err))
	}
	return nil
}

// errFenced means the campaign's epoch or seqs in the database are not the
// hub's: another hub took the campaign over, or a commit whose outcome was
// unknown did land. The hub stops; its clients reconnect and resync.
var errFenced = errors.New("live epoch or seq changed in the database")

// event is one logged patch.
type event struct {
	view  int
	seq   int64
	patch []byte
}

// recordOutcomes stores command outcomes for idempotent retries.
func (s store) recordOutcomes(ctx context.Context, tx pgx.Tx, recs []outcomeRecord) error {
	if len(recs) == 0 {
		return nil
	}
	p := db.LiveCommandRecordParams{CampaignID: s.campaignID,
		UserIds: make([]uuid.UUID, 0, len(recs)), CommandIds: make([]string, 0, len(recs)), Outcomes: make([]string, 0, len(recs))}
	for _, r := range recs {
		p.UserIds = append(p.UserIds, uuid.MustParse(r.userID))
		p.CommandIds = append(p.CommandIds, r.commandID)
		p.Outcomes = append(p.Outcomes, string(r.outcome.encode()))
	}
	if err := db.New(tx).LiveCommandRecord(ctx, p); err != nil {
		return fmt.Errorf("record outcomes: %w", db.Interpret(err))
	}
	return nil
}

// lookupOutcomes finds the stored outcomes of the last ten minutes for
// the given commands.
func (s store) lookupOutcomes(ctx context.Context, tx pgx.Tx, keys []outcomeKey) (map[outcomeKey]*storedOutcome, error) {
	if len(keys) == 0 {
		return nil, nil
	}
	p := db.LiveCommandGetManyParams{CampaignID: s.campaignID,
		UserIds: make([]uuid.UUID, 0, len(keys)), CommandIds: make([]string, 0, len(keys))}
	want := make(map[outcomeKey]bool, len(keys))
	for _, k := range keys {
		p.UserIds = append(p.UserIds, uuid.MustParse(k.userID))
		p.CommandIds = append(p.CommandIds, k.id)
		want[k] = true
	}
	rows, err := db.New(tx).LiveCommandGetMany(ctx, p)
	if err != nil {
		return nil, fmt.Errorf("look up command outcomes: %w", db.Interpret(err))
	}
	found := map[outcomeKey]*storedOutcome{}
	for _, r := range rows {
		k := outcomeKey{r.UserID.String(), r.CommandID}
		if !want[k] {
			continue
		}
		o, err := decodeOutcome(r.Outcome)
		if err != nil {
			return nil, fmt.Errorf("decode command outcome: %w", err)
		}
		found[k] = o
	}
	return found, nil
}

// outcomeRecord is one row for LiveCommandRecord.
type outcomeRecord struct {
	userID    string
	commandID string
	outcome   *storedOutcome
}

// storedOutcome is what a retried command id gets again: an ack (with the
// seq and result per view) or an error.
type storedOutcome struct {
	seq    [2]int64
	result [2][]byte
	err    *RuleError
}

type storedOutcomeJSON struct {
	Seq    *[2]int64           `json:"seq,omitempty"`
	Result *[2]json.RawMessage `json:"result,omitempty"`
	Error  *storedErrorJSON    `json:"error,omitempty"`
}

type storedErrorJSON struct {
	Code    string            `json:"code"`
	Message string            `json:"message"`
	Fields  map[string]string `json:"fields,omitempty"`
}

func (o *storedOutcome) encode() []byte {
	var j storedOutcomeJSON
	if o.err != nil {
		j.Error = &storedErrorJSON{Code: o.err.Code, Message: o.err.Message, Fields: o.err.Fields}
	} else {
		j.Seq = &o.seq
		j.Result = &[2]json.RawMessage{o.result[0], o.result[1]}
	}
	b, err := json.Marshal(j)
	if err != nil {
		panic("developer error: encode outcome: " + err.Error())
	}
	return b
}

func decodeOutcome(b []byte) (*storedOutcome, error) {
	var j storedOutcomeJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return nil, err
	}
	o := &storedOutcome{}
	switch {
	case j.Error != nil:
		o.err = &RuleError{Code: j.Error.Code, Message: j.Error.Message, Fields: j.Error.Fields}
	case j.Seq != nil && j.Result != nil:
		o.seq = *j.Seq
		o.result = [2][]byte{j.Result[0], j.Result[1]}
	default:
		return nil, errors.New("outcome has neither seq nor error")
	}
	return o, nil
}

// trimEvents keeps a view's log to its last keep patches.
func (s store) trimEvents(ctx context.Context, q *db.Queries, v int, below int64) error {
	if below <= 0 {
		return nil
	}
	_, err := q.LiveEventTrim(ctx, db.LiveEventTrimParams{CampaignID: s.campaignID, View: string(views[v]), BelowSeq: below})
	return db.Interpret(err)
}

type conditionJSON struct {
	Rounds *int `json:"rounds,omitempty"`
}

// encodeConditions gives the jsonb form, the state's own shape:
// {"poisoned": {"rounds": 2}, "prone": {}}.
func encodeConditions(m map[string]int) []byte {
	d := make(doc, len(m))
	for name, r := range m {
		if r > 0 {
			d[name] = doc{"rounds": r}
		} else {
			d[name] = doc{}
		}
	}
	return appendDoc(nil, d)
}

func decodeConditions(b []byte) (map[string]int, error) {
	var raw map[string]conditionJSON
	if err := json.Unmarshal(b, &raw); err != nil {
		return nil, fmt.Errorf("decode conditions: %w", err)
	}
	m := make(map[string]int, len(raw))
	for name, c := range raw {
		r := 0
		if c.Rounds != nil && *c.Rounds > 0 {
			r = *c.Rounds
		}
		m[name] = r
	}
	return m, nil
}

func rowsOrStale(what string, n int64, err error) error {
	if err != nil {
		return fmt.Errorf("%s: %w", what, db.Interpret(err))
	}
	if n == 0 {
		return fmt.Errorf("%s: %w", what, errStale)
	}
	return nil
}

func staleIfNoRows(what string, err error) error {
	if errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("%s: %w", what, errStale)
	}
	return fmt.Errorf("%s: %w", what, db.Interpret(err))
}

func uuidPtr(s string) *uuid.UUID {
	if s == "" {
		return nil
	}
	u := uuid.MustParse(s)
	return &u
}

func uuidString(u *uuid.UUID) string {
	if u == nil {
		return ""
	}
	return u.String()
}

func optInt32(v int, ok bool) *int32 {
	if !ok {
		return nil
	}
	n := int32(v)
	return &n
}

func formatTime(t time.Time) string {
	return t.UTC().Format(time.RFC3339)
}
