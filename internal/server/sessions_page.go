package server

import (
	"errors"
	"net/http"

	"github.com/sessiond/sessiond/internal/useragent"
	"github.com/sessiond/sessiond/session"
)

// sessionView is one row of the sessions page.
type sessionView struct {
	session.Info
	Device string // "Firefox 121 on Windows"
}

func (s *server) sessionsPage(w http.ResponseWriter, r *http.Request, user string) {
	infos, err := s.Sessions.Sessions(r.Context(), user)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	p := &page{Title: "Your sessions", Sessions: make([]sessionView, len(infos))}
	for i, info := range infos {
		p.Sessions[i] = sessionView{Info: info, Device: useragent.Parse(info.UserAgent).String()}
	}
	switch r.URL.Query().Get("done") {
	case "revoked":
		p.Notice = "The session was signed out."
	case "gone":
		p.Notice = "That session had already ended."
	case "revoked-others":
		p.Notice = "Every other session was signed out."
	}
	s.render(w, r, http.StatusOK, "sessions.html", p)
}

func (s *server) revokePage(w http.ResponseWriter, r *http.Request, user string) {
	if err := parseForm(r); err != nil {
		s.pageError(w, r, err)
		return
	}
	handle := r.PostFormValue("handle")
	// Revoke looks only among this user's sessions: another user's handle
	// is simply not found.
	err := s.Sessions.Revoke(r.Context(), user, handle)
	if err != nil && !errors.Is(err, session.ErrNotFound) {
		s.pageError(w, r, err)
		return
	}
	if err != nil {
		http.Redirect(w, r, "/sessions?done=gone", http.StatusSeeOther)
		return
	}
	s.audit(r, "session_revoked", user, "handle", handle)
	http.Redirect(w, r, "/sessions?done=revoked", http.StatusSeeOther)
}

func (s *server) revokeOthersPage(w http.ResponseWriter, r *http.Request, user string) {
	n, err := s.Sessions.RevokeOthers(r.Context())
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	s.audit(r, "sessions_revoked", user, "count", n)
	http.Redirect(w, r, "/sessions?done=revoked-others", http.StatusSeeOther)
}

// home is the built-in protected page, served when no upstream is set.
func (s *server) home(w http.ResponseWriter, r *http.Request, user string) {
	s.render(w, r, http.StatusOK, "home.html", &page{Title: "Signed in", Session: s.Sessions.Current(r.Context())})
}
