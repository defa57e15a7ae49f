package session_test

import (
	"net/http"
	"testing"
	"testing/synctest"
	"time"

	"github.com/sessiond/sessiond/session"
)

func TestIdleTimeout(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		a := newApp(t, session.Config{RotateEvery: -1})
		c := a.client()
		c.login("alice")
		time.Sleep(29 * time.Minute)
		if code, _ := c.whoami(); code != http.StatusOK {
			t.Fatalf("after 29 idle minutes whoami = %d, want 200", code)
		}
		time.Sleep(30 * time.Minute) // idle again, just to the limit
		a.events.reset()
		if code, _ := c.whoami(); code != http.StatusUnauthorized {
			t.Fatalf("after 30 idle minutes whoami = %d, want 401", code)
		}
		if _, ok := a.events.find(session.EventExpiredIdle); !ok {
			t.Fatalf("events = %v, want %s", a.events.kinds(), session.EventExpiredIdle)
		}
		if c.cookie != "" {
			t.Fatalf("the expired session's cookie was not cleared")
		}
	})
}

func TestAbsoluteTimeoutEndsABusySession(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		a := newApp(t, session.Config{RotateEvery: -1})
		c := a.client()
		c.login("alice")
		start := time.Now()
		for time.Since(start) < 12*time.Hour-10*time.Minute {
			time.Sleep(10 * time.Minute)
			if code, _ := c.whoami(); code != http.StatusOK {
				t.Fatalf("busy session ended after %v, want it alive until 12h", time.Since(start))
			}
		}
		time.Sleep(10 * time.Minute)
		if code, _ := c.whoami(); code != http.StatusUnauthorized {
			t.Fatalf("at 12h whoami = %d, want 401", code)
		}
		if _, ok := a.events.find(session.EventExpiredAbsolute); !ok {
			t.Fatalf("events = %v, want %s", a.events.kinds(), session.EventExpiredAbsolute)
		}
	})
}

// TestReadOnlyRequestsWriteNothing bounds the cost of reads: within
// TouchEvery a request that only reads its session makes no store write;
// after it, exactly one touch moves the idle expiry.
func TestReadOnlyRequestsWriteNothing(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		a := newApp(t, session.Config{RotateEvery: -1})
		c := a.client()
		c.login("alice")
		before := a.store.writes.Load()
		for range 20 {
			time.Sleep(2 * time.Second)
			if code, _ := c.whoami(); code != http.StatusOK {
				t.Fatalf("whoami = %d", code)
			}
		}
		if got := a.store.writes.Load() - before; got != 0 {
			t.Fatalf("40s of read-only requests made %d store writes, want 0", got)
		}
		time.Sleep(time.Minute)
		c.whoami()
		c.whoami()
		if got := a.store.writes.Load() - before; got != 1 {
			t.Fatalf("after TouchEvery, %d writes, want exactly 1 touch", got)
		}
		if code, _ := c.whoami(); code != http.StatusOK {
			t.Fatalf("whoami = %d", code)
		}
		info := sessionsOf(t, a, "alice")[0]
		if want := info.LastSeen.Add(30 * time.Minute); !info.IdleExpiresAt.Equal(want) {
			t.Fatalf("touch left IdleExpiresAt = %v, want LastSeen+30m = %v", info.IdleExpiresAt, want)
		}
	})
}

func TestTouchEveryNegativeWritesEveryRequest(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		a := newApp(t, session.Config{RotateEvery: -1, TouchEvery: -1})
		c := a.client()
		c.login("alice")
		before := a.store.writes.Load()
		for range 3 {
			time.Sleep(time.Second)
			c.whoami()
		}
		if got := a.store.writes.Load() - before; got != 3 {
			t.Fatalf("writes = %d, want 3", got)
		}
	})
}

func sessionsOf(t *testing.T, a *app, user string) []session.Info {
	t.Helper()
	infos, err := a.m.Sessions(t.Context(), user)
	if err != nil {
		t.Fatalf("Sessions(%q): %v", user, err)
	}
	return infos
}
