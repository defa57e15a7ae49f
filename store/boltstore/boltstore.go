package boltstore

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	bolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"

	"github.com/sessiond/sessiond/store"
)

// Store is a [store.Store] kept in one bbolt file. A Store is safe for
// concurrent use by multiple goroutines; one process at a time may have the
// file open (see the package documentation). Open starts a background
// sweeper that Close stops.
//
// Methods return the contract's outcomes ([store.ErrNotFound],
// [store.ErrConflict], [store.ErrExists]) as they are. Every other failure
// is wrapped as "boltstore: <operation>: <cause>" and never satisfies
// errors.Is(err, store.ErrNotFound): a canceled or expired ctx (checked
// before anything else), [store.ErrClosed], [ErrCorrupt], or an I/O error.
type Store struct {
	db     *bolt.DB
	ownsDB bool // opened by Open, so closed by Close
	now    func() time.Time
	batch  int

	closed    atomic.Bool
	closeOnce sync.Once
	closeErr  error

	stopSweeper context.CancelFunc
	sweeperDone chan struct{}
}

var _ store.Store = (*Store)(nil)

// Open opens the store in the file at path, creating the file with mode
// 0600 if it does not exist; the directory must exist. It waits up to
// cfg.LockTimeout for the file's lock and fails with an error wrapping
// [ErrLocked] if another process still holds it. It refuses a file with
// another layout with an error wrapping [ErrCorrupt]. On success it starts
// the background sweeper; call Close to stop it and release the file.
func Open(path string, cfg Config) (*Store, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, fmt.Errorf("boltstore: open: %w", err)
	}
	db, err := bolt.Open(path, 0o600, &bolt.Options{
		Timeout: cfg.LockTimeout,
		// The hashmap freelist stays fast when constant expiry leaves the
		// file fragmented, as etcd found; the array one degrades.
		FreelistType: bolt.FreelistMapType,
		// NoSync stays false: Commit returns only after fsync, which is
		// what makes an acknowledged write survive a crash.
	})
	if errors.Is(err, bolterrors.ErrTimeout) {
		return nil, fmt.Errorf("boltstore: open %s: waited %v for the file lock: %w", path, cfg.LockTimeout, ErrLocked)
	}
	if err != nil {
		return nil, fmt.Errorf("boltstore: open %s: %w", path, err)
	}
	s, err := newStore(db, cfg, true)
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("boltstore: open %s: %w", path, err)
	}
	return s, nil
}

// New returns a Store kept in buckets of db, a bbolt database the caller
// opened and owns, so that an application can keep its own buckets in the
// same file (one lock, one backup). The store's buckets are named
// "sessions", "sessions_by_user", "sessions_by_expiry" and
// "sessions_meta"; do not touch them. New starts the background sweeper;
// Close stops it but leaves db open.
func New(db *bolt.DB, cfg Config) (*Store, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, fmt.Errorf("boltstore: new: %w", err)
	}
	s, err := newStore(db, cfg, false)
	if err != nil {
		return nil, fmt.Errorf("boltstore: new: %w", err)
	}
	return s, nil
}

func newStore(db *bolt.DB, cfg Config, ownsDB bool) (*Store, error) {
	if err := db.Update(func(tx *bolt.Tx) error { return createLayout(tx, !ownsDB) }); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &Store{
		db:          db,
		ownsDB:      ownsDB,
		now:         cfg.Now,
		batch:       cfg.SweepBatch,
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

// Close stops the background sweeper and waits for it, waits for running
// transactions (a Backup or a page of All included) to end, and closes the
// file, releasing its lock (a Store made by New leaves the caller's database
// open). Every method of a closed Store returns an error
// wrapping [store.ErrClosed]. Close is idempotent: later calls return what
// the first one did.
func (s *Store) Close() error {
	s.closeOnce.Do(func() {
		s.closed.Store(true)
		s.stopSweeper()
		<-s.sweeperDone
		if !s.ownsDB {
			return
		}
		if err := s.db.Close(); err != nil {
			s.closeErr = fmt.Errorf("boltstore: close: %w", err)
		}
	})
	return s.closeErr
}

// errUnchanged makes update roll back a transaction that changed nothing,
// which saves the fsync a commit costs. update turns it into nil.
var errUnchanged = errors.New("boltstore: unchanged")

// usable reports why no operation may start, or nil.
func (s *Store) usable(ctx context.Context, op string) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("boltstore: %s: %w", op, err)
	}
	if s.closed.Load() {
		return fmt.Errorf("boltstore: %s: %w", op, store.ErrClosed)
	}
	return nil
}

