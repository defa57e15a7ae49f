package storeurl

import (
	"context"
	"errors"
	"fmt"
	"net/url"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/sessiond/sessiond/internal/account/pgaccount"
	"github.com/sessiond/sessiond/store/pgstore"
)

// openPostgres opens postgres://user:password@host:port/db?... (any
// parameter pgx understands; ?schema=NAME picks the schema, default
// public). Sessions, accounts and throttling state share the database.
func openPostgres(ctx context.Context, u *url.URL) (*Backend, error) {
	q := u.Query()
	schema := q.Get("schema")
	q.Del("schema")
	clean := *u
	clean.RawQuery = q.Encode()
	pool, err := pgxpool.New(ctx, clean.String())
	if err != nil {
		return nil, fmt.Errorf("storeurl: %s: %w", u.Redacted(), err)
	}
	sessions, err := pgstore.New(ctx, pool, pgstore.Config{Schema: schema})
	if err != nil {
		pool.Close()
		return nil, fmt.Errorf("storeurl: %s: %w", u.Redacted(), err)
	}
	accounts, err := pgaccount.New(ctx, pool, pgaccount.Config{Schema: schema})
	if err != nil {
		sessions.Close()
		pool.Close()
		return nil, fmt.Errorf("storeurl: %s: %w", u.Redacted(), err)
	}
	return &Backend{
		Sessions: sessions,
		Accounts: accounts,
		Describe: "postgres " + u.Redacted(),
		close: func() error {
			err := errors.Join(accounts.Close(), sessions.Close())
			pool.Close()
			return err
		},
	}, nil
}
