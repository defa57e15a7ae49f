package session

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
)

// LoadAndSave is the middleware that gives each request its session. For
// every request it:
//
//  1. loads the session from the cookie (Load), answering 503 without
//     calling next when the store cannot answer: it fails closed;
//  2. refuses unsafe requests that fail the CSRF check with 403, unless
//     Config.DisableCSRF is set;
//  3. calls next, and saves the session (Commit) at the first moment the
//     response is about to start — WriteHeader, Write, Flush or Hijack — or
//     when next returns, so the cookie always goes out with the headers,
//     also for handlers that stream.
//
// If the save fails, the handler's response is replaced by an error
// response (see HTTPStatus) and its body discarded. A change made after the
// response started fails with ErrCommitted and emits EventLateWrite.
func (m *Manager) LoadAndSave(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, err := m.Load(r)
		if err != nil {
			m.writeError(w, r, err)
			return
		}
		r = r.WithContext(ctx)
		if !m.cfg.DisableCSRF {
			if err := m.csrf.Check(r); err != nil {
				m.csrf.reject(w, r, err)
				return
			}
		}
		// The writer lives in the request's state: one allocation fewer.
		sw := &stateFrom(ctx).writer
		*sw = saveWriter{ResponseWriter: w, m: m, r: r}
		next.ServeHTTP(sw, r)
		sw.commit()
	})
}

// errResponseReplaced is what a handler's Write returns after a failed save
// replaced its response.
var errResponseReplaced = errors.New("session: response replaced after a failed save")

// saveWriter commits the session exactly once, just before the response
// starts.
type saveWriter struct {
	http.ResponseWriter
	m         *Manager
	r         *http.Request
	committed bool
	failed    bool
}

// commit saves the session, or replaces the response with an error. It
// reports whether the handler's response may go ahead.
func (w *saveWriter) commit() bool {
	if !w.committed {
		w.committed = true
		if err := w.m.Commit(w.r.Context(), w.ResponseWriter); err != nil {
			w.failed = true
			w.m.writeError(w.ResponseWriter, w.r, err)
		}
	}
	return !w.failed
}

func (w *saveWriter) WriteHeader(code int) {
	if code >= 100 && code < 200 && code != http.StatusSwitchingProtocols {
		w.ResponseWriter.WriteHeader(code) // informational: the response has not started
		return
	}
	if w.commit() {
		w.ResponseWriter.WriteHeader(code)
	}
}

func (w *saveWriter) Write(b []byte) (int, error) {
	if !w.committed {
		w.WriteHeader(http.StatusOK)
	}
	if w.failed {
		return 0, errResponseReplaced
	}
	return w.ResponseWriter.Write(b)
}

// WriteString spares handlers that write strings a conversion to []byte.
func (w *saveWriter) WriteString(s string) (int, error) {
	if !w.committed {
		w.WriteHeader(http.StatusOK)
	}
	if w.failed {
		return 0, errResponseReplaced
	}
	return io.WriteString(w.ResponseWriter, s)
}

// Flush commits, then flushes, so handlers that stream still send the
// cookie first.
func (w *saveWriter) Flush() {
	if !w.committed {
		w.WriteHeader(http.StatusOK)
	}
	if !w.failed {
		http.NewResponseController(w.ResponseWriter).Flush()
	}
}

// Hijack commits, then hands over the connection. No cookie can be set on a
// hijacked connection, so the session is not rotated on such a request.
func (w *saveWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	if !w.committed {
		w.m.KeepToken(w.r.Context())
	}
	if !w.commit() {
		return nil, nil, errResponseReplaced
	}
	return http.NewResponseController(w.ResponseWriter).Hijack()
}

// Unwrap lets http.ResponseController reach the writer underneath.
func (w *saveWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// writeError answers a request whose session failed, through
// Config.ErrorHandler when set. Headers the handler had set are dropped:
// they belonged to the response that is not being sent.
func (m *Manager) writeError(w http.ResponseWriter, r *http.Request, err error) {
	h := w.Header()
	for k := range h {
		delete(h, k)
	}
	if m.cfg.ErrorHandler != nil {
		m.cfg.ErrorHandler(w, r, err)
		return
	}
	code := HTTPStatus(err)
	h.Set("Content-Type", "text/plain; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	if code == http.StatusServiceUnavailable {
		h.Set("Retry-After", "5")
	}
	w.WriteHeader(code)
	fmt.Fprintf(w, "%d %s: %s\n", code, http.StatusText(code), publicMessage(err))
}

// publicMessage describes err without internals such as store addresses.
func publicMessage(err error) string {
	for _, known := range []error{ErrStoreUnavailable, ErrConflict, ErrTooLarge, ErrCrossOrigin, ErrCSRFTokenMissing, ErrCSRFTokenInvalid, ErrMalformedForm} {
		if errors.Is(err, known) {
			return known.Error()
		}
	}
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return "request body too large"
	}
	return "session: internal error"
}

// HTTPStatus returns the status code a response should carry for an error
// from this package: 503 for ErrStoreUnavailable, 409 for ErrConflict, 403
// for a failed CSRF check, 413 for an oversized form, 400 for a malformed
// one, 500 otherwise.
func HTTPStatus(err error) int {
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		return http.StatusRequestEntityTooLarge
	case errors.Is(err, ErrMalformedForm):
		return http.StatusBadRequest
	case errors.Is(err, ErrStoreUnavailable):
		return http.StatusServiceUnavailable
	case errors.Is(err, ErrConflict):
		return http.StatusConflict
	case errors.Is(err, ErrCrossOrigin), errors.Is(err, ErrCSRFTokenMissing), errors.Is(err, ErrCSRFTokenInvalid):
		return http.StatusForbidden
	}
	return http.StatusInternalServerError
}
