package http

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/google/uuid"

	"gametable/compendium"
)

// encounterRoutes mounts CRUD /api/campaigns/{campaignId}/encounters
// (behind requireMember). Encounters are the GMs' planning, so players may
// not even read them (CONTRACT section 5: "GM (read: GM)").
func (s *Server) encounterRoutes(r chi.Router) {
	gm := r.With(s.requireGM)
	gm.Get("/encounters", s.handleEncounterList)
	gm.Post("/encounters", s.handleEncounterCreate)
	gm.Get("/encounters/{encounterId}", s.handleEncounterGet)
	gm.Patch("/encounters/{encounterId}", s.handleEncounterUpdate)
	gm.Delete("/encounters/{encounterId}", s.handleEncounterDelete)
}

// encounterJSON is CONTRACT.md's `encounter`. partyLevels is present only
// when the encounter has its own party; difficulty is absent when there is
// no party at all (no partyLevels and no player with a characterLevel).
type encounterJSON struct {
	ID          uuid.UUID              `json:"id"`
	Name        string                 `json:"name"`
	Notes       string                 `json:"notes"`
	SessionID   *uuid.UUID             `json:"sessionId,omitempty"`
	PartyLevels []int                  `json:"partyLevels,omitempty"`
	Monsters    []encounterMonsterJSON `json:"monsters"`
	Difficulty  *difficultyJSON        `json:"difficulty,omitempty"`
	CreatedAt   time.Time              `json:"createdAt"`
	UpdatedAt   time.Time              `json:"updatedAt"`
}

// encounterMonsterJSON is one entry of an encounter with what the builder
// shows of the stat block. visible is false when the monster's book has
// since been disabled for the campaign; the entry stays and still counts.
type encounterMonsterJSON struct {
	MonsterID       uuid.UUID `json:"monsterId"`
	Count           int       `json:"count"`
	Name            string    `json:"name"`
	ChallengeRating float64   `json:"challengeRating"`
	XP              int       `json:"xp"`
	HitPoints       int       `json:"hitPoints"`
	ArmorClass      int       `json:"armorClass"`
	InitiativeBonus int       `json:"initiativeBonus"`
	Visible         bool      `json:"visible"`
}

// difficultyJSON is CONTRACT.md section 5's `difficulty`.
type difficultyJSON struct {
	PartyLevels []int  `json:"partyLevels"`
	XP          int    `json:"xp"`
	AdjustedXP  int    `json:"adjustedXp"`
	DMG2014     string `json:"dmg2014"`
	DMG2024     string `json:"dmg2024"`
}

func newDifficultyJSON(d *compendium.Difficulty) *difficultyJSON {
	if d == nil {
		return nil
	}
	return &difficultyJSON{
		PartyLevels: orEmpty(d.PartyLevels),
		XP:          d.XP,
		AdjustedXP:  d.AdjustedXP,
		DMG2014:     d.DMG2014,
		DMG2024:     d.DMG2024,
	}
}

// newEncounterJSON builds the encounter; playerLevels are the campaign's
// players' character levels, used when the encounter has no party of its
// own.
func newEncounterJSON(e compendium.Encounter, playerLevels []int) (encounterJSON, error) {
	d, err := e.Difficulty(playerLevels)
	if err != nil {
		return encounterJSON{}, err
	}
	ms := make([]encounterMonsterJSON, 0, len(e.Monsters))
	for _, m := range e.Monsters {
		ms = append(ms, encounterMonsterJSON{
			MonsterID:       m.MonsterID,
			Count:           m.Count,
			Name:            m.Name,
			ChallengeRating: m.ChallengeRating,
			XP:              m.XP,
			HitPoints:       m.HitPoints,
			ArmorClass:      m.ArmorClass,
			InitiativeBonus: m.InitiativeBonus,
			Visible:         m.Visible,
		})
	}
	return encounterJSON{
		ID:          e.ID,
		Name:        e.Name,
		Notes:       e.Notes,
		SessionID:   e.SessionID,
		PartyLevels: e.PartyLevels,
		Monsters:    ms,
		Difficulty:  newDifficultyJSON(d),
		CreatedAt:   e.CreatedAt.UTC(),
		UpdatedAt:   e.UpdatedAt.UTC(),
	}, nil
}

type encounterBody struct {
	Encounter encounterJSON `json:"encounter"`
}

