package session_test

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/sessiond/sessiond/session"
)

// usersApp is an app with the routes of a "your sessions" page. Handlers
// run synchronously inside serve, so they hand their results to the test
// through fields.
type usersApp struct {
	*app
	listed  []session.Info // what the last GET /sessions listed
	revoked int            // what the last revoke-others or revoke-all ended
	err     error          // the last error of a session-management call
}

func newUsersApp(t *testing.T, cfg session.Config) *usersApp {
	t.Helper()
	u := &usersApp{app: newApp(t, cfg)}
	m := u.m
	fail := func(w http.ResponseWriter, err error) {
		u.err = err
		switch {
		case errors.Is(err, session.ErrNotFound):
			http.Error(w, err.Error(), http.StatusNotFound)
		case errors.Is(err, session.ErrAnonymous):
			http.Error(w, err.Error(), http.StatusUnauthorized)
		default:
			http.Error(w, err.Error(), session.HTTPStatus(err))
		}
	}
	u.mux.HandleFunc("GET /sessions", func(w http.ResponseWriter, r *http.Request) {
		u.listed, u.err = m.Sessions(r.Context(), m.UserID(r.Context()))
		if u.err != nil {
			fail(w, u.err)
		}
	})
	u.mux.HandleFunc("POST /revoke", func(w http.ResponseWriter, r *http.Request) {
		if u.err = m.Revoke(r.Context(), m.UserID(r.Context()), r.URL.Query().Get("handle")); u.err != nil {
			fail(w, u.err)
		}
	})
	u.mux.HandleFunc("POST /revoke-others", func(w http.ResponseWriter, r *http.Request) {
		if u.revoked, u.err = m.RevokeOthers(r.Context()); u.err != nil {
			fail(w, u.err)
		}
	})
	u.mux.HandleFunc("POST /revoke-all", func(w http.ResponseWriter, r *http.Request) {
		if u.revoked, u.err = m.RevokeAll(r.Context(), m.UserID(r.Context())); u.err != nil {
			fail(w, u.err)
		}
	})
	u.mux.HandleFunc("POST /login-as", func(w http.ResponseWriter, r *http.Request) {
		if u.err = m.Login(r.Context(), w, r, r.URL.Query().Get("user")); u.err != nil {
			fail(w, u.err)
		}
	})
	return u
}

// deviceClient is a browser on its own network address.
type deviceClient struct {
	*client
	ip, ua string
}

func (u *usersApp) device(ip, ua string) *deviceClient {
	return &deviceClient{client: u.client(), ip: ip, ua: ua}
}

func (d *deviceClient) do(method, target string) *http.Response {
	req := d.request(method, target)
	req.RemoteAddr = d.ip + ":40000"
	req.Header.Set("User-Agent", d.ua)
	return d.send(req)
}

// login signs the device in through POST /login-as, and reports the error.
func (d *deviceClient) login(user string) error {
	d.fetchCSRF()
	resp := d.do(http.MethodPost, "/login-as?user="+user)
	if resp.StatusCode == http.StatusOK {
		d.fetchCSRF() // Login replaces the CSRF secret
		return nil
	}
	return fmt.Errorf("login %s: %d %s", user, resp.StatusCode, body(resp))
}

func (d *deviceClient) mustLogin(t *testing.T, user string) {
	t.Helper()
	if err := d.login(user); err != nil {
		t.Fatal(err)
	}
}

// sessions lists the sessions of the device's user from its own request.
func (u *usersApp) sessions(t *testing.T, d *deviceClient) []session.Info {
	t.Helper()
	if resp := d.do(http.MethodGet, "/sessions"); resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /sessions = %d %s", resp.StatusCode, body(resp))
	}
	return u.listed
}

// handleOf returns the handle of the device's own session.
func (u *usersApp) handleOf(t *testing.T, d *deviceClient) string {
	t.Helper()
	for _, i := range u.sessions(t, d) {
		if i.Current {
			return i.Handle
		}
	}
	t.Fatal("no session of the list is marked Current")
	return ""
}

