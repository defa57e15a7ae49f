package redisstore

import (
	"context"
	"iter"
	"sync"

	"github.com/redis/go-redis/v9"

	"github.com/sessiond/sessiond/store"
)

// scanCount is the COUNT hint of each SCAN: about how many keys one page
// examines, and so how many records one pipelined fetch gets.
const scanCount = 500

// scanner is a client, or one Cluster master, that SCAN can walk.
type scanner interface {
	Scan(ctx context.Context, cursor uint64, match string, count int64) *redis.ScanCmd
}

// All implements [store.Store]. It walks the record keys with SCAN, on
// every master in Cluster, one page at a time: a SCAN and a pipelined GET
// of the page's records, two round trips per page of about scanCount keys.
// The caller may use the Store while iterating. SCAN may return a key more
// than once, so All remembers the keys it has yielded (32 bytes and map
// overhead per record) to yield each record once.
func (s *Store) All(ctx context.Context) iter.Seq2[store.Record, error] {
	return func(yield func(store.Record, error) bool) {
		if err := s.usable(ctx, "all"); err != nil {
			yield(store.Record{}, err)
			return
		}
		nodes, err := s.masters(ctx)
		if err != nil {
			yield(store.Record{}, failure("all", err))
			return
		}
		seen := map[store.Key]struct{}{}
		for _, node := range nodes {
			if !s.walk(ctx, node, seen, yield) {
				return
			}
		}
	}
}

// walk yields the live records on one node that are not in seen, and
// reports whether the walk should go on.
func (s *Store) walk(ctx context.Context, node scanner, seen map[store.Key]struct{}, yield func(store.Record, error) bool) bool {
	var cursor uint64
	for {
		if err := s.usable(ctx, "all"); err != nil {
			yield(store.Record{}, err)
			return false
		}
		names, next, err := node.Scan(ctx, cursor, s.pattern, scanCount).Result()
		if err != nil {
			yield(store.Record{}, failure("all", err))
			return false
		}
		keys := make([]store.Key, 0, len(names))
		for _, name := range names {
			if key, ok := s.keys.parseRecordKey(name); ok {
				if _, dup := seen[key]; !dup {
					keys = append(keys, key)
				}
			}
		}
		var page []store.Record
		now := s.now()
		err = s.fetch(ctx, keys, func(rec store.Record) error {
			if !rec.Expired(now) {
				page = append(page, rec)
			}
			return nil
		})
		if err != nil {
			yield(store.Record{}, failure("all", err))
			return false
		}
		for _, rec := range page {
			seen[rec.Key] = struct{}{}
			if !yield(rec, nil) {
				return false
			}
		}
		if next == 0 {
			return true
		}
		cursor = next
	}
}

// masters returns what All walks: every master of a Cluster, or the client
// itself, whose commands reach the one master (through Sentinel for a
// failover client).
func (s *Store) masters(ctx context.Context) ([]scanner, error) {
	if s.cluster == nil {
		return []scanner{s.client}, nil
	}
	var (
		mu    sync.Mutex
		nodes []scanner
	)
	err := s.cluster.ForEachMaster(ctx, func(ctx context.Context, c *redis.Client) error {
		mu.Lock()
		defer mu.Unlock()
		nodes = append(nodes, c)
		return nil
	})
	return nodes, err
}
