// Command gametable is the gametable server and its administration tools:
// serve, migrate, seed, user promote, rules import and compendium import.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/riverqueue/river"
	"github.com/schollz/progressbar/v3"

	"gametable/codex"
	"gametable/compendium"
	"gametable/db"
	"gametable/db/localpg"
	"gametable/demo"
	apphttp "gametable/http"
	"gametable/hub"
	"gametable/jobs"
	"gametable/llm"
	"gametable/retrieval"
	"gametable/retrieval/srdbook"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = ""

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	if err != nil {
		var ce *configError
		switch {
		case errors.Is(err, flag.ErrHelp):
			// --help: the usage went to stderr; asking for it is no error.
		case errors.Is(err, errUsage):
			os.Exit(2)
		case errors.As(err, &ce):
			fmt.Fprintf(os.Stderr, "gametable: %v\n", err)
			os.Exit(2)
		default:
			fmt.Fprintf(os.Stderr, "gametable: %v\n", err)
			os.Exit(1)
		}
	}
}

const usage = `gametable: a self-hosted server for tabletop role-playing groups

Usage:
  gametable serve [--addr HOST:PORT] [--seed]   migrate, then serve
  gametable migrate                             apply database migrations
  gametable seed                                load the demo campaign and print the logins
  gametable user promote EMAIL                  make a user an admin
  gametable rules import --title T --slug S --kind K FILE...
  gametable compendium import --rules SLUG FILE...
  gametable version                             print the version
  gametable db up|reset                         development: run / recreate the local PostgreSQL

Configuration comes from the environment (see README.md); flags win.
Without DATABASE_URL, gametable runs its own PostgreSQL under GAMETABLE_DATA_DIR.
`

// run is the whole program; main and the end-to-end tests call it.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return errUsage
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "serve":
		return runServe(ctx, rest, getenv, stdout, stderr)
	case "migrate":
		return runMigrate(ctx, rest, getenv, stderr)
	case "seed":
		return runSeed(ctx, rest, getenv, stdout, stderr)
	case "user":
		return runUser(ctx, rest, getenv, stdout, stderr)
	case "db":
		return runDB(ctx, rest, getenv, stdout, stderr)
	case "rules":
		return runRules(ctx, rest, getenv, stdout, stderr)
	case "compendium":
		return runCompendium(ctx, rest, getenv, stdout, stderr)
	case "version", "--version":
		fmt.Fprintln(stdout, buildVersion())
		return nil
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprintf(stderr, "gametable: unknown command %q\n\n%s", cmd, usage)
	return errUsage
}

func buildVersion() string {
	if version != "" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" && len(s.Value) >= 12 {
				return "dev-" + s.Value[:12]
			}
		}
	}
	return "dev"
}

// newLogger gives a text logger on a terminal and JSON elsewhere, unless
// the config says which.
func newLogger(cfg Config, w io.Writer) *slog.Logger {
	opts := &slog.HandlerOptions{Level: cfg.LogLevel}
	format := cfg.LogFormat
	if format == "auto" {
		format = "json"
		if f, ok := w.(*os.File); ok && isTerminal(f) {
			format = "text"
		}
	}
	if format == "text" {
		return slog.New(slog.NewTextHandler(w, opts))
	}
	return slog.New(slog.NewJSONHandler(w, opts))
}

