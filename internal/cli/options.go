package cli

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"
)

// Options is sessiond's configuration, from flags, SESSIOND_* environment
// variables and an optional config file, in that order of precedence.
type Options struct {
	Addr               string
	Data               string
	Store              string
	PublicURL          *url.URL
	IdleTimeout        time.Duration
	AbsoluteTimeout    time.Duration
	RotateEvery        time.Duration
	MaxSessionsPerUser int
	SessionLimitPolicy string
	CookieName         string
	Upstream           *url.URL
	TrustedProxies     []string
	TLSCert            string
	TLSKey             string
	RedirectHTTP       string
	AdminTokenFile     string
	LogFormat          string
	Config             string
	ClearSiteData      bool
	StoreTimeout       time.Duration
}

// option is one row of the single option table: flags, environment
// variables and config-file keys are all derived from it.
type option struct {
	name  string // flag name; env SESSIOND_<NAME>; config-file key
	def   string
	help  string
	serve bool // only `sessiond serve` takes it
	set   func(o *Options, v string) error
}

var options = []option{
	{"config", "", "read options from this file (lines of `name = value`; # starts a comment)", false,
		func(o *Options, v string) error { o.Config = v; return nil }},
	{"data", "./sessiond-data", "directory of the embedded store and the control socket", false,
		func(o *Options, v string) error { o.Data = v; return notEmpty(v) }},
	{"store", "", "store URL: empty for the embedded store in --data, or redis://, rediss://, redis+sentinel://, redis+cluster://, postgres:// (docs/stores.md)", false,
		func(o *Options, v string) error { o.Store = v; return nil }},
	{"log-format", "json", "log format: json or text", false, func(o *Options, v string) error {
		o.LogFormat = v
		return oneOf(v, "json", "text")
	}},
	{"addr", "127.0.0.1:8080", "address to listen on", true,
		func(o *Options, v string) error { o.Addr = v; return notEmpty(v) }},
	{"public-url", "", "external origin, e.g. https://auth.example.com; empty means http://<addr>", true,
		func(o *Options, v string) (err error) { o.PublicURL, err = parseOrigin(v); return err }},
	{"idle-timeout", "30m", "end sessions idle this long", true, durationOption(func(o *Options) *time.Duration { return &o.IdleTimeout })},
	{"absolute-timeout", "12h", "end sessions this long after sign-in", true, durationOption(func(o *Options) *time.Duration { return &o.AbsoluteTimeout })},
	{"store-timeout", "2s", "bound every store call; a store slower than this fails the request closed (503)", true,
		durationOption(func(o *Options) *time.Duration { return &o.StoreTimeout })},
	{"rotate-every", "15m", "replace session tokens this often; 0 disables", true, func(o *Options, v string) error {
		d, err := time.ParseDuration(v)
		if err != nil || d < 0 {
			return fmt.Errorf("want a non-negative duration such as 15m, got %q", v)
		}
		o.RotateEvery = d
		return nil
	}},
	{"max-sessions-per-user", "0", "limit live sessions per user; 0 means no limit", true, func(o *Options, v string) error {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return fmt.Errorf("want a whole number ≥ 0, got %q", v)
		}
		o.MaxSessionsPerUser = n
		return nil
	}},
	{"session-limit-policy", "evict-oldest", "at the session limit: evict-oldest or refuse", true, func(o *Options, v string) error {
		o.SessionLimitPolicy = v
		return oneOf(v, "evict-oldest", "refuse")
	}},
	{"cookie-name", "", "session cookie name; empty means __Host-sid over HTTPS, sessiond_sid over plain HTTP", true,
		func(o *Options, v string) error { o.CookieName = v; return nil }},
	{"upstream", "", "proxy signed-in requests to this application URL", true, func(o *Options, v string) error {
		if v == "" {
			o.Upstream = nil
			return nil
		}
		u, err := url.Parse(v)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return fmt.Errorf("want an absolute http or https URL, got %q", v)
		}
		o.Upstream = u
		return nil
	}},
	{"trusted-proxies", "", "comma-separated CIDRs whose X-Forwarded-* headers are believed", true, func(o *Options, v string) error {
		o.TrustedProxies = nil
		for _, p := range strings.Split(v, ",") {
			if p = strings.TrimSpace(p); p != "" {
				o.TrustedProxies = append(o.TrustedProxies, p)
			}
		}
		return nil
	}},
	{"tls-cert", "", "serve HTTPS with this certificate (PEM)", true, func(o *Options, v string) error { o.TLSCert = v; return nil }},
	{"tls-key", "", "the certificate's private key (PEM)", true, func(o *Options, v string) error { o.TLSKey = v; return nil }},
	{"redirect-http", "", "also listen here with plain HTTP that only redirects to the HTTPS origin (308)", true,
		func(o *Options, v string) error { o.RedirectHTTP = v; return nil }},
	{"clear-site-data", "true", "on logout, send Clear-Site-Data: \"cookies\", \"storage\"; set false when sessiond shares its origin or registrable domain with applications (forward-auth)", true,
		func(o *Options, v string) (err error) {
			o.ClearSiteData, err = strconv.ParseBool(v)
			if err != nil {
				return fmt.Errorf("want true or false, got %q", v)
			}
			return nil
		}},
	{"admin-token-file", "", "file holding the admin API's bearer token; empty disables the admin API", true,
		func(o *Options, v string) error { o.AdminTokenFile = v; return nil }},
}

