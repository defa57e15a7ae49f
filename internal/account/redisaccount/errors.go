package redisaccount

import "errors"

// Errors of this package. Methods return them wrapped, so compare with
// errors.Is. None of them satisfies errors.Is(err, account.ErrNoUser).
var (
	// ErrCorrupt means a stored value could not be decoded: damaged data,
	// a key written by something else under the store's prefix, or a
	// format from a newer version of sessiond. A damaged user fails
	// closed: it never reads as "no such user", and cannot log in. A
	// damaged throttling entry fails the logins that read it until it
	// expires or is cleared.
	ErrCorrupt = errors.New("redisaccount: corrupt data")

	// ErrClosed is returned by every method of a Store after Close.
	ErrClosed = errors.New("redisaccount: closed")
)
