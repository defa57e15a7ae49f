package bench

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/gorilla/securecookie"
	"github.com/gorilla/sessions"
)

// gorillaFixture serves the workloads with gorilla/sessions' CookieStore,
// keyed with a 32-byte hash key (HMAC-SHA256) and a 32-byte block key
// (AES-256). gorilla/sessions has no middleware: each handler decodes the
// cookie with Get and, when it changed the session, re-encodes it with Save.
// There is no server-side token, so login cannot rotate one; it only
// rewrites the cookie.
func gorillaFixture(tb testing.TB) *fixture {
	const name = "session"
	cs := sessions.NewCookieStore(securecookie.GenerateRandomKey(32), securecookie.GenerateRandomKey(32))
	cs.Options.Secure, cs.Options.HttpOnly, cs.Options.SameSite = true, true, http.SameSiteLaxMode
	st := &countingCookieStore{CookieStore: cs}

	get := func(w http.ResponseWriter, r *http.Request) (*sessions.Session, bool) {
		s, err := st.Get(r, name)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return nil, false
		}
		return s, true
	}
	save := func(w http.ResponseWriter, r *http.Request, s *sessions.Session) bool {
		if err := s.Save(r, w); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return false
		}
		return true
	}
	read := func(w http.ResponseWriter, r *http.Request) {
		if s, ok := get(w, r); ok {
			theme, _ := s.Values["theme"].(string)
			user, _ := s.Values["user"].(string)
			writeRead(w, theme, user)
		}
	}
	count := func(w http.ResponseWriter, r *http.Request) {
		s, ok := get(w, r)
		if !ok {
			return
		}
		n, _ := s.Values["n"].(int)
		n++
		s.Values["n"] = n
		if save(w, r, s) {
			writeCount(w, n)
		}
	}
	login := func(w http.ResponseWriter, r *http.Request) {
		s, ok := get(w, r)
		if !ok {
			return
		}
		s.Values["user"] = "alice"
		if save(w, r, s) {
			writeLoggedIn(w)
		}
	}

	return &fixture{
		handler: routes(read, count, login),
		cookie:  name,
		writes:  &st.writes,
		seed: func(tb testing.TB, userID string) string {
			r := httptest.NewRequest(http.MethodGet, "https://example.com/", nil)
			s, err := cs.New(r, name)
			if err != nil {
				tb.Fatal(err)
			}
			s.Values["theme"], s.Values["n"] = "dark", 41
			if userID != "" {
				s.Values["user"] = userID
			}
			w := httptest.NewRecorder()
			if err := cs.Save(r, w, s); err != nil {
				tb.Fatal(err)
			}
			return setCookie(w, name)
		},
	}
}
