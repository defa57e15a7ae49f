package pgstore

import (
	"hash/fnv"
	"strings"

	"github.com/jackc/pgx/v5"
)

// names are the identifiers a Store's SQL uses, quoted once in New so that
// no configured name is ever spliced into SQL unquoted.
type names struct {
	tableName  string // Config.Table as configured, the key of its migrations
	table      string // "schema"."table"
	migrations string // "schema"."sessiond_migrations"
	userIdx    string // "table_user_id_idx", unqualified as CREATE INDEX wants
	expiresIdx string // "table_expires_at_idx"
	lockKey    int64  // the advisory lock that serializes migrations in the schema
}

func newNames(schema, table string) names {
	h := fnv.New64a()
	h.Write([]byte("sessiond/pgstore migrations\x00" + schema))
	return names{
		tableName:  table,
		table:      pgx.Identifier{schema, table}.Sanitize(),
		migrations: pgx.Identifier{schema, "sessiond_migrations"}.Sanitize(),
		userIdx:    pgx.Identifier{table + "_user_id_idx"}.Sanitize(),
		expiresIdx: pgx.Identifier{table + "_expires_at_idx"}.Sanitize(),
		lockKey:    int64(h.Sum64()),
	}
}

// expand replaces the placeholders of a migration with n's identifiers. The
// replacer makes one pass, so a name that happens to contain a placeholder
// is not expanded again.
func (n names) expand(sql string) string {
	return strings.NewReplacer(
		"{table}", n.table,
		"{user_id_idx}", n.userIdx,
		"{expires_at_idx}", n.expiresIdx,
	).Replace(sql)
}

// queries are the statements of a Store, built once in New. Every one that
// judges expiry takes the Store's Now as a parameter: the database's now()
// is never used, so an injected clock governs expiry.
type queries struct {
	get, create, update, delete string
	listUser, deleteUser        string
	all, collect                string
}

func newQueries(n names) queries {
	t := n.table
	return queries{
		// $1 key, $2 now.
		get: `SELECT user_id, version, expires_at, data FROM ` + t + `
			WHERE key = $1 AND expires_at > $2`,

		// $1 key, $2 user_id, $3 expires_at, $4 data, $5 now. A conflicting
		// row is locked and replaced only if it has expired; a live one is
		// left alone and the statement affects no row, which means
		// ErrExists.
		create: `INSERT INTO ` + t + ` AS t (key, user_id, version, expires_at, data)
			VALUES ($1, $2, 1, $3, $4)
			ON CONFLICT (key) DO UPDATE
				SET user_id = excluded.user_id, version = 1, expires_at = excluded.expires_at, data = excluded.data
				WHERE t.expires_at <= $5`,

		// $1 key, $2 now, $3 expected version, $4 user_id, $5 expires_at,
		// $6 data. cur locks the live row, waiting for a concurrent writer
		// and then reading its latest version, so found and updated always
		// describe the same row: missing or expired (not found), present at
		// another version (conflict), or updated. A concurrent delete makes
		// cur empty rather than stale.
		update: `WITH cur AS (
				SELECT key, version FROM ` + t + `
				WHERE key = $1 AND expires_at > $2
				FOR NO KEY UPDATE
			), upd AS (
				UPDATE ` + t + ` AS t
				SET user_id = $4, version = $3 + 1, expires_at = $5, data = $6
				FROM cur WHERE t.key = $1 AND t.key = cur.key AND cur.version = $3
				RETURNING 1
			)
			SELECT EXISTS (SELECT FROM cur), EXISTS (SELECT FROM upd)`,

		// $1 key.
		delete: `DELETE FROM ` + t + ` WHERE key = $1`,

		// $1 user_id, $2 now. The literal user_id <> '' lets the planner
		// prove the partial index applies, in generic plans too.
		listUser: `SELECT key, version, expires_at, data FROM ` + t + `
			WHERE user_id = $1 AND user_id <> '' AND expires_at > $2`,

		// $1 user_id, $2 the key to spare or NULL, $3 now. Every row of the
		// user goes, expired ones too; only live ones are counted.
		deleteUser: `WITH gone AS (
				DELETE FROM ` + t + `
				WHERE user_id = $1 AND user_id <> '' AND key IS DISTINCT FROM $2
				RETURNING expires_at
			)
			SELECT count(*) FROM gone WHERE expires_at > $3`,

		// $1 the last key of the previous page ('' before the first), $2
		// now, $3 page size. Keyset pagination on the primary key: each page
		// is a short statement of its own, and no key is yielded twice.
		all: `SELECT key, user_id, version, expires_at, data FROM ` + t + `
			WHERE key > $1 AND expires_at > $2
			ORDER BY key LIMIT $3`,

		// $1 now, $2 batch size. The oldest expired rows first, skipping
		// rows that another replica's collector or a writer has locked.
		collect: `DELETE FROM ` + t + ` WHERE key IN (
				SELECT key FROM ` + t + `
				WHERE expires_at <= $1
				ORDER BY expires_at LIMIT $2
				FOR UPDATE SKIP LOCKED
			)`,
	}
}
