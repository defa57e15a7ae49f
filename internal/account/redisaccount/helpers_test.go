package redisaccount

import (
	"context"
	"crypto/rand"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/sessiond/sessiond/internal/testenv"
)

// testClient returns a client of the test Redis (see testenv.NeedRedis),
// closed when the test ends.
func testClient(t testing.TB) *redis.Client {
	t.Helper()
	c := redis.NewClient(&redis.Options{Addr: testenv.NeedRedis(t)})
	t.Cleanup(func() { c.Close() })
	return c
}

// freshPrefix returns a key prefix no other test uses, and deletes every
// key under it when the test ends. The Redis server is shared: tests
// never flush it.
func freshPrefix(t testing.TB, c *redis.Client) string {
	t.Helper()
	prefix := "sessiond-test:" + rand.Text() + ":" // base32: no glob characters
	t.Cleanup(func() {
		// t.Context is already canceled when cleanups run.
		ctx := context.Background()
		keys, err := scanKeys(ctx, c, prefix)
		if err == nil && len(keys) > 0 {
			err = c.Del(ctx, keys...).Err()
		}
		if err != nil {
			t.Errorf("deleting the keys under %s: %v", prefix, err)
		}
	})
	return prefix
}

// mustNew returns a Store on c, closed when the test ends.
func mustNew(t testing.TB, c redis.UniversalClient, cfg Config) *Store {
	t.Helper()
	s, err := New(c, cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// freshStore returns a Store on c under a prefix of its own.
func freshStore(t testing.TB, c *redis.Client, cfg Config) *Store {
	t.Helper()
	cfg.Prefix = freshPrefix(t, c)
	return mustNew(t, c, cfg)
}

// keysUnder returns every key under prefix.
func keysUnder(t testing.TB, c *redis.Client, prefix string) []string {
	t.Helper()
	keys, err := scanKeys(t.Context(), c, prefix)
	if err != nil {
		t.Fatalf("listing the keys under %s: %v", prefix, err)
	}
	return keys
}

// scanKeys lists the keys under prefix with SCAN, which unlike KEYS does
// not block the shared server.
func scanKeys(ctx context.Context, c *redis.Client, prefix string) ([]string, error) {
	var keys []string
	iter := c.Scan(ctx, 0, prefix+"*", 1000).Iterator()
	for iter.Next(ctx) {
		keys = append(keys, iter.Val())
	}
	return keys, iter.Err()
}
