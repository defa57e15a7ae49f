package session_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/hex"
	"net/http"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/sessiond/sessiond/session"
	"github.com/sessiond/sessiond/store"
)

// TestSessionFixation plants a session in the victim's browser before login
// (OWASP "session fixation"). Login must leave the planted token worthless.
func TestSessionFixation(t *testing.T) {
	tests := []struct {
		name  string
		plant func(a *app) string // returns the token the attacker plants
	}{
		{"planted_real_anonymous_session", func(a *app) string {
			attacker := a.client()
			attacker.fetchCSRF() // the attacker gets a genuine anonymous session
			return attacker.cookie
		}},
		{"planted_made_up_token", func(*app) string {
			return strings.Repeat("A", 43)
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a := newApp(t, session.Config{})
			planted := tc.plant(a)
			victim := &client{a: a, cookie: planted}
			victim.login("alice")
			if victim.cookie == planted {
				t.Fatal("the victim's session after login still uses the planted token")
			}
			attacker := &client{a: a, cookie: planted}
			if code, user := attacker.whoami(); code != http.StatusUnauthorized {
				t.Fatalf("attacker with the planted token: whoami = %d %q, want 401", code, user)
			}
		})
	}
}

// TestReplayIsRejected captures a signed-in cookie and replays it after the
// session should have ended.
func TestReplayIsRejected(t *testing.T) {
	tests := []struct {
		name string
		// after runs between capture and replay; it may re-steal the cookie
		// later, since rotation alone kills an old copy.
		after func(c *client, stolen *string)
		event session.EventKind // the evidence the defence must leave
	}{
		{"after_logout", func(c *client, _ *string) { c.do(http.MethodPost, "/logout") }, session.EventUnknownToken},
		{"after_idle_timeout", func(*client, *string) { time.Sleep(31 * time.Minute) }, session.EventExpiredIdle},
		{"after_absolute_timeout", func(c *client, stolen *string) {
			for range 12*4 - 1 {
				time.Sleep(15 * time.Minute)
				c.whoami() // stays busy, and keeps rotating
			}
			*stolen = c.cookie // the last live cookie, 15 minutes before the end
			time.Sleep(15 * time.Minute)
		}, session.EventExpiredAbsolute},
		{"after_rotation_grace", func(c *client, _ *string) {
			time.Sleep(15 * time.Minute)
			c.whoami() // rotates
			time.Sleep(31 * time.Second)
		}, session.EventUnknownToken},
		{"after_login_as_another_user", func(c *client, _ *string) { c.login("bob") }, session.EventUnknownToken},
		{"after_revoke_all", func(c *client, _ *string) {
			if _, err := c.a.m.RevokeAll(c.a.t.Context(), "alice"); err != nil {
				c.a.t.Fatal(err)
			}
		}, session.EventUnknownToken},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				a := newApp(t, session.Config{RotateEvery: 15 * time.Minute})
				c := a.client()
				stolen := c.login("alice")
				tc.after(c, &stolen)
				a.events.reset()
				thief := &client{a: a, cookie: stolen}
				if code, user := thief.whoami(); code != http.StatusUnauthorized {
					t.Fatalf("replayed cookie %s: whoami = %d %q, want 401", tc.name, code, user)
				}
				ev, ok := a.events.find(tc.event)
				if !ok {
					t.Fatalf("events = %v, want %s", a.events.kinds(), tc.event)
				}
				if ev.IP != "192.0.2.10" {
					t.Errorf("event IP = %q, want the client's", ev.IP)
				}
			})
		})
	}
}

