package compendium

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/google/uuid"

	"gametable/db"
)

// Page sizes of the compendium lists (CONTRACT section 1).
const (
	DefaultLimit = 50
	MaxLimit     = 200
)

// ErrBadCursor means a cursor that this package did not hand out.
var ErrBadCursor = errors.New("invalid cursor")

// cursor is the keyset of the compendium lists: the last row's rank,
// lower-cased name and id. It travels as opaque base64url JSON.
type cursor struct {
	Rank int32     `json:"r"`
	Name string    `json:"n"`
	ID   uuid.UUID `json:"i"`
}

// encodeCursor makes the opaque nextCursor string.
func encodeCursor(c cursor) string {
	b, _ := json.Marshal(c) // a struct of a number, a string and a UUID always encodes
	return base64.RawURLEncoding.EncodeToString(b)
}

// decodeCursor reads a cursor; "" is the first page (nil).
func decodeCursor(s string) (*cursor, error) {
	if s == "" {
		return nil, nil
	}
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return nil, ErrBadCursor
	}
	var c cursor
	if err := json.Unmarshal(b, &c); err != nil || c.ID == uuid.Nil || c.Rank < 0 || c.Rank > 2 || strings.ContainsRune(c.Name, 0) {
		return nil, ErrBadCursor
	}
	return &c, nil
}

// clampLimit applies the default and the maximum page size.
func clampLimit(n int) int {
	switch {
	case n <= 0:
		return DefaultLimit
	case n > MaxLimit:
		return MaxLimit
	}
	return n
}

// MonsterFilter is what GET /monsters takes. Zero values mean "no filter".
type MonsterFilter struct {
	// Q matches the name, case-insensitively, anywhere; results are ranked
	// exact match first, then names starting with Q, then the rest.
	Q string
	// CR bounds the challenge rating (ParseCRRange reads the API's form).
	CR *CRRange
	// Type is the creature type ("dragon"), case-insensitive.
	Type string
	// Limit is the page size: 0 means DefaultLimit, above MaxLimit is
	// MaxLimit.
	Limit int
	// Cursor is the NextCursor of the previous page; "" for the first.
	Cursor string
}

// MonsterSummary is a monster as lists show it.
type MonsterSummary struct {
	ID              uuid.UUID
	BookID          uuid.UUID
	SourceIndex     string
	Name            string
	Type            string
	Size            string
	ChallengeRating float64
	XP              int
	HitPoints       int
	ArmorClass      int
	InitiativeBonus int
}

// MonsterPage is one page of monsters; NextCursor is "" on the last page.
type MonsterPage struct {
	Items      []MonsterSummary
	NextCursor string
}

// ListMonsters lists the monsters the campaign can see (required and
// tool-only books, optional books the campaign enabled), filtered and
// paginated. It returns ErrBadCursor for a cursor it did not make.
func ListMonsters(ctx context.Context, conn db.DBTX, campaignID uuid.UUID, f MonsterFilter) (MonsterPage, error) {
	after, err := decodeCursor(f.Cursor)
	if err != nil {
		return MonsterPage{}, err
	}
	limit := clampLimit(f.Limit)
	arg := db.MonsterListParams{
		Q:           f.Q,
		CampaignID:  campaignID,
		MonsterType: f.Type,
		RowLimit:    int32(limit + 1), // one more tells whether there is a next page
	}
	if f.CR != nil {
		arg.CrMin, arg.CrMax = &f.CR.Min, &f.CR.Max
	}
	if after != nil {
		arg.AfterRank, arg.AfterName, arg.AfterID = &after.Rank, &after.Name, &after.ID
	}
	rows, err := db.New(conn).MonsterList(ctx, arg)
	if err != nil {
		return MonsterPage{}, fmt.Errorf("list monsters: %w", db.Interpret(err))
	}
	page := MonsterPage{Items: make([]MonsterSummary, 0, min(len(rows), limit))}
	for i, r := range rows {
		if i == limit {
			last := rows[i-1]
			page.NextCursor = encodeCursor(cursor{Rank: last.Rank, Name: last.SortName, ID: last.ID})
			break
		}
		page.Items = append(page.Items, MonsterSummary{
			ID:              r.ID,
			BookID:          r.CoreRuleID,
			SourceIndex:     r.SourceIndex,
			Name:            r.Name,
			Type:            r.Type,
			Size:            r.Size,
			ChallengeRating: r.ChallengeRating,
			XP:              int(r.XP),
			HitPoints:       int(r.HitPoints),
			ArmorClass:      int(r.ArmorClass),
			InitiativeBonus: DexModifier(int(r.Dexterity)),
		})
	}
	return page, nil
}

// MonsterDetail is one monster with its whole stat block and its book.
type MonsterDetail struct {
	MonsterSummary
	BookSlug  string
	BookTitle string
	// StatBlock is the whole stat block as imported.
	StatBlock Monster
}

