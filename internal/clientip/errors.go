package clientip

import "errors"

// ErrInvalidProxy means an entry of the trusted-proxy list is neither an IP
// address nor a CIDR prefix. [New] wraps it with the offending entry, so
// that a typo refuses to start the service rather than silently trusting
// nothing (or, worse, something else).
var ErrInvalidProxy = errors.New("clientip: invalid trusted proxy")