// TestTokenOutsideCookieIsIgnored offers a valid token where sessiond never
// reads one (ASVS 3.1.1): it must not authenticate, and must be reported.
func TestTokenOutsideCookieIsIgnored(t *testing.T) {
	a := newApp(t, session.Config{})
	token := a.client().login("alice")
	tests := []struct {
		name   string
		modify func(r *http.Request)
	}{
		{"query_parameter_named_like_the_cookie", func(r *http.Request) { r.URL.RawQuery = "__Host-sid=" + token }},
		{"query_parameter_sid", func(r *http.Request) { r.URL.RawQuery = "x=1&sid=" + token }},
		{"query_parameter_session_id_upper_case", func(r *http.Request) { r.URL.RawQuery = "SESSION_ID=" + token }},
		{"header_x_session_token", func(r *http.Request) { r.Header.Set("X-Session-Token", token) }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a.events.reset()
			req := a.client().request(http.MethodGet, "/whoami")
			tc.modify(req)
			if resp := a.serve(req); resp.StatusCode != http.StatusUnauthorized {
				t.Fatalf("whoami = %d, want 401", resp.StatusCode)
			}
			ev, ok := a.events.find(session.EventTokenInURL)
			if !ok {
				t.Fatalf("events = %v, want %s", a.events.kinds(), session.EventTokenInURL)
			}
			if strings.Contains(ev.Detail, token) {
				t.Fatal("the event carries the token")
			}
		})
	}
}

// TestMalformedCookieNeverReachesTheStore sends garbage cookies: they are
// refused before any store lookup, reported, and cleared.
func TestMalformedCookieNeverReachesTheStore(t *testing.T) {
	a := newApp(t, session.Config{})
	valid := a.client().login("alice")
	tests := []struct{ name, value string }{
		{"too_short", "abc"},
		{"too_long", valid + "A"},
		{"standard_base64_alphabet", strings.Repeat("+", 43)},
		{"non_canonical_last_character", nonCanonical(valid)},
		{"sql_injection", "' OR 1=1 --" + strings.Repeat("a", 32)},
		{"empty", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a.events.reset()
			before := a.store.gets.Load()
			c := &client{a: a, cookie: tc.value}
			req := c.request(http.MethodGet, "/whoami")
			if tc.value == "" {
				req.Header.Set("Cookie", "__Host-sid=")
			}
			resp := c.send(req)
			if resp.StatusCode != http.StatusUnauthorized {
				t.Fatalf("whoami = %d, want 401", resp.StatusCode)
			}
			if got := a.store.gets.Load() - before; got != 0 {
				t.Fatalf("%d store lookups for a malformed token, want 0", got)
			}
			if _, ok := a.events.find(session.EventMalformedToken); !ok {
				t.Fatalf("events = %v, want %s", a.events.kinds(), session.EventMalformedToken)
			}
			if !strings.Contains(resp.Header.Get("Set-Cookie"), "Max-Age=0") {
				t.Fatalf("the malformed cookie was not cleared: %q", resp.Header.Get("Set-Cookie"))
			}
		})
	}
}

// nonCanonical returns tok with one of the two unused low bits of its last
// character set: it decodes to the same bytes under lenient base64.
func nonCanonical(tok string) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	i := strings.IndexByte(alphabet, tok[len(tok)-1])
	return tok[:len(tok)-1] + string(alphabet[i|1])
}

// TestStoreDumpCannotBeReplayed plays the attacker who stole a backup: what
// the store holds cannot be turned back into a cookie.
func TestStoreDumpCannotBeReplayed(t *testing.T) {
	a := newApp(t, session.Config{})
	token := a.client().login("alice")
	n := 0
	for rec, err := range a.store.All(t.Context()) {
		if err != nil {
			t.Fatal(err)
		}
		n++
		if bytes.Contains(rec.Data, []byte(token)) {
			t.Fatal("the stored record contains the raw token")
		}
		for _, guess := range []string{hex.EncodeToString(rec.Key[:]), base64.RawURLEncoding.EncodeToString(rec.Key[:])} {
			thief := &client{a: a, cookie: guess}
			if code, _ := thief.whoami(); code != http.StatusUnauthorized {
				t.Fatalf("a cookie made from the store key authenticated: %d", code)
			}
		}
	}
	if n == 0 {
		t.Fatal("the store holds no record")
	}
}

