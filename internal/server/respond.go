package server

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/sessiond/sessiond/internal/account"
	"github.com/sessiond/sessiond/internal/clientip"
	"github.com/sessiond/sessiond/session"
)

// respond.go is the only place that turns an error into a status, a code
// and a message, for JSON ({"error":{"code","message"}}) and for pages.

// httpError is an error a handler raises with its own status.
type httpError struct {
	status  int
	code    string
	message string
}

func (e *httpError) Error() string { return e.message }

func badRequest(message string) error {
	return &httpError{http.StatusBadRequest, "bad_request", message}
}

var errUnauthenticated = &httpError{http.StatusUnauthorized, "unauthenticated", "sign in first"}

// outcome is what an error means for the response.
type outcome struct {
	status     int
	code       string
	message    string
	retryAfter time.Duration
}

// classify maps an error to its outcome. Messages are safe to show: they
// never carry store addresses, passwords or tokens.
func classify(err error) outcome {
	var he *httpError
	var throttled *account.ThrottledError
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &he):
		return outcome{status: he.status, code: he.code, message: he.message}
	case errors.As(err, &tooBig):
		return outcome{status: http.StatusRequestEntityTooLarge, code: "body_too_large",
			message: fmt.Sprintf("request body larger than %d bytes", tooBig.Limit)}
	case errors.Is(err, session.ErrMalformedForm):
		return outcome{status: http.StatusBadRequest, code: "bad_request", message: "malformed form body"}
	case errors.As(err, &throttled):
		return outcome{status: http.StatusTooManyRequests, code: "throttled",
			message: "too many failed attempts; try again later", retryAfter: throttled.RetryAfter}
	case errors.Is(err, account.ErrBadCredentials):
		return outcome{status: http.StatusUnauthorized, code: "invalid_credentials", message: "wrong username or password"}
	case errors.Is(err, account.ErrInvalidName), errors.Is(err, account.ErrInvalidPassword):
		return outcome{status: http.StatusBadRequest, code: "invalid_input", message: err.Error()}
	case errors.Is(err, account.ErrUserExists):
		return outcome{status: http.StatusConflict, code: "user_exists", message: "a user with that name exists"}
	case errors.Is(err, account.ErrNoUser), errors.Is(err, session.ErrNotFound):
		return outcome{status: http.StatusNotFound, code: "not_found", message: "not found"}
	case errors.Is(err, session.ErrTooManySessions):
		return outcome{status: http.StatusForbidden, code: "too_many_sessions",
			message: "this account has reached its limit of sessions; sign out elsewhere first"}
	case errors.Is(err, session.ErrCrossOrigin), errors.Is(err, session.ErrCSRFTokenMissing), errors.Is(err, session.ErrCSRFTokenInvalid):
		return outcome{status: http.StatusForbidden, code: "csrf_failed",
			message: "the request failed the cross-site request forgery check; reload the page and try again"}
	case errors.Is(err, session.ErrConflict):
		return outcome{status: http.StatusConflict, code: "conflict", message: "the session changed meanwhile; try again"}
	case errors.Is(err, session.ErrStoreUnavailable):
		return outcome{status: http.StatusServiceUnavailable, code: "store_unavailable",
			message: "the session store is unavailable; try again shortly", retryAfter: 5 * time.Second}
	}
	return outcome{status: http.StatusInternalServerError, code: "internal", message: "internal error"}
}

// unavailable marks an account-store failure as a store outage (503)
// unless it is one of the account package's outcomes.
func unavailable(err error) error {
	for _, known := range []error{account.ErrBadCredentials, account.ErrThrottled, account.ErrNoUser,
		account.ErrUserExists, account.ErrInvalidName, account.ErrInvalidPassword, session.ErrStoreUnavailable} {
		if errors.Is(err, known) {
			return err
		}
	}
	if err == nil {
		return nil
	}
	return fmt.Errorf("%w: %w", session.ErrStoreUnavailable, err)
}

func (o outcome) headers(w http.ResponseWriter) {
	h := w.Header()
	h.Set("Cache-Control", "no-store")
	if o.retryAfter > 0 {
		h.Set("Retry-After", strconv.Itoa(int((o.retryAfter+time.Second-1)/time.Second)))
	}
}

// apiError writes err as a JSON error.
func (s *server) apiError(w http.ResponseWriter, r *http.Request, err error) {
	o := classify(err)
	s.logInternal(r, o, err)
	o.headers(w)
	writeJSON(w, o.status, map[string]any{"error": map[string]string{"code": o.code, "message": o.message}})
}

// pageError writes err as an HTML page.
func (s *server) pageError(w http.ResponseWriter, r *http.Request, err error) {
	o := classify(err)
	s.logInternal(r, o, err)
	o.headers(w)
	s.render(w, r, o.status, "error.html", &page{Title: http.StatusText(o.status), Error: o.message})
}

func (s *server) logInternal(r *http.Request, o outcome, err error) {
	if o.status >= 500 {
		s.Log.ErrorContext(r.Context(), "request failed", "method", r.Method, "path", r.URL.Path, "status", o.status, "error", err)
	}
}

// SessionErrorHandler is the session.Config.ErrorHandler for sessiond: JSON
// for API paths and forward-auth, a page otherwise.
// proxies decides whether the request came over HTTPS, for HSTS.
func SessionErrorHandler(proxies *clientip.Resolver, log func(*http.Request, error)) func(http.ResponseWriter, *http.Request, error) {
	return func(w http.ResponseWriter, r *http.Request, err error) {
		o := classify(err)
		if o.status >= 500 && log != nil {
			log(r, err)
		}
		setSecurityHeaders(w.Header(), proxies.Scheme(r) == "https")
		o.headers(w)
		if wantsHTML(r) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.WriteHeader(o.status)
			fmt.Fprintf(w, "<!doctype html><title>%d</title><p>%s</p>\n", o.status, o.message)
			return
		}
		writeJSON(w, o.status, map[string]any{"error": map[string]string{"code": o.code, "message": o.message}})
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(true)
	enc.Encode(v)
}

// wantsHTML reports a browser navigation, as opposed to an API client.
func wantsHTML(r *http.Request) bool {
	if r.Header.Get("Sec-Fetch-Mode") == "navigate" {
		return true
	}
	accept := r.Header.Get("Accept")
	return len(accept) > 0 && containsToken(accept, "text/html")
}

func containsToken(list, token string) bool {
	for _, item := range strings.Split(list, ",") {
		item, _, _ = strings.Cut(item, ";")
		if strings.TrimSpace(item) == token {
			return true
		}
	}
	return false
}