func isTerminal(f *os.File) bool {
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// database is a connection string and, for the embedded default, the local
// cluster behind it.
type database struct {
	url     string
	cluster *localpg.Cluster
}

// openDatabase returns DATABASE_URL, or starts the local PostgreSQL under
// the data directory when it is unset. shared (the command-line tools)
// uses the database of a server already running on the data directory
// instead of refusing to start a second PostgreSQL there.
func openDatabase(ctx context.Context, cfg Config, logger *slog.Logger, shared bool) (*database, error) {
	if cfg.DatabaseURL != "" {
		return &database{url: cfg.DatabaseURL}, nil
	}
	dir, err := filepath.Abs(filepath.Join(cfg.DataDir, "pg"))
	if err != nil {
		return nil, fmt.Errorf("data directory: %w", err)
	}
	if shared {
		// A server is running on this data directory: work on its
		// database (and leave its PostgreSQL running).
		if url, pid, ok := localpg.Running(dir, "gametable"); ok {
			logger.Info("using the database of the running server", "server_pid", pid, "data_dir", dir)
			return &database{url: url}, nil
		}
	}
	c, err := localpg.Start(ctx, localpg.Options{Dir: dir, Database: "gametable", Logger: logger})
	if err != nil {
		return nil, fmt.Errorf("start local postgresql: %w", err)
	}
	return &database{url: c.URL(), cluster: c}, nil
}

func (d *database) close(logger *slog.Logger) {
	if d.cluster == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := d.cluster.Stop(ctx); err != nil {
		logger.Error("stop local postgresql", "err", err)
	}
}

// migrate connects once and applies the migrations.
func migrate(ctx context.Context, url string) error {
	conn, err := db.Connect(ctx, url)
	if err != nil {
		return err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	return db.Migrate(ctx, conn)
}

func runMigrate(ctx context.Context, args []string, getenv func(string) string, stderr io.Writer) error {
	fs := flag.NewFlagSet("migrate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfg, err := loadConfig(getenv, fs, args)
	if err != nil {
		return err
	}
	return withDatabase(ctx, cfg, stderr, func(pool *pgxpool.Pool, logger *slog.Logger) error {
		if err := jobs.Migrate(ctx, pool, logger); err != nil {
			return err
		}
		logger.Info("migrations applied")
		return nil
	})
}

// withDatabase runs fn with a pool on the migrated database of cfg (the
// local PostgreSQL, started for the call, or DATABASE_URL): the set-up of
// every subcommand but serve.
func withDatabase(ctx context.Context, cfg Config, stderr io.Writer, fn func(*pgxpool.Pool, *slog.Logger) error) error {
	logger := newLogger(cfg, stderr)
	d, err := openDatabase(ctx, cfg, logger, true)
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
	return fn(pool, logger)
}

// shutdownTimeout is the contract's drain deadline for SIGTERM.
const shutdownTimeout = 10 * time.Second

func runServe(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.String("addr", "", "listen address HOST:PORT (overrides GAMETABLE_ADDR)")
	seed := fs.Bool("seed", false, "load the demo campaign after migrating and print the logins")
	cfg, err := loadConfig(getenv, fs, args)
	if err != nil {
		return err
	}
	logger := newLogger(cfg, stderr)
	logger.Info("starting gametable", "version", buildVersion(), "config", cfg)

	// Listen first: a taken port should fail before anything else starts.
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.Addr, err)
	}
	defer ln.Close()
	if getenv("GAMETABLE_BASE_URL") == "" {
		// With --addr :0 the port is known only now.
		host, port, _ := net.SplitHostPort(ln.Addr().String())
		if h, _, _ := net.SplitHostPort(cfg.Addr); h == "" || h == "0.0.0.0" || h == "::" {
			host = "localhost"
		}
		cfg.BaseURL = "http://" + net.JoinHostPort(host, port)
	}

	d, err := openDatabase(ctx, cfg, logger, false)
	if err != nil {
		return err
	}
	defer d.close(logger)

	// Until the database is reachable and migrated, a starting handler
	// answers: /healthz 200, everything else 503. Then the real one.
	var handler atomic.Pointer[http.Handler]
	starting := apphttp.StartingHandler()
	handler.Store(&starting)
	httpSrv := &http.Server{
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			(*handler.Load()).ServeHTTP(w, r)
		}),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       5 * time.Minute, // uploads
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	serveErr := make(chan error, 1)
	go func() { serveErr <- httpSrv.Serve(ln) }()
	logger.Info("listening", "addr", ln.Addr().String(), "url", cfg.BaseURL)

	// Migrate in the background, retrying with backoff, so /healthz answers
	// and /readyz says 503 while the database is down.
	type started struct {
		pool *pgxpool.Pool
		err  error
	}
	startedc := make(chan started, 1)
	go func() {
		if err := migrateWithRetry(ctx, d.url, logger); err != nil {
			startedc <- started{err: err}
			return
		}
		pool, err := db.NewPool(ctx, d.url, logger)
		if err == nil {
			if err = jobs.Migrate(ctx, pool, logger); err != nil {
				pool.Close()
				pool = nil
			}
		}
		startedc <- started{pool: pool, err: err}
	}()

	var (
		pool     *pgxpool.Pool
		srv      *apphttp.Server
		registry *hub.Registry
		workers  *jobs.Client
		// bgDone is closed when the background loops have stopped.
		bgDone = make(chan struct{})
	)
	close(bgDone)
	// Background loops (the poll closer) stop before the registry and pool.
	bgCtx, bgCancel := context.WithCancel(context.WithoutCancel(ctx))
	defer bgCancel()
	defer func() {
		if pool != nil {
			pool.Close()
		}
	}()
wait:
	for {
		select {
		case st := <-startedc:
			startedc = nil
			if st.err != nil {
				if ctx.Err() != nil {
					break wait
				}
				return st.err
			}
			pool = st.pool
			if *seed {
				if err := seedDemo(ctx, pool, cfg, stdout); err != nil {
					return fmt.Errorf("seed: %w", err)
				}
			}
			reg := prometheus.NewRegistry()
			reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
			var (
				rag  *retrieval.Service
				chat retrieval.ChatCompleter
			)
			workers, rag, chat, err = startJobs(ctx, pool, cfg, logger)
			if err != nil {
				return err
			}
			registry, err = hub.NewRegistry(hub.Options{
				Pool:         pool,
				Logger:       logger,
				Registerer:   reg,
				WSRate:       cfg.WSRate,
				WSBurst:      cfg.WSBurst,
				WSMaxPerUser: cfg.WSMaxPerUser,
			})
			if err != nil {
				return err
			}
			srv, err = apphttp.NewServer(apphttp.Options{
				Pool:       pool,
				Logger:     logger,
				BaseURL:    cfg.BaseURL,
				Version:    buildVersion(),
				Ready:      readiness(pool),
				Registerer: reg,
				Gatherer:   reg,
				LLM:        llmKind(cfg),
				Embeddings: embeddingsName(cfg),

				SessionIdle:     cfg.SessionIdle,
				SessionLifetime: cfg.SessionLifetime,
				SMTPURL:         cfg.SMTPURL,
				MailFrom:        cfg.MailFrom,
				Hub:             registry,
				Jobs:            workers,
				Retrieval:       rag,
				UploadMaxBytes:  cfg.UploadMaxBytes,
				RulesChat:       chat,
				ChatPerMinute:   cfg.chatLimit(),
				SignupPerHour:   cfg.signupLimit(),
				TrustedProxies:  cfg.TrustedProxies,
			})
			if err != nil {
				return err
			}
			bgDone = make(chan struct{})
			go func() {
				defer close(bgDone)
				srv.RunPollCloser(bgCtx, 0)
			}()
			var h http.Handler = srv
			handler.Store(&h)
			logger.Info("ready", "url", cfg.BaseURL)
		case err := <-serveErr:
			return fmt.Errorf("serve: %w", err)
		case <-ctx.Done():
			break wait
		}
	}

	logger.Info("shutting down", "deadline", shutdownTimeout)
	sctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	// Order: no new requests or upgrades; background loops stop; the hubs
	// finish in-flight commands and close sockets with 1001; queued mail
	// goes out; the pool closes last (deferred).
	if err := httpSrv.Shutdown(sctx); err != nil {
		logger.Warn("http shutdown", "err", err)
	}
	bgCancel()
	<-bgDone
	if workers != nil {
		// Running jobs are cancelled and go back on the queue; a model call
		// may take longer than the drain deadline.
		if err := workers.StopAndCancel(sctx); err != nil {
			logger.Warn("jobs shutdown", "err", err)
		}
	}
	if registry != nil {
		if err := registry.Shutdown(sctx); err != nil {
			logger.Warn("live shutdown", "err", err)
		}
	}
	if srv != nil {
		// Stops the janitor and sends the mail still queued.
		if err := srv.Close(sctx); err != nil {
			logger.Warn("server close", "err", err)
		}
	}
	logger.Info("stopped")
	return nil
}

