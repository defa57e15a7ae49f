package session_test

import (
	"net/http"
	"testing"
	"testing/synctest"
	"time"

	"github.com/sessiond/sessiond/session"
)

func TestPeriodicRotation(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		a := newApp(t, session.Config{})
		c := a.client()
		old := c.login("alice")
		handle := sessionsOf(t, a, "alice")[0].Handle

		time.Sleep(15 * time.Minute)
		if code, _ := c.whoami(); code != http.StatusOK {
			t.Fatalf("whoami = %d", code)
		}
		if c.cookie == old || c.cookie == "" {
			t.Fatal("no new token after RotateEvery")
		}
		if _, ok := a.events.find(session.EventRotated); !ok {
			t.Fatalf("events = %v, want %s", a.events.kinds(), session.EventRotated)
		}
		infos := sessionsOf(t, a, "alice")
		if len(infos) != 1 || infos[0].Handle != handle {
			t.Fatalf("after rotation the user has %d sessions (handle kept: %v), want the same one", len(infos), len(infos) == 1 && infos[0].Handle == handle)
		}
		if code, _ := c.whoami(); code != http.StatusOK {
			t.Fatalf("new token: whoami = %d", code)
		}
	})
}

func TestRotationGraceWindow(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		a := newApp(t, session.Config{})
		c := a.client()
		old := c.login("alice")
		time.Sleep(15 * time.Minute)
		c.whoami() // rotates
		fresh := c.cookie

		inFlight := &client{a: a, cookie: old}
		time.Sleep(20 * time.Second)
		if code, user := inFlight.whoami(); code != http.StatusOK || user != "alice" {
			t.Fatalf("old token inside the grace window: whoami = %d %q, want 200 alice", code, user)
		}
		if inFlight.cookie != old {
			t.Fatal("a token in its grace window was rotated again")
		}
		// Even once its own rotation interval has passed, an alias is not
		// rotated: only its successor is.
		time.Sleep(9 * time.Second)
		inFlight.whoami()
		if inFlight.cookie != old {
			t.Fatal("a token in its grace window was rotated again")
		}
		time.Sleep(2 * time.Second) // grace (30s) is over
		if code, _ := inFlight.whoami(); code != http.StatusUnauthorized {
			t.Fatalf("old token after the grace window: whoami = %d, want 401", code)
		}
		c.cookie = fresh
		if code, _ := c.whoami(); code != http.StatusOK {
			t.Fatalf("new token after the grace window: whoami = %d, want 200", code)
		}
	})
}

// TestInFlightWriteDuringRotationIsKept proves that a request which loaded
// the session with the old token before the rotation still saves its
// change, into the rotated session.
func TestInFlightWriteDuringRotationIsKept(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		a := newApp(t, session.Config{})
		c := a.client()
		old := c.login("alice")
		time.Sleep(15 * time.Minute)

		inFlight := c.request(http.MethodPost, "/")
		ctx, err := a.m.Load(inFlight)
		if err != nil {
			t.Fatal(err)
		}
		c.whoami() // another request rotates meanwhile
		if c.cookie == old {
			t.Fatal("no rotation")
		}
		if err := session.Put(ctx, "note", "written in flight"); err != nil {
			t.Fatal(err)
		}
		w := newRecorder()
		if err := a.m.Commit(ctx, w); err != nil {
			t.Fatalf("Commit of the in-flight request: %v", err)
		}
		if w.Header().Get("Set-Cookie") != "" {
			t.Fatal("the in-flight request set a cookie, which would undo the rotation")
		}
		if got := body(c.do(http.MethodGet, "/get?k=note")); got != "written in flight" {
			t.Fatalf("rotated session has note = %q, want the in-flight write", got)
		}
	})
}

func TestRevokingTheNewTokenKillsTheOldOneInGrace(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		a := newApp(t, session.Config{})
		c := a.client()
		old := c.login("alice")
		time.Sleep(15 * time.Minute)
		c.whoami()
		if resp := c.do(http.MethodPost, "/logout"); resp.StatusCode != http.StatusOK {
			t.Fatalf("logout: %d", resp.StatusCode)
		}
		replay := &client{a: a, cookie: old}
		if code, _ := replay.whoami(); code != http.StatusUnauthorized {
			t.Fatalf("old token in grace after logout: whoami = %d, want 401", code)
		}
	})
}

func TestRotationDisabled(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		a := newApp(t, session.Config{RotateEvery: -1})
		c := a.client()
		old := c.login("alice")
		for range 5 {
			time.Sleep(20 * time.Minute)
			c.whoami()
		}
		if c.cookie != old {
			t.Fatal("token rotated with RotateEvery < 0")
		}
	})
}

func TestRenew(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		a := newApp(t, session.Config{})
		c := a.client()
		old := c.login("alice")
		before := sessionsOf(t, a, "alice")[0]
		time.Sleep(time.Minute)
		if resp := c.do(http.MethodPost, "/renew"); resp.StatusCode != http.StatusOK {
			t.Fatalf("renew: %d %s", resp.StatusCode, body(resp))
		}
		if c.cookie == old {
			t.Fatal("Renew kept the token")
		}
		after := sessionsOf(t, a, "alice")
		if len(after) != 1 || after[0].Handle != before.Handle {
			t.Fatalf("Renew changed the session's identity: %+v", after)
		}
		if after[0].AuthLevel != 2 || !after[0].AuthTime.After(before.AuthTime) {
			t.Fatalf("Renew(AuthLevel(2)) left level %d, auth time %v", after[0].AuthLevel, after[0].AuthTime)
		}
		replay := &client{a: a, cookie: old}
		if code, _ := replay.whoami(); code != http.StatusUnauthorized {
			t.Fatalf("pre-Renew token: whoami = %d, want 401 (no grace on privilege change)", code)
		}
	})
}

// TestKeepTokenPostponesRotation covers responses that cannot carry a new
// cookie: the token stays until a request that can deliver one.
func TestKeepTokenPostponesRotation(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		a := newApp(t, session.Config{})
		a.mux.HandleFunc("GET /forward-auth", func(w http.ResponseWriter, r *http.Request) {
			a.m.KeepToken(r.Context())
		})
		c := a.client()
		old := c.login("alice")
		time.Sleep(16 * time.Minute)
		if resp := c.do(http.MethodGet, "/forward-auth"); resp.StatusCode != http.StatusOK || c.cookie != old {
			t.Fatalf("status %d, token rotated: %v; want the old token kept", resp.StatusCode, c.cookie != old)
		}
		c.whoami()
		if c.cookie == old {
			t.Fatal("the next ordinary request did not rotate the token")
		}
	})
}
