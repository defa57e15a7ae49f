package account

import (
	"context"
	"time"
)

// Failures is the throttling state of one key ("user:alice",
// "ip:192.0.2.1").
type Failures struct {
	// Count is the number of consecutive failures not yet forgotten.
	Count int
	// Last is the time of the latest failure.
	Last time.Time
}

// Store keeps accounts and throttling state. Implementations live in
// internal/account/<backend> and must pass the conformance suite in
// internal/account/accounttest, which checks each sentence below.
//
// A Store is safe for concurrent use by multiple goroutines, and shared by
// several replicas of the service where the backend allows it, so every
// read-modify-write below is atomic in the backend, not in the process.
//
// Times are kept to at least the microsecond; the [Service] only passes
// times truncated to the microsecond. Stores never consult a clock of their
// own for these methods: "now" is always an argument, so the suite can
// drive forgetting with explicit times on any backend.
//
// Errors: every method checks ctx first and returns an error wrapping
// ctx.Err() if it is done. Any error other than the sentinels named below
// means the store could not answer (unreachable, corrupt, canceled), and
// never satisfies errors.Is(err, ErrNoUser): a caller must never read an
// outage as "no such user".
type Store interface {
	// CreateUser stores u as a new account.
	// It returns ErrUserExists, changing nothing, if an account already
	// has u.Name. It refuses an empty u.Name with an error wrapping
	// ErrInvalidName; otherwise it stores Name as given (normalizing is
	// the Service's job).
	CreateUser(ctx context.Context, u User) error

	// User returns the account named name, or ErrNoUser.
	User(ctx context.Context, name string) (User, error)

	// UpdateUser atomically reads the account named name, passes a copy to
	// update and stores the result (read-modify-write): no other change to
	// the account can come between the read and the write.
	// It returns ErrNoUser, without calling update, if there is no such
	// account. If update returns an error, nothing is written and that
	// error is returned as is. If update changes Name, nothing is written
	// and an error wrapping ErrNameChanged is returned.
	// update may be called more than once (backends that retry on
	// conflict) and must not call the Store; it should only compute.
	UpdateUser(ctx context.Context, name string, update func(*User) error) error

	// Users returns every account, sorted by Name (byte-wise). An empty
	// store returns an empty slice.
	Users(ctx context.Context) ([]User, error)

	// AddFailure atomically records a failure under key at now and
	// returns the new state: if there is no state or its Last is before
	// now-forget the count restarts at 1, otherwise it is Count+1; Last
	// becomes now. Concurrent calls lose no failure.
	// Keys are non-empty UTF-8 strings of up to 1024 bytes.
	AddFailure(ctx context.Context, key string, now time.Time, forget time.Duration) (Failures, error)

	// Failures returns the state under key, or the zero Failures if there
	// is none or its Last is before now-forget (forgotten; a failure exactly
	// forget old still counts). It changes nothing.
	Failures(ctx context.Context, key string, now time.Time, forget time.Duration) (Failures, error)

	// ClearFailures removes the state under key. Clearing a key that has
	// none returns nil.
	ClearFailures(ctx context.Context, key string) error
}
