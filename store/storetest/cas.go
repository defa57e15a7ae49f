package storetest

import (
	"errors"
	"testing"

	"github.com/sessiond/sessiond/store"
)

var casTests = []test{
	{"update_with_a_stale_version_conflicts_and_changes_nothing", func(t *testing.T, h *harness) {
		rec := h.mustCreate(t, h.record("alice"))
		winner := rec
		winner.Version, winner.Data = 2, []byte("winner")
		if err := h.s.Update(h.ctx, winner); err != nil {
			t.Fatalf("first Update: %v", err)
		}
		loser := rec
		loser.Version, loser.Data, loser.UserID = 2, []byte("loser"), "mallory"
		if err := h.s.Update(h.ctx, loser); !errors.Is(err, store.ErrConflict) {
			t.Fatalf("stale Update = %v, want ErrConflict", err)
		}
		if got := h.mustGet(t, rec.Key); !equalRecords(got, winner) {
			t.Fatalf("after conflict Get = %+v, want %+v", got, winner)
		}
		if n := len(h.listKeys(t, "mallory")); n != 0 {
			t.Fatalf("conflicting Update changed the index")
		}
	}},
	{"update_with_a_version_from_the_future_conflicts", func(t *testing.T, h *harness) {
		rec := h.mustCreate(t, h.record("alice"))
		rec.Version = 5
		if err := h.s.Update(h.ctx, rec); !errors.Is(err, store.ErrConflict) {
			t.Fatalf("Update = %v, want ErrConflict", err)
		}
		if got := h.mustGet(t, rec.Key); got.Version != 1 {
			t.Fatalf("Version = %d, want 1", got.Version)
		}
	}},
	{"update_with_the_same_version_conflicts", func(t *testing.T, h *harness) {
		rec := h.mustCreate(t, h.record("alice"))
		if err := h.s.Update(h.ctx, rec); !errors.Is(err, store.ErrConflict) {
			t.Fatalf("Update with unchanged version = %v, want ErrConflict", err)
		}
	}},
	{"versions_increase_by_one_per_update", func(t *testing.T, h *harness) {
		rec := h.mustCreate(t, h.record("alice"))
		for v := uint64(2); v <= 5; v++ {
			rec.Version = v
			if err := h.s.Update(h.ctx, rec); err != nil {
				t.Fatalf("Update to version %d: %v", v, err)
			}
		}
		if got := h.mustGet(t, rec.Key); got.Version != 5 {
			t.Fatalf("Version = %d, want 5", got.Version)
		}
	}},
}
