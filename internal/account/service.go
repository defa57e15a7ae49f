package account

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"time"

	"golang.org/x/crypto/argon2"
)

// Service manages accounts and checks logins against a [Store]. A Service is
// safe for concurrent use by multiple goroutines; several Services (one per
// replica) may share a Store, and then share its throttling state too.
type Service struct {
	st     Store
	cfg    Config
	slots  chan struct{} // one token per running hash: Config.MaxConcurrentHashes
	dummy  string        // hash of a random password under cfg.Params; see Authenticate
	derive kdf           // argon2.IDKey; tests count calls
}

// New returns a Service keeping its accounts in st. It fills in cfg's
// defaults, refuses unusable values with a *ConfigError (also refusing a
// nil st), and keeps a copy of cfg. It computes one hash, of a random
// password, which logins of unknown names are checked against, so New
// takes about as long as one login.
func New(st Store, cfg Config) (*Service, error) {
	if st == nil {
		return nil, &ConfigError{Field: "Store", Problem: "is nil"}
	}
	cfg = cfg.withDefaults()
	if err := cfg.check(); err != nil {
		return nil, err
	}
	s := &Service{
		st:     st,
		cfg:    cfg,
		slots:  make(chan struct{}, cfg.MaxConcurrentHashes),
		derive: argon2.IDKey,
	}
	dummy, err := Hash(rand.Text(), cfg.Params)
	if err != nil {
		return nil, err
	}
	s.dummy = dummy
	return s, nil
}

// CreateUser creates an enabled account named name (normalized, see
// [NormalizeName]) with password, which must pass [CheckPassword]. It
// returns the stored User, ErrInvalidName, an error wrapping
// ErrInvalidPassword, or ErrUserExists (changing nothing).
func (s *Service) CreateUser(ctx context.Context, name, password string) (User, error) {
	norm, err := NormalizeName(name)
	if err != nil {
		return User{}, err
	}
	if err := CheckPassword(password); err != nil {
		return User{}, err
	}
	hash, err := s.hash(ctx, "create user", password)
	if err != nil {
		return User{}, err
	}
	now := s.now()
	u := User{Name: norm, PasswordHash: hash, CreatedAt: now, PasswordChangedAt: now}
	if err := s.st.CreateUser(ctx, u); err != nil {
		return User{}, storeError("create user", err)
	}
	return u, nil
}

// SetPassword replaces the password of the account named name without
// asking for the current one: for administrators and the command line,
// never for a user-facing form (use [Service.ChangePassword] there). The
// password must pass [CheckPassword]. It also clears the account's failed
// logins, so a locked-out user can sign in with the new password at once;
// failures counted for client addresses stay. It returns ErrInvalidName, an
// error wrapping ErrInvalidPassword, or ErrNoUser.
func (s *Service) SetPassword(ctx context.Context, name, password string) error {
	norm, err := NormalizeName(name)
	if err != nil {
		return err
	}
	if err := CheckPassword(password); err != nil {
		return err
	}
	hash, err := s.hash(ctx, "set password", password)
	if err != nil {
		return err
	}
	now := s.now()
	err = s.st.UpdateUser(ctx, norm, func(u *User) error {
		u.PasswordHash, u.PasswordChangedAt = hash, now
		return nil
	})
	if err != nil {
		return storeError("set password", err)
	}
	if err := s.st.ClearFailures(ctx, accountKey(norm)); err != nil {
		return fmt.Errorf("account: set password: password set, but clearing failed logins: %w", err)
	}
	return nil
}

// Disable stops the account named name from logging in, whatever password
// is given; its data stays. Ending its existing sessions is the caller's
// job. Disabling a disabled account returns nil. It returns ErrInvalidName
// or ErrNoUser.
func (s *Service) Disable(ctx context.Context, name string) error {
	return s.setDisabled(ctx, "disable", name, true)
}

// Enable lets a disabled account log in again. Enabling an enabled account
// returns nil. It returns ErrInvalidName or ErrNoUser.
func (s *Service) Enable(ctx context.Context, name string) error {
	return s.setDisabled(ctx, "enable", name, false)
}

func (s *Service) setDisabled(ctx context.Context, op, name string, disabled bool) error {
	norm, err := NormalizeName(name)
	if err != nil {
		return err
	}
	err = s.st.UpdateUser(ctx, norm, func(u *User) error {
		u.Disabled = disabled
		return nil
	})
	return storeError(op, err)
}

// Unlock clears the failed logins counted for the account named name, which
// ends a throttling lock on it. Failures counted for client addresses stay.
// Unlocking an account with no failures, or an unknown name, returns nil.
// It returns ErrInvalidName for a name that cannot exist.
func (s *Service) Unlock(ctx context.Context, name string) error {
	norm, err := NormalizeName(name)
	if err != nil {
		return err
	}
	return storeError("unlock", s.st.ClearFailures(ctx, accountKey(norm)))
}

// User returns the account named name (normalized first). It returns
// ErrInvalidName or ErrNoUser. The result includes the password hash: do
// not show it.
func (s *Service) User(ctx context.Context, name string) (User, error) {
	norm, err := NormalizeName(name)
	if err != nil {
		return User{}, err
	}
	u, err := s.st.User(ctx, norm)
	if err != nil {
		return User{}, storeError("user", err)
	}
	return u, nil
}

// Users returns every account, sorted by name. The results include the
// password hashes: do not show them.
func (s *Service) Users(ctx context.Context) ([]User, error) {
	users, err := s.st.Users(ctx)
	if err != nil {
		return nil, storeError("users", err)
	}
	return users, nil
}

// now returns the time by Config.Now, in UTC, truncated to the microsecond
// every Store keeps.
func (s *Service) now() time.Time {
	return s.cfg.Now().UTC().Truncate(time.Microsecond)
}

// hash hashes password under Config.Params in a hash slot.
func (s *Service) hash(ctx context.Context, op, password string) (string, error) {
	var hash string
	err := s.withHashSlot(ctx, op, func() error {
		var err error
		hash, err = hashWith(s.derive, password, s.cfg.Params)
		return err
	})
	return hash, err
}

// withHashSlot runs fn while holding one of Config.MaxConcurrentHashes
// slots, waiting for one as long as ctx allows.
func (s *Service) withHashSlot(ctx context.Context, op string, fn func() error) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("account: %s: %w", op, err)
	}
	select {
	case s.slots <- struct{}{}:
	case <-ctx.Done():
		return fmt.Errorf("account: %s: waiting for a hash slot: %w", op, ctx.Err())
	}
	defer func() { <-s.slots }()
	return fn()
}

// storeError returns the outcome sentinels of the contract as they are and
// wraps every other failure of op, so nothing else reads as one of them.
func storeError(op string, err error) error {
	for _, sentinel := range []error{ErrNoUser, ErrUserExists} {
		if errors.Is(err, sentinel) {
			return sentinel
		}
	}
	if err == nil {
		return nil
	}
	return fmt.Errorf("account: %s: %w", op, err)
}
