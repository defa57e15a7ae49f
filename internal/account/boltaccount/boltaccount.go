package boltaccount

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	bolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"

	"github.com/sessiond/sessiond/internal/account"
)

// The store's two buckets. The file may hold other buckets (the session
// store's "sessions", "sessions_by_user", "sessions_by_expiry" and
// "sessions_meta"); the Store never reads or writes them.
//
//	accounts_users     name → user as JSON (see encoding.go)
//	accounts_failures  key  → throttling entry (17 bytes)
var (
	usersBucket    = []byte("accounts_users")
	failuresBucket = []byte("accounts_failures")
)

// Store is an [account.Store] kept in two buckets of a bbolt database. A
// Store is safe for concurrent use by multiple goroutines. bbolt serializes
// write transactions, which makes every read-modify-write atomic; since
// one process at a time can open a bbolt file, a Store is not shared
// between replicas.
//
// Methods return the contract's outcomes ([account.ErrNoUser],
// [account.ErrUserExists]) and the error of an UpdateUser's update function
// as they are. Every other failure is wrapped as "boltaccount: <operation>:
// <cause>" and never satisfies errors.Is(err, account.ErrNoUser): a
// canceled or expired ctx (checked before anything else; a transaction
// that has started runs to its end), [ErrClosed], [ErrCorrupt], or a bbolt
// error.
type Store struct {
	db     *bolt.DB
	now    func() time.Time
	forget time.Duration

	closed      atomic.Bool
	closeOnce   sync.Once
	stopSweeper context.CancelFunc
	sweeperDone chan struct{}
}

var _ account.Store = (*Store)(nil)

// New returns a Store kept in db, a bbolt database the caller opened and
// owns: typically the file of the session store (boltstore.New), so that
// sessions and accounts share one file, one lock and one backup. It
// creates the buckets "accounts_users" and "accounts_failures" if they are
// missing and never touches any other bucket. New starts the background
// sweeper; Close stops it but leaves db open.
func New(db *bolt.DB, cfg Config) (*Store, error) {
	if db == nil {
		return nil, errors.New("boltaccount: new: nil database")
	}
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, fmt.Errorf("boltaccount: new: %w", err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		for _, name := range [][]byte{usersBucket, failuresBucket} {
			if _, err := tx.CreateBucketIfNotExists(name); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("boltaccount: new: creating buckets: %w", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &Store{
		db:          db,
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
	return s, nil
}

// Close stops the background sweeper and waits for it to return. It does
// not close the database, which belongs to the caller. Every method of a
// closed Store returns an error wrapping [ErrClosed]. Close is idempotent
// and always returns nil; it has an error result so that a Store is an
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
		return fmt.Errorf("boltaccount: %s: %w", op, err)
	}
	if s.closed.Load() {
		return fmt.Errorf("boltaccount: %s: %w", op, ErrClosed)
	}
	return nil
}

// view runs fn in a read transaction with the store's buckets.
func (s *Store) view(ctx context.Context, op string, fn func(users, failures *bolt.Bucket) error) error {
	if err := s.usable(ctx, op); err != nil {
		return err
	}
	return failure(op, s.db.View(func(tx *bolt.Tx) error {
		users, failures, err := bucketsOf(tx)
		if err != nil {
			return err
		}
		return fn(users, failures)
	}))
}

// update runs fn in a write transaction with the store's buckets, which
// commits, durably, if fn returns nil and rolls back otherwise.
func (s *Store) update(ctx context.Context, op string, fn func(users, failures *bolt.Bucket) error) error {
	if err := s.usable(ctx, op); err != nil {
		return err
	}
	err := s.db.Update(func(tx *bolt.Tx) error {
		users, failures, err := bucketsOf(tx)
		if err != nil {
			return err
		}
		return fn(users, failures)
	})
	if err == errUnchanged {
		return nil
	}
	return failure(op, err)
}

// errUnchanged makes update roll back a transaction that changed nothing,
// which saves the fsync a commit costs (every successful login clears a
// usually absent entry). update turns it into nil.
var errUnchanged = errors.New("boltaccount: unchanged")

// bucketsOf returns the store's buckets in tx. Missing buckets mean the
// file was tampered with after New created them.
func bucketsOf(tx *bolt.Tx) (users, failures *bolt.Bucket, err error) {
	users, failures = tx.Bucket(usersBucket), tx.Bucket(failuresBucket)
	if users == nil || failures == nil {
		return nil, nil, fmt.Errorf("%w: missing bucket", ErrCorrupt)
	}
	return users, failures, nil
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
	case errors.Is(err, bolterrors.ErrDatabaseNotOpen):
		return fmt.Errorf("boltaccount: %s: database closed by its owner: %w", op, err)
	}
	return fmt.Errorf("boltaccount: %s: %w", op, err)
}
