package clientip

import (
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// Resolver decides what a request's forwarded headers may be believed. It
// holds the trusted-proxy list, parsed once by [New], and is safe for
// concurrent use by multiple goroutines since it never changes afterwards.
//
// The zero Resolver and a nil *Resolver trust no proxy: every method then
// answers from the connection alone and ignores forwarded headers. This is
// the secure default (see the package documentation).
type Resolver struct {
	// trusted holds the proxies' prefixes, masked, with IPv4-mapped IPv6
	// prefixes turned into IPv4 ones, because addresses are unmapped
	// before they are compared.
	trusted []netip.Prefix
}

// New returns a Resolver that trusts the proxies in trusted: CIDR prefixes
// such as "10.0.0.0/8" or "::1/128", or bare IP addresses, which trust that
// one address. Surrounding spaces are ignored, host bits of a prefix are
// dropped ("10.1.2.3/8" means 10.0.0.0/8) and zones are stripped.
//
// An empty or nil list trusts no proxy, which is right for a service
// reachable directly. A prefix such as "0.0.0.0/0" trusts every peer; use it
// only where nothing but the proxy can reach sessiond.
//
// New fails closed: any entry that is not an address or prefix makes it
// return an error wrapping [ErrInvalidProxy] that names the entry, rather
// than ignore the entry and run with a list the operator did not write.
func New(trusted []string) (*Resolver, error) {
	r := &Resolver{}
	for _, entry := range trusted {
		p, err := parseTrusted(entry)
		if err != nil {
			return nil, fmt.Errorf("%w %q: %w", ErrInvalidProxy, entry, err)
		}
		r.trusted = append(r.trusted, p)
	}
	return r, nil
}

// parseTrusted parses one entry of the trusted-proxy list.
func parseTrusted(entry string) (netip.Prefix, error) {
	s := strings.TrimSpace(entry)
	if !strings.Contains(s, "/") {
		a, err := netip.ParseAddr(s)
		if err != nil {
			return netip.Prefix{}, err
		}
		a = normalize(a)
		return netip.PrefixFrom(a, a.BitLen()), nil
	}
	p, err := netip.ParsePrefix(s)
	if err != nil {
		return netip.Prefix{}, err
	}
	// ::ffff:10.0.0.0/104 is 10.0.0.0/8 written as IPv6. Addresses are
	// unmapped before comparison, so the prefix must be too or it would
	// never match.
	if p.Addr().Is4In6() && p.Bits() >= 96 {
		p = netip.PrefixFrom(p.Addr().Unmap(), p.Bits()-96)
	}
	return p.Masked(), nil
}

// HasTrusted reports whether any proxy is trusted. When it is false every
// forwarded header is ignored.
func (r *Resolver) HasTrusted() bool {
	return r != nil && len(r.trusted) > 0
}

// String lists the trusted prefixes, for logging the effective setup.
func (r *Resolver) String() string {
	if !r.HasTrusted() {
		return "no trusted proxies"
	}
	parts := make([]string, len(r.trusted))
	for i, p := range r.trusted {
		parts[i] = p.String()
	}
	return strings.Join(parts, ",")
}

// Trusted reports whether the request's TCP peer (its RemoteAddr) is a
// trusted proxy. Forwarded headers are believed only when it is. A
// RemoteAddr that is not an IP address, such as a Unix socket's, is never
// trusted.
func (r *Resolver) Trusted(req *http.Request) bool {
	peer, ok := peerAddr(req.RemoteAddr)
	return ok && r.trusts(peer)
}

// ClientIP returns the client's IP address in canonical form, IPv4-mapped
// IPv6 addresses as IPv4 and zones stripped.
//
// If the TCP peer is not a trusted proxy, the answer is the peer's address
// and X-Forwarded-For is never read: a client cannot choose its own address
// by sending the header. If the peer is trusted, ClientIP reads every
// X-Forwarded-For line as one comma-separated list, walks it from the
// right skipping trusted addresses, and returns the first untrusted one.
// Entries to its left are ignored, since whoever sent the request may have
// written them. If every entry is trusted, the leftmost is the answer.
//
// Each entry must be a bare IP address (no port, no brackets). A malformed
// or empty entry ends the walk: the answer is then the last good address
// seen to its right, or the peer if there is none. This fails closed, to
// the nearest address a trusted proxy vouched for.
//
// If RemoteAddr is not an IP address, ClientIP returns its host part as it
// is, since there is nothing better to say about the client.
func (r *Resolver) ClientIP(req *http.Request) string {
	peer, ok := peerAddr(req.RemoteAddr)
	if !ok {
		return peerHost(req.RemoteAddr)
	}
	if !r.trusts(peer) {
		return peer.String()
	}
	if client, ok := r.walk(req.Header.Values("X-Forwarded-For")); ok {
		return client.String()
	}
	return peer.String()
}

// walk returns the client named by the X-Forwarded-For lines, read from the
// right as one list, and whether any entry was usable. Each step costs one
// scan of one entry, so the work is linear in the header's size.
func (r *Resolver) walk(lines []string) (netip.Addr, bool) {
	var last netip.Addr
	seen := false
	for i := len(lines) - 1; i >= 0; i-- {
		rest := lines[i]
		for {
			comma := strings.LastIndexByte(rest, ',')
			a, ok := parseEntry(rest[comma+1:])
			if !ok {
				return last, seen
			}
			if !r.trusts(a) {
				return a, true
			}
			last, seen = a, true
			if comma < 0 {
				break
			}
			rest = rest[:comma]
		}
	}
	return last, seen
}

// parseEntry parses one X-Forwarded-For entry, surrounded by optional
// whitespace.
func parseEntry(s string) (netip.Addr, bool) {
	a, err := netip.ParseAddr(strings.Trim(s, " \t"))
	if err != nil {
		return netip.Addr{}, false
	}
	return normalize(a), true
}

// trusts reports whether a (already normalized) is a trusted proxy.
func (r *Resolver) trusts(a netip.Addr) bool {
	if r == nil {
		return false
	}
	for _, p := range r.trusted {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// peerAddr parses a RemoteAddr of the form "host:port", or a bare host.
func peerAddr(remote string) (netip.Addr, bool) {
	a, err := netip.ParseAddr(peerHost(remote))
	if err != nil {
		return netip.Addr{}, false
	}
	return normalize(a), true
}

// peerHost strips the port from a RemoteAddr, if it has one.
func peerHost(remote string) string {
	if host, _, err := net.SplitHostPort(remote); err == nil {
		return host
	}
	return remote
}

// normalize makes equal addresses compare equal: IPv4-mapped IPv6 becomes
// IPv4 and the zone goes, so "::ffff:10.0.0.1" and "10.0.0.1" are one
// client and "fe80::1%eth0" matches a prefix written without a zone.
func normalize(a netip.Addr) netip.Addr {
	return a.WithZone("").Unmap()
}
