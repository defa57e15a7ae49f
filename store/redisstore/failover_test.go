package redisstore

import (
	"context"
	"errors"
	"fmt"
	"net"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/sessiond/sessiond/internal/testenv"
	"github.com/sessiond/sessiond/store"
)

// testFailover kills the master with SIGKILL after writes that the replica
// acknowledged, and checks that the Store fails closed while no master
// answers (an error that is never ErrNotFound: a revoked or unknown session
// must not read as an anonymous one, nor a live one as gone), recovers by
// itself once Sentinel has promoted the replica, and has lost none of the
// acknowledged records.
func testFailover(t *testing.T, name string, sentinels []string) {
	ctx := t.Context()
	// No retries, so that a call during the outage fails at once instead
	// of outliving it.
	client := redis.NewFailoverClient(&redis.FailoverOptions{MasterName: name, SentinelAddrs: sentinels, MaxRetries: -1})
	t.Cleanup(func() { client.Close() })
	s := newTestStore(t, client, Config{WaitReplicas: 1}, nil)

	var acked []store.Record
	for i := range 20 {
		rec := testRecord(fmt.Sprintf("user%d", i%4), time.Now(), 256)
		if err := s.Create(ctx, rec); err != nil {
			t.Fatalf("Create %d: %v", i, err)
		}
		acked = append(acked, rec)
	}

	sentinel := redis.NewSentinelClient(&redis.Options{Addr: sentinels[0]})
	t.Cleanup(func() { sentinel.Close() })
	oldMaster := masterAddr(t, sentinel, name)
	testenv.KillRedis(t, oldMaster)
	killed := time.Now()

	// 1. While no master answers, reads fail closed.
	getCtx, cancel := context.WithTimeout(ctx, 2*time.Second)
	_, err := s.Get(getCtx, acked[0].Key)
	cancel()
	if err == nil || errors.Is(err, store.ErrNotFound) {
		t.Fatalf("Get with the master down = %v, want an error that is not ErrNotFound", err)
	}

	// 2. The failover client finds the promoted replica by itself.
	deadline := time.NewTimer(30 * time.Second)
	defer deadline.Stop()
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		getCtx, cancel := context.WithTimeout(ctx, time.Second)
		_, err := s.Get(getCtx, acked[0].Key)
		cancel()
		if err == nil {
			break
		}
		if errors.Is(err, store.ErrNotFound) {
			t.Fatalf("Get during the failover = %v: an acknowledged login read as gone", err)
		}
		select {
		case <-deadline.C:
			t.Fatalf("no master 30s after the kill (last error: %v)", err)
		case <-tick.C:
		}
	}
	t.Logf("reads recovered %v after the master was killed", time.Since(killed).Round(time.Millisecond))
	// The sentinel asked may learn of the promotion a little after the one
	// that led it, and after the client.
	waitFor(t, 10*time.Second, "the sentinel to report the promoted replica", func() bool {
		return masterAddr(t, sentinel, name) != oldMaster
	})

	// 3. Every acknowledged record is there, and listed under its user.
	for i, rec := range acked {
		got, err := s.Get(ctx, rec.Key)
		if err != nil || got.Version != 1 || got.UserID != rec.UserID || string(got.Data) != string(rec.Data) {
			t.Errorf("acknowledged record %d after the failover: %+v, %v", i, got, err)
		}
	}
	for i := range 4 {
		user := fmt.Sprintf("user%d", i)
		if got, err := s.ListUser(ctx, user); err != nil || len(got) != 5 {
			t.Errorf("ListUser(%s) after the failover = %d records, %v, want 5", user, len(got), err)
		}
	}
}

// masterAddr returns the master address that the sentinel reports.
func masterAddr(t *testing.T, sentinel *redis.SentinelClient, name string) string {
	t.Helper()
	hostPort, err := sentinel.GetMasterAddrByName(t.Context(), name).Result()
	if err != nil || len(hostPort) != 2 {
		t.Fatalf("SENTINEL GET-MASTER-ADDR-BY-NAME = %v, %v", hostPort, err)
	}
	return net.JoinHostPort(hostPort[0], hostPort[1])
}

// waitFor polls cond until it holds, failing t with what after timeout.
func waitFor(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		select {
		case <-deadline.C:
			t.Fatalf("waited %v for %s", timeout, what)
		case <-tick.C:
		}
	}
}