// startJobs starts the durable background jobs (River): recap extraction
// and the ingestion of rule books and documents. It returns the River
// client, the retrieval service (whose jobs it works) and the rules chat's
// language model (nil without one).
func startJobs(ctx context.Context, pool *pgxpool.Pool, cfg Config, logger *slog.Logger) (*jobs.Client, *retrieval.Service, retrieval.ChatCompleter, error) {
	var model *llm.Client
	var chat retrieval.ChatCompleter
	if cfg.LLMBaseURL != "" {
		var err error
		model, err = llm.New(llm.Config{BaseURL: cfg.LLMBaseURL, APIKey: cfg.LLMAPIKey, Model: cfg.LLMModel, Logger: logger})
		if err != nil {
			return nil, nil, nil, fmt.Errorf("language model: %w", err)
		}
		chat = retrieval.NewChatCompleter(model)
	}
	extractor, err := codex.NewExtractor(codex.Config{Pool: pool, LLM: model, Logger: logger})
	if err != nil {
		return nil, nil, nil, err
	}
	rag, err := newRetrieval(pool, cfg, logger)
	if err != nil {
		return nil, nil, nil, err
	}
	workers := river.NewWorkers()
	extractor.AddWorkers(workers)
	rag.AddWorkers(workers)
	client, err := jobs.New(pool, jobs.Config{
		Workers: workers, Logger: logger, Queues: map[string]int{retrieval.QueueName: 1},
		PeriodicJobs: retrieval.PeriodicJobs(),
	})
	if err != nil {
		return nil, nil, nil, err
	}
	rag.SetQueue(client)
	if err := client.Start(context.WithoutCancel(ctx)); err != nil {
		return nil, nil, nil, fmt.Errorf("start jobs: %w", err)
	}
	if queued, err := rag.QueueIndexUpgrade(ctx); err != nil {
		// Searches still work on the chunks as they are.
		logger.Warn("check the search index version", "err", err)
	} else if queued {
		logger.Info("updating the search index of rule books and documents in the background (re-chunking or re-embedding)", "index_version", retrieval.SearchIndexVersion)
	}
	return client, rag, chat, nil
}

