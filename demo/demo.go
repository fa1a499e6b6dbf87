// Package demo loads the demo campaign that ships with gametable: a GM, two
// players, a campaign and its sessions, so that a fresh server has something
// to show. Every word of it is written for gametable; none is copied from a
// published book.
//
// Load is idempotent: it finds what an earlier run created (by the demo
// accounts' emails and the campaign's name) and adds only what is missing.
// Each run gives the demo accounts fresh random passwords and returns them,
// so the logins it prints always work and no fixed password ever ships.
package demo

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"gametable/db"
)

// Login is a demo account and the password this run gave it.
type Login struct {
	Email, Password, DisplayName, Role string
}

// Result is what Load did.
type Result struct {
	CampaignID   uuid.UUID
	CampaignName string
	Logins       []Login
	Created      bool // false when the campaign was there already
}

// HashFunc hashes a password the way the server checks it.
type HashFunc func(ctx context.Context, password string) (string, error)

type person struct {
	email, name, role, character string
	level                        int32
}

var people = []person{
	{email: "gm@demo.gametable.invalid", name: "Mira Okafor", role: "gm"},
	{email: "tobin@demo.gametable.invalid", name: "Tobin Ash", role: "player", character: "Brother Quill", level: 3},
	{email: "sela@demo.gametable.invalid", name: "Sela Varn", role: "player", character: "Wren Thistledown", level: 3},
}

// CampaignName is the demo campaign's name, the key of its idempotence.
const CampaignName = "The Lantern Road"

const campaignDescription = `A caravan of lamplighters crosses the Hollow Marches, where the fog
keeps what it takes. The party has signed on as guards; the caravan master
pays in silver and in secrets.`

const recapOne = `The caravan left Greywater at dawn. Captain Idris Vell hired the party at the
Salt Gate after the old guards vanished in the fog. On the first night the
Lanterns went out one by one; Wren followed a green light into the reeds and
found the Drowned Bell, half sunk in the mud, still ringing. Brother Quill
read the inscription: a warning from the Order of the Ninth Wick. The party
drove off three marsh stalkers and carried the bell clapper back to camp.`

// Load creates the demo campaign if it is missing and resets the demo
// accounts' passwords, in one transaction.
func Load(ctx context.Context, pool *pgxpool.Pool, hash HashFunc) (Result, error) {
	var res Result
	logins := make([]Login, 0, len(people))
	hashes := make([]string, len(people))
	for i, p := range people {
		pw := newPassword()
		h, err := hash(ctx, pw)
		if err != nil {
			return res, fmt.Errorf("hash password: %w", err)
		}
		hashes[i] = h
		logins = append(logins, Login{Email: p.email, Password: pw, DisplayName: p.name, Role: p.role})
	}
	err := db.InTx(ctx, pool, func(tx pgx.Tx) error {
		q := db.New(tx)
		ids := make([]uuid.UUID, len(people))
		for i, p := range people {
			u, err := q.UserGetByEmail(ctx, p.email)
			switch {
			case err == nil:
				u, err = q.UserUpdate(ctx, db.UserUpdateParams{ID: u.ID, PasswordHash: &hashes[i]})
				if err != nil {
					return fmt.Errorf("reset password of %s: %w", p.email, err)
				}
			case errors.Is(db.Interpret(err), db.ErrNotFound):
				u, err = q.UserCreate(ctx, db.UserCreateParams{Email: p.email, DisplayName: p.name, PasswordHash: hashes[i]})
				if err != nil {
					return fmt.Errorf("create %s: %w", p.email, db.Interpret(err))
				}
			default:
				return fmt.Errorf("find %s: %w", p.email, err)
			}
			if _, err := q.UserMarkEmailVerified(ctx, u.ID); err != nil {
				return fmt.Errorf("verify %s: %w", p.email, err)
			}
			ids[i] = u.ID
		}

		campaigns, err := q.CampaignListForUser(ctx, ids[0])
		if err != nil {
			return fmt.Errorf("list campaigns: %w", err)
		}
		for _, c := range campaigns {
			if c.Name == CampaignName {
				res.CampaignID = c.ID
			}
		}
		if res.CampaignID != uuid.Nil {
			return loadBestiary(ctx, tx, res.CampaignID)
		}
		res.Created = true
		c, err := q.CampaignCreate(ctx, db.CampaignCreateParams{
			Name:        CampaignName,
			Description: campaignDescription,
			System:      "D&D 5e",
			TimeZone:    "Europe/Berlin",
			OwnerID:     ids[0],
		})
		if err != nil {
			return fmt.Errorf("create campaign: %w", err)
		}
		res.CampaignID = c.ID
		// The assistants (recap extraction, the rules chat) work offline
		// when no model is configured, so the demo shows them.
		aiOn := true
		if _, err := q.CampaignUpdate(ctx, db.CampaignUpdateParams{CampaignID: c.ID, AIEnabled: &aiOn}); err != nil {
			return fmt.Errorf("enable the assistants: %w", err)
		}
		// CampaignCreate made the creator (people[0]) its GM.
		for i, p := range people[1:] {
			i++
			mp := db.MembershipCreateParams{CampaignID: c.ID, UserID: ids[i], Role: p.role}
			if p.character != "" {
				name, level := p.character, p.level
				mp.CharacterName, mp.CharacterLevel = &name, &level
			}
			if _, err := q.MembershipCreate(ctx, mp); err != nil {
				return fmt.Errorf("add member %s: %w", p.email, db.Interpret(err))
			}
		}
		if err := createSessionsAndPolls(ctx, q, c.ID, ids); err != nil {
			return err
		}
		if err := createCodex(ctx, q, c.ID); err != nil {
			return err
		}
		return loadBestiary(ctx, tx, c.ID)
	})
	if err != nil {
		return res, err
	}
	res.CampaignName = CampaignName
	res.Logins = logins
	return res, nil
}

func createSessions(ctx context.Context, q *db.Queries, campaignID uuid.UUID) error {
	now := time.Now().UTC()
	// Past sessions and the next one fall on a Friday evening in Berlin.
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		berlin = time.UTC
	}
	next := nextWeekday(now.In(berlin), time.Friday, 19)
	past := next.AddDate(0, 0, -14)
	one, err := q.PlaySessionCreate(ctx, db.PlaySessionCreateParams{
		CampaignID: campaignID, Title: "The Drowned Bell", ScheduledAt: &past, Status: "completed",
	})
	if err != nil {
		return fmt.Errorf("create session 1: %w", err)
	}
	recap := recapOne
	if _, err := q.PlaySessionUpdate(ctx, db.PlaySessionUpdateParams{CampaignID: campaignID, ID: one.ID, Recap: &recap}); err != nil {
		return fmt.Errorf("write recap: %w", err)
	}
	if _, err := q.PlaySessionCreate(ctx, db.PlaySessionCreateParams{
		CampaignID: campaignID, Title: "Into the Reed Maze", ScheduledAt: &next, Status: "planned",
	}); err != nil {
		return fmt.Errorf("create session 2: %w", err)
	}
	return nil
}

// nextWeekday returns the next day after t that is wd, at hour:00 in t's zone.
func nextWeekday(t time.Time, wd time.Weekday, hour int) time.Time {
	d := (int(wd) - int(t.Weekday()) + 7) % 7
	if d == 0 {
		d = 7
	}
	y, m, day := t.AddDate(0, 0, d).Date()
	return time.Date(y, m, day, hour, 0, 0, 0, t.Location()).UTC()
}

// newPassword returns a random password of 26 base32 characters (128 bits).
func newPassword() string { return rand.Text() }
