package boltaccount

import (
	"bytes"
	"crypto/sha256"
	"maps"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/sessiond/sessiond/internal/account"
	"github.com/sessiond/sessiond/store"
	"github.com/sessiond/sessiond/store/boltstore"
)

// TestSharesFileWithSessionStore proves the accounts and the session store
// live side by side in one file, whichever starts first: neither refuses
// the other's buckets, and nothing the account store does (writes, sweeps)
// changes a byte of the session buckets.
func TestSharesFileWithSessionStore(t *testing.T) {
	tests := []struct {
		name          string
		accountsFirst bool
	}{
		{"sessions_then_accounts", false},
		{"accounts_then_sessions", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx := t.Context()
			db, _ := tempDB(t)
			var accounts *Store
			if tc.accountsFirst {
				accounts = mustNew(t, db, Config{SweepEvery: -1})
			}
			sessions, err := boltstore.New(db, boltstore.Config{SweepEvery: -1})
			if err != nil {
				t.Fatalf("boltstore.New: %v", err)
			}
			t.Cleanup(func() { sessions.Close() })
			if !tc.accountsFirst {
				accounts = mustNew(t, db, Config{SweepEvery: -1})
			}

			rec := store.Record{Key: sha256.Sum256([]byte("token")), UserID: "alice", ExpiresAt: time.Now().Add(time.Hour), Data: []byte("data")}
			if err := sessions.Create(ctx, rec); err != nil {
				t.Fatalf("sessions.Create: %v", err)
			}
			before := otherBuckets(t, db)
			if len(before) == 0 {
				t.Fatal("the session store wrote nothing to the file")
			}

			if err := accounts.CreateUser(ctx, account.User{Name: "alice", PasswordHash: "h"}); err != nil {
				t.Fatalf("CreateUser: %v", err)
			}
			past := time.Now().Add(-48 * time.Hour)
			if _, err := accounts.AddFailure(ctx, "user:alice", past, time.Hour); err != nil {
				t.Fatalf("AddFailure: %v", err)
			}
			if n, err := accounts.Sweep(ctx); err != nil || n != 1 {
				t.Fatalf("accounts.Sweep = %d, %v, want 1 entry removed", n, err)
			}
			if after := otherBuckets(t, db); !maps.Equal(before, after) {
				t.Fatalf("the account store changed the session buckets:\nbefore %q\nafter  %q", before, after)
			}

			if _, err := sessions.Sweep(ctx); err != nil {
				t.Fatalf("sessions.Sweep: %v", err)
			}
			if got, err := sessions.Get(ctx, rec.Key); err != nil || !bytes.Equal(got.Data, rec.Data) {
				t.Fatalf("sessions.Get = %v, want the session", err)
			}
			if _, err := accounts.User(ctx, "alice"); err != nil {
				t.Fatalf("after the session sweep, User = %v, want alice", err)
			}
		})
	}
}

// otherBuckets returns every key and value of the file outside the account
// store's buckets, as "bucket/key" → value.
func otherBuckets(t *testing.T, db *bolt.DB) map[string]string {
	t.Helper()
	all := map[string]string{}
	err := db.View(func(tx *bolt.Tx) error {
		return tx.ForEach(func(name []byte, b *bolt.Bucket) error {
			if bytes.Equal(name, usersBucket) || bytes.Equal(name, failuresBucket) {
				return nil
			}
			return b.ForEach(func(k, v []byte) error {
				all[string(name)+"/"+string(k)] = string(v)
				return nil
			})
		})
	})
	if err != nil {
		t.Fatalf("reading the file: %v", err)
	}
	return all
}
