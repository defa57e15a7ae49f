package storeurl

import (
	"context"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/sessiond/sessiond/internal/testenv"
	"github.com/sessiond/sessiond/store"
)

// exercise checks that a backend keeps sessions and accounts, and answers
// Ready.
func exercise(t *testing.T, b *Backend) {
	t.Helper()
	ctx := t.Context()
	if err := b.Ready(ctx); err != nil {
		t.Fatalf("Ready: %v", err)
	}
	rec := store.Record{UserID: "alice", ExpiresAt: time.Now().Add(time.Minute), Data: []byte("x")}
	binary.BigEndian.PutUint64(rec.Key[:], rand.Uint64()) // shared servers: never the same key twice
	if err := b.Sessions.Create(ctx, rec); err != nil {
		t.Fatalf("Create: %v", err)
	}
	t.Cleanup(func() { b.Sessions.Delete(context.Background(), rec.Key) })
	if _, err := b.Sessions.Get(ctx, rec.Key); err != nil {
		t.Fatalf("Get: %v", err)
	}
	if _, err := b.Accounts.Users(ctx); err != nil {
		t.Fatalf("Users: %v", err)
	}
}

func TestEmbedded(t *testing.T) {
	b, err := Open(t.Context(), "", t.TempDir(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	exercise(t, b)
	if b.Backup == nil {
		t.Fatal("the embedded store has no backup")
	}
}

func TestPostgres(t *testing.T) {
	dsn := testenv.NeedPostgres(t)
	schema := fmt.Sprintf("storeurl_%d", rand.Uint64())
	conn, err := pgx.Connect(t.Context(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(t.Context(), "CREATE SCHEMA "+schema); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Exec(context.Background(), "DROP SCHEMA "+schema+" CASCADE") })
	sep := "?"
	if strings.Contains(dsn, "?") {
		sep = "&"
	}
	b, err := Open(t.Context(), dsn+sep+"schema="+schema, t.TempDir(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	exercise(t, b)
	if strings.Contains(b.Describe, "password") {
		t.Fatalf("Describe leaks credentials: %s", b.Describe)
	}
}

func TestUnsupported(t *testing.T) {
	for _, raw := range []string{"mysql://x", "ftp://y", "::"} {
		if _, err := Open(t.Context(), raw, t.TempDir(), Options{}); err == nil {
			t.Errorf("Open(%q) succeeded", raw)
		}
	}
}

func TestRedis(t *testing.T) {
	tests := []struct {
		name string
		url  func(t *testing.T) string
	}{
		{"standalone", func(t *testing.T) string { return "redis://" + testenv.NeedRedis(t) + "/0" }},
		{"sentinel", func(t *testing.T) string {
			master, sentinels := testenv.StartRedisSentinel(t)
			return "redis+sentinel://" + strings.Join(sentinels, ",") + "/" + master + "?wait_replicas=1&wait_timeout=1s"
		}},
		{"cluster", func(t *testing.T) string {
			return "redis+cluster://" + strings.Join(testenv.StartRedisCluster(t), ",")
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b, err := Open(t.Context(), tc.url(t), t.TempDir(), Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer b.Close()
			exercise(t, b)
		})
	}
}

func TestRedisURLs(t *testing.T) {
	tests := []struct {
		raw, redacted string
		hosts         []string
		path          string
	}{
		{"redis+sentinel://h1:26379,h2:26379/mymaster", "redis+sentinel://h1:26379,h2:26379/mymaster", []string{"h1:26379", "h2:26379"}, "mymaster"},
		{"redis+cluster://:s3cret@a:7000,b:7001", "redis+cluster://:xxxxx@a:7000,b:7001", []string{"a:7000", "b:7001"}, ""},
		{"redis+sentinel://u:p%40ss@h:1/m?db=2", "redis+sentinel://u:xxxxx@h:1/m?db=2", []string{"h:1"}, "m"},
	}
	for _, tc := range tests {
		if got := redacted(tc.raw); got != tc.redacted {
			t.Errorf("redacted(%q) = %q, want %q", tc.raw, got, tc.redacted)
		}
		_, _, hosts, path, err := splitMultiHost(tc.raw)
		if err != nil || strings.Join(hosts, ",") != strings.Join(tc.hosts, ",") || path != tc.path {
			t.Errorf("splitMultiHost(%q) = %v %q %v", tc.raw, hosts, path, err)
		}
	}
	for _, bad := range []string{"redis+sentinel://h:1", "redis+cluster://", "redis://h:1/0?wait_replicas=x", "redis://h:1?wait_timeout=-1s"} {
		if _, err := Open(t.Context(), bad, t.TempDir(), Options{}); err == nil {
			t.Errorf("Open(%q) succeeded", bad)
		} else if strings.Contains(err.Error(), "s3cret") {
			t.Errorf("Open(%q) error leaks the password: %v", bad, err)
		}
	}
}
