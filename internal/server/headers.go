package server

import (
	"errors"
	"fmt"
	"net/http"
	"runtime/debug"
)

// contentSecurityPolicy allows sessiond's pages nothing but their own
// stylesheet and same-origin form posts, and no framing.
const contentSecurityPolicy = "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; " +
	"frame-ancestors 'none'; base-uri 'none'"

// pageHeaders sets the security headers of sessiond's own pages and API
// responses. Proxied responses keep the upstream's headers.
func (s *server) pageHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		setSecurityHeaders(w.Header(), s.Proxies.Scheme(r) == "https")
		r.Body = http.MaxBytesReader(w, r.Body, s.apiLimit)
		next.ServeHTTP(w, r)
	})
}

// setSecurityHeaders sets the headers of every response sessiond writes
// itself, HSTS aside: pageHeaders, and SessionErrorHandler for the answers
// of the session middleware, which drops the headers set before it fails.
func setSecurityHeaders(h http.Header, https bool) {
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Security-Policy", contentSecurityPolicy)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cross-Origin-Opener-Policy", "same-origin")
	if https {
		h.Set("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
	}
}

// recoverPanics answers a panicking handler with 500, logs the panic with
// its stack, and keeps the process alive.
func (s *server) recoverPanics(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			v := recover()
			if v == nil {
				return
			}
			if err, ok := v.(error); ok && errors.Is(err, http.ErrAbortHandler) {
				panic(v) // the handler asked to abort the response
			}
			s.Log.ErrorContext(r.Context(), "handler panicked", "method", r.Method, "path", r.URL.Path,
				"panic", fmt.Sprint(v), "stack", string(debug.Stack()))
			// If the response had started, net/http's own recovery closes
			// the connection; otherwise this 500 reaches the client.
			s.apiError(w, r, errors.New("panic"))
		}()
		next.ServeHTTP(w, r)
	})
}
