package server_test

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestProxyAnonymous(t *testing.T) {
	tests := []struct {
		name     string
		method   string
		path     string
		header   []string
		status   int
		location string
	}{
		{"browser_navigation_goes_to_login_and_back", "GET", "/app/page?x=1", []string{"Accept", htmlAccept},
			http.StatusFound, "/login?return_to=%2Fapp%2Fpage%3Fx%3D1"},
		{"browser_navigation_to_the_root_goes_to_login", "GET", "/", []string{"Accept", htmlAccept},
			http.StatusFound, "/login"},
		{"api_client_gets_401", "GET", "/app/data", []string{"Accept", jsonAccept}, http.StatusUnauthorized, ""},
		{"browser_post_gets_401", "POST", "/app/form", []string{"Accept", htmlAccept}, http.StatusUnauthorized, ""},
		{"upgrade_gets_401", "GET", "/ws", []string{"Connection", "Upgrade", "Upgrade", "websocket"}, http.StatusUnauthorized, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, withUpstream())
			resp := h.browser(firefoxUA).do(t, tc.method, tc.path, nil, tc.header...)
			if tc.status == http.StatusUnauthorized {
				resp.wantError(t, tc.method+" "+tc.path, tc.status, "unauthenticated", "sign in first")
			} else {
				resp.wantStatus(t, tc.method+" "+tc.path, tc.status)
			}
			if got := resp.location(); got != tc.location {
				t.Errorf("Location = %q, want %q", got, tc.location)
			}
			if n := h.upstream.hits.Load(); n != 0 {
				t.Errorf("the upstream was reached %d times by an anonymous request", n)
			}
		})
	}
}

// signedInProxy returns a harness in proxy mode and alice's browser.
func signedInProxy(t *testing.T, opts ...option) (*harness, *browser) {
	t.Helper()
	h := newHarness(t, append([]option{withUpstream()}, opts...)...)
	h.createUser(t, "alice", alicePassword)
	b := h.browser(firefoxUA)
	b.login(t, "alice", alicePassword)
	return h, b
}

func TestProxySignedIn(t *testing.T) {
	t.Run("request_reaches_upstream_with_identity_headers", func(t *testing.T) {
		h, b := signedInProxy(t)
		handle := b.handle(t)
		resp := b.do(t, "GET", "/app/page?x=1", nil, "Accept", htmlAccept)
		resp.wantStatus(t, "GET /app/page", http.StatusOK)
		got := resp.received(t)
		if got.Method != "GET" || got.URI != "/app/page?x=1" {
			t.Errorf("upstream got %s %s, want GET /app/page?x=1", got.Method, got.URI)
		}
		want := map[string]string{
			"X-Auth-User": "alice", "X-Auth-Session": handle, "X-Auth-Level": "1",
			"X-Forwarded-For": "127.0.0.1", "X-Forwarded-Host": h.public.Host, "X-Forwarded-Proto": "https",
			"User-Agent": firefoxUA,
		}
		for name, value := range want {
			if v := got.Header[name]; !slices.Equal(v, []string{value}) {
				t.Errorf("upstream got %s = %q, want [%q]", name, v, value)
			}
		}
	})
	t.Run("session_cookie_is_removed_and_other_cookies_pass", func(t *testing.T) {
		_, b := signedInProxy(t)
		b.plant("theme", "dark")
		b.plant("lang", "en")
		got := b.do(t, "GET", "/app", nil).received(t)
		slices.Sort(got.Cookies)
		if !slices.Equal(got.Cookies, []string{"lang=en", "theme=dark"}) {
			t.Errorf("upstream cookies = %q, want [lang=en theme=dark]", got.Cookies)
		}
		for _, line := range got.Header["Cookie"] {
			if strings.Contains(line, cookieName) || strings.Contains(line, b.cookie()) {
				t.Errorf("the session cookie reached the upstream: %q", line)
			}
		}
	})
	t.Run("only_cookie_is_the_session_cookie", func(t *testing.T) {
		_, b := signedInProxy(t)
		got := b.do(t, "GET", "/app", nil).received(t)
		if len(got.Cookies) != 0 || len(got.Header["Cookie"]) != 0 {
			t.Errorf("upstream got Cookie %q, want none", got.Header["Cookie"])
		}
	})
	t.Run("upstream_cannot_set_the_session_cookie", func(t *testing.T) {
		_, b := signedInProxy(t)
		before := b.cookie()
		resp := b.do(t, "GET", "/set-cookie", nil)
		resp.wantStatus(t, "GET /set-cookie", http.StatusOK)
		for _, line := range resp.header.Values("Set-Cookie") {
			if strings.HasPrefix(line, cookieName+"=") {
				t.Errorf("the upstream's session cookie reached the browser: %q", line)
			}
		}
		if c, ok := resp.cookie("theme"); !ok || c.Value != "dark" {
			t.Errorf("the upstream's own cookie was dropped: %v", resp.header.Values("Set-Cookie"))
		}
		if b.cookie() != before {
			t.Errorf("the browser's session cookie changed to %q", b.cookie())
		}
		b.whoami(t).wantStatus(t, "whoami after the upstream tried to set the cookie", http.StatusOK)
	})
	t.Run("sessiond_routes_are_not_proxied", func(t *testing.T) {
		h, b := signedInProxy(t)
		b.whoami(t).wantStatus(t, "whoami", http.StatusOK)
		b.page(t, "/sessions").wantStatus(t, "GET /sessions", http.StatusOK)
		b.do(t, "GET", "/auth", nil).wantStatus(t, "GET /auth", http.StatusOK)
		if n := h.upstream.hits.Load(); n != 0 {
			t.Errorf("sessiond's own routes reached the upstream %d times", n)
		}
	})
	t.Run("same_origin_post_passes", func(t *testing.T) {
		_, b := signedInProxy(t)
		resp := b.do(t, "POST", "/app/form", strings.NewReader("a=1"),
			"Content-Type", "application/x-www-form-urlencoded", "Origin", b.h.origin(), "Sec-Fetch-Site", "same-origin")
		resp.wantStatus(t, "same-origin POST", http.StatusOK)
		if got := resp.received(t); got.Method != "POST" {
			t.Errorf("upstream got %s, want POST", got.Method)
		}
	})
}

