package boltstore

import (
	"bytes"
	"context"

	bolt "go.etcd.io/bbolt"

	"github.com/sessiond/sessiond/store"
)

// ListUser implements [store.Store]. It reads the users index, skips the
// entries that have expired by Now without decoding their records, and
// fails with an error wrapping [ErrCorrupt] if a live record does not
// decode or disagrees with its index entry.
func (s *Store) ListUser(ctx context.Context, userID string) ([]store.Record, error) {
	if userID == "" {
		return nil, s.usable(ctx, "list user")
	}
	var out []store.Record
	err := s.view(ctx, "list user", func(tx *bolt.Tx) error {
		b, err := bucketsOf(tx)
		if err != nil {
			return err
		}
		now := nanos(s.now())
		prefix := userPrefix(userID)
		c := b.users.Cursor()
		for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
			key, exp, err := parseUserEntry(k, v, len(prefix))
			if err != nil {
				return err
			}
			if exp <= now {
				continue
			}
			rec, found, err := b.get(key)
			if err != nil {
				return err
			}
			if !found || rec.UserID != userID || nanos(rec.ExpiresAt) != exp {
				return corrupt("users index entry disagrees with its record")
			}
			out = append(out, rec)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// DeleteUser implements [store.Store]. It removes the records in one
// transaction and returns once the removal is on disk. It works from the
// users index alone, so it also removes records whose values no longer
// decode; expired ones are removed but not counted.
func (s *Store) DeleteUser(ctx context.Context, userID string, except store.Key) (int, error) {
	if userID == "" {
		return 0, s.usable(ctx, "delete user")
	}
	removed := 0
	err := s.update(ctx, "delete user", func(b buckets) error {
		removed = 0
		now := nanos(s.now())
		type entry struct {
			key store.Key
			exp int64
		}
		// Collect first: deleting under a cursor can make it skip entries.
		var doomed []entry
		prefix := userPrefix(userID)
		c := b.users.Cursor()
		for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
			key, exp, err := parseUserEntry(k, v, len(prefix))
			if err != nil {
				return err
			}
			if key != except {
				doomed = append(doomed, entry{key, exp})
			}
		}
		if len(doomed) == 0 {
			return errUnchanged
		}
		for _, e := range doomed {
			if err := b.remove(e.key, userID, e.exp); err != nil {
				return err
			}
			if e.exp > now {
				removed++
			}
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	return removed, nil
}

// parseUserEntry returns the record key and expiry of the users entry k, v
// whose user prefix is prefixLen bytes long.
func parseUserEntry(k, v []byte, prefixLen int) (store.Key, int64, error) {
	var key store.Key
	if len(k) != prefixLen+len(key) || len(v) != instantLen {
		return key, 0, corrupt("users index entry of %d+%d bytes", len(k), len(v))
	}
	copy(key[:], k[prefixLen:])
	return key, instant(v), nil
}
