package redisaccount

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/sessiond/sessiond/internal/account"
)

// maxCount is where a count stops growing: far beyond any lock's cap, and
// well within the integers Lua's numbers hold exactly.
const maxCount = 1 << 31

// addFailureScript records one failure.
//
//	KEYS: throttling hash
//	ARGV: now, cutoff (now-forget; both microseconds since the epoch),
//	      expiry in milliseconds, maxCount
//	returns the new count, or -1 if the stored entry does not decode
//
// Lua compares the times as doubles, which hold microseconds since the
// epoch exactly for every date between the years 1685 and 2255.
var addFailureScript = redis.NewScript(`
local stored = redis.call('HMGET', KEYS[1], 'n', 'last')
local n = 0
if stored[1] or stored[2] then
	n = tonumber(stored[1])
	local last = tonumber(stored[2])
	if not n or not last then
		return -1
	end
	if last < tonumber(ARGV[2]) then
		n = 0
	end
end
n = math.min(n + 1, tonumber(ARGV[4]))
redis.call('HSET', KEYS[1], 'n', n, 'last', ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return n
`)

// AddFailure implements [account.Store]. The entry expires in Redis
// Config.Forget, or forget if that is longer, after this failure. An entry
// that does not decode is an error wrapping [ErrCorrupt] until it expires
// or is cleared.
func (s *Store) AddFailure(ctx context.Context, key string, now time.Time, forget time.Duration) (account.Failures, error) {
	const op = "add failure"
	if err := s.usable(ctx, op); err != nil {
		return account.Failures{}, err
	}
	expiry := max(s.forget, forget).Milliseconds()
	n, err := addFailureScript.Run(ctx, s.client, []string{s.failKey(key)},
		encodeTime(now), encodeTime(now.Add(-forget)), max(expiry, 1), maxCount).Int()
	if err != nil {
		return account.Failures{}, failure(op, err)
	}
	if n < 1 {
		return account.Failures{}, failure(op, fmt.Errorf("%w: throttling entry", ErrCorrupt))
	}
	return account.Failures{Count: n, Last: now.Truncate(time.Microsecond)}, nil
}

// Failures implements [account.Store]. An entry that does not decode is an
// error wrapping [ErrCorrupt].
func (s *Store) Failures(ctx context.Context, key string, now time.Time, forget time.Duration) (account.Failures, error) {
	const op = "failures"
	if err := s.usable(ctx, op); err != nil {
		return account.Failures{}, err
	}
	stored, err := s.client.HMGet(ctx, s.failKey(key), "n", "last").Result()
	if err != nil {
		return account.Failures{}, failure(op, err)
	}
	if stored[0] == nil && stored[1] == nil {
		return account.Failures{}, nil
	}
	f, err := decodeFailures(stored)
	if err != nil {
		return account.Failures{}, failure(op, err)
	}
	if f.Last.Before(now.Add(-forget)) {
		return account.Failures{}, nil
	}
	return f, nil
}

// ClearFailures implements [account.Store].
func (s *Store) ClearFailures(ctx context.Context, key string) error {
	const op = "clear failures"
	if err := s.usable(ctx, op); err != nil {
		return err
	}
	return failure(op, s.client.Del(ctx, s.failKey(key)).Err())
}

// decodeFailures decodes the n and last fields HMGET returned.
func decodeFailures(stored []any) (account.Failures, error) {
	ns, _ := stored[0].(string)
	lasts, _ := stored[1].(string)
	n, err := strconv.Atoi(ns)
	if err != nil || n < 1 {
		return account.Failures{}, fmt.Errorf("%w: throttling entry count %q", ErrCorrupt, ns)
	}
	last, err := decodeTime(lasts)
	if err != nil {
		return account.Failures{}, fmt.Errorf("%w: throttling entry time %q", ErrCorrupt, lasts)
	}
	return account.Failures{Count: n, Last: last}, nil
}
