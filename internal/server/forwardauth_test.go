package server_test

import (
	"net/http"
	"testing"
	"time"
)

func TestForwardAuthSignedIn(t *testing.T) {
	h := newHarness(t)
	h.createUser(t, "alice", alicePassword)
	b := h.browser(firefoxUA)
	b.login(t, "alice", alicePassword)
	handle := b.handle(t)
	for _, path := range []string{"/auth", "/auth?redirect=false", "/auth?rotate=false"} {
		resp := b.do(t, "GET", path, nil, "X-Forwarded-Uri", "/app")
		resp.wantStatus(t, "GET "+path, http.StatusOK)
		want := map[string]string{"X-Auth-User": "alice", "X-Auth-Session": handle, "X-Auth-Level": "1", "Cache-Control": "no-store"}
		for name, value := range want {
			if got := resp.header.Get(name); got != value {
				t.Errorf("GET %s: %s = %q, want %q", path, name, got, value)
			}
		}
		if resp.body != "" {
			t.Errorf("GET %s: body %q, want none", path, resp.body)
		}
	}
}

func TestForwardAuthAnonymous(t *testing.T) {
	tests := []struct {
		name     string
		trusted  bool
		path     string
		header   []string
		status   int
		location string // relative to the public URL
	}{
		// API clients and proxies that redirect themselves get 401.
		{"api_client_gets_401", true, "/auth", []string{"Accept", jsonAccept, "X-Forwarded-Uri", "/app"}, http.StatusUnauthorized, ""},
		{"no_accept_gets_401", true, "/auth", []string{"X-Forwarded-Uri", "/app"}, http.StatusUnauthorized, ""},
		{"redirect_false_gets_401_even_for_browsers", true, "/auth?redirect=false",
			[]string{"Accept", htmlAccept, "X-Forwarded-Uri", "/app"}, http.StatusUnauthorized, ""},

		// Browser navigations are sent to the login page, and back to the
		// original URL only if a trusted proxy reported it.
		{"browser_behind_trusted_proxy_returns_to_forwarded_uri", true, "/auth",
			[]string{"Accept", htmlAccept, "X-Forwarded-Uri", "/app/page?x=1"}, http.StatusFound, "/login?return_to=%2Fapp%2Fpage%3Fx%3D1"},
		{"nginx_original_uri_is_read_too", true, "/auth",
			[]string{"Accept", htmlAccept, "X-Original-URI", "/nginx/app"}, http.StatusFound, "/login?return_to=%2Fnginx%2Fapp"},
		{"sec_fetch_mode_navigate_counts_as_a_browser", true, "/auth",
			[]string{"Sec-Fetch-Mode", "navigate", "X-Forwarded-Uri", "/app"}, http.StatusFound, "/login?return_to=%2Fapp"},
		{"untrusted_peer_gets_no_return_to", false, "/auth",
			[]string{"Accept", htmlAccept, "X-Forwarded-Uri", "/app/page"}, http.StatusFound, "/login"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var opts []option
			if tc.trusted {
				opts = append(opts, withTrustedProxies("127.0.0.0/8"))
			}
			h := newHarness(t, opts...)
			resp := h.browser(firefoxUA).do(t, "GET", tc.path, nil, tc.header...)
			if tc.status == http.StatusUnauthorized {
				resp.wantError(t, "GET "+tc.path, tc.status, "unauthenticated", "sign in first")
			} else {
				resp.wantStatus(t, "GET "+tc.path, tc.status)
			}
			if got, want := resp.location(), tc.location; want != "" && got != h.url(want) || want == "" && got != "" {
				t.Errorf("Location = %q, want %q", got, h.url(want))
			}
			for _, name := range []string{"X-Auth-User", "X-Auth-Session", "X-Auth-Level"} {
				if v := resp.header.Get(name); v != "" {
					t.Errorf("anonymous answer carries %s: %q", name, v)
				}
			}
		})
	}
}

// TestForwardAuthRotation: a proxy that cannot pass Set-Cookie on asks
// with ?rotate=false, and the token stays; otherwise a due rotation
// happens on /auth like on any request.
func TestForwardAuthRotation(t *testing.T) {
	h := newHarness(t)
	h.createUser(t, "alice", alicePassword)
	b := h.browser(firefoxUA)
	b.login(t, "alice", alicePassword)
	before := b.cookie()
	h.clock.advance(16 * time.Minute) // past the default RotateEvery of 15 minutes

	resp := b.do(t, "GET", "/auth?rotate=false", nil)
	resp.wantStatus(t, "GET /auth?rotate=false", http.StatusOK)
	if c, ok := resp.cookie(cookieName); ok {
		t.Errorf("rotate=false answered with a new cookie %+v", c)
	}
	if b.cookie() != before {
		t.Error("rotate=false changed the browser's cookie")
	}

	resp = b.do(t, "GET", "/auth", nil)
	resp.wantStatus(t, "GET /auth", http.StatusOK)
	if c, ok := resp.cookie(cookieName); !ok || c.Value == before {
		t.Errorf("GET /auth with a rotation due: cookie %+v, want a new token", c)
	}
}
