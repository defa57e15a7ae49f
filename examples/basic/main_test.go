package main

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/sessiond/sessiond/session"
	"github.com/sessiond/sessiond/store/memstore"
)

// browser is a cookie-keeping HTTP client that fills in the CSRF field the
// way the example's forms do.
type browser struct {
	t    *testing.T
	base string
	c    *http.Client
	csrf string
}

var csrfField = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

func newBrowser(t *testing.T, base string) *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{t: t, base: base, c: &http.Client{Jar: jar}}
}

func (b *browser) get(path string) (int, string) {
	b.t.Helper()
	resp, err := b.c.Get(b.base + path)
	if err != nil {
		b.t.Fatal(err)
	}
	return b.read(resp)
}

func (b *browser) post(path string, form url.Values) (int, string) {
	b.t.Helper()
	form.Set("csrf_token", b.csrf)
	resp, err := b.c.PostForm(b.base+path, form)
	if err != nil {
		b.t.Fatal(err)
	}
	return b.read(resp)
}

func (b *browser) read(resp *http.Response) (int, string) {
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if m := csrfField.FindSubmatch(body); m != nil {
		b.csrf = string(m[1])
	}
	return resp.StatusCode, string(body)
}

func newTestServer(t *testing.T) *httptest.Server {
	st := memstore.New(memstore.Config{})
	t.Cleanup(func() { st.Close() })
	quiet := session.EventSinkFunc(func(context.Context, session.Event) {})
	m, err := session.New(st, session.Config{Cookie: session.CookieConfig{Name: "sid", InsecureHTTP: true}, Events: quiet})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(newHandler(m, demoUsers))
	t.Cleanup(srv.Close)
	return srv
}

func TestApp(t *testing.T) {
	srv := newTestServer(t)
	alice := newBrowser(t, srv.URL)

	if _, body := alice.get("/"); !strings.Contains(body, "visited this page 1 time in") {
		t.Fatalf("first visit: %s", body)
	}
	if _, body := alice.get("/"); !strings.Contains(body, "visited this page 2 times") {
		t.Fatalf("second visit does not count: %s", body)
	}
	if code, body := alice.post("/login", url.Values{"username": {"alice"}, "password": {"wrong"}}); code != http.StatusUnauthorized || !strings.Contains(body, "Wrong username or password") {
		t.Fatalf("wrong password: %d", code)
	}
	if code, body := alice.post("/login", url.Values{"username": {"alice"}, "password": {"wonderland"}}); code != http.StatusOK || !strings.Contains(body, "Signed in as <strong>alice</strong>") {
		t.Fatalf("login: %d %s", code, body)
	}

	other := newBrowser(t, srv.URL)
	other.get("/")
	other.post("/login", url.Values{"username": {"alice"}, "password": {"wonderland"}})
	if _, body := alice.get("/sessions"); strings.Count(body, "<tr><td>") != 2 || !strings.Contains(body, "(this device)") {
		t.Fatalf("sessions page does not list both sessions: %s", body)
	}
	alice.post("/sessions/revoke-others", url.Values{})
	if _, body := other.get("/"); strings.Contains(body, "Signed in as") {
		t.Fatal("the other session survived revoke-others")
	}
	if _, body := alice.post("/logout", url.Values{}); strings.Contains(body, "Signed in as") {
		t.Fatal("still signed in after logout")
	}
}

func TestAppRefusesForgedForms(t *testing.T) {
	srv := newTestServer(t)
	b := newBrowser(t, srv.URL)
	b.get("/")
	b.csrf = "forged"
	if code, _ := b.post("/login", url.Values{"username": {"alice"}, "password": {"wonderland"}}); code != http.StatusForbidden {
		t.Fatalf("login with a forged CSRF token = %d, want 403", code)
	}
}

// addrWatcher is the program's stderr: it hands over the address from the
// "serving on" line as soon as it is written.
type addrWatcher struct {
	addr chan string
	once sync.Once
}

var servingLine = regexp.MustCompile(`serving on http://(\S+)`)

func (w *addrWatcher) Write(p []byte) (int, error) {
	if m := servingLine.FindSubmatch(p); m != nil {
		w.once.Do(func() { w.addr <- string(m[1]) })
	}
	return len(p), nil
}

// TestRun starts the real program on a free loopback port with the
// embedded store and stops it the way SIGTERM does.
func TestRun(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	out := &addrWatcher{addr: make(chan string, 1)}
	done := make(chan error, 1)
	go func() { done <- run(ctx, []string{"-addr", "127.0.0.1:0", "-data", t.TempDir()}, out) }()
	var addr string
	select {
	case addr = <-out.addr:
	case err := <-done:
		t.Fatalf("run stopped before serving: %v", err)
	}
	b := newBrowser(t, "http://"+addr)
	if code, body := b.get("/"); code != http.StatusOK || !strings.Contains(body, "visited this page 1 time") {
		t.Fatalf("GET / = %d %s", code, body)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("run: %v", err)
	}
}
