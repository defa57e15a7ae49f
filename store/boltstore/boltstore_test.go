package boltstore

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/sessiond/sessiond/store"
	"github.com/sessiond/sessiond/store/storetest"
)

// TestStore runs the conformance suite. After each subtest that leaves the
// Store open, mustOpen also checks the file itself: bbolt's consistency
// check and the agreement of the records with both indexes.
func TestStore(t *testing.T) {
	storetest.Run(t, func(t *testing.T, now func() time.Time) store.Store {
		s, _ := openTest(t, Config{Now: now})
		return s
	})
}

// TestUserIDLimit proves the longest UserID an index key holds is stored
// and indexed, and a longer one is refused with a clear error instead of a
// failure inside bbolt.
func TestUserIDLimit(t *testing.T) {
	ctx := t.Context()
	s, _ := openTest(t, Config{})
	longest := testRecord(1, time.Now().Add(time.Hour))
	longest.UserID = strings.Repeat("u", maxUserID)
	if err := s.Create(ctx, longest); err != nil {
		t.Fatalf("Create with a %d-byte UserID: %v", maxUserID, err)
	}
	if got, err := s.ListUser(ctx, longest.UserID); err != nil || len(got) != 1 {
		t.Fatalf("ListUser of the longest UserID = %d records, %v, want 1", len(got), err)
	}

	tooLong := testRecord(2, time.Now().Add(time.Hour))
	tooLong.UserID = strings.Repeat("u", maxUserID+1)
	if err := s.Create(ctx, tooLong); !errors.Is(err, ErrUserIDTooLong) {
		t.Fatalf("Create with a %d-byte UserID = %v, want ErrUserIDTooLong", maxUserID+1, err)
	}
	longest.Version, longest.UserID = 2, tooLong.UserID
	if err := s.Update(ctx, longest); !errors.Is(err, ErrUserIDTooLong) {
		t.Fatalf("Update to a %d-byte UserID = %v, want ErrUserIDTooLong", maxUserID+1, err)
	}
}
