// Package clientip decides how much of a request's X-Forwarded-* headers
// sessiond may believe, in the fail-closed spirit of chi's client_ip rules.
//
// # Trust model
//
// Forwarded headers are plain request headers: anyone can send them. They
// mean something only when the TCP peer that delivered the request (its
// RemoteAddr) is a reverse proxy the operator has named, because such a
// proxy overwrites or appends to them. A [Resolver] therefore believes
// forwarded headers only from a trusted peer, and from every other peer it
// uses the connection itself: RemoteAddr, req.TLS, req.Host and req.URL.
//
// The zero Resolver, a nil *Resolver and one built from an empty list trust
// no proxy at all. That is the safe default for a service reachable
// directly, and the only correct one: trusting a proxy that is not in
// front of every request lets any client choose its own IP address, and
// with it its login-throttling bucket and the address shown on the
// "your sessions" page.
//
// # X-Forwarded-For
//
// Each proxy appends the address it received the request from, so the
// entries at the right were written by proxies nearest to sessiond and the
// leftmost by whoever spoke first, possibly the attacker. [Resolver.ClientIP]
// walks the list from the right, skipping addresses of trusted proxies, and
// stops at the first untrusted one: the client as the outermost trusted
// proxy saw it. Entries further left are ignored however plausible they
// look. A malformed entry ends the walk at the last good address rather
// than guessing past it.
//
// # Verify before going live
//
// A wrong list fails in one of two ways, neither loud. Too narrow, and
// every client appears to have the proxy's address, so one client's failed
// logins throttle everyone. Too wide, and clients can spoof addresses.
// Before going live, sign in through the proxy from a known address, and
// again with a forged X-Forwarded-For header, and check the address that
// the audit log and the "your sessions" page record for each.
package clientip
