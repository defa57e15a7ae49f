package pgaccount

import (
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/sessiond/sessiond/internal/account"
)

// TestSweepDeletesForgottenRows drives Sweep with an injected clock over
// more rows than one batch holds: rows whose latest failure is older than
// Config.Forget go, younger ones and the users stay.
func TestSweepDeletesForgottenRows(t *testing.T) {
	ctx := t.Context()
	pool := testPool(t)
	clock := &fakeClock{now: time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)}
	schema := freshSchema(t, pool)
	s := mustNew(t, pool, Config{Schema: schema, SweepEvery: -1, Forget: 24 * time.Hour, Now: clock.Now})
	if err := s.CreateUser(ctx, account.User{Name: "alice"}); err != nil {
		t.Fatalf("CreateUser: %v", err)
	}

	// A spray: 2,500 addresses at the start, written in one statement...
	const n = 2500
	start := clock.Now()
	_, err := pool.Exec(ctx, `INSERT INTO `+pgx.Identifier{schema, "sessiond_login_failures"}.Sanitize()+`
		(key, count, last) SELECT 'ip:10.0.0.' || i, 1, $1 FROM generate_series(1, $2::int) i`, start, n)
	if err != nil {
		t.Fatalf("seeding failures: %v", err)
	}
	// ...and a few that failed again 20 hours later.
	clock.Advance(20 * time.Hour)
	recent := []string{"ip:10.0.0.1", "ip:10.0.0.1000", "ip:10.0.0.2500", "user:alice"}
	for _, key := range recent {
		if _, err := s.AddFailure(ctx, key, clock.Now(), time.Hour); err != nil {
			t.Fatalf("AddFailure: %v", err)
		}
	}

	// At 20h nothing is 24h old yet.
	if got, err := s.Sweep(ctx); err != nil || got != 0 {
		t.Fatalf("Sweep before Forget = %d, %v, want 0", got, err)
	}
	// Exactly 24h old still stays; a microsecond older goes.
	clock.Advance(4 * time.Hour)
	if got, err := s.Sweep(ctx); err != nil || got != 0 {
		t.Fatalf("Sweep at exactly Forget = %d, %v, want 0", got, err)
	}
	clock.Advance(time.Microsecond)
	if got, err := s.Sweep(ctx); err != nil || got != n-3 {
		t.Fatalf("Sweep after Forget = %d, %v, want %d", got, err, n-3)
	}
	if got := countRows(t, pool, schema, "sessiond_login_failures"); got != len(recent) {
		t.Fatalf("%d rows left, want the %d recent ones", got, len(recent))
	}
	if _, err := s.User(ctx, "alice"); err != nil {
		t.Fatalf("after Sweep, User = %v, want alice untouched", err)
	}
}

// TestSweeperRunsInBackground proves the sweeper New starts deletes
// forgotten rows on its own, and that Close stops it. It waits on the
// sweeper's calls of Config.Now, never on the wall clock.
func TestSweeperRunsInBackground(t *testing.T) {
	ctx := t.Context()
	pool := testPool(t)
	future := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	calls := make(chan struct{}, 1)
	now := func() time.Time {
		select {
		case calls <- struct{}{}:
		default:
		}
		return future
	}
	schema := freshSchema(t, pool)
	s := mustNew(t, pool, Config{Schema: schema, SweepEvery: time.Millisecond, Forget: time.Hour, Now: now})
	if _, err := s.AddFailure(ctx, "ip:192.0.2.1", future.Add(-2*time.Hour), time.Hour); err != nil {
		t.Fatalf("AddFailure: %v", err)
	}
	// A sweep that starts after the drain starts after the insert; once
	// the next one starts, it has finished.
	select {
	case <-calls:
	default:
	}
	<-calls
	<-calls
	if got := countRows(t, pool, schema, "sessiond_login_failures"); got != 0 {
		t.Fatalf("after a background sweep, %d rows, want 0", got)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
}
