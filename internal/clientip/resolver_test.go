package clientip

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// testProxies is the trusted list most tests use: an IPv4 range, one bare
// IPv4 address, an IPv6 range and IPv6 loopback.
var testProxies = []string{"10.0.0.0/8", "192.168.1.1", "2001:db8:ffff::/48", "::1/128"}

// newResolver builds a Resolver or fails the test.
func newResolver(t testing.TB, trusted ...string) *Resolver {
	t.Helper()
	r, err := New(trusted)
	if err != nil {
		t.Fatalf("New(%q): %v", trusted, err)
	}
	return r
}

// request returns a GET request from remote carrying one X-Forwarded-For
// header line per element of xff.
func request(remote string, xff ...string) *http.Request {
	req := httptest.NewRequest(http.MethodGet, "/private?x=1", nil)
	req.RemoteAddr = remote
	for _, line := range xff {
		req.Header.Add("X-Forwarded-For", line)
	}
	return req
}

func TestNew(t *testing.T) {
	tests := []struct {
		name    string
		trusted []string
		peer    string // RemoteAddr to ask Trusted about
		want    bool
	}{
		// The zero configuration trusts nobody, loopback included.
		{"nil_list_trusts_nobody", nil, "127.0.0.1:1", false},
		{"empty_list_trusts_nobody", []string{}, "[::1]:1", false},

		// Prefixes and bare addresses.
		{"prefix_contains_peer", []string{"10.0.0.0/8"}, "10.9.8.7:1", true},
		{"prefix_excludes_peer", []string{"10.0.0.0/8"}, "11.0.0.1:1", false},
		{"bare_address_is_one_host", []string{"192.168.1.1"}, "192.168.1.1:1", true},
		{"bare_address_excludes_neighbour", []string{"192.168.1.1"}, "192.168.1.2:1", false},
		{"spaces_around_entry_ignored", []string{" 10.0.0.1 "}, "10.0.0.1:1", true},
		{"host_bits_dropped", []string{"10.1.2.3/8"}, "10.200.0.1:1", true},

		// IPv4 and IPv6 meet: mapped forms are the IPv4 address.
		{"mapped_prefix_is_ipv4", []string{"::ffff:10.0.0.0/104"}, "10.1.2.3:1", true},
		{"mapped_peer_matches_ipv4_prefix", []string{"10.0.0.0/8"}, "[::ffff:10.0.0.1]:1", true},
		{"ipv4_prefix_excludes_ipv6_peer", []string{"0.0.0.0/0"}, "[2001:db8::1]:1", false},
		{"ipv6_prefix", []string{"2001:db8::/32"}, "[2001:db8::1]:1", true},

		// Zones are stripped on both sides.
		{"zoned_entry", []string{"fe80::1%eth0"}, "[fe80::1]:1", true},
		{"zoned_peer", []string{"fe80::/10"}, "[fe80::1%eth0]:1", true},

		// A RemoteAddr that is no IP address (a Unix socket) is never trusted.
		{"unix_socket_peer", []string{"0.0.0.0/0", "::/0"}, "@", false},
		{"empty_peer", []string{"0.0.0.0/0", "::/0"}, "", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := newResolver(t, tc.trusted...)
			if got := r.Trusted(request(tc.peer)); got != tc.want {
				t.Errorf("New(%q).Trusted(%q) = %v, want %v", tc.trusted, tc.peer, got, tc.want)
			}
			if got, want := r.HasTrusted(), len(tc.trusted) > 0; got != want {
				t.Errorf("New(%q).HasTrusted() = %v, want %v", tc.trusted, got, want)
			}
		})
	}
}

// TestNewRejectsBadEntry: a typo must stop the service, not shrink or widen
// the trusted set silently.
func TestNewRejectsBadEntry(t *testing.T) {
	tests := []struct {
		name  string
		entry string
	}{
		{"empty", ""},
		{"hostname", "proxy.internal"},
		{"prefix_too_long", "10.0.0.0/33"},
		{"double_prefix", "10.0.0.0/8/8"},
		{"with_port", "10.0.0.1:80"},
		{"leading_zero", "010.0.0.1"},
		{"zone_in_prefix", "fe80::%eth0/64"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, err := New([]string{"10.0.0.0/8", tc.entry})
			if !errors.Is(err, ErrInvalidProxy) {
				t.Fatalf("New(%q) = %v, %v; want error wrapping ErrInvalidProxy", tc.entry, r, err)
			}
			if !strings.Contains(err.Error(), `"`+tc.entry+`"`) {
				t.Errorf("New(%q) error %q does not name the entry", tc.entry, err)
			}
		})
	}
}

