package server_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/sessiond/sessiond/session"
)

const newPassword = "a brand new passphrase"

func TestPasswordPage(t *testing.T) {
	h := newHarness(t)
	h.createUser(t, "alice", alicePassword)
	b := h.browser(firefoxUA)
	if r := b.page(t, "/account/password"); r.status != http.StatusSeeOther || r.location() != "/login?return_to=%2Faccount%2Fpassword" {
		t.Errorf("anonymous GET /account/password: %d %q", r.status, r.location())
	}
	b.login(t, "alice", alicePassword)
	resp := b.page(t, "/account/password")
	resp.wantStatus(t, "GET /account/password", http.StatusOK)
	for _, want := range []string{`action="/account/password"`, `name="current_password"`, `name="new_password"`, `name="confirm_password"`} {
		if !strings.Contains(resp.body, want) {
			t.Errorf("password page lacks %q:\n%s", want, resp.body)
		}
	}
	if !csrfField.MatchString(resp.body) {
		t.Error("password page has no csrf_token")
	}
}

func TestPasswordChangeRefused(t *testing.T) {
	tests := []struct {
		name             string
		current, next    string
		confirm          string
		status           int
		message          string
		auditedReason    string // "" when the account service is never asked
		countsAsAFailure bool
	}{
		{"wrong_current_password", "not my password", newPassword, newPassword, http.StatusUnauthorized,
			"wrong username or password", "invalid_credentials", true},
		{"confirmation_mismatch", alicePassword, newPassword, newPassword + "!", http.StatusBadRequest,
			"the new passwords do not match", "", false},
		{"new_password_too_short", alicePassword, "short", "short", http.StatusBadRequest,
			"account: invalid password: shorter than 8 characters", "invalid_input", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			here, other := twoDevices(t, h)
			h.secrets.add(tc.current)
			h.secrets.add(tc.next)
			token := here.cookie()
			tok := here.csrf(t, "/account/password")
			mark := h.audit.mark()
			resp := here.submit(t, "/account/password", url.Values{"csrf_token": {tok},
				"current_password": {tc.current}, "new_password": {tc.next}, "confirm_password": {tc.confirm}})
			resp.wantStatus(t, "POST /account/password", tc.status)
			if m := errorParagraph.FindStringSubmatch(resp.body); m == nil || m[1] != tc.message {
				t.Errorf("error message = %q, want %q", m, tc.message)
			}
			if tc.auditedReason != "" {
				h.wantAudit(t, mark, "password_change_failed", "user", "alice", "reason", tc.auditedReason)
			} else {
				h.noAudit(t, mark, "password_change_failed")
			}
			h.noAudit(t, mark, "password_changed")
			// Nothing changed: both sessions live, same cookie, old password.
			if here.cookie() != token {
				t.Error("a refused password change rotated the session")
			}
			other.whoami(t).wantStatus(t, "other device after a refused change", http.StatusOK)
			h.browser(curlUA).login(t, "alice", alicePassword)
		})
	}
}

func TestPasswordChange(t *testing.T) {
	h := newHarness(t)
	here, other := twoDevices(t, h)
	h.secrets.add(newPassword)
	handle, before, otherToken := here.handle(t), here.cookie(), other.cookie()
	tok := here.csrf(t, "/account/password")
	mark, events := h.audit.mark(), h.events.mark()

	resp := here.submit(t, "/account/password", url.Values{"csrf_token": {tok},
		"current_password": {alicePassword}, "new_password": {newPassword}, "confirm_password": {newPassword}})
	resp.wantStatus(t, "POST /account/password", http.StatusSeeOther)
	if got := resp.location(); got != "/account/password?done=1" {
		t.Errorf("Location = %q, want /account/password?done=1", got)
	}

	t.Run("this_session_is_rotated", func(t *testing.T) {
		after := here.cookie()
		if after == "" || after == before {
			t.Fatalf("cookie after the change = %q, want a new one (before %q)", after, before)
		}
		if got := here.handle(t); got != handle {
			t.Errorf("handle after rotation = %q, want the same %q", got, handle)
		}
		h.replay(t, before).wantStatus(t, "whoami with the pre-change cookie", http.StatusUnauthorized)
		h.wantEvent(t, events, session.EventRenewed, "")
	})
	t.Run("other_sessions_are_ended", func(t *testing.T) {
		other.whoami(t).wantStatus(t, "other device", http.StatusUnauthorized)
		h.replay(t, otherToken).wantStatus(t, "replayed other device cookie", http.StatusUnauthorized)
		h.wantEvent(t, events, session.EventRevoked, "others")
		h.wantAudit(t, mark, "password_changed", "user", "alice", "sessions_revoked", "1")
	})
	t.Run("notice_is_shown", func(t *testing.T) {
		page := here.page(t, "/account/password?done=1")
		if !strings.Contains(page.body, "Your password was changed and every other session signed out.") {
			t.Errorf("no notice on:\n%s", page.body)
		}
	})
	t.Run("new_password_works_and_old_does_not", func(t *testing.T) {
		h.browser(curlUA).login(t, "alice", newPassword)
		b := h.browser(curlUA)
		tok := b.csrf(t, "/login")
		r := b.submit(t, "/login", url.Values{"username": {"alice"}, "password": {alicePassword}, "csrf_token": {tok}})
		r.wantStatus(t, "login with the old password", http.StatusUnauthorized)
	})
}