func (encounterBody) responseBody() {}

type encounterListBody struct {
	Items []encounterJSON `json:"items"`
}

func (encounterListBody) responseBody() {}

// encounterMonsterRequest is one entry of an encounter as a client sends
// it. The id is a string so that a malformed one is a field error (422)
// rather than a malformed body (400).
type encounterMonsterRequest struct {
	MonsterID string `json:"monsterId"`
	Count     int    `json:"count"`
}

// createEncounterRequest is POST /encounters. monsters is required (an
// empty list is fine: a GM may build the encounter up later); partyLevels
// absent, null or [] means the players' levels.
type createEncounterRequest struct {
	Name        string                    `json:"name"`
	Notes       string                    `json:"notes"`
	SessionID   *string                   `json:"sessionId"`
	PartyLevels []int                     `json:"partyLevels"`
	Monsters    []encounterMonsterRequest `json:"monsters"`
	input       compendium.EncounterInput // set by validate
}

func (req *createEncounterRequest) validate() error {
	var v validator
	checkName(&v, "name", &req.Name, compendium.MaxEncounterName)
	checkNotes(&v, req.Notes)
	in := compendium.EncounterInput{Name: req.Name, Notes: req.Notes, PartyLevels: req.PartyLevels}
	if req.SessionID != nil {
		in.SessionID = parseSessionID(&v, *req.SessionID)
	}
	if req.Monsters == nil {
		v.add("monsters", "is required: a list of {monsterId, count}, possibly empty")
	} else {
		in.Monsters = parseEncounterMonsters(&v, req.Monsters)
	}
	addCompendiumFields(&v, in.Validate())
	req.input = in
	return v.err()
}

// updateEncounterRequest is PATCH /encounters/{id}: only the keys sent
// change. null clears notes, unlinks the session and hands the party back
// to the players' levels; name and monsters cannot be null. monsters
// replaces the whole list.
type updateEncounterRequest struct {
	Name        optional[string]                    `json:"name"`
	Notes       optional[string]                    `json:"notes"`
	SessionID   optional[string]                    `json:"sessionId"`
	PartyLevels optional[[]int]                     `json:"partyLevels"`
	Monsters    optional[[]encounterMonsterRequest] `json:"monsters"`
	patch       compendium.EncounterPatch           // set by validate
}

func (req *updateEncounterRequest) validate() error {
	var (
		v validator
		p compendium.EncounterPatch
	)
	if req.Name.Set {
		if req.Name.Null {
			v.add("name", "is required")
		} else {
			checkName(&v, "name", &req.Name.Value, compendium.MaxEncounterName)
			p.Name = &req.Name.Value
		}
	}
	if req.Notes.Set {
		notes := req.Notes.Value // "" when null
		checkNotes(&v, notes)
		p.Notes = &notes
	}
	if req.SessionID.Set {
		p.SetSessionID = true
		if !req.SessionID.Null {
			p.SessionID = parseSessionID(&v, req.SessionID.Value)
		}
	}
	if req.PartyLevels.Set {
		p.SetPartyLevels, p.PartyLevels = true, req.PartyLevels.Value
	}
	if req.Monsters.Set {
		if req.Monsters.Null {
			v.add("monsters", "must be a list of {monsterId, count}, possibly empty")
		} else {
			p.SetMonsters, p.Monsters = true, parseEncounterMonsters(&v, req.Monsters.Value)
		}
	}
	addCompendiumFields(&v, p.Validate())
	req.patch = p
	return v.err()
}

// checkNotes allows any text of up to compendium.MaxEncounterNotes
// characters but NUL, which PostgreSQL cannot store.
func checkNotes(v *validator, notes string) {
	checkText(v, "notes", notes, compendium.MaxEncounterNotes)
	if strings.ContainsRune(notes, 0) {
		v.add("notes", "must not contain NUL characters")
	}
}

// parseSessionID reads a sessionId; a malformed one cannot name a session
// of this campaign.
func parseSessionID(v *validator, s string) *uuid.UUID {
	id, err := uuid.Parse(s)
	if err != nil {
		v.add("sessionId", "no such session in this campaign")
		return nil
	}
	return &id
}