func TestClientIP(t *testing.T) {
	tests := []struct {
		name    string
		trusted []string
		remote  string
		xff     []string // one element per header line
		want    string
	}{
		// No proxies configured: forwarded headers are ignored entirely.
		{"none_configured_peer_wins", nil, "203.0.113.7:5555", []string{"198.51.100.2"}, "203.0.113.7"},
		{"none_configured_loopback_not_special", nil, "127.0.0.1:5555", []string{"198.51.100.2"}, "127.0.0.1"},
		{"none_configured_no_header", nil, "203.0.113.7:5555", nil, "203.0.113.7"},

		// An untrusted peer's header is never read, whatever it claims.
		{"untrusted_peer_header_ignored", testProxies, "203.0.113.7:1", []string{"198.51.100.2"}, "203.0.113.7"},
		{"untrusted_peer_claims_proxy", testProxies, "203.0.113.7:1", []string{"10.0.0.2"}, "203.0.113.7"},
		{"neighbour_of_bare_proxy_untrusted", testProxies, "192.168.1.2:1", []string{"198.51.100.2"}, "192.168.1.2"},

		// A trusted peer: walk from the right past trusted hops.
		{"one_hop", testProxies, "10.0.0.1:1", []string{"198.51.100.2"}, "198.51.100.2"},
		{"bare_address_proxy", testProxies, "192.168.1.1:1", []string{"198.51.100.2"}, "198.51.100.2"},
		{"chain_of_trusted_hops", testProxies, "10.0.0.1:1", []string{"198.51.100.2, 10.0.0.2, 10.0.0.3"}, "198.51.100.2"},
		{"no_header_means_peer", testProxies, "10.0.0.1:1", nil, "10.0.0.1"},
		{"every_entry_trusted_gives_leftmost", testProxies, "10.0.0.1:1", []string{"10.0.0.5, 10.0.0.6"}, "10.0.0.5"},
		{"tabs_and_spaces_trimmed", testProxies, "10.0.0.1:1", []string{" \t198.51.100.2 ,\t10.0.0.2 "}, "198.51.100.2"},
		{"peer_without_port", testProxies, "10.0.0.1", []string{"198.51.100.2"}, "198.51.100.2"},

		// Spoofing: entries left of the first untrusted one are the
		// client's own words and are ignored, however trusted they look.
		{"spoofed_leftmost_ignored", testProxies, "10.0.0.1:1", []string{"1.1.1.1, 198.51.100.2"}, "198.51.100.2"},
		{"spoofed_trusted_leftmost_ignored", testProxies, "10.0.0.1:1", []string{"10.0.0.9, 198.51.100.2"}, "198.51.100.2"},
		{"spoofed_garbage_never_reached", testProxies, "10.0.0.1:1", []string{"<script>, 198.51.100.2"}, "198.51.100.2"},
		{"spoofed_line_before_proxy_line", testProxies, "10.0.0.1:1", []string{"1.1.1.1", "198.51.100.2"}, "198.51.100.2"},

		// IPv6, mapped addresses and zones come out canonical.
		{"ipv6_loopback_proxy", testProxies, "[::1]:1", []string{"2001:db8::5"}, "2001:db8::5"},
		{"ipv6_chain", testProxies, "[2001:db8:ffff::1]:1", []string{"2001:db8::5, 2001:db8:ffff::2"}, "2001:db8::5"},
		{"ipv6_canonicalized", testProxies, "[::1]:1", []string{"2001:DB8:0:0::5"}, "2001:db8::5"},
		{"mapped_peer_trusted", testProxies, "[::ffff:10.0.0.1]:1", []string{"198.51.100.2"}, "198.51.100.2"},
		{"mapped_entry_unmapped", testProxies, "10.0.0.1:1", []string{"::ffff:198.51.100.2"}, "198.51.100.2"},
		{"mapped_trusted_entry_skipped", testProxies, "10.0.0.1:1", []string{"198.51.100.2, ::ffff:10.0.0.2"}, "198.51.100.2"},
		{"mapped_untrusted_peer_unmapped", testProxies, "[::ffff:203.0.113.7]:1", nil, "203.0.113.7"},
		{"zoned_peer_stripped", testProxies, "[fe80::1%eth0]:1", nil, "fe80::1"},
		{"zoned_entry_stripped", testProxies, "[::1]:1", []string{"fe80::2%eth0"}, "fe80::2"},

		// Malformed entries end the walk at the last good address.
		{"malformed_only", testProxies, "10.0.0.1:1", []string{"unknown"}, "10.0.0.1"},
		{"malformed_rightmost", testProxies, "10.0.0.1:1", []string{"198.51.100.2, bogus"}, "10.0.0.1"},
		{"malformed_after_trusted", testProxies, "10.0.0.1:1", []string{"198.51.100.2, bogus, 10.0.0.2"}, "10.0.0.2"},
		{"empty_entry", testProxies, "10.0.0.1:1", []string{"198.51.100.2,, 10.0.0.2"}, "10.0.0.2"},
		{"trailing_comma", testProxies, "10.0.0.1:1", []string{"198.51.100.2,"}, "10.0.0.1"},
		{"empty_line", testProxies, "10.0.0.1:1", []string{""}, "10.0.0.1"},
		{"entry_with_port", testProxies, "10.0.0.1:1", []string{"198.51.100.2:8080"}, "10.0.0.1"},
		{"bracketed_ipv6", testProxies, "10.0.0.1:1", []string{"[2001:db8::5]"}, "10.0.0.1"},
		{"leading_zero_octet", testProxies, "10.0.0.1:1", []string{"198.051.100.2"}, "10.0.0.1"},
		{"hostname_entry", testProxies, "10.0.0.1:1", []string{"client.example"}, "10.0.0.1"},

		// Several header lines are one list; the last line is nearest.
		{"lines_joined", testProxies, "10.0.0.1:1", []string{"198.51.100.2", "10.0.0.2"}, "198.51.100.2"},
		{"lines_with_lists", testProxies, "10.0.0.1:1", []string{"1.1.1.1", "198.51.100.2, 10.0.0.2"}, "198.51.100.2"},
		{"lines_all_trusted", testProxies, "10.0.0.1:1", []string{"10.0.0.2", "10.0.0.3, 10.0.0.4", "10.0.0.5"}, "10.0.0.2"},
		{"malformed_line_ends_walk", testProxies, "10.0.0.1:1", []string{"198.51.100.9", "bogus", "10.0.0.2"}, "10.0.0.2"},

		// A peer that is no IP address is reported as it is; its headers
		// are ignored since it cannot be trusted.
		{"unix_socket_peer", testProxies, "@", []string{"198.51.100.2"}, "@"},
		{"empty_peer", testProxies, "", []string{"198.51.100.2"}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := newResolver(t, tc.trusted...)
			if got := r.ClientIP(request(tc.remote, tc.xff...)); got != tc.want {
				t.Errorf("ClientIP(%q, XFF %q) = %q, want %q", tc.remote, tc.xff, got, tc.want)
			}
		})
	}
}

