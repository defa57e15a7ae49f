package session_test

import (
	"errors"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/sessiond/sessiond/session"
	"github.com/sessiond/sessiond/store/memstore"
)

// tryNew calls session.New with a fresh memstore and quiet events.
func tryNew(t *testing.T, cfg session.Config) (*session.Manager, error) {
	t.Helper()
	st := memstore.New(memstore.Config{})
	t.Cleanup(func() { st.Close() })
	if cfg.Events == nil {
		cfg.Events = &events{}
	}
	return session.New(st, cfg)
}

func TestNewRefusesUnsafeConfig(t *testing.T) {
	tests := []struct {
		name  string
		cfg   session.Config
		field string // the ConfigError's Field
	}{
		// Timeouts that are negative or contradict each other.
		{"negative_idle_timeout", session.Config{IdleTimeout: -time.Second}, "IdleTimeout"},
		{"negative_absolute_timeout", session.Config{AbsoluteTimeout: -time.Second}, "AbsoluteTimeout"},
		{"idle_timeout_longer_than_absolute", session.Config{IdleTimeout: 2 * time.Hour, AbsoluteTimeout: time.Hour}, "IdleTimeout"},
		{"idle_timeout_longer_than_default_absolute", session.Config{IdleTimeout: 13 * time.Hour}, "IdleTimeout"},
		{"negative_rotation_grace", session.Config{RotationGrace: -time.Second}, "RotationGrace"},
		{"rotation_grace_over_five_minutes", session.Config{RotationGrace: 5*time.Minute + time.Second}, "RotationGrace"},
		{"rotation_grace_not_shorter_than_rotate_every", session.Config{RotateEvery: 30 * time.Second}, "RotationGrace"},
		{"touch_every_equal_to_idle_timeout", session.Config{TouchEvery: 30 * time.Minute}, "TouchEvery"},
		{"idle_timeout_not_longer_than_default_touch", session.Config{IdleTimeout: time.Minute}, "TouchEvery"},
		{"negative_store_timeout", session.Config{StoreTimeout: -time.Second}, "StoreTimeout"},

		// Limits out of range.
		{"max_record_bytes_below_512", session.Config{MaxRecordBytes: 511}, "MaxRecordBytes"},
		{"negative_max_record_bytes", session.Config{MaxRecordBytes: -1}, "MaxRecordBytes"},
		{"max_record_bytes_above_65536", session.Config{MaxRecordBytes: 65537}, "MaxRecordBytes"},
		{"negative_max_sessions_per_user", session.Config{MaxSessionsPerUser: -1}, "MaxSessionsPerUser"},
		{"unknown_session_limit_policy", session.Config{SessionLimitPolicy: 2}, "SessionLimitPolicy"},
		{"negative_session_limit_policy", session.Config{SessionLimitPolicy: -1}, "SessionLimitPolicy"},

		// Cookies browsers would reject or that would weaken the cookie.
		{"cookie_name_with_space", session.Config{Cookie: session.CookieConfig{Name: "my sid"}}, "Cookie.Name"},
		{"cookie_name_with_semicolon", session.Config{Cookie: session.CookieConfig{Name: "a;b"}}, "Cookie.Name"},
		{"invalid_cookie_domain", session.Config{Cookie: session.CookieConfig{Name: "sid", Domain: "exa mple.com"}}, "Cookie.Domain"},
		{"host_prefix_in_wrong_case", session.Config{Cookie: session.CookieConfig{Name: "__host-sid"}}, "Cookie.Name"},
		{"secure_prefix_in_wrong_case", session.Config{Cookie: session.CookieConfig{Name: "__SECURE-sid"}}, "Cookie.Name"},
		{"host_prefix_with_insecure_http", session.Config{Cookie: session.CookieConfig{InsecureHTTP: true}}, "Cookie.InsecureHTTP"},
		{"host_prefix_with_domain", session.Config{Cookie: session.CookieConfig{Domain: "example.com"}}, "Cookie.Domain"},
		{"host_prefix_with_narrow_path", session.Config{Cookie: session.CookieConfig{Path: "/app"}}, "Cookie.Path"},
		{"secure_prefix_with_insecure_http", session.Config{Cookie: session.CookieConfig{Name: "__Secure-sid", InsecureHTTP: true}}, "Cookie.InsecureHTTP"},
		{"samesite_left_to_the_browser", session.Config{Cookie: session.CookieConfig{SameSite: http.SameSiteDefaultMode}}, "Cookie.SameSite"},
		{"samesite_none_without_secure", session.Config{Cookie: session.CookieConfig{Name: "sid", InsecureHTTP: true, SameSite: http.SameSiteNoneMode}}, "Cookie.SameSite"},
		{"unknown_samesite_mode", session.Config{Cookie: session.CookieConfig{SameSite: 9}}, "Cookie.SameSite"},
		{"negative_samesite_mode", session.Config{Cookie: session.CookieConfig{SameSite: -1}}, "Cookie.SameSite"},
		{"relative_cookie_path", session.Config{Cookie: session.CookieConfig{Name: "sid", Path: "app"}}, "Cookie.Path"},
		// A path that would end the attribute and inject others of its own.
		{"cookie_path_injecting_attributes", session.Config{Cookie: session.CookieConfig{Name: "sid", Path: "/a; Domain=evil.test; Max-Age=99999999"}}, "Cookie.Path"},
		{"cookie_path_with_control_character", session.Config{Cookie: session.CookieConfig{Name: "sid", Path: "/a\r\nSet-Cookie: x=y"}}, "Cookie.Path"},

		// CSRF settings.
		{"negative_max_form_bytes", session.Config{CSRF: session.CSRFConfig{MaxFormBytes: -1}}, "CSRF.MaxFormBytes"},
		{"csrf_header_named_like_the_cookie", session.Config{CSRF: session.CSRFConfig{HeaderName: "__Host-sid"}}, "CSRF.HeaderName"},
		{"csrf_field_named_like_the_cookie", session.Config{CSRF: session.CSRFConfig{FieldName: "__Host-sid"}}, "CSRF.FieldName"},
		{"trusted_origin_without_scheme", session.Config{CSRF: session.CSRFConfig{TrustedOrigins: []string{"partner.test"}}}, "CSRF.TrustedOrigins"},
		{"trusted_origin_with_path", session.Config{CSRF: session.CSRFConfig{TrustedOrigins: []string{"https://partner.test/app"}}}, "CSRF.TrustedOrigins"},
		{"malformed_bypass_pattern", session.Config{CSRF: session.CSRFConfig{InsecureBypassPatterns: []string{"POST /hook/{"}}}, "CSRF.InsecureBypassPatterns"},
		{"duplicate_bypass_pattern", session.Config{CSRF: session.CSRFConfig{InsecureBypassPatterns: []string{"POST /hook/", "POST /hook/"}}}, "CSRF.InsecureBypassPatterns"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m, err := tryNew(t, tc.cfg)
			if !errors.Is(err, session.ErrUnsafeConfig) {
				t.Fatalf("New(%s) = %v, want ErrUnsafeConfig", tc.name, err)
			}
			var ce *session.ConfigError
			if !errors.As(err, &ce) {
				t.Fatalf("New(%s) = %T, want *ConfigError", tc.name, err)
			}
			if ce.Field != tc.field {
				t.Errorf("New(%s).Field = %q, want %q (%v)", tc.name, ce.Field, tc.field, err)
			}
			if m != nil {
				t.Errorf("New(%s) returned a Manager with its error", tc.name)
			}
		})
	}
}

