package accounttest

import (
	"errors"
	"testing"

	"github.com/sessiond/sessiond/internal/account"
)

var userTests = []test{
	{"create_then_get_returns_every_field", func(t *testing.T, h *harness) {
		alice := h.user("alice")
		alice.Disabled = true
		h.mustCreate(t, alice)
		h.wantUser(t, alice)
	}},
	{"get_unknown_user_returns_err_no_user", func(t *testing.T, h *harness) {
		h.mustCreate(t, h.user("alice"))
		h.wantNoUser(t, "bob")
		h.wantNoUser(t, "alic") // a prefix of an existing name is another name
		h.wantNoUser(t, "alice2")
	}},
	{"names_are_kept_exactly_as_given", func(t *testing.T, h *harness) {
		// Normalizing is the Service's job: the store must neither fold
		// case nor trim, or two distinct keys would share one account.
		names := []string{"alice", "Alice", "alice ", "al", "ålice", "alice@example.com"}
		for _, n := range names {
			h.mustCreate(t, h.user(n))
		}
		for _, n := range names {
			h.wantUser(t, h.user(n))
		}
	}},
	{"users_are_sorted_by_name_bytewise", func(t *testing.T, h *harness) {
		// Punctuation sorts by byte value ('-' < '.' < '0' < '@' < '_' <
		// 'a'), which a locale-aware collation would get wrong.
		want := []string{"-x", ".x", "0", "@x", "_x", "a", "a-b", "a.b", "a_b", "ab", "b", "zed"}
		for _, i := range []int{7, 2, 11, 0, 9, 4, 1, 10, 5, 3, 8, 6} {
			h.mustCreate(t, h.user(want[i]))
		}
		users, err := h.s.Users(h.ctx)
		if err != nil {
			t.Fatalf("Users: %v", err)
		}
		if len(users) != len(want) {
			t.Fatalf("Users returned %d users, want %d", len(users), len(want))
		}
		for i, u := range users {
			if u.Name != want[i] {
				t.Fatalf("Users()[%d].Name = %q, want %q (order %v)", i, u.Name, want[i], want)
			}
			if !equalUsers(u, h.user(want[i])) {
				t.Fatalf("Users()[%d] = %+v, want %+v", i, u, h.user(want[i]))
			}
		}
	}},
	{"users_of_an_empty_store_is_empty", func(t *testing.T, h *harness) {
		users, err := h.s.Users(h.ctx)
		if err != nil || len(users) != 0 {
			t.Fatalf("Users = %d users, %v, want none and nil", len(users), err)
		}
	}},
	{"create_duplicate_returns_err_user_exists_and_changes_nothing", func(t *testing.T, h *harness) {
		alice := h.mustCreate(t, h.user("alice"))
		dup := h.user("alice")
		dup.PasswordHash, dup.Disabled = "another hash", true
		if err := h.s.CreateUser(h.ctx, dup); !errors.Is(err, account.ErrUserExists) {
			t.Fatalf("CreateUser of an existing name = %v, want ErrUserExists", err)
		}
		h.wantUser(t, alice)
	}},
	{"create_with_an_empty_name_is_refused", func(t *testing.T, h *harness) {
		if err := h.s.CreateUser(h.ctx, h.user("")); !errors.Is(err, account.ErrInvalidName) {
			t.Fatalf("CreateUser with an empty name = %v, want ErrInvalidName", err)
		}
		if users, err := h.s.Users(h.ctx); err != nil || len(users) != 0 {
			t.Fatalf("after a refused create, Users = %d users, %v, want none", len(users), err)
		}
	}},
}
