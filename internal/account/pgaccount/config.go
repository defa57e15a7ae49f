package pgaccount

import (
	"fmt"
	"strings"
	"time"
)

// Config configures a Store. The zero Config is the recommended setup; set
// a field only to depart from it. New copies the Config, so changing it
// afterwards has no effect.
type Config struct {
	// Schema is the PostgreSQL schema that holds the store's tables. Empty
	// means "public". New creates it if it does not exist. It is quoted
	// wherever it is used, so it is taken exactly as written, case
	// included. New refuses a name longer than PostgreSQL's 63 bytes,
	// which the server would silently shorten.
	Schema string

	// Forget is how old the latest failure of a throttling row must be
	// before the sweeper deletes the row, so that failed logins from ever
	// new addresses (a spray from a botnet) cannot grow the table without
	// bound. Zero means 24 hours. Keep it at least as long as the longest
	// Limits.Forget of the account.Service, or the sweeper would forget
	// failures that still count. New refuses a negative value.
	Forget time.Duration

	// SweepEvery is how often the background sweeper deletes forgotten
	// throttling rows (see Forget). It bounds disk use only: forgotten rows
	// already read as zero. Zero means 10 minutes. A negative value
	// disables the background sweeper; call [Store.Sweep] instead, or
	// leave it to another replica.
	SweepEvery time.Duration

	// Now returns the current time, which the sweeper judges rows by. Nil
	// means time.Now. Tests set it. The Store's other methods take their
	// times as arguments and never call it.
	Now func() time.Time
}

// Defaults for the zero fields of Config.
const (
	defaultSchema     = "public"
	defaultForget     = 24 * time.Hour
	defaultSweepEvery = 10 * time.Minute

	// maxIdentifier is PostgreSQL's NAMEDATALEN-1.
	maxIdentifier = 63
)

// withDefaults returns cfg with its zero fields set to their defaults, or an
// error naming the first field New refuses.
func (cfg Config) withDefaults() (Config, error) {
	switch {
	case len(cfg.Schema) > maxIdentifier:
		return cfg, fmt.Errorf("Config.Schema is %d bytes long, PostgreSQL allows %d", len(cfg.Schema), maxIdentifier)
	case strings.ContainsRune(cfg.Schema, 0):
		return cfg, fmt.Errorf("Config.Schema %q contains a NUL byte", cfg.Schema)
	case cfg.Forget < 0:
		return cfg, fmt.Errorf("Config.Forget is %v, must not be negative", cfg.Forget)
	}
	if cfg.Schema == "" {
		cfg.Schema = defaultSchema
	}
	if cfg.Forget == 0 {
		cfg.Forget = defaultForget
	}
	if cfg.SweepEvery == 0 {
		cfg.SweepEvery = defaultSweepEvery
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return cfg, nil
}
