package boltstore

import (
	"fmt"
	"time"
)

// Config configures a Store. The zero Config is the recommended setup; set a
// field only to depart from it. Open copies the Config, so changing it
// afterwards has no effect.
type Config struct {
	// Now returns the current time, against which each record's ExpiresAt
	// is judged on every read and write: an expired record is invisible at
	// once, before any sweep removes it. Nil means time.Now. Tests set it.
	Now func() time.Time

	// SweepEvery is how often the background sweeper removes expired
	// records from the file. It bounds disk use only, never what is
	// visible. Zero means one minute. A negative value disables the
	// background sweeper; expired records then stay on disk, still
	// invisible, until something calls [Store.Sweep].
	SweepEvery time.Duration

	// SweepBatch is the most expired records a sweep removes in one write
	// transaction. A sweep of a large backlog commits batch after batch,
	// so no request waits for the write lock longer than one batch takes.
	// Zero means 1000. Open refuses a negative value.
	SweepBatch int

	// LockTimeout is how long Open waits for the database file's lock when
	// another process (or another Store in this process) holds it, before
	// failing with [ErrLocked]. Zero means one second. Open refuses a
	// negative value: waiting forever would hang a second instance
	// silently instead of telling its operator why.
	LockTimeout time.Duration
}

// Defaults for the zero fields of Config.
const (
	defaultSweepEvery  = time.Minute
	defaultSweepBatch  = 1000
	defaultLockTimeout = time.Second
)

// withDefaults returns cfg with its zero fields set to their defaults, or an
// error naming the first field Open refuses.
func (cfg Config) withDefaults() (Config, error) {
	switch {
	case cfg.SweepBatch < 0:
		return cfg, fmt.Errorf("Config.SweepBatch is %d, must not be negative", cfg.SweepBatch)
	case cfg.LockTimeout < 0:
		return cfg, fmt.Errorf("Config.LockTimeout is %v, must not be negative", cfg.LockTimeout)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.SweepEvery == 0 {
		cfg.SweepEvery = defaultSweepEvery
	}
	if cfg.SweepBatch == 0 {
		cfg.SweepBatch = defaultSweepBatch
	}
	if cfg.LockTimeout == 0 {
		cfg.LockTimeout = defaultLockTimeout
	}
	return cfg, nil
}
