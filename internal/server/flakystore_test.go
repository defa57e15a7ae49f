package server_test

import (
	"context"
	"errors"
	"iter"
	"sync/atomic"

	"github.com/sessiond/sessiond/store"
)

// flakyStore is a session store that can be made to go away: while down,
// every method fails with an error that is not store.ErrNotFound.
type flakyStore struct {
	store.Store
	down atomic.Bool
}

var errStoreDown = errors.New("test: the session store went away")

func (s *flakyStore) fail() error {
	if s.down.Load() {
		return errStoreDown
	}
	return nil
}

func (s *flakyStore) Get(ctx context.Context, key store.Key) (store.Record, error) {
	if err := s.fail(); err != nil {
		return store.Record{}, err
	}
	return s.Store.Get(ctx, key)
}

func (s *flakyStore) Create(ctx context.Context, rec store.Record) error {
	if err := s.fail(); err != nil {
		return err
	}
	return s.Store.Create(ctx, rec)
}

func (s *flakyStore) Update(ctx context.Context, rec store.Record) error {
	if err := s.fail(); err != nil {
		return err
	}
	return s.Store.Update(ctx, rec)
}

func (s *flakyStore) Delete(ctx context.Context, key store.Key) error {
	if err := s.fail(); err != nil {
		return err
	}
	return s.Store.Delete(ctx, key)
}

func (s *flakyStore) ListUser(ctx context.Context, user string) ([]store.Record, error) {
	if err := s.fail(); err != nil {
		return nil, err
	}
	return s.Store.ListUser(ctx, user)
}

func (s *flakyStore) DeleteUser(ctx context.Context, user string, except store.Key) (int, error) {
	if err := s.fail(); err != nil {
		return 0, err
	}
	return s.Store.DeleteUser(ctx, user, except)
}

func (s *flakyStore) All(ctx context.Context) iter.Seq2[store.Record, error] {
	if err := s.fail(); err != nil {
		return func(yield func(store.Record, error) bool) { yield(store.Record{}, err) }
	}
	return s.Store.All(ctx)
}

// ready is Deps.Ready: the store answers a lookup.
func (s *flakyStore) ready(ctx context.Context) error {
	_, err := s.Get(ctx, store.Key{})
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	return err
}

// count counts live records, for the live-sessions gauge.
func (s *flakyStore) count(ctx context.Context) (int, error) {
	n := 0
	for _, err := range s.All(ctx) {
		if err != nil {
			return 0, err
		}
		n++
	}
	return n, nil
}
