package pgstore

import (
	"context"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/sessiond/sessiond/store"
)

// Get implements [store.Store] with one SELECT by primary key, so loading
// a session costs one round trip.
func (s *Store) Get(ctx context.Context, key store.Key) (store.Record, error) {
	if err := s.usable(ctx, "get"); err != nil {
		return store.Record{}, err
	}
	var (
		userID, data []byte
		version      int64
		expiresAt    time.Time
	)
	err := s.pool.QueryRow(ctx, s.q.get, key[:], s.now()).Scan(&userID, &version, &expiresAt, &data)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		// The only place no row means no session: the key is missing or
		// its row has expired by Now.
		return store.Record{}, store.ErrNotFound
	case err != nil:
		return store.Record{}, failure(ctx, "get", err)
	}
	return store.Record{Key: key, UserID: string(userID), ExpiresAt: expiresAt, Version: uint64(version), Data: data}, nil
}

// Create implements [store.Store] with one INSERT … ON CONFLICT. An
// ExpiresAt not after Now stores a row that is invisible at once and that
// the collector removes.
func (s *Store) Create(ctx context.Context, rec store.Record) error {
	if err := s.usable(ctx, "create"); err != nil {
		return err
	}
	tag, err := s.pool.Exec(ctx, s.q.create, rec.Key[:], bytesOf(rec.UserID), rec.ExpiresAt, nonNil(rec.Data), s.now())
	if err != nil {
		return failure(ctx, "create", err)
	}
	if tag.RowsAffected() == 0 {
		return store.ErrExists
	}
	return nil
}

// Update implements [store.Store] with one statement that locks the live
// row, compares its version and writes it (see the update query), so it
// can tell a missing record from a stale version without a race. An
// ExpiresAt not after Now leaves a row that is invisible at once and that
// the collector removes.
func (s *Store) Update(ctx context.Context, rec store.Record) error {
	if err := s.usable(ctx, "update"); err != nil {
		return err
	}
	// No row has a version below 1, so a Version of 0, or one too large
	// for a bigint, conflicts with any live row.
	expected := int64(-1)
	if rec.Version >= 1 && rec.Version <= math.MaxInt64 {
		expected = int64(rec.Version - 1)
	}
	var found, updated bool
	err := s.pool.QueryRow(ctx, s.q.update, rec.Key[:], s.now(), expected,
		bytesOf(rec.UserID), rec.ExpiresAt, nonNil(rec.Data)).Scan(&found, &updated)
	switch {
	case err != nil:
		return failure(ctx, "update", err)
	case !found:
		return store.ErrNotFound
	case !updated:
		return store.ErrConflict
	}
	return nil
}

// Delete implements [store.Store] with one DELETE by primary key.
func (s *Store) Delete(ctx context.Context, key store.Key) error {
	if err := s.usable(ctx, "delete"); err != nil {
		return err
	}
	if _, err := s.pool.Exec(ctx, s.q.delete, key[:]); err != nil {
		return failure(ctx, "delete", err)
	}
	return nil
}

// keyOf converts a key column to a Key. The schema's CHECK keeps keys at 32
// bytes; anything else was written behind this package's back.
func keyOf(b []byte) (store.Key, error) {
	var key store.Key
	if len(b) != len(key) {
		return key, fmt.Errorf("stored key of %d bytes: %w", len(b), ErrCorrupt)
	}
	copy(key[:], b)
	return key, nil
}

// bytesOf returns s as a bytea parameter. An empty s must still be an
// empty value: pgx sends a nil slice as NULL.
func bytesOf(s string) []byte {
	if s == "" {
		return []byte{}
	}
	return []byte(s)
}

// nonNil returns b, or an empty slice for nil, which pgx would send as NULL.
func nonNil(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return b
}
