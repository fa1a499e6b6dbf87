package compendium

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"gametable/db"
)

// Limits of an encounter (issue 6; the schema checks them again).
const (
	MaxEncounterName    = 80
	MaxEncounterNotes   = 100000
	MaxEncounterEntries = 50  // monster entries per encounter
	MaxMonsterCount     = 100 // of one monster in an entry
	MaxPartySize        = 12  // partyLevels entries
	maxCombatantName    = 80  // combatants.name
)

// ValidationError lists the invalid fields of an encounter, keyed by the
// API's field names ("name", "partyLevels[2]", "monsters[1].monsterId").
// The HTTP layer answers it with 422 validation_failed.
type ValidationError struct {
	Fields map[string]string
}

// Error lists the fields in a stable order.
func (e *ValidationError) Error() string {
	keys := slices.Sorted(maps.Keys(e.Fields))
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + ": " + e.Fields[k]
	}
	return "invalid encounter: " + strings.Join(parts, "; ")
}

// EncounterMonsterInput is one entry of an encounter as a client sends it.
type EncounterMonsterInput struct {
	MonsterID uuid.UUID
	Count     int
}

// EncounterInput is a new encounter.
type EncounterInput struct {
	Name      string
	Notes     string
	SessionID *uuid.UUID
	// PartyLevels are the character levels to rate the encounter for; nil
	// or empty means the campaign's players' levels.
	PartyLevels []int
	Monsters    []EncounterMonsterInput
}

// Validate checks the values alone (not whether the monsters and session
// exist); nil when they are fine.
func (in EncounterInput) Validate() *ValidationError {
	fields := map[string]string{}
	validateName(fields, in.Name)
	validateNotes(fields, in.Notes)
	validateParty(fields, in.PartyLevels)
	validateMonsters(fields, in.Monsters)
	if len(fields) > 0 {
		return &ValidationError{Fields: fields}
	}
	return nil
}

// EncounterPatch is a partial update: nil pointers and false Set flags
// leave a field as it is.
type EncounterPatch struct {
	Name  *string
	Notes *string
	// SetSessionID replaces the session link with SessionID (nil unlinks).
	SetSessionID bool
	SessionID    *uuid.UUID
	// SetPartyLevels replaces the party; nil or empty means the players'
	// levels again.
	SetPartyLevels bool
	PartyLevels    []int
	// SetMonsters replaces the whole monster list with Monsters.
	SetMonsters bool
	Monsters    []EncounterMonsterInput
}

// Validate checks the fields the patch sets; nil when they are fine.
func (p EncounterPatch) Validate() *ValidationError {
	fields := map[string]string{}
	if p.Name != nil {
		validateName(fields, *p.Name)
	}
	if p.Notes != nil {
		validateNotes(fields, *p.Notes)
	}
	if p.SetPartyLevels {
		validateParty(fields, p.PartyLevels)
	}
	if p.SetMonsters {
		validateMonsters(fields, p.Monsters)
	}
	if len(fields) > 0 {
		return &ValidationError{Fields: fields}
	}
	return nil
}

func validateName(fields map[string]string, name string) {
	switch n := utf8.RuneCountInString(strings.TrimSpace(name)); {
	case n == 0:
		fields["name"] = "is required"
	case utf8.RuneCountInString(name) > MaxEncounterName:
		fields["name"] = fmt.Sprintf("must be at most %d characters", MaxEncounterName)
	}
}

func validateNotes(fields map[string]string, notes string) {
	if utf8.RuneCountInString(notes) > MaxEncounterNotes {
		fields["notes"] = fmt.Sprintf("must be at most %d characters", MaxEncounterNotes)
	}
}

func validateParty(fields map[string]string, levels []int) {
	if len(levels) > MaxPartySize {
		fields["partyLevels"] = fmt.Sprintf("must have at most %d levels", MaxPartySize)
		return
	}
	for i, l := range levels {
		if l < 1 || l > 20 {
			fields[fmt.Sprintf("partyLevels[%d]", i)] = "must be 1 to 20"
		}
	}
}

func validateMonsters(fields map[string]string, ms []EncounterMonsterInput) {
	if len(ms) > MaxEncounterEntries {
		fields["monsters"] = fmt.Sprintf("must have at most %d entries", MaxEncounterEntries)
		return
	}
	seen := map[uuid.UUID]int{}
	for i, m := range ms {
		if m.MonsterID == uuid.Nil {
			fields[fmt.Sprintf("monsters[%d].monsterId", i)] = "is required"
		} else if first, dup := seen[m.MonsterID]; dup {
			fields[fmt.Sprintf("monsters[%d].monsterId", i)] = fmt.Sprintf("repeats monsters[%d]; raise its count instead", first)
		} else {
			seen[m.MonsterID] = i
		}
		if m.Count < 1 || m.Count > MaxMonsterCount {
			fields[fmt.Sprintf("monsters[%d].count", i)] = fmt.Sprintf("must be 1 to %d", MaxMonsterCount)
		}
	}
}