// parseEncounterMonsters converts the entries, naming each malformed id as
// the compendium names unknown ones.
func parseEncounterMonsters(v *validator, ms []encounterMonsterRequest) []compendium.EncounterMonsterInput {
	out := make([]compendium.EncounterMonsterInput, len(ms))
	for i, m := range ms {
		out[i].Count = m.Count
		if m.MonsterID == "" {
			continue // the compendium reports it as required
		}
		id, err := uuid.Parse(m.MonsterID)
		if err != nil {
			v.add("monsters["+strconv.Itoa(i)+"].monsterId", "no such monster in this campaign's books")
			continue
		}
		out[i].MonsterID = id
	}
	return out
}

// addCompendiumFields adds the compendium's field errors to v; fields v
// already names keep their first message.
func addCompendiumFields(v *validator, ve *compendium.ValidationError) {
	if ve == nil {
		return
	}
	for f, msg := range ve.Fields {
		v.add(f, msg)
	}
}

// encounterError maps the compendium's errors: its validation errors (a
// monster the campaign cannot see, a session of another campaign) are
// 422 with their fields, a missing encounter is 404.
func encounterError(err error) error {
	var ve *compendium.ValidationError
	if errors.As(err, &ve) {
		return &validationError{Fields: ve.Fields}
	}
	return notFoundAs(err, "encounter")
}

// writeEncounter answers with one encounter, its difficulty computed for
// its own party or the players' levels.
func (s *Server) writeEncounter(w http.ResponseWriter, r *http.Request, status int, e compendium.Encounter) {
	var levels []int
	if len(e.PartyLevels) == 0 {
		var err error
		if levels, err = compendium.PlayerLevels(r.Context(), s.pool, e.CampaignID); err != nil {
			s.writeError(w, r, err)
			return
		}
	}
	j, err := newEncounterJSON(e, levels)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, status, encounterBody{Encounter: j})
}

func (s *Server) handleEncounterList(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	id := campaignFrom(ctx)
	es, err := compendium.ListEncounters(ctx, s.pool, id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	levels, err := s.playerLevelsFor(ctx, id, es)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	items := make([]encounterJSON, 0, len(es))
	for _, e := range es {
		j, err := newEncounterJSON(e, levels)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		items = append(items, j)
	}
	writeJSON(w, http.StatusOK, encounterListBody{Items: items})
}

// playerLevelsFor loads the players' levels once, and only when one of the
// encounters has no party of its own.
func (s *Server) playerLevelsFor(ctx context.Context, campaignID uuid.UUID, es []compendium.Encounter) ([]int, error) {
	for _, e := range es {
		if len(e.PartyLevels) == 0 {
			return compendium.PlayerLevels(ctx, s.pool, campaignID)
		}
	}
	return nil, nil
}

func (s *Server) handleEncounterCreate(w http.ResponseWriter, r *http.Request) {
	var req createEncounterRequest
	if err := decodeJSON(w, r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	ctx := r.Context()
	e, err := compendium.CreateEncounter(ctx, s.pool, campaignFrom(ctx), req.input)
	if err != nil {
		s.writeError(w, r, encounterError(err))
		return
	}
	s.writeEncounter(w, r, http.StatusCreated, e)
}

func (s *Server) handleEncounterGet(w http.ResponseWriter, r *http.Request) {
	id, err := urlUUID(r, "encounterId", "encounter")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	ctx := r.Context()
	e, err := compendium.GetEncounter(ctx, s.pool, campaignFrom(ctx), id)
	if err != nil {
		s.writeError(w, r, encounterError(err))
		return
	}
	s.writeEncounter(w, r, http.StatusOK, e)
}

func (s *Server) handleEncounterUpdate(w http.ResponseWriter, r *http.Request) {
	id, err := urlUUID(r, "encounterId", "encounter")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var req updateEncounterRequest
	if err := decodeJSON(w, r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	ctx := r.Context()
	e, err := compendium.UpdateEncounter(ctx, s.pool, campaignFrom(ctx), id, req.patch)
	if err != nil {
		s.writeError(w, r, encounterError(err))
		return
	}
	s.writeEncounter(w, r, http.StatusOK, e)
}

func (s *Server) handleEncounterDelete(w http.ResponseWriter, r *http.Request) {
	id, err := urlUUID(r, "encounterId", "encounter")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	ctx := r.Context()
	if err := compendium.DeleteEncounter(ctx, s.pool, campaignFrom(ctx), id); err != nil {
		s.writeError(w, r, encounterError(err))
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
