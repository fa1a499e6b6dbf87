package db

import (
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

var (
	// ErrNotFound means the row does not exist or is not in the caller's
	// campaign. With composite foreign keys, a reference into another
	// campaign is reported as ErrNotFound too.
	ErrNotFound = errors.New("not found")
	// ErrConflict means a unique constraint or a state check refused the write.
	ErrConflict = errors.New("conflict")
)

// Interpret turns driver errors into this package's sentinels, keeping the
// cause. Errors it does not know are returned unchanged.
func Interpret(err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("%w: %w", ErrNotFound, err)
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		switch pgErr.Code {
		case "23505", "23P01": // unique_violation, exclusion_violation
			return fmt.Errorf("%w: %w", ErrConflict, err)
		case "23503": // foreign_key_violation
			return fmt.Errorf("%w: %w", ErrNotFound, err)
		}
	}
	return err
}

// ConstraintName returns the name of the violated constraint, if any, so a
// caller can say which field was at fault.
func ConstraintName(err error) string {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr.ConstraintName
	}
	return ""
}
