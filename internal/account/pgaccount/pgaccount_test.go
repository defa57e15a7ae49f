package pgaccount

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/sessiond/sessiond/internal/account"
	"github.com/sessiond/sessiond/internal/account/accounttest"
)

// TestStore runs the conformance suite, each subtest in a schema of its
// own, with the background sweeper on as in production.
func TestStore(t *testing.T) {
	pool := testPool(t)
	accounttest.Run(t, func(t *testing.T) account.Store {
		return freshStore(t, pool, Config{})
	})
}

// TestClosedStore proves Close fails every later call with ErrClosed, never
// ErrNoUser, and leaves the caller's pool open.
func TestClosedStore(t *testing.T) {
	ctx := t.Context()
	pool := testPool(t)
	s := freshStore(t, pool, Config{})
	if err := s.CreateUser(ctx, account.User{Name: "alice"}); err != nil {
		t.Fatalf("CreateUser: %v", err)
	}
	for i := range 2 {
		if err := s.Close(); err != nil {
			t.Fatalf("Close #%d: %v", i+1, err)
		}
	}
	errs := accounttest.CallEveryMethod(ctx, s)
	_, errs["Sweep"] = s.Sweep(ctx)
	for method, err := range errs {
		if !errors.Is(err, ErrClosed) || errors.Is(err, account.ErrNoUser) {
			t.Errorf("%s on a closed Store = %v, want ErrClosed", method, err)
		}
	}
	if err := pool.Ping(ctx); err != nil {
		t.Fatalf("the pool after Close: %v, want it still open", err)
	}
}

// TestUnreachableServerIsNeverNoUser proves an outage fails closed: New
// fails, and every method of a Store whose server went away returns an
// error, none of which reads as "no such user".
func TestUnreachableServerIsNeverNoUser(t *testing.T) {
	// Port 1 on loopback refuses connections at once.
	pool, err := pgxpool.New(t.Context(), "postgres://postgres@127.0.0.1:1/test?sslmode=disable&connect_timeout=1")
	if err != nil {
		t.Fatalf("pgxpool.New: %v", err)
	}
	t.Cleanup(pool.Close)
	if s, err := New(t.Context(), pool, Config{}); err == nil {
		s.Close()
		t.Fatal("New against an unreachable server succeeded")
	}

	// As if the server had gone away after New migrated.
	cfg, _ := Config{SweepEvery: -1}.withDefaults()
	s := start(pool, cfg)
	t.Cleanup(func() { s.Close() })
	errs := accounttest.CallEveryMethod(t.Context(), s)
	_, errs["Sweep"] = s.Sweep(t.Context())
	for method, err := range errs {
		if err == nil || errors.Is(err, account.ErrNoUser) {
			t.Errorf("%s against an unreachable server = %v, want an error other than ErrNoUser", method, err)
		}
	}
}

// TestNewConfig proves New refuses what it cannot use, before any I/O.
func TestNewConfig(t *testing.T) {
	pool, err := pgxpool.New(t.Context(), "postgres://postgres@127.0.0.1:1/test") // never dialed
	if err != nil {
		t.Fatalf("pgxpool.New: %v", err)
	}
	t.Cleanup(pool.Close)
	tests := []struct {
		name string
		pool *pgxpool.Pool
		cfg  Config
	}{
		{"nil_pool", nil, Config{}},
		{"negative_forget", pool, Config{Forget: -time.Hour}},
		// PostgreSQL would silently shorten it to another schema's name.
		{"schema_longer_than_63_bytes", pool, Config{Schema: strings.Repeat("s", 64)}},
		{"schema_with_nul", pool, Config{Schema: "a\x00b"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if s, err := New(t.Context(), tc.pool, tc.cfg); err == nil {
				s.Close()
				t.Fatalf("New(%s) succeeded, want an error", tc.name)
			}
		})
	}
}
