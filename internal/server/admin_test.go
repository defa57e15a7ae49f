package server_test

import (
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestAdminDisabledWithoutToken(t *testing.T) {
	h := newHarness(t)
	for _, auth := range []string{"", "Bearer " + adminToken} {
		resp := h.do(t, "GET", "/admin/v1/users", nil, "Authorization", auth)
		resp.wantError(t, "GET /admin/v1/users with the API disabled", http.StatusNotFound, "admin_disabled",
			"the admin API is disabled: start sessiond with --admin-token-file")
	}
}

func TestAdminAuthentication(t *testing.T) {
	tests := []struct{ name, authorization string }{
		{"missing_header", ""},
		{"wrong_token", "Bearer not-the-admin-token"},
		{"token_with_a_suffix", "Bearer " + adminToken + "x"},
		{"token_prefix", "Bearer " + adminToken[:10]},
		{"basic_scheme", "Basic " + adminToken},
		{"token_without_scheme", adminToken},
		{"empty_bearer", "Bearer "},
	}
	h := newHarness(t, withAdminToken())
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			mark := h.audit.mark()
			resp := h.do(t, "GET", "/admin/v1/users", nil, "Authorization", tc.authorization)
			resp.wantError(t, "GET /admin/v1/users", http.StatusUnauthorized, "unauthenticated", "a valid admin bearer token is required")
			if got := resp.header.Get("WWW-Authenticate"); got != `Bearer realm="sessiond admin"` {
				t.Errorf("WWW-Authenticate = %q", got)
			}
			h.wantAudit(t, mark, "admin_auth_failed", "ip", "127.0.0.1", "path", "/admin/v1/users")
		})
	}
	h.admin(t, "GET", "/admin/v1/users", "").wantStatus(t, "with the right token", http.StatusOK)
}

type userJSON struct {
	Name              string    `json:"name"`
	Disabled          bool      `json:"disabled"`
	CreatedAt         time.Time `json:"created_at"`
	PasswordChangedAt time.Time `json:"password_changed_at"`
}

func TestAdminUsers(t *testing.T) {
	h := newHarness(t, withAdminToken())
	h.createUser(t, "alice", alicePassword)

	t.Run("create_user", func(t *testing.T) {
		h.secrets.add(bobPassword)
		mark := h.audit.mark()
		resp := h.admin(t, "POST", "/admin/v1/users", `{"name":"Bob","password":"`+bobPassword+`"}`)
		resp.wantStatus(t, "POST /admin/v1/users", http.StatusCreated)
		var v struct{ User userJSON }
		resp.decode(t, &v)
		if v.User.Name != "bob" || v.User.Disabled || v.User.CreatedAt.IsZero() || strings.Contains(resp.body, "hash") {
			t.Errorf("created user = %s, want bob, enabled, without a hash", resp.body)
		}
		h.wantAudit(t, mark, "user_created", "user", "bob", "by", "admin")
		h.browser(curlUA).login(t, "bob", bobPassword)
	})
	t.Run("list_users", func(t *testing.T) {
		resp := h.admin(t, "GET", "/admin/v1/users", "")
		resp.wantStatus(t, "GET /admin/v1/users", http.StatusOK)
		var v struct{ Users []userJSON }
		resp.decode(t, &v)
		if len(v.Users) != 2 || v.Users[0].Name != "alice" || v.Users[1].Name != "bob" {
			t.Errorf("users = %s, want alice and bob", resp.body)
		}
	})

	refused := []struct {
		name        string
		contentType string
		body        string
		status      int
		code        string
		message     string
	}{
		{"duplicate_name", "application/json", `{"name":"ALICE","password":"another password"}`,
			http.StatusConflict, "user_exists", "a user with that name exists"},
		{"bad_name", "application/json", `{"name":"no spaces allowed","password":"another password"}`,
			http.StatusBadRequest, "invalid_input", ""},
		{"weak_password", "application/json", `{"name":"carol","password":"short"}`,
			http.StatusBadRequest, "invalid_input", "account: invalid password: shorter than 8 characters"},
		{"unknown_field", "application/json", `{"name":"carol","password":"another password","admin":true}`,
			http.StatusBadRequest, "bad_request", `malformed JSON body: json: unknown field "admin"`},
		{"two_values", "application/json", `{"name":"carol","password":"another password"} {}`,
			http.StatusBadRequest, "bad_request", "malformed JSON body: more than one value"},
		{"malformed_json", "application/json", `{"name":`,
			http.StatusBadRequest, "bad_request", "malformed JSON body: unexpected EOF"},
		{"wrong_content_type", "text/plain", `{"name":"carol","password":"another password"}`,
			http.StatusUnsupportedMediaType, "unsupported_media_type", "send application/json"},
		{"form_content_type", "application/x-www-form-urlencoded", `name=carol&password=another+password`,
			http.StatusUnsupportedMediaType, "unsupported_media_type", "send application/json"},
		{"body_over_64_kib", "application/json", `{"name":"carol","password":"` + strings.Repeat("x", 64<<10) + `"}`,
			http.StatusRequestEntityTooLarge, "body_too_large", "request body larger than 65536 bytes"},
	}
	for _, tc := range refused {
		t.Run("create_refuses_"+tc.name, func(t *testing.T) {
			resp := h.do(t, "POST", "/admin/v1/users", strings.NewReader(tc.body),
				"Authorization", "Bearer "+adminToken, "Content-Type", tc.contentType)
			resp.wantError(t, "POST /admin/v1/users", tc.status, tc.code, tc.message)
			if _, err := h.accounts.User(t.Context(), "carol"); err == nil {
				t.Error("a refused request created carol")
			}
		})
	}
}

