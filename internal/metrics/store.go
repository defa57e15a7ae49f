package metrics

import (
	"context"
	"errors"
	"iter"
	"time"

	"github.com/sessiond/sessiond/store"
)

// Store wraps st so that every call is timed in
// sessiond_store_duration_seconds{op} and every failure is counted in
// sessiond_store_errors_total{op}. The op label is the method's name in
// snake case: get, create, update, delete, list_user, delete_user, all.
//
// [store.ErrNotFound], [store.ErrConflict] and [store.ErrExists] are
// outcomes the contract defines, not failures, so they are timed but not
// counted as errors; anything else (a closed store, a timeout, an
// unreachable server) is. All is timed from the start of the walk to its
// end, including the time the caller spends on each record, and counts an
// error if the walk yielded one.
//
// The wrapper changes nothing else: it returns st's results and errors
// as they are, so it keeps st's contract (including failing closed), and
// it is as safe for concurrent use as st. It implements only
// [store.Store]; use st itself for anything else it offers, such as Close.
func (m *Metrics) Store(st store.Store) store.Store {
	return &timedStore{next: st, m: m}
}

// timedStore is the wrapper Store returns.
type timedStore struct {
	next store.Store
	m    *Metrics
}

// Unwrap returns the wrapped store, for callers that need its other
// methods.
func (s *timedStore) Unwrap() store.Store { return s.next }

// observe records one call of op that began at start and returned err.
func (s *timedStore) observe(op string, start time.Time, err error) {
	s.m.storeTime.WithLabelValues(op).Observe(time.Since(start).Seconds())
	if isFailure(err) {
		s.m.storeErrors.WithLabelValues(op).Inc()
	}
}

// isFailure reports whether err means the store could not answer, as
// opposed to answering with one of the contract's outcomes.
func isFailure(err error) bool {
	return err != nil &&
		!errors.Is(err, store.ErrNotFound) &&
		!errors.Is(err, store.ErrConflict) &&
		!errors.Is(err, store.ErrExists)
}

func (s *timedStore) Get(ctx context.Context, key store.Key) (store.Record, error) {
	start := time.Now()
	rec, err := s.next.Get(ctx, key)
	s.observe("get", start, err)
	return rec, err
}

func (s *timedStore) Create(ctx context.Context, rec store.Record) error {
	start := time.Now()
	err := s.next.Create(ctx, rec)
	s.observe("create", start, err)
	return err
}

func (s *timedStore) Update(ctx context.Context, rec store.Record) error {
	start := time.Now()
	err := s.next.Update(ctx, rec)
	s.observe("update", start, err)
	return err
}

func (s *timedStore) Delete(ctx context.Context, key store.Key) error {
	start := time.Now()
	err := s.next.Delete(ctx, key)
	s.observe("delete", start, err)
	return err
}

func (s *timedStore) ListUser(ctx context.Context, userID string) ([]store.Record, error) {
	start := time.Now()
	recs, err := s.next.ListUser(ctx, userID)
	s.observe("list_user", start, err)
	return recs, err
}

func (s *timedStore) DeleteUser(ctx context.Context, userID string, except store.Key) (int, error) {
	start := time.Now()
	n, err := s.next.DeleteUser(ctx, userID, except)
	s.observe("delete_user", start, err)
	return n, err
}

// All times the walk from its first step to its end, whether the walk runs
// out, fails, or the caller stops early.
func (s *timedStore) All(ctx context.Context) iter.Seq2[store.Record, error] {
	seq := s.next.All(ctx)
	return func(yield func(store.Record, error) bool) {
		start := time.Now()
		var failed error
		defer func() { s.observe("all", start, failed) }()
		for rec, err := range seq {
			if err != nil {
				failed = err
			}
			if !yield(rec, err) {
				return
			}
		}
	}
}
