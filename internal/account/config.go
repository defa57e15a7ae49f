package account

import (
	"fmt"
	"runtime"
	"time"
)

// Config configures a [Service]. The zero Config is the recommended
// production setup; set a field only to depart from it. [New] fills in the
// defaults, refuses unusable values with a *ConfigError, and keeps a copy:
// changing a Config after New has no effect.
type Config struct {
	// Params are the argon2id costs of new hashes, and the target that
	// older hashes are raised to at login. The zero value is OWASP's
	// recommendation (see [Params]).
	Params Params

	// AccountLimits throttle failures per account name, from any address.
	// Zero fields mean: Free 5, Base 30s, Max 1h, Forget 24h.
	AccountLimits Limits

	// IPLimits throttle failures per client address, for any names, which
	// is what stops password spraying (one password tried on many
	// accounts). Zero fields mean: Free 20, Base 30s, Max 1h, Forget 24h.
	IPLimits Limits

	// MaxConcurrentHashes bounds how many hashes run at once, and with
	// them memory: each holds Params.MemoryKiB (19 MiB by default) while it
	// runs. Further callers wait, for as long as their ctx allows. Zero
	// means runtime.GOMAXPROCS(0) as New finds it. New refuses a negative
	// value.
	MaxConcurrentHashes int

	// Now returns the current time, which throttling is judged by and
	// which CreatedAt and PasswordChangedAt record. Nil means time.Now.
	// Tests set it.
	Now func() time.Time
}

// withDefaults returns cfg with its zero fields set to their defaults.
func (cfg Config) withDefaults() Config {
	cfg.Params = cfg.Params.withDefaults()
	cfg.AccountLimits = cfg.AccountLimits.withDefaults(DefaultAccountFree)
	cfg.IPLimits = cfg.IPLimits.withDefaults(DefaultIPFree)
	setDefault(&cfg.MaxConcurrentHashes, runtime.GOMAXPROCS(0))
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return cfg
}

// check refuses unusable settings. cfg has its defaults.
func (cfg Config) check() error {
	if err := cfg.Params.check(); err != nil {
		return err
	}
	if err := cfg.AccountLimits.check("AccountLimits"); err != nil {
		return err
	}
	if err := cfg.IPLimits.check("IPLimits"); err != nil {
		return err
	}
	if cfg.MaxConcurrentHashes < 0 {
		return &ConfigError{Field: "MaxConcurrentHashes", Problem: fmt.Sprintf("must not be negative, got %d", cfg.MaxConcurrentHashes)}
	}
	return nil
}

// String describes the effective configuration, for logging at start-up.
// It holds no secrets.
func (cfg Config) String() string {
	c := cfg.withDefaults()
	limits := func(l Limits) string {
		return fmt.Sprintf("{Free:%d Base:%v Max:%v Forget:%v}", l.Free, l.Base, l.Max, l.Forget)
	}
	return fmt.Sprintf("account.Config{Params:{MemoryKiB:%d Iterations:%d Threads:%d} AccountLimits:%s IPLimits:%s MaxConcurrentHashes:%d}",
		c.Params.MemoryKiB, c.Params.Iterations, c.Params.Threads,
		limits(c.AccountLimits), limits(c.IPLimits), c.MaxConcurrentHashes)
}
