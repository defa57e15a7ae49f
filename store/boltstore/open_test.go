package boltstore

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/sessiond/sessiond/store"
)

func TestReopenKeepsRecords(t *testing.T) {
	ctx := t.Context()
	expires := time.Now().Add(time.Hour)
	s, path := openTest(t, Config{})
	var want []store.Record
	for i := range 20 {
		rec := testRecord(i, expires)
		if err := s.Create(ctx, rec); err != nil {
			t.Fatalf("Create: %v", err)
		}
		want = append(want, rec)
	}
	want[0].Version, want[0].Data = 2, []byte("updated")
	if err := s.Update(ctx, want[0]); err != nil {
		t.Fatalf("Update: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}

	s = mustOpen(t, path, Config{})
	for _, rec := range want {
		got, err := s.Get(ctx, rec.Key)
		if err != nil || !equalRecords(got, rec) {
			t.Fatalf("after reopen Get = %+v, %v, want %+v", got, err, rec)
		}
	}
	if got, err := s.ListUser(ctx, want[0].UserID); err != nil || len(got) != 3 {
		t.Fatalf("after reopen ListUser(%q) = %d records, %v, want 3", want[0].UserID, len(got), err)
	}
}

func TestOpenCreatesAPrivateFile(t *testing.T) {
	_, path := openTest(t, Config{})
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	// Group and others get nothing whatever the umask: records hold token
	// hashes and session data.
	if perm := fi.Mode().Perm(); perm&0o077 != 0 {
		t.Fatalf("file mode = %v, want no access for group and others", perm)
	}
}

// TestSecondOpenFailsWithErrLocked proves that a second owner of the file
// is told why it cannot have it, quickly, instead of hanging.
func TestSecondOpenFailsWithErrLocked(t *testing.T) {
	_, path := openTest(t, Config{})
	second, err := Open(path, Config{LockTimeout: time.Millisecond})
	if err == nil {
		second.Close()
		t.Fatal("second Open of a file in use succeeded")
	}
	if !errors.Is(err, ErrLocked) {
		t.Fatalf("second Open = %v, want ErrLocked", err)
	}
	for _, want := range []string{"another process has the database open", path} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("second Open = %q, want it to mention %q", err, want)
		}
	}
}

func TestOpenAfterCloseGetsTheLock(t *testing.T) {
	s, path := openTest(t, Config{})
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	mustOpen(t, path, Config{LockTimeout: time.Millisecond})
}

func TestOpenRefuses(t *testing.T) {
	tests := []struct {
		name  string
		cfg   Config
		setup func(t *testing.T, path string) // prepares the file, if any
		want  string                          // in the error
		is    error                           // the error wraps it, if set
	}{
		// Settings whose meaning would be unclear or unsafe.
		{name: "negative_sweep_batch", cfg: Config{SweepBatch: -1}, want: "Config.SweepBatch"},
		{name: "negative_lock_timeout", cfg: Config{LockTimeout: -time.Second}, want: "Config.LockTimeout"},

		// Files that are not a session store of this version.
		{name: "a_file_that_is_not_a_database", setup: writeFile([]byte("not a database")), want: "boltstore: open"},
		{name: "a_newer_layout", setup: setLayout([]byte{2}), want: "layout version", is: ErrCorrupt},
		{name: "another_applications_database", setup: foreignDB, want: `not a session store: holds bucket "other"`, is: ErrCorrupt},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "sessions.db")
			if tc.setup != nil {
				tc.setup(t, path)
			}
			s, err := Open(path, tc.cfg)
			if err == nil {
				s.Close()
				t.Fatalf("Open succeeded, want an error mentioning %q", tc.want)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Open = %q, want it to mention %q", err, tc.want)
			}
			if tc.is != nil && !errors.Is(err, tc.is) {
				t.Errorf("Open = %v, want it to wrap %v", err, tc.is)
			}
		})
	}
}

func writeFile(content []byte) func(t *testing.T, path string) {
	return func(t *testing.T, path string) {
		if err := os.WriteFile(path, content, 0o600); err != nil {
			t.Fatal(err)
		}
	}
}

func setLayout(version []byte) func(t *testing.T, path string) {
	return func(t *testing.T, path string) {
		db := rawDB(t, path)
		defer db.Close()
		err := db.Update(func(tx *bolt.Tx) error {
			return tx.Bucket(metaBucket).Put(layoutKey, version)
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}

// foreignDB creates a bbolt file that some other application uses.
func foreignDB(t *testing.T, path string) {
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	err = db.Update(func(tx *bolt.Tx) error {
		_, err := tx.CreateBucket([]byte("other"))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// rawDB creates a store at path, closes it, and opens the file with bbolt
// directly, to change it behind the Store's back.
func rawDB(t *testing.T, path string) *bolt.DB {
	t.Helper()
	s, err := Open(path, Config{})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	return db
}

func TestCloseIsIdempotent(t *testing.T) {
	s, _ := openTest(t, Config{})
	for i := range 3 {
		if err := s.Close(); err != nil {
			t.Fatalf("Close #%d: %v", i+1, err)
		}
	}
	if _, err := s.Sweep(context.Background()); !errors.Is(err, store.ErrClosed) {
		t.Fatalf("Sweep after Close = %v, want ErrClosed", err)
	}
	if _, err := s.Backup(new(strings.Builder)); !errors.Is(err, store.ErrClosed) {
		t.Fatalf("Backup after Close = %v, want ErrClosed", err)
	}
}

// TestOpenKeepsFsyncOn guards the half of durability that a kill -9 test
// cannot see: the page cache outlives a killed process, but not a power
// cut, so every commit must fsync.
func TestOpenKeepsFsyncOn(t *testing.T) {
	s, _ := openTest(t, Config{})
	if s.db.NoSync || s.db.NoGrowSync {
		t.Fatalf("NoSync = %v, NoGrowSync = %v, want both false", s.db.NoSync, s.db.NoGrowSync)
	}
}

// TestNewSharesTheCallersDatabase keeps the store beside the caller's own
// buckets in one file and leaves the file open on Close.
func TestNewSharesTheCallersDatabase(t *testing.T) {
	db, err := bolt.Open(filepath.Join(t.TempDir(), "shared.db"), 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Update(func(tx *bolt.Tx) error {
		_, err := tx.CreateBucket([]byte("accounts"))
		return err
	}); err != nil {
		t.Fatal(err)
	}
	s, err := New(db, Config{})
	if err != nil {
		t.Fatalf("New on a database with other buckets: %v", err)
	}
	rec := store.Record{Key: store.Key{1}, UserID: "alice", ExpiresAt: time.Now().Add(time.Hour)}
	if err := s.Create(t.Context(), rec); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := db.View(func(tx *bolt.Tx) error {
		if tx.Bucket([]byte("accounts")) == nil {
			return errors.New("the caller's bucket is gone")
		}
		return nil
	}); err != nil {
		t.Fatalf("the caller's database after Close: %v", err)
	}
}
