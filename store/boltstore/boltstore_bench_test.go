package boltstore

import (
	"bytes"
	"cmp"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/sessiond/sessiond/store"
)

// benchSizes are the store sizes every benchmark runs at: a small site,
// and a large one whose B+trees are several levels deeper and whose file
// no longer fits in a CPU cache.
var benchSizes = []int{1_000, 1_000_000}

// BenchmarkGet bounds the cost of loading a session, which every request
// with a cookie pays: one read transaction, one B+tree lookup in the
// records bucket, and decoding and copying the value out of the mapped
// file. Keys are spread over the whole store, so the 1M case bounds the
// deepest tree walk with mostly cold pages, the worst case for a read.
func BenchmarkGet(b *testing.B) {
	for _, n := range benchSizes {
		b.Run(fmt.Sprintf("sessions=%d", n), func(b *testing.B) {
			s, keys, size := benchStore(b, n)
			ctx := b.Context()
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				if _, err := s.Get(ctx, keys[i%len(keys)]); err != nil {
					b.Fatalf("Get: %v", err)
				}
				i++
			}
			b.ReportMetric(size, "file-MB")
		})
	}
}

// BenchmarkUpdate bounds the cost of saving a changed session: a write
// transaction that checks the version, rewrites the record, moves its
// entries in both indexes (every iteration extends the expiry, as a touch
// does, so the expiry entry always moves), and commits with fsync. That is
// the most a single Update writes; the 1M case adds the deepest trees, so
// each bucket dirties a full path of pages.
func BenchmarkUpdate(b *testing.B) {
	for _, n := range benchSizes {
		b.Run(fmt.Sprintf("sessions=%d", n), func(b *testing.B) {
			s, keys, size := benchStore(b, n)
			ctx := b.Context()
			recs := make([]store.Record, len(keys))
			for i, key := range keys {
				rec, err := s.Get(ctx, key)
				if err != nil {
					b.Fatalf("Get: %v", err)
				}
				recs[i] = rec
			}
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				rec := &recs[i%len(recs)]
				rec.Version++
				rec.ExpiresAt = rec.ExpiresAt.Add(time.Second)
				if err := s.Update(ctx, *rec); err != nil {
					b.Fatalf("Update: %v", err)
				}
				i++
			}
			b.ReportMetric(size, "file-MB")
		})
	}
}

// benchSessionsPerUser is how many sessions each user has in a benchmark
// store.
const benchSessionsPerUser = 4

// benchStore returns a Store holding n live sessions, the keys of 4096 of
// them (or all, if fewer) spread evenly over the key space, and the size of
// its file in megabytes. It skips mustOpen's file check, which takes longer
// than the fill at 1M; TestFillKeepsTheInvariants covers fill instead.
func benchStore(b *testing.B, n int) (*Store, []store.Key, float64) {
	b.Helper()
	start := time.Now()
	path := filepath.Join(b.TempDir(), "sessions.db")
	s, err := Open(path, Config{SweepEvery: -1})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	recs := benchRecords(n, start.Add(time.Hour))
	if err := fill(s.db, recs); err != nil {
		b.Fatalf("filling the store: %v", err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		b.Fatal(err)
	}
	size := float64(fi.Size()) / 1e6
	b.Logf("filled %d sessions in %v; file is %.1f MB", n, time.Since(start).Round(time.Millisecond), size)

	// recs is in key order after fill: a stride samples the whole tree.
	sample := min(n, 4096)
	keys := make([]store.Key, 0, sample)
	for i := range sample {
		keys = append(keys, recs[i*n/sample].Key)
	}
	return s, keys, size
}

// TestFillKeepsTheInvariants proves the benchmarks' fill, which bypasses
// put for speed, builds the file put would: mustOpen checks it at the end.
func TestFillKeepsTheInvariants(t *testing.T) {
	s, _ := openTest(t, Config{SweepEvery: -1})
	recs := benchRecords(1000, time.Now().Add(time.Hour))
	if err := fill(s.db, recs); err != nil {
		t.Fatalf("fill: %v", err)
	}
	for _, rec := range recs[:10] {
		if got, err := s.Get(t.Context(), rec.Key); err != nil || !equalRecords(got, rec) {
			t.Fatalf("Get = %+v, %v, want %+v", got, err, rec)
		}
	}
}

// benchRecords returns n sessions of 256 bytes of data each, owned by n/4
// users and expiring over the day after expires.
func benchRecords(n int, expires time.Time) []store.Record {
	recs := make([]store.Record, n)
	data := bytes.Repeat([]byte{'d'}, 256)
	for i := range recs {
		recs[i] = store.Record{
			Key:       sha256.Sum256(binary.AppendUvarint(nil, uint64(i))),
			UserID:    fmt.Sprintf("user-%08d", i/benchSessionsPerUser),
			ExpiresAt: expires.Add(time.Duration(i%86_400) * time.Second),
			Version:   1,
			Data:      data,
		}
	}
	return recs
}

// fill writes recs into db as put would, but one bucket at a time in that
// bucket's key order and in large transactions: bbolt appends sorted keys
// to the last page, where random ones would rewrite the whole tree each
// batch. It leaves recs sorted by key.
func fill(db *bolt.DB, recs []store.Record) error {
	type entry struct{ k, v []byte }
	passes := []struct {
		bucket []byte
		entry  func(store.Record) (entry, bool)
	}{
		{recordsBucket, func(r store.Record) (entry, bool) {
			return entry{r.Key[:], appendRecord(nil, r)}, true
		}},
		{expiryBucket, func(r store.Record) (entry, bool) {
			return entry{expiryKey(nanos(r.ExpiresAt), r.Key), []byte(r.UserID)}, true
		}},
		{usersBucket, func(r store.Record) (entry, bool) {
			return entry{userKey(r.UserID, r.Key), appendInstant(nil, nanos(r.ExpiresAt))}, r.UserID != ""
		}},
	}
	const batch = 100_000
	for _, p := range passes {
		entries := make([]entry, 0, len(recs))
		for _, r := range recs {
			if e, ok := p.entry(r); ok {
				entries = append(entries, e)
			}
		}
		slices.SortFunc(entries, func(a, b entry) int { return bytes.Compare(a.k, b.k) })
		for chunk := range slices.Chunk(entries, batch) {
			err := db.Update(func(tx *bolt.Tx) error {
				bk := tx.Bucket(p.bucket)
				bk.FillPercent = 0.9 // as dense as a long-running store's pages
				for _, e := range chunk {
					if err := bk.Put(e.k, e.v); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				return err
			}
		}
	}
	slices.SortFunc(recs, func(a, b store.Record) int { return cmp.Compare(string(a.Key[:]), string(b.Key[:])) })
	return nil
}
