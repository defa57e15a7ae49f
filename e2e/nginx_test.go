package e2e

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"text/template"
	"time"

	"github.com/sessiond/sessiond/internal/testenv"
)

// TestNginxAuthRequest puts a real nginx in front of a test application,
// with auth_request asking sessiond (testdata/nginx.conf, the configuration
// docs/proxies.md shows), and checks what reaches the application.
func TestNginxAuthRequest(t *testing.T) {
	t.Parallel()
	f := startFront(t)
	c := newClient(t, f.URL)

	// Signed out: nothing reaches the application, whatever identity the
	// client claims (and whatever page it says it asked for).
	spoofed := http.Header{"X-Auth-User": {"mallory"}, "X-Auth-Session": {"0123456789abcdef"}, "X-Auth-Level": {"9"},
		"X-Forwarded-Uri": {"/elsewhere"}}
	page := "/app/page?a=1&b=two%20words"
	signedOut := []struct {
		name        string
		method, uri string
		header      http.Header
		status      int
		returnTo    string // for a 302: where the login page sends the user back
	}{
		// Browsers go to the login page and come back to the exact page,
		// query included (the "&" must survive the trip).
		{"browser", http.MethodGet, "/app/page", browserNavigation, http.StatusFound, "/app/page"},
		{"browser_query", http.MethodGet, page, browserNavigation, http.StatusFound, page},
		// Scripts and API clients get 401: a login page is no use to them.
		{"api_client", http.MethodGet, "/app/page", http.Header{"Accept": {"application/json"}}, http.StatusUnauthorized, ""},
		{"post", http.MethodPost, "/app/form", nil, http.StatusUnauthorized, ""},
	}
	for _, tc := range signedOut {
		resp, body := c.do(tc.method, tc.uri, merge(tc.header, spoofed), strings.NewReader("x=1"))
		if resp.StatusCode != tc.status {
			t.Errorf("%s: %s %s signed out: status %d, want %d; body:\n%s", tc.name, tc.method, tc.uri, resp.StatusCode, tc.status, body)
		} else if tc.status == http.StatusFound {
			if got := loginReturnTo(t, resp); got != tc.returnTo {
				t.Errorf("%s: %s %s signed out: return_to = %q, want %q", tc.name, tc.method, tc.uri, got, tc.returnTo)
			}
		}
	}
	if n := f.app.hits.Load(); n != 0 {
		t.Fatalf("the application got %d requests from a signed-out client, want 0", n)
	}

	// Sign in through nginx; the login form sends the user back.
	if got := c.login("admin", f.sessiond.Password, page); got != page {
		t.Errorf("POST /login through nginx: Location %q, want %q", got, page)
	}
	handle := whoamiHandle(t, c)

	// Signed in: the application gets sessiond's identity, never the one
	// the client sent, for every method.
	for _, tc := range []struct{ method, body string }{{http.MethodGet, ""}, {http.MethodPost, "x=1"}} {
		resp, body := c.do(tc.method, page, spoofed, strings.NewReader(tc.body))
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%s %s signed in: status %d, want 200 from the application; body:\n%s", tc.method, page, resp.StatusCode, body)
		}
		var got echoed
		if err := json.Unmarshal([]byte(body), &got); err != nil {
			t.Fatalf("%s %s: not the application's answer: %v\n%s", tc.method, page, err, body)
		}
		want := map[string]string{"X-Auth-User": "admin", "X-Auth-Session": handle, "X-Auth-Level": "1"}
		for name, value := range want {
			if v := got.Header[name]; len(v) != 1 || v[0] != value {
				t.Errorf("%s %s: the application saw %s = %q, want [%q]", tc.method, page, name, v, value)
			}
		}
		if got.Method != tc.method || got.URI != page || got.Body != tc.body {
			t.Errorf("%s %s: the application got %s %s with body %q", tc.method, page, got.Method, got.URI, got.Body)
		}
	}
	if len(handle) != 16 {
		t.Errorf("X-Auth-Session = %q, want a 16-character handle", handle)
	}

	// sessiond's stylesheet is served through nginx; nginx's internal
	// locations are not reachable from outside.
	for path, want := range map[string]int{"/static/style.css": 200, "/_sessiond_auth": 404, "/_sessiond_login": 404} {
		if resp, _ := c.get(path, nil); resp.StatusCode != want {
			t.Errorf("GET %s through nginx: status %d, want %d", path, resp.StatusCode, want)
		}
	}

	// Sign out through nginx: the old token is dead at the front too.
	token := c.cookie()
	hits := f.app.hits.Load()
	c.logout()
	stale := newClient(t, f.URL)
	resp, _ := stale.get("/app/page", merge(browserNavigation, http.Header{"Cookie": {cookieName + "=" + token}}))
	if got := loginReturnTo(t, resp); got != "/app/page" {
		t.Errorf("GET /app/page with the signed-out token: return_to = %q, want /app/page", got)
	}
	if n := f.app.hits.Load(); n != hits {
		t.Errorf("the application got %d requests after sign-out, want 0", n-hits)
	}
}

// TestNginxPassesRotatedCookie checks that a token rotated during
// auth_request reaches the client (auth_request_set + add_header), and
// that the new token is the one that works. The shortest rotation the
// service allows is 31s (RotateEvery must exceed the 30s grace period), so
// this test waits that long.
func TestNginxPassesRotatedCookie(t *testing.T) {
	t.Parallel()
	f := startFront(t, "--rotate-every", "31s")
	c := newClient(t, f.URL)
	c.login("admin", f.sessiond.Password, "")
	old := c.cookie()

	deadline := time.Now().Add(60 * time.Second)
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for c.cookie() == old {
		if time.Now().After(deadline) {
			t.Fatalf("no rotated %s cookie came back through nginx within 60s", cookieName)
		}
		if resp, body := c.get("/app/page", nil); resp.StatusCode != http.StatusOK {
			t.Fatalf("GET /app/page signed in: status %d; body:\n%s", resp.StatusCode, body)
		}
		<-tick.C
	}
	fresh := newClient(t, f.URL)
	resp, body := fresh.get("/app/page", http.Header{"Cookie": {cookieName + "=" + c.cookie()}})
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, `"X-Auth-User":["admin"]`) {
		t.Errorf("GET /app/page with the rotated token: status %d, body:\n%s", resp.StatusCode, body)
	}
}

