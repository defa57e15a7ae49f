package pgaccount

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/sessiond/sessiond/internal/account"
)

// Store is an [account.Store] kept in two PostgreSQL tables (see the
// package doc). A Store is safe for concurrent use by multiple goroutines,
// and any number of Stores, in any number of processes, may share one
// database and schema: every read-modify-write is atomic in PostgreSQL.
//
// Methods return the contract's outcomes ([account.ErrNoUser],
// [account.ErrUserExists]) and the error of an UpdateUser's update function
// as they are. Every other failure is wrapped as "pgaccount: <operation>:
// <cause>" and never satisfies errors.Is(err, account.ErrNoUser): a
// canceled or expired ctx (checked before anything else), [ErrClosed], or
// an error of pgx or the server, such as an unreachable server. An outage
// never reads as "no such user".
type Store struct {
	pool   *pgxpool.Pool
	sql    queries
	now    func() time.Time
	forget time.Duration

	closed      atomic.Bool
	closeOnce   sync.Once
	stopSweeper context.CancelFunc
	sweeperDone chan struct{}
}

var _ account.Store = (*Store)(nil)

// New returns a Store kept in the database pool reaches. The caller owns
// pool and closes it after the Store. New first brings the schema up to
// date (see the package doc, "Migrations"), which is safe while other
// replicas do the same, and fails if it cannot; then it starts the
// background sweeper, which Close stops.
func New(ctx context.Context, pool *pgxpool.Pool, cfg Config) (*Store, error) {
	if pool == nil {
		return nil, errors.New("pgaccount: new: nil pool")
	}
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, fmt.Errorf("pgaccount: new: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("pgaccount: new: %w", err)
	}
	if err := migrate(ctx, pool, cfg.Schema); err != nil {
		return nil, fmt.Errorf("pgaccount: new: migrating schema %q: %w", cfg.Schema, err)
	}
	return start(pool, cfg), nil
}

// start returns a Store on pool, whose schema is up to date, and starts its
// sweeper. cfg has its defaults.
func start(pool *pgxpool.Pool, cfg Config) *Store {
	ctx, cancel := context.WithCancel(context.Background())
	s := &Store{
		pool:        pool,
		sql:         newQueries(cfg.Schema),
		now:         cfg.Now,
		forget:      cfg.Forget,
		stopSweeper: cancel,
		sweeperDone: make(chan struct{}),
	}
	if cfg.SweepEvery > 0 {
		go s.sweepLoop(ctx, cfg.SweepEvery)
	} else {
		close(s.sweeperDone)
	}
	return s
}

// Close stops the background sweeper and waits for it to return. It does
// not close the pool, which belongs to the caller. Every method of a closed
// Store returns an error wrapping [ErrClosed]. Close is idempotent and
// always returns nil; it has an error result so that a Store is an
// io.Closer.
func (s *Store) Close() error {
	s.closeOnce.Do(func() {
		s.closed.Store(true)
		s.stopSweeper()
		<-s.sweeperDone
	})
	return nil
}

// usable reports why no operation may start, or nil.
func (s *Store) usable(ctx context.Context, op string) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("pgaccount: %s: %w", op, err)
	}
	if s.closed.Load() {
		return fmt.Errorf("pgaccount: %s: %w", op, ErrClosed)
	}
	return nil
}

// callerError carries the error of an UpdateUser's update function out of
// the transaction, so failure can return it untouched.
type callerError struct{ err error }

func (e callerError) Error() string { return e.err.Error() }

// failure wraps err for op. The contract's outcomes and the caller's own
// errors pass through unchanged, and only they do.
func failure(op string, err error) error {
	var ce callerError
	switch {
	case err == nil, err == account.ErrNoUser, err == account.ErrUserExists:
		return err
	case errors.As(err, &ce):
		return ce.err
	}
	return fmt.Errorf("pgaccount: %s: %w", op, err)
}

// inTx runs fn in a transaction of pool, which commits if fn returns nil
// and rolls back otherwise.
func inTx(ctx context.Context, pool *pgxpool.Pool, fn func(pgx.Tx) error) error {
	tx, err := pool.Begin(ctx)
	if err != nil {
		return err
	}
	// A no-op after Commit. With ctx done it fails, and pgx then closes
	// the connection, which ends the transaction on the server too.
	defer tx.Rollback(ctx)
	if err := fn(tx); err != nil {
		return err
	}
	return tx.Commit(ctx)
}
