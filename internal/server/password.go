package server

import (
	"net/http"
)

func (s *server) passwordPage(w http.ResponseWriter, r *http.Request, user string) {
	p := &page{Title: "Change password"}
	if r.URL.Query().Get("done") == "1" {
		p.Notice = "Your password was changed and every other session signed out."
	}
	s.render(w, r, http.StatusOK, "password.html", p)
}

// passwordSubmit changes the password, then signs out every other session
// of the user and rotates this one (ASVS 7.4.3, OWASP SM-16).
func (s *server) passwordSubmit(w http.ResponseWriter, r *http.Request, user string) {
	ctx := r.Context()
	retry := &page{Title: "Change password"}
	if err := parseForm(r); err != nil {
		s.renderError(w, r, "password.html", retry, err)
		return
	}
	current, next := r.PostFormValue("current_password"), r.PostFormValue("new_password")
	if next != r.PostFormValue("confirm_password") {
		s.renderError(w, r, "password.html", retry, badRequest("the new passwords do not match"))
		return
	}
	if err := s.Accounts.ChangePassword(ctx, user, current, next, throttleKey(s.Proxies.ClientIP(r))); err != nil {
		s.audit(r, "password_change_failed", user, "reason", classify(unavailable(err)).code)
		s.renderError(w, r, "password.html", retry, unavailable(err))
		return
	}
	n, err := s.Sessions.RevokeOthers(ctx)
	if err != nil {
		// The password changed; tell the user the other sessions may live on.
		s.pageError(w, r, err)
		return
	}
	if err := s.Sessions.Renew(ctx, w); err != nil {
		s.pageError(w, r, err)
		return
	}
	s.audit(r, "password_changed", user, "sessions_revoked", n)
	http.Redirect(w, r, "/account/password?done=1", http.StatusSeeOther)
}
