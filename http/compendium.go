package http

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/go-chi/chi/v5"
	"github.com/google/uuid"

	"gametable/compendium"
)

// compendiumRoutes mounts the monster and item compendium (any member) and
// the encounters (GMs only) under /api/campaigns/{campaignId}, behind
// requireMember. What a campaign may see (required and tool-only books,
// optional books it enabled) is decided by the compendium package's SQL.
func (s *Server) compendiumRoutes(r chi.Router) {
	r.Get("/monsters", s.handleMonsterList)
	r.Get("/monsters/{monsterId}", s.handleMonsterGet)
	r.Get("/items", s.handleItemList)
	r.Get("/items/{itemId}", s.handleItemGet)
	s.encounterRoutes(r)
}

// maxQueryLen bounds ?q=, ?type= and ?rarity=: no name, type or rarity is
// longer (the schema allows names of 200 characters).
const maxQueryLen = 200

// parsePage reads ?limit= and ?cursor= of a list that grows without bound
// (CONTRACT section 1: default 50, max 200). An absent limit is 0, which
// the lists read as the default; a limit above the maximum is served as
// the maximum (the answer's nextCursor tells the client there is more);
// anything but a whole number of at least 1 is a field error.
func parsePage(v *validator, q url.Values) (limit int, cursor string) {
	if s := q.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			v.add("limit", "must be a whole number of at least 1 (pages hold at most "+strconv.Itoa(compendium.MaxLimit)+")")
		} else {
			limit = min(n, compendium.MaxLimit)
		}
	}
	return limit, q.Get("cursor")
}

// queryText reads a free-text query parameter, trimmed: at most
// maxQueryLen characters of valid UTF-8 without control characters (which
// PostgreSQL would refuse or no name contains).
func queryText(v *validator, q url.Values, name string) string {
	s := strings.TrimSpace(q.Get(name))
	switch {
	case !utf8.ValidString(s):
		v.add(name, "must be valid UTF-8")
	case utf8.RuneCountInString(s) > maxQueryLen:
		v.add(name, "must be at most "+strconv.Itoa(maxQueryLen)+" characters")
	case strings.IndexFunc(s, unicode.IsControl) >= 0:
		v.add(name, "must not contain control characters")
	}
	return s
}

// listError turns a cursor the compendium did not hand out into a field
// error; anything else passes on.
func listError(err error) error {
	if errors.Is(err, compendium.ErrBadCursor) {
		return &validationError{Fields: map[string]string{"cursor": "is not a cursor of this list; start again without one"}}
	}
	return err
}

// compendiumBookJSON names the rule book a monster or item comes from.
type compendiumBookJSON struct {
	ID    uuid.UUID `json:"id"`
	Slug  string    `json:"slug"`
	Title string    `json:"title"`
}

// monsterSummaryJSON is a monster as lists show it: what an encounter
// builder needs to pick it. challengeRating is a number (0.125, 0.25, 0.5,
// 0 to 30).
type monsterSummaryJSON struct {
	ID              uuid.UUID `json:"id"`
	BookID          uuid.UUID `json:"bookId"`
	Name            string    `json:"name"`
	Type            string    `json:"type"`
	Size            string    `json:"size"`
	ChallengeRating float64   `json:"challengeRating"`
	XP              int       `json:"xp"`
	HitPoints       int       `json:"hitPoints"`
	ArmorClass      int       `json:"armorClass"`
	InitiativeBonus int       `json:"initiativeBonus"`
}

func newMonsterSummaryJSON(m compendium.MonsterSummary) monsterSummaryJSON {
	return monsterSummaryJSON{
		ID:              m.ID,
		BookID:          m.BookID,
		Name:            m.Name,
		Type:            m.Type,
		Size:            m.Size,
		ChallengeRating: m.ChallengeRating,
		XP:              m.XP,
		HitPoints:       m.HitPoints,
		ArmorClass:      m.ArmorClass,
		InitiativeBonus: m.InitiativeBonus,
	}
}

