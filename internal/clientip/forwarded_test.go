package clientip

import (
	"crypto/tls"
	"strings"
	"testing"
)

// trustedPeer and untrustedPeer are RemoteAddrs inside and outside
// testProxies.
const (
	trustedPeer   = "10.0.0.1:4444"
	untrustedPeer = "203.0.113.7:4444"
)

func TestScheme(t *testing.T) {
	tests := []struct {
		name   string
		remote string
		tls    bool
		proto  []string // X-Forwarded-Proto lines
		want   string
	}{
		// TLS on the connection itself is the truth, whoever the peer.
		{"tls_untrusted", untrustedPeer, true, nil, "https"},
		{"tls_beats_header", trustedPeer, true, []string{"http"}, "https"},

		// Plain connections: the header counts only from a trusted peer.
		{"plain_no_header", trustedPeer, false, nil, "http"},
		{"trusted_https", trustedPeer, false, []string{"https"}, "https"},
		{"trusted_upper_case", trustedPeer, false, []string{"HTTPS"}, "https"},
		{"trusted_http", trustedPeer, false, []string{"http"}, "http"},
		{"trusted_first_of_list", trustedPeer, false, []string{"https, http"}, "https"},
		{"trusted_first_line", trustedPeer, false, []string{"https", "http"}, "https"},
		{"untrusted_https_ignored", untrustedPeer, false, []string{"https"}, "http"},

		// Anything but http or https falls back to http.
		{"unknown_scheme", trustedPeer, false, []string{"wss"}, "http"},
		{"empty_value", trustedPeer, false, []string{""}, "http"},
		{"scheme_with_junk", trustedPeer, false, []string{"https://"}, "http"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req := request(tc.remote)
			if tc.tls {
				req.TLS = &tls.ConnectionState{}
			}
			for _, v := range tc.proto {
				req.Header.Add("X-Forwarded-Proto", v)
			}
			if got := newResolver(t, testProxies...).Scheme(req); got != tc.want {
				t.Errorf("Scheme(%s, tls=%v, %q) = %q, want %q", tc.remote, tc.tls, tc.proto, got, tc.want)
			}
		})
	}
}

func TestHost(t *testing.T) {
	tests := []struct {
		name   string
		remote string
		host   []string // X-Forwarded-Host lines
		want   string   // req.Host is "example.com"
	}{
		// The header counts only from a trusted peer.
		{"no_header", trustedPeer, nil, "example.com"},
		{"untrusted_ignored", untrustedPeer, []string{"auth.example.org"}, "example.com"},

		// Valid hosts from a trusted peer are believed.
		{"name", trustedPeer, []string{"auth.example.org"}, "auth.example.org"},
		{"name_and_port", trustedPeer, []string{"auth.example.org:8443"}, "auth.example.org:8443"},
		{"ipv4_and_port", trustedPeer, []string{"192.0.2.1:80"}, "192.0.2.1:80"},
		{"ipv6", trustedPeer, []string{"[2001:db8::1]"}, "[2001:db8::1]"},
		{"ipv6_and_port", trustedPeer, []string{"[2001:db8::1]:443"}, "[2001:db8::1]:443"},
		{"first_of_list", trustedPeer, []string{"a.example, b.example"}, "a.example"},
		{"first_line", trustedPeer, []string{"a.example", "b.example"}, "a.example"},

		// Anything else is ignored, never repaired.
		{"empty", trustedPeer, []string{""}, "example.com"},
		{"path_injected", trustedPeer, []string{"evil.example/path"}, "example.com"},
		{"userinfo", trustedPeer, []string{"user@evil.example"}, "example.com"},
		{"space", trustedPeer, []string{"evil example"}, "example.com"},
		{"port_too_big", trustedPeer, []string{"a.example:65536"}, "example.com"},
		{"port_zero", trustedPeer, []string{"a.example:0"}, "example.com"},
		{"port_empty", trustedPeer, []string{"a.example:"}, "example.com"},
		{"port_not_numeric", trustedPeer, []string{"a.example:http"}, "example.com"},
		{"empty_label", trustedPeer, []string{"a..example"}, "example.com"},
		{"label_too_long", trustedPeer, []string{strings.Repeat("a", 64) + ".example"}, "example.com"},
		{"name_too_long", trustedPeer, []string{strings.Repeat("a.", 127) + "aa"}, "example.com"},
		{"unbracketed_ipv6", trustedPeer, []string{"2001:db8::1"}, "example.com"},
		{"bracketed_ipv4", trustedPeer, []string{"[192.0.2.1]"}, "example.com"},
		{"ipv6_with_zone", trustedPeer, []string{"[fe80::1%25eth0]"}, "example.com"},
		{"unclosed_bracket", trustedPeer, []string{"[2001:db8::1"}, "example.com"},
		{"junk_after_bracket", trustedPeer, []string{"[2001:db8::1]x"}, "example.com"},
		{"unicode", trustedPeer, []string{"bücher.example"}, "example.com"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req := request(tc.remote)
			for _, v := range tc.host {
				req.Header.Add("X-Forwarded-Host", v)
			}
			if got := newResolver(t, testProxies...).Host(req); got != tc.want {
				t.Errorf("Host(%s, %q) = %q, want %q", tc.remote, tc.host, got, tc.want)
			}
		})
	}
}

