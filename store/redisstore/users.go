package redisstore

import (
	"context"
	"errors"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/sessiond/sessiond/store"
)

// fetchBatch is the most GETs sent in one pipeline. A user with more index
// entries costs one more round trip per batch; the bound keeps a single
// pipeline's replies, held in memory at once, to a few megabytes.
const fetchBatch = 1000

// ListUser implements [store.Store] in two round trips: the index entries
// whose score (the record's expiry) is after Now, less a minute for clocks
// that lag (see indexMembers), and then every record
// they name, pipelined (one more round trip per fetchBatch entries). It
// returns only entries that resolve to a live record of userID; the others
// are stale and never listed (see the package documentation for which are
// removed when). A record that does not decode fails the call with
// [ErrCorrupt] rather than be left out of the list.
func (s *Store) ListUser(ctx context.Context, userID string) ([]store.Record, error) {
	if err := s.usable(ctx, "list user"); err != nil {
		return nil, err
	}
	if userID == "" {
		return nil, nil
	}
	now := s.now()
	keys, err := s.indexMembers(ctx, userID, now)
	if err != nil {
		return nil, failure("list user", err)
	}
	var out []store.Record
	err = s.fetch(ctx, keys, func(rec store.Record) error {
		if rec.UserID == userID && !rec.Expired(now) {
			out = append(out, rec)
		}
		return nil
	})
	if err != nil {
		return nil, failure("list user", err)
	}
	return out, nil
}

// DeleteUser implements [store.Store] in three round trips: the index
// entries, then a script per entry, pipelined, that deletes the record only
// if it still belongs to userID (in Cluster, with WaitReplicas, one
// pipeline per master, in parallel), then the removal of the entries whose
// records it deleted. It counts only records that were live. Entries whose
// record is missing or belongs to another user are left alone: a
// concurrent Create or Update may be about to make them this user's (see
// the package documentation).
func (s *Store) DeleteUser(ctx context.Context, userID string, except store.Key) (int, error) {
	if err := s.usable(ctx, "delete user"); err != nil {
		return 0, err
	}
	if userID == "" {
		return 0, nil
	}
	now := s.now()
	keys, err := s.indexMembers(ctx, userID, now)
	if err != nil {
		return 0, failure("delete user", err)
	}
	hi, lo := halves(now)
	calls := make([]*scriptCall, 0, len(keys))
	targets := make([]store.Key, 0, len(keys))
	for _, key := range keys {
		if key == except {
			continue
		}
		calls = append(calls, &scriptCall{script: deleteOwnedScript, key: s.keys.recordKey(key),
			args: []any{userID, hi, lo}})
		targets = append(targets, key)
	}
	if len(calls) == 0 {
		return 0, nil
	}
	if err := s.run(ctx, true, calls...); err != nil {
		return 0, failure("delete user", err)
	}
	n := 0
	var gone []store.Key
	for i, c := range calls {
		switch c.code {
		case codeDone:
			n++
			fallthrough
		case codeExpired, codeCorrupt:
			gone = append(gone, targets[i])
		}
	}
	s.indexRemove(cleanup(ctx), userID, gone...)
	return n, nil
}

// indexMembers returns the keys in userID's index whose score is after the
// horizon, indexSlack before Now, in one round trip that also drops the
// entries whose score is not: those records have expired, whatever any
// writer does next (see indexAddScript), even by the clock of a process
// that lags this one by up to indexSlack.
func (s *Store) indexMembers(ctx context.Context, userID string, now time.Time) ([]store.Key, error) {
	index := s.keys.indexKey(userID)
	horizon := strconv.FormatInt(floorMillis(now)-indexSlack.Milliseconds(), 10)
	pipe := s.client.Pipeline()
	pipe.ZRemRangeByScore(ctx, index, "-inf", horizon)
	members := pipe.ZRangeArgs(ctx, redis.ZRangeArgs{Key: index, Start: "(" + horizon, Stop: "+inf", ByScore: true})
	if _, err := pipe.Exec(ctx); err != nil {
		return nil, err
	}
	keys := make([]store.Key, 0, len(members.Val()))
	for _, m := range members.Val() {
		key, ok := memberKey(m)
		if !ok {
			return nil, corrupt("index member of %d bytes", len(m))
		}
		keys = append(keys, key)
	}
	return keys, nil
}

// indexAdd adds key to userID's index with the score of expires, in one
// round trip. In Cluster it waits for replicas when configured, because
// the index may live on another master than the record, whose WAIT would
// not cover it. Elsewhere it does not need to: replication is one ordered
// stream, so the replicas that acknowledge the record's write, which comes
// after, have the index entry too.
func (s *Store) indexAdd(ctx context.Context, userID string, key store.Key, expires, now time.Time) error {
	call := &scriptCall{script: indexAddScript, key: s.keys.indexKey(userID),
		args: []any{member(key), ceilMillis(expires), floorMillis(now), indexSlack.Milliseconds()}}
	return s.run(ctx, s.cluster != nil, call)
}

// indexRemove removes keys from userID's index, in one round trip, after
// their records have been removed or have left userID. It is a repair, not
// part of the write: a failure leaves stale entries that are never listed
// and die with their score, so it is not reported.
func (s *Store) indexRemove(ctx context.Context, userID string, keys ...store.Key) {
	if len(keys) == 0 {
		return
	}
	members := make([]any, len(keys))
	for i, key := range keys {
		members[i] = member(key)
	}
	_ = s.client.ZRem(ctx, s.keys.indexKey(userID), members...).Err()
}

// fetch GETs the records under keys, pipelined in batches, and calls fn
// with each one that exists, expired or not. A missing key is skipped.
func (s *Store) fetch(ctx context.Context, keys []store.Key, fn func(store.Record) error) error {
	for len(keys) > 0 {
		batch := keys[:min(len(keys), fetchBatch)]
		keys = keys[len(batch):]
		pipe := s.client.Pipeline()
		cmds := make([]*redis.StringCmd, len(batch))
		for i, key := range batch {
			cmds[i] = pipe.Get(ctx, s.keys.recordKey(key))
		}
		if _, err := pipe.Exec(ctx); err != nil && !errors.Is(err, redis.Nil) {
			return err
		}
		for i, cmd := range cmds {
			val, err := cmd.Result()
			if errors.Is(err, redis.Nil) {
				continue // missing: the one place redis.Nil means "no record"
			}
			if err != nil {
				return err
			}
			rec, err := decodeRecord(batch[i], val)
			if err != nil {
				return err
			}
			if err := fn(rec); err != nil {
				return err
			}
		}
	}
	return nil
}
