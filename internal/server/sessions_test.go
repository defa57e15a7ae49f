package server_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/sessiond/sessiond/session"
)

// twoDevices signs alice in from a curl-like client (the returned "this
// device") and from Firefox on Windows.
func twoDevices(t *testing.T, h *harness) (here, other *browser) {
	t.Helper()
	h.createUser(t, "alice", alicePassword)
	here, other = h.browser(curlUA), h.browser(firefoxUA)
	here.login(t, "alice", alicePassword)
	other.login(t, "alice", alicePassword)
	return here, other
}

func TestSessionsPage(t *testing.T) {
	t.Run("lists_every_session_and_marks_this_device", func(t *testing.T) {
		h := newHarness(t)
		here, _ := twoDevices(t, h)
		resp := here.page(t, "/sessions")
		resp.wantStatus(t, "GET /sessions", http.StatusOK)
		current := regexp.MustCompile(`<li class="current">\s*<div><strong>curl 8</strong> <span class="badge">This device</span></div>\s*<div class="meta">127\.0\.0\.1 · `)
		if !current.MatchString(resp.body) {
			t.Errorf("the curl session is not marked as this device:\n%s", resp.body)
		}
		if !regexp.MustCompile(`<li>\s*<div><strong>Firefox 121 on Windows</strong></div>`).MatchString(resp.body) {
			t.Errorf("the Firefox session is missing or marked current:\n%s", resp.body)
		}
		if n := strings.Count(resp.body, "This device"); n != 1 {
			t.Errorf(`"This device" appears %d times, want 1`, n)
		}
		// Only the other session has a revoke button, and there is one
		// button for all others.
		if n := strings.Count(resp.body, `action="/sessions/revoke"`); n != 1 {
			t.Errorf("%d revoke forms, want 1", n)
		}
		if !strings.Contains(resp.body, `action="/sessions/revoke-others"`) {
			t.Error("no revoke-others form")
		}
	})
	t.Run("go_client_is_named", func(t *testing.T) {
		h := newHarness(t)
		h.createUser(t, "alice", alicePassword)
		b := h.browser(goUA)
		b.login(t, "alice", alicePassword)
		if resp := b.page(t, "/sessions"); !strings.Contains(resp.body, "<strong>Go-http-client 1</strong>") {
			t.Errorf("the Go client's session is not described as Go-http-client 1:\n%s", resp.body)
		}
	})
	t.Run("anonymous_visitor_is_sent_to_login_and_back", func(t *testing.T) {
		h := newHarness(t)
		resp := h.browser(firefoxUA).page(t, "/sessions?done=revoked")
		resp.wantStatus(t, "anonymous GET /sessions", http.StatusSeeOther)
		if got, want := resp.location(), "/login?return_to=%2Fsessions%3Fdone%3Drevoked"; got != want {
			t.Errorf("Location = %q, want %q", got, want)
		}
	})
}

