package server_test

import (
	"net/http"
	"strings"
	"testing"
)

func TestHealthz(t *testing.T) {
	h := newHarness(t)
	h.store.down.Store(true) // alive is not ready: the store does not matter here
	resp := h.do(t, "GET", "/healthz", nil)
	resp.wantStatus(t, "GET /healthz", http.StatusOK)
	if strings.TrimSpace(resp.body) != `{"status":"ok"}` {
		t.Errorf("body = %s, want {\"status\":\"ok\"}", resp.body)
	}
	if cc := resp.header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("Cache-Control = %q, want no-store", cc)
	}
}

func TestReadyz(t *testing.T) {
	h := newHarness(t)
	resp := h.do(t, "GET", "/readyz", nil)
	resp.wantStatus(t, "GET /readyz", http.StatusOK)
	if strings.TrimSpace(resp.body) != `{"status":"ready"}` {
		t.Errorf("body = %s, want {\"status\":\"ready\"}", resp.body)
	}

	h.store.down.Store(true)
	resp = h.do(t, "GET", "/readyz", nil)
	resp.wantStatus(t, "GET /readyz with the store down", http.StatusServiceUnavailable)
	want := `{"error":{"code":"store_unavailable","message":"the session store does not answer"},"status":"unavailable"}`
	if strings.TrimSpace(resp.body) != want {
		t.Errorf("body = %s, want %s", resp.body, want)
	}
	if strings.Contains(resp.body, errStoreDown.Error()) {
		t.Error("the store's error reached the client")
	}
	if !strings.Contains(h.log.String(), errStoreDown.Error()) {
		t.Errorf("the store's error is not logged:\n%s", h.log.String())
	}

	h.store.down.Store(false)
	h.do(t, "GET", "/readyz", nil).wantStatus(t, "GET /readyz with the store back", http.StatusOK)
}

func TestMetrics(t *testing.T) {
	h := newHarness(t)
	h.createUser(t, "alice", alicePassword)
	h.browser(firefoxUA).login(t, "alice", alicePassword)
	resp := h.do(t, "GET", "/metrics", nil)
	resp.wantStatus(t, "GET /metrics", http.StatusOK)
	for _, want := range []string{
		`sessiond_logins_total{result="success"} 1`,
		`sessiond_logins_total{result="failure"} 0`,
		`sessiond_session_events_total{kind="login"} 1`,
		`sessiond_http_request_duration_seconds_count{code="303",route="POST /login"} 1`,
		`sessiond_http_request_duration_seconds_count{code="200",route="GET /login"} 1`,
		`sessiond_store_duration_seconds_count{op="create"} `,
		`sessiond_store_errors_total{op="get"} 0`,
		`sessiond_revocations_total 0`,
		`sessiond_csrf_failures_total 0`,
		`sessiond_expiries_total{timeout="idle"} 0`,
		`sessiond_sessions_live 1`,
	} {
		if !strings.Contains(resp.body, want) {
			t.Errorf("metrics lack %q", want)
		}
	}
	// Labels never carry who uses the service.
	for _, leak := range []string{"alice", "127.0.0.1", firefoxUA} {
		if strings.Contains(resp.body, leak) {
			t.Errorf("metrics contain %q", leak)
		}
	}
}

func TestStaticFiles(t *testing.T) {
	h := newHarness(t)
	resp := h.do(t, "GET", "/static/style.css", nil)
	resp.wantStatus(t, "GET /static/style.css", http.StatusOK)
	if ct := resp.header.Get("Content-Type"); !strings.HasPrefix(ct, "text/css") {
		t.Errorf("Content-Type = %q, want text/css", ct)
	}
	h.do(t, "GET", "/static/nothing.css", nil).wantStatus(t, "GET /static/nothing.css", http.StatusNotFound)
}
