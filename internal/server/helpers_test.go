package server_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/sessiond/sessiond/internal/account"
	"github.com/sessiond/sessiond/internal/account/boltaccount"
	"github.com/sessiond/sessiond/internal/clientip"
	"github.com/sessiond/sessiond/internal/metrics"
	"github.com/sessiond/sessiond/internal/server"
	"github.com/sessiond/sessiond/session"
	"github.com/sessiond/sessiond/store/memstore"
)

// The fixtures every test shares.
const (
	cookieName    = "__Host-sid"
	adminToken    = "test-admin-token-0123456789abcdef-0123456789"
	alicePassword = "correct horse battery staple"
	bobPassword   = "bob's long enough password"
	firefoxUA     = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:121.0) Gecko/20100101 Firefox/121.0"
	curlUA        = "curl/8.5.0"
	goUA          = "Go-http-client/1.1"
	htmlAccept    = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
	jsonAccept    = "application/json"
	// wellFormedHandle has the shape of a session handle but names none.
	wellFormedHandle = "AAAAAAAAAAAAAAAA"
)

// options shape a harness.
type options struct {
	trusted   []string
	upstream  bool
	upstreamU *url.URL
	admin     bool
	backup    func(w io.Writer) (int64, error)
	plainHTTP bool
	control   bool
	edit      func(*server.Deps)
}

type option func(*options)

// withTrustedProxies trusts X-Forwarded-* headers from these peers.
func withTrustedProxies(cidrs ...string) option {
	return func(o *options) { o.trusted = cidrs }
}

// withUpstream starts the echoing upstream and proxies to it.
func withUpstream() option { return func(o *options) { o.upstream = true } }

// withUpstreamURL proxies to u, which need not answer.
func withUpstreamURL(u *url.URL) option { return func(o *options) { o.upstreamU = u } }

// withAdminToken enables the admin API with adminToken.
func withAdminToken() option { return func(o *options) { o.admin = true } }

// withBackup sets Deps.Backup.
func withBackup(f func(w io.Writer) (int64, error)) option {
	return func(o *options) { o.backup = f }
}

// withPlainHTTP serves plain HTTP, with the cookie sessiond uses there.
func withPlainHTTP() option { return func(o *options) { o.plainHTTP = true } }

// withControlHandler serves NewControlHandler instead of NewHandler.
func withControlHandler() option { return func(o *options) { o.control = true } }

// withDeps edits the dependencies just before the handler is built.
func withDeps(f func(*server.Deps)) option { return func(o *options) { o.edit = f } }

// harness is sessiond's handler, built as internal/cli/wire.go builds it
// but from test-friendly parts, behind a real TLS server.
type harness struct {
	srv      *httptest.Server
	public   *url.URL
	store    *flakyStore
	accounts *account.Service
	clock    *clock
	audit    *logRecorder // the audit logger: service events and session events
	log      *logRecorder // the operational logger
	events   *eventRecorder
	upstream *upstream // nil unless withUpstream

	plain   *http.Client // no jar, no redirects
	secrets secretList   // must never appear in any log
	// panicsExpected lets a test make a handler panic on purpose.
	panicsExpected atomic.Bool
}

