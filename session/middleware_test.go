package session_test

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/sessiond/sessiond/session"
)

// TestCommitBeforeTheResponseStarts checks that the cookie goes out with the
// headers whichever way the handler starts its response.
func TestCommitBeforeTheResponseStarts(t *testing.T) {
	tests := []struct {
		name  string
		start func(w http.ResponseWriter)
	}{
		{"write_header", func(w http.ResponseWriter) { w.WriteHeader(http.StatusCreated) }},
		{"write", func(w http.ResponseWriter) { w.Write([]byte("hello")) }},
		{"flush_through_interface", func(w http.ResponseWriter) { w.(http.Flusher).Flush() }},
		{"flush_through_response_controller", func(w http.ResponseWriter) { http.NewResponseController(w).Flush() }},
		{"nothing", func(http.ResponseWriter) {}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a := newApp(t, session.Config{})
			var late error
			a.mux.HandleFunc("GET /stream", func(w http.ResponseWriter, r *http.Request) {
				if err := session.Put(r.Context(), "k", "before"); err != nil {
					t.Error(err)
				}
				tc.start(w)
				if tc.name != "nothing" {
					late = session.Put(r.Context(), "k", "after")
				}
			})
			c := a.client()
			resp := c.do(http.MethodGet, "/stream")
			if c.cookie == "" {
				t.Fatalf("no session cookie in the response headers (status %d)", resp.StatusCode)
			}
			if tc.name == "nothing" {
				return
			}
			if !errors.Is(late, session.ErrCommitted) {
				t.Fatalf("Put after the response started = %v, want ErrCommitted", late)
			}
			if _, ok := a.events.find(session.EventLateWrite); !ok {
				t.Fatalf("events = %v, want %s", a.events.kinds(), session.EventLateWrite)
			}
			if got := body(c.do(http.MethodGet, "/get?k=k")); got != "before" {
				t.Fatalf("stored k = %q, want the value set before the response started", got)
			}
		})
	}
}

func TestInformationalResponsesDoNotCommit(t *testing.T) {
	a := newApp(t, session.Config{})
	a.mux.HandleFunc("GET /hints", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Link", "</style.css>; rel=preload")
		w.WriteHeader(http.StatusEarlyHints)
		if err := session.Put(r.Context(), "k", "v"); err != nil {
			t.Errorf("Put after 103 Early Hints = %v, want nil", err)
		}
	})
	c := a.client()
	c.login("alice")
	c.do(http.MethodGet, "/hints")
	if got := body(c.do(http.MethodGet, "/get?k=k")); got != "v" {
		t.Fatalf("k = %q, want v", got)
	}
}

func TestModifiedSessionIsSavedOnce(t *testing.T) {
	a := newApp(t, session.Config{})
	c := a.client()
	c.login("alice")
	before := a.store.writes.Load()
	c.do(http.MethodPost, "/put?a=1&b=2&c=3&d=4")
	if got := a.store.writes.Load() - before; got != 1 {
		t.Fatalf("a request with four changes made %d store writes, want 1", got)
	}
}

// TestConcurrentChangesAreMerged runs two requests of one session side by
// side, each changing a different key: neither change may be lost.
func TestConcurrentChangesAreMerged(t *testing.T) {
	a := newApp(t, session.Config{})
	c := a.client()
	c.login("alice")
	first, err := a.m.Load(c.request(http.MethodPost, "/"))
	if err != nil {
		t.Fatal(err)
	}
	second, err := a.m.Load(c.request(http.MethodPost, "/"))
	if err != nil {
		t.Fatal(err)
	}
	session.Put(first, "theme", "dark")
	session.Put(second, "lang", "fr")
	session.Put(second, "theme", "light") // same key: the later save wins
	if err := a.m.Commit(first, newRecorder()); err != nil {
		t.Fatalf("first Commit: %v", err)
	}
	if err := a.m.Commit(second, newRecorder()); err != nil {
		t.Fatalf("second Commit (conflicting) = %v, want a merge", err)
	}
	for k, want := range map[string]string{"theme": "light", "lang": "fr"} {
		if got := body(c.do(http.MethodGet, "/get?k="+k)); got != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}
}

