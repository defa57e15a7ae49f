package memstore_test

import (
	"context"
	"testing"
	"testing/synctest"
	"time"

	"github.com/sessiond/sessiond/store"
	"github.com/sessiond/sessiond/store/memstore"
	"github.com/sessiond/sessiond/store/storetest"
)

func TestStore(t *testing.T) {
	storetest.Run(t, func(t *testing.T, now func() time.Time) store.Store {
		s := memstore.New(memstore.Config{Now: now})
		t.Cleanup(func() { s.Close() })
		return s
	})
}

// TestSweeperReclaimsExpiredRecords proves memory does not grow without
// bound: the background sweeper drops expired records by itself.
func TestSweeperReclaimsExpiredRecords(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := memstore.New(memstore.Config{SweepEvery: time.Minute})
		defer s.Close()
		ctx := context.Background()
		for i := range 100 {
			rec := store.Record{Key: store.Key{byte(i)}, ExpiresAt: time.Now().Add(30 * time.Second)}
			if i%2 == 0 {
				rec.UserID = "alice"
				rec.ExpiresAt = time.Now().Add(time.Hour)
			}
			if err := s.Create(ctx, rec); err != nil {
				t.Fatal(err)
			}
		}
		if got := s.Len(); got != 100 {
			t.Fatalf("Len = %d, want 100", got)
		}
		time.Sleep(time.Minute + time.Second) // fake time inside the bubble
		synctest.Wait()
		if got := s.Len(); got != 50 {
			t.Fatalf("after one sweep Len = %d, want 50", got)
		}
		time.Sleep(time.Hour)
		synctest.Wait()
		if got := s.Len(); got != 0 {
			t.Fatalf("after every record expired Len = %d, want 0", got)
		}
	})
}
