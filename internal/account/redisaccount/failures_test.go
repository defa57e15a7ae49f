package redisaccount

import (
	"testing"
	"time"

	"github.com/sessiond/sessiond/internal/account"
)

// TestFailureEntriesExpire proves a spray cannot grow memory without
// bound: each throttling entry expires Config.Forget after its latest
// failure (or the call's forget, if longer), while accounts never expire.
func TestFailureEntriesExpire(t *testing.T) {
	tests := []struct {
		name   string
		cfg    Config
		forget time.Duration // AddFailure's
		want   time.Duration
	}{
		{"default_forget", Config{}, time.Hour, defaultForget},
		{"configured_forget", Config{Forget: 2 * time.Hour}, time.Hour, 2 * time.Hour},
		// An entry must not vanish while its own window still counts it.
		{"longer_forget_of_the_call", Config{Forget: time.Hour}, 3 * time.Hour, 3 * time.Hour},
	}
	c := testClient(t)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx := t.Context()
			s := freshStore(t, c, tc.cfg)
			// Old failures, then a new one: the expiry counts from the
			// latest, by the server's clock.
			for _, at := range []time.Time{time.Now().Add(-time.Hour), time.Now()} {
				if _, err := s.AddFailure(ctx, "ip:192.0.2.1", at, tc.forget); err != nil {
					t.Fatalf("AddFailure: %v", err)
				}
			}
			ttl, err := c.PTTL(ctx, s.failKey("ip:192.0.2.1")).Result()
			if err != nil {
				t.Fatalf("PTTL: %v", err)
			}
			// A minute of slack for a slow machine; never longer.
			if ttl > tc.want || ttl < tc.want-time.Minute {
				t.Fatalf("TTL of the entry = %v, want about %v", ttl, tc.want)
			}
		})
	}

	t.Run("accounts_never_expire", func(t *testing.T) {
		ctx := t.Context()
		s := freshStore(t, c, Config{})
		if err := s.CreateUser(ctx, account.User{Name: "alice"}); err != nil {
			t.Fatalf("CreateUser: %v", err)
		}
		for _, key := range []string{s.userKey("alice"), s.usersKey} {
			if ttl, err := c.PTTL(ctx, key).Result(); err != nil || ttl != -1 {
				t.Fatalf("PTTL(%s) = %v, %v, want no expiry (-1)", key, ttl, err)
			}
		}
	})

	t.Run("clear_deletes_the_entry", func(t *testing.T) {
		ctx := t.Context()
		s := freshStore(t, c, Config{})
		if _, err := s.AddFailure(ctx, "ip:192.0.2.1", time.Now(), time.Hour); err != nil {
			t.Fatalf("AddFailure: %v", err)
		}
		if err := s.ClearFailures(ctx, "ip:192.0.2.1"); err != nil {
			t.Fatalf("ClearFailures: %v", err)
		}
		if n, err := c.Exists(ctx, s.failKey("ip:192.0.2.1")).Result(); err != nil || n != 0 {
			t.Fatalf("EXISTS after ClearFailures = %d, %v, want 0", n, err)
		}
	})
}
