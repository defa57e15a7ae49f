package redisaccount

import (
	"context"
	"fmt"

	"github.com/redis/go-redis/v9"

	"github.com/sessiond/sessiond/internal/account"
)

// createUserScript writes a new user unless its hash exists, and adds the
// name to the index, atomically.
//
//	KEYS: user hash, users index
//	ARGV: name, then userArgs: v, hash, disabled, created, changed
//	returns 1 if created, 0 if the name was taken
var createUserScript = redis.NewScript(`
if redis.call('EXISTS', KEYS[1]) == 1 then
	return 0
end
redis.call('HSET', KEYS[1], 'v', ARGV[2], 'rev', 1, 'hash', ARGV[3],
	'disabled', ARGV[4], 'created', ARGV[5], 'changed', ARGV[6])
redis.call('ZADD', KEYS[2], 0, ARGV[1])
return 1
`)

// casUserScript overwrites a user if its revision is still the one read,
// and bumps the revision.
//
//	KEYS: user hash
//	ARGV: revision read, then userArgs: v, hash, disabled, created, changed
//	returns 1 if written, 0 if the revision moved (or the user is gone)
var casUserScript = redis.NewScript(`
if redis.call('HGET', KEYS[1], 'rev') ~= ARGV[1] then
	return 0
end
redis.call('HSET', KEYS[1], 'v', ARGV[2], 'hash', ARGV[3],
	'disabled', ARGV[4], 'created', ARGV[5], 'changed', ARGV[6])
redis.call('HINCRBY', KEYS[1], 'rev', 1)
return 1
`)

// usersBatch is how many user hashes one pipeline of Users reads.
const usersBatch = 256

// CreateUser implements [account.Store].
func (s *Store) CreateUser(ctx context.Context, u account.User) error {
	const op = "create user"
	if err := s.usable(ctx, op); err != nil {
		return err
	}
	if u.Name == "" {
		return fmt.Errorf("redisaccount: %s: %w", op, account.ErrInvalidName)
	}
	args := append([]any{u.Name}, userArgs(u)...)
	created, err := createUserScript.Run(ctx, s.client, []string{s.userKey(u.Name), s.usersKey}, args...).Int()
	if err != nil {
		return failure(op, err)
	}
	if created == 0 {
		return account.ErrUserExists
	}
	return nil
}

// User implements [account.Store]. A stored user that does not decode is an
// error wrapping [ErrCorrupt], never [account.ErrNoUser].
func (s *Store) User(ctx context.Context, name string) (account.User, error) {
	const op = "user"
	if err := s.usable(ctx, op); err != nil {
		return account.User{}, err
	}
	u, _, err := s.read(ctx, name)
	if err == account.ErrNoUser {
		return account.User{}, err
	}
	return u, failure(op, err)
}

// UpdateUser implements [account.Store]. update runs between a read and a
// compare-and-swap write; if another write to the account came in between,
// UpdateUser reads the account again and calls update again, until one
// write succeeds or ctx is done.
func (s *Store) UpdateUser(ctx context.Context, name string, update func(*account.User) error) error {
	const op = "update user"
	for {
		if err := s.usable(ctx, op); err != nil {
			return err
		}
		u, rev, err := s.read(ctx, name)
		if err == account.ErrNoUser {
			return err
		}
		if err != nil {
			return failure(op, err)
		}
		if err := update(&u); err != nil {
			return err
		}
		if u.Name != name {
			return fmt.Errorf("redisaccount: %s: %w", op, account.ErrNameChanged)
		}
		args := append([]any{rev}, userArgs(u)...)
		written, err := casUserScript.Run(ctx, s.client, []string{s.userKey(name)}, args...).Int()
		if err != nil {
			return failure(op, err)
		}
		if written == 1 {
			return nil
		}
		// Another write won the race: read its result and try again.
	}
}

// Users implements [account.Store]. The index is a sorted set whose scores
// are all 0, which Redis orders by the bytes of the names. A name in the
// index without a hash is an error wrapping [ErrCorrupt].
func (s *Store) Users(ctx context.Context) ([]account.User, error) {
	const op = "users"
	if err := s.usable(ctx, op); err != nil {
		return nil, err
	}
	names, err := s.client.ZRange(ctx, s.usersKey, 0, -1).Result()
	if err != nil {
		return nil, failure(op, err)
	}
	users := make([]account.User, 0, len(names))
	for start := 0; start < len(names); start += usersBatch {
		batch := names[start:min(start+usersBatch, len(names))]
		cmds := make([]*redis.MapStringStringCmd, len(batch))
		_, err := s.client.Pipelined(ctx, func(p redis.Pipeliner) error {
			for i, name := range batch {
				cmds[i] = p.HGetAll(ctx, s.userKey(name))
			}
			return nil
		})
		if err != nil {
			return nil, failure(op, err)
		}
		for i, cmd := range cmds {
			u, _, err := decodeStored(batch[i], cmd.Val())
			if err == account.ErrNoUser {
				err = fmt.Errorf("%w: user %q is in the index but has no hash", ErrCorrupt, batch[i])
			}
			if err != nil {
				return nil, failure(op, err)
			}
			users = append(users, u)
		}
	}
	return users, nil
}

// read returns the user named name and its revision, or account.ErrNoUser,
// or an unwrapped error.
func (s *Store) read(ctx context.Context, name string) (account.User, string, error) {
	h, err := s.client.HGetAll(ctx, s.userKey(name)).Result()
	if err != nil {
		return account.User{}, "", err
	}
	return decodeStored(name, h)
}

// decodeStored decodes the hash HGETALL returned for name: none means no
// such user.
func decodeStored(name string, h map[string]string) (account.User, string, error) {
	if len(h) == 0 {
		return account.User{}, "", account.ErrNoUser
	}
	return decodeUser(name, h)
}
