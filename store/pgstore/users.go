package pgstore

import (
	"context"
	"time"

	"github.com/sessiond/sessiond/store"
)

// ListUser implements [store.Store] with one SELECT on the user index. An
// empty userID returns nothing without a query.
func (s *Store) ListUser(ctx context.Context, userID string) ([]store.Record, error) {
	if err := s.usable(ctx, "list user"); err != nil || userID == "" {
		return nil, err
	}
	rows, err := s.pool.Query(ctx, s.q.listUser, []byte(userID), s.now())
	if err != nil {
		return nil, failure(ctx, "list user", err)
	}
	defer rows.Close()
	var out []store.Record
	for rows.Next() {
		var (
			key, data []byte
			version   int64
			expiresAt time.Time
		)
		if err := rows.Scan(&key, &version, &expiresAt, &data); err != nil {
			return nil, failure(ctx, "list user", err)
		}
		k, err := keyOf(key)
		if err != nil {
			return nil, failure(ctx, "list user", err)
		}
		out = append(out, store.Record{Key: k, UserID: userID, ExpiresAt: expiresAt, Version: uint64(version), Data: data})
	}
	if err := rows.Err(); err != nil {
		return nil, failure(ctx, "list user", err)
	}
	return out, nil
}

// DeleteUser implements [store.Store] with one DELETE on the user index,
// which removes the user's expired rows too but counts only live ones. An
// empty userID removes nothing without a query.
func (s *Store) DeleteUser(ctx context.Context, userID string, except store.Key) (int, error) {
	if err := s.usable(ctx, "delete user"); err != nil || userID == "" {
		return 0, err
	}
	var spare []byte // NULL: spare none
	if except != (store.Key{}) {
		spare = except[:]
	}
	var n int64
	if err := s.pool.QueryRow(ctx, s.q.deleteUser, []byte(userID), spare, s.now()).Scan(&n); err != nil {
		return 0, failure(ctx, "delete user", err)
	}
	return int(n), nil
}
