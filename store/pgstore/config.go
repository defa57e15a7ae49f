package pgstore

import (
	"fmt"
	"strings"
	"time"
)

// Config configures a Store. The zero Config is the recommended setup; set a
// field only to depart from it. New copies the Config, so changing it
// afterwards has no effect.
type Config struct {
	// Schema is the PostgreSQL schema that holds the sessions table and the
	// sessiond_migrations table. It must exist: New does not create
	// schemas, which would need the CREATE privilege on the whole database.
	// Empty means "public". Any name is allowed; it is always quoted.
	Schema string

	// Table is the name of the sessions table, created by New. Its indexes
	// are named after it with the suffixes "_user_id_idx" and
	// "_expires_at_idx". Empty means "sessiond_sessions". Any name of at
	// most 48 bytes is allowed, so that the index names fit PostgreSQL's
	// 63-byte limit on identifiers; it is always quoted.
	Table string

	// Now returns the current time, against which each record's ExpiresAt
	// is judged on every read and write: an expired record is invisible at
	// once, before any collection removes it. It is sent with each query,
	// never taken from the database's now(), so an injected clock governs
	// expiry and replicas agree as far as their clocks do. Nil means
	// time.Now. Tests set it.
	Now func() time.Time

	// CollectEvery is how often the background collector deletes expired
	// rows. It bounds the table's size only, never what is visible. Zero
	// means one minute. A negative value disables the background collector;
	// expired rows then stay in the table, still invisible, until something
	// calls [Store.Collect]. With several replicas on one table every
	// replica may collect: they skip the rows another one has locked.
	CollectEvery time.Duration

	// CollectBatch is the most expired rows one DELETE statement of a
	// collection removes. A collection of a large backlog commits batch
	// after batch, so it never holds many row locks or a long transaction.
	// Zero means 1000. New refuses a negative value.
	CollectBatch int
}

// Defaults for the zero fields of Config, and the limit on Table.
const (
	defaultSchema       = "public"
	defaultTable        = "sessiond_sessions"
	defaultCollectEvery = time.Minute
	defaultCollectBatch = 1000

	// maxTable leaves room in PostgreSQL's 63-byte identifiers for the
	// longest index suffix, "_expires_at_idx": a longer name would be
	// truncated silently, and two truncated names could collide.
	maxTable = 63 - len("_expires_at_idx")
	// maxIdentifier is PostgreSQL's limit (NAMEDATALEN-1).
	maxIdentifier = 63
)

// withDefaults returns cfg with its zero fields set to their defaults, or an
// error naming the first field New refuses.
func (cfg Config) withDefaults() (Config, error) {
	if cfg.Schema == "" {
		cfg.Schema = defaultSchema
	}
	if cfg.Table == "" {
		cfg.Table = defaultTable
	}
	switch {
	case cfg.CollectBatch < 0:
		return cfg, fmt.Errorf("Config.CollectBatch is %d, must not be negative", cfg.CollectBatch)
	case len(cfg.Schema) > maxIdentifier:
		return cfg, fmt.Errorf("Config.Schema is %d bytes long, must be at most %d", len(cfg.Schema), maxIdentifier)
	case len(cfg.Table) > maxTable:
		return cfg, fmt.Errorf("Config.Table is %d bytes long, must be at most %d", len(cfg.Table), maxTable)
	case strings.ContainsRune(cfg.Schema, 0):
		return cfg, fmt.Errorf("Config.Schema contains a NUL byte")
	case strings.ContainsRune(cfg.Table, 0):
		return cfg, fmt.Errorf("Config.Table contains a NUL byte")
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.CollectEvery == 0 {
		cfg.CollectEvery = defaultCollectEvery
	}
	if cfg.CollectBatch == 0 {
		cfg.CollectBatch = defaultCollectBatch
	}
	return cfg, nil
}
