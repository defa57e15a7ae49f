package pgstore

import (
	"context"
	"iter"
	"time"

	"github.com/sessiond/sessiond/store"
)

// allPage is how many rows All reads with one statement. It bounds the
// memory a walk holds, and between pages All holds no connection, so the
// caller may use the Store, and the pool, while it iterates.
const allPage = 256

// All implements [store.Store]. It walks the table in key order a page at
// a time, each page a statement of its own that starts after the last key
// of the previous one, so it holds at most one page in memory, no
// transaction spans the walk, and no record is yielded twice. Records
// created or deleted during the walk may or may not be seen; each page
// judges expiry by Now when it is read.
func (s *Store) All(ctx context.Context) iter.Seq2[store.Record, error] {
	return func(yield func(store.Record, error) bool) {
		after := store.Key{}
		first := true
		for {
			recs, err := s.page(ctx, after, first)
			if err != nil {
				yield(store.Record{}, err)
				return
			}
			for _, rec := range recs {
				if !yield(rec, nil) {
					return
				}
			}
			if len(recs) < allPage {
				return
			}
			after, first = recs[len(recs)-1].Key, false
		}
	}
}

// page returns up to allPage live records whose keys follow after, or all
// from the first if first is set.
func (s *Store) page(ctx context.Context, after store.Key, first bool) ([]store.Record, error) {
	if err := s.usable(ctx, "all"); err != nil {
		return nil, err
	}
	from := []byte{} // sorts before every key
	if !first {
		from = after[:]
	}
	rows, err := s.pool.Query(ctx, s.q.all, from, s.now(), allPage)
	if err != nil {
		return nil, failure(ctx, "all", err)
	}
	defer rows.Close()
	recs := make([]store.Record, 0, allPage)
	for rows.Next() {
		var (
			key, userID, data []byte
			version           int64
			expiresAt         time.Time
		)
		if err := rows.Scan(&key, &userID, &version, &expiresAt, &data); err != nil {
			return nil, failure(ctx, "all", err)
		}
		k, err := keyOf(key)
		if err != nil {
			return nil, failure(ctx, "all", err)
		}
		recs = append(recs, store.Record{Key: k, UserID: string(userID), ExpiresAt: expiresAt, Version: uint64(version), Data: data})
	}
	if err := rows.Err(); err != nil {
		return nil, failure(ctx, "all", err)
	}
	return recs, nil
}