func newHarness(t *testing.T, opts ...option) *harness {
	t.Helper()
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	h := &harness{clock: newClock(), audit: &logRecorder{}, log: &logRecorder{}, events: &eventRecorder{}}
	t.Cleanup(func() { h.checkInvariants(t) }) // runs last: after the server closed

	mem := memstore.New(memstore.Config{Now: h.clock.Now})
	t.Cleanup(func() { mem.Close() })
	h.store = &flakyStore{Store: mem}
	h.accounts = newAccounts(t)
	proxies, err := clientip.New(o.trusted)
	if err != nil {
		t.Fatalf("clientip.New(%q): %v", o.trusted, err)
	}

	ts := httptest.NewUnstartedServer(nil)
	// As internal/cli/serve.go configures the public server.
	ts.Config.ReadHeaderTimeout = 10 * time.Second
	ts.Config.MaxHeaderBytes = 64 << 10
	opsLog := slog.New(slog.NewJSONHandler(h.log, nil))
	auditLog := slog.New(slog.NewJSONHandler(h.audit, nil))
	ts.Config.ErrorLog = slog.NewLogLogger(opsLog.Handler(), slog.LevelWarn)
	h.public = &url.URL{Scheme: "https", Host: ts.Listener.Addr().String()}
	if o.plainHTTP {
		h.public.Scheme = "http"
	}

	m := metrics.New()
	cfg := session.Config{
		DisableCSRF:  true,
		CSRF:         session.CSRFConfig{TrustedOrigins: []string{h.origin()}},
		ClientIP:     proxies.ClientIP,
		ErrorHandler: server.SessionErrorHandler(proxies, nil),
		Events:       m.Events(teeSink{h.events, session.NewLogSink(auditLog)}),
		Now:          h.clock.Now,
	}
	if o.plainHTTP {
		cfg.Cookie = session.CookieConfig{Name: "sessiond_sid", InsecureHTTP: true}
	}
	manager, err := session.New(m.Store(h.store), cfg)
	if err != nil {
		t.Fatalf("session.New: %v", err)
	}
	m.LiveSessions(h.store.count)

	deps := server.Deps{
		Sessions:  manager,
		Accounts:  h.accounts,
		Proxies:   proxies,
		Metrics:   m,
		PublicURL: h.public,
		Ready:     h.store.ready,
		Backup:    o.backup,
		Log:       opsLog,
		Audit:     auditLog,
	}
	if o.admin {
		deps.AdminToken = adminToken
	}
	switch {
	case o.upstream:
		h.upstream = newUpstream(t)
		deps.Upstream = h.upstream.url
	case o.upstreamU != nil:
		deps.Upstream = o.upstreamU
	}
	if o.edit != nil {
		o.edit(&deps)
	}
	ts.Config.Handler = server.NewHandler(deps)
	if o.control {
		ts.Config.Handler = server.NewControlHandler(deps)
	}
	if o.plainHTTP {
		ts.Start()
	} else {
		ts.StartTLS()
	}
	t.Cleanup(ts.Close)
	h.srv = ts
	h.plain = &http.Client{Transport: ts.Client().Transport, CheckRedirect: noRedirects}
	return h
}