// GetMonster returns a monster the campaign can see, or db.ErrNotFound
// (also for a monster of a book the campaign cannot see).
func GetMonster(ctx context.Context, conn db.DBTX, campaignID, id uuid.UUID) (MonsterDetail, error) {
	r, err := db.New(conn).MonsterGet(ctx, db.MonsterGetParams{ID: id, CampaignID: campaignID})
	if err != nil {
		return MonsterDetail{}, fmt.Errorf("get monster %s: %w", id, db.Interpret(err))
	}
	var sb Monster
	if err := json.Unmarshal(r.Data, &sb); err != nil {
		return MonsterDetail{}, fmt.Errorf("decode monster %s: %w", id, err)
	}
	return MonsterDetail{
		MonsterSummary: MonsterSummary{
			ID:              r.ID,
			BookID:          r.CoreRuleID,
			SourceIndex:     r.SourceIndex,
			Name:            r.Name,
			Type:            r.Type,
			Size:            r.Size,
			ChallengeRating: r.ChallengeRating,
			XP:              int(r.XP),
			HitPoints:       int(r.HitPoints),
			ArmorClass:      int(r.ArmorClass),
			InitiativeBonus: DexModifier(int(r.Dexterity)),
		},
		BookSlug:  r.BookSlug,
		BookTitle: r.BookTitle,
		StatBlock: sb,
	}, nil
}

// ItemFilter is what GET /items takes. Zero values mean "no filter".
type ItemFilter struct {
	// Q matches the name like MonsterFilter.Q, with the same ranking.
	Q string
	// Type is the item's category ("Weapon", "Wondrous Items"),
	// case-insensitive.
	Type string
	// Rarity ("Rare", "very rare"), case-insensitive.
	Rarity string
	Limit  int
	Cursor string
}

// ItemSummary is an item as lists show it.
type ItemSummary struct {
	ID          uuid.UUID
	BookID      uuid.UUID
	SourceIndex string
	Name        string
	Category    string
	Rarity      string // "" for mundane equipment
}

// ItemPage is one page of items; NextCursor is "" on the last page.
type ItemPage struct {
	Items      []ItemSummary
	NextCursor string
}

// ListItems lists the items the campaign can see, filtered and paginated,
// like ListMonsters.
func ListItems(ctx context.Context, conn db.DBTX, campaignID uuid.UUID, f ItemFilter) (ItemPage, error) {
	after, err := decodeCursor(f.Cursor)
	if err != nil {
		return ItemPage{}, err
	}
	limit := clampLimit(f.Limit)
	arg := db.ItemListParams{
		Q:          f.Q,
		CampaignID: campaignID,
		Category:   f.Type,
		Rarity:     f.Rarity,
		RowLimit:   int32(limit + 1),
	}
	if after != nil {
		arg.AfterRank, arg.AfterName, arg.AfterID = &after.Rank, &after.Name, &after.ID
	}
	rows, err := db.New(conn).ItemList(ctx, arg)
	if err != nil {
		return ItemPage{}, fmt.Errorf("list items: %w", db.Interpret(err))
	}
	page := ItemPage{Items: make([]ItemSummary, 0, min(len(rows), limit))}
	for i, r := range rows {
		if i == limit {
			last := rows[i-1]
			page.NextCursor = encodeCursor(cursor{Rank: last.Rank, Name: last.SortName, ID: last.ID})
			break
		}
		page.Items = append(page.Items, ItemSummary{
			ID:          r.ID,
			BookID:      r.CoreRuleID,
			SourceIndex: r.SourceIndex,
			Name:        r.Name,
			Category:    r.Category,
			Rarity:      r.Rarity,
		})
	}
	return page, nil
}

// ItemDetail is one item with its whole entry and its book.
type ItemDetail struct {
	ItemSummary
	BookSlug  string
	BookTitle string
	Entry     Item
}

// GetItem returns an item the campaign can see, or db.ErrNotFound.
func GetItem(ctx context.Context, conn db.DBTX, campaignID, id uuid.UUID) (ItemDetail, error) {
	r, err := db.New(conn).ItemGet(ctx, db.ItemGetParams{ID: id, CampaignID: campaignID})
	if err != nil {
		return ItemDetail{}, fmt.Errorf("get item %s: %w", id, db.Interpret(err))
	}
	var entry Item
	if err := json.Unmarshal(r.Data, &entry); err != nil {
		return ItemDetail{}, fmt.Errorf("decode item %s: %w", id, err)
	}
	return ItemDetail{
		ItemSummary: ItemSummary{
			ID:          r.ID,
			BookID:      r.CoreRuleID,
			SourceIndex: r.SourceIndex,
			Name:        r.Name,
			Category:    r.Category,
			Rarity:      r.Rarity,
		},
		BookSlug:  r.BookSlug,
		BookTitle: r.BookTitle,
		Entry:     entry,
	}, nil
}
