package server_test

import (
	"encoding/json"
	"net/http"
	"slices"
	"testing"
	"time"
)

// sessionJSON is a session as GET /api/v1/sessions and the admin API
// return it.
type sessionJSON struct {
	Handle        string    `json:"handle"`
	CreatedAt     time.Time `json:"created_at"`
	LastSeenAt    time.Time `json:"last_seen_at"`
	IdleExpiresAt time.Time `json:"idle_expires_at"`
	ExpiresAt     time.Time `json:"expires_at"`
	AuthLevel     int       `json:"auth_level"`
	IP            string    `json:"ip"`
	UserAgent     string    `json:"user_agent"`
	Device        string    `json:"device"`
	Current       bool      `json:"current"`
}

func decodeSessions(t *testing.T, r *response) []sessionJSON {
	t.Helper()
	var v struct{ Sessions []sessionJSON }
	r.decode(t, &v)
	return v.Sessions
}

func TestWhoami(t *testing.T) {
	t.Run("signed_in_has_the_documented_shape", func(t *testing.T) {
		h := newHarness(t)
		h.createUser(t, "alice", alicePassword)
		b := h.browser(curlUA)
		b.login(t, "alice", alicePassword)
		resp := b.whoami(t)
		resp.wantStatus(t, "whoami", http.StatusOK)
		var top map[string]json.RawMessage
		resp.decode(t, &top)
		if keys := sortedKeys(top); !slices.Equal(keys, []string{"session", "user"}) {
			t.Errorf("whoami keys = %v, want [session user]", keys)
		}
		var sess map[string]json.RawMessage
		json.Unmarshal(top["session"], &sess)
		want := []string{"auth_level", "created_at", "expires_at", "handle", "idle_expires_at", "last_seen_at"}
		if keys := sortedKeys(sess); !slices.Equal(keys, want) {
			t.Errorf("whoami session keys = %v, want %v", keys, want)
		}
		var v struct {
			User    string
			Session sessionJSON
		}
		resp.decode(t, &v)
		now := h.clock.Now()
		s := v.Session
		switch {
		case v.User != "alice":
			t.Errorf("user = %q, want alice", v.User)
		case len(s.Handle) != 16 || s.AuthLevel != 1:
			t.Errorf("session = %+v, want a 16-character handle and auth_level 1", s)
		case !s.CreatedAt.Equal(now) || !s.LastSeenAt.Equal(now):
			t.Errorf("created_at %v, last_seen_at %v, want both %v", s.CreatedAt, s.LastSeenAt, now)
		case !s.IdleExpiresAt.Equal(now.Add(30 * time.Minute)):
			t.Errorf("idle_expires_at = %v, want 30 minutes after %v", s.IdleExpiresAt, now)
		case !s.ExpiresAt.Equal(now.Add(12 * time.Hour)):
			t.Errorf("expires_at = %v, want 12 hours after %v", s.ExpiresAt, now)
		}
		if cc := resp.header.Get("Cache-Control"); cc != "no-store" {
			t.Errorf("Cache-Control = %q, want no-store", cc)
		}
	})
	t.Run("anonymous_gets_401_in_the_error_shape", func(t *testing.T) {
		h := newHarness(t)
		resp := h.browser(curlUA).whoami(t)
		resp.wantError(t, "anonymous whoami", http.StatusUnauthorized, "unauthenticated", "sign in first")
		var top map[string]map[string]json.RawMessage
		resp.decode(t, &top)
		if len(top) != 1 || len(top["error"]) != 2 {
			t.Errorf("error body = %s, want exactly {\"error\":{\"code\",\"message\"}}", resp.body)
		}
	})
}

