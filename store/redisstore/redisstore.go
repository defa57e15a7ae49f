package redisstore

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/sessiond/sessiond/store"
)

// Store is a [store.Store] kept in Redis: a single server, a master watched
// by Sentinel (through a failover client) or a Redis Cluster, all through
// the same code. A Store is safe for concurrent use by multiple goroutines,
// and any number of processes may share one Redis deployment, given the
// same Prefix. It starts no goroutines: Redis expires keys by itself.
//
// Methods return the contract's outcomes ([store.ErrNotFound],
// [store.ErrConflict], [store.ErrExists]) as they are. Every other failure
// is wrapped as "redisstore: <operation>: <cause>" and never satisfies
// errors.Is(err, store.ErrNotFound): a canceled or expired ctx (checked
// before anything else), [store.ErrClosed], [ErrNotReplicated],
// [ErrCorrupt], or an error from the client, such as an unreachable master
// during a failover. Only a missing or expired record reads as "no
// session", so an outage fails closed.
type Store struct {
	client  redis.UniversalClient
	cluster *redis.ClusterClient // client, if it is a Cluster client
	keys    keys
	pattern string // SCAN pattern matching every record key
	now     func() time.Time

	waitReplicas int
	waitTimeout  time.Duration

	closed atomic.Bool
}

var _ store.Store = (*Store)(nil)

// indexSlack is how much longer than its longest-lived member an index is
// kept. Expiry is judged by the clock of whichever process asks, so an
// index whose TTL was set by a process whose clock runs ahead must not
// vanish while another process still considers a member live: that would
// hide a live session from DeleteUser. A minute covers any clock that NTP
// keeps in step.
const indexSlack = time.Minute

// New returns a Store that keeps records in Redis through client, which
// the caller owns: New neither pings nor closes it, and the Store does no
// I/O until its first call. client may be a *redis.Client (a single server,
// or a failover client from redis.NewFailoverClient for Sentinel) or a
// *redis.ClusterClient, as redis.NewUniversalClient returns them. Every
// command goes to a master: a *redis.Ring, and a cluster client that reads
// from replicas (ClusterOptions.ReadOnly, RouteByLatency or RouteRandomly),
// are refused with [ErrUnsupportedClient]. The server must be
// Redis 6.2 or later (ZADD GT). New refuses an invalid cfg with an error
// naming the field.
func New(client redis.UniversalClient, cfg Config) (*Store, error) {
	var (
		cluster     *redis.ClusterClient
		readTimeout time.Duration
	)
	switch c := client.(type) {
	case *redis.Client:
		if c == nil {
			return nil, fmt.Errorf("redisstore: new: nil client: %w", ErrUnsupportedClient)
		}
		readTimeout = c.Options().ReadTimeout
	case *redis.ClusterClient:
		if c == nil {
			return nil, fmt.Errorf("redisstore: new: nil client: %w", ErrUnsupportedClient)
		}
		if o := c.Options(); o.ReadOnly || o.RouteByLatency || o.RouteRandomly {
			// A replica lags its master: a read there could still show
			// a session that was revoked a moment ago.
			return nil, fmt.Errorf("redisstore: new: a cluster client that reads from replicas (ReadOnly, RouteByLatency or RouteRandomly): %w", ErrUnsupportedClient)
		}
		cluster, readTimeout = c, c.Options().ReadTimeout
	case *redis.Ring:
		return nil, fmt.Errorf("redisstore: new: *redis.Ring: %w", ErrUnsupportedClient)
	case nil:
		return nil, fmt.Errorf("redisstore: new: nil client: %w", ErrUnsupportedClient)
	}
	cfg, err := cfg.withDefaults(readTimeout)
	if err != nil {
		return nil, fmt.Errorf("redisstore: new: %w", err)
	}
	k := newKeys(cfg.Prefix)
	return &Store{
		client:       client,
		cluster:      cluster,
		keys:         k,
		pattern:      globEscape(k.record) + "*",
		now:          cfg.Now,
		waitReplicas: cfg.WaitReplicas,
		waitTimeout:  cfg.WaitTimeout,
	}, nil
}

// Close marks the Store closed: every method called afterwards returns an
// error wrapping [store.ErrClosed]. It does not close the client, which
// belongs to the caller, and does not wait for calls in progress. Close is
// idempotent and always returns nil.
func (s *Store) Close() error {
	s.closed.Store(true)
	return nil
}

// usable reports why no operation may start, or nil.
func (s *Store) usable(ctx context.Context, op string) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("redisstore: %s: %w", op, err)
	}
	if s.closed.Load() {
		return fmt.Errorf("redisstore: %s: %w", op, store.ErrClosed)
	}
	return nil
}

// failure wraps err for op. The contract's outcomes pass through unchanged
// and only they do: nothing else may read as ErrNotFound.
func failure(op string, err error) error {
	switch err {
	case nil, store.ErrNotFound, store.ErrConflict, store.ErrExists:
		return err
	}
	return fmt.Errorf("redisstore: %s: %w", op, err)
}

// unexpected reports a script reply code that op does not expect.
func unexpected(code int64) error {
	return fmt.Errorf("unexpected script reply code %d", code)
}

// cleanup returns the context for the index repairs that follow a write
// which has already landed: they run even if the caller's ctx ends now, so
// that a canceled request does not leave a stale index entry behind. The
// client's own timeouts bound them.
func cleanup(ctx context.Context) context.Context {
	return context.WithoutCancel(ctx)
}

