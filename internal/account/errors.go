package account

import (
	"errors"
	"fmt"
	"time"
)

// Outcomes of a login, or of a password check that works like one
// ([Service.Authenticate], [Service.ChangePassword]). Expected for
// untrusted input: answer them without saying more than they do.
var (
	// ErrBadCredentials means the name and password do not identify an
	// enabled account. The same value is returned for an unknown name, an
	// invalid name, a wrong password and a disabled account, so the answer
	// never reveals which accounts exist (OWASP Authentication Cheat Sheet,
	// "Authentication and Error Messages"). Show one generic message.
	ErrBadCredentials = errors.New("account: invalid name or password")

	// ErrThrottled is matched by every *ThrottledError: too many recent
	// failures for the account or for the client's address. Nothing was
	// verified. Tell the client when to retry (Retry-After).
	ErrThrottled = errors.New("account: too many failed attempts")
)

// Outcomes of managing accounts ([Service.CreateUser], [Service.SetPassword]
// and the other administrative methods) and of [Store] methods.
var (
	// ErrNoUser means no account has the name. Only administrative methods
	// and the Store return it; a login never does (it says
	// ErrBadCredentials instead).
	ErrNoUser = errors.New("account: no such user")

	// ErrUserExists means CreateUser found an account with the same
	// (normalized) name. Nothing was changed.
	ErrUserExists = errors.New("account: user exists")

	// ErrInvalidName means a name is not 1 to 64 bytes of [a-z0-9._@-]
	// after trimming spaces and lower-casing (see [NormalizeName]). It is
	// also what a Store returns, wrapped, for a user with an empty name.
	ErrInvalidName = errors.New("account: invalid user name: want 1 to 64 characters of a-z, 0-9, '.', '_', '@' or '-'")

	// ErrInvalidPassword means a new password breaks a rule of
	// [CheckPassword]. It is returned wrapped with the rule that failed;
	// show the message to the user. The password itself is never part of
	// it.
	ErrInvalidPassword = errors.New("account: invalid password")

	// ErrNameChanged means the function given to [Store.UpdateUser]
	// changed the user's Name. Nothing was written: an account is never
	// renamed in place.
	ErrNameChanged = errors.New("account: update may not change the user name")
)

// ErrMalformedHash means a password hash is not a PHC string this package
// can verify: not "$argon2id$v=19$m=..,t=..,p=..$<salt>$<hash>", a salt or
// key that is too short, or costs beyond the limits [Verify] accepts. It
// never verifies any password. A stored hash that is malformed makes
// [Service.Authenticate] fail with an error wrapping it (the account is
// damaged; restore it or reset the password), except the empty hash, which
// is simply an account that has no password and cannot log in.
var ErrMalformedHash = errors.New("account: malformed password hash")

// ErrInvalidConfig is matched by every *ConfigError.
var ErrInvalidConfig = errors.New("account: invalid configuration")

// ThrottledError is returned (as *ThrottledError) by a login that may not be
// attempted yet because of earlier failures. errors.Is(err, ErrThrottled)
// matches it. The password was not verified.
type ThrottledError struct {
	// RetryAfter is how long until an attempt is allowed again, rounded up
	// to a whole second so it can go into a Retry-After header as is.
	RetryAfter time.Duration
	// Scope is which counter is locked: "account" (too many failures for
	// this name, from anywhere) or "ip" (too many failures from this
	// address, for any names).
	Scope string
}

// Scopes of a [ThrottledError].
const (
	ScopeAccount = "account"
	ScopeIP      = "ip"
)

// Error says which scope is locked and for how long; it names no account
// or address.
func (e *ThrottledError) Error() string {
	return fmt.Sprintf("account: too many failed attempts (%s); retry after %v", e.Scope, e.RetryAfter)
}

// Unwrap lets errors.Is(err, ErrThrottled) match.
func (e *ThrottledError) Unwrap() error { return ErrThrottled }

// ConfigError reports a configuration that [New] refuses. Field names the
// offending Config field by its Go path (for example
// "AccountLimits.Base"), so that a service can map it to its own option
// names.
type ConfigError struct {
	Field   string // the Config field, e.g. "IPLimits.Forget"
	Problem string // what is wrong with its value
}

// Error returns "account: <Field>: <Problem>".
func (e *ConfigError) Error() string {
	return fmt.Sprintf("account: %s: %s", e.Field, e.Problem)
}

// Unwrap lets errors.Is(err, ErrInvalidConfig) match.
func (e *ConfigError) Unwrap() error { return ErrInvalidConfig }
