package redisstore

import (
	"errors"
	"testing"
	"time"

	"github.com/sessiond/sessiond/store"
)

// TestCorruptRecordFailsClosed puts values this package did not write
// under a record key, also in a user's index, and checks that no method
// reads them as "no session", in Go or in the scripts, and that Delete and
// DeleteUser still remove them.
func TestCorruptRecordFailsClosed(t *testing.T) {
	values := []struct {
		name string
		val  string
	}{
		{"empty", ""},
		{"text", "not a record"},
		{"user_longer_than_the_value", "\x01\x00\x00\x00\x00\x00\x00\x00\x01" + "\x80\x00\x00\x00\x00\x00\x00\x00" + "\xff\xff\xff\xff"},
	}
	for _, v := range values {
		t.Run(v.name, func(t *testing.T) {
			ctx := t.Context()
			client := standaloneClient(t)
			s := newTestStore(t, client, Config{}, nil)
			rec := testRecord("alice", time.Now(), 16)
			if err := s.Create(ctx, rec); err != nil {
				t.Fatalf("Create: %v", err)
			}
			if err := client.Set(ctx, s.keys.recordKey(rec.Key), v.val, time.Hour).Err(); err != nil {
				t.Fatalf("SET: %v", err)
			}
			next := rec
			next.Version = 2
			checks := map[string]error{}
			_, checks["Get"] = s.Get(ctx, rec.Key)
			checks["Create"] = s.Create(ctx, rec)
			checks["Update"] = s.Update(ctx, next)
			_, checks["ListUser"] = s.ListUser(ctx, "alice")
			for method, err := range checks {
				if !errors.Is(err, ErrCorrupt) || errors.Is(err, store.ErrNotFound) {
					t.Errorf("%s of a corrupt record = %v, want ErrCorrupt", method, err)
				}
			}
			if n, err := s.DeleteUser(ctx, "alice", store.Key{}); err != nil || n != 0 {
				t.Errorf("DeleteUser = %d, %v, want 0, nil (the damaged record removed, not counted)", n, err)
			}
			if _, err := s.Get(ctx, rec.Key); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("Get after DeleteUser = %v, want ErrNotFound", err)
			}
			client.Set(ctx, s.keys.recordKey(rec.Key), v.val, time.Hour)
			if err := s.Delete(ctx, rec.Key); err != nil {
				t.Errorf("Delete of a corrupt record = %v, want nil", err)
			}
			if _, err := s.Get(ctx, rec.Key); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("Get after Delete = %v, want ErrNotFound", err)
			}
		})
	}
}
