package pgstore

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/sessiond/sessiond/store"
)

// deleteCounter is a pgx.QueryTracer that counts DELETE statements, the
// collector's batches.
type deleteCounter struct{ queryCounter }

func (c *deleteCounter) TraceQueryStart(ctx context.Context, conn *pgx.Conn, data pgx.TraceQueryStartData) context.Context {
	if strings.HasPrefix(data.SQL, "DELETE") {
		return c.queryCounter.TraceQueryStart(ctx, conn, data)
	}
	return ctx
}

// TestCollectDeletesExpiredRowsInBatches drives expiry with an injected
// clock and proves that Collect deletes exactly the expired rows, oldest
// first and at most CollectBatch per statement, and leaves the live ones.
func TestCollectDeletesExpiredRowsInBatches(t *testing.T) {
	const batch, expired, live = 100, 250, 40
	ctx := t.Context()
	counter := &deleteCounter{}
	pool := testPool(t, func(cfg *pgxpool.Config) { cfg.ConnConfig.Tracer = counter })
	start := time.Now()
	clock := newFakeClock(start)
	s := newTestStore(t, pool, Config{Now: clock.Now, CollectEvery: -1, CollectBatch: batch})

	// Expired rows expire a microsecond (PostgreSQL's precision) apart up
	// to exactly the instant the clock will show, which is already expired.
	// Live ones expire from a microsecond after it. Every third is
	// anonymous.
	deadline := start.Add(time.Hour).Truncate(time.Microsecond)
	var recs []store.Record
	for i := range expired + live {
		rec := testRecord(i, deadline.Add(time.Duration(i-expired+1)*time.Microsecond))
		if i%3 == 0 {
			rec.UserID = ""
		}
		if err := s.Create(ctx, rec); err != nil {
			t.Fatalf("Create: %v", err)
		}
		recs = append(recs, rec)
	}
	clock.Advance(deadline.Sub(start))

	if n, err := s.collectBatch(ctx); err != nil || n != batch {
		t.Fatalf("one batch = %d, %v, want %d, nil", n, err, batch)
	}
	wantInTable(t, pool, s, recs[:batch], false) // the oldest went first
	wantInTable(t, pool, s, recs[batch:], true)

	counter.n.Store(0)
	n, err := s.Collect(ctx)
	if err != nil || n != expired-batch {
		t.Fatalf("Collect = %d, %v, want %d, nil", n, err, expired-batch)
	}
	if got, want := counter.n.Load(), int64((expired-batch)/batch+1); got != want {
		t.Fatalf("Collect of %d rows sent %d DELETE statements, want %d of at most %d rows", expired-batch, got, want, batch)
	}
	wantInTable(t, pool, s, recs[:expired], false)
	if got := rawCount(t, pool, s); got != live {
		t.Fatalf("after Collect %d rows remain, want the %d live ones", got, live)
	}
	for _, rec := range recs[expired:] {
		if got, err := s.Get(ctx, rec.Key); err != nil || got.Version != 1 || got.UserID != rec.UserID {
			t.Fatalf("Get of a live record after Collect = %+v, %v", got, err)
		}
	}

	if n, err := s.Collect(ctx); err != nil || n != 0 {
		t.Fatalf("second Collect = %d, %v, want 0, nil", n, err)
	}
}

// TestCollectSkipsLockedRows proves a collection never waits for a row
// another transaction holds (a writer, or another replica's collector): it
// deletes the rest and leaves that row for a later collection.
func TestCollectSkipsLockedRows(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second) // fails rather than hangs
	defer cancel()
	pool := testPool(t, nil)
	clock := newFakeClock(time.Now())
	s := newTestStore(t, pool, Config{Now: clock.Now, CollectEvery: -1})
	var recs []store.Record
	for i := range 3 {
		rec := testRecord(i, clock.Now().Add(time.Minute))
		if err := s.Create(ctx, rec); err != nil {
			t.Fatalf("Create: %v", err)
		}
		recs = append(recs, rec)
	}
	clock.Advance(time.Minute)

	tx, err := pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(context.Background())
	if _, err := tx.Exec(ctx, "SELECT FROM "+s.table+" WHERE key = $1 FOR UPDATE", recs[0].Key[:]); err != nil {
		t.Fatalf("locking a row: %v", err)
	}
	if n, err := s.Collect(ctx); err != nil || n != 2 {
		t.Fatalf("Collect with one row locked = %d, %v, want 2, nil", n, err)
	}
	if err := tx.Rollback(ctx); err != nil {
		t.Fatal(err)
	}
	if n, err := s.Collect(ctx); err != nil || n != 1 {
		t.Fatalf("Collect after the lock was released = %d, %v, want 1, nil", n, err)
	}
}

// TestCollectorCollectsOnEveryTick runs the collector's loop on ticks the
// test sends, and proves Close stops it and waits for it.
func TestCollectorCollectsOnEveryTick(t *testing.T) {
	pool := testPool(t, nil)
	clock := newFakeClock(time.Now())
	s := newTestStore(t, pool, Config{Now: clock.Now, CollectEvery: -1})
	ticks := make(chan time.Time) // unbuffered: a send waits for the loop
	ctx, stop := context.WithCancel(context.Background())
	s.stopCollector, s.collectorDone = stop, make(chan struct{})
	go s.collectLoop(ctx, ticks)

	for i := range 2 {
		if err := s.Create(t.Context(), testRecord(i, clock.Now().Add(time.Minute))); err != nil {
			t.Fatalf("Create: %v", err)
		}
	}
	clock.Advance(time.Minute)
	ticks <- time.Time{}
	ticks <- time.Time{} // accepted only once the first collection is done
	if got := rawCount(t, pool, s); got != 0 {
		t.Fatalf("after a tick %d expired rows remain, want 0", got)
	}

	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	select {
	case <-s.collectorDone:
	default:
		t.Fatalf("Close returned before the collector stopped")
	}
	if _, err := s.Collect(t.Context()); !errors.Is(err, store.ErrClosed) {
		t.Fatalf("Collect on a closed Store = %v, want ErrClosed", err)
	}
}

// TestCloseStopsTheBackgroundCollector uses the collector New starts.
func TestCloseStopsTheBackgroundCollector(t *testing.T) {
	pool := testPool(t, nil)
	s := newTestStore(t, pool, Config{CollectEvery: time.Hour})
	s.Close()
	select {
	case <-s.collectorDone:
	default:
		t.Fatalf("Close returned before the collector stopped")
	}
}

// wantInTable fails t unless each of recs is (or, if want is false, is not)
// in s's table, expired or not.
func wantInTable(t *testing.T, pool *pgxpool.Pool, s *Store, recs []store.Record, want bool) {
	t.Helper()
	for _, rec := range recs {
		if got := inTable(t, pool, s, rec.Key); got != want {
			t.Fatalf("row expiring at %v in the table = %v, want %v", rec.ExpiresAt, got, want)
		}
	}
}
