package account

import (
	"context"
	"errors"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"
)

func TestNewRefusesUnusableConfig(t *testing.T) {
	tests := []struct {
		name  string
		cfg   Config
		field string
	}{
		{"memory_above_4GiB", Config{Params: Params{MemoryKiB: 5 << 20}}, "Params.MemoryKiB"},
		{"too_many_iterations", Config{Params: Params{Iterations: 100}}, "Params.Iterations"},
		{"negative_free", Config{AccountLimits: Limits{Free: -1}}, "AccountLimits.Free"},
		{"negative_base", Config{IPLimits: Limits{Base: -time.Second}}, "IPLimits.Base"},
		{"max_below_base", Config{AccountLimits: Limits{Base: time.Hour, Max: time.Minute}}, "AccountLimits.Max"},
		{"forget_below_max", Config{IPLimits: Limits{Forget: time.Minute}}, "IPLimits.Forget"},
		{"negative_concurrency", Config{MaxConcurrentHashes: -1}, "MaxConcurrentHashes"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := New(newMemStore(), tc.cfg)
			var ce *ConfigError
			if !errors.As(err, &ce) || ce.Field != tc.field || !errors.Is(err, ErrInvalidConfig) {
				t.Fatalf("New(%s) = %v, want a *ConfigError for %s", tc.name, err, tc.field)
			}
		})
	}
	t.Run("nil_store", func(t *testing.T) {
		var ce *ConfigError
		if _, err := New(nil, Config{}); !errors.As(err, &ce) || ce.Field != "Store" {
			t.Fatalf("New(nil) = %v, want a *ConfigError for Store", err)
		}
	})
}

// TestNewDefaults proves the zero Config is the documented one, and that
// New keeps a copy.
func TestNewDefaults(t *testing.T) {
	cfg := Config{}
	s, err := New(newMemStore(), cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	cfg.MaxConcurrentHashes = 1
	want := Config{
		Params:              Params{MemoryKiB: 19456, Iterations: 2, Threads: 1},
		AccountLimits:       Limits{Free: 5, Base: 30 * time.Second, Max: time.Hour, Forget: 24 * time.Hour},
		IPLimits:            Limits{Free: 20, Base: 30 * time.Second, Max: time.Hour, Forget: 24 * time.Hour},
		MaxConcurrentHashes: runtime.GOMAXPROCS(0),
	}
	got := s.cfg
	if got.Params != want.Params || got.AccountLimits != want.AccountLimits || got.IPLimits != want.IPLimits ||
		got.MaxConcurrentHashes != want.MaxConcurrentHashes || got.Now == nil {
		t.Fatalf("effective config = %v, want %v", got, want)
	}
	if !strings.HasPrefix(s.dummy, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Fatalf("the dummy hash does not use the configured Params")
	}
	if str := want.String(); !strings.Contains(str, "MemoryKiB:19456") || !strings.Contains(str, "Free:20") {
		t.Fatalf("Config.String() = %q, want the effective values", str)
	}
}

func TestSetPassword(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFixture(t, Config{})
		created := f.mustCreate(t, "alice", alicePassword)
		for range 6 {
			f.mustFail(t, "alice", wrongPassword, "192.0.2.1")
		}
		time.Sleep(time.Second)
		if err := f.svc.SetPassword(t.Context(), "Alice", bobPassword); err != nil {
			t.Fatalf("SetPassword: %v", err)
		}
		// The lock is lifted for the account, not for the address.
		u := f.mustSucceed(t, "alice", bobPassword, "192.0.2.2")
		if !u.PasswordChangedAt.Equal(created.PasswordChangedAt.Add(time.Second)) || !u.CreatedAt.Equal(created.CreatedAt) {
			t.Fatalf("after SetPassword, times = %v/%v, want PasswordChangedAt moved by 1s", u.CreatedAt, u.PasswordChangedAt)
		}
		f.mustFail(t, "alice", alicePassword, "192.0.2.2")
		if got := f.failures("ip:192.0.2.1").Count; got != 6 {
			t.Fatalf("SetPassword changed the address's failures to %d", got)
		}

		errs := []struct {
			name, user, password string
			want                 error
		}{
			{"unknown_user", "nobody", bobPassword, ErrNoUser},
			{"invalid_name", "no body", bobPassword, ErrInvalidName},
			{"short_password", "alice", "short", ErrInvalidPassword},
		}
		for _, tc := range errs {
			if err := f.svc.SetPassword(t.Context(), tc.user, tc.password); !errors.Is(err, tc.want) {
				t.Errorf("SetPassword(%s) = %v, want %v", tc.name, err, tc.want)
			}
		}
	})
}