func checkSignedIn(t *testing.T, name string, c *client, want bool) {
	t.Helper()
	code, _ := c.whoami()
	if got := code == http.StatusOK; got != want {
		t.Errorf("%s: whoami = %d, signed in %v, want %v", name, code, got, want)
	}
}

func TestSessionsListsTheUsersSessions(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		u := newUsersApp(t, session.Config{})
		t0 := time.Now()
		laptop := u.device("192.0.2.1", "Firefox")
		phone := u.device("198.51.100.2", "Safari")
		tablet := u.device("203.0.113.3", "Chrome")
		laptop.mustLogin(t, "alice")
		time.Sleep(time.Minute)
		phone.mustLogin(t, "alice")
		time.Sleep(time.Minute)
		tablet.mustLogin(t, "alice")
		u.device("192.0.2.99", "Edge").mustLogin(t, "bob")
		time.Sleep(2 * time.Minute)
		laptop.do(http.MethodGet, "/whoami") // the oldest is now the most recently active
		time.Sleep(time.Minute)

		got := u.sessions(t, phone)
		want := []struct {
			ip, ua            string
			created, lastSeen time.Duration
			current           bool
		}{
			{"192.0.2.1", "Firefox", 0, 4 * time.Minute, false},
			{"203.0.113.3", "Chrome", 2 * time.Minute, 2 * time.Minute, false},
			{"198.51.100.2", "Safari", time.Minute, time.Minute, true},
		}
		if len(got) != len(want) {
			t.Fatalf("Sessions(alice) listed %d sessions, want %d", len(got), len(want))
		}
		handles := map[string]bool{}
		for n, w := range want {
			i := got[n]
			if i.UserID != "alice" {
				t.Errorf("Sessions(alice)[%d].UserID = %q, want alice", n, i.UserID)
			}
			if i.IP != w.ip || i.UserAgent != w.ua {
				t.Errorf("Sessions(alice)[%d] = %s %s, want %s %s", n, i.IP, i.UserAgent, w.ip, w.ua)
			}
			if !i.CreatedAt.Equal(t0.Add(w.created)) {
				t.Errorf("Sessions(alice)[%d].CreatedAt = t0+%v, want t0+%v", n, i.CreatedAt.Sub(t0), w.created)
			}
			if !i.LastSeen.Equal(t0.Add(w.lastSeen)) {
				t.Errorf("Sessions(alice)[%d].LastSeen = t0+%v, want t0+%v", n, i.LastSeen.Sub(t0), w.lastSeen)
			}
			if i.Current != w.current {
				t.Errorf("Sessions(alice)[%d].Current = %v, want %v", n, i.Current, w.current)
			}
			handles[i.Handle] = true
		}
		if len(handles) != len(want) {
			t.Errorf("Sessions(alice) has %d distinct handles, want %d", len(handles), len(want))
		}
	})
}

