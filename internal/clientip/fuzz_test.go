package clientip

import (
	"net/netip"
	"strings"
	"testing"
)

// FuzzClientIP feeds attacker-controlled RemoteAddr and X-Forwarded-For
// values (lines separated by "\n") to ClientIP. The property: it never
// panics, and its answer is either the peer's address or a canonical IP
// address that appears in the header, the latter only from a trusted
// peer. Seeds live in testdata/fuzz/FuzzClientIP.
func FuzzClientIP(f *testing.F) {
	r := newResolver(f, testProxies...)
	f.Fuzz(func(t *testing.T, remote, xff string) {
		lines := strings.Split(xff, "\n")
		req := request(remote, lines...)
		got := r.ClientIP(req)

		peer := peerHost(remote)
		if a, ok := peerAddr(remote); ok {
			peer = a.String()
		}
		if got == peer {
			return
		}
		if !r.Trusted(req) {
			t.Fatalf("ClientIP(%q, %q) = %q from an untrusted peer, want %q", remote, xff, got, peer)
		}
		a, err := netip.ParseAddr(got)
		if err != nil || a.String() != got || a.Is4In6() || a.Zone() != "" {
			t.Fatalf("ClientIP(%q, %q) = %q, not a canonical IP address", remote, xff, got)
		}
		if !inHeader(lines, a) {
			t.Fatalf("ClientIP(%q, %q) = %q, which is neither the peer nor in the header", remote, xff, got)
		}
	})
}

// inHeader reports whether some X-Forwarded-For entry parses to a.
func inHeader(lines []string, a netip.Addr) bool {
	for _, line := range lines {
		for entry := range strings.SplitSeq(line, ",") {
			if e, ok := parseEntry(entry); ok && e == a {
				return true
			}
		}
	}
	return false
}
