package session_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/sessiond/sessiond/session"
)

// TestLogSinkNeverWritesATokenOrSecret drives a session through login,
// rotation-free reuse, token misuse, CSRF failure and logout with the
// default JSON sink, then searches the log for every secret it saw.
func TestLogSinkNeverWritesATokenOrSecret(t *testing.T) {
	var buf bytes.Buffer
	a := newApp(t, session.Config{})
	m, err := session.New(a.store, session.Config{Events: session.NewLogSink(slog.New(slog.NewJSONHandler(&buf, nil)))})
	if err != nil {
		t.Fatal(err)
	}
	a.m = m
	a.mux = http.NewServeMux()
	a.routes()

	c := a.client()
	token := c.login("alice")
	secrets := []string{token, c.csrf}
	req := c.request(http.MethodGet, "/whoami?sid="+token) // token in URL
	c.send(req)
	forged := c.request(http.MethodPost, "/put?k=v")
	forged.Header.Set("X-CSRF-Token", "forged")
	c.send(forged) // CSRF failure
	(&client{a: a, cookie: "garbage"}).whoami()
	c.do(http.MethodPost, "/logout")
	(&client{a: a, cookie: token}).whoami() // unknown token

	kinds := map[string]bool{}
	lines := bufio.NewScanner(&buf)
	for lines.Scan() {
		line := lines.Text()
		for _, s := range secrets {
			if strings.Contains(line, s) {
				t.Fatalf("log line carries a secret: %s", line)
			}
		}
		var rec struct {
			Event, Handle, User, IP string
		}
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("log line is not JSON: %v: %s", err, line)
		}
		kinds[rec.Event] = true
	}
	for _, want := range []session.EventKind{session.EventLogin, session.EventTokenInURL, session.EventCSRFFailure,
		session.EventMalformedToken, session.EventLogout, session.EventUnknownToken} {
		if !kinds[string(want)] {
			t.Errorf("no %s line in the log; got %v", want, kinds)
		}
	}
}
