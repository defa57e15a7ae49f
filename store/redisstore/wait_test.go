package redisstore

import (
	"context"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/sessiond/sessiond/store"
)

// TestWaitWithoutReplicasFailsClosed proves that with WaitReplicas set,
// every write that no replica acknowledges fails with ErrNotReplicated,
// which never reads as "no session", after WaitTimeout rather than
// hanging. The shared test server has no replica to acknowledge anything.
func TestWaitWithoutReplicasFailsClosed(t *testing.T) {
	ctx := t.Context()
	client := standaloneClient(t)
	if info, err := client.Info(ctx, "replication").Result(); err != nil || !strings.Contains(info, "connected_slaves:0") {
		t.Fatalf("this test needs a Redis server without replicas (REDIS_URL or 127.0.0.1:6379); INFO replication: %q, %v", info, err)
	}
	const timeout = 20 * time.Millisecond
	s := newTestStore(t, client, Config{WaitReplicas: 1, WaitTimeout: timeout}, nil)
	rec := testRecord("alice", time.Now(), 16)
	next := rec
	next.Version = 2
	tests := []struct {
		name  string
		write func() error
	}{
		{"create", func() error { return s.Create(ctx, rec) }},
		{"update", func() error { return s.Update(ctx, next) }},
		{"delete_user", func() error { _, err := s.DeleteUser(ctx, "alice", store.Key{}); return err }},
		{"delete", func() error { return s.Delete(ctx, rec.Key) }},
	}
	for _, tc := range tests {
		start := time.Now()
		err := tc.write()
		if !errors.Is(err, ErrNotReplicated) || errors.Is(err, store.ErrNotFound) {
			t.Errorf("%s without replicas = %v, want ErrNotReplicated, not ErrNotFound", tc.name, err)
		}
		if took := time.Since(start); took > 4*timeout+time.Second {
			t.Errorf("%s took %v with a WaitTimeout of %v", tc.name, took, timeout)
		}
	}
}

// testWaitReachesReplica proves that a write acknowledged with WaitReplicas
// is on the replica when it returns, with no polling.
func testWaitReachesReplica(t *testing.T, client redis.UniversalClient, name string, sentinels []string) {
	ctx := t.Context()
	s := newTestStore(t, client, Config{WaitReplicas: 1}, nil)
	replica := replicaClient(t, name, sentinels)
	rec := testRecord("alice", time.Now(), 64)
	if err := s.Create(ctx, rec); err != nil {
		t.Fatalf("Create: %v", err)
	}
	if n, err := replica.Exists(ctx, s.keys.recordKey(rec.Key), s.keys.indexKey("alice")).Result(); err != nil || n != 2 {
		t.Fatalf("after Create the replica has %d of the record and its index (%v), want both", n, err)
	}
	if err := s.Delete(ctx, rec.Key); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	if n, err := replica.Exists(ctx, s.keys.recordKey(rec.Key)).Result(); err != nil || n != 0 {
		t.Fatalf("after Delete the replica still has the record (%d, %v)", n, err)
	}
}

// replicaClient returns a client of the first replica that the sentinels
// report for name, closed when t ends.
func replicaClient(t *testing.T, name string, sentinels []string) *redis.Client {
	t.Helper()
	sentinel := redis.NewSentinelClient(&redis.Options{Addr: sentinels[0]})
	defer sentinel.Close()
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	replicas, err := sentinel.Replicas(ctx, name).Result()
	if err != nil || len(replicas) == 0 {
		t.Fatalf("SENTINEL REPLICAS = %v, %v", replicas, err)
	}
	client := redis.NewClient(&redis.Options{Addr: net.JoinHostPort(replicas[0]["ip"], replicas[0]["port"])})
	t.Cleanup(func() { client.Close() })
	return client
}
