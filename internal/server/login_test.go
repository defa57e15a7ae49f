package server_test

import (
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/sessiond/sessiond/session"
)

func TestLoginPage(t *testing.T) {
	t.Run("anonymous_visitor_gets_the_form_with_a_csrf_token", func(t *testing.T) {
		h := newHarness(t)
		resp := h.browser(firefoxUA).page(t, "/login")
		resp.wantStatus(t, "GET /login", http.StatusOK)
		if ct := resp.header.Get("Content-Type"); ct != "text/html; charset=utf-8" {
			t.Errorf("Content-Type = %q, want text/html; charset=utf-8", ct)
		}
		for _, want := range []string{`<form method="post" action="/login"`, `name="username"`, `name="password" type="password"`} {
			if !strings.Contains(resp.body, want) {
				t.Errorf("login page lacks %q:\n%s", want, resp.body)
			}
		}
		if !csrfField.MatchString(resp.body) {
			t.Errorf("login page has no csrf_token field:\n%s", resp.body)
		}
		// The token belongs to an anonymous session, which needs a cookie.
		c, ok := resp.cookie(cookieName)
		if !ok || !c.Secure || !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Path != "/" || c.Domain != "" {
			t.Errorf("session cookie = %+v, want Secure HttpOnly SameSite=Lax Path=/ without Domain", c)
		}
	})
	t.Run("return_to_is_carried_in_the_form", func(t *testing.T) {
		h := newHarness(t)
		resp := h.browser(firefoxUA).page(t, "/login?return_to=%2Fsessions")
		if !strings.Contains(resp.body, `name="return_to" value="/sessions"`) {
			t.Errorf("login page lacks the return_to field:\n%s", resp.body)
		}
	})
	t.Run("signed_in_user_is_sent_to_return_to", func(t *testing.T) {
		h := newHarness(t)
		h.createUser(t, "alice", alicePassword)
		b := h.browser(firefoxUA)
		b.login(t, "alice", alicePassword)
		tests := []struct{ path, location string }{
			{"/login?return_to=%2Fsessions", "/sessions"},
			{"/login", "/"},
			{"/login?return_to=https%3A%2F%2Fevil.test", "/"},
		}
		for _, tc := range tests {
			resp := b.page(t, tc.path)
			resp.wantStatus(t, "GET "+tc.path, http.StatusSeeOther)
			if got := resp.location(); got != tc.location {
				t.Errorf("GET %s: Location = %q, want %q", tc.path, got, tc.location)
			}
		}
	})
}

func TestLoginSubmit(t *testing.T) {
	tests := []struct {
		name     string
		username string
		returnTo string
		location string
	}{
		{"success_redirects_home", "alice", "", "/"},
		{"success_redirects_to_a_relative_return_to", "alice", "/ok?x=1", "/ok?x=1"},
		{"name_is_normalized_before_lookup", "  Alice ", "", "/"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			h.createUser(t, "alice", alicePassword)
			b := h.browser(curlUA)
			tok := b.csrf(t, "/login")
			anonymous := b.cookie()
			if anonymous == "" {
				t.Fatal("GET /login set no anonymous session cookie")
			}
			mark, events := h.audit.mark(), h.events.mark()
			form := url.Values{"username": {tc.username}, "password": {alicePassword}, "csrf_token": {tok}}
			if tc.returnTo != "" {
				form.Set("return_to", tc.returnTo)
			}
			resp := b.submit(t, "/login", form)
			resp.wantStatus(t, "POST /login", http.StatusSeeOther)
			if got := resp.location(); got != tc.location {
				t.Errorf("Location = %q, want %q", got, tc.location)
			}
			c, ok := resp.cookie(cookieName)
			if !ok || c.Value == anonymous || c.Value != b.cookie() || !c.Secure || !c.HttpOnly {
				t.Errorf("login cookie = %+v, want a new Secure HttpOnly token unlike the anonymous %q", c, anonymous)
			}
			if cc := resp.header.Get("Cache-Control"); cc != "no-store" {
				t.Errorf("Cache-Control = %q, want no-store", cc)
			}
			handle := b.handle(t)
			h.wantAudit(t, mark, "login", "user", "alice", "handle", handle, "ip", "127.0.0.1", "user_agent", curlUA)
			if ev := h.wantEvent(t, events, session.EventLogin, ""); ev.UserID != "alice" || ev.Handle != handle {
				t.Errorf("login event = %+v, want user alice, handle %s", ev, handle)
			}
		})
	}
}

var errorParagraph = regexp.MustCompile(`<p class="error" role="alert">([^<]*)</p>`)

