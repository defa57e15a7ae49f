package metrics

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"strconv"
	"time"
)

// Instrument returns h timed in sessiond_http_request_duration_seconds
// {route, code}. route should be a fixed name such as the ServeMux pattern
// ("GET /login"), never the request's path, which clients choose. code is
// the final status code sent: "200" if h wrote a body without choosing one,
// "hijacked" if h took over the connection without one (a WebSocket
// upgrade that wrote its own 101, say), and "500" if h panicked before
// sending a status. Informational 1xx responses other than 101 are not
// final and are not recorded.
//
// The ResponseWriter h receives keeps working as the server's does:
// http.Flusher, http.Hijacker and io.ReaderFrom (so file responses may
// still use sendfile) are implemented directly, and Unwrap lets
// http.ResponseController reach everything else, such as deadlines and
// full duplex.
func (m *Metrics) Instrument(route string, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		served := false
		defer func() {
			code := sw.label()
			if !served && sw.code == 0 && !sw.hijacked {
				code = "500" // h panicked first; net/http answers 500 or drops the connection
			}
			m.httpTime.WithLabelValues(route, code).Observe(time.Since(start).Seconds())
		}()
		h.ServeHTTP(sw, r)
		served = true
	})
}

// statusWriter records the status code a handler sends.
type statusWriter struct {
	http.ResponseWriter
	code     int  // the final status sent, or 0 if none yet
	hijacked bool // the handler took the connection over
}

// label is the code label for what has been sent.
func (w *statusWriter) label() string {
	switch {
	case w.code != 0:
		return strconv.Itoa(w.code)
	case w.hijacked:
		return "hijacked"
	}
	return "200" // nothing written: net/http sends an empty 200
}

// WriteHeader records the first final status and passes every call on, so
// that net/http itself reports superfluous calls.
func (w *statusWriter) WriteHeader(code int) {
	if w.code == 0 && (code >= 200 || code == http.StatusSwitchingProtocols) {
		w.code = code
	}
	w.ResponseWriter.WriteHeader(code)
}

// Write implies a 200 status if none was sent.
func (w *statusWriter) Write(b []byte) (int, error) {
	w.implicitOK()
	return w.ResponseWriter.Write(b)
}

// ReadFrom implies a 200 status, then lets the underlying writer copy r
// its own way (sendfile for files, over plain TCP).
func (w *statusWriter) ReadFrom(r io.Reader) (int64, error) {
	w.implicitOK()
	if rf, ok := w.ResponseWriter.(io.ReaderFrom); ok {
		return rf.ReadFrom(r)
	}
	// Hide our own ReadFrom from io.Copy, or it would call it again.
	return io.Copy(struct{ io.Writer }{w.ResponseWriter}, r)
}

// Flush sends buffered data, and with it a 200 status if none was sent. It
// does nothing if the underlying writer cannot flush, as http.Flusher
// allows no error.
func (w *statusWriter) Flush() {
	_ = w.FlushError()
}

// FlushError is Flush reporting failure, the form
// http.ResponseController prefers.
func (w *statusWriter) FlushError() error {
	w.implicitOK()
	return http.NewResponseController(w.ResponseWriter).Flush()
}

// Hijack hands the connection to the handler, if the underlying writer
// allows it (HTTP/1.x). The status recorded so far is kept.
func (w *statusWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	conn, rw, err := http.NewResponseController(w.ResponseWriter).Hijack()
	if err == nil {
		w.hijacked = true
	}
	return conn, rw, err
}

// Unwrap returns the underlying writer, for http.ResponseController.
func (w *statusWriter) Unwrap() http.ResponseWriter {
	return w.ResponseWriter
}

// implicitOK records the 200 that net/http sends when data comes first.
func (w *statusWriter) implicitOK() {
	if w.code == 0 && !w.hijacked {
		w.code = http.StatusOK
	}
}
