package redisstore

import (
	"fmt"
	"strings"
	"time"
)

// Config configures a Store. The zero Config is the recommended setup for a
// deployment that accepts losing the last writes on a failover; set
// WaitReplicas for one that does not. New copies the Config, so changing it
// afterwards has no effect.
type Config struct {
	// Prefix starts the name of every key the Store uses, so that several
	// stores, or other data, can share one Redis database. Empty means
	// "sessiond:". New refuses a Prefix containing "{" or "}": Redis Cluster
	// would take them as a hash tag and move every key into one slot.
	Prefix string

	// Now returns the current time, against which each record's ExpiresAt
	// is judged on every read and write: an expired record is invisible at
	// once, whatever Redis still holds. Nil means time.Now. Tests set it.
	// Redis's own key expiry only collects garbage: each key is given a TTL
	// of ExpiresAt minus Now, so the clocks of the servers never decide
	// whether a session is live.
	Now func() time.Time

	// WaitReplicas is how many replicas must acknowledge every write before
	// Create, Update, Delete or DeleteUser returns success: each write is
	// followed by WAIT in the same round trip. A write that fewer replicas
	// acknowledged within WaitTimeout fails with an error wrapping
	// [ErrNotReplicated], so that a login or a logout is never reported done
	// while a failover could still undo it. Zero, the default, does not
	// wait: a failover may then lose the writes of its last moments. New
	// refuses a negative value.
	WaitReplicas int

	// WaitTimeout bounds how long one write waits for WaitReplicas
	// acknowledgements. Zero means one second. New refuses a negative value,
	// and a value not below the client's ReadTimeout, which would make the
	// client give up on the connection before Redis answers. It is rounded
	// up to whole milliseconds, and Redis enforces it at the pace of its
	// hz setting (every 100 ms by default), so a failing write may take that
	// much longer. Unused when WaitReplicas is zero.
	WaitTimeout time.Duration
}

// Defaults for the zero fields of Config.
const (
	defaultPrefix      = "sessiond:"
	defaultWaitTimeout = time.Second
)

// withDefaults returns cfg with its zero fields set to their defaults, or an
// error naming the first field New refuses. readTimeout is the client's
// read timeout, or zero if it has none.
func (cfg Config) withDefaults(readTimeout time.Duration) (Config, error) {
	switch {
	case strings.ContainsAny(cfg.Prefix, "{}"):
		return cfg, fmt.Errorf("Config.Prefix %q contains { or }, which would change the keys' hash slots", cfg.Prefix)
	case cfg.WaitReplicas < 0:
		return cfg, fmt.Errorf("Config.WaitReplicas is %d, must not be negative", cfg.WaitReplicas)
	case cfg.WaitTimeout < 0:
		return cfg, fmt.Errorf("Config.WaitTimeout is %v, must not be negative", cfg.WaitTimeout)
	}
	if cfg.Prefix == "" {
		cfg.Prefix = defaultPrefix
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.WaitTimeout == 0 {
		cfg.WaitTimeout = defaultWaitTimeout
	}
	// WAIT takes whole milliseconds, and WAIT n 0 would wait forever.
	cfg.WaitTimeout = (cfg.WaitTimeout + time.Millisecond - 1).Truncate(time.Millisecond)
	if cfg.WaitReplicas > 0 && readTimeout > 0 && cfg.WaitTimeout >= readTimeout {
		return cfg, fmt.Errorf("Config.WaitTimeout is %v, must be below the client's ReadTimeout of %v", cfg.WaitTimeout, readTimeout)
	}
	return cfg, nil
}
