package metrics

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/sessiond/sessiond/store"
	"github.com/sessiond/sessiond/store/memstore"
)

// newTimedStore returns Metrics and a memstore wrapped by it. The memstore
// is also returned so tests can close it underneath the wrapper.
func newTimedStore(t *testing.T) (*Metrics, store.Store, *memstore.Store) {
	t.Helper()
	mem := memstore.New(memstore.Config{})
	t.Cleanup(func() { mem.Close() })
	m := New()
	return m, m.Store(mem), mem
}

// record returns a live record under a key made from b.
func record(b byte, user string) store.Record {
	return store.Record{Key: store.Key{b}, UserID: user, ExpiresAt: time.Now().Add(time.Hour), Data: []byte("x")}
}

func TestStore(t *testing.T) {
	tests := []struct {
		name string
		run  func(t *testing.T, ctx context.Context, st store.Store, mem *memstore.Store)
		want []string
	}{
		// The contract's outcomes are timed but are not errors.
		{"get_miss_is_not_an_error", func(t *testing.T, ctx context.Context, st store.Store, _ *memstore.Store) {
			_, err := st.Get(ctx, store.Key{1})
			wantIs(t, err, store.ErrNotFound)
		}, []string{
			`sessiond_store_duration_seconds_count{op="get"} 1`,
			`sessiond_store_errors_total{op="get"} 0`,
		}},
		{"conflict_is_not_an_error", func(t *testing.T, ctx context.Context, st store.Store, _ *memstore.Store) {
			must(t, st.Create(ctx, record(1, "alice")))
			stale := record(1, "alice")
			stale.Version = 5
			wantIs(t, st.Update(ctx, stale), store.ErrConflict)
		}, []string{
			`sessiond_store_duration_seconds_count{op="create"} 1`,
			`sessiond_store_duration_seconds_count{op="update"} 1`,
			`sessiond_store_errors_total{op="update"} 0`,
		}},
		{"exists_is_not_an_error", func(t *testing.T, ctx context.Context, st store.Store, _ *memstore.Store) {
			must(t, st.Create(ctx, record(1, "")))
			wantIs(t, st.Create(ctx, record(1, "")), store.ErrExists)
		}, []string{
			`sessiond_store_duration_seconds_count{op="create"} 2`,
			`sessiond_store_errors_total{op="create"} 0`,
		}},

		// Each method is timed under its own op.
		{"every_op_timed", func(t *testing.T, ctx context.Context, st store.Store, _ *memstore.Store) {
			must(t, st.Create(ctx, record(1, "alice")))
			must(t, st.Create(ctx, record(2, "alice")))
			if _, err := st.Get(ctx, store.Key{1}); err != nil {
				t.Fatal(err)
			}
			rec := record(1, "alice")
			rec.Version = 2
			must(t, st.Update(ctx, rec))
			if recs, err := st.ListUser(ctx, "alice"); err != nil || len(recs) != 2 {
				t.Fatalf("ListUser = %d records, %v; want 2", len(recs), err)
			}
			walked := 0
			for _, err := range st.All(ctx) {
				must(t, err)
				walked++
			}
			if walked != 2 {
				t.Fatalf("All walked %d records, want 2", walked)
			}
			if n, err := st.DeleteUser(ctx, "alice", store.Key{1}); err != nil || n != 1 {
				t.Fatalf("DeleteUser = %d, %v; want 1", n, err)
			}
			must(t, st.Delete(ctx, store.Key{1}))
		}, []string{
			`sessiond_store_duration_seconds_count{op="get"} 1`,
			`sessiond_store_duration_seconds_count{op="create"} 2`,
			`sessiond_store_duration_seconds_count{op="update"} 1`,
			`sessiond_store_duration_seconds_count{op="delete"} 1`,
			`sessiond_store_duration_seconds_count{op="list_user"} 1`,
			`sessiond_store_duration_seconds_count{op="delete_user"} 1`,
			`sessiond_store_duration_seconds_count{op="all"} 1`,
		}},
		{"all_stopped_early_is_timed_once", func(t *testing.T, ctx context.Context, st store.Store, _ *memstore.Store) {
			must(t, st.Create(ctx, record(1, "")))
			must(t, st.Create(ctx, record(2, "")))
			for range st.All(ctx) {
				break
			}
		}, []string{
			`sessiond_store_duration_seconds_count{op="all"} 1`,
			`sessiond_store_errors_total{op="all"} 0`,
		}},

		// A store that cannot answer is an error, and the error reaches
		// the caller unchanged: never turned into "not found".
		{"closed_store_get_fails", func(t *testing.T, ctx context.Context, st store.Store, mem *memstore.Store) {
			mem.Close()
			_, err := st.Get(ctx, store.Key{1})
			wantIs(t, err, store.ErrClosed)
			if errors.Is(err, store.ErrNotFound) {
				t.Errorf("Get on a closed store = %v, which claims not found", err)
			}
		}, []string{
			`sessiond_store_duration_seconds_count{op="get"} 1`,
			`sessiond_store_errors_total{op="get"} 1`,
		}},
		{"closed_store_every_op_fails", func(t *testing.T, ctx context.Context, st store.Store, mem *memstore.Store) {
			mem.Close()
			wantIs(t, st.Create(ctx, record(1, "a")), store.ErrClosed)
			wantIs(t, st.Update(ctx, record(1, "a")), store.ErrClosed)
			wantIs(t, st.Delete(ctx, store.Key{1}), store.ErrClosed)
			_, err := st.ListUser(ctx, "a")
			wantIs(t, err, store.ErrClosed)
			_, err = st.DeleteUser(ctx, "a", store.Key{})
			wantIs(t, err, store.ErrClosed)
			for _, err := range st.All(ctx) {
				wantIs(t, err, store.ErrClosed)
			}
		}, []string{
			`sessiond_store_errors_total{op="create"} 1`,
			`sessiond_store_errors_total{op="update"} 1`,
			`sessiond_store_errors_total{op="delete"} 1`,
			`sessiond_store_errors_total{op="list_user"} 1`,
			`sessiond_store_errors_total{op="delete_user"} 1`,
			`sessiond_store_errors_total{op="all"} 1`,
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m, st, mem := newTimedStore(t)
			tc.run(t, t.Context(), st, mem)
			wantLines(t, scrape(t, m), tc.want...)
		})
	}
}

// wantIs fails unless errors.Is(err, target).
func wantIs(t *testing.T, err, target error) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Fatalf("err = %v, want %v", err, target)
	}
}

// must fails the test on a non-nil error.
func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
