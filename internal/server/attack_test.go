package server_test

import (
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/sessiond/sessiond/session"
)

// TestSessionFixationThroughPlantedCookie: a cookie planted in the victim's
// browser before login is worthless afterwards, whether the server issued
// it to the attacker or the attacker made it up.
func TestSessionFixationThroughPlantedCookie(t *testing.T) {
	tests := []struct {
		name  string
		plant func(t *testing.T, h *harness) string
		event session.EventKind // what the planted token left behind
	}{
		{"token_the_server_issued_to_the_attacker", func(t *testing.T, h *harness) string {
			attacker := h.browser(curlUA)
			attacker.csrf(t, "/login") // an anonymous session with a cookie
			return attacker.cookie()
		}, session.EventLogin},
		{"token_the_attacker_invented", func(t *testing.T, h *harness) string {
			return strings.Repeat("A", 43) // well-formed, never issued
		}, session.EventUnknownToken},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			h.createUser(t, "alice", alicePassword)
			planted := tc.plant(t, h)
			if planted == "" {
				t.Fatal("nothing to plant")
			}
			victim := h.browser(firefoxUA)
			victim.plant(cookieName, planted)
			events := h.events.mark()
			victim.login(t, "alice", alicePassword)

			if got := victim.cookie(); got == planted || got == "" {
				t.Fatalf("after login the victim's cookie is %q, the planted one was %q", got, planted)
			}
			h.wantEvent(t, events, tc.event, "")
			replayed := h.events.mark()
			h.replay(t, planted).wantError(t, "the attacker's copy of the planted token", http.StatusUnauthorized, "unauthenticated", "sign in first")
			h.do(t, "GET", "/auth", nil, "Cookie", cookieName+"="+planted).wantStatus(t, "forward-auth with the planted token", http.StatusUnauthorized)
			h.wantEvent(t, replayed, session.EventUnknownToken, "")
			victim.whoami(t).wantStatus(t, "the victim", http.StatusOK)
		})
	}
}

// TestReplayIsRejected: a copied session cookie stops working the moment
// its session ends, however it ends.
func TestReplayIsRejected(t *testing.T) {
	tests := []struct {
		name   string
		stolen func(here, other *browser) *browser // whose cookie is copied
		after  func(t *testing.T, here, other *browser)
		event  session.EventKind // the evidence of the ending
		detail string
	}{
		{"after_logout", mine, func(t *testing.T, here, _ *browser) {
			here.submit(t, "/logout", url.Values{"csrf_token": {here.csrf(t, "/sessions")}}).
				wantStatus(t, "logout", http.StatusSeeOther)
		}, session.EventLogout, ""},
		{"after_password_change_on_the_same_device", mine, changePassword, session.EventRenewed, ""},
		{"after_password_change_on_another_device", theirs, changePassword, session.EventRevoked, "others"},
		{"after_revocation_from_another_session", mine, func(t *testing.T, here, other *browser) {
			form := url.Values{"csrf_token": {other.csrf(t, "/sessions")}, "handle": {here.handle(t)}}
			other.submit(t, "/sessions/revoke", form).wantStatus(t, "revoke", http.StatusSeeOther)
		}, session.EventRevoked, "by handle"},
		{"after_revoke_others_from_another_session", mine, func(t *testing.T, here, other *browser) {
			other.submit(t, "/sessions/revoke-others", url.Values{"csrf_token": {other.csrf(t, "/sessions")}}).
				wantStatus(t, "revoke-others", http.StatusSeeOther)
		}, session.EventRevoked, "others"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			here, other := twoDevices(t, h)
			h.secrets.add(newPassword)
			victim := tc.stolen(here, other)
			stolen, handle := victim.cookie(), victim.handle(t)
			events := h.events.mark()
			tc.after(t, here, other)
			if ev := h.wantEvent(t, events, tc.event, tc.detail); ev.Handle != handle {
				t.Errorf("%s event for handle %q, want the stolen session's %q", tc.event, ev.Handle, handle)
			}

			replayed := h.events.mark()
			h.replay(t, stolen).wantError(t, "replayed whoami", http.StatusUnauthorized, "unauthenticated", "sign in first")
			h.do(t, "GET", "/auth", nil, "Cookie", cookieName+"="+stolen).wantStatus(t, "replayed forward-auth", http.StatusUnauthorized)
			r := h.do(t, "GET", "/sessions", nil, "Cookie", cookieName+"="+stolen, "Accept", htmlAccept)
			if r.status != http.StatusSeeOther || !strings.HasPrefix(r.location(), "/login") {
				t.Errorf("replayed GET /sessions: %d %q, want 303 to the login page", r.status, r.location())
			}
			if n := len(h.events.since(replayed, session.EventUnknownToken)); n != 3 {
				t.Errorf("%d unknown_token events for 3 replays; events:\n%s", n, h.events.String())
			}
		})
	}
}

func mine(here, _ *browser) *browser    { return here }
func theirs(_, other *browser) *browser { return other }

