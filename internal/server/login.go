package server

import (
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/sessiond/sessiond/internal/account"
	"github.com/sessiond/sessiond/session"
)

func (s *server) loginPage(w http.ResponseWriter, r *http.Request) {
	returnTo := safeReturnTo(r.URL.Query().Get("return_to"))
	if s.Sessions.UserID(r.Context()) != "" {
		http.Redirect(w, r, returnTo, http.StatusSeeOther)
		return
	}
	s.render(w, r, http.StatusOK, "login.html", &page{Title: "Sign in", ReturnTo: returnTo})
}

// loginSubmit checks the password and issues a brand-new session. Whether
// the username exists never shows: one message, and comparable work (the
// account service verifies a dummy hash for unknown names).
func (s *server) loginSubmit(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	if err := parseForm(r); err != nil {
		s.renderError(w, r, "login.html", &page{Title: "Sign in", ReturnTo: "/"}, err)
		return
	}
	name, password := r.PostFormValue("username"), r.PostFormValue("password")
	returnTo := safeReturnTo(r.PostFormValue("return_to"))
	retry := &page{Title: "Sign in", ReturnTo: returnTo, Username: name}
	if name == "" || password == "" {
		s.renderError(w, r, "login.html", retry, badRequest("enter your username and password"))
		return
	}
	user, err := s.Accounts.Authenticate(ctx, name, password, throttleKey(s.Proxies.ClientIP(r)))
	if err != nil {
		err = unavailable(err)
		s.Metrics.Login(loginResult(err))
		s.audit(r, "login_failed", name, "reason", classify(err).code)
		s.renderError(w, r, "login.html", retry, err)
		return
	}
	if err := s.Sessions.Login(ctx, w, r, user.Name, session.AuthLevel(1)); err != nil {
		s.Metrics.Login("error")
		s.audit(r, "login_refused", user.Name, "reason", classify(err).code)
		s.renderError(w, r, "login.html", retry, err)
		return
	}
	s.Metrics.Login("success")
	s.audit(r, "login", user.Name, "handle", s.Sessions.Current(ctx).Handle)
	http.Redirect(w, r, returnTo, http.StatusSeeOther)
}

func loginResult(err error) string {
	switch {
	case errors.Is(err, account.ErrThrottled):
		return "throttled"
	case errors.Is(err, account.ErrBadCredentials):
		return "failure"
	}
	return "error"
}

// renderError shows a page again with the error's message and status.
func (s *server) renderError(w http.ResponseWriter, r *http.Request, name string, p *page, err error) {
	o := classify(err)
	s.logInternal(r, o, err)
	o.headers(w)
	p.Error = o.message
	s.render(w, r, o.status, name, p)
}

func (s *server) logout(w http.ResponseWriter, r *http.Request) {
	user := s.Sessions.UserID(r.Context())
	if err := s.Sessions.Logout(r.Context(), w); err != nil {
		s.pageError(w, r, err)
		return
	}
	if user != "" {
		s.audit(r, "logout", user)
	}
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}

// safeReturnTo returns target if it is a same-origin relative path, and "/"
// otherwise, so that return_to can never be an open redirect: no scheme, no
// host, no "//" or "/\" (browsers read both as another host), no control
// characters or backslashes at all.
func safeReturnTo(target string) string {
	if len(target) == 0 || len(target) > 2048 || target[0] != '/' {
		return "/"
	}
	if len(target) > 1 && (target[1] == '/' || target[1] == '\\') {
		return "/"
	}
	if strings.ContainsFunc(target, func(r rune) bool { return r < 0x20 || r == 0x7f || r == '\\' }) {
		return "/"
	}
	u, err := url.Parse(target)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" {
		return "/"
	}
	return target
}
