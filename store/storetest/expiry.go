package storetest

import (
	"errors"
	"testing"
	"time"

	"github.com/sessiond/sessiond/store"
)

var expiryTests = []test{
	{"get_of_an_expired_record_is_not_found_before_any_sweep", func(t *testing.T, h *harness) {
		rec := h.mustCreate(t, h.record("alice"))
		h.advance(time.Hour - time.Millisecond)
		h.mustGet(t, rec.Key)
		h.advance(time.Millisecond) // exactly at ExpiresAt: gone
		h.wantNotFound(t, rec.Key)
	}},
	{"create_of_an_already_expired_record_leaves_nothing_visible", func(t *testing.T, h *harness) {
		rec := h.record("alice")
		rec.ExpiresAt = h.clock().Add(-time.Second)
		if err := h.s.Create(h.ctx, rec); err != nil {
			t.Fatalf("Create: %v", err)
		}
		h.wantNotFound(t, rec.Key)
		if n := len(h.listKeys(t, "alice")); n != 0 {
			t.Fatalf("expired record listed")
		}
	}},
	{"update_extends_the_expiry", func(t *testing.T, h *harness) {
		rec := h.mustCreate(t, h.record("alice"))
		h.advance(50 * time.Minute)
		rec.Version, rec.ExpiresAt = 2, h.clock().Add(time.Hour)
		if err := h.s.Update(h.ctx, rec); err != nil {
			t.Fatalf("Update: %v", err)
		}
		h.advance(30 * time.Minute) // past the first expiry, before the second
		if got := h.mustGet(t, rec.Key); got.Version != 2 {
			t.Fatalf("Version = %d, want 2", got.Version)
		}
		if _, ok := h.listKeys(t, "alice")[rec.Key]; !ok {
			t.Fatalf("record with extended expiry not listed")
		}
	}},
	{"update_may_shorten_the_expiry", func(t *testing.T, h *harness) {
		rec := h.mustCreate(t, h.record("alice"))
		rec.Version, rec.ExpiresAt = 2, h.clock().Add(time.Minute)
		if err := h.s.Update(h.ctx, rec); err != nil {
			t.Fatalf("Update: %v", err)
		}
		h.advance(time.Minute)
		h.wantNotFound(t, rec.Key)
	}},
	{"update_to_an_expiry_not_after_now_makes_the_record_invisible", func(t *testing.T, h *harness) {
		for _, expiry := range []time.Duration{0, -time.Minute} {
			rec := h.mustCreate(t, h.record("alice"))
			rec.Version, rec.ExpiresAt = 2, h.clock().Add(expiry)
			if err := h.s.Update(h.ctx, rec); err != nil {
				t.Fatalf("Update: %v", err)
			}
			h.wantNotFound(t, rec.Key)
			if _, ok := h.listKeys(t, "alice")[rec.Key]; ok {
				t.Fatalf("record updated to expire at now%+v is still listed", expiry)
			}
		}
	}},
	{"update_of_an_expired_record_is_not_found", func(t *testing.T, h *harness) {
		rec := h.mustCreate(t, h.record("alice"))
		h.advance(time.Hour)
		rec.Version, rec.ExpiresAt = 2, h.clock().Add(time.Hour)
		if err := h.s.Update(h.ctx, rec); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("Update of expired record = %v, want ErrNotFound", err)
		}
		h.wantNotFound(t, rec.Key)
	}},
	{"list_user_and_all_omit_expired_records", func(t *testing.T, h *harness) {
		short := h.record("alice")
		short.ExpiresAt = h.clock().Add(time.Minute)
		h.mustCreate(t, short)
		long := h.mustCreate(t, h.record("alice"))
		h.advance(time.Minute)
		listed := h.listKeys(t, "alice")
		if _, ok := listed[short.Key]; ok || len(listed) != 1 {
			t.Fatalf("ListUser lists %d records (expired one included: %v), want only the live one", len(listed), ok)
		}
		for rec, err := range h.s.All(h.ctx) {
			if err != nil {
				t.Fatalf("All: %v", err)
			}
			if rec.Key != long.Key {
				t.Fatalf("All yielded the expired record")
			}
		}
	}},
	{"delete_user_does_not_count_expired_records", func(t *testing.T, h *harness) {
		short := h.record("alice")
		short.ExpiresAt = h.clock().Add(time.Minute)
		h.mustCreate(t, short)
		h.mustCreate(t, h.record("alice"))
		h.advance(time.Minute)
		n, err := h.s.DeleteUser(h.ctx, "alice", store.Key{})
		if err != nil || n != 1 {
			t.Fatalf("DeleteUser = %d, %v, want 1, nil", n, err)
		}
	}},
	{"expiry_keeps_at_least_millisecond_precision", func(t *testing.T, h *harness) {
		rec := h.record("alice")
		rec.ExpiresAt = h.clock().Add(1500 * time.Millisecond)
		h.mustCreate(t, rec)
		if got := h.mustGet(t, rec.Key); !got.ExpiresAt.Equal(rec.ExpiresAt) {
			t.Fatalf("ExpiresAt = %v, want %v", got.ExpiresAt, rec.ExpiresAt)
		}
	}},
}
