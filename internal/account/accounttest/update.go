package accounttest

import (
	"errors"
	"testing"
	"time"

	"github.com/sessiond/sessiond/internal/account"
)

var updateTests = []test{
	{"update_user_stores_the_change", func(t *testing.T, h *harness) {
		alice := h.mustCreate(t, h.user("alice"))
		bob := h.mustCreate(t, h.user("bob"))
		var seen account.User
		err := h.s.UpdateUser(h.ctx, "alice", func(u *account.User) error {
			seen = *u
			u.PasswordHash = "new hash"
			u.Disabled = true
			u.PasswordChangedAt = h.base
			return nil
		})
		if err != nil {
			t.Fatalf("UpdateUser: %v", err)
		}
		if !equalUsers(seen, alice) {
			t.Fatalf("update was given %+v, want the stored %+v", seen, alice)
		}
		alice.PasswordHash, alice.Disabled, alice.PasswordChangedAt = "new hash", true, h.base
		h.wantUser(t, alice)
		h.wantUser(t, bob) // others are untouched
	}},
	{"update_user_error_aborts_the_write_and_is_returned", func(t *testing.T, h *harness) {
		alice := h.mustCreate(t, h.user("alice"))
		refused := errors.New("refused by the caller")
		err := h.s.UpdateUser(h.ctx, "alice", func(u *account.User) error {
			u.PasswordHash, u.Disabled = "must not be stored", true
			return refused
		})
		if !errors.Is(err, refused) {
			t.Fatalf("UpdateUser whose update fails = %v, want that error", err)
		}
		h.wantUser(t, alice)
	}},
	{"update_missing_user_returns_err_no_user_without_calling_update", func(t *testing.T, h *harness) {
		h.mustCreate(t, h.user("alice"))
		called := false
		err := h.s.UpdateUser(h.ctx, "bob", func(u *account.User) error {
			called = true
			return nil
		})
		if !errors.Is(err, account.ErrNoUser) {
			t.Fatalf("UpdateUser of a missing user = %v, want ErrNoUser", err)
		}
		if called {
			t.Fatalf("UpdateUser of a missing user called update")
		}
		h.wantNoUser(t, "bob")
	}},
	{"update_that_changes_the_name_is_refused_and_writes_nothing", func(t *testing.T, h *harness) {
		alice := h.mustCreate(t, h.user("alice"))
		err := h.s.UpdateUser(h.ctx, "alice", func(u *account.User) error {
			u.Name, u.PasswordHash = "mallory", "must not be stored"
			return nil
		})
		if !errors.Is(err, account.ErrNameChanged) {
			t.Fatalf("UpdateUser that renames = %v, want ErrNameChanged", err)
		}
		h.wantUser(t, alice)
		h.wantNoUser(t, "mallory")
	}},
	{"update_keeps_times_to_the_microsecond", func(t *testing.T, h *harness) {
		h.mustCreate(t, h.user("alice"))
		at := h.base.Add(1234567 * time.Microsecond)
		err := h.s.UpdateUser(h.ctx, "alice", func(u *account.User) error {
			u.PasswordChangedAt = at
			return nil
		})
		if err != nil {
			t.Fatalf("UpdateUser: %v", err)
		}
		if got := h.mustGet(t, "alice").PasswordChangedAt; !got.Equal(at) {
			t.Fatalf("PasswordChangedAt = %v, want %v", got, at)
		}
	}},
}
