package clientip

import (
	"net/http"
	"net/netip"
	"strings"
)

// maxURI bounds a forwarded URI. Longer values are ignored rather than
// copied into redirects and logs; real request lines rarely exceed it and
// nginx's default large_client_header_buffers line limit is the same 8 KiB.
const maxURI = 8 << 10

// Scheme returns "https" or "http": the scheme the client used.
//
// A TLS connection is "https" whoever the peer is. Otherwise, from a
// trusted proxy only, the first value of X-Forwarded-Proto is believed if
// it is "http" or "https" in any case. Any other value, a missing header,
// or an untrusted peer gives "http", the answer that never claims a
// protection the request may not have had.
func (r *Resolver) Scheme(req *http.Request) string {
	if req.TLS != nil {
		return "https"
	}
	if r.Trusted(req) && strings.EqualFold(firstValue(req.Header.Get("X-Forwarded-Proto")), "https") {
		return "https"
	}
	return "http"
}

// Host returns the host (with port, if any) the client asked for.
//
// From a trusted proxy, the first value of X-Forwarded-Host is believed if
// it is a syntactically valid host[:port]: a DNS name or IPv4 address, or a
// bracketed IPv6 address, with an optional decimal port up to 65535.
// Otherwise, and always for an untrusted peer, the answer is req.Host. Host
// checks syntax only; deciding which hosts sessiond serves is the caller's
// job.
func (r *Resolver) Host(req *http.Request) string {
	if r.Trusted(req) {
		if h := firstValue(req.Header.Get("X-Forwarded-Host")); validHostPort(h) {
			return h
		}
	}
	return req.Host
}

// URI returns the request-URI (path and query) the client asked for, as
// forward-auth needs it to send the client back after login.
//
// From a trusted proxy, X-Forwarded-Uri is believed, or, when that header
// is absent, X-Original-URI (nginx's name). The value must start with a
// single "/" (never "//" or "/\", which browsers read as another host),
// contain no control characters and be at most 8 KiB. A value that fails
// any check is ignored, never repaired, and the answer is then, as for an
// untrusted peer, req.URL.RequestURI().
func (r *Resolver) URI(req *http.Request) string {
	if r.Trusted(req) {
		if u, ok := forwardedURI(req.Header); ok && validURI(u) {
			return u
		}
	}
	if req.URL == nil {
		return "/"
	}
	return req.URL.RequestURI()
}

// forwardedURI returns the first X-Forwarded-Uri line, or if there is none
// the first X-Original-URI line.
func forwardedURI(h http.Header) (string, bool) {
	for _, name := range []string{"X-Forwarded-Uri", "X-Original-URI"} {
		if v := h.Values(name); len(v) > 0 {
			return v[0], true
		}
	}
	return "", false
}

// firstValue returns the first element of a comma-separated header value,
// without surrounding whitespace.
func firstValue(v string) string {
	v, _, _ = strings.Cut(v, ",")
	return strings.Trim(v, " \t")
}

// validURI reports whether u may stand for the request-URI.
func validURI(u string) bool {
	if len(u) == 0 || len(u) > maxURI || u[0] != '/' {
		return false
	}
	if len(u) > 1 && (u[1] == '/' || u[1] == '\\') {
		return false
	}
	for i := 0; i < len(u); i++ {
		if c := u[i]; c < 0x20 || c == 0x7f {
			return false
		}
	}
	return true
}

// validHostPort reports whether s is host[:port] with a DNS name, IPv4
// address or bracketed IPv6 address as host.
func validHostPort(s string) bool {
	if strings.HasPrefix(s, "[") {
		end := strings.IndexByte(s, ']')
		if end < 0 {
			return false
		}
		a, err := netip.ParseAddr(s[1:end])
		if err != nil || !a.Is6() || a.Zone() != "" {
			return false
		}
		rest := s[end+1:]
		return rest == "" || rest[0] == ':' && validPort(rest[1:])
	}
	host := s
	if i := strings.LastIndexByte(s, ':'); i >= 0 {
		if !validPort(s[i+1:]) {
			return false
		}
		host = s[:i]
	}
	return validHostname(host)
}

// validHostname reports whether h is a dot-separated list of labels of
// 1 to 63 letters, digits, '-' or '_', at most 253 bytes in all. An IPv4
// address passes too. Internationalized names must arrive as punycode.
func validHostname(h string) bool {
	if len(h) == 0 || len(h) > 253 {
		return false
	}
	for label := range strings.SplitSeq(h, ".") {
		if len(label) == 0 || len(label) > 63 {
			return false
		}
		for i := 0; i < len(label); i++ {
			c := label[i]
			if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
				return false
			}
		}
	}
	return true
}

// validPort reports whether p is a decimal port number from 1 to 65535.
func validPort(p string) bool {
	if len(p) == 0 || len(p) > 5 {
		return false
	}
	n := 0
	for i := 0; i < len(p); i++ {
		if p[i] < '0' || p[i] > '9' {
			return false
		}
		n = n*10 + int(p[i]-'0')
	}
	return n >= 1 && n <= 65535
}
