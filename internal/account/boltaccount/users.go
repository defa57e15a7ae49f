package boltaccount

import (
	"context"
	"fmt"

	bolt "go.etcd.io/bbolt"

	"github.com/sessiond/sessiond/internal/account"
)

// CreateUser implements [account.Store]. It returns once the user is on
// disk. A name longer than bbolt's key limit (32 KiB) is refused.
func (s *Store) CreateUser(ctx context.Context, u account.User) error {
	if u.Name == "" {
		if err := s.usable(ctx, "create user"); err != nil {
			return err
		}
		return fmt.Errorf("boltaccount: create user: %w", account.ErrInvalidName)
	}
	val, err := encodeUser(u)
	if err != nil {
		return fmt.Errorf("boltaccount: create user: %w", err)
	}
	return s.update(ctx, "create user", func(users, _ *bolt.Bucket) error {
		if users.Get([]byte(u.Name)) != nil {
			return account.ErrUserExists
		}
		return users.Put([]byte(u.Name), val)
	})
}

// User implements [account.Store]. A stored user that does not decode is an
// error wrapping [ErrCorrupt], never [account.ErrNoUser].
func (s *Store) User(ctx context.Context, name string) (account.User, error) {
	var u account.User
	err := s.view(ctx, "user", func(users, _ *bolt.Bucket) error {
		var err error
		u, err = getUser(users, name)
		return err
	})
	return u, err
}

// UpdateUser implements [account.Store]. update runs inside bbolt's write
// transaction, so every other write to the file waits for it: it must
// only compute (hash passwords before calling). It returns once the change
// is on disk.
func (s *Store) UpdateUser(ctx context.Context, name string, update func(*account.User) error) error {
	return s.update(ctx, "update user", func(users, _ *bolt.Bucket) error {
		u, err := getUser(users, name)
		if err != nil {
			return err
		}
		if err := update(&u); err != nil {
			return callerError{err}
		}
		if u.Name != name {
			return account.ErrNameChanged
		}
		val, err := encodeUser(u)
		if err != nil {
			return err
		}
		return users.Put([]byte(name), val)
	})
}

// Users implements [account.Store]. bbolt keeps keys in byte order, so the
// users come out sorted by name.
func (s *Store) Users(ctx context.Context) ([]account.User, error) {
	list := []account.User{}
	err := s.view(ctx, "users", func(users, _ *bolt.Bucket) error {
		return users.ForEach(func(k, v []byte) error {
			u, err := decodeUser(string(k), v)
			if err != nil {
				return err
			}
			list = append(list, u)
			return nil
		})
	})
	if err != nil {
		return nil, err
	}
	return list, nil
}

// getUser returns the user named name from the users bucket, or
// account.ErrNoUser.
func getUser(users *bolt.Bucket, name string) (account.User, error) {
	if name == "" {
		return account.User{}, account.ErrNoUser // bbolt has no empty keys
	}
	val := users.Get([]byte(name))
	if val == nil {
		return account.User{}, account.ErrNoUser
	}
	return decodeUser(name, val)
}
