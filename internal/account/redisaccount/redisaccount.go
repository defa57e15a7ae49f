package redisaccount

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/sessiond/sessiond/internal/account"
)

// Store is an [account.Store] kept in Redis (see the package doc for the
// keys). A Store is safe for concurrent use by multiple goroutines, and
// any number of Stores, in any number of processes, may share one Redis
// with the same Prefix: every read-modify-write is atomic in Redis.
//
// Methods return the contract's outcomes ([account.ErrNoUser],
// [account.ErrUserExists]) and the error of an UpdateUser's update function
// as they are. Every other failure is wrapped as "redisaccount:
// <operation>: <cause>" and never satisfies errors.Is(err,
// account.ErrNoUser): a canceled or expired ctx (checked before anything
// else), [ErrClosed], [ErrCorrupt], or an error of the client, such as an
// unreachable server. An outage never reads as "no such user".
type Store struct {
	client redis.UniversalClient
	forget time.Duration
	closed atomic.Bool

	usersKey   string // the sorted set of names
	userPrefix string // + name: a user's hash
	failPrefix string // + key: a throttling entry's hash
}

var _ account.Store = (*Store)(nil)

// New returns a Store kept in the Redis that client reaches: a single
// server, a Sentinel group or a Cluster. The caller owns client and closes
// it after the Store. New does no I/O; the first method call is the first
// to reach the server.
func New(client redis.UniversalClient, cfg Config) (*Store, error) {
	if client == nil {
		return nil, errors.New("redisaccount: new: nil client")
	}
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, fmt.Errorf("redisaccount: new: %w", err)
	}
	base := cfg.Prefix + "{accounts}:"
	return &Store{
		client:     client,
		forget:     cfg.Forget,
		usersKey:   base + "users",
		userPrefix: base + "user:",
		failPrefix: base + "fail:",
	}, nil
}

// Close marks the Store closed: every later method call returns an error
// wrapping [ErrClosed]. Calls already under way run to their end. It does
// not close the client, which belongs to the caller. Close is idempotent
// and always returns nil; it has an error result so that a Store is an
// io.Closer.
func (s *Store) Close() error {
	s.closed.Store(true)
	return nil
}

// usable reports why no operation may start, or nil.
func (s *Store) usable(ctx context.Context, op string) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("redisaccount: %s: %w", op, err)
	}
	if s.closed.Load() {
		return fmt.Errorf("redisaccount: %s: %w", op, ErrClosed)
	}
	return nil
}

// failure wraps err, an error of the client or of decoding, for op.
func failure(op string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("redisaccount: %s: %w", op, err)
}

func (s *Store) userKey(name string) string { return s.userPrefix + name }
func (s *Store) failKey(key string) string  { return s.failPrefix + key }
