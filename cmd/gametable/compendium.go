package main

import (
	"context"
	"flag"
	"fmt"
	"io"

	"gametable/compendium"
	"gametable/db"
)

const compendiumUsage = `usage: gametable compendium import --rules SLUG [--kind required|optional|toolOnly] [--title T] FILE...

Loads monsters, equipment and magic items from 5e-database JSON files into
the rule book SLUG (created as toolOnly unless --kind says otherwise). Each
file's kind is recognised from its records. Re-importing updates in place.
Malformed records are reported and skipped; the exit status is then 1.
`

// runCompendium is "gametable compendium import": flags and database here,
// the work in compendium.RunImport.
func runCompendium(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "import" {
		fmt.Fprint(stderr, compendiumUsage)
		return errUsage
	}
	fs := flag.NewFlagSet("compendium import", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, compendiumUsage) }
	slug := fs.String("rules", "", "slug of the rule book to load into (required)")
	kind := fs.String("kind", "toolOnly", "kind of a new book: required, optional or toolOnly")
	title := fs.String("title", "", "title of a new book (default: the slug)")
	cfg, err := loadConfig(getenv, fs, args[1:])
	if err != nil {
		return err
	}
	if *slug == "" || fs.NArg() == 0 {
		fmt.Fprint(stderr, compendiumUsage)
		return errUsage
	}
	if _, err := compendium.ParseBookKind(*kind); err != nil {
		return badConfig("--kind: %v", err)
	}

	logger := newLogger(cfg, stderr)
	d, err := openDatabase(ctx, cfg, logger)
	if err != nil {
		return err
	}
	defer d.close(logger)
	if err := migrate(ctx, d.url); err != nil {
		return err
	}
	conn, err := db.Connect(ctx, d.url)
	if err != nil {
		return err
	}
	defer conn.Close(context.WithoutCancel(ctx))

	opts := compendium.ImportOptions{Slug: *slug, Kind: *kind, Title: *title}
	if _, err := compendium.RunImport(ctx, conn, opts, fs.Args(), stdout); err != nil {
		return fmt.Errorf("compendium import: %w", err)
	}
	return nil
}
