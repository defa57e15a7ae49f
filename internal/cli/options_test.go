package cli

import (
	"errors"
	"flag"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func parse(t *testing.T, vars map[string]string, args ...string) (*Options, error) {
	t.Helper()
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	return parseOptions(fs, args, func(k string) string { return vars[k] }, true)
}

func TestOptionPrecedence(t *testing.T) {
	file := filepath.Join(t.TempDir(), "sessiond.conf")
	os.WriteFile(file, []byte("# comment\nidle-timeout = 10m\nabsolute-timeout = 2h\naddr = 127.0.0.1:9000\n"), 0o600)
	tests := []struct {
		name    string
		vars    map[string]string
		args    []string
		idle    time.Duration
		absolut time.Duration
		addr    string
	}{
		{"defaults", nil, nil, 30 * time.Minute, 12 * time.Hour, "127.0.0.1:8080"},
		{"file_over_defaults", nil, []string{"--config", file}, 10 * time.Minute, 2 * time.Hour, "127.0.0.1:9000"},
		{"config_file_named_by_env", map[string]string{"SESSIOND_CONFIG": file}, nil, 10 * time.Minute, 2 * time.Hour, "127.0.0.1:9000"},
		{"env_over_file", map[string]string{"SESSIOND_IDLE_TIMEOUT": "5m"}, []string{"--config", file}, 5 * time.Minute, 2 * time.Hour, "127.0.0.1:9000"},
		{"flag_over_env_and_file", map[string]string{"SESSIOND_IDLE_TIMEOUT": "5m"}, []string{"--config", file, "--idle-timeout", "90s"}, 90 * time.Second, 2 * time.Hour, "127.0.0.1:9000"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			o, err := parse(t, tc.vars, tc.args...)
			if err != nil {
				t.Fatal(err)
			}
			if o.IdleTimeout != tc.idle || o.AbsoluteTimeout != tc.absolut || o.Addr != tc.addr {
				t.Fatalf("idle %v absolute %v addr %s, want %v %v %s", o.IdleTimeout, o.AbsoluteTimeout, o.Addr, tc.idle, tc.absolut, tc.addr)
			}
		})
	}
}

// TestBadOptionsNameTheOption checks that a refused value says which
// option, from where, and why.
func TestBadOptionsNameTheOption(t *testing.T) {
	tests := []struct {
		name string
		vars map[string]string
		args []string
		want string
	}{
		{"duration_without_unit", nil, []string{"--idle-timeout", "30"}, "--idle-timeout (flag)"},
		{"negative_duration", nil, []string{"--absolute-timeout", "-1h"}, "--absolute-timeout (flag)"},
		{"bad_env_value", map[string]string{"SESSIOND_MAX_SESSIONS_PER_USER": "many"}, nil, "--max-sessions-per-user (SESSIOND_MAX_SESSIONS_PER_USER)"},
		{"public_url_with_path", nil, []string{"--public-url", "https://a.test/app"}, "--public-url"},
		{"public_url_not_http", nil, []string{"--public-url", "ftp://a.test"}, "--public-url"},
		{"relative_upstream", nil, []string{"--upstream", "localhost:3000"}, "--upstream"},
		{"unknown_policy", nil, []string{"--session-limit-policy", "lru"}, "--session-limit-policy"},
		{"unknown_log_format", nil, []string{"--log-format", "xml"}, "--log-format"},
		{"empty_data", nil, []string{"--data", ""}, "--data"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := parse(t, tc.vars, tc.args...)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error = %v, want it to name %s", err, tc.want)
			}
		})
	}
}

func TestConfigFileRefusesUnknownKeys(t *testing.T) {
	file := filepath.Join(t.TempDir(), "sessiond.conf")
	os.WriteFile(file, []byte("idle-timeout = 10m\nidle_timeout = 5m\n"), 0o600)
	_, err := parse(t, nil, "--config", file)
	if err == nil || !strings.Contains(err.Error(), ":2:") {
		t.Fatalf("error = %v, want one naming line 2", err)
	}
}

// TestServeRefusesContradictoryTimeouts runs the check the session library
// makes and expects the option's name back, not a Go field name.
func TestServeRefusesContradictoryTimeouts(t *testing.T) {
	code, _, stderr := run(t, "", "serve", "--data", t.TempDir(), "--addr", "127.0.0.1:0", "--idle-timeout", "2h", "--absolute-timeout", "1h")
	if code != 1 || !strings.Contains(stderr, "--idle-timeout") {
		t.Fatalf("exit %d, stderr %q; want 1 and a message naming --idle-timeout", code, stderr)
	}
}

func TestServeRefusesHalfATLSPair(t *testing.T) {
	code, _, stderr := run(t, "", "serve", "--data", t.TempDir(), "--tls-cert", "cert.pem")
	if code != 1 || !strings.Contains(stderr, "--tls-key") {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
}

func TestAdminTokenFile(t *testing.T) {
	dir := t.TempDir()
	short := filepath.Join(dir, "short")
	os.WriteFile(short, []byte("abc\n"), 0o600)
	code, _, stderr := run(t, "", "serve", "--data", dir, "--addr", "127.0.0.1:0", "--admin-token-file", short)
	if code != 1 || !strings.Contains(stderr, "--admin-token-file") || !strings.Contains(stderr, "32 characters") {
		t.Fatalf("short token: exit %d, stderr %q", code, stderr)
	}
	var pe *os.PathError
	if _, err := readAdminToken(filepath.Join(dir, "missing"), nil); !errors.As(err, &pe) {
		t.Fatalf("missing file: %v", err)
	}
}

func TestRotateEveryShorterThanTheGraceWindowSaysWhy(t *testing.T) {
	code, _, stderr := run(t, "", "serve", "--data", t.TempDir(), "--addr", "127.0.0.1:0", "--rotate-every", "10s")
	if code != 1 || !strings.Contains(stderr, "--rotate-every") || !strings.Contains(stderr, "longer than 30s") || strings.Contains(stderr, "RotateEvery") {
		t.Fatalf("exit %d, stderr %q; want --rotate-every named, the reason, and no Go field names", code, stderr)
	}
}

func TestClearSiteDataOption(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want bool
	}{{nil, true}, {[]string{"--clear-site-data", "false"}, false}, {[]string{"--clear-site-data=true"}, true}} {
		o, err := parse(t, nil, tc.args...)
		if err != nil || o.ClearSiteData != tc.want {
			t.Fatalf("parse(%q): ClearSiteData = %v (%v), want %v", tc.args, o.ClearSiteData, err, tc.want)
		}
	}
	if _, err := parse(t, nil, "--clear-site-data", "maybe"); err == nil || !strings.Contains(err.Error(), "--clear-site-data") {
		t.Fatalf("bad value: %v", err)
	}
}