func sortedKeys[V any](m map[string]V) []string {
	var keys []string
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func TestAPISessions(t *testing.T) {
	h := newHarness(t)
	here, _ := twoDevices(t, h)
	resp := here.api(t, "GET", "/api/v1/sessions")
	resp.wantStatus(t, "GET /api/v1/sessions", http.StatusOK)
	got := decodeSessions(t, resp)
	if len(got) != 2 {
		t.Fatalf("%d sessions, want 2: %s", len(got), resp.body)
	}
	byDevice := map[string]sessionJSON{}
	for _, s := range got {
		byDevice[s.Device] = s
	}
	curl, firefox := byDevice["curl 8"], byDevice["Firefox 121 on Windows"]
	if !curl.Current || curl.UserAgent != curlUA || curl.IP != "127.0.0.1" || curl.Handle != here.handle(t) {
		t.Errorf("curl session = %+v, want the current one, from 127.0.0.1", curl)
	}
	if firefox.Current || firefox.UserAgent != firefoxUA || firefox.AuthLevel != 1 {
		t.Errorf("firefox session = %+v, want another, at auth level 1", firefox)
	}
	h.browser(curlUA).api(t, "GET", "/api/v1/sessions").
		wantError(t, "anonymous GET /api/v1/sessions", http.StatusUnauthorized, "unauthenticated", "sign in first")
}

func TestAPIRevoke(t *testing.T) {
	t.Run("delete_with_csrf_token_ends_the_session", func(t *testing.T) {
		h := newHarness(t)
		here, other := twoDevices(t, h)
		victim := other.handle(t)
		tok := here.csrf(t, "/sessions")
		mark := h.audit.mark()
		resp := here.api(t, "DELETE", "/api/v1/sessions/"+victim, "X-CSRF-Token", tok)
		resp.wantStatus(t, "DELETE /api/v1/sessions/{handle}", http.StatusNoContent)
		if resp.body != "" {
			t.Errorf("204 with a body: %q", resp.body)
		}
		other.whoami(t).wantStatus(t, "revoked device", http.StatusUnauthorized)
		h.wantAudit(t, mark, "session_revoked", "user", "alice", "handle", victim)
		// Gone means gone: a second DELETE does not find it.
		here.api(t, "DELETE", "/api/v1/sessions/"+victim, "X-CSRF-Token", tok).
			wantError(t, "second DELETE", http.StatusNotFound, "not_found", "not found")
	})
	t.Run("delete_without_csrf_token_is_refused", func(t *testing.T) {
		h := newHarness(t)
		here, other := twoDevices(t, h)
		here.api(t, "DELETE", "/api/v1/sessions/"+other.handle(t)).
			wantError(t, "DELETE without X-CSRF-Token", http.StatusForbidden, "csrf_failed", "")
		other.whoami(t).wantStatus(t, "the device that was not revoked", http.StatusOK)
	})
	t.Run("unknown_or_foreign_handles_are_not_found", func(t *testing.T) {
		h := newHarness(t)
		here, _ := twoDevices(t, h)
		h.createUser(t, "bob", bobPassword)
		bob := h.browser(firefoxUA)
		bob.login(t, "bob", bobPassword)
		tok := here.csrf(t, "/sessions")
		for _, handle := range []string{bob.handle(t), wellFormedHandle, "not-a-handle", "%2e%2e"} {
			here.api(t, "DELETE", "/api/v1/sessions/"+handle, "X-CSRF-Token", tok).
				wantError(t, "DELETE "+handle, http.StatusNotFound, "not_found", "not found")
		}
		bob.whoami(t).wantStatus(t, "bob", http.StatusOK)
	})
	t.Run("revoke_others", func(t *testing.T) {
		h := newHarness(t)
		here, other := twoDevices(t, h)
		tok := here.csrf(t, "/sessions")
		resp := here.api(t, "POST", "/api/v1/sessions/revoke-others", "X-CSRF-Token", tok)
		resp.wantStatus(t, "POST /api/v1/sessions/revoke-others", http.StatusOK)
		var v struct{ Revoked int }
		resp.decode(t, &v)
		if v.Revoked != 1 {
			t.Errorf("revoked = %d, want 1", v.Revoked)
		}
		other.whoami(t).wantStatus(t, "other device", http.StatusUnauthorized)
		here.whoami(t).wantStatus(t, "this device", http.StatusOK)
		here.api(t, "POST", "/api/v1/sessions/revoke-others").
			wantError(t, "revoke-others without a token", http.StatusForbidden, "csrf_failed", "")
	})
}