func TestAdminUserLifecycle(t *testing.T) {
	h := newHarness(t, withAdminToken())
	here, other := twoDevices(t, h)

	t.Run("list_a_users_sessions", func(t *testing.T) {
		resp := h.admin(t, "GET", "/admin/v1/users/alice/sessions", "")
		resp.wantStatus(t, "GET /admin/v1/users/alice/sessions", http.StatusOK)
		if got := decodeSessions(t, resp); len(got) != 2 || got[0].Current || got[1].Current {
			t.Errorf("sessions = %s, want 2, none current (the admin has no session)", resp.body)
		}
		h.admin(t, "GET", "/admin/v1/users/nobody/sessions", "").
			wantError(t, "sessions of an unknown user", http.StatusNotFound, "not_found", "not found")
	})
	t.Run("set_password_signs_the_user_out_everywhere", func(t *testing.T) {
		h.secrets.add(newPassword)
		mark := h.audit.mark()
		resp := h.admin(t, "PUT", "/admin/v1/users/alice/password", `{"password":"`+newPassword+`"}`)
		resp.wantStatus(t, "PUT /admin/v1/users/alice/password", http.StatusOK)
		if strings.TrimSpace(resp.body) != `{"revoked":2}` {
			t.Errorf("body = %s, want {\"revoked\":2}", resp.body)
		}
		here.whoami(t).wantStatus(t, "first device", http.StatusUnauthorized)
		other.whoami(t).wantStatus(t, "second device", http.StatusUnauthorized)
		h.wantAudit(t, mark, "password_reset", "user", "alice", "by", "admin", "sessions_revoked", "2")
		here.login(t, "alice", newPassword)
		h.admin(t, "PUT", "/admin/v1/users/nobody/password", `{"password":"`+newPassword+`"}`).
			wantError(t, "password of an unknown user", http.StatusNotFound, "not_found", "not found")
		h.admin(t, "PUT", "/admin/v1/users/alice/password", `{"password":"short"}`).
			wantError(t, "weak password", http.StatusBadRequest, "invalid_input", "")
	})
	t.Run("disable_signs_out_and_refuses_logins", func(t *testing.T) {
		other.login(t, "alice", newPassword) // two sessions again
		mark := h.audit.mark()
		resp := h.admin(t, "POST", "/admin/v1/users/alice/disable", "")
		resp.wantStatus(t, "POST /admin/v1/users/alice/disable", http.StatusOK)
		if strings.TrimSpace(resp.body) != `{"revoked":2}` {
			t.Errorf("body = %s, want {\"revoked\":2}", resp.body)
		}
		here.whoami(t).wantStatus(t, "disabled user's device", http.StatusUnauthorized)
		h.wantAudit(t, mark, "user_disabled", "user", "alice", "by", "admin")
		b := h.browser(curlUA)
		tok := b.csrf(t, "/login")
		r := b.submit(t, "/login", url.Values{"username": {"alice"}, "password": {newPassword}, "csrf_token": {tok}})
		r.wantStatus(t, "login of a disabled user", http.StatusUnauthorized)
		if m := errorParagraph.FindStringSubmatch(r.body); m == nil || m[1] != "wrong username or password" {
			t.Errorf("error message = %q: a disabled account must look like a wrong password", m)
		}
	})
	t.Run("enable_lets_the_user_in_again", func(t *testing.T) {
		mark := h.audit.mark()
		resp := h.admin(t, "POST", "/admin/v1/users/alice/enable", "")
		resp.wantStatus(t, "POST /admin/v1/users/alice/enable", http.StatusNoContent)
		h.wantAudit(t, mark, "user_enabled", "user", "alice", "by", "admin")
		here.login(t, "alice", newPassword)
		h.admin(t, "POST", "/admin/v1/users/nobody/enable", "").
			wantError(t, "enable an unknown user", http.StatusNotFound, "not_found", "not found")
	})
}

