package redisstore

import (
	"testing"
	"time"
)

// BenchmarkGet bounds the cost of loading a session, which every request
// with a cookie pays, against the physical floor measured in the same run:
// a raw GET of a value of the same size on the same client. The difference
// is the Store's own work (building the key, decoding and copying the
// record, judging its expiry); the round trip, one in both, dominates.
// Run it against a server on the same machine, where the round trip is
// smallest and the Store's share the largest:
//
//	go test -run '^$' -bench BenchmarkGet -benchtime 20000x -count 5 ./store/redisstore/
func BenchmarkGet(b *testing.B) {
	client := standaloneClient(b)
	s := newTestStore(b, client, Config{}, nil)
	rec := testRecord("alice", time.Now(), 1024) // a session well inside the 4 KiB default cap
	if err := s.Create(b.Context(), rec); err != nil {
		b.Fatalf("Create: %v", err)
	}
	rawKey := s.keys.record + "raw}"
	if err := client.Set(b.Context(), rawKey, appendRecord(nil, rec), time.Hour).Err(); err != nil {
		b.Fatalf("SET: %v", err)
	}

	b.Run("store", func(b *testing.B) {
		ctx := b.Context()
		b.ReportAllocs()
		for b.Loop() {
			if _, err := s.Get(ctx, rec.Key); err != nil {
				b.Fatalf("Get: %v", err)
			}
		}
	})
	b.Run("raw_get", func(b *testing.B) {
		ctx := b.Context()
		b.ReportAllocs()
		for b.Loop() {
			if err := client.Get(ctx, rawKey).Err(); err != nil {
				b.Fatalf("GET: %v", err)
			}
		}
	})
}