// monsterJSON is CONTRACT.md's `monster`: the summary plus the full stat
// block and its book. Lists in it are never null.
type monsterJSON struct {
	monsterSummaryJSON
	Book                  compendiumBookJSON      `json:"book"`
	Subtype               string                  `json:"subtype,omitempty"`
	Alignment             string                  `json:"alignment"`
	ArmorClasses          []compendium.ArmorClass `json:"armorClasses"`
	HitDice               string                  `json:"hitDice"`
	HitPointsRoll         string                  `json:"hitPointsRoll,omitempty"`
	Speed                 compendium.Speed        `json:"speed"`
	Abilities             compendium.Abilities    `json:"abilities"`
	SavingThrows          []compendium.Bonus      `json:"savingThrows"`
	Skills                []compendium.Bonus      `json:"skills"`
	DamageVulnerabilities []string                `json:"damageVulnerabilities"`
	DamageResistances     []string                `json:"damageResistances"`
	DamageImmunities      []string                `json:"damageImmunities"`
	ConditionImmunities   []string                `json:"conditionImmunities"`
	Senses                compendium.Senses       `json:"senses"`
	Languages             string                  `json:"languages"`
	ProficiencyBonus      int                     `json:"proficiencyBonus"`
	Traits                []compendium.Feature    `json:"traits"`
	Actions               []compendium.Feature    `json:"actions"`
	LegendaryActions      []compendium.Feature    `json:"legendaryActions"`
	Reactions             []compendium.Feature    `json:"reactions"`
	Forms                 []string                `json:"forms,omitempty"`
	Description           string                  `json:"description,omitempty"`
}

func newMonsterJSON(m compendium.MonsterDetail) monsterJSON {
	sb := m.StatBlock
	return monsterJSON{
		monsterSummaryJSON:    newMonsterSummaryJSON(m.MonsterSummary),
		Book:                  compendiumBookJSON{ID: m.BookID, Slug: m.BookSlug, Title: m.BookTitle},
		Subtype:               sb.Subtype,
		Alignment:             sb.Alignment,
		ArmorClasses:          orEmpty(sb.ArmorClasses),
		HitDice:               sb.HitDice,
		HitPointsRoll:         sb.HitPointsRoll,
		Speed:                 sb.Speed,
		Abilities:             sb.Abilities,
		SavingThrows:          orEmpty(sb.SavingThrows),
		Skills:                orEmpty(sb.Skills),
		DamageVulnerabilities: orEmpty(sb.DamageVulnerabilities),
		DamageResistances:     orEmpty(sb.DamageResistances),
		DamageImmunities:      orEmpty(sb.DamageImmunities),
		ConditionImmunities:   orEmpty(sb.ConditionImmunities),
		Senses:                sb.Senses,
		Languages:             sb.Languages,
		ProficiencyBonus:      sb.ProficiencyBonus,
		Traits:                orEmpty(sb.Traits),
		Actions:               orEmpty(sb.Actions),
		LegendaryActions:      orEmpty(sb.LegendaryActions),
		Reactions:             orEmpty(sb.Reactions),
		Forms:                 sb.Forms,
		Description:           sb.Description,
	}
}

