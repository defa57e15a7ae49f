package accounttest

import (
	"context"
	"errors"
	"testing"

	"github.com/sessiond/sessiond/internal/account"
)

var contextTests = []test{
	{"canceled_context_fails_with_the_context_error_and_changes_nothing", func(t *testing.T, h *harness) {
		alice := h.mustCreate(t, h.user("alice"))
		h.mustAdd(t, "user:alice", h.base, forget)
		ctx, cancel := context.WithCancel(h.ctx)
		cancel()

		called := false
		errs := map[string]error{}
		_, errs["User"] = h.s.User(ctx, "alice")
		_, errs["Users"] = h.s.Users(ctx)
		errs["CreateUser"] = h.s.CreateUser(ctx, h.user("bob"))
		errs["UpdateUser"] = h.s.UpdateUser(ctx, "alice", func(u *account.User) error {
			called = true
			u.Disabled = true
			return nil
		})
		_, errs["AddFailure"] = h.s.AddFailure(ctx, "user:alice", h.base, forget)
		_, errs["Failures"] = h.s.Failures(ctx, "user:alice", h.base, forget)
		errs["ClearFailures"] = h.s.ClearFailures(ctx, "user:alice")

		for method, err := range errs {
			if !errors.Is(err, context.Canceled) {
				t.Errorf("%s with a canceled context = %v, want an error wrapping context.Canceled", method, err)
			}
			// Reading an outage as "no such user" would turn it into a
			// plausible answer.
			if errors.Is(err, account.ErrNoUser) {
				t.Errorf("%s with a canceled context = %v, which reads as ErrNoUser", method, err)
			}
		}
		if called {
			t.Errorf("UpdateUser with a canceled context called update")
		}
		h.wantUser(t, alice)
		h.wantNoUser(t, "bob")
		h.wantFailures(t, "user:alice", h.base, forget, account.Failures{Count: 1, Last: h.base})
	}},
}
