package boltaccount

import "errors"

// Errors of this package. Methods return them wrapped, so compare with
// errors.Is. None of them satisfies errors.Is(err, account.ErrNoUser).
var (
	// ErrCorrupt means a stored value could not be decoded: a damaged disk
	// or a file written by a newer version of sessiond. A damaged user
	// fails closed: it never reads as "no such user", and cannot log in.
	// Restore from a backup. A damaged throttling entry is an error for
	// the logins that read it until the sweeper removes it.
	ErrCorrupt = errors.New("boltaccount: corrupt data")

	// ErrClosed is returned by every method of a Store after Close.
	ErrClosed = errors.New("boltaccount: closed")
)