func noRedirects(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

// newAccounts returns an account service on a bbolt file of its own, with
// argon2 costs cut down so that tests hash in microseconds.
func newAccounts(t *testing.T) *account.Service {
	t.Helper()
	db, err := bolt.Open(filepath.Join(t.TempDir(), "accounts.db"), 0o600, &bolt.Options{NoSync: true})
	if err != nil {
		t.Fatalf("bolt.Open: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	st, err := boltaccount.New(db, boltaccount.Config{SweepEvery: -1})
	if err != nil {
		t.Fatalf("boltaccount.New: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	svc, err := account.New(st, account.Config{Params: account.Params{MemoryKiB: 64, Iterations: 1, Threads: 1}})
	if err != nil {
		t.Fatalf("account.New: %v", err)
	}
	return svc
}

// origin is the public origin, as browsers send it in Origin.
func (h *harness) origin() string { return h.public.Scheme + "://" + h.public.Host }

// url returns the absolute URL of path on the server.
func (h *harness) url(path string) string { return h.public.Scheme + "://" + h.public.Host + path }

// createUser creates an account and remembers its password as a secret.
func (h *harness) createUser(t *testing.T, name, password string) {
	t.Helper()
	if _, err := h.accounts.CreateUser(context.Background(), name, password); err != nil {
		t.Fatalf("CreateUser(%q): %v", name, err)
	}
	h.secrets.add(password)
}

// do sends a request without a cookie jar; header holds name, value pairs
// (a "Cookie" pair replays a cookie by hand).
func (h *harness) do(t *testing.T, method, path string, body io.Reader, header ...string) *response {
	t.Helper()
	return send(t, h, h.plain, method, path, body, "", header)
}

// replay sends GET /api/v1/whoami with a session cookie of the test's
// choosing, as an attacker holding a copy of it would.
func (h *harness) replay(t *testing.T, token string) *response {
	t.Helper()
	return h.do(t, "GET", "/api/v1/whoami", nil, "Cookie", cookieName+"="+token, "Accept", jsonAccept)
}

// admin calls the admin API with the bearer token.
func (h *harness) admin(t *testing.T, method, path, body string) *response {
	t.Helper()
	var r io.Reader
	header := []string{"Authorization", "Bearer " + adminToken, "Accept", jsonAccept}
	if body != "" {
		r = strings.NewReader(body)
		header = append(header, "Content-Type", "application/json")
	}
	return h.do(t, method, path, r, header...)
}

// checkInvariants runs after every test: no secret reached a log or an
// event, and no handler panicked unless the test meant it to.
func (h *harness) checkInvariants(t *testing.T) {
	outputs := map[string]string{"audit log": h.audit.String(), "operational log": h.log.String(), "events": h.events.String()}
	for name, out := range outputs {
		for _, s := range h.secrets.all() {
			if strings.Contains(out, s) {
				t.Errorf("the %s contains the secret %q:\n%s", name, s, out)
			}
		}
	}
	if logs := h.log.String(); !h.panicsExpected.Load() && (strings.Contains(logs, "handler panicked") || strings.Contains(logs, "panic serving")) {
		t.Errorf("a handler panicked:\n%s", logs)
	}
}

// secretList holds passwords and session tokens the test has seen.
type secretList struct {
	mu   sync.Mutex
	list []string
}

func (s *secretList) add(v string) {
	if v == "" {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.list = append(s.list, v)
}

func (s *secretList) all() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.list...)
}

// browser is a client with a cookie jar that does not follow redirects, so
// that tests see every 3xx.
type browser struct {
	h  *harness
	c  *http.Client
	ua string
}

func (h *harness) browser(ua string) *browser {
	jar, err := cookiejar.New(nil)
	if err != nil {
		panic(err)
	}
	return &browser{h: h, ua: ua, c: &http.Client{Transport: h.srv.Client().Transport, Jar: jar, CheckRedirect: noRedirects}}
}

// do sends a request with the browser's cookies and User-Agent.
func (b *browser) do(t *testing.T, method, path string, body io.Reader, header ...string) *response {
	t.Helper()
	return send(t, b.h, b.c, method, path, body, b.ua, header)
}

// page navigates to path, as a browser does.
func (b *browser) page(t *testing.T, path string) *response {
	t.Helper()
	return b.do(t, "GET", path, nil, "Accept", htmlAccept, "Sec-Fetch-Mode", "navigate")
}

// submit posts a form from one of sessiond's own pages.
func (b *browser) submit(t *testing.T, path string, form url.Values, header ...string) *response {
	t.Helper()
	header = append([]string{"Content-Type", "application/x-www-form-urlencoded", "Accept", htmlAccept,
		"Origin", b.h.origin()}, header...)
	return b.do(t, "POST", path, strings.NewReader(form.Encode()), header...)
}

// api calls the JSON API; header holds name, value pairs.
func (b *browser) api(t *testing.T, method, path string, header ...string) *response {
	t.Helper()
	return b.do(t, method, path, nil, append([]string{"Accept", jsonAccept}, header...)...)
}

func (b *browser) whoami(t *testing.T) *response {
	t.Helper()
	return b.api(t, "GET", "/api/v1/whoami")
}

var csrfField = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

// csrf loads a page and returns the CSRF token of its forms.
func (b *browser) csrf(t *testing.T, path string) string {
	t.Helper()
	resp := b.page(t, path)
	if resp.status != http.StatusOK {
		t.Fatalf("GET %s: status %d, want 200; body:\n%s", path, resp.status, resp.body)
	}
	m := csrfField.FindStringSubmatch(resp.body)
	if m == nil {
		t.Fatalf("GET %s: no csrf_token field in:\n%s", path, resp.body)
	}
	return m[1]
}

// login signs in through the form and fails the test unless it works.
func (b *browser) login(t *testing.T, user, password string) {
	t.Helper()
	tok := b.csrf(t, "/login")
	resp := b.submit(t, "/login", url.Values{"username": {user}, "password": {password}, "csrf_token": {tok}})
	if resp.status != http.StatusSeeOther {
		t.Fatalf("login as %s: status %d, want 303; body:\n%s", user, resp.status, resp.body)
	}
}

// cookie returns the session cookie the browser holds, or "".
func (b *browser) cookie() string {
	for _, c := range b.c.Jar.Cookies(b.h.public) {
		if c.Name == cookieName {
			return c.Value
		}
	}
	return ""
}

// plant puts a cookie into the browser's jar, as a related-domain attacker
// or a shared computer could.
func (b *browser) plant(name, value string) {
	b.c.Jar.SetCookies(b.h.public, []*http.Cookie{{Name: name, Value: value, Path: "/", Secure: true}})
}

// handle returns the handle of the browser's current session.
func (b *browser) handle(t *testing.T) string {
	t.Helper()
	resp := b.whoami(t)
	if resp.status != http.StatusOK {
		t.Fatalf("whoami: status %d, want 200; body: %s", resp.status, resp.body)
	}
	var v struct{ Session struct{ Handle string } }
	resp.decode(t, &v)
	return v.Session.Handle
}

// send does one request and reads the whole response.
func send(t *testing.T, h *harness, c *http.Client, method, path string, body io.Reader, ua string, header []string) *response {
	t.Helper()
	req, err := http.NewRequest(method, h.url(path), body)
	if err != nil {
		t.Fatalf("NewRequest(%s %s): %v", method, path, err)
	}
	if ua != "" {
		req.Header.Set("User-Agent", ua)
	}
	for i := 0; i+1 < len(header); i += 2 {
		if header[i] == "Host" {
			req.Host = header[i+1]
			continue
		}
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: reading the body: %v", method, path, err)
	}
	r := &response{status: resp.StatusCode, header: resp.Header, body: string(data), cookies: resp.Cookies()}
	for _, c := range r.cookies {
		if c.Name == cookieName {
			h.secrets.add(c.Value)
		}
	}
	return r
}

// response is a response read in full.
type response struct {
	status  int
	header  http.Header
	body    string
	cookies []*http.Cookie
}

func (r *response) location() string { return r.header.Get("Location") }

// cookie returns the Set-Cookie of name in the response.
func (r *response) cookie(name string) (*http.Cookie, bool) {
	for _, c := range r.cookies {
		if c.Name == name {
			return c, true
		}
	}
	return nil, false
}

func (r *response) decode(t *testing.T, v any) {
	t.Helper()
	if ct := r.header.Get("Content-Type"); ct != "application/json" {
		t.Fatalf("Content-Type = %q, want application/json; body: %s", ct, r.body)
	}
	if err := json.Unmarshal([]byte(r.body), v); err != nil {
		t.Fatalf("decoding %s: %v", r.body, err)
	}
}

// wantStatus fails the test unless the response has status want.
func (r *response) wantStatus(t *testing.T, what string, want int) {
	t.Helper()
	if r.status != want {
		t.Fatalf("%s: status = %d, want %d; body:\n%s", what, r.status, want, r.body)
	}
}

// wantError checks a JSON error response: status, code and message.
func (r *response) wantError(t *testing.T, what string, status int, code, message string) {
	t.Helper()
	r.wantStatus(t, what, status)
	var v struct {
		Error struct{ Code, Message string }
	}
	r.decode(t, &v)
	if v.Error.Code != code || (message != "" && v.Error.Message != message) {
		t.Errorf("%s: error = {%q, %q}, want {%q, %q}", what, v.Error.Code, v.Error.Message, code, message)
	}
}

// clock is the sessions' clock; tests move it on.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func newClock() *clock { return &clock{now: time.Now()} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}
