package session

import (
	"fmt"
	"net"
	"net/http"
	"strings"
	"time"
)

// Config configures a Manager. The zero Config is the recommended production
// setup; set a field only to depart from it. New fills in the defaults,
// refuses unsafe combinations with a *ConfigError, and keeps a copy: changing
// a Config after New has no effect.
type Config struct {
	// IdleTimeout ends a session unused for this long. It is checked by the
	// server on every request, never left to the cookie (ASVS 7.3.1). Zero
	// means 30 minutes (NIST SP 800-63B AAL2). New refuses a value longer
	// than AbsoluteTimeout.
	IdleTimeout time.Duration

	// AbsoluteTimeout ends a session this long after it was created however
	// busy it is (ASVS 7.3.2). Zero means 12 hours.
	AbsoluteTimeout time.Duration

	// RotateEvery replaces the token of a session this often, on the first
	// request after the interval (OWASP "renewal timeout"). Zero means 15
	// minutes; a negative value disables periodic rotation. Login and Renew
	// always rotate.
	RotateEvery time.Duration

	// RotationGrace is how long a rotated-out token still resolves to its
	// session, so that requests already in flight when the browser received
	// the new cookie do not fail. A token in its grace window can never be
	// rotated again and is dead afterwards. Zero means 30 seconds. New
	// refuses more than 5 minutes or more than RotateEvery.
	RotationGrace time.Duration

	// TouchEvery bounds how often a request that only reads its session
	// writes the last-seen time (which moves the idle expiry). Zero means
	// one minute: a read-only request makes no store write unless the last
	// one is older than that, so the idle timeout may end a session up to
	// TouchEvery early. A negative value writes on every request. New refuses
	// a value not shorter than IdleTimeout.
	TouchEvery time.Duration

	// StoreTimeout bounds every store call. Zero means 2 seconds. A call that
	// runs out of time fails closed (503).
	StoreTimeout time.Duration

	// MaxRecordBytes caps the encoded size of a session, application data
	// included. Zero means 4096. A change that would exceed it fails with
	// ErrTooLarge and nothing is stored. New refuses less than 512 or more
	// than 65536.
	MaxRecordBytes int

	// MaxSessionsPerUser caps the live sessions one user may have. Zero
	// means no limit. What happens at the cap is SessionLimitPolicy's.
	MaxSessionsPerUser int

	// SessionLimitPolicy decides what Login does when the user already has
	// MaxSessionsPerUser sessions. The zero value is EvictOldest.
	SessionLimitPolicy SessionLimitPolicy

	// Cookie configures the session cookie.
	Cookie CookieConfig

	// DisableClearSiteData stops Logout from sending
	// `Clear-Site-Data: "cookies", "storage"`. Set it when other apps share
	// the registrable domain: the "cookies" directive clears their cookies
	// too.
	DisableClearSiteData bool

	// DisableCSRF stops LoadAndSave from checking CSRF on unsafe methods.
	// Only set it when every state-changing handler is wrapped with
	// Manager.CSRF().Handler instead, or no browser can reach the app.
	DisableCSRF bool

	// CSRF configures the CSRF check.
	CSRF CSRFConfig

	// ClientIP returns the client address recorded with a session and its
	// events. Nil means the host part of Request.RemoteAddr. Set it when
	// the app runs behind a proxy, and trust forwarded headers only from
	// that proxy.
	ClientIP func(r *http.Request) string

	// ErrorHandler writes the response when a request fails before or while
	// its session is saved: err satisfies errors.Is with ErrStoreUnavailable
	// (status 503), ErrConflict (409), ErrTooLarge (500), or a CSRF error
	// (403); HTTPStatus maps it. Nil means a short plain-text response.
	ErrorHandler func(w http.ResponseWriter, r *http.Request, err error)

	// Events receives security events. Nil means NewLogSink(nil): JSON lines
	// on standard error.
	Events EventSink

	// Now returns the current time. Nil means time.Now. Tests set it.
	Now func() time.Time
}

// SessionLimitPolicy decides what happens when a user reaches
// Config.MaxSessionsPerUser.
type SessionLimitPolicy int

const (
	// EvictOldest ends the user's oldest session to make room for the new
	// one, and emits EventRevoked for it.
	EvictOldest SessionLimitPolicy = iota
	// RefuseNewSession makes Login fail with ErrTooManySessions.
	RefuseNewSession
)

