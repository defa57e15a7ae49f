package session_test

import (
	"net/http"
	"testing"

	"github.com/sessiond/sessiond/session"
)

func TestLogin(t *testing.T) {
	a := newApp(t, session.Config{})
	c := a.client()
	c.fetchCSRF()
	anon := c.cookie
	if anon == "" {
		t.Fatal("CSRFToken did not store an anonymous session")
	}
	if resp := c.do(http.MethodPost, "/put?cart=3"); resp.StatusCode != 200 {
		t.Fatalf("put: %d %s", resp.StatusCode, body(resp))
	}
	c.login("alice")
	if c.cookie == anon {
		t.Fatal("Login kept the anonymous token")
	}
	if code, user := c.whoami(); code != 200 || user != "alice" {
		t.Fatalf("whoami = %d %q, want 200 alice", code, user)
	}
	if got := body(c.do(http.MethodGet, "/get?k=cart")); got != "3" {
		t.Fatalf("anonymous data after login = %q, want 3", got)
	}
	t.Log(a.events.kinds())
}