func TestAdminRevoke(t *testing.T) {
	t.Run("one_session_by_handle_of_a_user", func(t *testing.T) {
		h := newHarness(t, withAdminToken())
		here, other := twoDevices(t, h)
		victim := other.handle(t)
		mark := h.audit.mark()
		resp := h.admin(t, "DELETE", "/admin/v1/users/alice/sessions?handle="+victim, "")
		resp.wantStatus(t, "DELETE /admin/v1/users/alice/sessions?handle=", http.StatusOK)
		if strings.TrimSpace(resp.body) != `{"revoked":1}` {
			t.Errorf("body = %s, want {\"revoked\":1}", resp.body)
		}
		other.whoami(t).wantStatus(t, "revoked device", http.StatusUnauthorized)
		here.whoami(t).wantStatus(t, "the other device", http.StatusOK)
		h.wantAudit(t, mark, "session_revoked", "user", "alice", "by", "admin", "handle", victim)
		h.admin(t, "DELETE", "/admin/v1/users/alice/sessions?handle="+victim, "").
			wantError(t, "the same handle again", http.StatusNotFound, "not_found", "not found")
		// An empty handle (a script's unset variable) is not "all".
		h.admin(t, "DELETE", "/admin/v1/users/alice/sessions?handle=", "").
			wantError(t, "an empty handle", http.StatusNotFound, "not_found", "not found")
		here.whoami(t).wantStatus(t, "the device after an empty handle", http.StatusOK)
	})
	t.Run("all_sessions_of_a_user", func(t *testing.T) {
		h := newHarness(t, withAdminToken())
		here, other := twoDevices(t, h)
		h.createUser(t, "bob", bobPassword)
		bob := h.browser(firefoxUA)
		bob.login(t, "bob", bobPassword)
		mark := h.audit.mark()
		resp := h.admin(t, "DELETE", "/admin/v1/users/alice/sessions", "")
		resp.wantStatus(t, "DELETE /admin/v1/users/alice/sessions", http.StatusOK)
		if strings.TrimSpace(resp.body) != `{"revoked":2}` {
			t.Errorf("body = %s, want {\"revoked\":2}", resp.body)
		}
		here.whoami(t).wantStatus(t, "alice's first device", http.StatusUnauthorized)
		other.whoami(t).wantStatus(t, "alice's second device", http.StatusUnauthorized)
		bob.whoami(t).wantStatus(t, "bob", http.StatusOK)
		h.wantAudit(t, mark, "sessions_revoked", "user", "alice", "by", "admin", "sessions_revoked", "2")
		h.admin(t, "DELETE", "/admin/v1/users/nobody/sessions", "").
			wantError(t, "sessions of an unknown user", http.StatusNotFound, "not_found", "not found")
	})
	t.Run("any_session_by_handle", func(t *testing.T) {
		h := newHarness(t, withAdminToken())
		_, other := twoDevices(t, h)
		victim := other.handle(t)
		mark := h.audit.mark()
		resp := h.admin(t, "DELETE", "/admin/v1/sessions/"+victim, "")
		resp.wantStatus(t, "DELETE /admin/v1/sessions/{handle}", http.StatusNoContent)
		other.whoami(t).wantStatus(t, "revoked device", http.StatusUnauthorized)
		h.wantAudit(t, mark, "session_revoked", "user", "alice", "by", "admin", "handle", victim)
		for _, handle := range []string{victim, wellFormedHandle, "garbage"} {
			h.admin(t, "DELETE", "/admin/v1/sessions/"+handle, "").
				wantError(t, "DELETE /admin/v1/sessions/"+handle, http.StatusNotFound, "not_found", "not found")
		}
	})
}

