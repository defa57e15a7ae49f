package storetest

import (
	"errors"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/sessiond/sessiond/store"
)

const goroutines = 32

var concurrencyTests = []test{
	{"concurrent_updates_of_one_version_have_exactly_one_winner", func(t *testing.T, h *harness) {
		rec := h.mustCreate(t, h.record("alice"))
		var wins, conflicts atomic.Int32
		var wg sync.WaitGroup
		for i := range goroutines {
			wg.Go(func() {
				r := rec
				r.Version, r.Data = 2, []byte{byte(i)}
				switch err := h.s.Update(h.ctx, r); {
				case err == nil:
					wins.Add(1)
				case errors.Is(err, store.ErrConflict):
					conflicts.Add(1)
				default:
					t.Errorf("Update: %v", err)
				}
			})
		}
		wg.Wait()
		if wins.Load() != 1 || conflicts.Load() != goroutines-1 {
			t.Fatalf("wins = %d, conflicts = %d, want 1 and %d", wins.Load(), conflicts.Load(), goroutines-1)
		}
	}},
	{"concurrent_read_modify_write_loses_no_update", func(t *testing.T, h *harness) {
		rec := h.mustCreate(t, h.record("alice"))
		const perGoroutine = 5
		var wg sync.WaitGroup
		for range 8 {
			wg.Go(func() {
				for done := 0; done < perGoroutine; {
					cur, err := h.s.Get(h.ctx, rec.Key)
					if err != nil {
						t.Errorf("Get: %v", err)
						return
					}
					cur.Version++
					cur.Data = append(cur.Data, '+')
					switch err := h.s.Update(h.ctx, cur); {
					case err == nil:
						done++
					case !errors.Is(err, store.ErrConflict):
						t.Errorf("Update: %v", err)
						return
					}
				}
			})
		}
		wg.Wait()
		got := h.mustGet(t, rec.Key)
		if want := uint64(1 + 8*perGoroutine); got.Version != want || len(got.Data) != len(rec.Data)+8*perGoroutine {
			t.Fatalf("version %d with %d bytes, want version %d with %d", got.Version, len(got.Data), want, len(rec.Data)+8*perGoroutine)
		}
	}},
	{"concurrent_creates_of_one_key_have_exactly_one_winner", func(t *testing.T, h *harness) {
		rec := h.record("alice")
		var wins atomic.Int32
		var wg sync.WaitGroup
		for i := range goroutines {
			wg.Go(func() {
				r := rec
				r.UserID = "user" + string(rune('a'+i%26))
				switch err := h.s.Create(h.ctx, r); {
				case err == nil:
					wins.Add(1)
				case !errors.Is(err, store.ErrExists):
					t.Errorf("Create: %v", err)
				}
			})
		}
		wg.Wait()
		if wins.Load() != 1 {
			t.Fatalf("%d creates won, want 1", wins.Load())
		}
	}},
	{"concurrent_mixed_operations_keep_the_index_consistent", func(t *testing.T, h *harness) {
		var wg sync.WaitGroup
		users := []string{"alice", "bob", "carol"}
		for i := range goroutines {
			wg.Go(func() {
				user := users[i%len(users)]
				for j := range 10 {
					rec := h.record(user)
					if err := h.s.Create(h.ctx, rec); err != nil {
						t.Errorf("Create: %v", err)
						return
					}
					rec.Version, rec.UserID = 2, users[(i+j)%len(users)]
					// A concurrent DeleteUser may have removed it already.
					if err := h.s.Update(h.ctx, rec); err != nil && !errors.Is(err, store.ErrNotFound) {
						t.Errorf("Update: %v", err)
					}
					switch j % 3 {
					case 0:
						if err := h.s.Delete(h.ctx, rec.Key); err != nil {
							t.Errorf("Delete: %v", err)
						}
					case 1:
						if _, err := h.s.ListUser(h.ctx, user); err != nil {
							t.Errorf("ListUser: %v", err)
						}
					}
				}
				if i%8 == 0 {
					if _, err := h.s.DeleteUser(h.ctx, user, store.Key{}); err != nil {
						t.Errorf("DeleteUser: %v", err)
					}
				}
			})
		}
		wg.Wait()
		// The harness checks the index against the records after the test.
	}},
}