func TestRevokeByHandle(t *testing.T) {
	tests := []struct {
		name string
		// handle picks what the laptop asks to revoke.
		handle    func(t *testing.T, u *usersApp, laptop, phone, bobs *deviceClient) string
		wantErr   error
		signedIn  [3]bool // laptop, phone, bob's after the call
		wantEvent bool
	}{
		{"other_own_session_is_ended", func(t *testing.T, u *usersApp, _, phone, _ *deviceClient) string {
			return u.handleOf(t, phone)
		}, nil, [3]bool{true, false, true}, true},
		{"current_session_is_ended", func(t *testing.T, u *usersApp, laptop, _, _ *deviceClient) string {
			return u.handleOf(t, laptop)
		}, nil, [3]bool{false, true, true}, true},

		// Guesses and garbage find nothing.
		{"unknown_handle_is_not_found", func(*testing.T, *usersApp, *deviceClient, *deviceClient, *deviceClient) string {
			return "AAAAAAAAAAAAAAAA"
		}, session.ErrNotFound, [3]bool{true, true, true}, false},
		{"malformed_handle_is_not_found", func(*testing.T, *usersApp, *deviceClient, *deviceClient, *deviceClient) string {
			return "../../etc/passwd"
		}, session.ErrNotFound, [3]bool{true, true, true}, false},
		{"empty_handle_is_not_found", func(*testing.T, *usersApp, *deviceClient, *deviceClient, *deviceClient) string {
			return ""
		}, session.ErrNotFound, [3]bool{true, true, true}, false},

		// Insecure direct object reference: a handle of another user's
		// session must not reach it.
		{"another_users_handle_is_not_found", func(t *testing.T, u *usersApp, _, _, bobs *deviceClient) string {
			return u.handleOf(t, bobs)
		}, session.ErrNotFound, [3]bool{true, true, true}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			u := newUsersApp(t, session.Config{})
			laptop, phone := u.device("192.0.2.1", "Firefox"), u.device("192.0.2.2", "Safari")
			bobs := u.device("192.0.2.3", "Edge")
			laptop.mustLogin(t, "alice")
			phone.mustLogin(t, "alice")
			bobs.mustLogin(t, "bob")
			handle := tc.handle(t, u, laptop, phone, bobs)
			cookies := []string{laptop.cookie, phone.cookie, bobs.cookie}
			u.events.reset()

			laptop.do(http.MethodPost, "/revoke?handle="+handle)
			if !errors.Is(u.err, tc.wantErr) || (tc.wantErr == nil && u.err != nil) {
				t.Fatalf("Revoke(alice, %q) = %v, want %v", handle, u.err, tc.wantErr)
			}
			// Replay the cookies as they were: a client that dropped its
			// cookie proves nothing about the server.
			for n, name := range []string{"laptop", "phone", "bob"} {
				checkSignedIn(t, name, &client{a: u.app, cookie: cookies[n]}, tc.signedIn[n])
			}
			ev, ok := u.events.find(session.EventRevoked)
			if ok != tc.wantEvent {
				t.Fatalf("events = %v, want %s: %v", u.events.kinds(), session.EventRevoked, tc.wantEvent)
			}
			if ok && ev.Handle != handle {
				t.Errorf("%s event handle = %q, want %q", ev.Kind, ev.Handle, handle)
			}
		})
	}
}

func TestRevokeAnotherUsersSessionDirectly(t *testing.T) {
	u := newUsersApp(t, session.Config{})
	bobs := u.device("192.0.2.3", "Edge")
	bobs.mustLogin(t, "bob")
	handle := u.handleOf(t, bobs)
	if err := u.m.Revoke(t.Context(), "alice", handle); !errors.Is(err, session.ErrNotFound) {
		t.Fatalf("Revoke(alice, bob's handle) = %v, want ErrNotFound", err)
	}
	checkSignedIn(t, "bob", bobs.client, true)
}

func TestRevokeOthers(t *testing.T) {
	u := newUsersApp(t, session.Config{})
	devices := []*deviceClient{u.device("192.0.2.1", "a"), u.device("192.0.2.2", "b"), u.device("192.0.2.3", "c")}
	for _, d := range devices {
		d.mustLogin(t, "alice")
	}
	bobs := u.device("192.0.2.9", "bob")
	bobs.mustLogin(t, "bob")
	keep := u.handleOf(t, devices[0])
	u.events.reset()

	if resp := devices[0].do(http.MethodPost, "/revoke-others"); resp.StatusCode != http.StatusOK {
		t.Fatalf("POST /revoke-others = %d %s", resp.StatusCode, body(resp))
	}
	if u.revoked != 2 {
		t.Errorf("RevokeOthers = %d, want 2", u.revoked)
	}
	for n, d := range devices {
		checkSignedIn(t, fmt.Sprintf("deviceClient %d", n), d.client, n == 0)
	}
	checkSignedIn(t, "bob", bobs.client, true)
	revoked := eventsOfKind(u.events, session.EventRevoked)
	for _, ev := range revoked {
		if ev.Handle == keep {
			t.Errorf("%s event for the kept session", ev.Kind)
		}
	}
	if len(revoked) != 2 {
		t.Errorf("%d %s events, want 2", len(revoked), session.EventRevoked)
	}
}

