package account

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Authenticate checks a login: that name and password identify an enabled
// account, and that the account and the client's address ip may try at
// all. It returns the account, or ErrBadCredentials, a *ThrottledError, or
// another error if the store or ctx failed. ip is the client's address as
// the caller determined it (after trusted-proxy handling); "" skips
// throttling by address.
//
// The steps, each of which has a test:
//
//  1. Normalize the name (see [NormalizeName]). An invalid name is treated
//     exactly like an unknown one: same error, same hashing work, and
//     throttled under a key of its own.
//  2. Check throttling, before any hashing: key "user:"+name under
//     Config.AccountLimits and "ip:"+ip under Config.IPLimits. If either is
//     locked, return a *ThrottledError naming it (the longer wait if
//     both are) without verifying the password. This applies whether or
//     not the account exists, so being throttled reveals nothing.
//  3. Look up the account. For an unknown name, verify the password
//     against a dummy hash New made with the same Params, so the answer
//     takes as long as for a real account (OWASP Authentication Cheat
//     Sheet, "Authentication Responses"); the same goes for an account
//     without a password. A disabled account's password is verified too,
//     and the result ignored. All three count as failures and return
//     ErrBadCredentials.
//  4. On a wrong password, record a failure under both keys and return
//     ErrBadCredentials: the identical value for every kind of failure.
//     On the right password, clear the account's failures only: never the
//     address's, or a password sprayer could reset the per-address count
//     by logging into an account of their own. If the hash is weaker than
//     Config.Params (see [NeedsRehash]), store a new one; a concurrent
//     password change wins over this rehash.
//  5. Hash only while holding one of Config.MaxConcurrentHashes slots,
//     waiting as long as ctx allows. Once it has a slot the attempt checks
//     throttling again, so a burst of parallel guesses queued behind the
//     slots cannot slip past a lock that the first of them triggered.
//  6. Return store errors wrapped, never as ErrBadCredentials: an outage
//     must not look like a wrong password, nor a wrong password like an
//     outage. A stored hash that does not parse (damaged data) is an error
//     wrapping ErrMalformedHash, not a failed login.
//
// A failure is recorded even if ctx is canceled after the password was
// verified (with a few seconds' grace of its own), so an attacker cannot
// escape the count by disconnecting as soon as the answer is known.
func (s *Service) Authenticate(ctx context.Context, name, password, ip string) (User, error) {
	return s.login(ctx, "authenticate", name, password, ip)
}

// ChangePassword replaces the password of the account named name by next,
// after checking current exactly as [Service.Authenticate] checks a login
// (throttled, and a wrong current password counts as a failed login). next
// must pass [CheckPassword], which is checked first. It returns an error
// wrapping ErrInvalidPassword, ErrBadCredentials, a *ThrottledError, or a
// store error. Other sessions of the account are the caller's to end.
func (s *Service) ChangePassword(ctx context.Context, name, current, next, ip string) error {
	const op = "change password"
	if err := CheckPassword(next); err != nil {
		return err
	}
	u, err := s.login(ctx, op, name, current, ip)
	if err != nil {
		return err
	}
	hash, err := s.hash(ctx, op, next)
	if err != nil {
		return err
	}
	now := s.now()
	err = s.st.UpdateUser(ctx, u.Name, func(cur *User) error {
		// The check above holds only for the hash it verified: an
		// administrator may have reset or disabled the account since.
		if cur.PasswordHash != u.PasswordHash || cur.Disabled {
			return ErrBadCredentials
		}
		cur.PasswordHash, cur.PasswordChangedAt = hash, now
		return nil
	})
	if errors.Is(err, ErrBadCredentials) {
		return ErrBadCredentials
	}
	return storeError(op, err)
}

// failureGrace bounds recording a failure after the caller's ctx ended.
const failureGrace = 5 * time.Second

// login is Authenticate, with op naming the operation in errors.
func (s *Service) login(ctx context.Context, op, name, password, ip string) (User, error) {
	norm, nameErr := NormalizeName(name)
	keys := throttleKeys{account: accountKey(norm), ip: ipKey(ip)}
	if nameErr != nil {
		keys.account = invalidNameKey(name)
	}
	if err := s.throttled(ctx, op, keys); err != nil {
		return User{}, err
	}

	var u User
	known := false
	if nameErr == nil {
		var err error
		switch u, err = s.st.User(ctx, norm); {
		case err == nil:
			known = true
		case !errors.Is(err, ErrNoUser):
			return User{}, fmt.Errorf("account: %s: %w", op, err)
		}
	}
	encoded := s.dummy
	if known && u.PasswordHash != "" {
		encoded = u.PasswordHash
	}
	usable := known && !u.Disabled && u.PasswordHash != ""

	var ok bool
	var rehash string
	err := s.withHashSlot(ctx, op, func() error {
		if err := s.throttled(ctx, op, keys); err != nil {
			return err
		}
		var err error
		if ok, err = verifyWith(s.derive, encoded, password); err != nil {
			return fmt.Errorf("account: %s: stored password hash of %q: %w", op, norm, err)
		}
		if !ok || !usable {
			// Recorded before the slot is released, so that an attempt
			// queued behind this one sees the lock this failure may start.
			if err := s.recordFailure(ctx, keys); err != nil {
				return fmt.Errorf("account: %s: recording a failed login: %w", op, err)
			}
			return ErrBadCredentials
		}
		if NeedsRehash(encoded, s.cfg.Params) {
			rehash, err = hashWith(s.derive, password, s.cfg.Params)
		}
		return err
	})
	if err != nil {
		return User{}, err
	}
	if err := s.st.ClearFailures(ctx, keys.account); err != nil {
		return User{}, fmt.Errorf("account: %s: clearing failed logins: %w", op, err)
	}
	if rehash != "" {
		if err := s.storeRehash(ctx, &u, rehash); err != nil {
			return User{}, fmt.Errorf("account: %s: storing a stronger hash: %w", op, err)
		}
	}
	return u, nil
}

// errHashChanged aborts a rehash whose account changed its password since
// the login read it.
var errHashChanged = errors.New("account: password changed concurrently")

// storeRehash replaces u's hash by rehash, unless it changed meanwhile, and
// updates u to match what is stored.
func (s *Service) storeRehash(ctx context.Context, u *User, rehash string) error {
	err := s.st.UpdateUser(ctx, u.Name, func(cur *User) error {
		if cur.PasswordHash != u.PasswordHash {
			return errHashChanged
		}
		cur.PasswordHash = rehash
		return nil
	})
	switch {
	case errors.Is(err, errHashChanged):
		return nil
	case err != nil:
		return err
	}
	u.PasswordHash = rehash
	return nil
}