// Get implements [store.Store] in one round trip: a GET of the record key.
// Only a missing key (redis.Nil) or a record expired by Now is
// [store.ErrNotFound]; a value that does not decode is [ErrCorrupt].
func (s *Store) Get(ctx context.Context, key store.Key) (store.Record, error) {
	if err := s.usable(ctx, "get"); err != nil {
		return store.Record{}, err
	}
	val, err := s.client.Get(ctx, s.keys.recordKey(key)).Result()
	if errors.Is(err, redis.Nil) {
		return store.Record{}, store.ErrNotFound
	}
	if err != nil {
		return store.Record{}, failure("get", err)
	}
	rec, err := decodeRecord(key, val)
	if err != nil {
		return store.Record{}, failure("get", err)
	}
	if rec.Expired(s.now()) {
		return store.Record{}, store.ErrNotFound
	}
	return rec, nil
}

// Create implements [store.Store]. An owned record costs two round trips,
// the index entry then the record, and an anonymous one a single one. An
// ExpiresAt not after Now stores nothing, but still replaces an expired
// record under the same key.
func (s *Store) Create(ctx context.Context, rec store.Record) error {
	if err := s.usable(ctx, "create"); err != nil {
		return err
	}
	rec.Version = 1
	now := s.now()
	ttl := ttlMillis(rec.ExpiresAt, now)
	indexed := ttl > 0 && rec.UserID != ""
	// 1. The index entry first, so that DeleteUser, which reads the index,
	//    reaches the record from the moment it exists.
	if indexed {
		if err := s.indexAdd(ctx, rec.UserID, rec.Key, rec.ExpiresAt, now); err != nil {
			return failure("create", err)
		}
	}
	// 2. The record, unless a live one has the key.
	hi, lo := halves(now)
	call := &scriptCall{script: createScript, key: s.keys.recordKey(rec.Key),
		args: []any{appendRecord(nil, rec), ttl, hi, lo}}
	if err := s.run(ctx, true, call); err != nil {
		return failure("create", err)
	}
	switch call.code {
	case codeDone:
		// 3. The replaced record's entry in its owner's index.
		if call.owner != "" && (call.owner != rec.UserID || !indexed) {
			s.indexRemove(cleanup(ctx), call.owner, rec.Key)
		}
		return nil
	case codeExists:
		// Undo step 1, unless the live record is this user's anyway.
		if indexed && call.owner != rec.UserID {
			s.indexRemove(cleanup(ctx), rec.UserID, rec.Key)
		}
		return store.ErrExists
	case codeCorrupt:
		return failure("create", corrupt("the value under the key does not decode"))
	}
	return failure("create", unexpected(call.code))
}

// Update implements [store.Store] with a script that compares the stored
// version and swaps the record atomically. It costs two round trips for an
// owned record (the new owner's index entry, then the swap) and one for an
// anonymous one, plus one more when the record leaves a user's index (a
// change of owner, or an ExpiresAt not after Now, which removes it).
func (s *Store) Update(ctx context.Context, rec store.Record) error {
	if err := s.usable(ctx, "update"); err != nil {
		return err
	}
	now := s.now()
	ttl := ttlMillis(rec.ExpiresAt, now)
	indexed := ttl > 0 && rec.UserID != ""
	// 1. The new owner's index entry before the record names that owner.
	if indexed {
		if err := s.indexAdd(ctx, rec.UserID, rec.Key, rec.ExpiresAt, now); err != nil {
			return failure("update", err)
		}
	}
	// 2. The compare-and-swap.
	hi, lo := halves(now)
	call := &scriptCall{script: updateScript, key: s.keys.recordKey(rec.Key),
		args: []any{appendRecord(nil, rec), ttl, hi, lo, versionBytes(rec.Version - 1)}}
	if err := s.run(ctx, true, call); err != nil {
		return failure("update", err)
	}
	switch call.code {
	case codeDone:
		// 3. The old owner's entry, now that the record has left it.
		if call.owner != "" && (call.owner != rec.UserID || !indexed) {
			s.indexRemove(cleanup(ctx), call.owner, rec.Key)
		}
		return nil
	case codeNotFound:
		// Nothing can be live under the key, so step 1's entry is stale.
		if indexed {
			s.indexRemove(cleanup(ctx), rec.UserID, rec.Key)
		}
		return store.ErrNotFound
	case codeConflict:
		// Step 1's entry stays even if the record is another user's: a
		// concurrent Update may be moving it to rec.UserID, and removing the
		// entry under it would hide that record from DeleteUser. The stale
		// entry is never listed and dies with its score.
		return store.ErrConflict
	case codeCorrupt:
		return failure("update", corrupt("the value under the key does not decode"))
	}
	return failure("update", unexpected(call.code))
}

// Delete implements [store.Store]: a script removes the record and returns
// its owner, then the owner's index entry goes, in that order. One round
// trip for an anonymous or missing record, two for an owned one. A value
// that does not decode is removed too.
func (s *Store) Delete(ctx context.Context, key store.Key) error {
	if err := s.usable(ctx, "delete"); err != nil {
		return err
	}
	call := &scriptCall{script: deleteScript, key: s.keys.recordKey(key)}
	if err := s.run(ctx, true, call); err != nil {
		return failure("delete", err)
	}
	if call.code == codeDone && call.owner != "" {
		s.indexRemove(cleanup(ctx), call.owner, key)
	}
	return nil
}

// globEscape escapes the characters that SCAN's MATCH treats specially.
func globEscape(s string) string {
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '*', '?', '[', ']', '\\':
			out = append(out, '\\')
		}
		out = append(out, s[i])
	}
	return string(out)
}
