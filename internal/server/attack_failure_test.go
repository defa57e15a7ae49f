package server_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/sessiond/sessiond/internal/server"
	"github.com/sessiond/sessiond/session"
)

// TestStoreGoneMidRun: while the session store cannot answer, nothing that
// depends on a session answers 200 — not forward-auth, not the API, not
// the pages — and everything works again with the same cookie once the
// store is back.
func TestStoreGoneMidRun(t *testing.T) {
	h := newHarness(t, withUpstream())
	h.createUser(t, "alice", alicePassword)
	b := h.browser(firefoxUA)
	b.login(t, "alice", alicePassword)
	tok := b.csrf(t, "/sessions")
	token := b.cookie()

	requests := []struct {
		name   string
		method string
		path   string
		header []string
		body   string
		json   bool
	}{
		{"forward_auth", "GET", "/auth", nil, "", true},
		{"forward_auth_browser", "GET", "/auth", []string{"Accept", htmlAccept}, "", false},
		{"whoami", "GET", "/api/v1/whoami", []string{"Accept", jsonAccept}, "", true},
		{"api_sessions", "GET", "/api/v1/sessions", []string{"Accept", jsonAccept}, "", true},
		{"sessions_page", "GET", "/sessions", []string{"Accept", htmlAccept}, "", false},
		{"login_page", "GET", "/login", []string{"Accept", htmlAccept}, "", false},
		{"proxied_application", "GET", "/app", []string{"Accept", jsonAccept}, "", true},
		{"logout", "POST", "/logout", []string{"Accept", htmlAccept, "Content-Type", "application/x-www-form-urlencoded"},
			url.Values{"csrf_token": {tok}}.Encode(), false},
		{"api_revoke_others", "POST", "/api/v1/sessions/revoke-others", []string{"Accept", jsonAccept, "X-CSRF-Token", tok}, "", true},
	}

	events := h.events.mark()
	h.store.down.Store(true)
	for _, tc := range requests {
		t.Run("store_down/"+tc.name, func(t *testing.T) {
			resp := b.do(t, tc.method, tc.path, strings.NewReader(tc.body), tc.header...)
			if tc.json {
				resp.wantError(t, tc.method+" "+tc.path, http.StatusServiceUnavailable, "store_unavailable",
					"the session store is unavailable; try again shortly")
			} else {
				resp.wantStatus(t, tc.method+" "+tc.path, http.StatusServiceUnavailable)
				if !strings.Contains(resp.body, "the session store is unavailable") || strings.Contains(resp.body, errStoreDown.Error()) {
					t.Errorf("503 page:\n%s", resp.body)
				}
			}
			if got := resp.header.Get("Retry-After"); got != "5" {
				t.Errorf("Retry-After = %q, want 5", got)
			}
			if b.cookie() != token {
				t.Error("the outage changed the browser's cookie")
			}
		})
	}
	t.Run("store_down/readyz", func(t *testing.T) {
		h.do(t, "GET", "/readyz", nil).wantStatus(t, "GET /readyz", http.StatusServiceUnavailable)
	})
	t.Run("store_down/login", func(t *testing.T) {
		fresh := h.browser(curlUA)
		mark := h.audit.mark()
		// No cookie yet, so the page itself loads; the session cannot be
		// stored, so the form cannot be served with a token either.
		resp := fresh.page(t, "/login")
		resp.wantStatus(t, "GET /login without a cookie", http.StatusServiceUnavailable)
		h.noAudit(t, mark, "login")
	})
	t.Run("store_down/evidence", func(t *testing.T) {
		if len(h.events.since(events, session.EventStoreError)) == 0 {
			t.Errorf("no store_error events; events:\n%s", h.events.String())
		}
		if m := h.do(t, "GET", "/metrics", nil).body; strings.Contains(m, `sessiond_store_errors_total{op="get"} 0`) {
			t.Errorf("store errors not counted:\n%s", grepLines(m, "sessiond_store_errors_total"))
		}
		if n := h.upstream.hits.Load(); n != 0 {
			t.Errorf("the upstream was reached %d times during the outage", n)
		}
	})

	h.store.down.Store(false)
	t.Run("store_back", func(t *testing.T) {
		if b.cookie() != token {
			t.Fatal("the browser lost its cookie during the outage")
		}
		b.whoami(t).wantStatus(t, "whoami", http.StatusOK)
		b.do(t, "GET", "/auth", nil).wantStatus(t, "GET /auth", http.StatusOK)
		b.page(t, "/sessions").wantStatus(t, "GET /sessions", http.StatusOK)
		b.do(t, "GET", "/app", nil).wantStatus(t, "GET /app", http.StatusOK)
		h.do(t, "GET", "/readyz", nil).wantStatus(t, "GET /readyz", http.StatusOK)
	})
}

// TestStoreGoneForAnonymousRequests: without a cookie nothing needs the
// store, and the answers stay the anonymous ones, never a 200.
func TestStoreGoneForAnonymousRequests(t *testing.T) {
	h := newHarness(t)
	h.store.down.Store(true)
	h.do(t, "GET", "/auth", nil).wantError(t, "anonymous GET /auth", http.StatusUnauthorized, "unauthenticated", "sign in first")
	h.do(t, "GET", "/api/v1/whoami", nil).wantStatus(t, "anonymous whoami", http.StatusUnauthorized)
	if r := h.do(t, "GET", "/sessions", nil, "Accept", htmlAccept); r.status != http.StatusSeeOther {
		t.Errorf("anonymous GET /sessions: status %d, want 303", r.status)
	}
}

// TestPanicInHandlerIsRecovered: a handler that panics gets a 500, the
// panic is logged with its stack, and the server goes on serving. The
// panic comes from Deps.Ready, the readiness check a handler calls.
func TestPanicInHandlerIsRecovered(t *testing.T) {
	h := newHarness(t, withDeps(func(d *server.Deps) {
		d.Ready = func(context.Context) error { panic("readiness check exploded") }
	}))
	h.panicsExpected.Store(true)
	for range 3 {
		resp := h.do(t, "GET", "/readyz", nil)
		resp.wantError(t, "GET /readyz", http.StatusInternalServerError, "internal", "internal error")
		if strings.Contains(resp.body, "exploded") {
			t.Errorf("the panic value reached the client: %s", resp.body)
		}
	}
	logs := h.log.String()
	if !strings.Contains(logs, `"msg":"handler panicked"`) || !strings.Contains(logs, "readiness check exploded") || !strings.Contains(logs, "goroutine") {
		t.Errorf("the panic is not logged with its value and stack:\n%s", logs)
	}
	if strings.Contains(logs, "panic serving") {
		t.Error("the panic reached net/http, which drops the connection")
	}
	h.do(t, "GET", "/healthz", nil).wantStatus(t, "GET /healthz after the panics", http.StatusOK)
	m := h.do(t, "GET", "/metrics", nil).body
	if !strings.Contains(m, `sessiond_http_request_duration_seconds_count{code="500",route="GET /readyz"} 3`) {
		t.Errorf("the 500s are not counted:\n%s", grepLines(m, "readyz"))
	}
}
