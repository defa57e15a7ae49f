package boltstore

import "errors"

// Errors of this package, in the order an application meets them. Methods
// return them wrapped, so compare with errors.Is. None of them satisfies
// errors.Is(err, store.ErrNotFound).
var (
	// ErrLocked means Open waited Config.LockTimeout for the database
	// file's lock and another process, or another Store in this process,
	// still held it. A database file has one owner at a time; stop the other
	// owner, or point this one at its own file.
	ErrLocked = errors.New("boltstore: another process has the database open")

	// ErrUserIDTooLong means Create or Update was given a UserID longer than
	// 32,733 bytes, the most an index key can hold. Nothing was written.
	// User IDs are expected to be short identifiers, not data.
	ErrUserIDTooLong = errors.New("boltstore: user ID too long")

	// ErrCorrupt means a stored value or the file's layout could not be
	// decoded: a damaged disk, a file written by a newer version of
	// sessiond, or a file that is not a session store. A damaged record
	// fails closed: it never reads as "no session". Restore from a backup;
	// DeleteUser, and the sweeper once the record has expired, remove a
	// damaged record without decoding it.
	ErrCorrupt = errors.New("boltstore: corrupt data")
)
