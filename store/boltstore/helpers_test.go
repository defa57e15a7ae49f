package boltstore

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/sessiond/sessiond/store"
)

// openTest opens a Store in a new file in a temporary directory.
func openTest(t testing.TB, cfg Config) (*Store, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "sessions.db")
	return mustOpen(t, path, cfg), path
}

// mustOpen opens the Store at path and, when the test ends, checks the
// file's invariants (unless the test closed the Store) and closes it.
func mustOpen(t testing.TB, path string, cfg Config) *Store {
	t.Helper()
	s, err := Open(path, cfg)
	if err != nil {
		t.Fatalf("Open(%s): %v", path, err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	t.Cleanup(func() { // runs before the Close above
		if !s.closed.Load() {
			checkFile(t, s)
		}
	})
	return s
}

// checkFile fails t unless the file passes bbolt's consistency check and
// the three buckets agree: every record decodes, its expiry and users
// entries exist and match it, and no other index entries exist. This is
// the invariant every write transaction must keep.
func checkFile(t testing.TB, s *Store) {
	t.Helper()
	err := s.db.View(func(tx *bolt.Tx) error {
		for err := range tx.Check() {
			t.Errorf("bbolt check: %v", err)
		}
		b, err := bucketsOf(tx)
		if err != nil {
			return err
		}
		owned := 0
		err = b.records.ForEach(func(k, v []byte) error {
			if len(k) != len(store.Key{}) {
				return fmt.Errorf("record key of %d bytes", len(k))
			}
			key := store.Key(k)
			rec, err := decodeRecord(v)
			if err != nil {
				return fmt.Errorf("record %x: %w", k[:4], err)
			}
			exp := nanos(rec.ExpiresAt)
			if v, ok := lookup(b.expiry, expiryKey(exp, key)); !ok || string(v) != rec.UserID {
				return fmt.Errorf("record %x: expiry entry = %q, %v, want %q", k[:4], v, ok, rec.UserID)
			}
			if rec.UserID == "" {
				return nil
			}
			owned++
			if v, ok := lookup(b.users, userKey(rec.UserID, key)); !ok || !bytes.Equal(v, appendInstant(nil, exp)) {
				return fmt.Errorf("record %x: users entry = %x, %v, want its expiry", k[:4], v, ok)
			}
			return nil
		})
		if err != nil {
			return err
		}
		if got, want := b.expiry.Stats().KeyN, b.records.Stats().KeyN; got != want {
			return fmt.Errorf("%d expiry entries for %d records", got, want)
		}
		if got := b.users.Stats().KeyN; got != owned {
			return fmt.Errorf("%d users entries for %d owned records", got, owned)
		}
		return nil
	})
	if err != nil {
		t.Errorf("file check: %v", err)
	}
}

// lookup returns the value under k in b and whether k exists, which Get
// cannot tell apart for an empty value.
func lookup(b *bolt.Bucket, k []byte) ([]byte, bool) {
	got, v := b.Cursor().Seek(k)
	return v, bytes.Equal(got, k)
}

// rawCount returns how many records the file holds, expired ones included.
func rawCount(t testing.TB, s *Store) int {
	t.Helper()
	n := 0
	err := s.db.View(func(tx *bolt.Tx) error {
		n = tx.Bucket(recordsBucket).Stats().KeyN
		return nil
	})
	if err != nil {
		t.Fatalf("counting records: %v", err)
	}
	return n
}

// onDisk reports whether the records bucket holds key, expired or not.
func onDisk(t testing.TB, s *Store, key store.Key) bool {
	t.Helper()
	found := false
	err := s.db.View(func(tx *bolt.Tx) error {
		found = tx.Bucket(recordsBucket).Get(key[:]) != nil
		return nil
	})
	if err != nil {
		t.Fatalf("looking up a record: %v", err)
	}
	return found
}

// testRecord returns the i-th record of a deterministic series: the same i
// gives the same record in any process.
func testRecord(i int, expires time.Time) store.Record {
	return store.Record{
		Key:       sha256.Sum256(fmt.Appendf(nil, "record %d", i)),
		UserID:    fmt.Sprintf("user%d", i%7),
		ExpiresAt: expires,
		Version:   1,
		Data:      fmt.Appendf(nil, "data of record %d", i),
	}
}

// fakeClock is a clock for Config.Now that moves only when told to.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func equalRecords(a, b store.Record) bool {
	return a.Key == b.Key && a.UserID == b.UserID && a.Version == b.Version &&
		a.ExpiresAt.Equal(b.ExpiresAt) && bytes.Equal(a.Data, b.Data)
}
