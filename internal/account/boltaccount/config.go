package boltaccount

import (
	"fmt"
	"time"
)

// Config configures a Store. The zero Config is the recommended setup; set
// a field only to depart from it. New copies the Config, so changing it
// afterwards has no effect.
type Config struct {
	// SweepEvery is how often the background sweeper deletes forgotten
	// throttling entries (see Forget). It bounds disk use only: forgotten
	// entries already read as zero. Zero means 10 minutes. A negative
	// value disables the background sweeper; call [Store.Sweep] instead.
	SweepEvery time.Duration

	// Forget is how old the latest failure of a throttling entry must be
	// before the sweeper deletes the entry, so that failed logins from
	// ever new addresses (a spray from a botnet) cannot grow the file
	// without bound. Zero means 24 hours. Keep it at least as long as the
	// longest Limits.Forget of the account.Service, or the sweeper would
	// forget failures that still count. New refuses a negative value.
	Forget time.Duration

	// Now returns the current time, which the sweeper judges entries by.
	// Nil means time.Now. Tests set it. The Store's methods take their
	// times as arguments and never call it.
	Now func() time.Time
}

// Defaults for the zero fields of Config.
const (
	defaultSweepEvery = 10 * time.Minute
	defaultForget     = 24 * time.Hour
)

// withDefaults returns cfg with its zero fields set to their defaults, or an
// error naming the first field New refuses.
func (cfg Config) withDefaults() (Config, error) {
	if cfg.Forget < 0 {
		return cfg, fmt.Errorf("Config.Forget is %v, must not be negative", cfg.Forget)
	}
	if cfg.SweepEvery == 0 {
		cfg.SweepEvery = defaultSweepEvery
	}
	if cfg.Forget == 0 {
		cfg.Forget = defaultForget
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return cfg, nil
}
