package server_test

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/sessiond/sessiond/session"
)

// csrfTarget is a state-changing endpoint, and how to tell that a refused
// request changed nothing.
type csrfTarget struct {
	name      string
	method    string
	path      func(other *browser, t *testing.T) string
	api       bool       // token in X-CSRF-Token, JSON answers; else a form field
	form      url.Values // the fields besides the token
	unchanged func(t *testing.T, h *harness, here, other *browser)
}

func fixed(path string) func(*browser, *testing.T) string {
	return func(*browser, *testing.T) string { return path }
}

func stillAlive(t *testing.T, _ *harness, here, other *browser) {
	t.Helper()
	here.whoami(t).wantStatus(t, "the victim's session", http.StatusOK)
	other.whoami(t).wantStatus(t, "the victim's other session", http.StatusOK)
}

var csrfTargets = []csrfTarget{
	// Login CSRF: signing the victim in to the attacker's account.
	{"login", "POST", fixed("/login"), false, url.Values{"username": {"mallory"}, "password": {"mallory's password"}},
		func(t *testing.T, h *harness, here, other *browser) {
			var v struct{ User string }
			here.whoami(t).decode(t, &v)
			if v.User != "alice" {
				t.Errorf("the victim is now signed in as %q", v.User)
			}
		}},
	{"logout", "POST", fixed("/logout"), false, url.Values{}, stillAlive},
	{"revoke", "POST", fixed("/sessions/revoke"), false, nil, stillAlive}, // form filled in per test
	{"revoke_others", "POST", fixed("/sessions/revoke-others"), false, url.Values{}, stillAlive},
	{"password_change", "POST", fixed("/account/password"), false, url.Values{"current_password": {alicePassword},
		"new_password": {"chosen by the attacker"}, "confirm_password": {"chosen by the attacker"}},
		func(t *testing.T, h *harness, _, _ *browser) {
			h.browser(curlUA).login(t, "alice", alicePassword)
		}},
	{"api_delete_session", "DELETE", func(other *browser, t *testing.T) string {
		return "/api/v1/sessions/" + other.handle(t)
	}, true, nil, stillAlive},
	{"api_revoke_others", "POST", fixed("/api/v1/sessions/revoke-others"), true, nil, stillAlive},
}

