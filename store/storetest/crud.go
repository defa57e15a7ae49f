package storetest

import (
	"errors"
	"testing"
	"time"

	"github.com/sessiond/sessiond/store"
)

var crudTests = []test{
	{"create_then_get_returns_the_record_at_version_1", func(t *testing.T, h *harness) {
		rec := h.record("alice")
		rec.Version = 42 // Create ignores the caller's version
		if err := h.s.Create(h.ctx, rec); err != nil {
			t.Fatalf("Create: %v", err)
		}
		got := h.mustGet(t, rec.Key)
		rec.Version = 1
		if !equalRecords(got, rec) {
			t.Fatalf("Get = %+v, want %+v", got, rec)
		}
	}},
	{"get_of_a_missing_key_is_not_found", func(t *testing.T, h *harness) {
		h.wantNotFound(t, newKey())
	}},
	{"create_over_a_live_key_returns_exists_and_changes_nothing", func(t *testing.T, h *harness) {
		rec := h.mustCreate(t, h.record("alice"))
		other := rec
		other.UserID, other.Data = "mallory", []byte("planted")
		if err := h.s.Create(h.ctx, other); !errors.Is(err, store.ErrExists) {
			t.Fatalf("second Create = %v, want ErrExists", err)
		}
		if got := h.mustGet(t, rec.Key); !equalRecords(got, rec) {
			t.Fatalf("after refused Create, Get = %+v, want %+v", got, rec)
		}
		if n := len(h.listKeys(t, "mallory")); n != 0 {
			t.Fatalf("refused Create left %d records in the new owner's index", n)
		}
	}},
	{"create_over_an_expired_key_replaces_it", func(t *testing.T, h *harness) {
		old := h.mustCreate(t, h.record("alice"))
		h.advance(2 * time.Hour)
		fresh := h.record("bob")
		fresh.Key = old.Key
		if err := h.s.Create(h.ctx, fresh); err != nil {
			t.Fatalf("Create over expired key: %v", err)
		}
		if got := h.mustGet(t, old.Key); got.UserID != "bob" || got.Version != 1 {
			t.Fatalf("Get = user %q version %d, want bob at version 1", got.UserID, got.Version)
		}
		if n := len(h.listKeys(t, "alice")); n != 0 {
			t.Fatalf("replaced record still listed under its old owner (%d)", n)
		}
	}},
	{"data_round_trips_byte_for_byte", func(t *testing.T, h *harness) {
		for _, data := range [][]byte{nil, {0}, {0xff, 0, 0xfe, '\n', '"'}, []byte("ünïcødé ✓")} {
			rec := h.record("alice")
			rec.Data = data
			h.mustCreate(t, rec)
			if got := h.mustGet(t, rec.Key); string(got.Data) != string(data) {
				t.Fatalf("Data = %q, want %q", got.Data, data)
			}
		}
	}},
	{"returned_data_does_not_alias_the_stored_record", func(t *testing.T, h *harness) {
		rec := h.mustCreate(t, h.record("alice"))
		got := h.mustGet(t, rec.Key)
		for i := range got.Data {
			got.Data[i] = 'x'
		}
		if again := h.mustGet(t, rec.Key); string(again.Data) != string(rec.Data) {
			t.Fatalf("mutating a returned record changed the store: %q", again.Data)
		}
	}},
	{"update_with_the_next_version_replaces_the_record", func(t *testing.T, h *harness) {
		rec := h.mustCreate(t, h.record("alice"))
		rec.Version, rec.Data = 2, []byte("changed")
		rec.ExpiresAt = rec.ExpiresAt.Add(time.Minute)
		if err := h.s.Update(h.ctx, rec); err != nil {
			t.Fatalf("Update: %v", err)
		}
		if got := h.mustGet(t, rec.Key); !equalRecords(got, rec) {
			t.Fatalf("Get = %+v, want %+v", got, rec)
		}
	}},
	{"update_of_a_missing_key_is_not_found", func(t *testing.T, h *harness) {
		rec := h.record("alice")
		rec.Version = 2
		if err := h.s.Update(h.ctx, rec); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("Update = %v, want ErrNotFound", err)
		}
		h.wantNotFound(t, rec.Key)
	}},
	{"update_may_change_the_owner_and_the_index_follows", func(t *testing.T, h *harness) {
		rec := h.mustCreate(t, h.record("alice"))
		rec.Version, rec.UserID = 2, "bob"
		if err := h.s.Update(h.ctx, rec); err != nil {
			t.Fatalf("Update: %v", err)
		}
		if n := len(h.listKeys(t, "alice")); n != 0 {
			t.Fatalf("old owner still lists %d records", n)
		}
		if _, ok := h.listKeys(t, "bob")[rec.Key]; !ok {
			t.Fatalf("new owner does not list the record")
		}
		rec.Version, rec.UserID = 3, ""
		if err := h.s.Update(h.ctx, rec); err != nil {
			t.Fatalf("Update to anonymous: %v", err)
		}
		if n := len(h.listKeys(t, "bob")); n != 0 {
			t.Fatalf("record made anonymous is still listed under bob")
		}
	}},
	{"delete_removes_the_record_and_its_index_entry", func(t *testing.T, h *harness) {
		rec := h.mustCreate(t, h.record("alice"))
		if err := h.s.Delete(h.ctx, rec.Key); err != nil {
			t.Fatalf("Delete: %v", err)
		}
		h.wantNotFound(t, rec.Key)
		if n := len(h.listKeys(t, "alice")); n != 0 {
			t.Fatalf("deleted record still listed")
		}
	}},
	{"delete_of_a_missing_or_expired_key_returns_nil", func(t *testing.T, h *harness) {
		if err := h.s.Delete(h.ctx, newKey()); err != nil {
			t.Fatalf("Delete(missing) = %v, want nil", err)
		}
		rec := h.mustCreate(t, h.record("alice"))
		h.advance(2 * time.Hour)
		if err := h.s.Delete(h.ctx, rec.Key); err != nil {
			t.Fatalf("Delete(expired) = %v, want nil", err)
		}
		if err := h.s.Delete(h.ctx, rec.Key); err != nil {
			t.Fatalf("second Delete = %v, want nil", err)
		}
	}},
	{"all_yields_every_live_record_once", func(t *testing.T, h *harness) {
		want := map[store.Key]store.Record{}
		for _, u := range []string{"alice", "alice", "bob", ""} {
			rec := h.mustCreate(t, h.record(u))
			want[rec.Key] = rec
		}
		seen := map[store.Key]bool{}
		for rec, err := range h.s.All(h.ctx) {
			if err != nil {
				t.Fatalf("All: %v", err)
			}
			if seen[rec.Key] {
				t.Fatalf("All yielded a record twice")
			}
			seen[rec.Key] = true
			if w, ok := want[rec.Key]; !ok || !equalRecords(rec, w) {
				t.Fatalf("All yielded %+v, want one of the created records", rec)
			}
		}
		if len(seen) != len(want) {
			t.Fatalf("All yielded %d records, want %d", len(seen), len(want))
		}
	}},
	{"all_stops_when_the_caller_stops", func(t *testing.T, h *harness) {
		for range 5 {
			h.mustCreate(t, h.record("alice"))
		}
		n := 0
		for _, err := range h.s.All(h.ctx) {
			if err != nil {
				t.Fatalf("All: %v", err)
			}
			n++
			if n == 2 {
				break
			}
		}
		if n != 2 {
			t.Fatalf("walked %d records, want 2", n)
		}
	}},
}
