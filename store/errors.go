package store

import "errors"

// Outcomes a caller is expected to handle.
var (
	// ErrNotFound means no live record has the key: never created, deleted,
	// or expired. Callers treat it as "no session". No other condition, such
	// as an unreachable or closed store, may satisfy errors.Is(err,
	// ErrNotFound): confusing the two would fail open.
	ErrNotFound = errors.New("store: not found")

	// ErrConflict means the record changed after it was read. Nothing was
	// written; reload and retry, or report the conflict.
	ErrConflict = errors.New("store: version conflict")

	// ErrExists means Create found a live record under the same key. With
	// 256-bit random tokens this indicates a broken random source or a bug.
	ErrExists = errors.New("store: key exists")
)

// ErrClosed is returned, wrapped, by every method of a store that has been
// closed. It does not satisfy errors.Is(err, ErrNotFound).
var ErrClosed = errors.New("store: closed")