func TestProxyCrossOriginPostIsRefused(t *testing.T) {
	tests := []struct {
		name   string
		header []string
	}{
		{"foreign_origin", []string{"Origin", "https://evil.test"}},
		{"sec_fetch_site_cross_site", []string{"Sec-Fetch-Site", "cross-site"}},
		{"null_origin", []string{"Origin", "null"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h, b := signedInProxy(t)
			header := append([]string{"Content-Type", "application/x-www-form-urlencoded"}, tc.header...)
			resp := b.do(t, "POST", "/app/transfer", strings.NewReader("amount=1000"), header...)
			resp.wantError(t, "cross-origin POST", http.StatusForbidden, "csrf_failed", "cross-origin request refused")
			if n := h.upstream.hits.Load(); n != 0 {
				t.Errorf("the cross-origin POST reached the upstream")
			}
		})
	}
}

func TestProxyForwardedFor(t *testing.T) {
	tests := []struct {
		name    string
		trusted bool
		xff     string
		want    string
	}{
		{"spoofed_header_from_an_untrusted_peer_is_ignored", false, "203.0.113.7", "127.0.0.1"},
		{"trusted_proxy_names_the_client", true, "203.0.113.7", "203.0.113.7"},
		{"only_the_rightmost_untrusted_entry_counts", true, "198.51.100.1, 203.0.113.7", "203.0.113.7"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var opts []option
			if tc.trusted {
				opts = append(opts, withTrustedProxies("127.0.0.0/8"))
			}
			_, b := signedInProxy(t, opts...)
			got := b.do(t, "GET", "/app", nil, "X-Forwarded-For", tc.xff).received(t)
			if v := got.Header["X-Forwarded-For"]; !slices.Equal(v, []string{tc.want}) {
				t.Errorf("upstream X-Forwarded-For = %q, want [%q]", v, tc.want)
			}
		})
	}
}

// TestProxyWebSocketUpgrade proves that an upgraded connection is passed
// through both ways, with the identity headers on the upgrade request.
func TestProxyWebSocketUpgrade(t *testing.T) {
	_, b := signedInProxy(t)
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", b.h.url("/ws"), nil)
	req.Header.Set("Connection", "Upgrade")
	req.Header.Set("Upgrade", "websocket")
	req.Header.Set("X-Auth-User", "mallory")
	resp, err := b.c.Do(req)
	if err != nil {
		t.Fatalf("upgrade: %v", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusSwitchingProtocols {
		body, _ := io.ReadAll(resp.Body)
		t.Fatalf("upgrade: status %d, want 101; body %s", resp.StatusCode, body)
	}
	conn, ok := resp.Body.(io.ReadWriteCloser)
	if !ok {
		t.Fatalf("the 101 body is a %T, not a connection", resp.Body)
	}
	r := bufio.NewReader(conn)
	if line, err := r.ReadString('\n'); err != nil || line != "user=alice\n" {
		t.Fatalf("first line = %q, %v; want user=alice", line, err)
	}
	if _, err := io.WriteString(conn, "hello\n"); err != nil {
		t.Fatal(err)
	}
	if line, err := r.ReadString('\n'); err != nil || line != "echo hello\n" {
		t.Fatalf("echo = %q, %v; want echo hello", line, err)
	}
}

func TestProxyUpstreamDown(t *testing.T) {
	dead := httptest.NewServer(http.NotFoundHandler())
	u, _ := url.Parse(dead.URL)
	dead.Close()
	h := newHarness(t, withUpstreamURL(u))
	h.createUser(t, "alice", alicePassword)
	b := h.browser(firefoxUA)
	b.login(t, "alice", alicePassword)
	b.do(t, "GET", "/app", nil).wantError(t, "GET /app with the upstream down", http.StatusBadGateway,
		"upstream_unavailable", "the application is unavailable")
	if !strings.Contains(h.log.String(), "upstream unreachable") {
		t.Errorf("the outage is not logged:\n%s", h.log.String())
	}
}