func TestChangePassword(t *testing.T) {
	t.Run("right_current_password_changes_it", func(t *testing.T) {
		f := newFixture(t, Config{})
		f.mustCreate(t, "alice", alicePassword)
		if err := f.svc.ChangePassword(t.Context(), "alice", alicePassword, bobPassword, "192.0.2.1"); err != nil {
			t.Fatalf("ChangePassword: %v", err)
		}
		f.mustSucceed(t, "alice", bobPassword, "")
		f.mustFail(t, "alice", alicePassword, "")
	})
	t.Run("wrong_current_password_counts_a_failure", func(t *testing.T) {
		f := newFixture(t, Config{})
		f.mustCreate(t, "alice", alicePassword)
		err := f.svc.ChangePassword(t.Context(), "alice", wrongPassword, bobPassword, "192.0.2.1")
		if err != ErrBadCredentials {
			t.Fatalf("ChangePassword with a wrong current password = %v, want ErrBadCredentials", err)
		}
		if a, i := f.failures("user:alice").Count, f.failures("ip:192.0.2.1").Count; a != 1 || i != 1 {
			t.Fatalf("failures = %d (account), %d (address), want 1 and 1", a, i)
		}
		f.mustSucceed(t, "alice", alicePassword, "")
	})
	t.Run("throttled_like_a_login", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			f := newFixture(t, Config{})
			f.mustCreate(t, "alice", alicePassword)
			for range 6 {
				f.mustFail(t, "alice", wrongPassword, "")
			}
			f.kdf.take()
			err := f.svc.ChangePassword(t.Context(), "alice", alicePassword, bobPassword, "")
			if !errors.Is(err, ErrThrottled) {
				t.Fatalf("ChangePassword on a locked account = %v, want ErrThrottled", err)
			}
			if len(f.kdf.take()) != 0 {
				t.Fatalf("a throttled ChangePassword verified the password")
			}
		})
	})
	t.Run("invalid_new_password_is_refused_before_verifying", func(t *testing.T) {
		f := newFixture(t, Config{})
		f.mustCreate(t, "alice", alicePassword)
		err := f.svc.ChangePassword(t.Context(), "alice", alicePassword, "short", "")
		if !errors.Is(err, ErrInvalidPassword) || len(f.kdf.take()) != 0 {
			t.Fatalf("ChangePassword to a short password = %v, want ErrInvalidPassword and no hashing", err)
		}
	})
	t.Run("disabled_account_cannot_change", func(t *testing.T) {
		f := newFixture(t, Config{})
		f.mustCreate(t, "alice", alicePassword)
		if err := f.svc.Disable(t.Context(), "alice"); err != nil {
			t.Fatal(err)
		}
		if err := f.svc.ChangePassword(t.Context(), "alice", alicePassword, bobPassword, ""); err != ErrBadCredentials {
			t.Fatalf("ChangePassword of a disabled account = %v, want ErrBadCredentials", err)
		}
	})
}

func TestDisableEnable(t *testing.T) {
	f := newFixture(t, Config{})
	f.mustCreate(t, "alice", alicePassword)
	for _, op := range []struct {
		name     string
		do       func(context.Context, string) error
		disabled bool
	}{
		{"disable", f.svc.Disable, true},
		{"disable_again", f.svc.Disable, true},
		{"enable", f.svc.Enable, false},
		{"enable_again", f.svc.Enable, false},
	} {
		if err := op.do(t.Context(), "ALICE"); err != nil {
			t.Fatalf("%s: %v", op.name, err)
		}
		if u, _ := f.svc.User(t.Context(), "alice"); u.Disabled != op.disabled {
			t.Fatalf("after %s, Disabled = %v", op.name, u.Disabled)
		}
	}
	if err := f.svc.Disable(t.Context(), "nobody"); err != ErrNoUser {
		t.Fatalf("Disable(nobody) = %v, want ErrNoUser", err)
	}
	if err := f.svc.Enable(t.Context(), "no body"); err != ErrInvalidName {
		t.Fatalf("Enable(invalid) = %v, want ErrInvalidName", err)
	}
}