func TestNewRefusesNilStore(t *testing.T) {
	m, err := session.New(nil, session.Config{})
	var ce *session.ConfigError
	if !errors.Is(err, session.ErrUnsafeConfig) || !errors.As(err, &ce) || m != nil {
		t.Fatalf("New(nil) = %v, %v, want nil and a *ConfigError", m, err)
	}
	if ce.Field != "store" {
		t.Errorf("New(nil).Field = %q, want %q", ce.Field, "store")
	}
}

func TestZeroConfigDefaults(t *testing.T) {
	m, err := tryNew(t, session.Config{})
	if err != nil {
		t.Fatalf("New(Config{}) = %v, want nil", err)
	}
	c := m.Config()
	tests := []struct {
		name      string
		got, want any
	}{
		{"idle_timeout_is_30m", c.IdleTimeout, 30 * time.Minute},
		{"absolute_timeout_is_12h", c.AbsoluteTimeout, 12 * time.Hour},
		{"rotate_every_is_15m", c.RotateEvery, 15 * time.Minute},
		{"rotation_grace_is_30s", c.RotationGrace, 30 * time.Second},
		{"touch_every_is_1m", c.TouchEvery, time.Minute},
		{"store_timeout_is_2s", c.StoreTimeout, 2 * time.Second},
		{"max_record_bytes_is_4096", c.MaxRecordBytes, 4096},
		{"max_sessions_per_user_is_unlimited", c.MaxSessionsPerUser, 0},
		{"session_limit_policy_is_evict_oldest", c.SessionLimitPolicy, session.EvictOldest},
		{"cookie_name_is_host_sid", c.Cookie.Name, "__Host-sid"},
		{"cookie_path_is_root", c.Cookie.Path, "/"},
		{"cookie_domain_is_host_only", c.Cookie.Domain, ""},
		{"cookie_samesite_is_lax", c.Cookie.SameSite, http.SameSiteLaxMode},
		{"cookie_is_secure", c.Cookie.InsecureHTTP, false},
		{"csrf_is_on", c.DisableCSRF, false},
		{"clear_site_data_is_on", c.DisableClearSiteData, false},
		{"csrf_header_is_x_csrf_token", c.CSRF.HeaderName, "X-CSRF-Token"},
		{"csrf_field_is_csrf_token", c.CSRF.FieldName, "csrf_token"},
		{"csrf_max_form_bytes_is_1mib", c.CSRF.MaxFormBytes, int64(1 << 20)},
		{"now_is_set", c.Now != nil, true},
		{"client_ip_is_set", c.ClientIP != nil, true},
		{"events_is_set", c.Events != nil, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.got != tc.want {
				t.Errorf("Config() = %v, want %v", tc.got, tc.want)
			}
		})
	}
}