// TestCSRFIsRefused: every state-changing endpoint refuses a request
// without the victim's CSRF token, with a forged one, and from a foreign
// origin, changes nothing, and reports it.
func TestCSRFIsRefused(t *testing.T) {
	attacks := []struct {
		name   string
		token  func(t *testing.T, h *harness, victim *browser) string
		origin string
		err    error
	}{
		{"no_token", func(*testing.T, *harness, *browser) string { return "" }, "", session.ErrCSRFTokenMissing},
		{"forged_token_from_the_attackers_own_session", func(t *testing.T, h *harness, _ *browser) string {
			return h.browser(curlUA).csrf(t, "/login")
		}, "", session.ErrCSRFTokenInvalid},
		{"forged_token_of_the_right_shape", func(*testing.T, *harness, *browser) string {
			return strings.Repeat("A", 86)
		}, "", session.ErrCSRFTokenInvalid},
		{"garbage_token", func(*testing.T, *harness, *browser) string { return "<script>" }, "", session.ErrCSRFTokenInvalid},
		{"valid_token_from_a_foreign_origin", func(t *testing.T, _ *harness, victim *browser) string {
			return victim.csrf(t, "/sessions")
		}, "https://evil.test", session.ErrCrossOrigin},
	}
	for _, target := range csrfTargets {
		for _, attack := range attacks {
			t.Run(target.name+"/"+attack.name, func(t *testing.T) {
				h := newHarness(t)
				h.createUser(t, "mallory", "mallory's password")
				here, other := twoDevices(t, h)
				path := target.path(other, t)
				token := attack.token(t, h, here)
				header := []string{"Accept", htmlAccept}
				if attack.origin != "" {
					header = append(header, "Origin", attack.origin, "Sec-Fetch-Site", "cross-site")
				}
				var resp *response
				events := h.events.mark()
				if target.api {
					header[1] = jsonAccept
					if token != "" {
						header = append(header, "X-CSRF-Token", token)
					}
					resp = here.do(t, target.method, path, nil, header...)
				} else {
					form := url.Values{}
					for k, v := range target.form {
						form[k] = v
					}
					if target.form == nil {
						form.Set("handle", other.handle(t))
					}
					if token != "" {
						form.Set("csrf_token", token)
					}
					header = append(header, "Content-Type", "application/x-www-form-urlencoded")
					resp = here.do(t, target.method, path, strings.NewReader(form.Encode()), header...)
				}

				if target.api {
					resp.wantError(t, target.method+" "+path, http.StatusForbidden, "csrf_failed",
						"the request failed the cross-site request forgery check; reload the page and try again")
				} else {
					resp.wantStatus(t, target.method+" "+path, http.StatusForbidden)
					if !strings.Contains(resp.body, "the request failed the cross-site request forgery check") {
						t.Errorf("403 page does not say why:\n%s", resp.body)
					}
				}
				ev := h.wantEvent(t, events, session.EventCSRFFailure, target.method+" "+path)
				if !errors.Is(ev.Err, attack.err) {
					t.Errorf("csrf_failure error = %v, want %v", ev.Err, attack.err)
				}
				if ev.UserID != "alice" {
					t.Errorf("csrf_failure event user = %q, want alice", ev.UserID)
				}
				target.unchanged(t, h, here, other)
				if m := h.do(t, "GET", "/metrics", nil).body; !strings.Contains(m, "sessiond_csrf_failures_total 1\n") {
					t.Errorf("metrics: %s", grepLines(m, "csrf"))
				}
			})
		}
	}
}

// TestOversizedBodyIsRefused: bodies over the 64 KiB limit get 413 whether
// the CSRF check or the handler hits the limit, and change nothing.
func TestOversizedBodyIsRefused(t *testing.T) {
	pad := strings.Repeat("x", 1<<20)
	tests := []struct {
		name        string
		path        string
		tokenHeader bool // the CSRF token in X-CSRF-Token, so the handler reads the body
		form        url.Values
		signedIn    bool
		event       bool // the CSRF check hit the limit and reported it
	}{
		{"login_form_with_the_token_in_the_body", "/login", false,
			url.Values{"username": {"alice"}, "password": {alicePassword}, "pad": {pad}}, false, true},
		{"login_form_with_the_token_in_a_header", "/login", true,
			url.Values{"username": {"alice"}, "password": {alicePassword}, "pad": {pad}}, false, false},
		{"password_form", "/account/password", true, url.Values{"current_password": {alicePassword},
			"new_password": {newPassword}, "confirm_password": {newPassword}, "pad": {pad}}, true, false},
		{"revoke_form", "/sessions/revoke", true, url.Values{"handle": {wellFormedHandle}, "pad": {pad}}, true, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			h.createUser(t, "alice", alicePassword)
			h.secrets.add(newPassword)
			b := h.browser(firefoxUA)
			if tc.signedIn {
				b.login(t, "alice", alicePassword)
			}
			form := url.Values{}
			for k, v := range tc.form {
				form[k] = v
			}
			header := []string{"Content-Type", "application/x-www-form-urlencoded", "Accept", htmlAccept}
			tok := b.csrf(t, map[bool]string{false: "/login", true: "/sessions"}[tc.signedIn])
			if tc.tokenHeader {
				header = append(header, "X-CSRF-Token", tok)
			} else {
				form.Set("csrf_token", tok)
			}
			mark, events := h.audit.mark(), h.events.mark()
			resp := b.do(t, "POST", tc.path, strings.NewReader(form.Encode()), header...)
			resp.wantStatus(t, "POST "+tc.path+" with 1 MiB", http.StatusRequestEntityTooLarge)
			if !strings.Contains(resp.body, "request body larger than 65536 bytes") {
				t.Errorf("413 does not say why:\n%s", resp.body)
			}
			if tc.event {
				ev := h.wantEvent(t, events, session.EventCSRFFailure, "POST "+tc.path)
				var tooBig *http.MaxBytesError
				if !errors.As(ev.Err, &tooBig) {
					t.Errorf("csrf_failure error = %v, want a *http.MaxBytesError", ev.Err)
				}
			}
			for _, event := range []string{"login", "login_failed", "password_changed", "password_change_failed", "session_revoked"} {
				h.noAudit(t, mark, event)
			}
			if !tc.signedIn {
				b.whoami(t).wantStatus(t, "whoami after an oversized login", http.StatusUnauthorized)
			}
		})
	}
}

