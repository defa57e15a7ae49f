package pgaccount

import (
	"slices"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/sessiond/sessiond/internal/account"
)

// TestNewIsIdempotent proves a restart migrates nothing twice and keeps
// the data: the second New finds every version recorded.
func TestNewIsIdempotent(t *testing.T) {
	ctx := t.Context()
	pool := testPool(t)
	schema := freshSchema(t, pool)
	first := mustNew(t, pool, Config{Schema: schema, SweepEvery: -1})
	if err := first.CreateUser(ctx, account.User{Name: "alice"}); err != nil {
		t.Fatalf("CreateUser: %v", err)
	}
	first.Close()

	second := mustNew(t, pool, Config{Schema: schema, SweepEvery: -1})
	if _, err := second.User(ctx, "alice"); err != nil {
		t.Fatalf("after a second New, User = %v, want alice", err)
	}
	wantMigrated(t, pool, schema)
}

// TestConcurrentNewsMigrateOnce proves replicas starting together are
// safe: the advisory lock makes their migrations take turns, so every New
// succeeds and each version is applied and recorded exactly once, even
// when the schema itself does not exist yet.
func TestConcurrentNewsMigrateOnce(t *testing.T) {
	ctx := t.Context()
	pool := testPool(t)
	schema := freshSchema(t, pool)
	const replicas = 8
	stores := make([]*Store, replicas)
	var wg sync.WaitGroup
	for i := range stores {
		wg.Go(func() {
			s, err := New(ctx, pool, Config{Schema: schema, SweepEvery: -1})
			if err != nil {
				t.Errorf("New #%d: %v", i+1, err)
				return
			}
			t.Cleanup(func() { s.Close() })
			stores[i] = s
		})
	}
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}
	wantMigrated(t, pool, schema)
	// Every replica sees what another wrote.
	if err := stores[0].CreateUser(ctx, account.User{Name: "alice"}); err != nil {
		t.Fatalf("CreateUser: %v", err)
	}
	for i, s := range stores {
		if _, err := s.User(ctx, "alice"); err != nil {
			t.Fatalf("replica %d: User = %v, want alice", i+1, err)
		}
	}
}

// TestFailedMigrationChangesNothing proves a migration that cannot apply
// rolls back whole: New fails, and neither the migrations table nor any
// version is left behind to make the next start skip it.
func TestFailedMigrationChangesNothing(t *testing.T) {
	ctx := t.Context()
	pool := testPool(t)
	schema := freshSchema(t, pool)
	// A table of the same name that is not ours makes CREATE TABLE fail.
	_, err := pool.Exec(ctx, `CREATE SCHEMA `+pgx.Identifier{schema}.Sanitize()+`;
		CREATE TABLE `+pgx.Identifier{schema, "sessiond_users"}.Sanitize()+` (id int)`)
	if err != nil {
		t.Fatalf("preparing the schema: %v", err)
	}
	if s, err := New(ctx, pool, Config{Schema: schema, SweepEvery: -1}); err == nil {
		s.Close()
		t.Fatal("New over a conflicting table succeeded")
	}
	var exists bool
	table := pgx.Identifier{schema, migrationsTable}.Sanitize()
	if err := pool.QueryRow(ctx, `SELECT to_regclass($1) IS NOT NULL`, table).Scan(&exists); err != nil || exists {
		t.Fatalf("after a failed migration, %s exists = %v, %v; want it rolled back", table, exists, err)
	}
}

// wantMigrated fails t unless schema records every embedded migration
// exactly once.
func wantMigrated(t *testing.T, pool *pgxpool.Pool, schema string) {
	t.Helper()
	ms, err := migrations()
	if err != nil {
		t.Fatalf("migrations: %v", err)
	}
	rows, err := pool.Query(t.Context(), `SELECT version FROM `+pgx.Identifier{schema, migrationsTable}.Sanitize()+` ORDER BY version`)
	if err != nil {
		t.Fatalf("reading the applied versions: %v", err)
	}
	got, err := pgx.CollectRows(rows, pgx.RowTo[int])
	if err != nil {
		t.Fatalf("reading the applied versions: %v", err)
	}
	var want []int
	for _, m := range ms {
		want = append(want, m.version)
	}
	if !slices.Equal(got, want) {
		t.Fatalf("applied versions = %v, want each of %v once", got, want)
	}
}

// TestNamesAndKeysUseByteOrder proves the columns are declared COLLATE
// "C", so Users sorts byte-wise and the primary keys compare bytes on any
// server, whatever the database's default collation (the suite alone
// cannot tell on a server whose default is already byte order).
func TestNamesAndKeysUseByteOrder(t *testing.T) {
	pool := testPool(t)
	schema := freshSchema(t, pool)
	mustNew(t, pool, Config{Schema: schema, SweepEvery: -1})
	for _, col := range []struct{ table, column string }{
		{"sessiond_users", "name"},
		{"sessiond_login_failures", "key"},
	} {
		var collation string
		err := pool.QueryRow(t.Context(), `SELECT coalesce(collation_name, '') FROM information_schema.columns
			WHERE table_schema = $1 AND table_name = $2 AND column_name = $3`, schema, col.table, col.column).Scan(&collation)
		if err != nil || collation != "C" {
			t.Errorf("collation of %s.%s = %q, %v, want \"C\"", col.table, col.column, collation, err)
		}
	}
}
