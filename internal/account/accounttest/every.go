package accounttest

import (
	"context"
	"errors"
	"time"

	"github.com/sessiond/sessiond/internal/account"
)

// CallEveryMethod calls each method of s once and returns the errors by
// method name, for tests of how a closed or unreachable store fails. The
// update function of UpdateUser returns an error if it is ever reached.
func CallEveryMethod(ctx context.Context, s account.Store) map[string]error {
	errs := map[string]error{}
	_, errs["User"] = s.User(ctx, "alice")
	_, errs["Users"] = s.Users(ctx)
	errs["CreateUser"] = s.CreateUser(ctx, account.User{Name: "bob"})
	errs["UpdateUser"] = s.UpdateUser(ctx, "alice", func(*account.User) error {
		return errors.New("update called")
	})
	_, errs["AddFailure"] = s.AddFailure(ctx, "k", time.Now(), time.Hour)
	_, errs["Failures"] = s.Failures(ctx, "k", time.Now(), time.Hour)
	errs["ClearFailures"] = s.ClearFailures(ctx, "k")
	return errs
}
