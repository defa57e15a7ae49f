package server

import (
	"net/http"
	"net/url"
	"strconv"
)

// Identity headers sessiond adds for the application behind it. Clients
// can never set them: the proxy mode strips any they send, and the nginx,
// Traefik and Caddy configurations in docs/ overwrite them.
const (
	headerUser    = "X-Auth-User"
	headerSession = "X-Auth-Session"
	headerLevel   = "X-Auth-Level"
)

// forwardAuth answers nginx auth_request, Traefik forwardAuth and Caddy
// forward_auth: 200 with the identity headers for a live session. Otherwise
// 401, or for a browser navigation a 302 to the login page that comes back
// to the original URL (taken from X-Forwarded-Uri or X-Original-URI, and
// only from trusted proxies). nginx cannot pass a 302 from auth_request on,
// so its configuration asks for 401s with ?redirect=false and redirects
// itself (docs/proxies.md). A proxy that cannot pass the response's
// Set-Cookie on to the browser asks with ?rotate=false, so the token is not
// rotated under it. A store failure is a 503 (fails closed).
func (s *server) forwardAuth(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	ctx := r.Context()
	if r.URL.Query().Get("rotate") == "false" {
		// The proxy cannot pass a rotated cookie on (Caddy's forward_auth).
		s.Sessions.KeepToken(ctx)
	}
	if user := s.Sessions.UserID(ctx); user != "" {
		cur := s.Sessions.Current(ctx)
		w.Header().Set(headerUser, user)
		w.Header().Set(headerSession, cur.Handle)
		w.Header().Set(headerLevel, strconv.Itoa(cur.AuthLevel))
		w.WriteHeader(http.StatusOK)
		return
	}
	if r.URL.Query().Get("redirect") != "false" && wantsHTML(r) {
		target := "/"
		if s.Proxies.Trusted(r) {
			target = s.Proxies.URI(r)
		}
		http.Redirect(w, r, s.loginLocation(target), http.StatusFound)
		return
	}
	s.apiError(w, r, errUnauthenticated)
}

// loginLocation is the absolute login URL at the public origin.
func (s *server) loginLocation(returnTo string) string {
	login := loginURL(returnTo)
	if s.PublicURL == nil {
		return login
	}
	u := *s.PublicURL
	rel, _ := url.Parse(login)
	u.Path, u.RawQuery = rel.Path, rel.RawQuery
	return u.String()
}
