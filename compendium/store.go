package compendium

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"gametable/db"
)

// Book kinds as the database spells them (the API says "toolOnly").
const (
	BookRequired = "required"
	BookOptional = "optional"
	BookToolOnly = "tool_only"
)

// ErrRecordsFailed is returned, wrapped with the count, by Import and
// RunImport when everything else was imported but some records were
// malformed; Summary says which.
var ErrRecordsFailed = errors.New("some records could not be imported")

// slugPattern is the core_rules.slug CHECK of the schema.
var slugPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,62}$`)

// ParseBookKind reads a book kind as the command line or the API may write
// it: required, optional, toolOnly (also tool_only, tool-only). "" is
// tool_only, the kind a compendium-only book gets.
func ParseBookKind(s string) (string, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "toolonly", "tool_only", "tool-only":
		return BookToolOnly, nil
	case "required":
		return BookRequired, nil
	case "optional":
		return BookOptional, nil
	}
	return "", fmt.Errorf("book kind %q is not required, optional or toolOnly", s)
}

// ImportOptions names the rule book an import writes into.
type ImportOptions struct {
	// Slug finds the book; a new book is created with it.
	Slug string
	// Kind and Title are used only when the book is new. Kind defaults to
	// tool_only, Title to the slug.
	Kind  string
	Title string
}

// Book is the rule book (core_rules row) an import wrote into.
type Book struct {
	ID      uuid.UUID
	Slug    string
	Title   string
	Kind    string
	Status  string
	Created bool // created by this import
}

// EnsureBook returns the book with opts.Slug, creating it with opts.Kind and
// opts.Title when there is none. An existing book keeps its title and kind.
func EnsureBook(ctx context.Context, conn db.DBTX, opts ImportOptions) (Book, error) {
	if !slugPattern.MatchString(opts.Slug) {
		return Book{}, fmt.Errorf("book slug %q: use 1 to 63 lower-case letters, digits, '.', '_' or '-', starting with a letter or digit", opts.Slug)
	}
	kind, err := ParseBookKind(opts.Kind)
	if err != nil {
		return Book{}, err
	}
	title := strings.TrimSpace(opts.Title)
	if title == "" {
		title = opts.Slug
	}
	if utf8.RuneCountInString(title) > 200 {
		return Book{}, errors.New("book title: longer than 200 characters")
	}
	row, err := db.New(conn).CoreRuleEnsureForCompendium(ctx, db.CoreRuleEnsureForCompendiumParams{
		Slug: opts.Slug, Title: title, Kind: kind,
	})
	if err != nil {
		return Book{}, fmt.Errorf("find or create book %s: %w", opts.Slug, db.Interpret(err))
	}
	return Book{ID: row.ID, Slug: row.Slug, Title: row.Title, Kind: row.Kind, Status: row.Status, Created: row.Created}, nil
}

// Progress is where an import stands in one file.
type Progress struct {
	File  string
	Kind  Kind
	Done  int // records written so far (good records only)
	Total int // good records of the file
}

// ProgressFunc is told after each record written. It runs on the importing
// goroutine, so it should be quick.
type ProgressFunc func(Progress)

// FileSummary is what importing one file did.
type FileSummary struct {
	Name      string
	Kind      Kind
	Records   int // in the file
	Inserted  int
	Updated   int
	Unchanged int
	Errors    []*RecordError
}

// Summary is what an import did.
type Summary struct {
	Book     Book
	Files    []FileSummary
	Duration time.Duration
}

// Failed counts the records that were reported and skipped.
func (s Summary) Failed() int {
	n := 0
	for _, f := range s.Files {
		n += len(f.Errors)
	}
	return n
}

// storeBatch is how many upserts Store sends in one round trip.
const storeBatch = 100

// Store upserts the good records of f into the book, in one transaction,
// and returns the counts. Re-storing the same records changes nothing
// (they count as unchanged); a changed record is updated in place.
// f.Errors are carried into the summary as they are.
func Store(ctx context.Context, b db.Beginner, bookID uuid.UUID, f *File, progress ProgressFunc) (FileSummary, error) {
	sum := FileSummary{Name: f.Name, Kind: f.Kind, Records: f.Records, Errors: f.Errors}
	total := len(f.Monsters) + len(f.Items)
	count := func(inserted bool, err error) error {
		switch {
		case errors.Is(err, pgx.ErrNoRows):
			sum.Unchanged++
		case err != nil:
			return err
		case inserted:
			sum.Inserted++
		default:
			sum.Updated++
		}
		if progress != nil {
			progress(Progress{File: f.Name, Kind: f.Kind, Done: sum.Inserted + sum.Updated + sum.Unchanged, Total: total})
		}
		return nil
	}
	err := db.InTx(ctx, b, func(tx pgx.Tx) error {
		q := db.New(tx)
		// Batches of storeBatch upserts: one round trip each, and progress
		// as each batch's results come back.
		for start := 0; start < len(f.Monsters); start += storeBatch {
			chunk := f.Monsters[start:min(start+storeBatch, len(f.Monsters))]
			args := make([]db.MonsterUpsertParams, len(chunk))
			for i, m := range chunk {
				data, err := json.Marshal(m)
				if err != nil {
					return fmt.Errorf("encode monster %s: %w", m.Index, err)
				}
				args[i] = db.MonsterUpsertParams{
					CoreRuleID:      bookID,
					SourceIndex:     m.Index,
					Name:            m.Name,
					Type:            m.Type,
					Size:            m.Size,
					ChallengeRating: m.ChallengeRating,
					XP:              int32(m.XP),
					HitPoints:       int32(m.HitPoints),
					ArmorClass:      int32(m.ArmorClass),
					Dexterity:       int32(m.Abilities.Dex),
					Data:            data,
				}
			}
			var firstErr error
			q.MonsterUpsert(ctx, args).QueryRow(func(i int, row db.MonsterUpsertRow, err error) {
				if firstErr != nil {
					return
				}
				if err := count(row.Inserted, err); err != nil {
					firstErr = fmt.Errorf("store monster %s: %w", chunk[i].Index, db.Interpret(err))
				}
			})
			if firstErr != nil {
				return firstErr
			}
		}
		for start := 0; start < len(f.Items); start += storeBatch {
			chunk := f.Items[start:min(start+storeBatch, len(f.Items))]
			args := make([]db.ItemUpsertParams, len(chunk))
			for i, it := range chunk {
				data, err := json.Marshal(it)
				if err != nil {
					return fmt.Errorf("encode item %s: %w", it.Index, err)
				}
				args[i] = db.ItemUpsertParams{
					CoreRuleID:  bookID,
					SourceIndex: it.Index,
					Name:        it.Name,
					Category:    it.Category,
					Rarity:      it.Rarity,
					Data:        data,
				}
			}
			var firstErr error
			q.ItemUpsert(ctx, args).QueryRow(func(i int, row db.ItemUpsertRow, err error) {
				if firstErr != nil {
					return
				}
				if err := count(row.Inserted, err); err != nil {
					firstErr = fmt.Errorf("store item %s: %w", chunk[i].Index, db.Interpret(err))
				}
			})
			if firstErr != nil {
				return firstErr
			}
		}
		return nil
	})
	if err != nil {
		return FileSummary{}, fmt.Errorf("import %s: %w", f.Name, err)
	}
	return sum, nil
}

// Import parses every file first (a missing, unreadable or unrecognised
// file stops the import before anything is written), finds or creates the
// book, then stores each file in its own transaction. Malformed records are
// skipped and reported in the summary; the error is then ErrRecordsFailed.
func Import(ctx context.Context, b db.Beginner, opts ImportOptions, paths []string, progress ProgressFunc) (Summary, error) {
	start := time.Now()
	if len(paths) == 0 {
		return Summary{}, errors.New("no files to import")
	}
	files := make([]*File, 0, len(paths))
	for _, p := range paths {
		f, err := ParseFile(p)
		if err != nil {
			return Summary{}, err
		}
		files = append(files, f)
	}
	var sum Summary
	err := db.InTx(ctx, b, func(tx pgx.Tx) error {
		book, err := EnsureBook(ctx, tx, opts)
		sum.Book = book
		return err
	})
	if err != nil {
		return Summary{}, err
	}
	for _, f := range files {
		fs, err := Store(ctx, b, sum.Book.ID, f, progress)
		if err != nil {
			sum.Duration = time.Since(start)
			return sum, err
		}
		sum.Files = append(sum.Files, fs)
	}
	sum.Duration = time.Since(start)
	if n := sum.Failed(); n > 0 {
		return sum, fmt.Errorf("%w: %d record(s)", ErrRecordsFailed, n)
	}
	return sum, nil
}

// RunImport is the "gametable compendium import" command: Import with its
// progress, each malformed record and a closing summary written to w. On a
// terminal the progress is one line rewritten in place; elsewhere (a log,
// a pipe) it is a line when each file starts and ends.
func RunImport(ctx context.Context, b db.Beginner, opts ImportOptions, paths []string, w io.Writer) (Summary, error) {
	tty := isTerminal(w)
	last := time.Time{}
	progress := func(p Progress) {
		if !tty {
			if p.Done == p.Total {
				fmt.Fprintf(w, "%s: %d/%d %s written\n", p.File, p.Done, p.Total, p.Kind)
			}
			return
		}
		// Redraw at most every 50 ms, and always on the last record.
		if p.Done < p.Total && time.Since(last) < 50*time.Millisecond {
			return
		}
		last = time.Now()
		fmt.Fprintf(w, "\r%s: %d/%d %s", p.File, p.Done, p.Total, p.Kind)
		if p.Done == p.Total {
			fmt.Fprintln(w)
		}
	}
	sum, err := Import(ctx, b, opts, paths, progress)
	if sum.Book.ID != uuid.Nil {
		verb := "into"
		if sum.Book.Created {
			verb = "into new"
		}
		fmt.Fprintf(w, "imported %s book %q (%s, %s)\n", verb, sum.Book.Slug, sum.Book.Title, kindForDisplay(sum.Book.Kind))
	}
	for _, f := range sum.Files {
		for _, re := range f.Errors {
			fmt.Fprintf(w, "skipped %v\n", re)
		}
		fmt.Fprintf(w, "%s: %d %s: %d new, %d updated, %d unchanged, %d skipped\n",
			f.Name, f.Records, f.Kind, f.Inserted, f.Updated, f.Unchanged, len(f.Errors))
	}
	if sum.Book.ID != uuid.Nil {
		fmt.Fprintf(w, "done in %s\n", sum.Duration.Round(time.Millisecond))
	}
	return sum, err
}

func kindForDisplay(kind string) string {
	if kind == BookToolOnly {
		return "toolOnly"
	}
	return kind
}

// isTerminal reports whether w is a character device, such as a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
