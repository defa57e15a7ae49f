package redisstore

import (
	"context"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/sessiond/sessiond/store"
)

// TestGetCostsOneRoundTrip proves that loading a session, which every
// request with a cookie does, is a single round trip to the server.
func TestGetCostsOneRoundTrip(t *testing.T) {
	testGetRoundTrips(t, standaloneClient(t))
}

// testGetRoundTrips counts the round trips of Get of a live record on
// client with a hook: exactly one.
func testGetRoundTrips(t *testing.T, client redis.UniversalClient) {
	installRoundTrips(client)
	s := newTestStore(t, client, Config{}, nil)
	rec := testRecord("alice", time.Now(), 512)
	if err := s.Create(t.Context(), rec); err != nil {
		t.Fatalf("Create: %v", err)
	}
	// Warm up: a first call may open a connection or, in Cluster, load
	// the slot map; neither recurs per request.
	if _, err := s.Get(t.Context(), rec.Key); err != nil {
		t.Fatalf("Get: %v", err)
	}
	ctx, trips := countRoundTrips(t.Context())
	if _, err := s.Get(ctx, rec.Key); err != nil {
		t.Fatalf("Get: %v", err)
	}
	if n := trips(); n != 1 {
		t.Fatalf("Get of a live record took %d round trips, want 1", n)
	}
}

// TestRoundTrips checks the cost of each operation that the package
// documentation states, with the scripts already cached on the server.
func TestRoundTrips(t *testing.T) {
	client := standaloneClient(t)
	installRoundTrips(client)
	s := newTestStore(t, client, Config{}, nil)
	ctx := t.Context()
	// create returns a new record of user, stored without counting.
	create := func(t *testing.T, user string) store.Record {
		rec := testRecord(user, time.Now(), 64)
		if err := s.Create(ctx, rec); err != nil {
			t.Fatalf("Create: %v", err)
		}
		return rec
	}
	tests := []struct {
		name string
		want int
		op   func(t *testing.T, ctx context.Context) error
	}{
		{"create_owned", 2, func(t *testing.T, ctx context.Context) error {
			return s.Create(ctx, testRecord("alice", time.Now(), 64))
		}},
		{"create_anonymous", 1, func(t *testing.T, ctx context.Context) error {
			return s.Create(ctx, testRecord("", time.Now(), 64))
		}},
		{"update_same_owner", 2, func(t *testing.T, ctx context.Context) error {
			rec := create(t, "alice")
			rec.Version = 2
			return s.Update(ctx, rec)
		}},
		{"update_to_a_new_owner", 3, func(t *testing.T, ctx context.Context) error {
			rec := create(t, "alice")
			rec.Version, rec.UserID = 2, "bob"
			return s.Update(ctx, rec)
		}},
		{"delete_owned", 2, func(t *testing.T, ctx context.Context) error {
			return s.Delete(ctx, create(t, "alice").Key)
		}},
		{"delete_missing", 1, func(t *testing.T, ctx context.Context) error {
			return s.Delete(ctx, testRecord("", time.Now(), 0).Key)
		}},
		{"list_user", 2, func(t *testing.T, ctx context.Context) error {
			create(t, "carol")
			_, err := s.ListUser(ctx, "carol")
			return err
		}},
		{"delete_user", 3, func(t *testing.T, ctx context.Context) error {
			create(t, "dave")
			create(t, "dave")
			_, err := s.DeleteUser(ctx, "dave", store.Key{})
			return err
		}},
	}
	// The first pass loads the scripts into the server's cache; the second
	// counts. The setup inside each op (create) runs under the uncounted ctx.
	passes := []struct {
		name  string
		count bool
	}{{"loading_the_scripts", false}, {"with_the_scripts_cached", true}}
	for _, pass := range passes {
		t.Run(pass.name, func(t *testing.T) {
			for _, tc := range tests {
				t.Run(tc.name, func(t *testing.T) {
					counted, trips := countRoundTrips(ctx)
					if err := tc.op(t, counted); err != nil {
						t.Fatalf("%s: %v", tc.name, err)
					}
					if got := trips(); pass.count && got != tc.want {
						t.Errorf("%s took %d round trips, want %d", tc.name, got, tc.want)
					}
				})
			}
		})
	}
}
