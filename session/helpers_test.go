package session_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"iter"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/sessiond/sessiond/session"
	"github.com/sessiond/sessiond/store"
	"github.com/sessiond/sessiond/store/memstore"
)

// events records every event a Manager emits.
type events struct {
	mu  sync.Mutex
	all []session.Event
}

func (e *events) Emit(_ context.Context, ev session.Event) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.all = append(e.all, ev)
}

func (e *events) kinds() []session.EventKind {
	e.mu.Lock()
	defer e.mu.Unlock()
	var out []session.EventKind
	for _, ev := range e.all {
		out = append(out, ev.Kind)
	}
	return out
}

func (e *events) find(kind session.EventKind) (session.Event, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, ev := range e.all {
		if ev.Kind == kind {
			return ev, true
		}
	}
	return session.Event{}, false
}

func (e *events) reset() {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.all = nil
}

// countingStore counts the calls that reach a store and can be made to fail.
type countingStore struct {
	store.Store
	gets, writes atomic.Int64
	down         atomic.Bool
}

var errDown = errors.New("test: store is down")

func (s *countingStore) fail() error {
	if s.down.Load() {
		return errDown
	}
	return nil
}

func (s *countingStore) Get(ctx context.Context, key store.Key) (store.Record, error) {
	s.gets.Add(1)
	if err := s.fail(); err != nil {
		return store.Record{}, err
	}
	return s.Store.Get(ctx, key)
}

func (s *countingStore) Create(ctx context.Context, rec store.Record) error {
	s.writes.Add(1)
	if err := s.fail(); err != nil {
		return err
	}
	return s.Store.Create(ctx, rec)
}

func (s *countingStore) Update(ctx context.Context, rec store.Record) error {
	s.writes.Add(1)
	if err := s.fail(); err != nil {
		return err
	}
	return s.Store.Update(ctx, rec)
}

func (s *countingStore) Delete(ctx context.Context, key store.Key) error {
	s.writes.Add(1)
	if err := s.fail(); err != nil {
		return err
	}
	return s.Store.Delete(ctx, key)
}

func (s *countingStore) ListUser(ctx context.Context, user string) ([]store.Record, error) {
	if err := s.fail(); err != nil {
		return nil, err
	}
	return s.Store.ListUser(ctx, user)
}

func (s *countingStore) DeleteUser(ctx context.Context, user string, except store.Key) (int, error) {
	s.writes.Add(1)
	if err := s.fail(); err != nil {
		return 0, err
	}
	return s.Store.DeleteUser(ctx, user, except)
}

func (s *countingStore) All(ctx context.Context) iter.Seq2[store.Record, error] {
	return s.Store.All(ctx)
}

// app is a Manager behind its middleware with a few routes, driven through
// httptest without a network. Inside a synctest bubble its clock is fake.
type app struct {
	t      *testing.T
	m      *session.Manager
	store  *countingStore
	events *events
	mux    *http.ServeMux
}