// CookieConfig configures the session cookie. The zero value gives
// `__Host-sid=…; Path=/; HttpOnly; Secure; SameSite=Lax`, a cookie that
// lives until the browser session ends (no Max-Age), which is what OWASP's
// Session Management Cheat Sheet recommends.
type CookieConfig struct {
	// Name is the cookie's name. Empty means "__Host-sid". The "__Host-"
	// prefix makes browsers refuse the cookie unless it is Secure, has
	// Path=/ and no Domain, which stops sibling subdomains from planting or
	// overwriting it (RFC 6265bis).
	Name string

	// Domain sets the cookie's Domain attribute. Empty (recommended) means
	// a host-only cookie. New refuses a Domain with a "__Host-" name.
	Domain string

	// Path sets the cookie's Path attribute. Empty means "/". New refuses
	// any other path with a "__Host-" name.
	Path string

	// SameSite sets the cookie's SameSite attribute. Zero means Lax, which
	// keeps users signed in when they follow a link from another site while
	// withholding the cookie from cross-site POSTs. New refuses
	// http.SameSiteDefaultMode (never rely on the browser's default) and
	// SameSiteNoneMode without Secure.
	SameSite http.SameSite

	// InsecureHTTP omits the Secure attribute so the cookie works over plain
	// HTTP, for local development only. New refuses it with a "__Host-" or
	// "__Secure-" name, which browsers would reject.
	InsecureHTTP bool
}

// CSRFConfig configures the CSRF check. The zero value requires a valid
// token in the X-CSRF-Token header or the csrf_token form field on every
// unsafe request, on top of http.CrossOriginProtection.
type CSRFConfig struct {
	// HeaderName is where scripts send the token. Empty means "X-CSRF-Token".
	HeaderName string

	// FieldName is the form field forms send the token in. Empty means
	// "csrf_token".
	FieldName string

	// MaxFormBytes bounds how much of a form body the check reads to find the
	// token. Zero means 1 MiB. A larger body is refused with 413.
	MaxFormBytes int64

	// TrustedOrigins are origins ("https://app.example.com") whose
	// cross-origin requests pass the Origin check; they still need a token.
	TrustedOrigins []string

	// InsecureBypassPatterns are http.ServeMux patterns ("POST /webhook/")
	// exempt from the whole CSRF check. Use them only for endpoints that do
	// not authenticate with the session cookie.
	InsecureBypassPatterns []string
}

const (
	defaultCookieName = "__Host-sid"
	hostPrefix        = "__Host-"
	securePrefix      = "__Secure-"
)