func changePassword(t *testing.T, here, _ *browser) {
	t.Helper()
	form := url.Values{"csrf_token": {here.csrf(t, "/account/password")}, "current_password": {alicePassword},
		"new_password": {newPassword}, "confirm_password": {newPassword}}
	here.submit(t, "/account/password", form).wantStatus(t, "password change", http.StatusSeeOther)
}

// TestTokenInURLIsIgnored: a token offered outside the cookie never signs
// anyone in, and is reported.
func TestTokenInURLIsIgnored(t *testing.T) {
	h := newHarness(t)
	h.createUser(t, "alice", alicePassword)
	b := h.browser(firefoxUA)
	b.login(t, "alice", alicePassword)
	token := b.cookie()
	tests := []struct{ name, path, header, detail string }{
		{"query_parameter", "/api/v1/whoami?sid=" + token, "", "query parameter sid"},
		{"cookie_name_as_query_parameter", "/api/v1/whoami?" + cookieName + "=" + token, "", "query parameter " + cookieName},
		{"header", "/api/v1/whoami", "X-Session-Token", "header X-Session-Token"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			events := h.events.mark()
			header := []string{"Accept", jsonAccept}
			if tc.header != "" {
				header = append(header, tc.header, token)
			}
			h.do(t, "GET", tc.path, nil, header...).wantStatus(t, "GET with the token outside the cookie", http.StatusUnauthorized)
			h.wantEvent(t, events, session.EventTokenInURL, tc.detail)
		})
	}
}

// sendRaw sends a request whose header names are kept exactly as given,
// not canonicalized, so that lower-case and odd spellings reach the wire.
func sendRaw(t *testing.T, b *browser, method, path string, header map[string]string) *response {
	t.Helper()
	req, err := http.NewRequest(method, b.h.url(path), nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header[k] = append(req.Header[k], v)
	}
	resp, err := b.c.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return &response{status: resp.StatusCode, header: resp.Header, body: string(body), cookies: resp.Cookies()}
}

// TestSpoofedIdentityHeaderInProxyMode: whatever X-Auth-* headers a client
// sends, the upstream sees only sessiond's, signed in or not.
func TestSpoofedIdentityHeaderInProxyMode(t *testing.T) {
	spoofs := map[string]string{
		"X-Auth-User":      "mallory",
		"x-auth-user":      "mallory-lower",
		"X-AUTH-USER":      "mallory-upper",
		"X-Auth-Session":   "mallory-session",
		"X-Auth-Level":     "99",
		"X-Auth-Anything":  "mallory-anything",
		"x-auth-groups":    "admins",
		"X_Auth_User":      "mallory-underscore", // CGI, PHP and WSGI read it as X-Auth-User
		"x_auth_user":      "mallory-underscore-lower",
		"X-Auth_User":      "mallory-mixed",
		"X-Forwarded-User": "not-an-identity-header", // not X-Auth-*: may pass
	}
	t.Run("signed_in_user_cannot_become_someone_else", func(t *testing.T) {
		_, b := signedInProxy(t)
		resp := sendRaw(t, b, "GET", "/app", spoofs)
		resp.wantStatus(t, "GET /app with spoofed headers", http.StatusOK)
		got := resp.received(t)
		for name, values := range got.Header {
			canon := strings.ToLower(strings.ReplaceAll(name, "_", "-"))
			if !strings.HasPrefix(canon, "x-auth-") {
				continue
			}
			switch name {
			case "X-Auth-User", "X-Auth-Session", "X-Auth-Level":
				if len(values) != 1 {
					t.Errorf("upstream got %s = %q, want sessiond's value alone", name, values)
				}
			default:
				t.Errorf("upstream got the client's %s = %q", name, values)
			}
		}
		want := map[string]string{"X-Auth-User": "alice", "X-Auth-Session": b.handle(t), "X-Auth-Level": "1"}
		for name, value := range want {
			if v := got.Header[name]; !slices.Equal(v, []string{value}) {
				t.Errorf("upstream %s = %q, want [%q]", name, v, value)
			}
		}
		if strings.Contains(resp.body, "mallory") || strings.Contains(resp.body, `"99"`) {
			t.Errorf("a spoofed value reached the upstream: %s", resp.body)
		}
	})
	t.Run("anonymous_client_never_reaches_the_upstream", func(t *testing.T) {
		h := newHarness(t, withUpstream())
		for _, accept := range []string{jsonAccept, htmlAccept} {
			header := map[string]string{"Accept": accept}
			for k, v := range spoofs {
				header[k] = v
			}
			resp := sendRaw(t, h.browser(curlUA), "GET", "/app", header)
			if resp.status != http.StatusUnauthorized && resp.status != http.StatusFound {
				t.Errorf("anonymous GET /app (Accept %s) with spoofed identity: status %d, want 401 or 302", accept, resp.status)
			}
		}
		if n := h.upstream.hits.Load(); n != 0 {
			t.Errorf("spoofed anonymous requests reached the upstream %d times", n)
		}
	})
	t.Run("forward_auth_ignores_spoofed_headers", func(t *testing.T) {
		h := newHarness(t)
		resp := sendRaw(t, h.browser(curlUA), "GET", "/auth", spoofs)
		resp.wantError(t, "anonymous GET /auth with spoofed identity", http.StatusUnauthorized, "unauthenticated", "sign in first")
		if v := resp.header.Get("X-Auth-User"); v != "" {
			t.Errorf("forward-auth answered X-Auth-User %q", v)
		}
	})
}

