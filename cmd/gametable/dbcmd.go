package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"

	"github.com/jackc/pgx/v5"

	"gametable/db"
)

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
	d, err := openDatabase(ctx, cfg, logger)
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