// TestConfigIsCopiedByNew changes the Config, slices included, after New:
// neither the effective configuration nor the behaviour may follow.
func TestConfigIsCopiedByNew(t *testing.T) {
	cfg := session.Config{
		IdleTimeout: 10 * time.Minute,
		CSRF: session.CSRFConfig{
			TrustedOrigins:         []string{"https://partner.test"},
			InsecureBypassPatterns: []string{"POST /webhook/"},
		},
	}
	a := csrfApp(t, cfg)
	cfg.IdleTimeout = time.Hour
	cfg.CSRF.TrustedOrigins[0] = "https://evil.test"
	cfg.CSRF.InsecureBypassPatterns[0] = "POST /echo"

	got := a.m.Config()
	if got.IdleTimeout != 10*time.Minute {
		t.Errorf("Config().IdleTimeout = %v, want 10m", got.IdleTimeout)
	}
	if got.CSRF.TrustedOrigins[0] != "https://partner.test" || got.CSRF.InsecureBypassPatterns[0] != "POST /webhook/" {
		t.Errorf("Config().CSRF = %v %v, want the values given to New", got.CSRF.TrustedOrigins, got.CSRF.InsecureBypassPatterns)
	}
	c := a.client()
	c.fetchCSRF()
	tests := []struct {
		name   string
		origin string
		token  bool
		want   int
	}{
		{"origin_trusted_at_new_still_passes", "https://partner.test", true, http.StatusOK},
		{"origin_written_in_later_is_refused", "https://evil.test", true, http.StatusForbidden},
		{"bypass_written_in_later_is_ignored", "", false, http.StatusForbidden},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := c.request(http.MethodPost, "/echo")
			if tc.origin != "" {
				r.Header.Set("Sec-Fetch-Site", "cross-site")
				r.Header.Set("Origin", tc.origin)
			}
			if !tc.token {
				r.Header.Del("X-CSRF-Token")
			}
			if resp := c.send(r); resp.StatusCode != tc.want {
				t.Errorf("POST /echo = %d, want %d", resp.StatusCode, tc.want)
			}
		})
	}
}

func TestConfigString(t *testing.T) {
	tests := []struct {
		name string
		cfg  session.Config
		want []string
	}{
		{"default_names_host_sid", session.Config{}, []string{"cookie=__Host-sid", "samesite=Lax", "insecure_http=false", "csrf=true", "idle=30m0s"}},
		{"custom_names_its_cookie", session.Config{Cookie: session.CookieConfig{Name: "sid", InsecureHTTP: true, SameSite: http.SameSiteStrictMode}, DisableCSRF: true},
			[]string{"cookie=sid", "samesite=Strict", "insecure_http=true", "csrf=false"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a := newApp(t, tc.cfg)
			c := a.client()
			c.fetchCSRF() // a token and a CSRF secret now exist
			s := a.m.Config().String()
			for _, w := range tc.want {
				if !strings.Contains(s, w) {
					t.Errorf("Config().String() = %q, want it to contain %q", s, w)
				}
			}
			for _, secret := range []string{c.cookie, c.csrf} {
				if secret == "" || strings.Contains(s, secret) {
					t.Errorf("Config().String() = %q: it holds a session secret (or none was issued)", s)
				}
			}
		})
	}
}

