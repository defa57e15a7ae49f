// Package store is the contract between sessiond's session engine and the
// places sessions are kept, in the manner of database/sql/driver: this
// package defines the contract and store/<backend> packages implement it.
//
// A store never sees a raw session token. Records are keyed by [Key], the
// SHA-256 of the token, so a leaked dump or backup of a store cannot be
// replayed as a cookie. Data is opaque to the store: the session package
// encodes and decodes it.
//
// Every backend runs the shared conformance suite in store/storetest from
// its own tests. Each sentence of the doc comments below is checked there.
package store

import (
	"context"
	"iter"
	"time"
)

// Key identifies a record: the SHA-256 of the session token. It is not a
// secret in itself (the token cannot be recovered from it) but it should
// still not be shown to users; sessions have public handles for that.
type Key [32]byte

// Record is one stored session as the store sees it.
type Record struct {
	// Key is the SHA-256 of the session token.
	Key Key
	// UserID is the owner of the session, or empty for an anonymous one.
	// Records with an empty UserID are never listed by user.
	UserID string
	// ExpiresAt is the instant after which the store must treat the record
	// as gone: from then on Get, Update, ListUser and All behave as if it had
	// been deleted, whether or not a sweep has removed it yet.
	ExpiresAt time.Time
	// Version counts the writes to the record. Create stores version 1 and
	// every successful Update increments it by one.
	Version uint64
	// Data is the session's encoded state, opaque to the store and returned
	// byte for byte as it was written.
	Data []byte
}

// Expired reports whether r is past its expiry at now. A record expires at
// the instant ExpiresAt: it is live strictly before it.
func (r Record) Expired(now time.Time) bool {
	return !now.Before(r.ExpiresAt)
}

// Store keeps session records. Implementations must be safe for concurrent
// use by multiple goroutines, and by several processes where the backend
// can be shared at all (an embedded file store may instead refuse a second
// process).
//
// A store judges expiry by each record's ExpiresAt against its own clock
// (its configured Now), never only by server-side TTLs, so that tests can
// drive expiry with an injected clock.
//
// Errors: any error other than [ErrNotFound] means the store could not give
// an answer (unreachable, closed, corrupt). Callers must never treat such an
// error as "no session": that would fail open.
type Store interface {
	// Get returns the live record under key.
	// It returns ErrNotFound if there is none, or if the record has expired,
	// even before any sweep has removed it.
	Get(ctx context.Context, key Key) (Record, error)

	// Create stores rec as a new record with version 1, whatever rec.Version
	// says.
	// It returns ErrExists, changing nothing, if a live record already has
	// rec.Key; an expired record under the same key is replaced.
	Create(ctx context.Context, rec Record) error

	// Update replaces the record under rec.Key with rec if the stored version
	// equals rec.Version-1 (compare-and-swap).
	// It returns ErrConflict, changing nothing, if the stored version differs.
	// It returns ErrNotFound if there is no live record under rec.Key.
	// The record may change owner: the user index follows rec.UserID.
	// An ExpiresAt not after Now makes the record invisible at once, like a
	// delete that still checks the version.
	Update(ctx context.Context, rec Record) error

	// Delete removes the record under key.
	// Deleting a missing or expired key returns nil.
	Delete(ctx context.Context, key Key) error

	// ListUser returns the live records whose UserID is userID, in no
	// particular order. It never returns an expired or deleted record.
	// An empty userID matches nothing: anonymous sessions are not indexed.
	ListUser(ctx context.Context, userID string) ([]Record, error)

	// DeleteUser removes every record whose UserID is userID except the one
	// under except (pass the zero Key to spare none), and returns how many
	// live records it removed. An empty userID removes nothing.
	DeleteUser(ctx context.Context, userID string, except Key) (int, error)

	// All yields every live record once, for backups and migrations.
	// Records created or deleted during the walk may or may not be seen.
	// A failure is yielded as a non-nil error, after which the walk stops.
	All(ctx context.Context) iter.Seq2[Record, error]
}