func durationOption(field func(*Options) *time.Duration) func(*Options, string) error {
	return func(o *Options, v string) error {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			return fmt.Errorf("want a positive duration such as 90s or 30m, got %q", v)
		}
		*field(o) = d
		return nil
	}
}

func notEmpty(v string) error {
	if v == "" {
		return errors.New("must not be empty")
	}
	return nil
}

func oneOf(v string, allowed ...string) error {
	for _, a := range allowed {
		if v == a {
			return nil
		}
	}
	return fmt.Errorf("want one of %s, got %q", strings.Join(allowed, ", "), v)
}

// parseOrigin accepts an absolute http or https URL without a path.
func parseOrigin(v string) (*url.URL, error) {
	if v == "" {
		return nil, nil
	}
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.User != nil {
		return nil, fmt.Errorf("want an origin such as https://auth.example.com, got %q", v)
	}
	u.Path = ""
	return u, nil
}

func envName(option string) string {
	return "SESSIOND_" + strings.ToUpper(strings.ReplaceAll(option, "-", "_"))
}

// optionError names the option a bad value came from.
type optionError struct {
	option, source string
	err            error
}

func (e *optionError) Error() string {
	return fmt.Sprintf("--%s (%s): %v", e.option, e.source, e.err)
}

func (e *optionError) Unwrap() error { return e.err }

// parseOptions registers the command's options on fs, parses args, and
// resolves every option: defaults, then the config file, then the
// environment, then flags.
func parseOptions(fs *flag.FlagSet, args []string, getenv func(string) string, serve bool) (*Options, error) {
	given := map[string]string{}
	for _, opt := range options {
		// Every command resolves every option (the offline subcommands wire
		// the same service), but only serve takes the service's flags.
		if opt.serve && !serve {
			continue
		}
		help := fmt.Sprintf("%s (env %s)", opt.help, envName(opt.name))
		fs.Func(opt.name, help, func(v string) error { given[opt.name] = v; return nil })
		fs.Lookup(opt.name).DefValue = opt.def
	}
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	configPath := firstNonEmpty(given["config"], getenv(envName("config")))
	file := map[string]string{}
	if configPath != "" {
		var err error
		if file, err = readConfigFile(configPath); err != nil {
			return nil, err
		}
	}
	o := &Options{}
	for _, opt := range options {
		value, source := opt.def, "default"
		if v, ok := file[opt.name]; ok {
			value, source = v, "config file "+configPath
		}
		if v := getenv(envName(opt.name)); v != "" {
			value, source = v, envName(opt.name)
		}
		if v, ok := given[opt.name]; ok {
			value, source = v, "flag"
		}
		if err := opt.set(o, value); err != nil {
			return nil, &optionError{opt.name, source, err}
		}
	}
	return o, nil
}

// readConfigFile reads `name = value` lines; an unknown name is an error
// naming its line, so typos do not pass silently.
func readConfigFile(path string) (map[string]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("--config: %w", err)
	}
	defer f.Close()
	known := map[string]bool{}
	for _, opt := range options {
		known[opt.name] = true
	}
	values := map[string]string{}
	sc := bufio.NewScanner(io.LimitReader(f, 1<<20))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		name, value, ok := strings.Cut(line, "=")
		name, value = strings.TrimSpace(name), strings.Trim(strings.TrimSpace(value), `"`)
		if !ok || !known[name] || name == "config" {
			return nil, fmt.Errorf("--config %s:%d: unknown or malformed line %q", path, n, line)
		}
		values[name] = value
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("--config %s: %w", path, err)
	}
	return values, nil
}

func firstNonEmpty(vs ...string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
}
