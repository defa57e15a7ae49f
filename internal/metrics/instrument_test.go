package metrics

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestInstrumentCodes(t *testing.T) {
	tests := []struct {
		name     string
		handler  http.HandlerFunc
		wantCode string
	}{
		// The final status is the label, however it was chosen.
		{"explicit_status", func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusNotFound)
		}, "404"},
		{"body_implies_200", func(w http.ResponseWriter, r *http.Request) {
			io.WriteString(w, "hello")
		}, "200"},
		{"nothing_written_is_200", func(w http.ResponseWriter, r *http.Request) {}, "200"},
		{"second_status_ignored", func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusCreated)
			w.WriteHeader(http.StatusInternalServerError)
		}, "201"},
		{"read_from_implies_200", func(w http.ResponseWriter, r *http.Request) {
			w.(io.ReaderFrom).ReadFrom(strings.NewReader("hello"))
		}, "200"},

		// Informational responses are not final.
		{"early_hints_then_final", func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusEarlyHints)
			w.WriteHeader(http.StatusNoContent)
		}, "204"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := New()
			rec := httptest.NewRecorder()
			m.Instrument("GET /thing", tc.handler).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/thing", nil))
			wantLines(t, scrape(t, m),
				`sessiond_http_request_duration_seconds_count{code="`+tc.wantCode+`",route="GET /thing"} 1`)
		})
	}
}

// TestInstrumentPanic: a handler that panics is recorded as a 500 and the
// panic still reaches net/http, which logs it.
func TestInstrumentPanic(t *testing.T) {
	m := New()
	h := m.Instrument("GET /boom", http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic("boom") }))
	func() {
		defer func() {
			if p := recover(); p != "boom" {
				t.Errorf("recovered %v, want the handler's panic", p)
			}
		}()
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/boom", nil))
	}()
	wantLines(t, scrape(t, m), `sessiond_http_request_duration_seconds_count{code="500",route="GET /boom"} 1`)
}

// TestInstrumentBodyPassesThrough: the wrapper must not alter what the
// client receives.
func TestInstrumentBodyPassesThrough(t *testing.T) {
	h := New().Instrument("r", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Test", "1")
		w.WriteHeader(http.StatusTeapot)
		io.WriteString(w, "short and stout")
		w.(io.ReaderFrom).ReadFrom(strings.NewReader(", here is my spout"))
	}))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
	if rec.Code != http.StatusTeapot || rec.Header().Get("X-Test") != "1" || rec.Body.String() != "short and stout, here is my spout" {
		t.Errorf("response = %d %v %q, want 418 with header and body", rec.Code, rec.Header(), rec.Body)
	}
}

// TestInstrumentFlush: streaming handlers (the reverse proxy, server-sent
// events) must still be able to flush, whichever way they ask.
func TestInstrumentFlush(t *testing.T) {
	tests := []struct {
		name  string
		flush func(w http.ResponseWriter) error
	}{
		{"flusher_interface", func(w http.ResponseWriter) error { w.(http.Flusher).Flush(); return nil }},
		{"response_controller", func(w http.ResponseWriter) error { return http.NewResponseController(w).Flush() }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := New()
			rec := httptest.NewRecorder()
			h := m.Instrument("GET /stream", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if err := tc.flush(w); err != nil {
					t.Errorf("flush: %v", err)
				}
			}))
			h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/stream", nil))
			if !rec.Flushed {
				t.Errorf("the underlying writer was not flushed")
			}
			// Flushing sends the headers, so the status is 200.
			wantLines(t, scrape(t, m), `sessiond_http_request_duration_seconds_count{code="200",route="GET /stream"} 1`)
		})
	}
}

// TestInstrumentHijack: WebSocket upgrades through the reverse proxy need
// the real connection, over a real server.
func TestInstrumentHijack(t *testing.T) {
	tests := []struct {
		name   string
		hijack func(w http.ResponseWriter) (net.Conn, *bufio.ReadWriter, error)
	}{
		{"hijacker_interface", func(w http.ResponseWriter) (net.Conn, *bufio.ReadWriter, error) { return w.(http.Hijacker).Hijack() }},
		{"response_controller", func(w http.ResponseWriter) (net.Conn, *bufio.ReadWriter, error) {
			return http.NewResponseController(w).Hijack()
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := New()
			served := make(chan struct{})
			inner := m.Instrument("GET /ws", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				conn, rw, err := tc.hijack(w)
				if err != nil {
					t.Errorf("hijack: %v", err)
					return
				}
				defer conn.Close()
				rw.WriteString("HTTP/1.1 101 Switching Protocols\r\nUpgrade: test\r\nConnection: Upgrade\r\n\r\nhello")
				rw.Flush()
			}))
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				defer close(served) // after Instrument has recorded the request
				inner.ServeHTTP(w, r)
			}))
			defer srv.Close()

			conn, err := net.Dial("tcp", srv.Listener.Addr().String())
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			io.WriteString(conn, "GET /ws HTTP/1.1\r\nHost: test\r\nUpgrade: test\r\nConnection: Upgrade\r\n\r\n")
			br := bufio.NewReader(conn)
			resp, err := http.ReadResponse(br, nil)
			if err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != http.StatusSwitchingProtocols {
				t.Fatalf("status = %d, want 101", resp.StatusCode)
			}
			if got, _ := io.ReadAll(br); string(got) != "hello" {
				t.Errorf("after upgrade read %q, want %q", got, "hello")
			}
			<-served
			wantLines(t, scrape(t, m), `sessiond_http_request_duration_seconds_count{code="hijacked",route="GET /ws"} 1`)
		})
	}
}

// TestInstrumentUnwrap: http.ResponseController must reach the server's
// own writer for what the wrapper does not implement itself.
func TestInstrumentUnwrap(t *testing.T) {
	m := New()
	srv := httptest.NewServer(m.Instrument("POST /echo", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := http.NewResponseController(w).EnableFullDuplex(); err != nil {
			t.Errorf("EnableFullDuplex through the wrapper: %v", err)
		}
		io.Copy(w, r.Body)
	})))
	defer srv.Close()
	resp, err := srv.Client().Post(srv.URL, "text/plain", strings.NewReader("ping"))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(body) != "ping" {
		t.Errorf("echo = %q, want ping", body)
	}
}
