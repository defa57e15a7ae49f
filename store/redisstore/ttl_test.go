package redisstore

import (
	"testing"
	"time"
)

// TestKeysExpireWithTheirRecords proves that Redis collects what the Store
// leaves behind by itself: a record key lives until its ExpiresAt, a user
// index until the latest expiry among its records plus indexSlack, and a
// record that is already expired is not stored at all. The clock is
// injected but set to the real time, so the TTLs Redis reports can be
// compared with it.
func TestKeysExpireWithTheirRecords(t *testing.T) {
	ctx := t.Context()
	client := standaloneClient(t)
	now := time.Now()
	s := newTestStore(t, client, Config{}, func() time.Time { return now })

	// wantTTL checks that key expires within a second before want from now
	// (or a millisecond after: TTLs are rounded up to whole milliseconds).
	wantTTL := func(t *testing.T, key string, want time.Duration) {
		t.Helper()
		got, err := client.PTTL(ctx, key).Result()
		if err != nil {
			t.Fatalf("PTTL: %v", err)
		}
		if got > want+time.Millisecond || got < want-time.Second {
			t.Fatalf("PTTL = %v, want about %v", got, want)
		}
	}
	wantGone := func(t *testing.T, key string) {
		t.Helper()
		if n, err := client.Exists(ctx, key).Result(); err != nil || n != 0 {
			t.Fatalf("EXISTS = %d, %v, want the key gone", n, err)
		}
	}

	short := testRecord("alice", now, 16)
	if err := s.Create(ctx, short); err != nil {
		t.Fatalf("Create: %v", err)
	}
	wantTTL(t, s.keys.recordKey(short.Key), time.Hour)
	wantTTL(t, s.keys.indexKey("alice"), time.Hour+indexSlack)

	long := testRecord("alice", now, 16)
	long.ExpiresAt = now.Add(3 * time.Hour)
	if err := s.Create(ctx, long); err != nil {
		t.Fatalf("Create: %v", err)
	}
	wantTTL(t, s.keys.recordKey(long.Key), 3*time.Hour)
	wantTTL(t, s.keys.indexKey("alice"), 3*time.Hour+indexSlack) // pushed to the latest expiry

	short.Version, short.ExpiresAt = 2, now.Add(30*time.Minute)
	if err := s.Update(ctx, short); err != nil {
		t.Fatalf("Update: %v", err)
	}
	wantTTL(t, s.keys.recordKey(short.Key), 30*time.Minute) // follows a shortened expiry
	wantTTL(t, s.keys.indexKey("alice"), 3*time.Hour+indexSlack)

	dead := testRecord("bob", now, 16)
	dead.ExpiresAt = now.Add(-time.Second)
	if err := s.Create(ctx, dead); err != nil {
		t.Fatalf("Create of an expired record: %v", err)
	}
	wantGone(t, s.keys.recordKey(dead.Key))
	wantGone(t, s.keys.indexKey("bob"))

	long.Version, long.ExpiresAt = 2, now
	if err := s.Update(ctx, long); err != nil {
		t.Fatalf("Update to an expiry at Now: %v", err)
	}
	wantGone(t, s.keys.recordKey(long.Key))
}
