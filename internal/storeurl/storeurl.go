// Package storeurl turns sessiond's --store option into the stores the
// service runs on. It is the only non-test package that imports the store
// backends.
package storeurl

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/sessiond/sessiond/internal/account"
	"github.com/sessiond/sessiond/internal/account/boltaccount"
	"github.com/sessiond/sessiond/store"
	"github.com/sessiond/sessiond/store/boltstore"
)

// Backend is one place that keeps sessions, accounts and login-throttling
// state together, so that every replica sharing it sees the same users and
// limits.
type Backend struct {
	Sessions store.Store
	Accounts account.Store
	// Backup writes a consistent copy of an embedded database; nil for
	// backends with their own backup tools.
	Backup func(w io.Writer) (int64, error)
	// Describe names the backend for logs, without credentials.
	Describe string
	close    func() error
}

// Close releases the backend: background sweepers stop, files close.
func (b *Backend) Close() error { return b.close() }

// Ready reports whether the session store answers.
func (b *Backend) Ready(ctx context.Context) error {
	_, err := b.Sessions.Get(ctx, store.Key{})
	if err == nil || errors.Is(err, store.ErrNotFound) {
		return nil
	}
	return err
}

// EmbeddedFile is the database file of the embedded store in a data
// directory.
const EmbeddedFile = "sessiond.db"

// ErrLocked means another process (a running sessiond serve) holds the
// embedded database.
var ErrLocked = errors.New("storeurl: the embedded database is in use by another process")

// Options tune Open.
type Options struct {
	// LockTimeout is how long to wait for the embedded database's file lock.
	LockTimeout time.Duration
}

// Open opens the backend rawURL names: empty or bolt:///path/file.db for the
// embedded store (in dataDir when empty, created if missing), postgres://…
// for PostgreSQL, or redis://, rediss://, redis+sentinel:// and
// redis+cluster:// for Redis (see openRedis).
func Open(ctx context.Context, rawURL, dataDir string, opts Options) (*Backend, error) {
	if scheme, _, _ := strings.Cut(rawURL, "://"); scheme == "redis+sentinel" || scheme == "redis+cluster" {
		// Several hosts: net/url cannot parse these.
		return openRedis(rawURL, &url.URL{Scheme: scheme})
	}
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, fmt.Errorf("storeurl: --store %s: %w", redacted(rawURL), errors.Unwrap(err))
	}
	switch u.Scheme {
	case "", "bolt":
		path := filepath.Join(dataDir, EmbeddedFile)
		if u.Scheme == "bolt" {
			path = u.Path
		}
		return openEmbedded(path, opts)
	case "postgres", "postgresql":
		return openPostgres(ctx, u)
	case "redis", "rediss":
		return openRedis(rawURL, u)
	}
	return nil, fmt.Errorf("storeurl: --store %s: unsupported store; use the embedded store (leave --store empty), redis://, rediss://, redis+sentinel://, redis+cluster:// or postgres://", u.Redacted())
}

func openEmbedded(path string, opts Options) (*Backend, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("storeurl: %w", err)
	}
	if opts.LockTimeout <= 0 {
		opts.LockTimeout = time.Second
	}
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: opts.LockTimeout, FreelistType: bolt.FreelistMapType})
	if err != nil {
		if errors.Is(err, bolt.ErrTimeout) {
			return nil, fmt.Errorf("%w: %s", ErrLocked, path)
		}
		return nil, fmt.Errorf("storeurl: open %s: %w", path, err)
	}
	sessions, err := boltstore.New(db, boltstore.Config{})
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("storeurl: %s: %w", path, err)
	}
	accounts, err := boltaccount.New(db, boltaccount.Config{})
	if err != nil {
		sessions.Close()
		db.Close()
		return nil, fmt.Errorf("storeurl: %s: %w", path, err)
	}
	return &Backend{
		Sessions: sessions,
		Accounts: accounts,
		Describe: "embedded " + path,
		Backup: func(w io.Writer) (int64, error) {
			var n int64
			err := db.View(func(tx *bolt.Tx) (err error) {
				n, err = tx.WriteTo(w)
				return err
			})
			return n, err
		},
		close: func() error {
			return errors.Join(accounts.Close(), sessions.Close(), db.Close())
		},
	}, nil
}
