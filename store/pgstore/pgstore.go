package pgstore

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/sessiond/sessiond/store"
)

// Store is a [store.Store] kept in a PostgreSQL table. A Store is safe for
// concurrent use by multiple goroutines, and any number of Stores, in any
// number of processes, may share one table. New starts a background
// collector that Close stops.
//
// Methods return the contract's outcomes ([store.ErrNotFound],
// [store.ErrConflict], [store.ErrExists]) as they are. Every other failure
// is wrapped as "pgstore: <operation>: <cause>" and never satisfies
// errors.Is(err, store.ErrNotFound): a canceled or expired ctx (checked
// before anything else, and wrapped whenever it ended a query), a closed
// Store ([store.ErrClosed]), an unreachable or restarting server, a closed
// pool, or [ErrCorrupt]. Callers must treat all of them as "unknown", never
// as "no session": the Store fails closed.
type Store struct {
	pool  *pgxpool.Pool
	table string // quoted and qualified
	now   func() time.Time
	batch int
	q     queries

	closed    atomic.Bool
	closeOnce sync.Once

	stopCollector context.CancelFunc
	collectorDone chan struct{}
}

var _ store.Store = (*Store)(nil)

// New returns a Store that keeps sessions in the table cfg names, reached
// through pool. The caller owns pool and closes it after closing the Store.
//
// New first migrates the table to the latest schema this build embeds,
// creating it if it does not exist, in one transaction under an advisory
// lock, so replicas that start together never race: one migrates, the
// others wait for it and find the work done. It refuses a table migrated by
// a newer build with an error wrapping [ErrSchemaTooNew]. ctx bounds the
// migration, including the wait for the lock; it is not kept.
//
// On success New starts the background collector; call Close to stop it.
func New(ctx context.Context, pool *pgxpool.Pool, cfg Config) (*Store, error) {
	if pool == nil {
		return nil, errors.New("pgstore: new: nil pool")
	}
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, fmt.Errorf("pgstore: new: %w", err)
	}
	n := newNames(cfg.Schema, cfg.Table)
	if err := migrate(ctx, pool, n); err != nil {
		return nil, fmt.Errorf("pgstore: new: migrating %s: %w", n.table, err)
	}
	collectorCtx, cancel := context.WithCancel(context.Background())
	s := &Store{
		pool:          pool,
		table:         n.table,
		now:           cfg.Now,
		batch:         cfg.CollectBatch,
		q:             newQueries(n),
		stopCollector: cancel,
		collectorDone: make(chan struct{}),
	}
	if cfg.CollectEvery > 0 {
		ticker := time.NewTicker(cfg.CollectEvery)
		go func() {
			defer ticker.Stop()
			s.collectLoop(collectorCtx, ticker.C)
		}()
	} else {
		close(s.collectorDone)
	}
	return s, nil
}

// Close stops the background collector and waits for it, then marks the
// Store closed: every later call of a method returns an error wrapping
// [store.ErrClosed]. Calls already running finish normally. Close does not
// close the pool, which belongs to the caller. Close is idempotent and
// always returns nil.
func (s *Store) Close() error {
	s.closeOnce.Do(func() {
		s.stopCollector()
		<-s.collectorDone
		s.closed.Store(true)
	})
	return nil
}

// usable reports why no operation may start, or nil.
func (s *Store) usable(ctx context.Context, op string) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("pgstore: %s: %w", op, err)
	}
	if s.closed.Load() {
		return fmt.Errorf("pgstore: %s: %w", op, store.ErrClosed)
	}
	return nil
}

// failure wraps err, a failure of the driver or the server, for op. If ctx
// ended meanwhile, the result also wraps ctx's error, so callers can tell a
// timeout with errors.Is(err, context.DeadlineExceeded) however the driver
// reported it. Nothing it returns satisfies errors.Is(err,
// store.ErrNotFound).
func failure(ctx context.Context, op string, err error) error {
	if cerr := ctx.Err(); cerr != nil && !errors.Is(err, cerr) {
		return fmt.Errorf("pgstore: %s: %w: %w", op, cerr, err)
	}
	return fmt.Errorf("pgstore: %s: %w", op, err)
}
