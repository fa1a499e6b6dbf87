package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"

	"github.com/jackc/pgx/v5/pgxpool"

	"gametable/db"
	"gametable/demo"
	apphttp "gametable/http"
	"gametable/retrieval"
)

func runSeed(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("seed", flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfg, err := loadConfig(getenv, fs, args)
	if err != nil {
		return err
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
	pool, err := db.NewPool(ctx, d.url, logger)
	if err != nil {
		return err
	}
	defer pool.Close()
	return seedDemo(ctx, pool, cfg, stdout)
}

// seedDemo loads the demo campaign and prints where and how to log in.
func seedDemo(ctx context.Context, pool *pgxpool.Pool, cfg Config, stdout io.Writer) error {
	res, err := demo.Load(ctx, pool, apphttp.HashPassword)
	if err != nil {
		return err
	}
	// The demo's house rules: an optional rule book, enabled for the demo
	// campaign only, so search and the rules chat work out of the box.
	rag, err := newRetrieval(pool, cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		return err
	}
	book, err := rag.ImportCoreRule(ctx, retrieval.CreateCoreRuleParams{
		Slug: demo.RuleBookSlug, Title: demo.RuleBookTitle, Kind: retrieval.KindOptional,
		Files: []retrieval.File{{Name: "house-rules.md", Data: []byte(demo.RuleBook)}},
	}, nil)
	if err != nil {
		return fmt.Errorf("demo rule book: %w", err)
	}
	if err := rag.SetCoreRuleEnabled(ctx, res.CampaignID, book.ID, true); err != nil {
		return fmt.Errorf("enable the demo rule book: %w", err)
	}
	state := "is ready"
	if res.Created {
		state = "was created"
	}
	fmt.Fprintf(stdout, "\nThe demo campaign %q %s. Log in at %s with:\n", res.CampaignName, state, cfg.BaseURL)
	for _, l := range res.Logins {
		fmt.Fprintf(stdout, "  %-7s %-30s password %s  (%s)\n", l.Role, l.Email, l.Password, l.DisplayName)
	}
	fmt.Fprintln(stdout, "Each seed run gives these demo accounts new passwords.")
	fmt.Fprintln(stdout)
	return nil
}