// withDefaults returns c with every zero field set to its default.
func (c Config) withDefaults() Config {
	setDefault(&c.IdleTimeout, 30*time.Minute)
	setDefault(&c.AbsoluteTimeout, 12*time.Hour)
	setDefault(&c.RotateEvery, 15*time.Minute)
	setDefault(&c.RotationGrace, 30*time.Second)
	setDefault(&c.TouchEvery, time.Minute)
	setDefault(&c.StoreTimeout, 2*time.Second)
	setDefault(&c.MaxRecordBytes, 4096)
	setDefault(&c.Cookie.Name, defaultCookieName)
	setDefault(&c.Cookie.Path, "/")
	setDefault(&c.Cookie.SameSite, http.SameSiteLaxMode)
	setDefault(&c.CSRF.HeaderName, "X-CSRF-Token")
	setDefault(&c.CSRF.FieldName, "csrf_token")
	setDefault(&c.CSRF.MaxFormBytes, 1<<20)
	if c.ClientIP == nil {
		c.ClientIP = remoteIP
	}
	if c.Events == nil {
		c.Events = NewLogSink(nil)
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	c.CSRF.TrustedOrigins = append([]string(nil), c.CSRF.TrustedOrigins...)
	c.CSRF.InsecureBypassPatterns = append([]string(nil), c.CSRF.InsecureBypassPatterns...)
	return c
}

func setDefault[T comparable](field *T, value T) {
	var zero T
	if *field == zero {
		*field = value
	}
}

// check refuses unsafe or contradictory settings. c has its defaults.
func (c Config) check() error {
	refuse := func(field, problem string, args ...any) error {
		return &ConfigError{Field: field, Problem: fmt.Sprintf(problem, args...)}
	}
	name := c.Cookie.Name
	switch {
	case c.IdleTimeout < 0:
		return refuse("IdleTimeout", "must be positive, got %v", c.IdleTimeout)
	case c.AbsoluteTimeout < 0:
		return refuse("AbsoluteTimeout", "must be positive, got %v", c.AbsoluteTimeout)
	case c.IdleTimeout > c.AbsoluteTimeout:
		return refuse("IdleTimeout", "%v is longer than AbsoluteTimeout %v", c.IdleTimeout, c.AbsoluteTimeout)
	case c.RotationGrace < 0 || c.RotationGrace > 5*time.Minute:
		return refuse("RotationGrace", "must be between 0 and 5m, got %v", c.RotationGrace)
	case c.RotateEvery > 0 && c.RotationGrace >= c.RotateEvery:
		return refuse("RotationGrace", "%v is not shorter than RotateEvery %v", c.RotationGrace, c.RotateEvery)
	case c.TouchEvery >= c.IdleTimeout:
		return refuse("TouchEvery", "%v is not shorter than IdleTimeout %v: sessions would expire while in use", c.TouchEvery, c.IdleTimeout)
	case c.StoreTimeout < 0:
		return refuse("StoreTimeout", "must be positive, got %v", c.StoreTimeout)
	case c.MaxRecordBytes < 512 || c.MaxRecordBytes > 64<<10:
		return refuse("MaxRecordBytes", "must be between 512 and 65536, got %d", c.MaxRecordBytes)
	case c.MaxSessionsPerUser < 0:
		return refuse("MaxSessionsPerUser", "must not be negative, got %d", c.MaxSessionsPerUser)
	case c.SessionLimitPolicy != EvictOldest && c.SessionLimitPolicy != RefuseNewSession:
		return refuse("SessionLimitPolicy", "unknown policy %d", c.SessionLimitPolicy)
	case (&http.Cookie{Name: name, Value: "x"}).Valid() != nil:
		return refuse("Cookie.Name", "%q is not a valid cookie name", name)
	case (&http.Cookie{Name: "x", Value: "x", Domain: c.Cookie.Domain}).Valid() != nil:
		return refuse("Cookie.Domain", "%q is not a valid cookie domain", c.Cookie.Domain)
	case hasPrefixFold(name, hostPrefix) && !strings.HasPrefix(name, hostPrefix):
		return refuse("Cookie.Name", "%q: write the prefix exactly as %q; browsers match it case-insensitively", name, hostPrefix)
	case hasPrefixFold(name, securePrefix) && !strings.HasPrefix(name, securePrefix):
		return refuse("Cookie.Name", "%q: write the prefix exactly as %q", name, securePrefix)
	case strings.HasPrefix(name, hostPrefix) && c.Cookie.InsecureHTTP:
		return refuse("Cookie.InsecureHTTP", "not allowed with a %s name: browsers reject such a cookie without Secure", hostPrefix)
	case strings.HasPrefix(name, hostPrefix) && c.Cookie.Domain != "":
		return refuse("Cookie.Domain", "not allowed with a %s name", hostPrefix)
	case strings.HasPrefix(name, hostPrefix) && c.Cookie.Path != "/":
		return refuse("Cookie.Path", "must be \"/\" with a %s name, got %q", hostPrefix, c.Cookie.Path)
	case strings.HasPrefix(name, securePrefix) && c.Cookie.InsecureHTTP:
		return refuse("Cookie.InsecureHTTP", "not allowed with a %s name", securePrefix)
	case c.Cookie.SameSite == http.SameSiteDefaultMode:
		return refuse("Cookie.SameSite", "set Lax, Strict or None explicitly; never rely on the browser's default")
	case c.Cookie.SameSite == http.SameSiteNoneMode && c.Cookie.InsecureHTTP:
		return refuse("Cookie.SameSite", "None requires Secure; not allowed with InsecureHTTP")
	case c.Cookie.SameSite < http.SameSiteDefaultMode || c.Cookie.SameSite > http.SameSiteNoneMode:
		return refuse("Cookie.SameSite", "unknown mode %d", c.Cookie.SameSite)
	case !strings.HasPrefix(c.Cookie.Path, "/") || strings.IndexFunc(c.Cookie.Path, invalidPathRune) >= 0:
		return refuse("Cookie.Path", "must start with \"/\" and hold no ';' or control characters, got %q", c.Cookie.Path)
	case c.CSRF.MaxFormBytes < 0:
		return refuse("CSRF.MaxFormBytes", "must be positive, got %d", c.CSRF.MaxFormBytes)
	case c.CSRF.HeaderName == c.Cookie.Name:
		return refuse("CSRF.HeaderName", "must differ from the session cookie's name")
	case c.CSRF.FieldName == c.Cookie.Name:
		return refuse("CSRF.FieldName", "must differ from the session cookie's name")
	}
	return nil
}

// invalidPathRune reports characters that would end the Path attribute and
// let the rest of the value inject attributes of its own.
func invalidPathRune(r rune) bool {
	return r < 0x20 || r == 0x7f || r == ';' || r > 0x7e
}

func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

// String describes the effective configuration for logs. It holds no
// secrets: a Config has none.
func (c Config) String() string {
	return fmt.Sprintf("idle=%v absolute=%v rotate=%v grace=%v touch=%v store_timeout=%v max_record=%d max_sessions=%d cookie=%s samesite=%s insecure_http=%t csrf=%t clear_site_data=%t",
		c.IdleTimeout, c.AbsoluteTimeout, c.RotateEvery, c.RotationGrace, c.TouchEvery, c.StoreTimeout,
		c.MaxRecordBytes, c.MaxSessionsPerUser, c.Cookie.Name, sameSiteName(c.Cookie.SameSite),
		c.Cookie.InsecureHTTP, !c.DisableCSRF, !c.DisableClearSiteData)
}

func sameSiteName(m http.SameSite) string {
	switch m {
	case http.SameSiteLaxMode:
		return "Lax"
	case http.SameSiteStrictMode:
		return "Strict"
	case http.SameSiteNoneMode:
		return "None"
	}
	return "default"
}

// remoteIP is the default Config.ClientIP: the peer's address, which no
// header can forge.
func remoteIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
