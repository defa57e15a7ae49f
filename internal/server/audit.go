package server

import (
	"net/http"
)

// audit records one of the service's security events with who, from where
// and with what. Callers pass only safe values: never a password or token.
func (s *server) audit(r *http.Request, event, user string, attrs ...any) {
	base := []any{
		"event", event,
		"user", user,
		"ip", s.Proxies.ClientIP(r),
		"user_agent", truncate(r.UserAgent(), 256),
	}
	s.Audit.InfoContext(r.Context(), "audit", append(base, attrs...)...)
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}