// TestNilResolverTrustsNobody: a Resolver left out of the dependencies
// must behave as the secure default, not panic.
func TestNilResolverTrustsNobody(t *testing.T) {
	var r *Resolver
	req := request("10.0.0.1:1", "198.51.100.2")
	req.Header.Set("X-Forwarded-Proto", "https")
	req.Header.Set("X-Forwarded-Host", "evil.example")
	req.Header.Set("X-Forwarded-Uri", "/elsewhere")
	if got := r.ClientIP(req); got != "10.0.0.1" {
		t.Errorf("nil.ClientIP = %q, want %q", got, "10.0.0.1")
	}
	if r.Trusted(req) || r.HasTrusted() {
		t.Errorf("nil resolver trusts a proxy")
	}
	if got := r.Scheme(req); got != "http" {
		t.Errorf("nil.Scheme = %q, want http", got)
	}
	if got := r.Host(req); got != "example.com" {
		t.Errorf("nil.Host = %q, want example.com", got)
	}
	if got := r.URI(req); got != "/private?x=1" {
		t.Errorf("nil.URI = %q, want /private?x=1", got)
	}
	if got := r.String(); got != "no trusted proxies" {
		t.Errorf("nil.String() = %q", got)
	}
}

// BenchmarkWalkXFF bounds the worst case of ClientIP: a trusted peer and a
// long header whose every entry is trusted, so the walk reads all of it.
func BenchmarkWalkXFF(b *testing.B) {
	r := newResolver(b, testProxies...)
	req := request("10.0.0.1:1", strings.Repeat("10.0.0.2, ", 1000)+"10.0.0.3")
	b.ReportAllocs()
	for b.Loop() {
		r.ClientIP(req)
	}
}
