package bench

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync/atomic"
	"testing"
)

// workload is one kind of request, the same for every library.
type workload struct {
	name string // the benchmark's name, after "Benchmark"
	path string
	// userID owns the session the request starts from; empty means an
	// anonymous session.
	userID string
	// consumes says the request retires the token it arrived with, so each
	// request needs a session of its own.
	consumes bool
}

var (
	// readOnly reads the theme and the user ID and writes them back.
	readOnly = workload{name: "ReadOnly", path: "/read", userID: "alice"}
	// readModifyWrite increments the counter n.
	readModifyWrite = workload{name: "ReadModifyWrite", path: "/count", userID: "alice"}
	// login signs alice in on an existing anonymous session, rotating its
	// token where the library has one.
	login = workload{name: "Login", path: "/login", consumes: true}
)

// fixture is one library set up to serve every workload.
type fixture struct {
	// handler serves GET /read, /count and /login (see routes) through the
	// library's middleware.
	handler http.Handler
	// cookie is the name of the session cookie.
	cookie string
	// seed stores a new session holding theme "dark", n 41 and userID
	// (anonymous when empty), and returns its cookie value. It goes through
	// the library's API, not through handler.
	seed func(tb testing.TB, userID string) string
	// writes counts store writes; cookie rewrites for gorilla/sessions.
	writes *atomic.Int64
}

// library is a session library under comparison.
type library struct {
	name  string
	setup func(tb testing.TB) *fixture
	// serverSide says the library keeps sessions on the server, so a login
	// can kill the token the client had before.
	serverSide bool
	// writes is what one request of each workload writes, by workload name.
	// The tests hold the writes/op metric to it.
	writes map[string]int64
}

// libraries are the session libraries. The benchmarks add baseline, which
// keeps no session and so has no behaviour to test.
var libraries = []library{
	// Read-only requests write nothing: the last-seen time is written at
	// most once per Config.TouchEvery. Login creates the new record and
	// turns the old one into a dead alias.
	{name: "sessiond", setup: sessiondFixture, serverSide: true,
		writes: map[string]int64{"ReadOnly": 0, "ReadModifyWrite": 1, "Login": 2}},
	// With IdleTimeout set, scs marks every loaded session modified and
	// commits it to push the idle deadline. RenewToken deletes the old token.
	{name: "scs", setup: scsFixture, serverSide: true,
		writes: map[string]int64{"ReadOnly": 1, "ReadModifyWrite": 1, "Login": 2}},
	// Cookie rewrites, not store writes: there is no store.
	{name: "gorilla", setup: gorillaFixture, serverSide: false,
		writes: map[string]int64{"ReadOnly": 0, "ReadModifyWrite": 1, "Login": 1}},
}

// routes is the application every library serves: its three handlers under
// the same paths.
func routes(read, count, login http.HandlerFunc) *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /read", read)
	mux.HandleFunc("GET /count", count)
	mux.HandleFunc("GET /login", login)
	return mux
}

// The handlers of every library write their bodies with these, so that the
// work outside the session library is the same for all.

func writeRead(w http.ResponseWriter, theme, user string) { writeText(w, "theme="+theme+" user="+user) }

func writeCount(w http.ResponseWriter, n int) { writeText(w, strconv.Itoa(n)) }

func writeLoggedIn(w http.ResponseWriter) { writeText(w, "ok") }

// writeText sets the Content-Type before writing, as real handlers do. It
// also keeps the recorder's own work equal: a ResponseRecorder sniffs the
// type of a body written without one, but only if nothing called
// WriteHeader first, and sessiond's writer does.
func writeText(w http.ResponseWriter, body string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	io.WriteString(w, body)
}

// request builds a GET request for path carrying the cookie name=value.
// Requests go to https:// because sessiond's default __Host- cookie is
// Secure.
func request(path, name, value string) *http.Request {
	r := httptest.NewRequest(http.MethodGet, "https://example.com"+path, nil)
	r.Header.Set("Cookie", name+"="+value)
	return r
}