func newApp(t *testing.T, cfg session.Config) *app {
	t.Helper()
	mem := memstore.New(memstore.Config{})
	t.Cleanup(func() { mem.Close() })
	a := &app{t: t, store: &countingStore{Store: mem}, events: &events{}, mux: http.NewServeMux()}
	cfg.Events = a.events
	m, err := session.New(a.store, cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	a.m = m
	a.routes()
	return a
}

func (a *app) routes() {
	m := a.m
	a.mux.HandleFunc("GET /whoami", func(w http.ResponseWriter, r *http.Request) {
		user := m.UserID(r.Context())
		if user == "" {
			http.Error(w, "anonymous", http.StatusUnauthorized)
			return
		}
		fmt.Fprint(w, user)
	})
	a.mux.HandleFunc("GET /csrf", func(w http.ResponseWriter, r *http.Request) {
		tok, err := m.CSRFToken(r.Context())
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		fmt.Fprint(w, tok)
	})
	a.mux.HandleFunc("POST /login", func(w http.ResponseWriter, r *http.Request) {
		if err := m.Login(r.Context(), w, r, r.URL.Query().Get("user")); err != nil {
			http.Error(w, err.Error(), http.StatusForbidden)
		}
	})
	a.mux.HandleFunc("POST /logout", func(w http.ResponseWriter, r *http.Request) {
		if err := m.Logout(r.Context(), w); err != nil {
			http.Error(w, err.Error(), session.HTTPStatus(err))
		}
	})
	a.mux.HandleFunc("POST /renew", func(w http.ResponseWriter, r *http.Request) {
		if err := m.Renew(r.Context(), w, session.AuthLevel(2)); err != nil {
			http.Error(w, err.Error(), session.HTTPStatus(err))
		}
	})
	a.mux.HandleFunc("POST /put", func(w http.ResponseWriter, r *http.Request) {
		for k, v := range r.URL.Query() {
			if err := session.Put(r.Context(), k, v[0]); err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
		}
	})
	a.mux.HandleFunc("GET /get", func(w http.ResponseWriter, r *http.Request) {
		v, _ := session.Get[string](r.Context(), r.URL.Query().Get("k"))
		fmt.Fprint(w, v)
	})
}

func (a *app) serve(req *http.Request) *http.Response {
	rec := httptest.NewRecorder()
	a.m.LoadAndSave(a.mux).ServeHTTP(rec, req)
	return rec.Result()
}

// client is one browser: it keeps the session cookie and a CSRF token.
type client struct {
	a      *app
	cookie string // the session cookie's value, "" for none
	csrf   string
}

func (a *app) client() *client { return &client{a: a} }

// request builds a same-origin request carrying the client's cookie and,
// for unsafe methods, its CSRF token.
func (c *client) request(method, target string) *http.Request {
	req := httptest.NewRequest(method, "https://app.test"+target, nil)
	req.RemoteAddr = "192.0.2.10:5555"
	req.Header.Set("User-Agent", "test-browser/1.0")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	if c.cookie != "" {
		req.AddCookie(&http.Cookie{Name: c.a.m.Config().Cookie.Name, Value: c.cookie})
	}
	if method != http.MethodGet && c.csrf != "" {
		req.Header.Set("X-CSRF-Token", c.csrf)
	}
	return req
}

// do sends a request and keeps what the response does to the cookie.
func (c *client) do(method, target string) *http.Response {
	c.a.t.Helper()
	return c.send(c.request(method, target))
}

func (c *client) send(req *http.Request) *http.Response {
	resp := c.a.serve(req)
	for _, ck := range resp.Cookies() {
		if ck.Name != c.a.m.Config().Cookie.Name {
			continue
		}
		c.cookie = ck.Value
		if ck.MaxAge < 0 {
			c.cookie = ""
		}
	}
	return resp
}

func (c *client) fetchCSRF() {
	c.a.t.Helper()
	resp := c.do(http.MethodGet, "/csrf")
	if resp.StatusCode != http.StatusOK {
		c.a.t.Fatalf("GET /csrf: %d", resp.StatusCode)
	}
	c.csrf = body(resp)
}

// login signs the client in as user and returns the session cookie.
func (c *client) login(user string) string {
	c.a.t.Helper()
	c.fetchCSRF()
	if resp := c.do(http.MethodPost, "/login?user="+user); resp.StatusCode != http.StatusOK {
		c.a.t.Fatalf("login %s: %d %s", user, resp.StatusCode, body(resp))
	}
	c.fetchCSRF() // login replaces the CSRF secret
	return c.cookie
}

func (c *client) whoami() (int, string) {
	resp := c.do(http.MethodGet, "/whoami")
	return resp.StatusCode, strings.TrimSpace(body(resp))
}

func body(resp *http.Response) string {
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

func newRecorder() *httptest.ResponseRecorder { return httptest.NewRecorder() }
