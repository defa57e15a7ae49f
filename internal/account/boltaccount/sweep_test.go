package boltaccount

import (
	"fmt"
	"testing"
	"testing/synctest"
	"time"

	"github.com/sessiond/sessiond/internal/account"
)

// TestSweepRemovesForgottenEntries drives Sweep with an injected clock:
// entries whose latest failure is older than Config.Forget go, younger
// ones and the users stay, over more entries than one batch holds.
func TestSweepRemovesForgottenEntries(t *testing.T) {
	ctx := t.Context()
	clock := &fakeClock{now: time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)}
	db, _ := tempDB(t)
	s := mustNew(t, db, Config{SweepEvery: -1, Forget: 24 * time.Hour, Now: clock.Now})
	if err := s.CreateUser(ctx, account.User{Name: "alice", PasswordHash: "h"}); err != nil {
		t.Fatalf("CreateUser: %v", err)
	}

	// A spray: 2,500 addresses, every third of which failed again lately.
	const n = 2500
	start := clock.Now()
	for i := range n {
		if _, err := s.AddFailure(ctx, fmt.Sprintf("ip:10.0.%d.%d", i/256, i%256), start, time.Hour); err != nil {
			t.Fatalf("AddFailure: %v", err)
		}
	}
	clock.Advance(20 * time.Hour)
	recent := 0
	for i := 0; i < n; i += 3 {
		if _, err := s.AddFailure(ctx, fmt.Sprintf("ip:10.0.%d.%d", i/256, i%256), clock.Now(), time.Hour); err != nil {
			t.Fatalf("AddFailure: %v", err)
		}
		recent++
	}

	// At 20h nothing is 24h old yet.
	if got, err := s.Sweep(ctx); err != nil || got != 0 {
		t.Fatalf("Sweep before Forget = %d, %v, want 0", got, err)
	}
	// Exactly 24h old still stays; older goes.
	clock.Advance(4 * time.Hour)
	if got, err := s.Sweep(ctx); err != nil || got != 0 {
		t.Fatalf("Sweep at exactly Forget = %d, %v, want 0", got, err)
	}
	clock.Advance(time.Nanosecond)
	if got, err := s.Sweep(ctx); err != nil || got != n-recent {
		t.Fatalf("Sweep after Forget = %d, %v, want %d", got, err, n-recent)
	}
	if got := rawFailures(t, s); got != recent {
		t.Fatalf("%d entries left, want the %d recent ones", got, recent)
	}
	if _, err := s.User(ctx, "alice"); err != nil {
		t.Fatalf("after Sweep, User = %v, want alice untouched", err)
	}
}

// TestSweepRemovesUndecodableEntries proves a damaged counter, which makes
// the logins reading it fail, does not stay in the file for good.
func TestSweepRemovesUndecodableEntries(t *testing.T) {
	ctx := t.Context()
	db, _ := tempDB(t)
	s := mustNew(t, db, Config{SweepEvery: -1})
	put(t, db, failuresBucket, "user:alice", []byte("garbage"))
	if _, err := s.Failures(ctx, "user:alice", time.Now(), time.Hour); err == nil {
		t.Fatal("Failures of a damaged entry succeeded, want ErrCorrupt")
	}
	if got, err := s.Sweep(ctx); err != nil || got != 1 {
		t.Fatalf("Sweep = %d, %v, want the damaged entry removed", got, err)
	}
	if f, err := s.Failures(ctx, "user:alice", time.Now(), time.Hour); err != nil || f.Count != 0 {
		t.Fatalf("after Sweep, Failures = %+v, %v, want zero", f, err)
	}
}

// TestSweeperRunsInBackground proves the sweeper started by New deletes
// forgotten entries on its own, and that Close stops it (the bubble would
// report a goroutine left running).
func TestSweeperRunsInBackground(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := t.Context()
		db, _ := tempDB(t)
		s, err := New(db, Config{SweepEvery: time.Hour}) // Now: the bubble's clock
		if err != nil {
			t.Fatalf("New: %v", err)
		}
		defer s.Close()
		if _, err := s.AddFailure(ctx, "ip:192.0.2.1", time.Now(), time.Hour); err != nil {
			t.Fatalf("AddFailure: %v", err)
		}

		time.Sleep(24*time.Hour + time.Minute) // the 24h tick still sees it exactly 24h old
		synctest.Wait()
		if got := rawFailures(t, s); got != 1 {
			t.Fatalf("after 24h, %d entries, want 1", got)
		}
		time.Sleep(time.Hour)
		synctest.Wait()
		if got := rawFailures(t, s); got != 0 {
			t.Fatalf("after 25h, %d entries, want the sweeper to have removed it", got)
		}
	})
}
