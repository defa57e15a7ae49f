package server_test

import (
	"net/http"
	"testing"
)

const (
	wantCSP = "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; " +
		"frame-ancestors 'none'; base-uri 'none'"
	wantHSTS = "max-age=31536000; includeSubDomains"
)

// securityHeaders are the headers of every page and API answer sessiond
// renders itself, HSTS aside.
var securityHeaders = map[string]string{
	"Cache-Control":              "no-store",
	"Content-Security-Policy":    wantCSP,
	"X-Content-Type-Options":     "nosniff",
	"X-Frame-Options":            "DENY",
	"Referrer-Policy":            "no-referrer",
	"Cross-Origin-Opener-Policy": "same-origin",
}

func TestSecurityHeaders(t *testing.T) {
	h := newHarness(t)
	h.createUser(t, "alice", alicePassword)
	b := h.browser(firefoxUA)
	b.login(t, "alice", alicePassword)
	anon := h.browser(firefoxUA)
	tests := []struct {
		name   string
		client *browser
		path   string
		status int
	}{
		{"login_page", anon, "/login", http.StatusOK},
		{"home_page", b, "/", http.StatusOK},
		{"sessions_page", b, "/sessions", http.StatusOK},
		{"password_page", b, "/account/password", http.StatusOK},
		{"redirect_to_login", anon, "/sessions", http.StatusSeeOther},
		{"whoami", b, "/api/v1/whoami", http.StatusOK},
		{"whoami_401", anon, "/api/v1/whoami", http.StatusUnauthorized},
		{"api_sessions", b, "/api/v1/sessions", http.StatusOK},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			resp := tc.client.page(t, tc.path)
			resp.wantStatus(t, "GET "+tc.path, tc.status)
			for name, want := range securityHeaders {
				if got := resp.header.Get(name); got != want {
					t.Errorf("%s = %q, want %q", name, got, want)
				}
			}
			if got := resp.header.Get("Strict-Transport-Security"); got != wantHSTS {
				t.Errorf("Strict-Transport-Security over TLS = %q, want %q", got, wantHSTS)
			}
		})
	}
}

// TestHSTSOnlyOverHTTPS: HSTS is sent when the client's connection was
// HTTPS, as a trusted proxy may report, and never over plain HTTP, where
// browsers ignore it and an attacker could inject it.
func TestHSTSOnlyOverHTTPS(t *testing.T) {
	tests := []struct {
		name    string
		trusted bool
		header  []string
		want    string
	}{
		{"plain_http", false, nil, ""},
		{"untrusted_peer_claiming_https", false, []string{"X-Forwarded-Proto", "https"}, ""},
		{"trusted_proxy_reporting_https", true, []string{"X-Forwarded-Proto", "https"}, wantHSTS},
		{"trusted_proxy_reporting_http", true, []string{"X-Forwarded-Proto", "http"}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			opts := []option{withPlainHTTP()}
			if tc.trusted {
				opts = append(opts, withTrustedProxies("127.0.0.1"))
			}
			h := newHarness(t, opts...)
			resp := h.do(t, "GET", "/login", nil, tc.header...)
			resp.wantStatus(t, "GET /login over plain HTTP", http.StatusOK)
			if got := resp.header.Get("Strict-Transport-Security"); got != tc.want {
				t.Errorf("Strict-Transport-Security = %q, want %q", got, tc.want)
			}
			if got := resp.header.Get("Content-Security-Policy"); got != wantCSP {
				t.Errorf("Content-Security-Policy = %q, want %q", got, wantCSP)
			}
			if c, ok := resp.cookie("sessiond_sid"); !ok || c.Secure {
				t.Errorf("plain-HTTP session cookie = %+v, want sessiond_sid without Secure", c)
			}
		})
	}
}

// TestErrorResponsesAreNotCached: error answers written by respond.go and
// by the session middleware carry no-store too.
func TestErrorResponsesAreNotCached(t *testing.T) {
	h := newHarness(t, withAdminToken())
	tests := []struct {
		name   string
		method string
		path   string
		status int
	}{
		{"admin_401", "GET", "/admin/v1/users", http.StatusUnauthorized},
		{"csrf_403", "POST", "/logout", http.StatusForbidden},
		{"unknown_route_404", "GET", "/api/v1/nothing", http.StatusNotFound},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			resp := h.do(t, tc.method, tc.path, nil, "Accept", jsonAccept)
			resp.wantStatus(t, tc.method+" "+tc.path, tc.status)
			if tc.status != http.StatusNotFound {
				if got := resp.header.Get("Cache-Control"); got != "no-store" {
					t.Errorf("Cache-Control = %q, want no-store", got)
				}
			}
			if got := resp.header.Get("X-Content-Type-Options"); got != "nosniff" {
				t.Errorf("X-Content-Type-Options = %q, want nosniff", got)
			}
		})
	}
}

// TestSecurityHeadersOnMiddlewareErrors: the pages the session middleware
// answers with (a failed CSRF check, the store down) are sessiond's pages
// too, although the middleware drops every header set before it fails.
func TestSecurityHeadersOnMiddlewareErrors(t *testing.T) {
	h := newHarness(t)
	h.createUser(t, "alice", alicePassword)
	b := h.browser(firefoxUA)
	b.login(t, "alice", alicePassword)
	tests := []struct {
		name      string
		storeDown bool
		method    string
		path      string
		accept    string
		status    int
	}{
		{"csrf_failure_page", false, "POST", "/logout", htmlAccept, http.StatusForbidden},
		{"csrf_failure_json", false, "POST", "/api/v1/sessions/revoke-others", jsonAccept, http.StatusForbidden},
		{"store_down_page", true, "GET", "/sessions", htmlAccept, http.StatusServiceUnavailable},
		{"store_down_json", true, "GET", "/api/v1/whoami", jsonAccept, http.StatusServiceUnavailable},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h.store.down.Store(tc.storeDown)
			defer h.store.down.Store(false)
			resp := b.do(t, tc.method, tc.path, nil, "Accept", tc.accept)
			resp.wantStatus(t, tc.method+" "+tc.path, tc.status)
			for name, want := range securityHeaders {
				if got := resp.header.Get(name); got != want {
					t.Errorf("%s = %q, want %q", name, got, want)
				}
			}
		})
	}
}
