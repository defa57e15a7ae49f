package server

import (
	"net/http"

	"github.com/sessiond/sessiond/internal/web"
)

// routes lists every route sessiond serves, in one place. In proxy mode the
// paths below are sessiond's own; every other path goes to the upstream.
func (s *server) routes(control bool) http.Handler {
	mux := http.NewServeMux()
	handle := func(pattern string, h http.Handler) {
		mux.Handle(pattern, s.Metrics.Instrument(pattern, h))
	}

	// The admin API: bearer token on the public handler, none on the
	// control socket. It never reads a session cookie.
	admin := s.requireAdminToken
	if control {
		admin = func(h http.Handler) http.Handler { return h }
	}
	handle("GET /admin/v1/users", admin(s.api(s.adminUsers)))
	handle("POST /admin/v1/users", admin(s.api(s.adminCreateUser)))
	handle("PUT /admin/v1/users/{user}/password", admin(s.api(s.adminSetPassword)))
	handle("POST /admin/v1/users/{user}/disable", admin(s.api(s.adminDisable)))
	handle("POST /admin/v1/users/{user}/enable", admin(s.api(s.adminEnable)))
	handle("GET /admin/v1/users/{user}/sessions", admin(s.api(s.adminUserSessions)))
	handle("DELETE /admin/v1/users/{user}/sessions", admin(s.api(s.adminRevokeUserSessions)))
	handle("DELETE /admin/v1/sessions/{handle}", admin(s.api(s.adminRevokeHandle)))
	handle("GET /admin/v1/backup", admin(http.HandlerFunc(s.adminBackup)))
	if control {
		return s.recoverPanics(mux)
	}

	// Health and metrics: no session, no store unless asked.
	handle("GET /healthz", http.HandlerFunc(s.healthz))
	handle("GET /readyz", http.HandlerFunc(s.readyz))
	handle("GET /metrics", s.Metrics.Handler())
	handle("GET /static/", http.StripPrefix("/static/", http.FileServerFS(web.Static)))

	// Everything below runs with the request's session.
	withSession := http.NewServeMux()
	own := func(pattern string, h http.Handler) {
		withSession.Handle(pattern, s.Metrics.Instrument(pattern, s.pageHeaders(h)))
	}
	csrf := s.Sessions.CSRF().Handler

	// Pages.
	own("GET /login", http.HandlerFunc(s.loginPage))
	own("POST /login", csrf(http.HandlerFunc(s.loginSubmit)))
	own("POST /logout", csrf(http.HandlerFunc(s.logout)))
	own("GET /sessions", s.signedInPage(s.sessionsPage))
	own("POST /sessions/revoke", csrf(s.signedInPage(s.revokePage)))
	own("POST /sessions/revoke-others", csrf(s.signedInPage(s.revokeOthersPage)))
	own("GET /account/password", s.signedInPage(s.passwordPage))
	own("POST /account/password", csrf(s.signedInPage(s.passwordSubmit)))

	// The JSON API for the signed-in user.
	own("GET /api/v1/whoami", s.api(s.whoami))
	own("GET /api/v1/sessions", s.signedInAPI(s.apiSessions))
	own("DELETE /api/v1/sessions/{handle}", csrf(s.signedInAPI(s.apiRevoke)))
	own("POST /api/v1/sessions/revoke-others", csrf(s.signedInAPI(s.apiRevokeOthers)))

	// Forward-auth for nginx, Traefik and Caddy.
	withSession.Handle("GET /auth", s.Metrics.Instrument("GET /auth", http.HandlerFunc(s.forwardAuth)))

	// The application: proxied, or the built-in page.
	if s.proxy != nil {
		withSession.Handle("/", s.Metrics.Instrument("upstream", s.upstream()))
	} else {
		own("GET /{$}", s.signedInPage(s.home))
		// Browsers ask for it on every page; there is none.
		own("GET /favicon.ico", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) }))
	}

	mux.Handle("/", s.Sessions.LoadAndSave(withSession))
	return s.recoverPanics(mux)
}