// Encounter is an encounter with its monsters.
type Encounter struct {
	ID         uuid.UUID
	CampaignID uuid.UUID
	Name       string
	Notes      string
	SessionID  *uuid.UUID
	// PartyLevels is nil when the encounter uses the players' levels.
	PartyLevels []int
	Monsters    []EncounterMonster
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// EncounterMonster is one entry of an encounter with what the builder, the
// difficulty and a combat need from the stat block.
type EncounterMonster struct {
	MonsterID       uuid.UUID
	Count           int
	Name            string
	ChallengeRating float64
	XP              int
	HitPoints       int
	ArmorClass      int
	InitiativeBonus int
	// Visible is false when the monster's book has since become invisible
	// to the campaign (an optional book disabled). The entry stays.
	Visible bool
}

// MonsterGroups is the encounter's monsters as ComputeDifficulty takes them.
func (e Encounter) MonsterGroups() []MonsterGroup {
	gs := make([]MonsterGroup, 0, len(e.Monsters))
	for _, m := range e.Monsters {
		gs = append(gs, MonsterGroup{CR: m.ChallengeRating, Count: m.Count})
	}
	return gs
}

// Difficulty rates the encounter for its own PartyLevels or, when it has
// none, for playerLevels (the character levels of the campaign's players).
// It returns nil, nil when there is no party: the contract then leaves
// difficulty out.
func (e Encounter) Difficulty(playerLevels []int) (*Difficulty, error) {
	party := e.PartyLevels
	if len(party) == 0 {
		party = playerLevels
	}
	if len(party) == 0 {
		return nil, nil
	}
	d, err := ComputeDifficulty(party, e.MonsterGroups())
	if err != nil {
		return nil, fmt.Errorf("difficulty of encounter %s: %w", e.ID, err)
	}
	return &d, nil
}

// PlayerLevels returns the character levels of the campaign's players that
// have one, for Encounter.Difficulty.
func PlayerLevels(ctx context.Context, conn db.DBTX, campaignID uuid.UUID) ([]int, error) {
	ls, err := db.New(conn).EncounterPartyLevels(ctx, campaignID)
	if err != nil {
		return nil, fmt.Errorf("player levels: %w", db.Interpret(err))
	}
	return ints(ls), nil
}

// CreateEncounter validates and saves a new encounter with its monsters, in
// one transaction. Invalid values, a monster the campaign cannot see or a
// session of another campaign are a *ValidationError.
func CreateEncounter(ctx context.Context, b db.Beginner, campaignID uuid.UUID, in EncounterInput) (Encounter, error) {
	if verr := in.Validate(); verr != nil {
		return Encounter{}, verr
	}
	var out Encounter
	err := db.InTx(ctx, b, func(tx pgx.Tx) error {
		q := db.New(tx)
		row, err := q.EncounterCreate(ctx, db.EncounterCreateParams{
			CampaignID:  campaignID,
			Name:        strings.TrimSpace(in.Name),
			Notes:       in.Notes,
			SessionID:   in.SessionID,
			PartyLevels: int32s(in.PartyLevels),
		})
		if err != nil {
			return sessionError(fmt.Errorf("create encounter: %w", db.Interpret(err)))
		}
		if err := replaceMonsters(ctx, q, campaignID, row.ID, in.Monsters); err != nil {
			return err
		}
		out, err = loadEncounter(ctx, q, row)
		return err
	})
	return out, err
}

// GetEncounter returns an encounter of the campaign with its monsters, or
// db.ErrNotFound.
func GetEncounter(ctx context.Context, conn db.DBTX, campaignID, id uuid.UUID) (Encounter, error) {
	q := db.New(conn)
	row, err := q.EncounterGet(ctx, db.EncounterGetParams{CampaignID: campaignID, ID: id})
	if err != nil {
		return Encounter{}, fmt.Errorf("get encounter %s: %w", id, db.Interpret(err))
	}
	return loadEncounter(ctx, q, row)
}

// ListEncounters returns the campaign's encounters, newest first, each
// with its monsters.
func ListEncounters(ctx context.Context, conn db.DBTX, campaignID uuid.UUID) ([]Encounter, error) {
	q := db.New(conn)
	rows, err := q.EncounterList(ctx, campaignID)
	if err != nil {
		return nil, fmt.Errorf("list encounters: %w", db.Interpret(err))
	}
	ids := make([]uuid.UUID, len(rows))
	for i, r := range rows {
		ids[i] = r.ID
	}
	out := make([]Encounter, 0, len(rows))
	if len(rows) == 0 {
		return out, nil
	}
	ms, err := q.EncounterMonsterListByEncounters(ctx, db.EncounterMonsterListByEncountersParams{CampaignID: campaignID, EncounterIds: ids})
	if err != nil {
		return nil, fmt.Errorf("list encounter monsters: %w", db.Interpret(err))
	}
	byEncounter := map[uuid.UUID][]EncounterMonster{}
	for _, m := range ms {
		byEncounter[m.EncounterID] = append(byEncounter[m.EncounterID], encounterMonster(db.EncounterMonsterListRow(m)))
	}
	for _, r := range rows {
		e := newEncounter(r)
		if got := byEncounter[r.ID]; got != nil {
			e.Monsters = got
		}
		out = append(out, e)
	}
	return out, nil
}

// UpdateEncounter applies a patch in one transaction and returns the
// encounter as it now is. db.ErrNotFound when the encounter is not in this
// campaign; *ValidationError as CreateEncounter.
func UpdateEncounter(ctx context.Context, b db.Beginner, campaignID, id uuid.UUID, p EncounterPatch) (Encounter, error) {
	if verr := p.Validate(); verr != nil {
		return Encounter{}, verr
	}
	arg := db.EncounterUpdateParams{
		CampaignID:     campaignID,
		ID:             id,
		Notes:          p.Notes,
		SetSessionID:   p.SetSessionID,
		SessionID:      p.SessionID,
		SetPartyLevels: p.SetPartyLevels,
		PartyLevels:    int32s(p.PartyLevels),
	}
	if p.Name != nil {
		name := strings.TrimSpace(*p.Name)
		arg.Name = &name
	}
	var out Encounter
	err := db.InTx(ctx, b, func(tx pgx.Tx) error {
		q := db.New(tx)
		row, err := q.EncounterUpdate(ctx, arg)
		if err != nil {
			return sessionError(fmt.Errorf("update encounter %s: %w", id, db.Interpret(err)))
		}
		if p.SetMonsters {
			if err := replaceMonsters(ctx, q, campaignID, id, p.Monsters); err != nil {
				return err
			}
		}
		out, err = loadEncounter(ctx, q, row)
		return err
	})
	return out, err
}

// DeleteEncounter deletes an encounter of the campaign, or returns
// db.ErrNotFound.
func DeleteEncounter(ctx context.Context, conn db.DBTX, campaignID, id uuid.UUID) error {
	n, err := db.New(conn).EncounterDelete(ctx, db.EncounterDeleteParams{CampaignID: campaignID, ID: id})
	if err != nil {
		return fmt.Errorf("delete encounter %s: %w", id, db.Interpret(err))
	}
	if n == 0 {
		return fmt.Errorf("delete encounter %s: %w", id, db.ErrNotFound)
	}
	return nil
}

// replaceMonsters makes ms the encounter's monster list, after checking
// that the campaign can see every monster.
func replaceMonsters(ctx context.Context, q *db.Queries, campaignID, encounterID uuid.UUID, ms []EncounterMonsterInput) error {
	ids := make([]uuid.UUID, len(ms))
	counts := make([]int32, len(ms))
	for i, m := range ms {
		ids[i], counts[i] = m.MonsterID, int32(m.Count)
	}
	if len(ids) > 0 {
		visible, err := q.MonsterListVisibleByIDs(ctx, db.MonsterListVisibleByIDsParams{Ids: ids, CampaignID: campaignID})
		if err != nil {
			return fmt.Errorf("check encounter monsters: %w", db.Interpret(err))
		}
		found := make(map[uuid.UUID]bool, len(visible))
		for _, v := range visible {
			found[v.ID] = true
		}
		fields := map[string]string{}
		for i, id := range ids {
			if !found[id] {
				fields[fmt.Sprintf("monsters[%d].monsterId", i)] = "no such monster in this campaign's books"
			}
		}
		if len(fields) > 0 {
			return &ValidationError{Fields: fields}
		}
	}
	n, err := q.EncounterMonsterReplace(ctx, db.EncounterMonsterReplaceParams{
		CampaignID: campaignID, EncounterID: encounterID, MonsterIds: ids, Counts: counts,
	})
	if err != nil {
		return fmt.Errorf("save encounter monsters: %w", db.Interpret(err))
	}
	if int(n) != len(ids) {
		// A book was disabled between the check and the write.
		return &ValidationError{Fields: map[string]string{"monsters": "a monster is no longer in this campaign's books"}}
	}
	return nil
}

// sessionError turns a broken session_id foreign key (a session of another
// campaign, or none) into a validation error on sessionId.
func sessionError(err error) error {
	if strings.Contains(db.ConstraintName(err), "session") {
		return &ValidationError{Fields: map[string]string{"sessionId": "no such session in this campaign"}}
	}
	return err
}

func loadEncounter(ctx context.Context, q *db.Queries, row db.Encounter) (Encounter, error) {
	e := newEncounter(row)
	ms, err := q.EncounterMonsterList(ctx, db.EncounterMonsterListParams{CampaignID: row.CampaignID, EncounterID: row.ID})
	if err != nil {
		return Encounter{}, fmt.Errorf("list monsters of encounter %s: %w", row.ID, db.Interpret(err))
	}
	for _, m := range ms {
		e.Monsters = append(e.Monsters, encounterMonster(m))
	}
	return e, nil
}

func newEncounter(r db.Encounter) Encounter {
	e := Encounter{
		ID:          r.ID,
		CampaignID:  r.CampaignID,
		Name:        r.Name,
		Notes:       r.Notes,
		SessionID:   r.SessionID,
		PartyLevels: ints(r.PartyLevels),
		Monsters:    []EncounterMonster{},
		CreatedAt:   r.CreatedAt,
		UpdatedAt:   r.UpdatedAt,
	}
	if len(e.PartyLevels) == 0 {
		e.PartyLevels = nil
	}
	return e
}

func encounterMonster(m db.EncounterMonsterListRow) EncounterMonster {
	return EncounterMonster{
		MonsterID:       m.MonsterID,
		Count:           int(m.Count),
		Name:            m.Name,
		ChallengeRating: m.ChallengeRating,
		XP:              int(m.XP),
		HitPoints:       int(m.HitPoints),
		ArmorClass:      int(m.ArmorClass),
		InitiativeBonus: DexModifier(int(m.Dexterity)),
		Visible:         m.Visible,
	}
}

// CombatantSpec is a combatant to create for a monster when a combat starts
// from an encounter.
type CombatantSpec struct {
	// Name is the monster's name, numbered ("Goblin 1", "Goblin 2") when
	// the encounter has more than one monster of that name.
	Name      string
	MonsterID uuid.UUID
	// HP and MaxHP are the stat block's average hit points.
	HP, MaxHP int
	AC        int
	// InitiativeBonus is the Dexterity modifier.
	InitiativeBonus int
	// ChallengeRating lets the live view recompute the difficulty as
	// combatants join, leave or drop to 0.
	ChallengeRating float64
}

// Combatants expands an encounter's monsters into one combatant each, in
// the encounter's order. Names are numbered across entries of the same
// name, so two books' "Goblin" entries give Goblin 1 to Goblin n.
func Combatants(ms []EncounterMonster) []CombatantSpec {
	total := map[string]int{}
	for _, m := range ms {
		total[m.Name] += max(m.Count, 0)
	}
	next := map[string]int{}
	var out []CombatantSpec
	for _, m := range ms {
		for range max(m.Count, 0) {
			name := truncateRunes(m.Name, maxCombatantName)
			if total[m.Name] > 1 {
				next[m.Name]++
				suffix := " " + strconv.Itoa(next[m.Name])
				name = truncateRunes(m.Name, maxCombatantName-len(suffix)) + suffix
			}
			out = append(out, CombatantSpec{
				Name:            name,
				MonsterID:       m.MonsterID,
				HP:              m.HitPoints,
				MaxHP:           m.HitPoints,
				AC:              m.ArmorClass,
				InitiativeBonus: m.InitiativeBonus,
				ChallengeRating: m.ChallengeRating,
			})
		}
	}
	return out
}

// EncounterCombatants loads an encounter of the campaign and returns the
// combatants its monsters make (Combatants), or db.ErrNotFound.
func EncounterCombatants(ctx context.Context, conn db.DBTX, campaignID, encounterID uuid.UUID) ([]CombatantSpec, error) {
	e, err := GetEncounter(ctx, conn, campaignID, encounterID)
	if err != nil {
		return nil, err
	}
	return Combatants(e.Monsters), nil
}

func truncateRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return strings.TrimSpace(string(r[:n]))
}

func int32s(in []int) []int32 {
	if len(in) == 0 {
		return nil
	}
	out := make([]int32, len(in))
	for i, v := range in {
		out[i] = int32(v)
	}
	return out
}

func ints(in []int32) []int {
	if in == nil {
		return nil
	}
	out := make([]int, len(in))
	for i, v := range in {
		out[i] = int(v)
	}
	return out
}