func TestRevokeOthersNeedsASignedInUser(t *testing.T) {
	u := newUsersApp(t, session.Config{})
	anon := u.device("192.0.2.1", "a")
	anon.fetchCSRF()
	anon.do(http.MethodPost, "/revoke-others")
	if !errors.Is(u.err, session.ErrAnonymous) {
		t.Fatalf("RevokeOthers(anonymous) = %v, want ErrAnonymous", u.err)
	}
}

// TestRevokeAllIncludesTheRequestingSession is the "disable my account"
// case: the request that asks ends its own session too, and must not write
// it back at the end.
func TestRevokeAllIncludesTheRequestingSession(t *testing.T) {
	u := newUsersApp(t, session.Config{})
	laptop, phone := u.device("192.0.2.1", "a"), u.device("192.0.2.2", "b")
	laptop.mustLogin(t, "alice")
	phone.mustLogin(t, "alice")
	stolen := laptop.cookie
	before := u.store.writes.Load()

	resp := laptop.do(http.MethodPost, "/revoke-all")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("POST /revoke-all = %d %s", resp.StatusCode, body(resp))
	}
	if u.revoked != 2 {
		t.Errorf("RevokeAll = %d, want 2", u.revoked)
	}
	if got := u.store.writes.Load() - before; got != 1 {
		t.Errorf("store writes = %d, want 1 (the DeleteUser; nothing written back)", got)
	}
	if sc := resp.Header.Get("Set-Cookie"); !strings.Contains(sc, "Max-Age=0") {
		t.Errorf("Set-Cookie = %q, want the requesting session's cookie expired", sc)
	}
	if n := len(sessionsOf(t, u.app, "alice")); n != 0 {
		t.Errorf("Sessions(alice) after RevokeAll = %d sessions, want 0", n)
	}
	checkSignedIn(t, "laptop replaying its cookie", &client{a: u.app, cookie: stolen}, false)
	checkSignedIn(t, "phone", phone.client, false)
}

func TestSessionLimit(t *testing.T) {
	t.Run("evict_oldest_ends_the_oldest_created", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			u := newUsersApp(t, session.Config{MaxSessionsPerUser: 2})
			first, second, third := u.device("192.0.2.1", "a"), u.device("192.0.2.2", "b"), u.device("192.0.2.3", "c")
			first.mustLogin(t, "alice")
			oldest := u.handleOf(t, first)
			time.Sleep(time.Minute)
			second.mustLogin(t, "alice")
			time.Sleep(time.Minute)
			first.do(http.MethodGet, "/whoami") // oldest, but most recently active
			time.Sleep(time.Minute)
			u.events.reset()
			third.mustLogin(t, "alice")

			revoked := eventsOfKind(u.events, session.EventRevoked)
			if len(revoked) != 1 {
				t.Fatalf("events = %v, want one %s", u.events.kinds(), session.EventRevoked)
			}
			if ev := revoked[0]; ev.Handle != oldest || ev.Detail != "session limit" {
				t.Errorf("%s event = handle %q detail %q, want %q %q", ev.Kind, ev.Handle, ev.Detail, oldest, "session limit")
			}
			checkSignedIn(t, "first", first.client, false)
			checkSignedIn(t, "second", second.client, true)
			checkSignedIn(t, "third", third.client, true)
		})
	})
	t.Run("refuse_new_session_keeps_the_existing_ones", func(t *testing.T) {
		u := newUsersApp(t, session.Config{MaxSessionsPerUser: 2, SessionLimitPolicy: session.RefuseNewSession})
		first, second, third := u.device("192.0.2.1", "a"), u.device("192.0.2.2", "b"), u.device("192.0.2.3", "c")
		first.mustLogin(t, "alice")
		second.mustLogin(t, "alice")
		u.events.reset()
		third.login("alice")
		if !errors.Is(u.err, session.ErrTooManySessions) {
			t.Fatalf("third Login = %v, want ErrTooManySessions", u.err)
		}
		if _, ok := u.events.find(session.EventLimitRefused); !ok {
			t.Errorf("events = %v, want %s", u.events.kinds(), session.EventLimitRefused)
		}
		checkSignedIn(t, "first", first.client, true)
		checkSignedIn(t, "second", second.client, true)
		checkSignedIn(t, "third", third.client, false)
	})
	t.Run("login_again_on_a_counted_session_is_not_refused", func(t *testing.T) {
		u := newUsersApp(t, session.Config{MaxSessionsPerUser: 2, SessionLimitPolicy: session.RefuseNewSession})
		first, second := u.device("192.0.2.1", "a"), u.device("192.0.2.2", "b")
		first.mustLogin(t, "alice")
		second.mustLogin(t, "alice")
		if err := first.login("alice"); err != nil {
			t.Fatalf("login again at the cap = %v, want nil", err)
		}
		if n := len(sessionsOf(t, u.app, "alice")); n != 2 {
			t.Errorf("Sessions(alice) = %d sessions, want 2", n)
		}
	})
}

