package boltstore

import (
	"bytes"
	"context"
	"iter"

	bolt "go.etcd.io/bbolt"

	"github.com/sessiond/sessiond/store"
)

// allPage is how many records All reads in one read transaction. Between
// pages it holds no transaction, so the caller may use the Store while it
// iterates, a write that must grow the file (bbolt then remaps it, which
// waits for open readers) never waits for the whole walk, and neither does
// Close.
const allPage = 256

// All implements [store.Store]. It walks the records in key order, a page
// of them per read transaction, so it holds at most one page in memory. A
// record created or deleted during the walk may or may not be seen; none is
// yielded twice. A record that does not decode ends the walk with an error
// wrapping [ErrCorrupt].
func (s *Store) All(ctx context.Context) iter.Seq2[store.Record, error] {
	return func(yield func(store.Record, error) bool) {
		var after []byte
		for {
			recs, last, more, err := s.page(ctx, after)
			if err != nil {
				yield(store.Record{}, err)
				return
			}
			for _, rec := range recs {
				if !yield(rec, nil) {
					return
				}
			}
			if !more {
				return
			}
			after = last[:]
		}
	}
}

// page reads up to allPage records after the key after (from the first if
// it is nil) and returns the live ones, the last key it read, and whether
// any key follows it.
func (s *Store) page(ctx context.Context, after []byte) (recs []store.Record, last store.Key, more bool, err error) {
	err = s.view(ctx, "all", func(tx *bolt.Tx) error {
		records, err := recordsOf(tx)
		if err != nil {
			return err
		}
		now := s.now()
		c := records.Cursor()
		k, v := c.First()
		if after != nil {
			k, v = c.Seek(after)
			if bytes.Equal(k, after) {
				k, v = c.Next()
			}
		}
		for n := 0; k != nil; k, v = c.Next() {
			if n == allPage {
				more = true
				return nil
			}
			n++
			if len(k) != len(last) {
				return corrupt("record key of %d bytes", len(k))
			}
			copy(last[:], k)
			rec, err := decodeRecord(v)
			if err != nil {
				return err
			}
			if !rec.Expired(now) {
				rec.Key = last
				recs = append(recs, rec)
			}
		}
		return nil
	})
	return recs, last, more, err
}
