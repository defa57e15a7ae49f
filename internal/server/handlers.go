package server

import (
	"bytes"
	"errors"
	"net/http"
	"net/url"

	"github.com/sessiond/sessiond/internal/web"
	"github.com/sessiond/sessiond/session"
)

// apiFunc is a JSON endpoint: it returns a status and a value to encode, or
// an error for respond.go to translate.
type apiFunc func(w http.ResponseWriter, r *http.Request) (int, any, error)

func (s *server) api(f apiFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		r.Body = http.MaxBytesReader(w, r.Body, s.apiLimit)
		status, body, err := f(w, r)
		switch {
		case err != nil:
			s.apiError(w, r, err)
		case body == nil:
			w.WriteHeader(status)
		default:
			writeJSON(w, status, body)
		}
	})
}

// signedInAPI answers 401 unless the request has a signed-in session.
func (s *server) signedInAPI(f func(w http.ResponseWriter, r *http.Request, user string) (int, any, error)) http.Handler {
	return s.api(func(w http.ResponseWriter, r *http.Request) (int, any, error) {
		user := s.Sessions.UserID(r.Context())
		if user == "" {
			return 0, nil, errUnauthenticated
		}
		return f(w, r, user)
	})
}

// parseForm reads the form body (bounded by pageHeaders) before a handler
// looks at its fields. r.PostFormValue ignores parse errors, so without it
// an oversized or malformed body would read as a form with empty fields and
// get a misleading answer. It returns the *http.MaxBytesError as is (413)
// and any other failure as a 400 that says what is wrong.
func parseForm(r *http.Request) error {
	// ParseMultipartForm alone would drop ParseForm's error for a body
	// that is not multipart.
	err := r.ParseForm()
	if err == nil {
		err = r.ParseMultipartForm(maxBodyBytes)
	}
	var tooBig *http.MaxBytesError
	switch {
	case err == nil, errors.Is(err, http.ErrNotMultipart):
		return nil
	case errors.As(err, &tooBig):
		return err
	}
	return badRequest("malformed form body: " + err.Error())
}

// pageFunc is a page for a signed-in user.
type pageFunc func(w http.ResponseWriter, r *http.Request, user string)

// signedInPage sends anonymous visitors to the login page and back.
func (s *server) signedInPage(f pageFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		user := s.Sessions.UserID(r.Context())
		if user == "" {
			if r.Method != http.MethodGet {
				s.pageError(w, r, errUnauthenticated)
				return
			}
			http.Redirect(w, r, loginURL(r.URL.RequestURI()), http.StatusSeeOther)
			return
		}
		f(w, r, user)
	})
}

// loginURL is the login page, coming back to returnTo afterwards.
func loginURL(returnTo string) string {
	if returnTo = safeReturnTo(returnTo); returnTo == "/" {
		return "/login"
	}
	return "/login?" + url.Values{"return_to": {returnTo}}.Encode()
}

// page is what every template gets.
type page struct {
	Title    string
	User     string
	CSRF     string
	Notice   string
	Error    string
	ReturnTo string
	Username string
	Session  session.Info
	Sessions []sessionView
}

// render writes a page with the layout's needs filled in: the user and a
// fresh CSRF token for its forms.
func (s *server) render(w http.ResponseWriter, r *http.Request, status int, name string, p *page) {
	tok, err := s.Sessions.CSRFToken(r.Context())
	if err != nil {
		o := classify(err)
		o.headers(w)
		http.Error(w, o.message, o.status)
		return
	}
	p.CSRF, p.User = tok, s.Sessions.UserID(r.Context())
	var buf bytes.Buffer
	if err := web.Templates.ExecuteTemplate(&buf, name, p); err != nil {
		s.Log.ErrorContext(r.Context(), "rendering page", "page", name, "error", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}
