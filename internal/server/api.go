package server

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"time"

	"github.com/sessiond/sessiond/internal/useragent"
	"github.com/sessiond/sessiond/session"
)

// sessionJSON is a session in API responses: the handle, never the token.
type sessionJSON struct {
	Handle        string    `json:"handle"`
	CreatedAt     time.Time `json:"created_at"`
	LastSeenAt    time.Time `json:"last_seen_at"`
	IdleExpiresAt time.Time `json:"idle_expires_at"`
	ExpiresAt     time.Time `json:"expires_at"`
	AuthLevel     int       `json:"auth_level"`
	IP            string    `json:"ip,omitempty"`
	UserAgent     string    `json:"user_agent,omitempty"`
	Device        string    `json:"device,omitempty"`
	Current       bool      `json:"current"`
}

func toJSON(i session.Info) sessionJSON {
	return sessionJSON{
		Handle: i.Handle, CreatedAt: i.CreatedAt, LastSeenAt: i.LastSeen, IdleExpiresAt: i.IdleExpiresAt,
		ExpiresAt: i.ExpiresAt, AuthLevel: i.AuthLevel, IP: i.IP, UserAgent: i.UserAgent,
		Device: useragent.Parse(i.UserAgent).String(), Current: i.Current,
	}
}

func sessionsJSON(infos []session.Info) map[string]any {
	out := make([]sessionJSON, len(infos))
	for i, info := range infos {
		out[i] = toJSON(info)
	}
	return map[string]any{"sessions": out}
}

func (s *server) whoami(w http.ResponseWriter, r *http.Request) (int, any, error) {
	user := s.Sessions.UserID(r.Context())
	if user == "" {
		return 0, nil, errUnauthenticated
	}
	cur := s.Sessions.Current(r.Context())
	return http.StatusOK, map[string]any{
		"user": user,
		"session": map[string]any{
			"handle": cur.Handle, "created_at": cur.CreatedAt, "last_seen_at": cur.LastSeen,
			"idle_expires_at": cur.IdleExpiresAt, "expires_at": cur.ExpiresAt, "auth_level": cur.AuthLevel,
		},
	}, nil
}

func (s *server) apiSessions(w http.ResponseWriter, r *http.Request, user string) (int, any, error) {
	infos, err := s.Sessions.Sessions(r.Context(), user)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, sessionsJSON(infos), nil
}

func (s *server) apiRevoke(w http.ResponseWriter, r *http.Request, user string) (int, any, error) {
	handle := r.PathValue("handle")
	if err := s.Sessions.Revoke(r.Context(), user, handle); err != nil {
		return 0, nil, err
	}
	s.audit(r, "session_revoked", user, "handle", handle)
	return http.StatusNoContent, nil, nil
}

func (s *server) apiRevokeOthers(w http.ResponseWriter, r *http.Request, user string) (int, any, error) {
	n, err := s.Sessions.RevokeOthers(r.Context())
	if err != nil {
		return 0, nil, err
	}
	s.audit(r, "sessions_revoked", user, "count", n)
	return http.StatusOK, map[string]int{"revoked": n}, nil
}

// decodeJSON reads exactly one JSON object of known fields into v.
func decodeJSON(r *http.Request, v any) error {
	if ct := r.Header.Get("Content-Type"); ct != "" && !containsToken(ct, "application/json") {
		return &httpError{http.StatusUnsupportedMediaType, "unsupported_media_type", "send application/json"}
	}
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return err
		}
		return badRequest("malformed JSON body: " + err.Error())
	}
	if _, err := dec.Token(); err != io.EOF {
		return badRequest("malformed JSON body: more than one value")
	}
	return nil
}
