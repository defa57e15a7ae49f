package pgaccount

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/sessiond/sessiond/internal/account"
)

// AddFailure implements [account.Store] with one upsert: the row is
// created at count 1, restarted at 1 if its latest failure is older than
// now-forget, or incremented; all in one statement, so concurrent calls
// lose no failure.
func (s *Store) AddFailure(ctx context.Context, key string, now time.Time, forget time.Duration) (account.Failures, error) {
	const op = "add failure"
	if err := s.usable(ctx, op); err != nil {
		return account.Failures{}, err
	}
	var f account.Failures
	err := s.pool.QueryRow(ctx, s.sql.addFailure, key, now, now.Add(-forget)).Scan(&f.Count, &f.Last)
	if err != nil {
		return account.Failures{}, failure(op, err)
	}
	f.Last = f.Last.UTC()
	return f, nil
}

// Failures implements [account.Store]. A row forgotten by now reads as zero
// whether or not the sweeper has deleted it yet.
func (s *Store) Failures(ctx context.Context, key string, now time.Time, forget time.Duration) (account.Failures, error) {
	const op = "failures"
	if err := s.usable(ctx, op); err != nil {
		return account.Failures{}, err
	}
	var f account.Failures
	err := s.pool.QueryRow(ctx, s.sql.failures, key).Scan(&f.Count, &f.Last)
	if err == pgx.ErrNoRows {
		return account.Failures{}, nil
	}
	if err != nil {
		return account.Failures{}, failure(op, err)
	}
	if f.Last.Before(now.Add(-forget)) {
		return account.Failures{}, nil
	}
	f.Last = f.Last.UTC()
	return f, nil
}

// ClearFailures implements [account.Store].
func (s *Store) ClearFailures(ctx context.Context, key string) error {
	const op = "clear failures"
	if err := s.usable(ctx, op); err != nil {
		return err
	}
	_, err := s.pool.Exec(ctx, s.sql.clearFailures, key)
	return failure(op, err)
}
