package server_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
)

// upstream is the application behind the proxy: it echoes what it
// received as JSON, sets cookies on /set-cookie and speaks a line-echo
// protocol after a WebSocket-style upgrade on /ws.
type upstream struct {
	url  *url.URL
	hits atomic.Int64
}

// echo is what the upstream received.
type echo struct {
	Method  string              `json:"method"`
	URI     string              `json:"uri"`
	Header  map[string][]string `json:"header"`
	Cookies []string            `json:"cookies"`
}

func newUpstream(t *testing.T) *upstream {
	u := &upstream{}
	mux := http.NewServeMux()
	mux.HandleFunc("/ws", u.upgrade)
	mux.HandleFunc("/set-cookie", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Add("Set-Cookie", cookieName+"=planted-by-the-app; Path=/; Secure")
		w.Header().Add("Set-Cookie", "theme=dark; Path=/")
		u.echo(w, r)
	})
	mux.HandleFunc("/", u.echo)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	u.url, _ = url.Parse(srv.URL)
	return u
}

func (u *upstream) echo(w http.ResponseWriter, r *http.Request) {
	u.hits.Add(1)
	e := echo{Method: r.Method, URI: r.RequestURI, Header: r.Header}
	for _, c := range r.Cookies() {
		e.Cookies = append(e.Cookies, c.Name+"="+c.Value)
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(e)
}

// upgrade answers 101 itself on the hijacked connection, says who it was
// told the user is, then echoes one line.
func (u *upstream) upgrade(w http.ResponseWriter, r *http.Request) {
	u.hits.Add(1)
	if !strings.EqualFold(r.Header.Get("Upgrade"), "websocket") {
		http.Error(w, "upgrade required", http.StatusUpgradeRequired)
		return
	}
	conn, brw, err := http.NewResponseController(w).Hijack()
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	defer conn.Close()
	brw.WriteString("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n")
	brw.WriteString("user=" + r.Header.Get("X-Auth-User") + "\n")
	brw.Flush()
	line, err := brw.ReadString('\n')
	if err != nil {
		return
	}
	brw.WriteString("echo " + line)
	brw.Flush()
}

// received decodes what the upstream echoed.
func (r *response) received(t *testing.T) echo {
	t.Helper()
	var e echo
	r.decode(t, &e)
	return e
}
