package cli

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/sessiond/sessiond/internal/account"
	"github.com/sessiond/sessiond/internal/clientip"
	"github.com/sessiond/sessiond/internal/metrics"
	"github.com/sessiond/sessiond/internal/server"
	"github.com/sessiond/sessiond/internal/storeurl"
	"github.com/sessiond/sessiond/session"
)

// sessionFields maps session.Config fields to the options that set them, so
// that a refused configuration names the option.
var sessionFields = map[string]string{
	"IdleTimeout":         "idle-timeout",
	"AbsoluteTimeout":     "absolute-timeout",
	"RotateEvery":         "rotate-every",
	"TouchEvery":          "idle-timeout",
	"MaxSessionsPerUser":  "max-sessions-per-user",
	"Cookie.Name":         "cookie-name",
	"Cookie.InsecureHTTP": "cookie-name",
	"CSRF.TrustedOrigins": "public-url",
}

// manager0Grace is the session library's default rotation grace window.
const manager0Grace = 30 * time.Second

// wire builds the service's dependencies on an open backend.
func wire(o *Options, b *storeurl.Backend, log, audit *slog.Logger) (server.Deps, error) {
	proxies, err := clientip.New(o.TrustedProxies)
	if err != nil {
		return server.Deps{}, &optionError{"trusted-proxies", "value", err}
	}
	accounts, err := account.New(b.Accounts, account.Config{})
	if err != nil {
		return server.Deps{}, err
	}
	m := metrics.New()
	public := publicURL(o)
	cfg := session.Config{
		IdleTimeout:          o.IdleTimeout,
		AbsoluteTimeout:      o.AbsoluteTimeout,
		RotateEvery:          o.RotateEvery,
		StoreTimeout:         o.StoreTimeout,
		MaxSessionsPerUser:   o.MaxSessionsPerUser,
		Cookie:               session.CookieConfig{Name: o.CookieName},
		DisableCSRF:          true, // the server applies it to its own routes
		DisableClearSiteData: !o.ClearSiteData,
		CSRF:                 session.CSRFConfig{TrustedOrigins: []string{public.Scheme + "://" + public.Host}},
		ClientIP:             proxies.ClientIP,
		Events:               m.Events(session.NewLogSink(audit)),
		ErrorHandler: server.SessionErrorHandler(proxies, func(r *http.Request, err error) {
			log.ErrorContext(r.Context(), "session failure", "path", r.URL.Path, "error", err)
		}),
	}
	if o.RotateEvery == 0 {
		cfg.RotateEvery = -1
	}
	if o.SessionLimitPolicy == "refuse" {
		cfg.SessionLimitPolicy = session.RefuseNewSession
	}
	if public.Scheme == "http" && o.CookieName == "" {
		// Plain HTTP (local development): browsers refuse __Host- cookies
		// without Secure, so use an unprefixed name.
		cfg.Cookie = session.CookieConfig{Name: "sessiond_sid", InsecureHTTP: true}
	}
	manager, err := session.New(m.Store(b.Sessions), cfg)
	if err != nil {
		var ce *session.ConfigError
		if errors.As(err, &ce) && ce.Field == "RotationGrace" {
			return server.Deps{}, &optionError{"rotate-every", "value", fmt.Errorf("must be longer than %v, the window in which a rotated-out token still works", manager0Grace)}
		}
		if errors.As(err, &ce) && sessionFields[ce.Field] != "" {
			return server.Deps{}, &optionError{sessionFields[ce.Field], "value", errors.New(ce.Problem)}
		}
		return server.Deps{}, err
	}
	m.LiveSessions(liveSessions(b))
	token, err := readAdminToken(o.AdminTokenFile, log)
	if err != nil {
		return server.Deps{}, err
	}
	return server.Deps{
		Sessions:   manager,
		Accounts:   accounts,
		Proxies:    proxies,
		Metrics:    m,
		PublicURL:  public,
		Upstream:   o.Upstream,
		AdminToken: token,
		Ready:      b.Ready,
		Backup:     b.Backup,
		Log:        log,
		Audit:      audit,
	}, nil
}

// publicURL is --public-url, or the listening address over the scheme the
// service itself serves.
func publicURL(o *Options) *url.URL {
	if o.PublicURL != nil {
		return o.PublicURL
	}
	scheme := "http"
	if o.TLSCert != "" {
		scheme = "https"
	}
	host := o.Addr
	if h, port, err := net.SplitHostPort(o.Addr); err == nil && (h == "" || h == "0.0.0.0" || h == "::") {
		host = net.JoinHostPort("localhost", port)
	}
	return &url.URL{Scheme: scheme, Host: host}
}

// readAdminToken reads the admin API's bearer token. It refuses short
// tokens and warns when the file is readable by others.
func readAdminToken(path string, log *slog.Logger) (string, error) {
	if path == "" {
		return "", nil
	}
	info, err := os.Stat(path)
	if err != nil {
		return "", &optionError{"admin-token-file", "value", err}
	}
	if info.Mode().Perm()&0o077 != 0 {
		log.Warn("the admin token file is readable by other users; chmod 600 it", "file", path)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return "", &optionError{"admin-token-file", "value", err}
	}
	token := strings.TrimSpace(string(data))
	if len(token) < 32 {
		return "", &optionError{"admin-token-file", "value", fmt.Errorf("%s: the token must have at least 32 characters", path)}
	}
	return token, nil
}