// front is nginx in front of a test application, with sessiond behind it.
type front struct {
	URL      string // nginx's origin
	sessiond *sessiond
	app      *echoApp
}

// startFront starts the application, sessiond (with args appended) and
// nginx, each stopped in t.Cleanup.
func startFront(t *testing.T, args ...string) *front {
	t.Helper()
	bin := testenv.NeedNginx(t)
	app := startEchoApp(t)
	// nginx cannot take an open listener, so it gets a port that was free
	// a moment ago; sessiond must know it in advance as its public origin.
	listen := fmt.Sprintf("127.0.0.1:%d", testenv.FreePort(t))
	args = append([]string{"--public-url", "http://" + listen, "--trusted-proxies", "127.0.0.1/32"}, args...)
	sd := startSessiond(t, args...)
	startNginx(t, bin, nginxConfig{
		Listen:   listen,
		Sessiond: strings.TrimPrefix(sd.URL, "http://"),
		App:      app.Listener.Addr().String(),
	})
	return &front{URL: "http://" + listen, sessiond: sd, app: app}
}

// nginxConfig fills in testdata/nginx.conf.
type nginxConfig struct {
	Listen   string // host:port nginx listens on
	Sessiond string // host:port of sessiond
	App      string // host:port of the application
}

// startNginx runs nginx with the configuration in a fresh directory and
// returns once its port accepts connections.
func startNginx(t *testing.T, bin string, cfg nginxConfig) {
	t.Helper()
	dir := t.TempDir()
	tmpl, err := template.ParseFiles(filepath.Join("testdata", "nginx.conf"))
	if err != nil {
		t.Fatal(err)
	}
	var conf strings.Builder
	if err := tmpl.Execute(&conf, cfg); err != nil {
		t.Fatal(err)
	}
	confPath := filepath.Join(dir, "nginx.conf")
	if err := os.WriteFile(confPath, []byte(conf.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	out := &output{ready: make(chan struct{})}
	cmd := exec.Command(bin, "-p", dir+"/", "-c", confPath, "-e", "stderr", "-g", "daemon off;")
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting nginx: %v", err)
	}
	exited := make(chan struct{})
	go func() {
		cmd.Wait()
		close(exited)
	}()
	logs := func() string {
		errorLog, _ := os.ReadFile(filepath.Join(dir, "error.log"))
		return fmt.Sprintf("nginx output:\n%s\nerror.log:\n%s", out, errorLog)
	}
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGQUIT) // graceful shutdown
		select {
		case <-exited:
		case <-time.After(stopTimeout):
			cmd.Process.Kill()
			<-exited
			t.Errorf("nginx did not exit within %v of SIGQUIT", stopTimeout)
		}
		if t.Failed() {
			t.Log(logs())
		}
	})

	deadline := time.Now().Add(startTimeout)
	for {
		conn, err := net.DialTimeout("tcp", cfg.Listen, time.Second)
		if err == nil {
			conn.Close()
			return
		}
		select {
		case <-exited:
			t.Fatalf("nginx exited at start (%v); if the port was taken meanwhile, run again.\n%s", cmd.ProcessState, logs())
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("nginx did not accept connections on %s within %v.\n%s", cfg.Listen, startTimeout, logs())
		}
	}
}

// echoApp is the application behind nginx: it answers every request with
// what it received, as JSON, and counts them.
type echoApp struct {
	*httptest.Server
	hits atomic.Int64
}

type echoed struct {
	Method string
	URI    string
	Header http.Header
	Body   string
}

func startEchoApp(t *testing.T) *echoApp {
	t.Helper()
	app := &echoApp{}
	app.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		app.hits.Add(1)
		body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(echoed{r.Method, r.RequestURI, r.Header, string(body)})
	}))
	t.Cleanup(app.Close)
	return app
}

// loginReturnTo requires resp to be a redirect to the login page and
// returns its return_to parameter.
func loginReturnTo(t *testing.T, resp *http.Response) string {
	t.Helper()
	loc, err := url.Parse(resp.Header.Get("Location"))
	if resp.StatusCode != http.StatusFound || err != nil || loc.Path != "/login" {
		t.Fatalf("%s %s: status %d to %q, want 302 to /login", resp.Request.Method, resp.Request.URL.RequestURI(),
			resp.StatusCode, resp.Header.Get("Location"))
	}
	return loc.Query().Get("return_to")
}

// whoamiHandle returns the client's session handle from sessiond's API.
func whoamiHandle(t *testing.T, c *client) string {
	t.Helper()
	resp, body := c.get("/api/v1/whoami", nil)
	var who struct {
		User    string
		Session struct{ Handle string }
	}
	if err := json.Unmarshal([]byte(body), &who); err != nil || resp.StatusCode != http.StatusOK || who.User != "admin" {
		t.Fatalf("GET /api/v1/whoami: status %d, body:\n%s", resp.StatusCode, body)
	}
	return who.Session.Handle
}

// merge returns the union of header sets.
func merge(hs ...http.Header) http.Header {
	out := http.Header{}
	for _, h := range hs {
		for name, values := range h {
			out[name] = append(out[name], values...)
		}
	}
	return out
}
