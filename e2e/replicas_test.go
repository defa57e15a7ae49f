package e2e

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/sessiond/sessiond/internal/testenv"
)

// TestTwoReplicasShareRedis runs two sessiond processes on one Redis: a
// session created through one is valid through the other, and a logout
// through the other is seen by the first on its next request.
func TestTwoReplicasShareRedis(t *testing.T) {
	addr := testenv.NeedRedis(t)
	prefix := fmt.Sprintf("sessiond-e2e-%x:", rand.Uint64())
	t.Cleanup(func() { deleteKeys(t, addr, prefix) })
	store := "redis://" + addr + "/0?prefix=" + prefix

	a := startSessiond(t, "--store", store)
	b := startSessiond(t, "--store", store)
	if a.Password == "" {
		t.Fatal("the first replica did not create admin")
	}

	alice := newClient(t, a.URL)
	alice.login("admin", a.Password, "")
	token := alice.cookie()
	if got := whoamiStatus(t, b.URL, token); got != http.StatusOK {
		t.Fatalf("a session made through replica A, asked through B: %d, want 200", got)
	}
	viaB := newClient(t, b.URL)
	viaB.http.Jar = alice.http.Jar // the same browser, reaching the other replica
	viaB.logout()
	if got := whoamiStatus(t, a.URL, token); got != http.StatusUnauthorized {
		t.Fatalf("after logout through B, replica A answers %d for the old cookie, want 401", got)
	}
}

// deleteKeys removes what a test left under prefix on the shared server.
func deleteKeys(t *testing.T, addr, prefix string) {
	c := redis.NewClient(&redis.Options{Addr: addr})
	defer c.Close()
	ctx := context.Background()
	iter := c.Scan(ctx, 0, prefix+"*", 1000).Iterator()
	for iter.Next(ctx) {
		c.Del(ctx, iter.Val())
	}
	if err := iter.Err(); err != nil {
		t.Logf("cleaning up %s*: %v", prefix, err)
	}
}