// TestOpenRedirectReturnToIsRefused: return_to is followed only when it is
// a path on sessiond's own origin.
func TestOpenRedirectReturnToIsRefused(t *testing.T) {
	tests := []struct {
		name, returnTo, location string
	}{
		{"absolute_url", "https://evil.test", "/"},
		{"absolute_url_with_path", "https://evil.test/login", "/"},
		{"scheme_relative", "//evil.test", "/"},
		{"triple_slash", "///evil.test", "/"},
		{"slash_backslash", "/\\evil.test", "/"},
		{"double_backslash", "\\\\evil", "/"},
		{"crlf_header_injection", "/\r\nSet-Cookie:x=1", "/"},
		{"tab_in_path", "/\t/evil.test", "/"},
		{"javascript_url", "javascript:alert(1)", "/"},
		{"data_url", "data:text/html,<script>alert(1)</script>", "/"},
		{"no_leading_slash", "evil.test", "/"},
		{"leading_space", " //evil.test", "/"},
		{"userinfo_trick", "https://127.0.0.1@evil.test", "/"},
		{"empty", "", "/"},
		{"too_long", "/" + strings.Repeat("a", 3000), "/"},

		// Same-origin paths are kept, percent-encoding and all: a browser
		// reads them as paths, never as hosts or headers.
		{"relative_path_with_query", "/ok?x=1", "/ok?x=1"},
		{"percent_encoded_crlf_stays_a_path", "/%0d%0aSet-Cookie:x", "/%0d%0aSet-Cookie:x"},
		{"percent_encoded_slashes_stay_a_path", "/%2F%2Fevil.test", "/%2F%2Fevil.test"},
	}
	h := newHarness(t)
	h.createUser(t, "alice", alicePassword)
	signedIn := h.browser(firefoxUA)
	signedIn.login(t, "alice", alicePassword)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b := h.browser(firefoxUA)
			mark := h.audit.mark()
			tok := b.csrf(t, "/login")
			resp := b.submit(t, "/login", url.Values{"username": {"alice"}, "password": {alicePassword},
				"csrf_token": {tok}, "return_to": {tc.returnTo}})
			resp.wantStatus(t, "POST /login", http.StatusSeeOther)
			if got := resp.location(); got != tc.location {
				t.Errorf("POST /login return_to=%q: Location = %q, want %q", tc.returnTo, got, tc.location)
			}
			if _, ok := resp.cookie("x"); ok {
				t.Error("return_to injected a cookie")
			}
			h.wantAudit(t, mark, "login", "user", "alice") // the login itself went through

			resp = signedIn.page(t, "/login?"+url.Values{"return_to": {tc.returnTo}}.Encode())
			if got := resp.location(); resp.status != http.StatusSeeOther || got != tc.location {
				t.Errorf("signed-in GET /login return_to=%q: %d %q, want 303 %q", tc.returnTo, resp.status, got, tc.location)
			}
			if tc.location == "/" {
				page := h.browser(firefoxUA).page(t, "/login?"+url.Values{"return_to": {tc.returnTo}}.Encode())
				if !strings.Contains(page.body, `name="return_to" value="/">`) {
					t.Errorf("the login form does not replace return_to=%q by /:\n%s", tc.returnTo, page.body)
				}
			}
		})
	}
}

// TestOpenRedirectThroughForwardAuth: a trusted proxy's X-Forwarded-Uri
// that is not a local path never becomes a return_to.
func TestOpenRedirectThroughForwardAuth(t *testing.T) {
	h := newHarness(t, withTrustedProxies("127.0.0.0/8"))
	for _, uri := range []string{"https://evil.test/", "//evil.test", "/\\evil.test", "javascript:alert(1)"} {
		resp := h.do(t, "GET", "/auth", nil, "Accept", htmlAccept, "X-Forwarded-Uri", uri)
		resp.wantStatus(t, "GET /auth X-Forwarded-Uri: "+uri, http.StatusFound)
		loc, err := url.Parse(resp.location())
		if err != nil || loc.Host != h.public.Host || loc.Path != "/login" {
			t.Errorf("X-Forwarded-Uri %q: Location = %q, want the login page at %s", uri, resp.location(), h.public.Host)
			continue
		}
		if rt := loc.Query().Get("return_to"); strings.Contains(rt, "evil") || strings.Contains(rt, "javascript") {
			t.Errorf("X-Forwarded-Uri %q became return_to %q", uri, rt)
		}
	}
}
