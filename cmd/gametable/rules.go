package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"github.com/jackc/pgx/v5/pgxpool"

	"gametable/db"
	"gametable/retrieval"
)

const rulesUsage = `usage: gametable rules import --title T --slug S --kind required|optional|toolOnly FILE...

Ingests a rule book from Markdown, plain text or PDF files (the type is
recognised from the content): extracts the text, splits it by headings,
embeds the chunks and indexes them, now, showing progress. Importing an
existing slug replaces that book's title, kind and text. The embedding model is the
server's (GAMETABLE_EMBEDDINGS_*, else the offline default).
`

// newRetrieval builds the retrieval service of the server and the command
// line: embeddings from GAMETABLE_EMBEDDINGS_* (offline without a base
// URL), uploads kept under the data directory.
func newRetrieval(pool *pgxpool.Pool, cfg Config, logger *slog.Logger) (*retrieval.Service, error) {
	files, err := retrieval.NewFileStore(filepath.Join(cfg.DataDir, "uploads"))
	if err != nil {
		return nil, err
	}
	return retrieval.New(retrieval.Config{
		Pool: pool,
		Embedders: retrieval.NewEmbedders(retrieval.OpenAIConfig{
			BaseURL: cfg.EmbeddingsBaseURL, Model: cfg.EmbeddingsModel, APIKey: cfg.EmbeddingsAPIKey,
			// OpenAI's text-embedding-3 models shorten their vectors to the
			// index's 384 dimensions when asked; other servers may refuse
			// the parameter.
			SendDimensions: strings.HasPrefix(cfg.EmbeddingsModel, "text-embedding-3"),
		}),
		Files:  files,
		Logger: logger,
	})
}

// runRules is "gametable rules import".
func runRules(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "import" {
		fmt.Fprint(stderr, rulesUsage)
		return errUsage
	}
	fs := flag.NewFlagSet("rules import", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, rulesUsage) }
	title := fs.String("title", "", "title of the book (required)")
	slug := fs.String("slug", "", "slug of the book (required)")
	kindFlag := fs.String("kind", "", "required, optional or toolOnly (required)")
	cfg, err := loadConfig(getenv, fs, args[1:])
	if err != nil {
		return err
	}
	if *title == "" || *slug == "" || *kindFlag == "" || fs.NArg() == 0 {
		fmt.Fprint(stderr, rulesUsage)
		return errUsage
	}
	kind, ok := retrieval.KindFromAPI(*kindFlag)
	if !ok {
		return badConfig("--kind: must be required, optional or toolOnly, not %q", *kindFlag)
	}
	files := make([]retrieval.File, 0, fs.NArg())
	for _, name := range fs.Args() {
		data, err := os.ReadFile(name)
		if err != nil {
			return fmt.Errorf("read %s: %w", name, err)
		}
		files = append(files, retrieval.File{Name: filepath.Base(name), Data: data})
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
	svc, err := newRetrieval(pool, cfg, logger)
	if err != nil {
		return err
	}

	progress, done := progressPrinter(stdout)
	rule, err := svc.ImportCoreRule(ctx, retrieval.CreateCoreRuleParams{
		Slug: *slug, Title: *title, Kind: kind, Files: files,
	}, progress)
	done()
	if err != nil {
		return fmt.Errorf("rules import: %w", err)
	}
	fmt.Fprintf(stdout, "imported %q (%s, %s): %d chunks, status %s\n",
		rule.Slug, rule.Title, retrieval.KindToAPI(rule.Kind), rule.ChunkCount, rule.Status)
	return nil
}

// progressPrinter shows ingestion progress: on a terminal one line
// rewritten with \r; elsewhere nothing until the summary. done ends the
// progress line.
func progressPrinter(w io.Writer) (retrieval.ProgressFunc, func()) {
	f, ok := w.(*os.File)
	if !ok || !isTerminal(f) {
		return nil, func() {}
	}
	shown := false
	return func(p retrieval.Progress) {
			shown = true
			pct := 0
			if p.Total > 0 {
				pct = p.Done * 100 / p.Total
			}
			fmt.Fprintf(w, "\rembedding: %d/%d chunks (%3d%%)", p.Done, p.Total, pct)
		}, func() {
			if shown {
				fmt.Fprintln(w)
			}
		}
}