func TestAdminBackup(t *testing.T) {
	t.Run("not_supported_without_a_backup_function", func(t *testing.T) {
		h := newHarness(t, withAdminToken())
		h.admin(t, "GET", "/admin/v1/backup", "").wantError(t, "GET /admin/v1/backup", http.StatusNotImplemented,
			"not_supported", "this store has no online backup; use the backend's own tools")
	})
	t.Run("streams_the_backup", func(t *testing.T) {
		const data = "bbolt database bytes\x00\x01\x02"
		h := newHarness(t, withAdminToken(), withBackup(func(w io.Writer) (int64, error) {
			n, err := io.WriteString(w, data)
			return int64(n), err
		}))
		mark := h.audit.mark()
		resp := h.admin(t, "GET", "/admin/v1/backup", "")
		resp.wantStatus(t, "GET /admin/v1/backup", http.StatusOK)
		if resp.body != data {
			t.Errorf("backup body = %q, want %q", resp.body, data)
		}
		if ct := resp.header.Get("Content-Type"); ct != "application/octet-stream" {
			t.Errorf("Content-Type = %q, want application/octet-stream", ct)
		}
		h.wantAudit(t, mark, "backup", "ip", "127.0.0.1")
		h.do(t, "GET", "/admin/v1/backup", nil).wantStatus(t, "backup without the token", http.StatusUnauthorized)
	})
	t.Run("failure_midway_aborts_the_response", func(t *testing.T) {
		h := newHarness(t, withAdminToken(), withBackup(func(w io.Writer) (int64, error) {
			n, _ := io.WriteString(w, strings.Repeat("partial ", 8<<10))
			return int64(n), errors.New("disk on fire")
		}))
		req, _ := http.NewRequest("GET", h.url("/admin/v1/backup"), nil)
		req.Header.Set("Authorization", "Bearer "+adminToken)
		resp, err := h.plain.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if _, err := io.ReadAll(resp.Body); err == nil {
			t.Error("a failed backup ended like a complete one: the client could keep a truncated copy")
		}
		h.noAudit(t, 0, "backup")
		if !strings.Contains(h.log.String(), "backup failed") {
			t.Errorf("the failure is not logged:\n%s", h.log.String())
		}
	})
}

// TestControlHandler is the admin API of the control socket, whose file
// permissions are its authentication: no bearer token, and nothing else.
func TestControlHandler(t *testing.T) {
	h := newHarness(t, withControlHandler())
	h.createUser(t, "alice", alicePassword)
	resp := h.do(t, "GET", "/admin/v1/users", nil)
	resp.wantStatus(t, "GET /admin/v1/users without a token", http.StatusOK)
	var v struct{ Users []userJSON }
	if resp.decode(t, &v); len(v.Users) != 1 || v.Users[0].Name != "alice" {
		t.Errorf("users = %s, want alice", resp.body)
	}
	h.do(t, "DELETE", "/admin/v1/users/alice/sessions", nil).wantStatus(t, "revoke all", http.StatusOK)
	h.do(t, "GET", "/admin/v1/backup", nil).wantStatus(t, "backup", http.StatusNotImplemented)
	for _, path := range []string{"/login", "/api/v1/whoami", "/auth", "/healthz", "/metrics", "/"} {
		if r := h.do(t, "GET", path, nil); r.status != http.StatusNotFound {
			t.Errorf("control handler GET %s: status %d, want 404", path, r.status)
		}
	}
}
