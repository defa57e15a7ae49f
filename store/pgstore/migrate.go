package pgstore

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"strconv"
	"strings"
	"sync"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// migrationFiles are the schema's versions, one file each, named
// NNNN_description.sql and numbered from 0001 without gaps. A released
// file is never edited: a change to the schema is a new file.
//
//go:embed migrations/*.sql
var migrationFiles embed.FS

// migration is one embedded schema version.
type migration struct {
	version int
	name    string // the file name, recorded with the version
	sql     string // with {placeholders} for the quoted identifiers
}

// migrations returns the embedded migrations in version order, or an error
// if their names do not number them 1, 2, 3, … without gaps.
var migrations = sync.OnceValues(func() ([]migration, error) {
	entries, err := fs.ReadDir(migrationFiles, "migrations") // sorted by name
	if err != nil {
		return nil, err
	}
	var out []migration
	for _, e := range entries {
		num, _, ok := strings.Cut(e.Name(), "_")
		version, err := strconv.Atoi(num)
		if !ok || err != nil || len(num) != 4 || version != len(out)+1 {
			return nil, fmt.Errorf("embedded migration %q: want a name starting %04d_", e.Name(), len(out)+1)
		}
		sql, err := fs.ReadFile(migrationFiles, "migrations/"+e.Name())
		if err != nil {
			return nil, err
		}
		out = append(out, migration{version: version, name: e.Name(), sql: string(sql)})
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no embedded migrations")
	}
	return out, nil
})

// migrate brings the sessions table named by n up to the latest embedded
// version, in one transaction that commits every step or none.
//
//  1. Take a transaction-scoped advisory lock for the schema, so replicas
//     starting together migrate one after another; each later one finds
//     the work done. The lock is released by the commit or rollback.
//  2. Create the sessiond_migrations table if it does not exist. It is
//     checked first, so a role without the CREATE privilege can start
//     against a schema an administrator migrated.
//  3. Read the table's recorded version, and refuse one newer than this
//     build knows with ErrSchemaTooNew.
//  4. Run each later migration and record it.
func migrate(ctx context.Context, pool *pgxpool.Pool, n names) error {
	migs, err := migrations()
	if err != nil {
		return err
	}
	return pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock($1)", n.lockKey); err != nil {
			return fmt.Errorf("taking the migration lock: %w", err)
		}
		var exists bool
		if err := tx.QueryRow(ctx, "SELECT to_regclass($1) IS NOT NULL", n.migrations).Scan(&exists); err != nil {
			return err
		}
		if !exists {
			if _, err := tx.Exec(ctx, "CREATE TABLE "+n.migrations+` (
				table_name text        NOT NULL,
				version    integer     NOT NULL,
				name       text        NOT NULL,
				applied_at timestamptz NOT NULL DEFAULT now(),
				PRIMARY KEY (table_name, version)
			)`); err != nil {
				return fmt.Errorf("creating %s: %w", n.migrations, err)
			}
		}
		var current int
		err := tx.QueryRow(ctx, "SELECT coalesce(max(version), 0) FROM "+n.migrations+" WHERE table_name = $1",
			n.tableName).Scan(&current)
		if err != nil {
			return err
		}
		if latest := migs[len(migs)-1].version; current > latest {
			return fmt.Errorf("%s is at version %d, this build knows versions up to %d: %w",
				n.table, current, latest, ErrSchemaTooNew)
		}
		for _, m := range migs[current:] {
			if _, err := tx.Exec(ctx, n.expand(m.sql)); err != nil {
				return fmt.Errorf("migration %s: %w", m.name, err)
			}
			if _, err := tx.Exec(ctx, "INSERT INTO "+n.migrations+" (table_name, version, name) VALUES ($1, $2, $3)",
				n.tableName, m.version, m.name); err != nil {
				return fmt.Errorf("recording migration %s: %w", m.name, err)
			}
		}
		return nil
	})
}
