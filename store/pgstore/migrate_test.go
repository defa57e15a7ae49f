package pgstore

import (
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/sessiond/sessiond/store"
)

func TestEmbeddedMigrationsAreNumberedWithoutGaps(t *testing.T) {
	migs, err := migrations()
	if err != nil {
		t.Fatalf("migrations: %v", err)
	}
	for i, m := range migs {
		if m.version != i+1 {
			t.Errorf("migration %s has version %d, want %d", m.name, m.version, i+1)
		}
	}
}

// appliedVersions returns the versions recorded for table in schema.
func appliedVersions(t *testing.T, pool *pgxpool.Pool, schema, table string) []int {
	t.Helper()
	rows, err := pool.Query(t.Context(), "SELECT version FROM "+pgx.Identifier{schema, "sessiond_migrations"}.Sanitize()+
		" WHERE table_name = $1 ORDER BY version", table)
	if err != nil {
		t.Fatalf("reading sessiond_migrations: %v", err)
	}
	versions, err := pgx.CollectRows(rows, pgx.RowTo[int])
	if err != nil {
		t.Fatalf("reading sessiond_migrations: %v", err)
	}
	return versions
}

// wantMigratedOnce fails t unless every embedded migration is recorded for
// table exactly once.
func wantMigratedOnce(t *testing.T, pool *pgxpool.Pool, schema, table string) {
	t.Helper()
	migs, _ := migrations()
	got := appliedVersions(t, pool, schema, table)
	if len(got) != len(migs) {
		t.Fatalf("recorded versions %v, want 1 to %d once each", got, len(migs))
	}
}

func TestMigrationsAreIdempotent(t *testing.T) {
	pool := testPool(t, nil)
	schema := newSchema(t, pool, "")
	first := newTestStore(t, pool, Config{Schema: schema, CollectEvery: -1})
	rec := testRecord(1, time.Now().Add(time.Hour))
	if err := first.Create(t.Context(), rec); err != nil {
		t.Fatalf("Create: %v", err)
	}
	second := newTestStore(t, pool, Config{Schema: schema, CollectEvery: -1})
	if _, err := second.Get(t.Context(), rec.Key); err != nil {
		t.Fatalf("Get through a second Store on the same table: %v", err)
	}
	wantMigratedOnce(t, pool, schema, defaultTable)
}

// TestConcurrentNewMigratesOnce starts eight replicas at once on an empty
// schema, each with its own connection: the advisory lock must let exactly
// one migrate while the others wait and then find the work done. Without
// it, concurrent CREATE TABLE statements fail or record a version twice.
func TestConcurrentNewMigratesOnce(t *testing.T) {
	const replicas = 8
	pool := testPool(t, func(cfg *pgxpool.Config) { cfg.MaxConns = replicas + 1 })
	schema := newSchema(t, pool, "")
	var wg sync.WaitGroup
	for range replicas {
		wg.Go(func() {
			s, err := New(t.Context(), pool, Config{Schema: schema, CollectEvery: -1})
			if err != nil {
				t.Errorf("New: %v", err)
				return
			}
			s.Close()
		})
	}
	wg.Wait()
	wantMigratedOnce(t, pool, schema, defaultTable)
}

// TestTablesInOneSchemaMigrateSeparately proves versions are recorded per
// table: a second table in a schema is created, not taken as migrated.
func TestTablesInOneSchemaMigrateSeparately(t *testing.T) {
	pool := testPool(t, nil)
	schema := newSchema(t, pool, "")
	for _, table := range []string{"a", "b"} {
		s := newTestStore(t, pool, Config{Schema: schema, Table: table, CollectEvery: -1})
		if err := s.Create(t.Context(), testRecord(1, time.Now().Add(time.Hour))); err != nil {
			t.Fatalf("Create in table %s: %v", table, err)
		}
		wantMigratedOnce(t, pool, schema, table)
	}
}

// TestNewRefusesASchemaFromANewerBuild records a version this build does
// not know, as a newer sessiond would, and expects New to refuse the table,
// with an error that does not read as "no session", and to change nothing.
func TestNewRefusesASchemaFromANewerBuild(t *testing.T) {
	pool := testPool(t, nil)
	schema := newSchema(t, pool, "")
	newTestStore(t, pool, Config{Schema: schema, CollectEvery: -1})
	migs, _ := migrations()
	future := migs[len(migs)-1].version + 1
	_, err := pool.Exec(t.Context(), "INSERT INTO "+pgx.Identifier{schema, "sessiond_migrations"}.Sanitize()+
		" (table_name, version, name) VALUES ($1, $2, 'from_the_future.sql')", defaultTable, future)
	if err != nil {
		t.Fatalf("recording a future version: %v", err)
	}
	_, err = New(t.Context(), pool, Config{Schema: schema, CollectEvery: -1})
	if !errors.Is(err, ErrSchemaTooNew) || errors.Is(err, store.ErrNotFound) {
		t.Fatalf("New on a newer schema = %v, want ErrSchemaTooNew", err)
	}
	if got := appliedVersions(t, pool, schema, defaultTable); len(got) != len(migs)+1 {
		t.Fatalf("refused New changed the recorded versions to %v", got)
	}
}

// TestNewNeedsAnExistingSchema proves New does not create schemas (which
// needs a database-wide privilege) and says what is missing.
func TestNewNeedsAnExistingSchema(t *testing.T) {
	pool := testPool(t, nil)
	s, err := New(t.Context(), pool, Config{Schema: "pgstore_test_does_not_exist"})
	if err == nil {
		s.Close()
		t.Fatalf("New in a missing schema succeeded")
	}
	// invalid_schema_name: the server's own "schema ... does not exist".
	if pgErr := (*pgconn.PgError)(nil); !errors.As(err, &pgErr) || pgErr.Code != "3F000" {
		t.Fatalf("New in a missing schema = %v, want the server's invalid_schema_name error", err)
	}
}