// view runs fn in a read transaction.
func (s *Store) view(ctx context.Context, op string, fn func(*bolt.Tx) error) error {
	if err := s.usable(ctx, op); err != nil {
		return err
	}
	return failure(op, s.db.View(fn))
}

// update runs fn in a write transaction, which commits, durably, if fn
// returns nil and rolls back otherwise.
func (s *Store) update(ctx context.Context, op string, fn func(buckets) error) error {
	if err := s.usable(ctx, op); err != nil {
		return err
	}
	err := s.db.Update(func(tx *bolt.Tx) error {
		b, err := bucketsOf(tx)
		if err != nil {
			return err
		}
		return fn(b)
	})
	if err == errUnchanged {
		return nil
	}
	return failure(op, err)
}

// failure wraps err for op. The contract's outcomes pass through unchanged
// and only they do: nothing else may read as ErrNotFound.
func failure(op string, err error) error {
	switch {
	case err == nil, err == store.ErrNotFound, err == store.ErrConflict, err == store.ErrExists:
		return err
	case errors.Is(err, bolterrors.ErrDatabaseNotOpen):
		// Close won the race with a call that had passed usable.
		return fmt.Errorf("boltstore: %s: %w", op, store.ErrClosed)
	}
	return fmt.Errorf("boltstore: %s: %w", op, err)
}

// Get implements [store.Store]. A record whose value does not decode is an
// error wrapping [ErrCorrupt], never [store.ErrNotFound].
func (s *Store) Get(ctx context.Context, key store.Key) (store.Record, error) {
	var rec store.Record
	err := s.view(ctx, "get", func(tx *bolt.Tx) error {
		records, err := recordsOf(tx)
		if err != nil {
			return err
		}
		r, found, err := getRecord(records, key)
		switch {
		case err != nil:
			return err
		case !found || r.Expired(s.now()):
			return store.ErrNotFound
		}
		rec = r
		return nil
	})
	return rec, err
}

// Create implements [store.Store]. It returns once the record is on disk.
// An ExpiresAt not after Now stores nothing, but still replaces an expired
// record under the same key. A UserID too long to index is refused with
// [ErrUserIDTooLong].
func (s *Store) Create(ctx context.Context, rec store.Record) error {
	rec.Version = 1
	return s.update(ctx, "create", func(b buckets) error {
		if len(rec.UserID) > maxUserID {
			return ErrUserIDTooLong
		}
		now := s.now()
		old, found, err := b.get(rec.Key)
		if err != nil {
			return err
		}
		if found {
			if !old.Expired(now) {
				return store.ErrExists
			}
			if err := b.remove(old.Key, old.UserID, nanos(old.ExpiresAt)); err != nil {
				return err
			}
		}
		if rec.Expired(now) {
			return nil
		}
		return b.put(rec)
	})
}

// Update implements [store.Store]. It returns once the change is on disk.
// An ExpiresAt not after Now removes the record. A UserID too long to index
// is refused with [ErrUserIDTooLong].
func (s *Store) Update(ctx context.Context, rec store.Record) error {
	return s.update(ctx, "update", func(b buckets) error {
		if len(rec.UserID) > maxUserID {
			return ErrUserIDTooLong
		}
		now := s.now()
		old, found, err := b.get(rec.Key)
		switch {
		case err != nil:
			return err
		case !found || old.Expired(now):
			return store.ErrNotFound
		case rec.Version != old.Version+1 || rec.Version == 0:
			return store.ErrConflict
		}
		if err := b.remove(old.Key, old.UserID, nanos(old.ExpiresAt)); err != nil {
			return err
		}
		if rec.Expired(now) {
			return nil
		}
		return b.put(rec)
	})
}

// Delete implements [store.Store]. It returns once the removal is on disk.
// A record whose value does not decode is left in place with an error
// wrapping [ErrCorrupt]: its index entries cannot be found without it.
// [Store.DeleteUser] and the sweeper can still remove it.
func (s *Store) Delete(ctx context.Context, key store.Key) error {
	return s.update(ctx, "delete", func(b buckets) error {
		old, found, err := b.get(key)
		switch {
		case err != nil:
			return err
		case !found:
			return errUnchanged
		}
		return b.remove(key, old.UserID, nanos(old.ExpiresAt))
	})
}
