package pgaccount

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/sessiond/sessiond/internal/account"
)

// CreateUser implements [account.Store]. PostgreSQL text cannot hold a NUL
// byte or invalid UTF-8, and a primary key entry holds at most about
// 2.7 kB, so such names are refused with the server's error (the Service's
// names are at most 64 bytes of ASCII).
func (s *Store) CreateUser(ctx context.Context, u account.User) error {
	const op = "create user"
	if err := s.usable(ctx, op); err != nil {
		return err
	}
	if u.Name == "" {
		return fmt.Errorf("pgaccount: %s: %w", op, account.ErrInvalidName)
	}
	tag, err := s.pool.Exec(ctx, s.sql.createUser,
		u.Name, u.PasswordHash, u.Disabled, u.CreatedAt, u.PasswordChangedAt)
	if err != nil {
		return failure(op, err)
	}
	if tag.RowsAffected() == 0 {
		return account.ErrUserExists
	}
	return nil
}

// User implements [account.Store].
func (s *Store) User(ctx context.Context, name string) (account.User, error) {
	const op = "user"
	if err := s.usable(ctx, op); err != nil {
		return account.User{}, err
	}
	u, err := scanUser(name, s.pool.QueryRow(ctx, s.sql.user, name))
	return u, failure(op, err)
}

// UpdateUser implements [account.Store]. The account's row stays locked
// (SELECT ... FOR UPDATE) from the read to the commit, so concurrent
// updates of one account wait for each other and update is called once.
// It runs inside the transaction, so it must only compute.
func (s *Store) UpdateUser(ctx context.Context, name string, update func(*account.User) error) error {
	const op = "update user"
	if err := s.usable(ctx, op); err != nil {
		return err
	}
	return failure(op, inTx(ctx, s.pool, func(tx pgx.Tx) error {
		u, err := scanUser(name, tx.QueryRow(ctx, s.sql.userForUpdate, name))
		if err != nil {
			return err
		}
		if err := update(&u); err != nil {
			return callerError{err}
		}
		if u.Name != name {
			return account.ErrNameChanged
		}
		_, err = tx.Exec(ctx, s.sql.updateUser, name, u.PasswordHash, u.Disabled, u.CreatedAt, u.PasswordChangedAt)
		return err
	}))
}

// Users implements [account.Store]. The name column sorts with the "C"
// collation, which is byte order.
func (s *Store) Users(ctx context.Context) ([]account.User, error) {
	const op = "users"
	if err := s.usable(ctx, op); err != nil {
		return nil, err
	}
	rows, err := s.pool.Query(ctx, s.sql.users)
	if err != nil {
		return nil, failure(op, err)
	}
	users, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (account.User, error) {
		var u account.User
		err := row.Scan(&u.Name, &u.PasswordHash, &u.Disabled, &u.CreatedAt, &u.PasswordChangedAt)
		return inUTC(u), err
	})
	if err != nil {
		return nil, failure(op, err)
	}
	if users == nil {
		users = []account.User{}
	}
	return users, nil
}

// scanUser scans the user named name from row, or returns
// account.ErrNoUser if there is none.
func scanUser(name string, row pgx.Row) (account.User, error) {
	u := account.User{Name: name}
	err := row.Scan(&u.PasswordHash, &u.Disabled, &u.CreatedAt, &u.PasswordChangedAt)
	if err == pgx.ErrNoRows {
		return account.User{}, account.ErrNoUser
	}
	if err != nil {
		return account.User{}, err
	}
	return inUTC(u), nil
}

// inUTC returns u with its times in UTC; pgx returns them in time.Local.
func inUTC(u account.User) account.User {
	u.CreatedAt = u.CreatedAt.UTC()
	u.PasswordChangedAt = u.PasswordChangedAt.UTC()
	return u
}
