package redisstore

import (
	"context"
	"crypto/rand"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/sessiond/sessiond/internal/testenv"
	"github.com/sessiond/sessiond/store"
	"github.com/sessiond/sessiond/store/storetest"
)

// TestStore runs the conformance suite against the Redis server that
// testenv.NeedRedis finds, shared with other tests: each subtest uses a
// prefix of its own and deletes its keys afterwards.
func TestStore(t *testing.T) {
	client := standaloneClient(t)
	storetest.Run(t, factory(client, Config{}))
}

// TestStoreSentinel starts a master, a replica and three sentinels, runs
// the conformance suite through a failover client with every write waiting
// for the replica, and then kills the master (see testFailover).
func TestStoreSentinel(t *testing.T) {
	name, sentinels := testenv.StartRedisSentinel(t)
	client := sentinelClient(t, name, sentinels)
	cfg := Config{WaitReplicas: 1}
	t.Run("conformance", func(t *testing.T) {
		storetest.Run(t, factory(client, cfg))
	})
	t.Run("get_costs_one_round_trip", func(t *testing.T) {
		testGetRoundTrips(t, client)
	})
	t.Run("acknowledged_writes_are_on_the_replica", func(t *testing.T) {
		testWaitReachesReplica(t, client, name, sentinels)
	})
	// Last: it kills the master.
	t.Run("acknowledged_logins_survive_a_master_kill", func(t *testing.T) {
		testFailover(t, name, sentinels)
	})
}

// TestStoreCluster starts a Redis Cluster of three masters with a replica
// each and runs the conformance suite through a cluster client, with every
// write waiting for its master's replica: records and user indexes land in
// different slots on different masters.
func TestStoreCluster(t *testing.T) {
	addrs := testenv.StartRedisCluster(t)
	client := redis.NewUniversalClient(&redis.UniversalOptions{Addrs: addrs})
	t.Cleanup(func() { client.Close() })
	if _, ok := client.(*redis.ClusterClient); !ok {
		t.Fatalf("NewUniversalClient with %d addresses = %T, want a cluster client", len(addrs), client)
	}
	t.Run("conformance", func(t *testing.T) {
		storetest.Run(t, factory(client, Config{WaitReplicas: 1}))
	})
	t.Run("get_costs_one_round_trip", func(t *testing.T) {
		testGetRoundTrips(t, client)
	})
	t.Run("records_and_indexes_spread_over_every_master", func(t *testing.T) {
		testSpread(t, client)
	})
	t.Run("writes_survive_a_flushed_script_cache", func(t *testing.T) {
		testScriptsReload(t, client)
	})
}

// standaloneClient returns a client of the shared test server, closed when
// t ends.
func standaloneClient(t testing.TB) redis.UniversalClient {
	t.Helper()
	client := redis.NewUniversalClient(&redis.UniversalOptions{Addrs: []string{testenv.NeedRedis(t)}})
	t.Cleanup(func() { client.Close() })
	return client
}

// sentinelClient returns a failover client of the master that sentinels
// watch under name, closed when t ends.
func sentinelClient(t testing.TB, name string, sentinels []string) redis.UniversalClient {
	t.Helper()
	client := redis.NewUniversalClient(&redis.UniversalOptions{MasterName: name, Addrs: sentinels})
	t.Cleanup(func() { client.Close() })
	return client
}

// factory returns a storetest.Factory of Stores on client configured by
// cfg, each under a prefix of its own whose keys are deleted when its
// subtest ends.
func factory(client redis.UniversalClient, cfg Config) storetest.Factory {
	return func(t *testing.T, now func() time.Time) store.Store {
		return newTestStore(t, client, cfg, now)
	}
}

// newTestStore returns a Store on client under a fresh prefix, closed, and
// its keys deleted, when t ends. A nil now means time.Now.
func newTestStore(t testing.TB, client redis.UniversalClient, cfg Config, now func() time.Time) *Store {
	t.Helper()
	cfg.Prefix, cfg.Now = testPrefix(), now
	s, err := New(client, cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() {
		s.Close()
		checkIndexes(t, client, s)
		deleteKeys(t, client, cfg.Prefix)
	})
	return s
}

