package pgaccount

import "errors"

// Errors of this package. Methods return them wrapped, so compare with
// errors.Is. None of them satisfies errors.Is(err, account.ErrNoUser).
var (
	// ErrClosed is returned by every method of a Store after Close.
	ErrClosed = errors.New("pgaccount: closed")
)
