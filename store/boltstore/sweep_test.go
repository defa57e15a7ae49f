package boltstore

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"
	"time"

	"github.com/sessiond/sessiond/store"
)

// TestSweepRemovesExpiredRecordsInBatches drives expiry with an injected
// clock and proves that a sweep removes exactly the expired records, oldest
// first and at most SweepBatch per transaction, and keeps both indexes in
// step (checkFile runs after each batch).
func TestSweepRemovesExpiredRecordsInBatches(t *testing.T) {
	const batch, expired, live = 100, 250, 40
	ctx := t.Context()
	start := time.Now()
	clock := &fakeClock{now: start}
	s, _ := openTest(t, Config{Now: clock.Now, SweepEvery: -1, SweepBatch: batch})

	// Expired records expire one nanosecond apart up to exactly the
	// instant the clock will show, which is already expired. Live ones
	// expire from one nanosecond after it. Every third is anonymous.
	deadline := start.Add(time.Hour)
	var recs []store.Record
	for i := range expired + live {
		rec := testRecord(i, deadline.Add(time.Duration(i-expired+1)))
		if i%3 == 0 {
			rec.UserID = ""
		}
		if err := s.Create(ctx, rec); err != nil {
			t.Fatalf("Create: %v", err)
		}
		recs = append(recs, rec)
	}
	clock.Advance(time.Hour)

	n, err := s.sweepBatch(ctx)
	if err != nil || n != batch {
		t.Fatalf("one sweep batch = %d, %v, want %d, nil", n, err, batch)
	}
	checkFile(t, s)
	if got := rawCount(t, s); got != expired+live-batch {
		t.Fatalf("after one batch %d records remain, want %d", got, expired+live-batch)
	}
	requireOnDisk(t, s, recs[:batch], false) // the oldest went first
	requireOnDisk(t, s, recs[batch:], true)

	n, err = s.Sweep(ctx)
	if err != nil || n != expired-batch {
		t.Fatalf("Sweep = %d, %v, want %d, nil", n, err, expired-batch)
	}
	requireOnDisk(t, s, recs[:expired], false)
	requireOnDisk(t, s, recs[expired:], true)
	for _, rec := range recs[expired:] {
		if got, err := s.Get(ctx, rec.Key); err != nil || !equalRecords(got, rec) {
			t.Fatalf("Get of a live record after Sweep = %+v, %v, want %+v", got, err, rec)
		}
	}

	if n, err := s.Sweep(ctx); err != nil || n != 0 {
		t.Fatalf("second Sweep = %d, %v, want 0, nil", n, err)
	}
}

func TestSweepStopsWhenTheContextIsDone(t *testing.T) {
	clock := &fakeClock{now: time.Now()}
	s, _ := openTest(t, Config{Now: clock.Now, SweepEvery: -1})
	rec := testRecord(1, clock.Now().Add(time.Minute))
	if err := s.Create(t.Context(), rec); err != nil {
		t.Fatalf("Create: %v", err)
	}
	clock.Advance(time.Minute)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if n, err := s.Sweep(ctx); !errors.Is(err, context.Canceled) || n != 0 {
		t.Fatalf("Sweep with a canceled context = %d, %v, want 0, context.Canceled", n, err)
	}
	if got := rawCount(t, s); got != 1 {
		t.Fatalf("%d records on disk, want the 1 the canceled Sweep left", got)
	}
}

// TestSweeperRunsEverySweepEvery proves the background sweeper reclaims
// space on its own, and that Close stops it: synctest fails the test if
// the sweeper goroutine outlives the bubble.
func TestSweeperRunsEverySweepEvery(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := t.Context()
		s, _ := openTest(t, Config{SweepEvery: time.Minute})
		for i := range 20 {
			expires := time.Now().Add(time.Hour)
			if i%2 == 0 {
				expires = time.Now().Add(30 * time.Second)
			}
			if err := s.Create(ctx, testRecord(i, expires)); err != nil {
				t.Fatalf("Create: %v", err)
			}
		}
		time.Sleep(time.Minute + time.Second) // fake time inside the bubble
		synctest.Wait()
		if got := rawCount(t, s); got != 10 {
			t.Fatalf("after one sweep %d records on disk, want 10", got)
		}
		time.Sleep(time.Hour)
		synctest.Wait()
		if got := rawCount(t, s); got != 0 {
			t.Fatalf("after every record expired %d records on disk, want 0", got)
		}
	})
}

// requireOnDisk fails t unless each of recs is (or, if want is false, is
// not) in the records bucket, expired or not.
func requireOnDisk(t *testing.T, s *Store, recs []store.Record, want bool) {
	t.Helper()
	for _, rec := range recs {
		if got := onDisk(t, s, rec.Key); got != want {
			t.Fatalf("record expiring at %v on disk = %v, want %v", rec.ExpiresAt, got, want)
		}
	}
}
