package boltaccount

import (
	"path/filepath"
	"sync"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// openDB opens the bbolt file at path and closes it when the test ends,
// after every Store on it (cleanups run last-registered first).
func openDB(t testing.TB, path string) *bolt.DB {
	t.Helper()
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: time.Second})
	if err != nil {
		t.Fatalf("bolt.Open(%s): %v", path, err)
	}
	t.Cleanup(func() {
		if err := db.Close(); err != nil {
			t.Errorf("closing the database: %v", err)
		}
	})
	return db
}

// tempDB opens a new bbolt file in a temporary directory.
func tempDB(t testing.TB) (*bolt.DB, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "sessiond.db")
	return openDB(t, path), path
}

// mustNew returns a Store on db, closed when the test ends.
func mustNew(t testing.TB, db *bolt.DB, cfg Config) *Store {
	t.Helper()
	s, err := New(db, cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// rawFailures returns the number of throttling entries in the file,
// forgotten ones included.
func rawFailures(t testing.TB, s *Store) int {
	t.Helper()
	n := 0
	err := s.db.View(func(tx *bolt.Tx) error {
		n = tx.Bucket(failuresBucket).Stats().KeyN
		return nil
	})
	if err != nil {
		t.Fatalf("counting throttling entries: %v", err)
	}
	return n
}

// put writes val under key in bucket, bypassing the Store.
func put(t testing.TB, db *bolt.DB, bucket []byte, key string, val []byte) {
	t.Helper()
	err := db.Update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists(bucket)
		if err != nil {
			return err
		}
		return b.Put([]byte(key), val)
	})
	if err != nil {
		t.Fatalf("writing %s/%s: %v", bucket, key, err)
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
