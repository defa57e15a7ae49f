package server

import (
	"net/http"
	"net/http/httputil"
	"net/url"
	"strconv"
	"strings"
)

// newProxy returns the reverse proxy to the upstream application.
//
//  1. Every client-sent X-Auth-* header is removed before the identity
//     headers are added, so a client can never claim to be someone. That
//     includes spellings with underscores (X_Auth_User), which CGI, PHP
//     and WSGI applications read as the same header.
//  2. The session cookie is removed from the request: the application has
//     no use for the token, and should not be able to leak it.
//  3. X-Forwarded-For, -Host and -Proto carry what the trusted-proxy rules
//     established, not what the client claimed.
//  4. A Set-Cookie from the application for the session cookie's name is
//     dropped, so the application cannot fix a session on the user.
//
// WebSocket upgrades pass through (httputil.ReverseProxy hijacks the
// connection after the session middleware has committed).
func (s *server) newProxy(upstream *url.URL) http.Handler {
	cookieName := s.Sessions.Config().Cookie.Name
	return &httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) {
			pr.SetURL(upstream)
			for name := range pr.Out.Header {
				if strings.HasPrefix(strings.ReplaceAll(strings.ToLower(name), "_", "-"), "x-auth-") {
					delete(pr.Out.Header, name)
				}
			}
			ctx := pr.In.Context()
			cur := s.Sessions.Current(ctx)
			pr.Out.Header.Set(headerUser, cur.UserID)
			pr.Out.Header.Set(headerSession, cur.Handle)
			pr.Out.Header.Set(headerLevel, strconv.Itoa(cur.AuthLevel))
			removeCookie(pr.Out.Header, cookieName)
			pr.Out.Header.Set("X-Forwarded-For", s.Proxies.ClientIP(pr.In))
			pr.Out.Header.Set("X-Forwarded-Host", s.Proxies.Host(pr.In))
			pr.Out.Header.Set("X-Forwarded-Proto", s.Proxies.Scheme(pr.In))
		},
		ModifyResponse: func(resp *http.Response) error {
			prefix := cookieName + "="
			kept := resp.Header["Set-Cookie"][:0]
			for _, c := range resp.Header["Set-Cookie"] {
				if !strings.HasPrefix(strings.TrimSpace(c), prefix) {
					kept = append(kept, c)
				}
			}
			if len(kept) == 0 {
				resp.Header.Del("Set-Cookie")
			} else {
				resp.Header["Set-Cookie"] = kept
			}
			return nil
		},
		ErrorHandler: func(w http.ResponseWriter, r *http.Request, err error) {
			s.Log.ErrorContext(r.Context(), "upstream unreachable", "upstream", upstream.Redacted(), "error", err)
			s.apiError(w, r, &httpError{http.StatusBadGateway, "upstream_unavailable", "the application is unavailable"})
		},
	}
}

// upstream proxies signed-in requests. Anonymous browser navigations go to
// the login page; other anonymous requests get 401. Unsafe methods must pass
// http.CrossOriginProtection: the application cannot know sessiond's CSRF
// token, so the Origin and Sec-Fetch-Site check is what sessiond can do for
// it (applications should keep their own CSRF defences).
func (s *server) upstream() http.Handler {
	origin := http.NewCrossOriginProtection()
	if s.PublicURL != nil {
		origin.AddTrustedOrigin(s.PublicURL.Scheme + "://" + s.PublicURL.Host)
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.Sessions.UserID(r.Context()) == "" {
			if r.Method == http.MethodGet && wantsHTML(r) {
				http.Redirect(w, r, loginURL(r.URL.RequestURI()), http.StatusFound)
				return
			}
			s.apiError(w, r, errUnauthenticated)
			return
		}
		if err := origin.Check(r); err != nil {
			s.apiError(w, r, &httpError{http.StatusForbidden, "csrf_failed", "cross-origin request refused"})
			return
		}
		s.proxy.ServeHTTP(w, r)
	})
}

// removeCookie deletes one cookie from a request's Cookie header lines.
func removeCookie(h http.Header, name string) {
	var kept []string
	for _, line := range h["Cookie"] {
		var parts []string
		for _, part := range strings.Split(line, ";") {
			n, _, _ := strings.Cut(strings.TrimSpace(part), "=")
			if n != name && strings.TrimSpace(part) != "" {
				parts = append(parts, strings.TrimSpace(part))
			}
		}
		if len(parts) > 0 {
			kept = append(kept, strings.Join(parts, "; "))
		}
	}
	if len(kept) == 0 {
		h.Del("Cookie")
		return
	}
	h["Cookie"] = kept
}
