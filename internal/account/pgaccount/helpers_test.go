package pgaccount

import (
	"context"
	"crypto/rand"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/sessiond/sessiond/internal/testenv"
)

// testPool returns a pool on the test database (see
// testenv.NeedPostgres), closed when the test ends.
func testPool(t testing.TB) *pgxpool.Pool {
	t.Helper()
	pool, err := pgxpool.New(t.Context(), testenv.NeedPostgres(t))
	if err != nil {
		t.Fatalf("pgxpool.New: %v", err)
	}
	t.Cleanup(pool.Close)
	return pool
}

// freshSchema returns the name of a schema no other test uses, and drops
// it with everything in it when the test ends. The server is shared: tests
// never touch another schema. The name has upper case, which only quoting
// keeps, so a query that forgets to quote it fails.
func freshSchema(t testing.TB, pool *pgxpool.Pool) string {
	t.Helper()
	schema := "accountTest_" + strings.ToLower(rand.Text())
	t.Cleanup(func() {
		// t.Context is already canceled when cleanups run.
		_, err := pool.Exec(context.Background(), `DROP SCHEMA IF EXISTS `+pgx.Identifier{schema}.Sanitize()+` CASCADE`)
		if err != nil {
			t.Errorf("dropping schema %s: %v", schema, err)
		}
	})
	return schema
}

// mustNew returns a Store on pool, closed when the test ends.
func mustNew(t testing.TB, pool *pgxpool.Pool, cfg Config) *Store {
	t.Helper()
	s, err := New(t.Context(), pool, cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// freshStore returns a Store on pool in a schema of its own.
func freshStore(t testing.TB, pool *pgxpool.Pool, cfg Config) *Store {
	t.Helper()
	cfg.Schema = freshSchema(t, pool)
	return mustNew(t, pool, cfg)
}

// countRows returns the number of rows of table in schema.
func countRows(t testing.TB, pool *pgxpool.Pool, schema, table string) int {
	t.Helper()
	var n int
	err := pool.QueryRow(t.Context(), `SELECT count(*) FROM `+pgx.Identifier{schema, table}.Sanitize()).Scan(&n)
	if err != nil {
		t.Fatalf("counting %s.%s: %v", schema, table, err)
	}
	return n
}

// fakeClock is a clock for Config.Now that moves only when told to.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}
