package pgaccount

import (
	"fmt"

	"github.com/jackc/pgx/v5"
)

// queries holds the store's SQL, with the table names qualified by the
// configured schema and quoted, so that no statement depends on the
// connection's search_path.
type queries struct {
	createUser, user, userForUpdate, updateUser, users string
	addFailure, failures, clearFailures, sweep         string
}

func newQueries(schema string) queries {
	users := pgx.Identifier{schema, "sessiond_users"}.Sanitize()
	failures := pgx.Identifier{schema, "sessiond_login_failures"}.Sanitize()
	const userColumns = `password_hash, disabled, created_at, password_changed_at`
	return queries{
		createUser: fmt.Sprintf(`INSERT INTO %s (name, %s) VALUES ($1, $2, $3, $4, $5)
			ON CONFLICT (name) DO NOTHING`, users, userColumns),
		user:          fmt.Sprintf(`SELECT %s FROM %s WHERE name = $1`, userColumns, users),
		userForUpdate: fmt.Sprintf(`SELECT %s FROM %s WHERE name = $1 FOR UPDATE`, userColumns, users),
		updateUser: fmt.Sprintf(`UPDATE %s SET password_hash = $2, disabled = $3, created_at = $4,
			password_changed_at = $5 WHERE name = $1`, users),
		users: fmt.Sprintf(`SELECT name, %s FROM %s ORDER BY name COLLATE "C"`, userColumns, users),

		// $3 is now-forget: a row whose latest failure is older restarts
		// at 1. Concurrent upserts of one key wait for each other's row
		// lock and then see the committed count, so none is lost.
		addFailure: fmt.Sprintf(`INSERT INTO %s AS f (key, count, last) VALUES ($1, 1, $2)
			ON CONFLICT (key) DO UPDATE SET
				count = CASE WHEN f.last < $3 THEN 1 ELSE LEAST(f.count, %d) + 1 END,
				last = excluded.last
			RETURNING count, last`, failures, maxCount-1),
		failures:      fmt.Sprintf(`SELECT count, last FROM %s WHERE key = $1`, failures),
		clearFailures: fmt.Sprintf(`DELETE FROM %s WHERE key = $1`, failures),
		// SKIP LOCKED: a row a login is updating right now is not
		// forgotten anyway; the next sweep sees it.
		sweep: fmt.Sprintf(`DELETE FROM %[1]s WHERE key IN (
			SELECT key FROM %[1]s WHERE last < $1 LIMIT $2 FOR UPDATE SKIP LOCKED)`, failures),
	}
}

// maxCount is where a count stops growing: the largest integer column
// value.
const maxCount = 1<<31 - 1