// checkIndexes checks, on the raw keys, the invariant that ordering the
// writes keeps (see the package documentation): every live record with an
// owner is in that owner's index with a score at least its expiry, so
// DeleteUser reaches it; and every record key has a TTL. storetest checks
// only that what is listed resolves; this checks that nothing is missing.
// It runs in t.Cleanup, after t's context has ended.
func checkIndexes(t testing.TB, client redis.UniversalClient, s *Store) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	now := s.now()
	check := func(ctx context.Context, node redis.Cmdable) error {
		iter := node.Scan(ctx, 0, s.pattern, 1000).Iterator()
		for iter.Next(ctx) {
			key, ok := s.keys.parseRecordKey(iter.Val())
			if !ok {
				continue
			}
			val, err := client.Get(ctx, iter.Val()).Result()
			if err == redis.Nil {
				continue // expired or deleted since SCAN saw it
			}
			if err != nil {
				return err
			}
			if ttl, err := client.PTTL(ctx, iter.Val()).Result(); err != nil || ttl < 0 {
				t.Errorf("index check: a record key has no TTL (%v, %v)", ttl, err)
			}
			rec, err := decodeRecord(key, val)
			if err != nil {
				t.Errorf("index check: %v", err)
				continue
			}
			if rec.UserID == "" || rec.Expired(now) {
				continue
			}
			score, err := client.ZScore(ctx, s.keys.indexKey(rec.UserID), member(key)).Result()
			switch {
			case err == redis.Nil:
				t.Errorf("index check: a live record of %q is missing from its index: DeleteUser would miss it", rec.UserID)
			case err != nil:
				return err
			case int64(score) < ceilMillis(rec.ExpiresAt):
				t.Errorf("index check: a record of %q has score %v, below its expiry %d", rec.UserID, score, ceilMillis(rec.ExpiresAt))
			}
		}
		return iter.Err()
	}
	var err error
	if cluster, ok := client.(*redis.ClusterClient); ok {
		err = cluster.ForEachMaster(ctx, func(ctx context.Context, node *redis.Client) error { return check(ctx, node) })
	} else {
		err = check(ctx, client)
	}
	if err != nil {
		t.Errorf("index check: %v", err)
	}
}

// testPrefix returns a prefix no other test uses.
func testPrefix() string {
	return "sessiondtest:" + rand.Text() + ":"
}

// deleteKeys deletes every key under prefix, on every master of a Cluster.
// It runs in t.Cleanup, after t's context has ended.
func deleteKeys(t testing.TB, client redis.UniversalClient, prefix string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	del := func(ctx context.Context, node redis.Cmdable) error {
		iter := node.Scan(ctx, 0, globEscape(prefix)+"*", 1000).Iterator()
		for iter.Next(ctx) {
			// One key per command: keys of one page may sit in many slots.
			if err := client.Unlink(ctx, iter.Val()).Err(); err != nil {
				return err
			}
		}
		return iter.Err()
	}
	var err error
	if cluster, ok := client.(*redis.ClusterClient); ok {
		err = cluster.ForEachMaster(ctx, func(ctx context.Context, node *redis.Client) error { return del(ctx, node) })
	} else {
		err = del(ctx, client)
	}
	if err != nil {
		t.Errorf("deleting the keys under %s: %v", prefix, err)
	}
}

// roundTrips counts the round trips a client makes for contexts that
// carry a counter (see countRoundTrips): each command and each pipeline
// sent is one.
type roundTrips struct{}

type counterKey struct{}

func (roundTrips) DialHook(next redis.DialHook) redis.DialHook { return next }

func (roundTrips) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		count(ctx)
		return next(ctx, cmd)
	}
}

func (roundTrips) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		count(ctx)
		return next(ctx, cmds)
	}
}

func count(ctx context.Context) {
	if c, ok := ctx.Value(counterKey{}).(*counter); ok {
		c.mu.Lock()
		c.n++
		c.mu.Unlock()
	}
}

type counter struct {
	mu sync.Mutex
	n  int
}

// countRoundTrips returns a context under which the hook installed by
// installRoundTrips counts, and a function that reports the count.
func countRoundTrips(ctx context.Context) (context.Context, func() int) {
	c := &counter{}
	return context.WithValue(ctx, counterKey{}, c), func() int {
		c.mu.Lock()
		defer c.mu.Unlock()
		return c.n
	}
}

var hooked sync.Map // redis.UniversalClient → true

// installRoundTrips adds the counting hook to client once.
func installRoundTrips(client redis.UniversalClient) {
	if _, loaded := hooked.LoadOrStore(client, true); !loaded {
		client.AddHook(roundTrips{})
	}
}

// testRecord returns a record of user, expiring an hour after now, with
// data of n bytes.
func testRecord(user string, now time.Time, n int) store.Record {
	var key store.Key
	rand.Read(key[:])
	data := make([]byte, n)
	rand.Read(data)
	return store.Record{Key: key, UserID: user, ExpiresAt: now.Add(time.Hour), Version: 1, Data: data}
}
