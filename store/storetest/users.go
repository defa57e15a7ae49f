package storetest

import (
	"strings"
	"testing"

	"github.com/sessiond/sessiond/store"
)

var userIndexTests = []test{
	{"list_user_returns_exactly_that_users_records", func(t *testing.T, h *harness) {
		a1 := h.mustCreate(t, h.record("alice"))
		a2 := h.mustCreate(t, h.record("alice"))
		h.mustCreate(t, h.record("bob"))
		got := h.listKeys(t, "alice")
		if len(got) != 2 || !equalRecords(got[a1.Key], a1) || !equalRecords(got[a2.Key], a2) {
			t.Fatalf("ListUser(alice) = %v, want exactly the two records of alice", got)
		}
		if n := len(h.listKeys(t, "carol")); n != 0 {
			t.Fatalf("ListUser(unknown user) = %d records, want 0", n)
		}
	}},
	{"anonymous_records_are_never_listed", func(t *testing.T, h *harness) {
		h.mustCreate(t, h.record(""))
		if n := len(h.listKeys(t, "")); n != 0 {
			t.Fatalf("ListUser(\"\") = %d records, want 0", n)
		}
		if n, err := h.s.DeleteUser(h.ctx, "", store.Key{}); err != nil || n != 0 {
			t.Fatalf("DeleteUser(\"\") = %d, %v, want 0, nil", n, err)
		}
	}},
	{"user_ids_are_matched_exactly", func(t *testing.T, h *harness) {
		// User IDs that are prefixes of each other, contain separators a
		// backend might use in its keys, or are not ASCII must not be mixed up.
		users := []string{"a", "ab", "a:b", "a\x00b", "a/b", "a*", "A", "ünï ✓", "用户", "a b", strings.Repeat("x", 512)}
		keys := map[string]store.Key{}
		for _, u := range users {
			keys[u] = h.mustCreate(t, h.record(u)).Key
		}
		for _, u := range users {
			got := h.listKeys(t, u)
			if _, ok := got[keys[u]]; !ok || len(got) != 1 {
				t.Errorf("ListUser(%q) = %d records, want exactly its own", u, len(got))
			}
		}
		if n, err := h.s.DeleteUser(h.ctx, "a", store.Key{}); err != nil || n != 1 {
			t.Fatalf("DeleteUser(a) = %d, %v, want 1, nil", n, err)
		}
		for _, u := range users[1:] {
			h.mustGet(t, keys[u])
		}
	}},
	{"delete_user_spares_the_exception", func(t *testing.T, h *harness) {
		keep := h.mustCreate(t, h.record("alice"))
		gone1 := h.mustCreate(t, h.record("alice"))
		gone2 := h.mustCreate(t, h.record("alice"))
		bob := h.mustCreate(t, h.record("bob"))
		n, err := h.s.DeleteUser(h.ctx, "alice", keep.Key)
		if err != nil || n != 2 {
			t.Fatalf("DeleteUser = %d, %v, want 2, nil", n, err)
		}
		h.mustGet(t, keep.Key)
		h.mustGet(t, bob.Key)
		h.wantNotFound(t, gone1.Key)
		h.wantNotFound(t, gone2.Key)
		if got := h.listKeys(t, "alice"); len(got) != 1 {
			t.Fatalf("ListUser after DeleteUser = %d records, want 1", len(got))
		}
	}},
	{"delete_user_with_the_zero_key_removes_all", func(t *testing.T, h *harness) {
		for range 3 {
			h.mustCreate(t, h.record("alice"))
		}
		n, err := h.s.DeleteUser(h.ctx, "alice", store.Key{})
		if err != nil || n != 3 {
			t.Fatalf("DeleteUser = %d, %v, want 3, nil", n, err)
		}
		if got := h.listKeys(t, "alice"); len(got) != 0 {
			t.Fatalf("ListUser after DeleteUser = %d records, want 0", len(got))
		}
	}},
	{"delete_user_with_an_exception_of_another_user_removes_all", func(t *testing.T, h *harness) {
		bob := h.mustCreate(t, h.record("bob"))
		h.mustCreate(t, h.record("alice"))
		n, err := h.s.DeleteUser(h.ctx, "alice", bob.Key)
		if err != nil || n != 1 {
			t.Fatalf("DeleteUser = %d, %v, want 1, nil", n, err)
		}
		h.mustGet(t, bob.Key)
	}},
	{"many_sessions_of_one_user_are_all_listed_and_deleted", func(t *testing.T, h *harness) {
		const n = 300
		for range n {
			h.mustCreate(t, h.record("alice"))
		}
		if got := len(h.listKeys(t, "alice")); got != n {
			t.Fatalf("ListUser = %d records, want %d", got, n)
		}
		if got, err := h.s.DeleteUser(h.ctx, "alice", store.Key{}); err != nil || got != n {
			t.Fatalf("DeleteUser = %d, %v, want %d, nil", got, err, n)
		}
	}},
}