// TestMalformedBodyIsRefused: bodies that do not parse get 400 and say
// why, instead of being read as empty fields.
func TestMalformedBodyIsRefused(t *testing.T) {
	tests := []struct {
		name    string
		path    string
		body    string
		message string
	}{
		{"bad_percent_escape", "/login", "username=alice&password=%zz", `malformed form body: invalid URL escape "%zz"`},
		{"semicolon_separator", "/login", "username=alice;password=x", "malformed form body: invalid semicolon separator in query"},
		{"bad_escape_in_password_change", "/account/password", "current_password=%zz", `malformed form body: invalid URL escape "%zz"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			h.createUser(t, "alice", alicePassword)
			b := h.browser(firefoxUA)
			b.login(t, "alice", alicePassword)
			tok := b.csrf(t, "/sessions")
			resp := b.do(t, "POST", tc.path, strings.NewReader(tc.body),
				"Content-Type", "application/x-www-form-urlencoded", "Accept", htmlAccept, "X-CSRF-Token", tok)
			resp.wantStatus(t, "POST "+tc.path, http.StatusBadRequest)
			if m := errorParagraph.FindStringSubmatch(resp.body); m == nil || m[1] != strings.ReplaceAll(tc.message, `"`, "&#34;") {
				t.Errorf("error message = %q, want %q", m, tc.message)
			}
		})
	}
	t.Run("token_in_an_unreadable_form_is_a_bad_request", func(t *testing.T) {
		h := newHarness(t)
		b := h.browser(firefoxUA)
		tok := b.csrf(t, "/login")
		events := h.events.mark()
		resp := b.do(t, "POST", "/login", strings.NewReader("csrf_token="+tok+"&password=%zz"),
			"Content-Type", "application/x-www-form-urlencoded", "Accept", jsonAccept)
		resp.wantError(t, "POST /login", http.StatusBadRequest, "bad_request", "")
		if ev := h.wantEvent(t, events, session.EventCSRFFailure, "POST /login"); ev.Err == nil || !strings.Contains(ev.Err.Error(), "invalid URL escape") {
			t.Errorf("csrf_failure error = %v, want the parse error", ev.Err)
		}
	})
	t.Run("malformed_json", func(t *testing.T) {
		h := newHarness(t, withAdminToken())
		for body, message := range map[string]string{
			`{"name":"carol","password":`:          "malformed JSON body: unexpected EOF",
			`{"name":42,"password":"long enough"}`: "malformed JSON body: json: cannot unmarshal number into Go struct field .Name of type string",
			`["carol"]`:                            "malformed JSON body: json: cannot unmarshal array into Go value of type struct { Name string; Password string }",
			strings.Repeat("[", 20000):             "",
			"\xff\xfe":                             "",
		} {
			resp := h.admin(t, "POST", "/admin/v1/users", body)
			resp.wantError(t, "POST /admin/v1/users "+truncateForName(body), http.StatusBadRequest, "bad_request", message)
		}
	})
}

func truncateForName(s string) string {
	if len(s) > 40 {
		return s[:40] + "..."
	}
	return s
}