// orEmpty makes a nil list encode as [] rather than null.
func orEmpty[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

type monsterBody struct {
	Monster monsterJSON `json:"monster"`
}

func (monsterBody) responseBody() {}

type monsterListBody struct {
	Items      []monsterSummaryJSON `json:"items"`
	NextCursor string               `json:"nextCursor,omitempty"`
}

func (monsterListBody) responseBody() {}

// monsterFilter reads GET /monsters' query: q, cr (one challenge rating
// or a range, fractions allowed), type, limit and cursor.
func monsterFilter(q url.Values) (compendium.MonsterFilter, error) {
	var (
		v validator
		f compendium.MonsterFilter
	)
	f.Q = queryText(&v, q, "q")
	f.Type = queryText(&v, q, "type")
	if s := strings.TrimSpace(q.Get("cr")); s != "" {
		cr, err := compendium.ParseCRRange(s)
		if err != nil {
			v.add("cr", "must be a challenge rating (0, 1/8, 1/4, 1/2, 1 to 30; fractions or decimals) or a range such as 1/4..2")
		} else {
			f.CR = &cr
		}
	}
	f.Limit, f.Cursor = parsePage(&v, q)
	return f, v.err()
}

func (s *Server) handleMonsterList(w http.ResponseWriter, r *http.Request) {
	f, err := monsterFilter(r.URL.Query())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	ctx := r.Context()
	page, err := compendium.ListMonsters(ctx, s.pool, campaignFrom(ctx), f)
	if err != nil {
		s.writeError(w, r, listError(err))
		return
	}
	items := make([]monsterSummaryJSON, 0, len(page.Items))
	for _, m := range page.Items {
		items = append(items, newMonsterSummaryJSON(m))
	}
	writeJSON(w, http.StatusOK, monsterListBody{Items: items, NextCursor: page.NextCursor})
}

func (s *Server) handleMonsterGet(w http.ResponseWriter, r *http.Request) {
	id, err := urlUUID(r, "monsterId", "monster")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	ctx := r.Context()
	m, err := compendium.GetMonster(ctx, s.pool, campaignFrom(ctx), id)
	if err != nil {
		s.writeError(w, r, notFoundAs(err, "monster"))
		return
	}
	writeJSON(w, http.StatusOK, monsterBody{Monster: newMonsterJSON(m)})
}

// itemSummaryJSON is an item as lists show it. type is the equipment
// category ("Weapon", "Wondrous Items"); rarity is absent for mundane
// equipment.
type itemSummaryJSON struct {
	ID     uuid.UUID `json:"id"`
	BookID uuid.UUID `json:"bookId"`
	Name   string    `json:"name"`
	Type   string    `json:"type"`
	Rarity string    `json:"rarity,omitempty"`
}

func newItemSummaryJSON(i compendium.ItemSummary) itemSummaryJSON {
	return itemSummaryJSON{ID: i.ID, BookID: i.BookID, Name: i.Name, Type: i.Category, Rarity: i.Rarity}
}

// itemJSON is CONTRACT.md's `item`: the summary plus the whole entry and
// its book.
type itemJSON struct {
	itemSummaryJSON
	Book               compendiumBookJSON      `json:"book"`
	Magic              bool                    `json:"magic"`
	TypeLine           string                  `json:"typeLine"`
	RequiresAttunement bool                    `json:"requiresAttunement"`
	Cost               *compendium.Cost        `json:"cost,omitempty"`
	Weight             *float64                `json:"weight,omitempty"`
	Text               []string                `json:"text"`
	Weapon             *compendium.Weapon      `json:"weapon,omitempty"`
	Armor              *compendium.Armor       `json:"armor,omitempty"`
	Contents           []compendium.PackItem   `json:"contents,omitempty"`
	Mount              *compendium.MountDetail `json:"mount,omitempty"`
	Variant            bool                    `json:"variant,omitempty"`
	Variants           []string                `json:"variants,omitempty"`
}

func newItemJSON(i compendium.ItemDetail) itemJSON {
	e := i.Entry
	return itemJSON{
		itemSummaryJSON:    newItemSummaryJSON(i.ItemSummary),
		Book:               compendiumBookJSON{ID: i.BookID, Slug: i.BookSlug, Title: i.BookTitle},
		Magic:              e.Magic,
		TypeLine:           e.TypeLine,
		RequiresAttunement: e.RequiresAttunement,
		Cost:               e.Cost,
		Weight:             e.Weight,
		Text:               orEmpty(e.Text),
		Weapon:             e.Weapon,
		Armor:              e.Armor,
		Contents:           e.Pack,
		Mount:              e.Mount,
		Variant:            e.Variant,
		Variants:           e.Variants,
	}
}

type itemBody struct {
	Item itemJSON `json:"item"`
}

func (itemBody) responseBody() {}

type itemListBody struct {
	Items      []itemSummaryJSON `json:"items"`
	NextCursor string            `json:"nextCursor,omitempty"`
}

func (itemListBody) responseBody() {}

// itemFilter reads GET /items' query: q, type, rarity, limit and cursor.
func itemFilter(q url.Values) (compendium.ItemFilter, error) {
	var (
		v validator
		f compendium.ItemFilter
	)
	f.Q = queryText(&v, q, "q")
	f.Type = queryText(&v, q, "type")
	f.Rarity = queryText(&v, q, "rarity")
	f.Limit, f.Cursor = parsePage(&v, q)
	return f, v.err()
}

func (s *Server) handleItemList(w http.ResponseWriter, r *http.Request) {
	f, err := itemFilter(r.URL.Query())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	ctx := r.Context()
	page, err := compendium.ListItems(ctx, s.pool, campaignFrom(ctx), f)
	if err != nil {
		s.writeError(w, r, listError(err))
		return
	}
	items := make([]itemSummaryJSON, 0, len(page.Items))
	for _, i := range page.Items {
		items = append(items, newItemSummaryJSON(i))
	}
	writeJSON(w, http.StatusOK, itemListBody{Items: items, NextCursor: page.NextCursor})
}

func (s *Server) handleItemGet(w http.ResponseWriter, r *http.Request) {
	id, err := urlUUID(r, "itemId", "item")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	ctx := r.Context()
	i, err := compendium.GetItem(ctx, s.pool, campaignFrom(ctx), id)
	if err != nil {
		s.writeError(w, r, notFoundAs(err, "item"))
		return
	}
	writeJSON(w, http.StatusOK, itemBody{Item: newItemJSON(i)})
}
