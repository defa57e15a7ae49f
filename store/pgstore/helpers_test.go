package pgstore

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/sessiond/sessiond/internal/testenv"
	"github.com/sessiond/sessiond/store"
)

// testPool returns a pool on the test server (see testenv.NeedPostgres),
// closed when the test ends. edit, if not nil, may change its config first.
func testPool(t testing.TB, edit func(*pgxpool.Config)) *pgxpool.Pool {
	t.Helper()
	cfg, err := pgxpool.ParseConfig(testenv.NeedPostgres(t))
	if err != nil {
		t.Fatalf("parsing the test DSN: %v", err)
	}
	if edit != nil {
		edit(cfg)
	}
	pool, err := pgxpool.NewWithConfig(context.Background(), cfg)
	if err != nil {
		t.Fatalf("pgxpool.NewWithConfig: %v", err)
	}
	t.Cleanup(pool.Close)
	return pool
}

// newSchema creates a schema with a random name, so that no test sees
// another's rows and tests may run beside other packages' on one server.
// The schema and everything in it are dropped when the test ends; suffix,
// if any, is appended to the name to test quoting.
func newSchema(t testing.TB, pool *pgxpool.Pool, suffix string) string {
	t.Helper()
	var b [8]byte
	rand.Read(b[:])
	name := "pgstore_test_" + hex.EncodeToString(b[:]) + suffix
	quoted := pgx.Identifier{name}.Sanitize()
	if _, err := pool.Exec(t.Context(), "CREATE SCHEMA "+quoted); err != nil {
		t.Fatalf("CREATE SCHEMA: %v", err)
	}
	t.Cleanup(func() {
		// t.Context is already canceled when cleanups run.
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if _, err := pool.Exec(ctx, "DROP SCHEMA "+quoted+" CASCADE"); err != nil {
			t.Errorf("DROP SCHEMA: %v", err)
		}
	})
	return name
}

// newTestStore returns a Store in a new schema of pool's database, closed
// when the test ends, before the schema is dropped. cfg.Schema, if empty,
// is set to the new schema.
func newTestStore(t testing.TB, pool *pgxpool.Pool, cfg Config) *Store {
	t.Helper()
	if cfg.Schema == "" {
		cfg.Schema = newSchema(t, pool, "")
	}
	s, err := New(t.Context(), pool, cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// fakeClock is a settable Config.Now, safe for concurrent use.
type fakeClock struct{ nanos atomic.Int64 }

func newFakeClock(now time.Time) *fakeClock {
	c := &fakeClock{}
	c.nanos.Store(now.UnixNano())
	return c
}

func (c *fakeClock) Now() time.Time          { return time.Unix(0, c.nanos.Load()) }
func (c *fakeClock) Advance(d time.Duration) { c.nanos.Add(int64(d)) }

// testRecord returns a record with a key derived from i, owned by a user
// derived from i, that expires at expiresAt.
func testRecord(i int, expiresAt time.Time) store.Record {
	return store.Record{
		Key:       sha256.Sum256(binary.AppendUvarint(nil, uint64(i))),
		UserID:    "user-" + string(rune('a'+i%26)),
		ExpiresAt: expiresAt,
		Version:   1,
		Data:      []byte("data"),
	}
}

// queryCounter is a pgx.QueryTracer that counts the statements sent.
type queryCounter struct{ n atomic.Int64 }

func (c *queryCounter) TraceQueryStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceQueryStartData) context.Context {
	c.n.Add(1)
	return ctx
}

func (c *queryCounter) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}

// rawCount returns how many rows s's table holds, expired ones included.
func rawCount(t testing.TB, pool *pgxpool.Pool, s *Store) int {
	t.Helper()
	var n int
	if err := pool.QueryRow(t.Context(), "SELECT count(*) FROM "+s.table).Scan(&n); err != nil {
		t.Fatalf("counting rows: %v", err)
	}
	return n
}

// inTable reports whether s's table holds a row under key, expired or not.
func inTable(t testing.TB, pool *pgxpool.Pool, s *Store, key store.Key) bool {
	t.Helper()
	var found bool
	err := pool.QueryRow(t.Context(), "SELECT EXISTS (SELECT FROM "+s.table+" WHERE key = $1)", key[:]).Scan(&found)
	if err != nil {
		t.Fatalf("looking for a row: %v", err)
	}
	return found
}
