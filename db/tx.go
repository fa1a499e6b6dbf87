package db

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Beginner starts a transaction. *pgxpool.Pool, *pgx.Conn and pgx.Tx all
// satisfy it; with a pgx.Tx (for example dbtest.Tx) InTx runs fn in a
// savepoint, so code written against InTx can be tested inside a rolled-back
// test transaction.
type Beginner interface {
	Begin(ctx context.Context) (pgx.Tx, error)
}

var (
	_ Beginner = (*pgxpool.Pool)(nil)
	_ Beginner = (*pgx.Conn)(nil)
	_ Beginner = (pgx.Tx)(nil)
)

// InTx runs fn in a transaction and commits it when fn returns nil. When fn
// returns an error or panics, the transaction is rolled back (with a context
// that is not cancelled, so a cancelled request still releases its locks at
// once) and the error or panic is passed on. fn's error is returned as it is,
// so errors.Is on ErrNotFound and ErrConflict keeps working; fn must not
// commit or roll back tx itself.
func InTx(ctx context.Context, b Beginner, fn func(tx pgx.Tx) error) (err error) {
	tx, err := b.Begin(ctx)
	if err != nil {
		return fmt.Errorf("begin transaction: %w", err)
	}
	committed := false
	defer func() {
		if committed {
			return
		}
		rbErr := tx.Rollback(context.WithoutCancel(ctx))
		if p := recover(); p != nil {
			panic(p)
		}
		if rbErr != nil && !errors.Is(rbErr, pgx.ErrTxClosed) {
			err = errors.Join(err, fmt.Errorf("roll back transaction: %w", rbErr))
		}
	}()
	if err := fn(tx); err != nil {
		return err
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("commit transaction: %w", err)
	}
	committed = true
	return nil
}
