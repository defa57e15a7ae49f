package server

import (
	"crypto/sha256"
	"crypto/subtle"
	"net/http"
	"strings"
	"time"

	"github.com/sessiond/sessiond/internal/account"
	"github.com/sessiond/sessiond/session"
)

func digest(s string) []byte {
	d := sha256.Sum256([]byte(s))
	return d[:]
}

// requireAdminToken lets through requests bearing the admin token. Digests
// are compared in constant time, so neither the token nor its length leaks
// through timing. Without a configured token the admin API does not exist.
func (s *server) requireAdminToken(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.adminToken == nil {
			s.apiError(w, r, &httpError{http.StatusNotFound, "admin_disabled", "the admin API is disabled: start sessiond with --admin-token-file"})
			return
		}
		// The scheme is case-insensitive (RFC 9110 §11.1); the token is not.
		scheme, bearer, ok := strings.Cut(r.Header.Get("Authorization"), " ")
		if !ok || !strings.EqualFold(scheme, "Bearer") || subtle.ConstantTimeCompare(digest(bearer), s.adminToken) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="sessiond admin"`)
			s.Audit.WarnContext(r.Context(), "audit", "event", "admin_auth_failed", "ip", s.Proxies.ClientIP(r), "path", r.URL.Path)
			s.apiError(w, r, &httpError{http.StatusUnauthorized, "unauthenticated", "a valid admin bearer token is required"})
			return
		}
		next.ServeHTTP(w, r)
	})
}

type userJSON struct {
	Name              string    `json:"name"`
	Disabled          bool      `json:"disabled"`
	CreatedAt         time.Time `json:"created_at"`
	PasswordChangedAt time.Time `json:"password_changed_at"`
}

func toUserJSON(u account.User) userJSON {
	return userJSON{Name: u.Name, Disabled: u.Disabled, CreatedAt: u.CreatedAt, PasswordChangedAt: u.PasswordChangedAt}
}

func (s *server) adminUsers(w http.ResponseWriter, r *http.Request) (int, any, error) {
	users, err := s.Accounts.Users(r.Context())
	if err != nil {
		return 0, nil, unavailable(err)
	}
	out := make([]userJSON, len(users))
	for i, u := range users {
		out[i] = toUserJSON(u)
	}
	return http.StatusOK, map[string]any{"users": out}, nil
}

func (s *server) adminCreateUser(w http.ResponseWriter, r *http.Request) (int, any, error) {
	var body struct{ Name, Password string }
	if err := decodeJSON(r, &body); err != nil {
		return 0, nil, err
	}
	u, err := s.Accounts.CreateUser(r.Context(), body.Name, body.Password)
	if err != nil {
		return 0, nil, unavailable(err)
	}
	s.audit(r, "user_created", u.Name, "by", "admin")
	return http.StatusCreated, map[string]any{"user": toUserJSON(u)}, nil
}

// adminSetPassword resets a password and signs the user out everywhere.
func (s *server) adminSetPassword(w http.ResponseWriter, r *http.Request) (int, any, error) {
	var body struct{ Password string }
	if err := decodeJSON(r, &body); err != nil {
		return 0, nil, err
	}
	user := r.PathValue("user")
	if err := s.Accounts.SetPassword(r.Context(), user, body.Password); err != nil {
		return 0, nil, unavailable(err)
	}
	return s.revokeAll(r, user, "password_reset")
}

// adminDisable disables a user and ends all of their sessions at once
// (ASVS 7.4.2).
func (s *server) adminDisable(w http.ResponseWriter, r *http.Request) (int, any, error) {
	user := r.PathValue("user")
	if err := s.Accounts.Disable(r.Context(), user); err != nil {
		return 0, nil, unavailable(err)
	}
	return s.revokeAll(r, user, "user_disabled")
}

func (s *server) adminEnable(w http.ResponseWriter, r *http.Request) (int, any, error) {
	user := r.PathValue("user")
	if err := s.Accounts.Enable(r.Context(), user); err != nil {
		return 0, nil, unavailable(err)
	}
	s.audit(r, "user_enabled", user, "by", "admin")
	return http.StatusNoContent, nil, nil
}

func (s *server) revokeAll(r *http.Request, user, event string) (int, any, error) {
	name, err := account.NormalizeName(user)
	if err != nil {
		return 0, nil, err
	}
	n, err := s.Sessions.RevokeAll(r.Context(), name)
	if err != nil {
		return 0, nil, err
	}
	s.audit(r, event, name, "by", "admin", "sessions_revoked", n)
	return http.StatusOK, map[string]int{"revoked": n}, nil
}

// knownUser returns the normalized name of an existing user, or ErrNoUser.
func (s *server) knownUser(r *http.Request) (string, error) {
	u, err := s.Accounts.User(r.Context(), r.PathValue("user"))
	if err != nil {
		return "", unavailable(err)
	}
	return u.Name, nil
}

func (s *server) adminUserSessions(w http.ResponseWriter, r *http.Request) (int, any, error) {
	user, err := s.knownUser(r)
	if err != nil {
		return 0, nil, err
	}
	infos, err := s.Sessions.Sessions(r.Context(), user)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, sessionsJSON(infos), nil
}

// adminRevokeUserSessions ends one session of the user (?handle=H) or,
// without a handle parameter, all of them. A handle parameter that is
// present but empty names no session (404): it is never taken as "all",
// which a script with an unset variable would otherwise trigger.
func (s *server) adminRevokeUserSessions(w http.ResponseWriter, r *http.Request) (int, any, error) {
	user, err := s.knownUser(r)
	if err != nil {
		return 0, nil, err
	}
	if q := r.URL.Query(); q.Has("handle") {
		handle := q.Get("handle")
		if err := s.Sessions.Revoke(r.Context(), user, handle); err != nil {
			return 0, nil, err
		}
		s.audit(r, "session_revoked", user, "by", "admin", "handle", handle)
		return http.StatusOK, map[string]int{"revoked": 1}, nil
	}
	return s.revokeAll(r, user, "sessions_revoked")
}

// adminRevokeHandle ends the session with a handle, whoever owns it. It
// looks through every user's sessions: an admin action, not a hot path.
func (s *server) adminRevokeHandle(w http.ResponseWriter, r *http.Request) (int, any, error) {
	handle := r.PathValue("handle")
	if !session.ValidHandle(handle) {
		return 0, nil, session.ErrNotFound
	}
	users, err := s.Accounts.Users(r.Context())
	if err != nil {
		return 0, nil, unavailable(err)
	}
	for _, u := range users {
		infos, err := s.Sessions.Sessions(r.Context(), u.Name)
		if err != nil {
			return 0, nil, err
		}
		for _, info := range infos {
			if info.Handle == handle {
				if err := s.Sessions.Revoke(r.Context(), u.Name, handle); err != nil {
					return 0, nil, err
				}
				s.audit(r, "session_revoked", u.Name, "by", "admin", "handle", handle)
				return http.StatusNoContent, nil, nil
			}
		}
	}
	return 0, nil, session.ErrNotFound
}

// adminBackup streams a consistent copy of the embedded database.
func (s *server) adminBackup(w http.ResponseWriter, r *http.Request) {
	if s.Backup == nil {
		s.apiError(w, r, &httpError{http.StatusNotImplemented, "not_supported", "this store has no online backup; use the backend's own tools"})
		return
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("Cache-Control", "no-store")
	if _, err := s.Backup(w); err != nil {
		// Headers are gone; the client sees a short body and must not use it.
		s.Log.ErrorContext(r.Context(), "backup failed", "error", err)
		panic(http.ErrAbortHandler)
	}
	s.Audit.InfoContext(r.Context(), "audit", "event", "backup", "ip", s.Proxies.ClientIP(r))
}