// TestManyConcurrentWritersLoseNothing hammers one session from many
// goroutines, each writing its own key, under -race.
func TestManyConcurrentWritersLoseNothing(t *testing.T) {
	a := newApp(t, session.Config{})
	c := a.client()
	c.login("alice")
	const writers = 16
	var wg sync.WaitGroup
	var mu sync.Mutex
	conflicts := 0
	for i := range writers {
		wg.Go(func() {
			req := c.request(http.MethodPost, fmt.Sprintf("/put?k%d=v%d", i, i))
			resp := a.serve(req)
			mu.Lock()
			defer mu.Unlock()
			switch resp.StatusCode {
			case http.StatusOK:
			case http.StatusConflict:
				conflicts++ // allowed: reported, never silent
			default:
				t.Errorf("writer %d: %d %s", i, resp.StatusCode, body(resp))
			}
		})
	}
	wg.Wait()
	lost := 0
	for i := range writers {
		if body(c.do(http.MethodGet, fmt.Sprintf("/get?k=k%d", i))) != fmt.Sprintf("v%d", i) {
			lost++
		}
	}
	if lost != conflicts {
		t.Fatalf("%d writes missing but only %d reported as conflicts: a write was silently lost", lost, conflicts)
	}
	if conflicts > 0 {
		if _, ok := a.events.find(session.EventConflict); !ok {
			t.Fatalf("conflicts without EventConflict")
		}
	}
}

// TestSaveNeverResurrectsAnEndedSession logs the user out while another
// request of the same session is still running and changing it.
func TestSaveNeverResurrectsAnEndedSession(t *testing.T) {
	a := newApp(t, session.Config{})
	c := a.client()
	token := c.login("alice")
	slow, err := a.m.Load(c.request(http.MethodPost, "/"))
	if err != nil {
		t.Fatal(err)
	}
	c.do(http.MethodPost, "/logout")
	session.Put(slow, "k", "v")
	err = a.m.Commit(slow, newRecorder())
	if !errors.Is(err, session.ErrConflict) || session.HTTPStatus(err) != http.StatusConflict {
		t.Fatalf("Commit after logout = %v, want ErrConflict (409)", err)
	}
	if _, ok := a.events.find(session.EventConflict); !ok {
		t.Fatalf("events = %v, want %s", a.events.kinds(), session.EventConflict)
	}
	if code, _ := (&client{a: a, cookie: token}).whoami(); code != http.StatusUnauthorized {
		t.Fatalf("the logged-out session came back: whoami = %d", code)
	}
}

// TestHijackCommitsFirst upgrades a connection the way WebSocket libraries
// do, over a real loopback connection.
func TestHijackCommitsFirst(t *testing.T) {
	a := newApp(t, session.Config{})
	a.mux.HandleFunc("GET /upgrade", func(w http.ResponseWriter, r *http.Request) {
		session.Put(r.Context(), "k", "v")
		conn, rw, err := w.(http.Hijacker).Hijack()
		if err != nil {
			t.Errorf("Hijack: %v", err)
			return
		}
		defer conn.Close()
		rw.WriteString("HTTP/1.1 101 Switching Protocols\r\nUpgrade: test\r\nConnection: Upgrade\r\n\r\n")
		rw.Flush()
	})
	srv := httptest.NewServer(a.m.LoadAndSave(a.mux))
	defer srv.Close()
	c := a.client()
	c.login("alice")
	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/upgrade", nil)
	req.Header.Set("Cookie", "__Host-sid="+c.cookie)
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSwitchingProtocols {
		t.Fatalf("status = %d, want 101", resp.StatusCode)
	}
	if got := body(c.do(http.MethodGet, "/get?k=k")); got != "v" {
		t.Fatalf("the change made before Hijack was not saved: k = %q", got)
	}
}
