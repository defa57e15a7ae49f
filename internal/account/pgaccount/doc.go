// Package pgaccount keeps sessiond's accounts ([account.Store]) in
// PostgreSQL, normally the same database as the sessions, so that every
// replica of the service sees the same users and the same login
// throttling. The caller owns the pool:
//
//	pool, err := pgxpool.New(ctx, "postgres://...") // the pool the session store uses
//	if err != nil {
//		return err
//	}
//	defer pool.Close()
//	st, err := pgaccount.New(ctx, pool, pgaccount.Config{})
//	if err != nil {
//		return err
//	}
//	defer st.Close() // stops the sweeper; pool stays open
//	svc, err := account.New(st, account.Config{})
//
// # Tables
//
// In Config.Schema ("public" by default):
//
//	sessiond_users            name (primary key, byte order), password_hash,
//	                          disabled, created_at, password_changed_at
//	sessiond_login_failures   key (primary key), count, last; indexed by last
//	sessiond_account_migrations  the applied schema versions
//
// Times are timestamptz, which keeps microseconds, as the contract asks.
// Names and keys are text: PostgreSQL refuses a NUL byte or invalid UTF-8
// in them with an error (never ErrNoUser); the Service's names and keys
// never contain either.
//
// # Migrations
//
// The schema is created and migrated by New itself, from SQL files
// embedded in the binary (migrations/*.sql), in one transaction that first
// takes a transaction-scoped advisory lock: replicas that start together
// migrate one after another, and the later ones find nothing to do. Each
// applied version is recorded in sessiond_account_migrations. A failed
// migration rolls back entirely, and New returns its error.
//
// # Atomicity
//
// CreateUser is one INSERT ... ON CONFLICT DO NOTHING. UpdateUser reads the
// row with SELECT ... FOR UPDATE and writes it in the same transaction, so
// concurrent updates of one account take turns and update is called once.
// AddFailure is one INSERT ... ON CONFLICT DO UPDATE that restarts or
// increments the count, so concurrent failures are all counted.
//
// # Sweeping
//
// Failed logins from ever new addresses leave one row each. A background
// sweeper deletes rows whose latest failure is older than Config.Forget (24
// hours by default) every Config.SweepEvery (10 minutes), in statements of
// at most 1000 rows, so a spray cannot grow the table without bound and a
// big backlog never holds many locks at once. Forgotten rows read as zero
// before any sweep; sweeping reclaims space only. Every replica sweeps;
// they skip each other's locked rows.
package pgaccount
