package main

import (
	"crypto/subtle"
	"embed"
	"errors"
	"html/template"
	"net/http"
	"net/url"

	"github.com/sessiond/sessiond/session"
)

// demoUsers are the example's accounts. A real app checks a password hash
// (argon2id) from its database; this example is about sessions.
var demoUsers = map[string]string{"alice": "wonderland", "bob": "builder"}

//go:embed templates/*.html
var templateFiles embed.FS

var pages = template.Must(template.ParseFS(templateFiles, "templates/*.html"))

// newHandler returns the app's routes behind the session middleware.
func newHandler(m *session.Manager, users map[string]string) http.Handler {
	a := &app{m: m, users: users}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", a.home)
	mux.HandleFunc("POST /login", a.login)
	mux.HandleFunc("POST /logout", a.logout)
	mux.HandleFunc("GET /sessions", a.sessions)
	mux.HandleFunc("POST /sessions/revoke", a.revoke)
	mux.HandleFunc("POST /sessions/revoke-others", a.revokeOthers)
	return m.LoadAndSave(mux)
}

type app struct {
	m     *session.Manager
	users map[string]string
}

type page struct {
	User     string
	Visits   int
	CSRF     string
	Error    string
	Sessions []session.Info
}

func (a *app) render(w http.ResponseWriter, r *http.Request, name string, p page) {
	tok, err := a.m.CSRFToken(r.Context())
	if err != nil {
		http.Error(w, "session unavailable", session.HTTPStatus(err))
		return
	}
	p.CSRF, p.User = tok, a.m.UserID(r.Context())
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if p.Error != "" {
		w.WriteHeader(http.StatusUnauthorized)
	}
	pages.ExecuteTemplate(w, name, p)
}

func (a *app) home(w http.ResponseWriter, r *http.Request) {
	visits, _ := session.Get[int](r.Context(), "visits")
	visits++
	if err := session.Put(r.Context(), "visits", visits); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	a.render(w, r, "home.html", page{Visits: visits})
}

func (a *app) login(w http.ResponseWriter, r *http.Request) {
	user, password := r.PostFormValue("username"), r.PostFormValue("password")
	want, known := a.users[user]
	if !known {
		want = "\x00never matches"
	}
	if subtle.ConstantTimeCompare([]byte(password), []byte(want)) != 1 || !known {
		a.render(w, r, "home.html", page{Error: "Wrong username or password."})
		return
	}
	if err := a.m.Login(r.Context(), w, r, user); err != nil {
		http.Error(w, err.Error(), session.HTTPStatus(err))
		return
	}
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

func (a *app) logout(w http.ResponseWriter, r *http.Request) {
	if err := a.m.Logout(r.Context(), w); err != nil {
		http.Error(w, "could not sign out, try again", session.HTTPStatus(err))
		return
	}
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

func (a *app) sessions(w http.ResponseWriter, r *http.Request) {
	user := a.m.UserID(r.Context())
	if user == "" {
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return
	}
	infos, err := a.m.Sessions(r.Context(), user)
	if err != nil {
		http.Error(w, "session store unavailable", session.HTTPStatus(err))
		return
	}
	a.render(w, r, "sessions.html", page{Sessions: infos})
}

func (a *app) revoke(w http.ResponseWriter, r *http.Request) {
	user := a.m.UserID(r.Context())
	if user == "" {
		http.Error(w, "sign in first", http.StatusUnauthorized)
		return
	}
	// Revoke only looks among the signed-in user's own sessions, so a handle
	// of somebody else's session is simply not found.
	err := a.m.Revoke(r.Context(), user, r.PostFormValue("handle"))
	if err != nil && !errors.Is(err, session.ErrNotFound) {
		http.Error(w, "session store unavailable", session.HTTPStatus(err))
		return
	}
	http.Redirect(w, r, "/sessions?"+url.Values{"revoked": {"1"}}.Encode(), http.StatusSeeOther)
}

func (a *app) revokeOthers(w http.ResponseWriter, r *http.Request) {
	if _, err := a.m.RevokeOthers(r.Context()); err != nil {
		http.Error(w, err.Error(), session.HTTPStatus(err))
		return
	}
	http.Redirect(w, r, "/sessions", http.StatusSeeOther)
}
