package boltstore

import (
	"errors"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/sessiond/sessiond/store"
)

// corruptValues are record values damaged in the ways decodeRecord must
// catch. Each starts from a valid shape where it can, so that only the
// named fault is wrong.
var corruptValues = []struct {
	name string
	val  []byte
}{
	{"empty", []byte{}},
	{"version_0", append([]byte{0x00}, validTail...)},
	{"non_minimal_version", append([]byte{0x81, 0x00}, validTail...)},
	{"version_overflows_64_bits", append([]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f}, validTail...)},
	{"truncated_expiry", []byte{0x01, 0x80, 0x00, 0x00}},
	{"missing_user_id_length", []byte{0x01, 0x80, 0, 0, 0, 0, 0, 0, 0}},
	{"user_id_longer_than_the_value", []byte{0x01, 0x80, 0, 0, 0, 0, 0, 0, 0, 0x10, 'a', 'b'}},
}

// validTail is a valid record value after its version: expiry, user ID
// "alice" and data "d".
var validTail = []byte{0x80, 0, 0, 0, 0, 0, 0, 0, 5, 'a', 'l', 'i', 'c', 'e', 'd'}

// TestCorruptRecordFailsClosed proves a damaged value never reads as "no
// session": every method that must decode it fails with ErrCorrupt, and
// DeleteUser, which works from the index alone, still removes it.
func TestCorruptRecordFailsClosed(t *testing.T) {
	for _, tc := range corruptValues {
		t.Run(tc.name, func(t *testing.T) {
			ctx := t.Context()
			s, _ := openTest(t, Config{})
			bad := testRecord(1, time.Now().Add(time.Hour))
			bad.UserID = "alice"
			good := testRecord(2, time.Now().Add(time.Hour))
			for _, rec := range []store.Record{bad, good} {
				if err := s.Create(ctx, rec); err != nil {
					t.Fatalf("Create: %v", err)
				}
			}
			overwrite(t, s, bad.Key, tc.val)

			next := bad
			next.Version = 2
			errs := map[string]error{}
			_, errs["Get"] = s.Get(ctx, bad.Key)
			errs["Create"] = s.Create(ctx, bad)
			errs["Update"] = s.Update(ctx, next)
			errs["Delete"] = s.Delete(ctx, bad.Key)
			_, errs["ListUser"] = s.ListUser(ctx, "alice")
			for _, err := range s.All(ctx) {
				if err != nil {
					errs["All"] = err
					break
				}
			}
			for method, err := range errs {
				if !errors.Is(err, ErrCorrupt) || errors.Is(err, store.ErrNotFound) {
					t.Errorf("%s of a corrupt record = %v, want ErrCorrupt and not ErrNotFound", method, err)
				}
			}

			if got, err := s.Get(ctx, good.Key); err != nil || !equalRecords(got, good) {
				t.Errorf("Get of an intact record = %+v, %v, want it unharmed", got, err)
			}
			if n, err := s.DeleteUser(ctx, "alice", store.Key{}); err != nil || n != 1 {
				t.Fatalf("DeleteUser = %d, %v, want 1, nil", n, err)
			}
			if _, err := s.Get(ctx, bad.Key); !errors.Is(err, store.ErrNotFound) {
				t.Fatalf("Get after DeleteUser = %v, want ErrNotFound", err)
			}
			// mustOpen's cleanup now checks the indexes are consistent.
		})
	}
}

// TestSweepRemovesCorruptExpiredRecords proves damage cannot make the file
// grow without bound: the sweeper removes an expired record it cannot
// decode, index entries included.
func TestSweepRemovesCorruptExpiredRecords(t *testing.T) {
	ctx := t.Context()
	clock := &fakeClock{now: time.Now()}
	s, _ := openTest(t, Config{Now: clock.Now, SweepEvery: -1})
	rec := testRecord(1, clock.Now().Add(time.Minute))
	if err := s.Create(ctx, rec); err != nil {
		t.Fatalf("Create: %v", err)
	}
	overwrite(t, s, rec.Key, []byte{0x00})
	clock.Advance(time.Minute)
	if n, err := s.Sweep(ctx); err != nil || n != 1 {
		t.Fatalf("Sweep = %d, %v, want 1, nil", n, err)
	}
	if n := rawCount(t, s); n != 0 {
		t.Fatalf("%d records left after Sweep, want 0", n)
	}
}

// overwrite replaces the value under key behind the Store's back.
func overwrite(t *testing.T, s *Store, key store.Key, val []byte) {
	t.Helper()
	err := s.db.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(recordsBucket).Put(key[:], val)
	})
	if err != nil {
		t.Fatalf("overwriting a record: %v", err)
	}
}
