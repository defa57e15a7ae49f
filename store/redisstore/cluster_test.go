package redisstore

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/sessiond/sessiond/store"
)

// testSpread proves that the key layout shards: records and user indexes
// land on every master of the Cluster, and a user's records on other
// masters than its index, while every operation still works.
func testSpread(t *testing.T, client redis.UniversalClient) {
	ctx := t.Context()
	cluster := client.(*redis.ClusterClient)
	s := newTestStore(t, client, Config{}, nil)
	const users, perUser = 20, 3
	for i := range users * perUser {
		if err := s.Create(ctx, testRecord(fmt.Sprintf("user%d", i%users), time.Now(), 16)); err != nil {
			t.Fatalf("Create: %v", err)
		}
	}
	var (
		mu     sync.Mutex
		counts []string
	)
	err := cluster.ForEachMaster(ctx, func(ctx context.Context, node *redis.Client) error {
		var records, indexes int
		iter := node.Scan(ctx, 0, globEscape(s.keys.prefix)+"*", 1000).Iterator()
		for iter.Next(ctx) {
			switch {
			case strings.HasPrefix(iter.Val(), s.keys.record):
				records++
			case strings.HasPrefix(iter.Val(), s.keys.index):
				indexes++
			}
		}
		mu.Lock()
		defer mu.Unlock()
		counts = append(counts, fmt.Sprintf("%d records, %d indexes", records, indexes))
		if records == 0 || indexes == 0 {
			return fmt.Errorf("master %s holds %d records and %d indexes, want some of each", node.Options().Addr, records, indexes)
		}
		return iter.Err()
	})
	if err != nil {
		t.Fatalf("%v (all masters: %v)", err, counts)
	}
	for i := range users {
		user := fmt.Sprintf("user%d", i)
		if got, err := s.ListUser(ctx, user); err != nil || len(got) != perUser {
			t.Fatalf("ListUser(%s) = %d records, %v, want %d", user, len(got), err, perUser)
		}
	}
}

// testScriptsReload flushes the script cache of every master, as a restart
// or a failover does, and checks that writes, which run scripts by digest,
// fall back to sending the source and still wait for each master's replica.
func testScriptsReload(t *testing.T, client redis.UniversalClient) {
	ctx := t.Context()
	cluster := client.(*redis.ClusterClient)
	s := newTestStore(t, client, Config{WaitReplicas: 1}, nil)
	err := cluster.ForEachMaster(ctx, func(ctx context.Context, node *redis.Client) error {
		return node.ScriptFlush(ctx).Err()
	})
	if err != nil {
		t.Fatalf("SCRIPT FLUSH: %v", err)
	}
	const n = 10
	for i := range n {
		rec := testRecord("alice", time.Now(), 16)
		if err := s.Create(ctx, rec); err != nil {
			t.Fatalf("Create %d after SCRIPT FLUSH: %v", i, err)
		}
		rec.Version = 2
		if err := s.Update(ctx, rec); err != nil {
			t.Fatalf("Update %d after SCRIPT FLUSH: %v", i, err)
		}
	}
	if got, err := s.DeleteUser(ctx, "alice", store.Key{}); err != nil || got != n {
		t.Fatalf("DeleteUser = %d, %v, want %d", got, err, n)
	}
}