func TestHandlesArePublicNames(t *testing.T) {
	u := newUsersApp(t, session.Config{})
	seen := map[string]bool{}
	for n := range 8 {
		d := u.device(fmt.Sprintf("192.0.2.%d", n+1), "ua")
		d.mustLogin(t, "alice")
		h := u.handleOf(t, d)
		if len(h) != 16 || !session.ValidHandle(h) {
			t.Errorf("handle %q: length %d, ValidHandle %v, want 16 and true", h, len(h), session.ValidHandle(h))
		}
		if seen[h] {
			t.Errorf("handle %q issued twice", h)
		}
		seen[h] = true
		if common := longestCommonSubstring(h, d.cookie); len(common) >= 6 {
			t.Errorf("handle %q shares %q with its session's cookie", h, common)
		}
	}
}

func longestCommonSubstring(a, b string) string {
	var best string
	for i := range a {
		for j := i + len(best) + 1; j <= len(a); j++ {
			if !strings.Contains(b, a[i:j]) {
				break
			}
			best = a[i:j]
		}
	}
	return best
}

func TestValidHandle(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want bool
	}{
		{"sixteen_base64url_characters_are_valid", "AAAAAAAAAAAAAAAA", true},
		{"url_safe_alphabet_is_valid", "abcdefghijklmn-_", true},

		// Wrong length.
		{"empty_is_invalid", "", false},
		{"fifteen_characters_are_invalid", "AAAAAAAAAAAAAAA", false},
		{"seventeen_characters_are_invalid", "AAAAAAAAAAAAAAAAA", false},
		{"session_token_length_is_invalid", strings.Repeat("A", 43), false},

		// Right length, wrong alphabet: std base64, padding, injection.
		{"standard_alphabet_is_invalid", "abcdefghijklmn+/", false},
		{"padding_is_invalid", "AAAAAAAAAAAAAA==", false},
		{"space_is_invalid", "AAAAAAA AAAAAAAA", false},
		{"newline_is_invalid", "AAAAAAAAAAAAAA\r\n", false},
		{"multibyte_utf8_is_invalid", "éééééééé", false},
		{"path_traversal_is_invalid", "../../../../etc/", false},
		{"nul_is_invalid", "AAAAAAAAAAAAAAA\x00", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := session.ValidHandle(tc.in); got != tc.want {
				t.Errorf("ValidHandle(%q) = %v, want %v", tc.in, got, tc.want)
			}
		})
	}
}

// eventsOfKind returns the recorded events of one kind.
func eventsOfKind(e *events, kind session.EventKind) []session.Event {
	e.mu.Lock()
	defer e.mu.Unlock()
	var out []session.Event
	for _, ev := range e.all {
		if ev.Kind == kind {
			out = append(out, ev)
		}
	}
	return out
}