// serve sends one request through h and fails unless it answers 200. Like a
// server, it gives the handler a *http.Request of its own: gorilla/sessions
// stores its per-request registry by overwriting *r, so reusing one request
// would hand the next iteration an already decoded session.
func serve(tb testing.TB, h http.Handler, req *http.Request) *httptest.ResponseRecorder {
	r := *req
	w := httptest.NewRecorder()
	h.ServeHTTP(w, &r)
	if w.Code != http.StatusOK {
		tb.Fatalf("GET %s: status = %d, want 200; body %q", req.URL.Path, w.Code, w.Body)
	}
	return w
}

// setCookie returns the value the response sets for the cookie name, or ""
// when it sets none.
func setCookie(w *httptest.ResponseRecorder, name string) string {
	for _, c := range w.Result().Cookies() {
		if c.Name == name {
			return c.Value
		}
	}
	return ""
}

// The tests below run each workload once per library and check that it does
// what its benchmark claims to measure, store writes included.

func TestWorkloadsReadOnly(t *testing.T) {
	for _, lib := range libraries {
		t.Run(lib.name, func(t *testing.T) {
			f := lib.setup(t)
			req := request(readOnly.path, f.cookie, f.seed(t, readOnly.userID))
			before := f.writes.Load()
			w := serve(t, f.handler, req)
			if got, want := w.Body.String(), "theme=dark user=alice"; got != want {
				t.Errorf("GET %s body = %q, want %q", readOnly.path, got, want)
			}
			wantWrites(t, f, lib, readOnly, before, 1)
		})
	}
}

func TestWorkloadsReadModifyWrite(t *testing.T) {
	for _, lib := range libraries {
		t.Run(lib.name, func(t *testing.T) {
			f := lib.setup(t)
			cookie := f.seed(t, readModifyWrite.userID)
			before := f.writes.Load()
			for _, want := range []string{"42", "43"} {
				w := serve(t, f.handler, request(readModifyWrite.path, f.cookie, cookie))
				if got := w.Body.String(); got != want {
					t.Errorf("GET %s body = %q, want %q", readModifyWrite.path, got, want)
				}
				if c := setCookie(w, f.cookie); c != "" {
					cookie = c // a cookie store carries the counter in the cookie
				}
			}
			wantWrites(t, f, lib, readModifyWrite, before, 2)
		})
	}
}

func TestWorkloadsLogin(t *testing.T) {
	for _, lib := range libraries {
		t.Run(lib.name, func(t *testing.T) {
			f := lib.setup(t)
			old := f.seed(t, login.userID)
			if got, want := serve(t, f.handler, request(readOnly.path, f.cookie, old)).Body.String(), "theme=dark user="; got != want {
				t.Fatalf("before login: GET %s body = %q, want %q", readOnly.path, got, want)
			}
			before := f.writes.Load()
			w := serve(t, f.handler, request(login.path, f.cookie, old))
			wantWrites(t, f, lib, login, before, 1)
			cookie := setCookie(w, f.cookie)
			if cookie == "" || cookie == old {
				t.Fatalf("login set cookie %q, want a new value (before login: %q)", cookie, old)
			}
			if got, want := serve(t, f.handler, request(readOnly.path, f.cookie, cookie)).Body.String(), "theme=dark user=alice"; got != want {
				t.Errorf("after login: GET %s body = %q, want %q", readOnly.path, got, want)
			}
			// The pre-login cookie is dead where the server holds sessions;
			// a cookie store cannot retire it.
			want := "theme= user="
			if !lib.serverSide {
				want = "theme=dark user="
			}
			if got := serve(t, f.handler, request(readOnly.path, f.cookie, old)).Body.String(); got != want {
				t.Errorf("pre-login cookie replayed: GET %s body = %q, want %q", readOnly.path, got, want)
			}
		})
	}
}

// wantWrites checks that n requests of wl wrote what lib says per request.
func wantWrites(t *testing.T, f *fixture, lib library, wl workload, before, n int64) {
	t.Helper()
	if got, want := f.writes.Load()-before, n*lib.writes[wl.name]; got != want {
		t.Errorf("%d %s request(s): writes = %d, want %d", n, wl.name, got, want)
	}
}