// TestSessionCookie checks the exact Set-Cookie: every attribute that
// protects the token, and nothing that would make it persistent or shared.
func TestSessionCookie(t *testing.T) {
	const token = `[A-Za-z0-9_-]{43}`
	tests := []struct {
		name string
		cfg  session.Config
		want string // a regexp of the whole header
	}{
		{"zero_config_is_host_prefixed_secure_lax", session.Config{},
			`__Host-sid=` + token + `; Path=/; HttpOnly; Secure; SameSite=Lax`},
		{"insecure_http_omits_secure", session.Config{Cookie: session.CookieConfig{Name: "sid", InsecureHTTP: true}},
			`sid=` + token + `; Path=/; HttpOnly; SameSite=Lax`},
		{"strict_renders_strict", session.Config{Cookie: session.CookieConfig{SameSite: http.SameSiteStrictMode}},
			`__Host-sid=` + token + `; Path=/; HttpOnly; Secure; SameSite=Strict`},
		{"none_renders_none_with_secure", session.Config{Cookie: session.CookieConfig{SameSite: http.SameSiteNoneMode}},
			`__Host-sid=` + token + `; Path=/; HttpOnly; Secure; SameSite=None`},
		{"secure_prefix_may_set_domain_and_path", session.Config{Cookie: session.CookieConfig{Name: "__Secure-sid", Domain: "example.com", Path: "/app"}},
			`__Secure-sid=` + token + `; Path=/app; Domain=example\.com; HttpOnly; Secure; SameSite=Lax`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a := newApp(t, tc.cfg)
			resp := a.client().do(http.MethodGet, "/csrf") // stores a new session
			got := resp.Header.Values("Set-Cookie")
			if len(got) != 1 || !regexp.MustCompile(`^`+tc.want+`$`).MatchString(got[0]) {
				t.Errorf("Set-Cookie = %q, want one matching %s", got, tc.want)
			}
			if cc := resp.Header.Get("Cache-Control"); cc != "no-store" {
				t.Errorf("Cache-Control = %q, want no-store", cc)
			}
		})
	}
}

// TestResponsesSettingTheCookieAreNotCached covers every way a response
// comes to carry the session cookie (OWASP SM-26).
func TestResponsesSettingTheCookieAreNotCached(t *testing.T) {
	tests := []struct {
		name string
		// act makes the request whose response is checked.
		act func(a *app, c *client) *http.Response
	}{
		{"session_creation", func(a *app, c *client) *http.Response { return c.do(http.MethodGet, "/csrf") }},
		{"login", func(a *app, c *client) *http.Response {
			c.fetchCSRF()
			return c.do(http.MethodPost, "/login?user=alice")
		}},
		{"renew", func(a *app, c *client) *http.Response {
			c.login("alice")
			return c.do(http.MethodPost, "/renew")
		}},
		{"periodic_rotation", func(a *app, c *client) *http.Response {
			c.login("alice")
			time.Sleep(15 * time.Minute)
			return c.do(http.MethodGet, "/whoami")
		}},
		{"logout", func(a *app, c *client) *http.Response {
			c.login("alice")
			return c.do(http.MethodPost, "/logout")
		}},
		{"handler_asked_for_public_caching", func(a *app, c *client) *http.Response {
			a.mux.HandleFunc("GET /public", func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Cache-Control", "public, max-age=3600")
				session.Put(r.Context(), "seen", true)
			})
			return c.do(http.MethodGet, "/public")
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				a := newApp(t, session.Config{})
				resp := tc.act(a, a.client())
				if len(resp.Header.Values("Set-Cookie")) == 0 {
					t.Fatalf("%s: no Set-Cookie (status %d)", tc.name, resp.StatusCode)
				}
				if cc := resp.Header.Values("Cache-Control"); len(cc) != 1 || cc[0] != "no-store" {
					t.Errorf("%s: Cache-Control = %q, want no-store", tc.name, cc)
				}
			})
		})
	}
}