func TestUserAndUsers(t *testing.T) {
	f := newFixture(t, Config{})
	for _, n := range []string{"carol", "alice", "bob"} {
		f.mustCreate(t, n, alicePassword)
	}
	users, err := f.svc.Users(t.Context())
	if err != nil || len(users) != 3 || users[0].Name != "alice" || users[2].Name != "carol" {
		t.Fatalf("Users = %v, %v, want alice, bob, carol", users, err)
	}
	if u, err := f.svc.User(t.Context(), " BOB "); err != nil || u.Name != "bob" {
		t.Fatalf("User(BOB) = %+v, %v, want bob", u, err)
	}
	if _, err := f.svc.User(t.Context(), "dave"); err != ErrNoUser {
		t.Fatalf("User(dave) = %v, want ErrNoUser", err)
	}
	f.st.failMethod("Users", errors.New("outage"))
	if _, err := f.svc.Users(t.Context()); err == nil || errors.Is(err, ErrNoUser) {
		t.Fatalf("Users during an outage = %v, want the store's error", err)
	}
}

func TestUnlock(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFixture(t, Config{})
		f.mustCreate(t, "alice", alicePassword)
		for range 6 {
			f.mustFail(t, "alice", wrongPassword, "")
		}
		if err := f.svc.Unlock(t.Context(), "Alice"); err != nil {
			t.Fatalf("Unlock: %v", err)
		}
		f.mustSucceed(t, "alice", alicePassword, "")
	})
}

// TestAuthenticateWaitsForHashSlot proves rule 5: with one hash slot taken,
// a second login waits, and gives up with its context's error when the
// context ends.
func TestAuthenticateWaitsForHashSlot(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFixture(t, Config{MaxConcurrentHashes: 1})
		f.mustCreate(t, "alice", alicePassword)
		release := make(chan struct{})
		f.kdf.before = func() { <-release }

		first := make(chan error)
		go func() { _, err := f.login(t, "alice", alicePassword, ""); first <- err }()
		synctest.Wait() // the first login holds the slot, hashing

		ctx, cancel := context.WithCancel(t.Context())
		second := make(chan error)
		go func() { _, err := f.svc.Authenticate(ctx, "alice", alicePassword, ""); second <- err }()
		synctest.Wait() // the second waits for the slot
		cancel()
		if err := <-second; !errors.Is(err, context.Canceled) || errors.Is(err, ErrBadCredentials) {
			t.Fatalf("Authenticate canceled while waiting = %v, want context.Canceled", err)
		}
		close(release)
		if err := <-first; err != nil {
			t.Fatalf("first Authenticate = %v", err)
		}
		if got := f.failures("user:alice").Count; got != 0 {
			t.Fatalf("a login that never hashed counted %d failures", got)
		}
	})
}

// TestHashSlotsBoundConcurrentHashes proves no more than
// MaxConcurrentHashes hashes ever run at once, whatever the load.
func TestHashSlotsBoundConcurrentHashes(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const slots = 3
		f := newFixture(t, Config{MaxConcurrentHashes: slots})
		var running, most atomic.Int32
		f.kdf.before = func() {
			n := running.Add(1)
			for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
			}
			time.Sleep(time.Millisecond) // a hash takes time; the bubble's clock is free
			running.Add(-1)
		}
		var wg sync.WaitGroup
		for i := range 20 {
			wg.Go(func() {
				if _, err := f.svc.CreateUser(t.Context(), "user"+string(rune('a'+i)), alicePassword); err != nil {
					t.Errorf("CreateUser: %v", err)
				}
			})
		}
		wg.Wait()
		if got := most.Load(); got != slots {
			t.Fatalf("at most %d hashes ran at once, want exactly %d", got, slots)
		}
	})
}
