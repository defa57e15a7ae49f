package server_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/sessiond/sessiond/session"
)

func TestLogout(t *testing.T) {
	t.Run("ends_the_session_and_clears_the_browser", func(t *testing.T) {
		h := newHarness(t)
		h.createUser(t, "alice", alicePassword)
		b := h.browser(firefoxUA)
		b.login(t, "alice", alicePassword)
		handle, token := b.handle(t), b.cookie()
		tok := b.csrf(t, "/sessions")
		mark, events := h.audit.mark(), h.events.mark()

		resp := b.submit(t, "/logout", url.Values{"csrf_token": {tok}})
		resp.wantStatus(t, "POST /logout", http.StatusSeeOther)
		if got := resp.location(); got != "/login" {
			t.Errorf("Location = %q, want /login", got)
		}
		if got := resp.header.Get("Clear-Site-Data"); got != `"cookies", "storage"` {
			t.Errorf("Clear-Site-Data = %q, want %q", got, `"cookies", "storage"`)
		}
		c, ok := resp.cookie(cookieName)
		if !ok || c.Value != "" || c.MaxAge >= 0 {
			t.Errorf("logout cookie = %+v, want an empty value with Max-Age=0", c)
		}
		if b.cookie() != "" {
			t.Errorf("the browser still holds a session cookie after logout")
		}
		h.wantAudit(t, mark, "logout", "user", "alice")
		if ev := h.wantEvent(t, events, session.EventLogout, ""); ev.Handle != handle {
			t.Errorf("logout event handle = %q, want %q", ev.Handle, handle)
		}

		// The server forgot the session: the old cookie is worthless.
		h.replay(t, token).wantError(t, "whoami with the logged-out cookie", http.StatusUnauthorized, "unauthenticated", "sign in first")
		if r := b.page(t, "/sessions"); r.status != http.StatusSeeOther || r.location() != "/login?return_to=%2Fsessions" {
			t.Errorf("GET /sessions after logout: %d %q, want 303 to /login?return_to=%%2Fsessions", r.status, r.location())
		}
	})
	t.Run("anonymous_logout_is_harmless", func(t *testing.T) {
		h := newHarness(t)
		b := h.browser(firefoxUA)
		tok := b.csrf(t, "/login")
		mark := h.audit.mark()
		resp := b.submit(t, "/logout", url.Values{"csrf_token": {tok}})
		resp.wantStatus(t, "anonymous POST /logout", http.StatusSeeOther)
		if got := resp.location(); got != "/login" {
			t.Errorf("Location = %q, want /login", got)
		}
		h.noAudit(t, mark, "logout")
	})
	t.Run("get_is_not_a_logout", func(t *testing.T) {
		h := newHarness(t)
		h.createUser(t, "alice", alicePassword)
		b := h.browser(firefoxUA)
		b.login(t, "alice", alicePassword)
		// A logout by GET would let any page log the user out with an <img>.
		resp := b.page(t, "/logout")
		if resp.status != http.StatusMethodNotAllowed {
			t.Errorf("GET /logout: status %d, want 405", resp.status)
		}
		b.whoami(t).wantStatus(t, "whoami after GET /logout", http.StatusOK)
	})
}