// TestLoginFailureIsGeneric: a wrong password, an unknown user and a
// disabled account look the same, so a login reveals no accounts.
func TestLoginFailureIsGeneric(t *testing.T) {
	h := newHarness(t)
	h.createUser(t, "alice", alicePassword)
	h.createUser(t, "carol", "carol's long password")
	if err := h.accounts.Disable(t.Context(), "carol"); err != nil {
		t.Fatal(err)
	}
	tests := []struct{ name, username, password string }{
		{"wrong_password", "alice", "not alice's password"},
		{"unknown_user", "nobody", "not alice's password"},
		{"disabled_user", "carol", "carol's long password"},
		{"invalid_name", "not a valid name!", "whatever password"},
	}
	// The pages differ only in the CSRF token and the username echoed back.
	normalize := func(body, username string) string {
		body = csrfField.ReplaceAllString(body, `name="csrf_token" value="TOKEN"`)
		return strings.ReplaceAll(body, `value="`+template.HTMLEscapeString(username)+`"`, `value="USERNAME"`)
	}
	pages := map[string]string{}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h.secrets.add(tc.password)
			b := h.browser(firefoxUA)
			tok := b.csrf(t, "/login")
			mark := h.audit.mark()
			resp := b.submit(t, "/login", url.Values{"username": {tc.username}, "password": {tc.password}, "csrf_token": {tok}})
			resp.wantStatus(t, "POST /login", http.StatusUnauthorized)
			m := errorParagraph.FindStringSubmatch(resp.body)
			if m == nil || m[1] != "wrong username or password" {
				t.Errorf("error message = %q, want %q", m, "wrong username or password")
			}
			if !strings.Contains(resp.body, `value="`+tc.username+`"`) {
				t.Errorf("the form does not keep the username %q:\n%s", tc.username, resp.body)
			}
			pages[tc.name] = normalize(resp.body, tc.username)
			h.wantAudit(t, mark, "login_failed", "user", tc.username, "reason", "invalid_credentials")
			if r := b.whoami(t); r.status != http.StatusUnauthorized {
				t.Errorf("whoami after a failed login: status %d, want 401", r.status)
			}
		})
	}
	for name, page := range pages {
		if page != pages["wrong_password"] {
			t.Errorf("the %s page differs from the wrong_password page:\n%s\n---\n%s", name, page, pages["wrong_password"])
		}
	}
	metrics := h.do(t, "GET", "/metrics", nil).body
	if !strings.Contains(metrics, `sessiond_logins_total{result="failure"} 4`) {
		t.Errorf("metrics lack 4 failed logins:\n%s", grepLines(metrics, "sessiond_logins_total"))
	}
}

func TestLoginMissingFields(t *testing.T) {
	tests := []struct {
		name string
		form url.Values
	}{
		{"no_username", url.Values{"password": {alicePassword}}},
		{"no_password", url.Values{"username": {"alice"}}},
		{"both_empty", url.Values{"username": {""}, "password": {""}}},
		{"no_fields_at_all", url.Values{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			h.createUser(t, "alice", alicePassword)
			b := h.browser(firefoxUA)
			tc.form.Set("csrf_token", b.csrf(t, "/login"))
			mark := h.audit.mark()
			resp := b.submit(t, "/login", tc.form)
			resp.wantStatus(t, "POST /login", http.StatusBadRequest)
			if m := errorParagraph.FindStringSubmatch(resp.body); m == nil || m[1] != "enter your username and password" {
				t.Errorf("error message = %q, want %q", m, "enter your username and password")
			}
			h.noAudit(t, mark, "login_failed")
			h.noAudit(t, mark, "login")
		})
	}
}

// TestLoginThrottling: the sixth wrong password of an account locks it, so
// the seventh attempt is refused before its password is looked at, even
// when it is right.
func TestLoginThrottling(t *testing.T) {
	h := newHarness(t)
	h.createUser(t, "alice", alicePassword)
	b := h.browser(firefoxUA)
	tok := b.csrf(t, "/login")
	attempt := func(password string) *response {
		return b.submit(t, "/login", url.Values{"username": {"alice"}, "password": {password}, "csrf_token": {tok}})
	}
	for i := 1; i <= 6; i++ {
		attempt(fmt.Sprintf("wrong guess %d", i)).wantStatus(t, fmt.Sprintf("wrong password %d", i), http.StatusUnauthorized)
	}
	mark := h.audit.mark()
	resp := attempt(alicePassword)
	resp.wantStatus(t, "right password after 6 failures", http.StatusTooManyRequests)
	if got := resp.header.Get("Retry-After"); got != "30" {
		t.Errorf("Retry-After = %q, want 30 (the first lock)", got)
	}
	if m := errorParagraph.FindStringSubmatch(resp.body); m == nil || m[1] != "too many failed attempts; try again later" {
		t.Errorf("error message = %q", m)
	}
	h.wantAudit(t, mark, "login_failed", "user", "alice", "reason", "throttled")
	if r := b.whoami(t); r.status != http.StatusUnauthorized {
		t.Errorf("whoami after a throttled login: status %d, want 401", r.status)
	}
	if metrics := h.do(t, "GET", "/metrics", nil).body; !strings.Contains(metrics, `sessiond_logins_total{result="throttled"} 1`) {
		t.Errorf("metrics lack the throttled login:\n%s", grepLines(metrics, "sessiond_logins_total"))
	}
}

// TestLoginPasswordSpraying: one address trying one password on many
// accounts is stopped by the per-address count, although no account
// fails more than once.
func TestLoginPasswordSpraying(t *testing.T) {
	h := newHarness(t)
	b := h.browser(firefoxUA)
	tok := b.csrf(t, "/login")
	const sprayed = "Summer2024!"
	h.secrets.add(sprayed)
	for i := 1; i <= 22; i++ {
		name := fmt.Sprintf("user%02d", i)
		if i%2 == 0 {
			h.createUser(t, name, "a real password "+name)
		}
		resp := b.submit(t, "/login", url.Values{"username": {name}, "password": {sprayed}, "csrf_token": {tok}})
		want := http.StatusUnauthorized
		if i == 22 { // 20 free failures per address; the 21st locks it
			want = http.StatusTooManyRequests
		}
		resp.wantStatus(t, fmt.Sprintf("spray attempt %d on %s", i, name), want)
		if want == http.StatusTooManyRequests && resp.header.Get("Retry-After") == "" {
			t.Error("throttled spray attempt has no Retry-After")
		}
	}
}

// grepLines returns the lines of s that contain substr.
func grepLines(s, substr string) string {
	var out []string
	for line := range strings.Lines(s) {
		if strings.Contains(line, substr) {
			out = append(out, strings.TrimRight(line, "\n"))
		}
	}
	return strings.Join(out, "\n")
}