func TestURI(t *testing.T) {
	const own = "/private?x=1" // the request's own URI
	tests := []struct {
		name     string
		remote   string
		fwd      []string // X-Forwarded-Uri lines
		original []string // X-Original-URI lines
		want     string
	}{
		// The headers count only from a trusted peer.
		{"no_header", trustedPeer, nil, nil, own},
		{"untrusted_ignored", untrustedPeer, []string{"/app"}, []string{"/app"}, own},

		// X-Forwarded-Uri first, X-Original-URI when it is absent.
		{"forwarded", trustedPeer, []string{"/app?a=b"}, nil, "/app?a=b"},
		{"original", trustedPeer, nil, []string{"/app/x"}, "/app/x"},
		{"forwarded_preferred", trustedPeer, []string{"/one"}, []string{"/two"}, "/one"},
		{"first_line", trustedPeer, []string{"/one", "/two"}, nil, "/one"},
		{"root", trustedPeer, []string{"/"}, nil, "/"},
		{"exactly_8kib", trustedPeer, []string{"/" + strings.Repeat("a", maxURI-1)}, nil, "/" + strings.Repeat("a", maxURI-1)},

		// A bad X-Forwarded-Uri is not replaced by X-Original-URI: the
		// request's own URI is the fallback, never a second guess.
		{"bad_forwarded_no_fallthrough", trustedPeer, []string{"app"}, []string{"/two"}, own},

		// Values that could redirect elsewhere or corrupt logs are ignored.
		{"empty", trustedPeer, []string{""}, nil, own},
		{"relative", trustedPeer, []string{"app"}, nil, own},
		{"absolute_url", trustedPeer, []string{"https://evil.example/"}, nil, own},
		{"scheme_relative", trustedPeer, []string{"//evil.example/"}, nil, own},
		{"backslash_host", trustedPeer, []string{"/\\evil.example/"}, nil, own},
		{"tab", trustedPeer, []string{"/a\tb"}, nil, own},
		{"delete_char", trustedPeer, []string{"/a\x7fb"}, nil, own},
		{"too_long", trustedPeer, []string{"/" + strings.Repeat("a", maxURI)}, nil, own},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req := request(tc.remote)
			for _, v := range tc.fwd {
				req.Header.Add("X-Forwarded-Uri", v)
			}
			for _, v := range tc.original {
				req.Header.Add("X-Original-URI", v)
			}
			if got := newResolver(t, testProxies...).URI(req); got != tc.want {
				t.Errorf("URI(%s, fwd %q, orig %q) = %q, want %q", tc.remote, tc.fwd, tc.original, got, tc.want)
			}
		})
	}
}
