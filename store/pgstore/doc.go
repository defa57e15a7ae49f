// Package pgstore keeps sessions in a PostgreSQL table, reached through a
// pgx connection pool (github.com/jackc/pgx/v5/pgxpool). Use it to share
// sessions between several sessiond replicas, or several instances of an
// application, that already run PostgreSQL.
//
//	pool, err := pgxpool.New(ctx, "postgres://sessiond@db/sessiond")
//	if err != nil {
//		return err
//	}
//	defer pool.Close() // after st.Close: the caller owns the pool
//	st, err := pgstore.New(ctx, pool, pgstore.Config{})
//	if err != nil {
//		return err // e.g. pgstore.ErrSchemaTooNew: a newer build migrated the table
//	}
//	defer st.Close()
//
// # Schema and migrations
//
// New creates and migrates its table by itself, from SQL files embedded in
// the binary (migrations/NNNN_*.sql), in one transaction that holds a
// PostgreSQL advisory lock: replicas starting at once migrate one after
// another, and all but the first find nothing to do. Applied versions are
// recorded per table in the schema's sessiond_migrations table. A table
// migrated by a newer build is refused with [ErrSchemaTooNew] rather than
// used with a schema this build does not understand. Once the table is at
// the latest version New needs no DDL privilege, so an administrator may
// run the first New and the service may run as a role that can only read
// and write rows.
//
// The table (sessiond_sessions by default, see [Config]) has one row per
// session: key (bytea, the SHA-256 of the session token, never the token
// itself; the primary key), user_id (bytea, empty for anonymous sessions),
// version, expires_at (timestamptz) and data (bytea). An index on user_id,
// leaving out anonymous sessions, serves listing and revoking a user's
// sessions; one on expires_at serves the collector.
//
// # Cost of each operation
//
// Get, Create, Update, Delete, ListUser and DeleteUser are one statement
// and one round trip each, in autocommit; none opens a transaction. Update
// is a compare-and-swap on the version column in a single statement that
// locks the live row first, so it reports [store.ErrNotFound] or
// [store.ErrConflict] for the row it actually saw. All reads pages of 256
// rows by key, a statement per page. Nothing relies on server-side
// prepared statements, so a pool in any pgx QueryExecMode works, including
// the simple protocol that PgBouncer in transaction mode needs.
//
// # Expiry and collection
//
// Every statement that judges expiry compares expires_at with the Store's
// Config.Now, sent as a parameter; the database's clock is never used. An
// expired row is invisible at once. A background collector deletes expired
// rows every Config.CollectEvery, at most Config.CollectBatch rows per
// statement and oldest first, skipping rows that are locked (FOR UPDATE
// SKIP LOCKED), so a large backlog is removed in short statements that
// never lock the table or hold up requests, and several replicas may
// collect at once. [Store.Collect] runs a collection on demand.
//
// PostgreSQL keeps timestamps to the microsecond. ExpiresAt is stored
// truncated to a microsecond, and expiry is judged at that precision.
//
// # Failure modes
//
// The Store fails closed. Only a missing or expired row reads as
// [store.ErrNotFound]; an unreachable or restarting server, a closed pool,
// a timeout and a closed Store are errors that never satisfy
// errors.Is(err, store.ErrNotFound), so a caller cannot mistake an outage
// for "no session". Each method honours its ctx: a deadline ends a
// waiting query and the error wraps context.DeadlineExceeded. After a
// restart of the server the pool replaces its broken connections by
// itself, and calls succeed again without intervention.
package pgstore
