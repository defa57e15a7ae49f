package boltaccount

import (
	"context"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/sessiond/sessiond/internal/account"
)

// maxCount is where a count stops growing: far beyond any lock's cap, and
// within what the encoding accepts.
const maxCount = 1 << 31

// AddFailure implements [account.Store]. It returns once the failure is on
// disk. An entry that does not decode is an error wrapping [ErrCorrupt]
// (and stays until the sweeper removes it).
func (s *Store) AddFailure(ctx context.Context, key string, now time.Time, forget time.Duration) (account.Failures, error) {
	var f account.Failures
	err := s.update(ctx, "add failure", func(_, failures *bolt.Bucket) error {
		var err error
		if f, err = getFailures(failures, key); err != nil {
			return err
		}
		if f.Last.Before(now.Add(-forget)) {
			f.Count = 0
		}
		f.Count = min(f.Count+1, maxCount)
		f.Last = now
		return failures.Put([]byte(key), encodeFailures(f))
	})
	if err != nil {
		return account.Failures{}, err
	}
	return f, nil
}

// Failures implements [account.Store].
func (s *Store) Failures(ctx context.Context, key string, now time.Time, forget time.Duration) (account.Failures, error) {
	var f account.Failures
	err := s.view(ctx, "failures", func(_, failures *bolt.Bucket) error {
		var err error
		f, err = getFailures(failures, key)
		return err
	})
	if err != nil {
		return account.Failures{}, err
	}
	if f.Last.Before(now.Add(-forget)) {
		return account.Failures{}, nil
	}
	return f, nil
}

// ClearFailures implements [account.Store]. It returns once the removal is
// on disk; clearing a key without an entry writes nothing.
func (s *Store) ClearFailures(ctx context.Context, key string) error {
	return s.update(ctx, "clear failures", func(_, failures *bolt.Bucket) error {
		if key == "" || failures.Get([]byte(key)) == nil {
			return errUnchanged
		}
		return failures.Delete([]byte(key))
	})
}

// getFailures returns the entry under key, or the zero Failures.
func getFailures(failures *bolt.Bucket, key string) (account.Failures, error) {
	if key == "" {
		return account.Failures{}, nil // bbolt has no empty keys
	}
	val := failures.Get([]byte(key))
	if val == nil {
		return account.Failures{}, nil
	}
	return decodeFailures(val)
}