// TestStoreUnavailableFailsClosed takes the store away: a request with a
// session cookie is answered 503 and the handler never runs as anonymous.
func TestStoreUnavailableFailsClosed(t *testing.T) {
	a := newApp(t, session.Config{})
	c := a.client()
	c.login("alice")
	a.store.down.Store(true)
	a.events.reset()
	resp := c.do(http.MethodGet, "/whoami")
	if resp.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("whoami with the store down = %d, want 503", resp.StatusCode)
	}
	if b := body(resp); strings.Contains(b, "anonymous") || strings.Contains(b, "test: store is down") {
		t.Fatalf("body %q: the handler ran, or internals leaked", b)
	}
	if _, ok := a.events.find(session.EventStoreError); !ok {
		t.Fatalf("events = %v, want %s", a.events.kinds(), session.EventStoreError)
	}
	// A save that fails replaces the handler's response.
	fresh := a.client()
	if resp := fresh.do(http.MethodGet, "/csrf"); resp.StatusCode != http.StatusServiceUnavailable || fresh.cookie != "" {
		t.Fatalf("creating a session with the store down = %d (cookie set: %v), want 503 and no cookie", resp.StatusCode, fresh.cookie != "")
	}
	a.store.down.Store(false)
	if code, _ := c.whoami(); code != http.StatusOK {
		t.Fatalf("after the store came back whoami = %d, want 200", code)
	}
}

// TestLogoutThatCannotReachTheStoreDoesNotPretend keeps the cookie when the
// server-side session could not be deleted.
func TestLogoutThatCannotReachTheStoreDoesNotPretend(t *testing.T) {
	a := newApp(t, session.Config{})
	c := a.client()
	token := c.login("alice")
	req := c.request(http.MethodPost, "/logout")
	ctx, err := a.m.Load(req)
	if err != nil {
		t.Fatal(err)
	}
	a.store.down.Store(true)
	w := newRecorder()
	err = a.m.Logout(ctx, w)
	if session.HTTPStatus(err) != http.StatusServiceUnavailable {
		t.Fatalf("Logout with the store down = %v, want ErrStoreUnavailable", err)
	}
	if w.Header().Get("Set-Cookie") != "" || w.Header().Get("Clear-Site-Data") != "" {
		t.Fatal("a failed logout cleared the cookie while the session lives on")
	}
	a.store.down.Store(false)
	if code, _ := (&client{a: a, cookie: token}).whoami(); code != http.StatusOK {
		t.Fatalf("whoami = %d", code)
	}
}

func TestLogoutResponse(t *testing.T) {
	a := newApp(t, session.Config{})
	c := a.client()
	c.login("alice")
	resp := c.do(http.MethodPost, "/logout")
	if got := resp.Header.Get("Clear-Site-Data"); got != `"cookies", "storage"` {
		t.Errorf("Clear-Site-Data = %q", got)
	}
	if got := resp.Header.Get("Cache-Control"); got != "no-store" {
		t.Errorf("Cache-Control = %q, want no-store", got)
	}
	sc := resp.Header.Get("Set-Cookie")
	if !strings.HasPrefix(sc, "__Host-sid=;") || !strings.Contains(sc, "Max-Age=0") || !strings.Contains(sc, "Secure") {
		t.Errorf("Set-Cookie = %q, want an expired __Host-sid", sc)
	}
	if _, ok := a.events.find(session.EventLogout); !ok {
		t.Errorf("events = %v, want %s", a.events.kinds(), session.EventLogout)
	}
}

// slowStore never answers: every call waits until its context ends.
type slowStore struct{ *countingStore }

func (s slowStore) Get(ctx context.Context, key store.Key) (store.Record, error) {
	<-ctx.Done()
	return store.Record{}, ctx.Err()
}

// TestSlowStoreFailsClosedWithinStoreTimeout: a store that hangs does not
// hang the request; after Config.StoreTimeout it is a 503, never a 200.
func TestSlowStoreFailsClosedWithinStoreTimeout(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		a := newApp(t, session.Config{})
		token := a.client().login("alice")
		m, err := session.New(slowStore{a.store}, session.Config{StoreTimeout: 250 * time.Millisecond, Events: a.events})
		if err != nil {
			t.Fatal(err)
		}
		a.m = m
		a.mux = http.NewServeMux()
		a.routes()
		start := time.Now()
		resp := (&client{a: a, cookie: token}).do(http.MethodGet, "/whoami")
		if resp.StatusCode != http.StatusServiceUnavailable {
			t.Fatalf("whoami with a hanging store = %d, want 503", resp.StatusCode)
		}
		if waited := time.Since(start); waited != 250*time.Millisecond {
			t.Fatalf("the request waited %v, want exactly StoreTimeout (250ms)", waited)
		}
	})
}
