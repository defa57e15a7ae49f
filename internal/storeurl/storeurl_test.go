package storeurl

import (
	"context"
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
	rec := store.Record{Key: store.Key{9, 9}, UserID: "alice", ExpiresAt: time.Now().Add(time.Hour), Data: []byte("x")}
	if err := b.Sessions.Create(ctx, rec); err != nil {
		t.Fatalf("Create: %v", err)
	}
	if _, err := b.Sessions.Get(ctx, rec.Key); err != nil {
		t.Fatalf("Get: %v", err)
	}
	if users, err := b.Accounts.Users(ctx); err != nil || len(users) != 0 {
		t.Fatalf("Users = %v, %v; want none", users, err)
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
