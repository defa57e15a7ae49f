// Package memstore keeps sessions in the memory of one process. It suits
// tests and single-process apps that accept losing every session on restart.
// For anything else use the embedded store (store/boltstore) or a shared one.
package memstore

import (
	"context"
	"fmt"
	"iter"
	"sync"
	"time"

	"github.com/sessiond/sessiond/store"
)

// Config configures a Store. The zero Config is ready to use.
type Config struct {
	// Now returns the current time, by which expiry is judged. Nil means
	// time.Now. Tests set it.
	Now func() time.Time
	// SweepEvery is how often expired records are removed from memory.
	// Expired records are invisible at once whatever this is; the sweep only
	// bounds memory. Zero means one minute.
	SweepEvery time.Duration
}

// Store is an in-memory [store.Store]. A Store is safe for concurrent use by
// multiple goroutines. New starts a background sweeper that Close stops.
type Store struct {
	now func() time.Time

	mu      sync.RWMutex
	records map[store.Key]store.Record
	users   map[string]map[store.Key]struct{}
	closed  bool

	stop chan struct{}
	done chan struct{}
}

var _ store.Store = (*Store)(nil)

// New returns an empty Store and starts its sweeper; call Close to stop it.
func New(cfg Config) *Store {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.SweepEvery <= 0 {
		cfg.SweepEvery = time.Minute
	}
	s := &Store{
		now:     cfg.Now,
		records: map[store.Key]store.Record{},
		users:   map[string]map[store.Key]struct{}{},
		stop:    make(chan struct{}),
		done:    make(chan struct{}),
	}
	go s.sweepLoop(cfg.SweepEvery)
	return s
}

// Close stops the sweeper, waits for it, and drops every record. Every
// method of a closed Store returns an error wrapping [store.ErrClosed].
func (s *Store) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	s.records, s.users = nil, nil
	s.mu.Unlock()
	close(s.stop)
	<-s.done
	return nil
}

// Len returns how many records are held, expired ones not yet swept
// included. It exists so tests can prove that memory is reclaimed.
func (s *Store) Len() int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return len(s.records)
}

// usable reports why no operation may proceed, or nil. Callers hold mu.
func (s *Store) usable(ctx context.Context, op string) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("memstore: %s: %w", op, err)
	}
	if s.closed {
		return fmt.Errorf("memstore: %s: %w", op, store.ErrClosed)
	}
	return nil
}

// live returns the unexpired record under key. Callers hold mu.
func (s *Store) live(key store.Key) (store.Record, bool) {
	rec, ok := s.records[key]
	if !ok || rec.Expired(s.now()) {
		return store.Record{}, false
	}
	return rec, true
}

// Get implements [store.Store].
func (s *Store) Get(ctx context.Context, key store.Key) (store.Record, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if err := s.usable(ctx, "get"); err != nil {
		return store.Record{}, err
	}
	rec, ok := s.live(key)
	if !ok {
		return store.Record{}, store.ErrNotFound
	}
	return clone(rec), nil
}

// Create implements [store.Store].
func (s *Store) Create(ctx context.Context, rec store.Record) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.usable(ctx, "create"); err != nil {
		return err
	}
	if _, ok := s.live(rec.Key); ok {
		return store.ErrExists
	}
	s.remove(rec.Key)
	rec.Version = 1
	s.put(clone(rec))
	return nil
}

// Update implements [store.Store].
func (s *Store) Update(ctx context.Context, rec store.Record) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.usable(ctx, "update"); err != nil {
		return err
	}
	cur, ok := s.live(rec.Key)
	if !ok {
		return store.ErrNotFound
	}
	if cur.Version+1 != rec.Version {
		return store.ErrConflict
	}
	s.remove(rec.Key)
	s.put(clone(rec))
	return nil
}

// Delete implements [store.Store].
func (s *Store) Delete(ctx context.Context, key store.Key) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.usable(ctx, "delete"); err != nil {
		return err
	}
	s.remove(key)
	return nil
}

// ListUser implements [store.Store].
func (s *Store) ListUser(ctx context.Context, userID string) ([]store.Record, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if err := s.usable(ctx, "list user"); err != nil {
		return nil, err
	}
	var out []store.Record
	for key := range s.users[userID] {
		if rec, ok := s.live(key); ok {
			out = append(out, clone(rec))
		}
	}
	return out, nil
}

// DeleteUser implements [store.Store].
func (s *Store) DeleteUser(ctx context.Context, userID string, except store.Key) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.usable(ctx, "delete user"); err != nil {
		return 0, err
	}
	n := 0
	for key := range s.users[userID] {
		if key == except {
			continue
		}
		if _, ok := s.live(key); ok {
			n++
		}
		s.remove(key)
	}
	return n, nil
}

// All implements [store.Store]. It walks a snapshot taken when the walk
// starts, so the caller may use the Store while iterating.
func (s *Store) All(ctx context.Context) iter.Seq2[store.Record, error] {
	return func(yield func(store.Record, error) bool) {
		s.mu.RLock()
		if err := s.usable(ctx, "all"); err != nil {
			s.mu.RUnlock()
			yield(store.Record{}, err)
			return
		}
		snapshot := make([]store.Record, 0, len(s.records))
		for key := range s.records {
			if rec, ok := s.live(key); ok {
				snapshot = append(snapshot, clone(rec))
			}
		}
		s.mu.RUnlock()
		for _, rec := range snapshot {
			if !yield(rec, nil) {
				return
			}
		}
	}
}

// put stores rec and indexes it. Callers hold mu for writing.
func (s *Store) put(rec store.Record) {
	s.records[rec.Key] = rec
	if rec.UserID == "" {
		return
	}
	keys := s.users[rec.UserID]
	if keys == nil {
		keys = map[store.Key]struct{}{}
		s.users[rec.UserID] = keys
	}
	keys[rec.Key] = struct{}{}
}

// remove drops the record under key and its index entry, if any. Callers
// hold mu for writing.
func (s *Store) remove(key store.Key) {
	rec, ok := s.records[key]
	if !ok {
		return
	}
	delete(s.records, key)
	if keys := s.users[rec.UserID]; keys != nil {
		delete(keys, key)
		if len(keys) == 0 {
			delete(s.users, rec.UserID)
		}
	}
}

func (s *Store) sweepLoop(every time.Duration) {
	defer close(s.done)
	ticker := time.NewTicker(every)
	defer ticker.Stop()
	for {
		select {
		case <-s.stop:
			return
		case <-ticker.C:
			s.Sweep()
		}
	}
}

// Sweep removes every expired record now. The background sweeper calls it
// every Config.SweepEvery; callers need not.
func (s *Store) Sweep() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return
	}
	now := s.now()
	for key, rec := range s.records {
		if rec.Expired(now) {
			s.remove(key)
		}
	}
}

func clone(rec store.Record) store.Record {
	rec.Data = append([]byte(nil), rec.Data...)
	return rec
}
