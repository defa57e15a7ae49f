// Package server is sessiond's HTTP layer: the login, logout, sessions and
// password pages, the JSON and admin APIs, forward-auth for reverse proxies,
// the reverse-proxy mode, and health and metrics endpoints.
package server

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/url"

	"github.com/sessiond/sessiond/internal/account"
	"github.com/sessiond/sessiond/internal/clientip"
	"github.com/sessiond/sessiond/internal/metrics"
	"github.com/sessiond/sessiond/session"
)

// Deps is everything the handler needs, built by the caller (internal/cli).
type Deps struct {
	// Sessions must be built with DisableCSRF: the handler applies the CSRF
	// check to its own unsafe routes only, since proxied applications
	// cannot know sessiond's token. Its ErrorHandler should be
	// SessionErrorHandler.
	Sessions *session.Manager
	Accounts *account.Service
	Proxies  *clientip.Resolver
	Metrics  *metrics.Metrics
	// PublicURL is the external origin, used for redirects to the login page.
	PublicURL *url.URL
	// Upstream is the application to proxy authenticated requests to; nil
	// serves the built-in page.
	Upstream *url.URL
	// AdminToken is the admin API's bearer token; empty disables the admin
	// API on the public handler.
	AdminToken string
	// Ready reports whether the store answers, for /readyz.
	Ready func(ctx context.Context) error
	// Backup writes a consistent copy of the embedded database, or is nil
	// when the store has no such thing.
	Backup func(w io.Writer) (int64, error)
	// Log receives operational messages (recovered panics, proxy errors).
	Log *slog.Logger
	// Audit receives the service's security events: logins, password
	// changes, admin actions. Never a password or token.
	Audit *slog.Logger
}

// server holds the dependencies and serves the routes.
type server struct {
	Deps
	adminToken []byte // SHA-256 of the admin token; nil when disabled
	proxy      http.Handler
	apiLimit   int64
}

// maxBodyBytes bounds every body sessiond reads itself: forms and JSON.
const maxBodyBytes = 64 << 10

// NewHandler returns sessiond's public handler.
func NewHandler(d Deps) http.Handler {
	s := newServer(d)
	return s.routes(false)
}

// NewControlHandler returns the admin API alone, without bearer-token
// authentication, for the control socket in the data directory, whose file
// permissions are its authentication. The CLI's subcommands speak to it.
func NewControlHandler(d Deps) http.Handler {
	s := newServer(d)
	return s.routes(true)
}

func newServer(d Deps) *server {
	s := &server{Deps: d, apiLimit: maxBodyBytes}
	if d.AdminToken != "" {
		s.adminToken = digest(d.AdminToken)
	}
	if d.Upstream != nil {
		s.proxy = s.newProxy(d.Upstream)
	}
	return s
}