func TestSessionsRevoke(t *testing.T) {
	t.Run("revoking_another_device_ends_it", func(t *testing.T) {
		h := newHarness(t)
		here, other := twoDevices(t, h)
		victim := other.handle(t)
		tok := here.csrf(t, "/sessions")
		mark, events := h.audit.mark(), h.events.mark()
		resp := here.submit(t, "/sessions/revoke", url.Values{"csrf_token": {tok}, "handle": {victim}})
		resp.wantStatus(t, "POST /sessions/revoke", http.StatusSeeOther)
		if got := resp.location(); got != "/sessions?done=revoked" {
			t.Errorf("Location = %q, want /sessions?done=revoked", got)
		}
		other.whoami(t).wantError(t, "whoami of the revoked device", http.StatusUnauthorized, "unauthenticated", "sign in first")
		here.whoami(t).wantStatus(t, "whoami of the revoking device", http.StatusOK)
		h.wantAudit(t, mark, "session_revoked", "user", "alice", "handle", victim)
		if ev := h.wantEvent(t, events, session.EventRevoked, "by handle"); ev.Handle != victim {
			t.Errorf("revoked event handle = %q, want %q", ev.Handle, victim)
		}
		page := here.page(t, "/sessions?done=revoked")
		if !strings.Contains(page.body, "The session was signed out.") || strings.Contains(page.body, "Firefox") {
			t.Errorf("the sessions page after revoking:\n%s", page.body)
		}
	})
	t.Run("another_users_handle_cannot_be_revoked", func(t *testing.T) {
		h := newHarness(t)
		here, _ := twoDevices(t, h)
		h.createUser(t, "bob", bobPassword)
		bob := h.browser(firefoxUA)
		bob.login(t, "bob", bobPassword)
		tok := here.csrf(t, "/sessions")
		mark, events := h.audit.mark(), h.events.mark()
		resp := here.submit(t, "/sessions/revoke", url.Values{"csrf_token": {tok}, "handle": {bob.handle(t)}})
		resp.wantStatus(t, "POST /sessions/revoke with bob's handle", http.StatusSeeOther)
		bob.whoami(t).wantStatus(t, "bob's whoami", http.StatusOK)
		h.noAudit(t, mark, "session_revoked")
		if evs := h.events.since(events, session.EventRevoked); len(evs) != 0 {
			t.Errorf("revoked events: %v", evs)
		}
	})
	t.Run("revoke_others_keeps_only_this_device", func(t *testing.T) {
		h := newHarness(t)
		here, other := twoDevices(t, h)
		third := h.browser(goUA)
		third.login(t, "alice", alicePassword)
		tok := here.csrf(t, "/sessions")
		mark := h.audit.mark()
		resp := here.submit(t, "/sessions/revoke-others", url.Values{"csrf_token": {tok}})
		resp.wantStatus(t, "POST /sessions/revoke-others", http.StatusSeeOther)
		if got := resp.location(); got != "/sessions?done=revoked-others" {
			t.Errorf("Location = %q, want /sessions?done=revoked-others", got)
		}
		other.whoami(t).wantStatus(t, "other device", http.StatusUnauthorized)
		third.whoami(t).wantStatus(t, "third device", http.StatusUnauthorized)
		here.whoami(t).wantStatus(t, "this device", http.StatusOK)
		h.wantAudit(t, mark, "sessions_revoked", "user", "alice", "count", "2")
		page := here.page(t, "/sessions?done=revoked-others")
		if !strings.Contains(page.body, "Every other session was signed out.") || len(listItem.FindAllString(page.body, -1)) != 1 {
			t.Errorf("the sessions page after revoking the others:\n%s", page.body)
		}
	})
	t.Run("anonymous_post_is_refused", func(t *testing.T) {
		h := newHarness(t)
		b := h.browser(firefoxUA)
		tok := b.csrf(t, "/login")
		resp := b.submit(t, "/sessions/revoke-others", url.Values{"csrf_token": {tok}})
		resp.wantStatus(t, "anonymous POST /sessions/revoke-others", http.StatusUnauthorized)
		if m := errorParagraph.FindStringSubmatch(resp.body); m == nil || m[1] != "sign in first" {
			t.Errorf("error message = %q, want %q", m, "sign in first")
		}
	})
}

var listItem = regexp.MustCompile(`<li[ >]`)

// TestHomePage is the built-in protected page served without an upstream.
func TestHomePage(t *testing.T) {
	h := newHarness(t)
	h.createUser(t, "alice", alicePassword)
	b := h.browser(firefoxUA)
	if r := b.page(t, "/"); r.status != http.StatusSeeOther || r.location() != "/login" {
		t.Errorf("anonymous GET /: %d %q, want 303 to /login", r.status, r.location())
	}
	b.login(t, "alice", alicePassword)
	resp := b.page(t, "/")
	resp.wantStatus(t, "GET /", http.StatusOK)
	for _, want := range []string{"You are signed in as <strong>alice</strong>", "<code>" + b.handle(t) + "</code>", `action="/logout"`} {
		if !strings.Contains(resp.body, want) {
			t.Errorf("home page lacks %q:\n%s", want, resp.body)
		}
	}
	if r := b.page(t, "/no-such-page"); r.status != http.StatusNotFound {
		t.Errorf("GET /no-such-page: status %d, want 404", r.status)
	}
}
