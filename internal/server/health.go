package server

import (
	"context"
	"net/http"
	"time"
)

// healthz reports that the process is alive; it touches nothing else.
func (s *server) healthz(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

// readyz reports whether the store answers, so a load balancer stops
// sending traffic that could only fail closed.
func (s *server) readyz(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if err := s.Ready(ctx); err != nil {
		s.Log.WarnContext(ctx, "not ready", "error", err)
		writeJSON(w, http.StatusServiceUnavailable, map[string]any{"status": "unavailable",
			"error": map[string]string{"code": "store_unavailable", "message": "the session store does not answer"}})
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ready"})
}
