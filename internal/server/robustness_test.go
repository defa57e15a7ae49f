package server_test

import (
	"bufio"
	"crypto/tls"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// raw sends request, exactly as written, over a new TLS connection and
// returns the status of the answer, so that tests can send what no
// well-behaved client would.
func (h *harness) raw(t *testing.T, request string) int {
	t.Helper()
	cfg := h.srv.Client().Transport.(*http.Transport).TLSClientConfig.Clone()
	conn, err := tls.Dial("tcp", h.public.Host, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(10 * time.Second)) // a bound on a broken server, not a wait
	if _, err := io.WriteString(conn, request); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("reading the answer to %q: %v", truncateForName(request), err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

// TestMalformedRequests sends requests no browser would, byte for byte:
// each gets a 4xx and none takes the server down.
func TestMalformedRequests(t *testing.T) {
	h := newHarness(t, withAdminToken())
	host := "Host: " + h.public.Host + "\r\n"
	cookie := "Cookie: " + cookieName + "="
	tests := []struct {
		name    string
		request string
		status  int
	}{
		// Refused by net/http before sessiond sees them.
		{"no_host", "GET /api/v1/whoami HTTP/1.1\r\n\r\n", 400},
		{"control_character_in_a_header", "GET /api/v1/whoami HTTP/1.1\r\n" + host + cookie + "a\x01b\r\n\r\n", 400},
		{"bad_method", "G@T / HTTP/1.1\r\n" + host + "\r\n", 400},
		{"headers_over_64_kib", "GET / HTTP/1.1\r\n" + host + "X-Pad: " + strings.Repeat("a", 70<<10) + "\r\n\r\n", 431},
		{"bad_chunked_body", "POST /login HTTP/1.1\r\n" + host + "Content-Type: application/x-www-form-urlencoded\r\n" +
			"Transfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n", 400},

		// Cookies that are not tokens: anonymous, never an error.
		{"cookie_of_4000_bytes", "GET /api/v1/whoami HTTP/1.1\r\n" + host + cookie + strings.Repeat("A", 4000) + "\r\n\r\n", 401},
		{"quoted_cookie", "GET /api/v1/whoami HTTP/1.1\r\n" + host + cookie + `"` + strings.Repeat("A", 43) + `"` + "\r\n\r\n", 401},
		{"cookie_twice", "GET /api/v1/whoami HTTP/1.1\r\n" + host + cookie + strings.Repeat("A", 43) + "; " + cookieName + "=x\r\n\r\n", 401},
		{"empty_cookie", "GET /api/v1/whoami HTTP/1.1\r\n" + host + cookie + "\r\n\r\n", 401},
		{"cookie_without_equals", "GET /api/v1/whoami HTTP/1.1\r\n" + host + "Cookie: " + cookieName + "\r\n\r\n", 401},
		{"many_cookies", "GET /api/v1/whoami HTTP/1.1\r\n" + host + "Cookie: " + strings.Repeat("a=b; ", 2000) + "\r\n\r\n", 401},

		// Odd paths and targets.
		{"dot_dot_path_is_cleaned_by_a_redirect", "GET /static/../../etc/passwd HTTP/1.1\r\n" + host + "\r\n", 307},
		{"encoded_dot_dot_path", "GET /static/..%2f..%2fetc%2fpasswd HTTP/1.1\r\n" + host + "\r\n", 404},
		{"invalid_percent_escape_in_path", "GET /api/v1/%zz HTTP/1.1\r\n" + host + "\r\n", 400},
		{"absolute_form_target", "GET https://evil.test/api/v1/whoami HTTP/1.1\r\n" + host + "\r\n", 401},
		{"options_star", "OPTIONS * HTTP/1.1\r\n" + host + "\r\n", 200},
		{"bad_query_escape", "GET /login?return_to=%zz HTTP/1.1\r\n" + host + "\r\n", 200},
		{"nul_in_admin_user", "GET /admin/v1/users/%00/sessions HTTP/1.1\r\n" + host + "Authorization: Bearer " + adminToken + "\r\n\r\n", 400},
		{"unknown_method_on_a_page", "BREW /login HTTP/1.1\r\n" + host + "\r\n", 405},

		// Bodies that do not parse.
		{"multipart_without_boundary", "POST /login HTTP/1.1\r\n" + host + "Content-Type: multipart/form-data\r\nContent-Length: 3\r\n\r\nabc", 400},
		{"multipart_garbage", "POST /login HTTP/1.1\r\n" + host + "Content-Type: multipart/form-data; boundary=x\r\nContent-Length: 5\r\n\r\n--y\r\n", 400},
		{"json_to_a_form_endpoint", "POST /login HTTP/1.1\r\n" + host + "Content-Type: application/json\r\nContent-Length: 2\r\n\r\n{}", 403},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := h.raw(t, tc.request); got != tc.status {
				t.Errorf("%q: status %d, want %d", truncateForName(tc.request), got, tc.status)
			}
		})
	}
	h.do(t, "GET", "/healthz", nil).wantStatus(t, "GET /healthz afterwards", http.StatusOK)
}

// oddStrings are values attackers and broken clients send.
var oddStrings = []string{
	"", " ", "%", "%%", "%zz", "ä", "\u202e", "\xff\xfe", "\x00", "\r\n", "<script>alert(1)</script>", `'"`,
	"..", "../..", "/\\", "//", "null", "undefined", "-1", "99999999999999999999999",
	strings.Repeat("A", 43), strings.Repeat("A", 44), strings.Repeat("A", 16), strings.Repeat("x", 5000),
}

// TestOddValuesEverywhere puts each odd value into every place a client
// controls. No answer is a 5xx, and none signs anyone in.
func TestOddValuesEverywhere(t *testing.T) {
	h := newHarness(t, withAdminToken(), withTrustedProxies("127.0.0.0/8"))
	h.createUser(t, "alice", alicePassword)
	signedIn := h.browser(firefoxUA)
	signedIn.login(t, "alice", alicePassword)
	tok := signedIn.csrf(t, "/sessions")
	anon := h.browser(curlUA)
	anonTok := anon.csrf(t, "/login")
	headerSafe := func(s string) bool { return !strings.ContainsAny(s, "\x00\r\n") }

	for _, v := range oddStrings {
		checks := []struct {
			where string
			resp  func() *response
		}{
			{"return_to_query", func() *response { return anon.page(t, "/login?"+url.Values{"return_to": {v}}.Encode()) }},
			{"login_form", func() *response {
				return anon.submit(t, "/login", url.Values{"username": {v}, "password": {v}, "return_to": {v}, "csrf_token": {anonTok}})
			}},
			{"session_handle_path", func() *response {
				return signedIn.api(t, "DELETE", "/api/v1/sessions/"+url.PathEscape(v), "X-CSRF-Token", tok)
			}},
			{"admin_user_path", func() *response { return h.admin(t, "GET", "/admin/v1/users/"+url.PathEscape(v)+"/sessions", "") }},
			{"admin_handle_query", func() *response {
				return h.admin(t, "DELETE", "/admin/v1/users/alice/sessions?"+url.Values{"handle": {v}}.Encode(), "")
			}},
			{"revoke_form", func() *response {
				return signedIn.submit(t, "/sessions/revoke", url.Values{"handle": {v}, "csrf_token": {tok}})
			}},
		}
		if headerSafe(v) {
			checks = append(checks,
				struct {
					where string
					resp  func() *response
				}{"forwarded_headers", func() *response {
					return anon.do(t, "GET", "/auth", nil, "Accept", htmlAccept, "X-Forwarded-Uri", v, "X-Forwarded-For", v,
						"X-Forwarded-Host", v, "X-Forwarded-Proto", v, "User-Agent", v, "Sec-Fetch-Site", v)
				}},
				struct {
					where string
					resp  func() *response
				}{"csrf_header", func() *response {
					return signedIn.api(t, "POST", "/api/v1/sessions/revoke-others", "X-CSRF-Token", v)
				}},
			)
		}
		for _, c := range checks {
			resp := c.resp()
			if resp.status >= 500 {
				t.Errorf("%s = %q: status %d; body:\n%s", c.where, truncateForName(v), resp.status, resp.body)
			}
			if loc := resp.location(); loc != "" {
				if u, err := url.Parse(loc); err != nil || (u.Host != "" && u.Host != h.public.Host) {
					t.Errorf("%s = %q: redirect to %q leaves the origin", c.where, truncateForName(v), loc)
				}
			}
		}
	}
	anon.whoami(t).wantStatus(t, "the anonymous browser after all that", http.StatusUnauthorized)
	signedIn.whoami(t).wantStatus(t, "the signed-in browser after all that", http.StatusOK)
}

// TestAuditLogIsSafe walks through every audited flow with known secrets,
// then checks that the audit log is well-formed JSON lines, has the
// events, and has none of the secrets. (Every test's harness also checks
// the secrets when it closes.)
func TestAuditLogIsSafe(t *testing.T) {
	h := newHarness(t, withAdminToken())
	here, other := twoDevices(t, h)
	stolen := other.cookie()

	// Failed logins with passwords that must not be logged, one with a
	// name that tries to forge a log line.
	h.secrets.add("a guessed password")
	b := h.browser(curlUA)
	tok := b.csrf(t, "/login")
	for _, name := range []string{"alice", "nobody", "alice\n{\"msg\":\"audit\",\"event\":\"login\"}"} {
		b.submit(t, "/login", url.Values{"username": {name}, "password": {"a guessed password"}, "csrf_token": {tok}})
	}
	// A password change, a wrong one, an admin reset, a revocation, a
	// replay, a token in the URL, a CSRF failure, a logout.
	h.secrets.add(newPassword)
	h.secrets.add("admin-chosen password")
	ptok := here.csrf(t, "/account/password")
	here.submit(t, "/account/password", url.Values{"csrf_token": {ptok}, "current_password": {"a guessed password"},
		"new_password": {newPassword}, "confirm_password": {newPassword}})
	here.submit(t, "/account/password", url.Values{"csrf_token": {ptok}, "current_password": {alicePassword},
		"new_password": {newPassword}, "confirm_password": {newPassword}}).wantStatus(t, "password change", http.StatusSeeOther)
	h.replay(t, stolen)
	h.do(t, "GET", "/api/v1/whoami?sid="+here.cookie(), nil)
	here.submit(t, "/sessions/revoke-others", url.Values{"csrf_token": {"forged"}})
	h.admin(t, "PUT", "/admin/v1/users/alice/password", `{"password":"admin-chosen password"}`).wantStatus(t, "admin reset", http.StatusOK)
	here.login(t, "alice", "admin-chosen password")
	here.submit(t, "/logout", url.Values{"csrf_token": {here.csrf(t, "/sessions")}})

	for _, rec := range h.audit.records() {
		if rec["msg"] == "not JSON" {
			t.Errorf("the audit log has a line that is not JSON: %q", rec["line"])
		}
	}
	if n := len(h.audit.audits(0, "login")); n != 3 {
		t.Errorf("%d login audit records, want 3 (the forged line must not count)", n)
	}
	for _, event := range []string{"login_failed", "password_change_failed", "password_changed", "password_reset", "logout"} {
		h.wantAudit(t, 0, event)
	}
	sessionEvents := strings.Count(h.audit.String(), `"msg":"session event"`)
	for _, kind := range []string{"unknown_token", "token_in_url", "csrf_failure", "revoked", "renewed", "logout"} {
		if !strings.Contains(h.audit.String(), `"event":"`+kind+`"`) {
			t.Errorf("the audit log lacks the session event %s (%d session events)", kind, sessionEvents)
		}
	}
	for _, s := range h.secrets.all() {
		for name, out := range map[string]string{"audit": h.audit.String(), "log": h.log.String(), "events": h.events.String()} {
			if strings.Contains(out, s) {
				t.Errorf("the %s output contains the secret %q", name, s)
			}
		}
	}
}
