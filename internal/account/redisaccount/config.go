package redisaccount

import (
	"fmt"
	"strings"
	"time"
)

// Config configures a Store. The zero Config is the recommended setup; set
// a field only to depart from it. New copies the Config, so changing it
// afterwards has no effect.
type Config struct {
	// Prefix starts every key of the store, so that several deployments
	// (or the tests) can share one Redis. Empty means "sessiond:". New
	// refuses a prefix containing '{' or '}', which would change the hash
	// tag that keeps every key in one Cluster slot.
	Prefix string

	// Forget is how long a throttling entry lives after its latest
	// failure before Redis deletes it, so that failed logins from ever new
	// addresses cannot grow memory without bound. Zero means 24 hours. An
	// AddFailure whose own forget is longer uses that instead, so an entry
	// never disappears while it still counts; still, keep Forget at least
	// as long as the longest Limits.Forget of the account.Service. New
	// refuses a negative value.
	Forget time.Duration
}

// Defaults for the zero fields of Config.
const (
	defaultPrefix = "sessiond:"
	defaultForget = 24 * time.Hour
)

// withDefaults returns cfg with its zero fields set to their defaults, or an
// error naming the first field New refuses.
func (cfg Config) withDefaults() (Config, error) {
	if strings.ContainsAny(cfg.Prefix, "{}") {
		return cfg, fmt.Errorf("Config.Prefix %q contains '{' or '}', which would break the {accounts} hash tag", cfg.Prefix)
	}
	if cfg.Forget < 0 {
		return cfg, fmt.Errorf("Config.Forget is %v, must not be negative", cfg.Forget)
	}
	if cfg.Prefix == "" {
		cfg.Prefix = defaultPrefix
	}
	if cfg.Forget == 0 {
		cfg.Forget = defaultForget
	}
	return cfg, nil
}
