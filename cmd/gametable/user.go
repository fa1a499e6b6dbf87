package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"gametable/db"
)

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
	u, err := db.New(conn).UserPromoteByEmail(ctx, email)
	if err != nil {
		if errors.Is(db.Interpret(err), db.ErrNotFound) {
			return fmt.Errorf("no account has the email %q", email)
		}
		return fmt.Errorf("promote %s: %w", email, err)
	}
	fmt.Fprintf(stdout, "%s (%s) is now an admin\n", u.Email, u.DisplayName)
	return nil
}
