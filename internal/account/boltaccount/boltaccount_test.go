package boltaccount

import (
	"context"
	"errors"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/sessiond/sessiond/internal/account"
	"github.com/sessiond/sessiond/internal/account/accounttest"
)

// TestStore runs the conformance suite, with the background sweeper on as
// in production.
func TestStore(t *testing.T) {
	accounttest.Run(t, func(t *testing.T) account.Store {
		db, _ := tempDB(t)
		return mustNew(t, db, Config{})
	})
}

// TestReopenKeepsUsersAndFailures proves everything acknowledged is in the
// file: a new process (a new bbolt handle and Store) sees it.
func TestReopenKeepsUsersAndFailures(t *testing.T) {
	ctx := t.Context()
	now := time.Now().UTC().Truncate(time.Microsecond)
	alice := account.User{Name: "alice", PasswordHash: "$argon2id$x", Disabled: true, CreatedAt: now.Add(-time.Hour), PasswordChangedAt: now}

	db, path := tempDB(t)
	s := mustNew(t, db, Config{})
	if err := s.CreateUser(ctx, alice); err != nil {
		t.Fatalf("CreateUser: %v", err)
	}
	for range 3 {
		if _, err := s.AddFailure(ctx, "ip:192.0.2.1", now, time.Hour); err != nil {
			t.Fatalf("AddFailure: %v", err)
		}
	}
	s.Close()
	if err := db.Close(); err != nil {
		t.Fatalf("closing the database: %v", err)
	}

	s = mustNew(t, openDB(t, path), Config{})
	got, err := s.User(ctx, "alice")
	if err != nil || got.Name != alice.Name || got.PasswordHash != alice.PasswordHash || !got.Disabled ||
		!got.CreatedAt.Equal(alice.CreatedAt) || !got.PasswordChangedAt.Equal(alice.PasswordChangedAt) {
		t.Fatalf("after reopening, User = %+v, %v, want %+v", got, err, alice)
	}
	f, err := s.Failures(ctx, "ip:192.0.2.1", now, time.Hour)
	if err != nil || f.Count != 3 || !f.Last.Equal(now) {
		t.Fatalf("after reopening, Failures = %+v, %v, want 3 at %v", f, err, now)
	}
}

// TestClosedStore proves Close fails every later call with ErrClosed, never
// ErrNoUser, and leaves the caller's database open.
func TestClosedStore(t *testing.T) {
	ctx := t.Context()
	db, _ := tempDB(t)
	s := mustNew(t, db, Config{})
	if err := s.CreateUser(ctx, account.User{Name: "alice"}); err != nil {
		t.Fatalf("CreateUser: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	errs := map[string]error{}
	_, errs["User"] = s.User(ctx, "alice")
	_, errs["Users"] = s.Users(ctx)
	errs["CreateUser"] = s.CreateUser(ctx, account.User{Name: "bob"})
	errs["UpdateUser"] = s.UpdateUser(ctx, "alice", func(*account.User) error { return nil })
	_, errs["AddFailure"] = s.AddFailure(ctx, "k", time.Now(), time.Hour)
	_, errs["Failures"] = s.Failures(ctx, "k", time.Now(), time.Hour)
	errs["ClearFailures"] = s.ClearFailures(ctx, "k")
	_, errs["Sweep"] = s.Sweep(ctx)
	for method, err := range errs {
		if !errors.Is(err, ErrClosed) || errors.Is(err, account.ErrNoUser) {
			t.Errorf("%s on a closed Store = %v, want ErrClosed", method, err)
		}
	}
	if err := db.View(func(*bolt.Tx) error { return nil }); err != nil {
		t.Fatalf("the database after Close: %v, want it still open", err)
	}
}

// TestNewConfig proves New refuses what it cannot use.
func TestNewConfig(t *testing.T) {
	db, _ := tempDB(t)
	tests := []struct {
		name string
		db   *bolt.DB
		cfg  Config
	}{
		{"nil_database", nil, Config{}},
		{"negative_forget", db, Config{Forget: -time.Hour}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if s, err := New(tc.db, tc.cfg); err == nil {
				s.Close()
				t.Fatalf("New(%s) succeeded, want an error", tc.name)
			}
		})
	}
}

// TestCanceledContextBeforeClosed proves a done ctx is reported first, so
// callers see why their own call ended.
func TestCanceledContextBeforeClosed(t *testing.T) {
	db, _ := tempDB(t)
	s := mustNew(t, db, Config{})
	s.Close()
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := s.User(ctx, "alice"); !errors.Is(err, context.Canceled) {
		t.Fatalf("User with a canceled context on a closed Store = %v, want context.Canceled", err)
	}
}
