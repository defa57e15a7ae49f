package session_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/sessiond/sessiond/session"
	"github.com/sessiond/sessiond/store/memstore"
)

// quiet discards events so the examples' output stays readable.
var quiet = session.EventSinkFunc(func(context.Context, session.Event) {})

func ExampleNew() {
	st := memstore.New(memstore.Config{})
	defer st.Close()
	m, err := session.New(st, session.Config{}) // the zero Config is the secure default
	if err != nil {
		panic(err)
	}
	cfg := m.Config()
	fmt.Println(cfg.Cookie.Name, cfg.IdleTimeout, cfg.AbsoluteTimeout, cfg.RotateEvery)

	_, err = session.New(st, session.Config{Cookie: session.CookieConfig{InsecureHTTP: true}})
	fmt.Println(err)
	// Output:
	// __Host-sid 30m0s 12h0m0s 15m0s
	// session: Cookie.InsecureHTTP: not allowed with a __Host- name: browsers reject such a cookie without Secure
}

func ExampleManager_LoadAndSave() {
	st := memstore.New(memstore.Config{})
	defer st.Close()
	m, _ := session.New(st, session.Config{Events: quiet})

	mux := http.NewServeMux()
	mux.HandleFunc("GET /visit", func(w http.ResponseWriter, r *http.Request) {
		n, _ := session.Get[int](r.Context(), "visits")
		session.Put(r.Context(), "visits", n+1)
		fmt.Fprintf(w, "visit %d", n+1)
	})
	h := m.LoadAndSave(mux)

	var cookie string
	for range 3 {
		req := httptest.NewRequest("GET", "https://example.com/visit", nil)
		if cookie != "" {
			req.Header.Set("Cookie", cookie)
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if c := w.Result().Cookies(); len(c) > 0 {
			cookie = c[0].Name + "=" + c[0].Value
		}
		fmt.Println(w.Body.String())
	}
	// Output:
	// visit 1
	// visit 2
	// visit 3
}

func ExampleManager_Login() {
	st := memstore.New(memstore.Config{})
	defer st.Close()
	m, _ := session.New(st, session.Config{Events: quiet})

	r := httptest.NewRequest("POST", "https://example.com/login", nil)
	ctx, _ := m.Load(r) // what LoadAndSave does for each request
	w := httptest.NewRecorder()
	// ... after checking the user's password:
	if err := m.Login(ctx, w, r, "alice", session.AuthLevel(1)); err != nil {
		panic(err)
	}
	sc := w.Header().Get("Set-Cookie")
	fmt.Println(m.UserID(ctx))
	fmt.Println(strings.SplitN(sc, "=", 2)[0], strings.SplitN(sc, ";", 2)[1])
	// Output:
	// alice
	// __Host-sid  Path=/; HttpOnly; Secure; SameSite=Lax
}

func ExampleManager_Logout() {
	st := memstore.New(memstore.Config{})
	defer st.Close()
	m, _ := session.New(st, session.Config{Events: quiet})
	r := httptest.NewRequest("POST", "https://example.com/logout", nil)
	ctx, _ := m.Load(r)
	m.Login(ctx, httptest.NewRecorder(), r, "alice")

	w := httptest.NewRecorder()
	if err := m.Logout(ctx, w); err != nil {
		panic(err) // the store could not delete the session: tell the user
	}
	fmt.Println(w.Header().Get("Set-Cookie"))
	fmt.Println(w.Header().Get("Clear-Site-Data"))
	fmt.Printf("user after logout: %q\n", m.UserID(ctx))
	// Output:
	// __Host-sid=; Path=/; HttpOnly; Secure; SameSite=Lax; Max-Age=0
	// "cookies", "storage"
	// user after logout: ""
}

func ExampleManager_Sessions() {
	// A clock that moves one second per reading keeps the order of the
	// listing (most recently active first) deterministic.
	clock := time.Now()
	tick := func() time.Time { clock = clock.Add(time.Second); return clock }
	st := memstore.New(memstore.Config{Now: tick})
	defer st.Close()
	m, _ := session.New(st, session.Config{Events: quiet, Now: tick})
	var current context.Context
	for _, ua := range []string{"Firefox", "Safari"} {
		r := httptest.NewRequest("POST", "https://example.com/login", nil)
		r.Header.Set("User-Agent", ua)
		ctx, _ := m.Load(r)
		m.Login(ctx, httptest.NewRecorder(), r, "alice")
		current = ctx
	}

	infos, _ := m.Sessions(current, "alice")
	for _, i := range infos {
		fmt.Println(i.UserAgent, i.Current, len(i.Handle))
	}
	// Revoke every session but this one, as after a password change.
	n, _ := m.RevokeOthers(current)
	fmt.Println("revoked", n)
	// Output:
	// Safari true 16
	// Firefox false 16
	// revoked 1
}

func ExampleManager_Revoke() {
	st := memstore.New(memstore.Config{})
	defer st.Close()
	m, _ := session.New(st, session.Config{Events: quiet})
	r := httptest.NewRequest("POST", "https://example.com/login", nil)
	ctx, _ := m.Load(r)
	m.Login(ctx, httptest.NewRecorder(), r, "alice")

	handle := m.Current(ctx).Handle // safe to show in a UI; not the token
	fmt.Println(m.Revoke(context.Background(), "alice", handle))
	fmt.Println(m.Revoke(context.Background(), "alice", handle))
	// Output:
	// <nil>
	// store: not found
}

func ExampleManager_CSRFToken() {
	st := memstore.New(memstore.Config{})
	defer st.Close()
	m, _ := session.New(st, session.Config{Events: quiet})
	ctx, _ := m.Load(httptest.NewRequest("GET", "https://example.com/form", nil))

	a, _ := m.CSRFToken(ctx)
	b, _ := m.CSRFToken(ctx)
	// Embed it as <input type="hidden" name="csrf_token" value="...">.
	fmt.Println(len(a), a != b)
	// Output:
	// 86 true
}
