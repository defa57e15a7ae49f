package account

import (
	"fmt"
	"time"
)

// Limits shape the throttling of one scope (an account, or a client
// address): the first Free failures cost nothing; after that, each failure
// locks the scope for Base*2^(n-Free-1), capped at Max, where n counts the
// failures so far; failures older than Forget are forgotten, and a success
// on the account forgets the account's failures (never the address's).
//
// With the account defaults (Free 5, Base 30s, Max 1h, Forget 24h) the 6th
// consecutive failure locks the account for 30 seconds, the 7th for one
// minute, the 8th for two, and so on up to an hour per attempt: an online
// guesser gets about 30 guesses a day (OWASP Authentication Cheat Sheet,
// "Login Throttling"; NIST SP 800-63B §5.2.2 allows at most 100). The lock
// is temporary, never a permanent lockout, so an attacker cannot disable an
// account for good by failing on purpose.
type Limits struct {
	// Free is how many failures are allowed before any lock. Zero means
	// the scope's default (5 per account, 20 per address).
	Free int
	// Base is the lock after failure Free+1; each further failure doubles
	// it. Zero means 30 seconds.
	Base time.Duration
	// Max caps the lock. Zero means one hour. New refuses a Max below Base.
	Max time.Duration
	// Forget is how long a failure counts: once the latest failure is this
	// old, the count starts again from zero. Zero means 24 hours. New
	// refuses a Forget below Max, which would end locks early.
	Forget time.Duration
}

// Defaults of Limits per scope.
const (
	DefaultAccountFree = 5
	DefaultIPFree      = 20
	DefaultBase        = 30 * time.Second
	DefaultMax         = time.Hour
	DefaultForget      = 24 * time.Hour
)

// withDefaults returns l with its zero fields set, Free to free.
func (l Limits) withDefaults(free int) Limits {
	setDefault(&l.Free, free)
	setDefault(&l.Base, DefaultBase)
	setDefault(&l.Max, DefaultMax)
	setDefault(&l.Forget, DefaultForget)
	return l
}

// check refuses unusable limits; field is "AccountLimits" or "IPLimits".
// l has its defaults.
func (l Limits) check(field string) error {
	refuse := func(sub, problem string, args ...any) error {
		return &ConfigError{Field: field + "." + sub, Problem: fmt.Sprintf(problem, args...)}
	}
	switch {
	case l.Free < 0:
		return refuse("Free", "must not be negative, got %d", l.Free)
	case l.Base < 0:
		return refuse("Base", "must not be negative, got %v", l.Base)
	case l.Max < l.Base:
		return refuse("Max", "%v is shorter than Base %v", l.Max, l.Base)
	case l.Forget < l.Max:
		return refuse("Forget", "%v is shorter than Max %v: locks would end early", l.Forget, l.Max)
	}
	return nil
}

// backoff returns how long the scope is locked after its n-th failure:
// zero for the first Free, then Base*2^(n-Free-1) capped at Max.
func (l Limits) backoff(n int) time.Duration {
	if n <= l.Free {
		return 0
	}
	d := l.Base
	for i := n - l.Free - 1; i > 0 && d < l.Max; i-- {
		if d > l.Max/2 { // doubling would pass Max, or overflow
			return l.Max
		}
		d *= 2
	}
	return min(d, l.Max)
}

// retryAfter returns how long until f allows an attempt at now, or zero if
// one is allowed: the scope is locked while f.Count > Free and now is
// before f.Last + backoff(f.Count).
func (l Limits) retryAfter(f Failures, now time.Time) time.Duration {
	until := f.Last.Add(l.backoff(f.Count))
	if !now.Before(until) {
		return 0
	}
	return until.Sub(now)
}

func setDefault[T comparable](field *T, value T) {
	var zero T
	if *field == zero {
		*field = value
	}
}
