package pgaccount

import (
	"context"
	"embed"
	"fmt"
	"path"
	"slices"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// migrationFiles are the schema's versions, one file each, named
// "<version>_<what>.sql" with versions counting up from 1. A file is never
// edited once released: changes go into a new one.
//
//go:embed migrations/*.sql
var migrationFiles embed.FS

// migrationLock is the key of the transaction-scoped advisory lock that
// makes concurrent News (several replicas starting at once) migrate one
// after another: "sessacct" in ASCII.
const migrationLock int64 = 0x73657373_61636374

// migrationsTable records the applied versions, in the store's schema.
const migrationsTable = "sessiond_account_migrations"

type migration struct {
	version int
	name    string // the file name
	sql     string
}

// migrations returns the embedded migrations by version, and refuses a
// badly named, duplicated or missing version.
func migrations() ([]migration, error) {
	entries, err := migrationFiles.ReadDir("migrations")
	if err != nil {
		return nil, err
	}
	var ms []migration
	for _, e := range entries {
		prefix, _, ok := strings.Cut(e.Name(), "_")
		version, err := strconv.Atoi(prefix)
		if !ok || err != nil || version < 1 {
			return nil, fmt.Errorf("migration %s: name must be <version>_<what>.sql", e.Name())
		}
		sql, err := migrationFiles.ReadFile(path.Join("migrations", e.Name()))
		if err != nil {
			return nil, err
		}
		ms = append(ms, migration{version: version, name: e.Name(), sql: string(sql)})
	}
	slices.SortFunc(ms, func(a, b migration) int { return a.version - b.version })
	for i, m := range ms {
		if m.version != i+1 {
			return nil, fmt.Errorf("migration %s: version %d, want %d", m.name, m.version, i+1)
		}
	}
	return ms, nil
}

// migrate brings schema up to date in one transaction: it takes the
// advisory lock, creates the schema and the migrations table if they are
// missing, and applies and records every migration not yet recorded. Any
// failure rolls everything back. Versions recorded by a newer build are
// left as they are.
func migrate(ctx context.Context, pool *pgxpool.Pool, schema string) error {
	ms, err := migrations()
	if err != nil {
		return err
	}
	quoted := pgx.Identifier{schema}.Sanitize()
	table := pgx.Identifier{schema, migrationsTable}.Sanitize()
	return inTx(ctx, pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, migrationLock); err != nil {
			return fmt.Errorf("taking the migration lock: %w", err)
		}
		// Existing objects are looked up first, rather than with IF NOT
		// EXISTS, which needs the CREATE privilege even when there is
		// nothing to create: a role that may only use the tables can
		// start once an administrator has migrated.
		var hasSchema, hasTable bool
		err := tx.QueryRow(ctx, `SELECT
			EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1),
			to_regclass($2) IS NOT NULL`, schema, table).Scan(&hasSchema, &hasTable)
		if err != nil {
			return err
		}
		if !hasSchema {
			if _, err := tx.Exec(ctx, `CREATE SCHEMA IF NOT EXISTS `+quoted); err != nil {
				return err
			}
		}
		if !hasTable {
			_, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS `+table+` (
				version    integer PRIMARY KEY,
				name       text NOT NULL,
				applied_at timestamptz NOT NULL DEFAULT now())`)
			if err != nil {
				return err
			}
		}
		rows, err := tx.Query(ctx, `SELECT version FROM `+table)
		if err != nil {
			return err
		}
		applied, err := pgx.CollectRows(rows, pgx.RowTo[int32])
		if err != nil {
			return err
		}
		// The migration files name their tables without a schema.
		if _, err := tx.Exec(ctx, `SELECT set_config('search_path', $1, true)`, quoted); err != nil {
			return err
		}
		for _, m := range ms {
			if slices.Contains(applied, int32(m.version)) {
				continue
			}
			if _, err := tx.Exec(ctx, m.sql); err != nil {
				return fmt.Errorf("applying %s: %w", m.name, err)
			}
			if _, err := tx.Exec(ctx, `INSERT INTO `+table+` (version, name) VALUES ($1, $2)`, m.version, m.name); err != nil {
				return fmt.Errorf("recording %s: %w", m.name, err)
			}
		}
		return nil
	})
}