// migrateWithRetry applies migrations, retrying with capped exponential
// backoff while the database is unreachable.
func migrateWithRetry(ctx context.Context, url string, logger *slog.Logger) error {
	backoff := 250 * time.Millisecond
	for attempt := 1; ; attempt++ {
		err := migrate(ctx, url)
		if err == nil {
			return nil
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		logger.Warn("database not ready, retrying", "err", err, "attempt", attempt, "retry_in", backoff)
		select {
		case <-time.After(backoff):
		case <-ctx.Done():
			return ctx.Err()
		}
		backoff = min(backoff*2, 10*time.Second)
	}
}

// readiness checks that the database answers and every migration is applied.
func readiness(pool *pgxpool.Pool) func(context.Context) error {
	return func(ctx context.Context) error {
		conn, err := pool.Acquire(ctx)
		if err != nil {
			return err
		}
		defer conn.Release()
		current, latest, err := db.MigrationStatus(ctx, conn.Conn())
		if err != nil {
			return err
		}
		if current < latest {
			return fmt.Errorf("migrations pending: at %d of %d", current, latest)
		}
		return nil
	}
}

func llmKind(cfg Config) string {
	if cfg.LLMBaseURL == "" {
		return "none"
	}
	return "openai"
}

func embeddingsName(cfg Config) string {
	if cfg.EmbeddingsBaseURL == "" {
		return "offline"
	}
	return cfg.EmbeddingsModel
}

func runSeed(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("seed", flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfg, err := loadConfig(getenv, fs, args)
	if err != nil {
		return err
	}
	return withDatabase(ctx, cfg, stderr, func(pool *pgxpool.Pool, _ *slog.Logger) error {
		return seedDemo(ctx, pool, cfg, stdout)
	})
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

// runUser handles "gametable user promote EMAIL".
func runUser(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "promote" {
		fmt.Fprintln(stderr, "usage: gametable user promote EMAIL")
		return errUsage
	}
	fs := flag.NewFlagSet("user promote", flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfg, err := loadConfig(getenv, fs, args[1:])
	if err != nil {
		return err
	}
	if fs.NArg() != 1 {
		fmt.Fprintln(stderr, "usage: gametable user promote EMAIL")
		return errUsage
	}
	email := strings.ToLower(strings.TrimSpace(fs.Arg(0)))
	return withDatabase(ctx, cfg, stderr, func(pool *pgxpool.Pool, _ *slog.Logger) error {
		u, err := db.New(pool).UserPromoteByEmail(ctx, email)
		if err != nil {
			if errors.Is(db.Interpret(err), db.ErrNotFound) {
				return fmt.Errorf("no account has the email %q", email)
			}
			return fmt.Errorf("promote %s: %w", email, err)
		}
		fmt.Fprintf(stdout, "%s (%s) is now an admin\n", u.Email, u.DisplayName)
		return nil
	})
}

// runDB handles the development helpers "gametable db up" (run the local
// PostgreSQL in the foreground, migrated, and print its URL until Ctrl-C)
// and "gametable db reset" (drop and recreate the local database, migrated).
// They work only on the embedded local PostgreSQL, never on DATABASE_URL.
func runDB(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 || (args[0] != "up" && args[0] != "reset") {
		fmt.Fprintln(stderr, "usage: gametable db up|reset")
		return errUsage
	}
	sub := args[0]
	fs := flag.NewFlagSet("db "+sub, flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfg, err := loadConfig(getenv, fs, args[1:])
	if err != nil {
		return err
	}
	if cfg.DatabaseURL != "" {
		return badConfig("gametable db %s works on the local PostgreSQL only; unset DATABASE_URL", sub)
	}
	logger := newLogger(cfg, stderr)
	d, err := openDatabase(ctx, cfg, logger, false)
	if err != nil {
		return err
	}
	defer d.close(logger)

	if sub == "reset" {
		if err := recreateDatabase(ctx, d.cluster.DatabaseURL("postgres"), "gametable"); err != nil {
			return err
		}
	}
	if err := migrate(ctx, d.url); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "DATABASE_URL=%q\nSQLC_DATABASE_URL=%q\npsql: %s\n", d.url, d.url, d.cluster.PsqlCommand())
	if sub == "reset" {
		return nil
	}
	fmt.Fprintln(stdout, "PostgreSQL is running; press Ctrl-C to stop it.")
	select {
	case <-ctx.Done():
	case <-d.cluster.Done():
		return errors.New("postgresql exited")
	}
	return nil
}

// recreateDatabase drops and creates name through the maintenance database.
func recreateDatabase(ctx context.Context, maintenanceURL, name string) error {
	conn, err := db.Connect(ctx, maintenanceURL)
	if err != nil {
		return err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	ident := pgx.Identifier{name}.Sanitize()
	if _, err := conn.Exec(ctx, "DROP DATABASE IF EXISTS "+ident+" WITH (FORCE)"); err != nil {
		return fmt.Errorf("drop database: %w", err)
	}
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+ident); err != nil {
		return fmt.Errorf("create database: %w", err)
	}
	return nil
}

const rulesUsage = `usage: gametable rules import --title T --slug S --kind required|optional|toolOnly FILE...
       gametable rules import --title T --slug S --kind K --srd DIR

Ingests a rule book from Markdown, plain text or PDF files (the type is
recognised from the content): extracts the text, splits it by headings,
embeds the chunks and indexes them, now, showing progress. Importing an
existing slug replaces that book's title, kind and text. The embedding model is the
server's (GAMETABLE_EMBEDDINGS_*, else the offline default).

--srd DIR reads the open 5e SRD in the JSON layout of the 5e-database project
(5e-SRD-Rules.json, 5e-SRD-Rule-Sections.json, 5e-SRD-Conditions.json, spells,
monsters, magic items, equipment...) and imports it as one Markdown book:
the rules by chapter, then one section per condition, spell, monster and item.
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
	srdDir := fs.String("srd", "", "import the 5e SRD JSON data in this directory instead of FILEs")
	cfg, err := loadConfig(getenv, fs, args[1:])
	if err != nil {
		return err
	}
	if *title == "" || *slug == "" || *kindFlag == "" || (fs.NArg() == 0) == (*srdDir == "") {
		fmt.Fprint(stderr, rulesUsage)
		return errUsage
	}
	kind, ok := retrieval.KindFromAPI(*kindFlag)
	if !ok {
		return badConfig("--kind: must be required, optional or toolOnly, not %q", *kindFlag)
	}
	files := make([]retrieval.File, 0, fs.NArg()+1)
	if *srdDir != "" {
		text, err := srdbook.Whole(*srdDir)
		if err != nil {
			return fmt.Errorf("read the SRD in %s: %w", *srdDir, err)
		}
		files = append(files, retrieval.File{Name: "srd.md", Data: []byte(text)})
	}
	for _, name := range fs.Args() {
		data, err := os.ReadFile(name)
		if err != nil {
			return fmt.Errorf("read %s: %w", name, err)
		}
		files = append(files, retrieval.File{Name: filepath.Base(name), Data: data})
	}

	return withDatabase(ctx, cfg, stderr, func(pool *pgxpool.Pool, logger *slog.Logger) error {
		svc, err := newRetrieval(pool, cfg, logger)
		if err != nil {
			return err
		}

		progress, done := progressPrinter(stdout, writesToTerminal(stdout))
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
	})
}

// progressPrinter draws ingestion progress on w when tty is set: a bar for
// each phase, as in
//
//	extracting files   100% |██████████████████████████████| (3/3)
//	embedding  chunks   42% |████████████                  | (50/120) [2s:3s]
//
// (the brackets: time taken and time left), each line ended once its phase
// is complete. Without tty it draws
// nothing, and the ProgressFunc is nil: scripts read only the summary.
// done ends a bar left unfinished (ingestion failed), so whatever is
// printed next starts on its own line; call it before printing more.
func progressPrinter(w io.Writer, tty bool) (retrieval.ProgressFunc, func()) {
	if !tty {
		return nil, func() {}
	}
	var (
		bar   *progressbar.ProgressBar
		phase retrieval.Phase
		open  bool // bar's line is not ended yet
	)
	end := func() {
		if open {
			fmt.Fprintln(w)
			open = false
		}
		bar = nil
	}
	return func(p retrieval.Progress) {
		if p.Total <= 0 {
			return
		}
		if bar == nil || p.Phase != phase {
			end()
			phase = p.Phase
			bar = progressbar.NewOptions(p.Total,
				progressbar.OptionSetWriter(w),
				progressbar.OptionSetDescription(fmt.Sprintf("%-10s %-6s ", phase, phase.Unit())),
				progressbar.OptionShowCount(),
				progressbar.OptionSetWidth(30),
				// Called once, when the bar reaches 100%.
				progressbar.OptionOnCompletion(func() { end() }),
			)
			open = true
		} else if p.Total != bar.GetMax() {
			bar.ChangeMax(p.Total)
		}
		_ = bar.Set(min(p.Done, p.Total))
	}, end
}

// writesToTerminal reports whether w is a terminal, so progress is drawn
// on it. A writer can answer for itself with an IsTerminal method (tests
// do, to see the bar in a buffer).
func writesToTerminal(w io.Writer) bool {
	if t, ok := w.(interface{ IsTerminal() bool }); ok {
		return t.IsTerminal()
	}
	f, ok := w.(*os.File)
	return ok && isTerminal(f)
}

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

	return withDatabase(ctx, cfg, stderr, func(pool *pgxpool.Pool, _ *slog.Logger) error {
		opts := compendium.ImportOptions{Slug: *slug, Kind: *kind, Title: *title}
		if _, err := compendium.RunImport(ctx, pool, opts, fs.Args(), stdout); err != nil {
			return fmt.Errorf("compendium import: %w", err)
		}
		return nil
	})
}
