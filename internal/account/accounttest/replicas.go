package accounttest

import (
	"errors"
	"testing"
	"time"

	"github.com/sessiond/sessiond/internal/account"
)

// RunReplicas drives account.Service end to end on a shared backend: a
// user created through one replica logs in through another, failures lock
// the account, and the other replica sees the lock. newStore returns a new
// Store on the SAME backend and namespace at every call, as two sessiond
// processes would have.
func RunReplicas(t *testing.T, newStore func(t *testing.T) account.Store) {
	t.Helper()
	ctx := t.Context()
	now := time.Now().UTC().Truncate(time.Microsecond)
	replica := func() *account.Service {
		svc, err := account.New(newStore(t), account.Config{
			Params:        account.Params{MemoryKiB: 64, Iterations: 1, Threads: 1}, // cheap: not under test
			AccountLimits: account.Limits{Free: 2},
			Now:           func() time.Time { return now },
		})
		if err != nil {
			t.Fatalf("account.New: %v", err)
		}
		return svc
	}
	a, b := replica(), replica()

	const password = "correct horse battery staple"
	if _, err := a.CreateUser(ctx, "Alice", password); err != nil {
		t.Fatalf("CreateUser: %v", err)
	}
	if u, err := b.Authenticate(ctx, "alice", password, "192.0.2.1"); err != nil || u.Name != "alice" {
		t.Fatalf("Authenticate on the other replica = %+v, %v, want alice", u, err)
	}
	// Two free failures, then the third locks the account for Base (30s).
	for i := range 3 {
		if _, err := a.Authenticate(ctx, "alice", "wrong password", "192.0.2.1"); !errors.Is(err, account.ErrBadCredentials) {
			t.Fatalf("wrong password #%d = %v, want ErrBadCredentials", i+1, err)
		}
	}
	var throttled *account.ThrottledError
	if _, err := b.Authenticate(ctx, "alice", password, "192.0.2.2"); !errors.As(err, &throttled) ||
		throttled.Scope != account.ScopeAccount || throttled.RetryAfter != 30*time.Second {
		t.Fatalf("right password on the other replica while locked = %v, want throttled (account, 30s)", err)
	}
	if err := b.Unlock(ctx, "alice"); err != nil {
		t.Fatalf("Unlock: %v", err)
	}
	if _, err := a.Authenticate(ctx, "alice", password, "192.0.2.1"); err != nil {
		t.Fatalf("Authenticate after Unlock on the other replica = %v", err)
	}
}
