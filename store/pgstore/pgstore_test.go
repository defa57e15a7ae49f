package pgstore

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/sessiond/sessiond/store"
	"github.com/sessiond/sessiond/store/storetest"
)

// TestStore runs the conformance suite, each subtest in a schema of its own.
func TestStore(t *testing.T) {
	pool := testPool(t, nil)
	storetest.Run(t, func(t *testing.T, now func() time.Time) store.Store {
		return newTestStore(t, pool, Config{Now: now})
	})
}

// TestStoreOverTheSimpleProtocol runs the suite again through a pool that
// sends every statement with the simple query protocol, as deployments
// behind PgBouncer in transaction mode must: no statement may rely on
// server-side prepared statements or on parameter types only they infer.
func TestStoreOverTheSimpleProtocol(t *testing.T) {
	pool := testPool(t, func(cfg *pgxpool.Config) {
		cfg.ConnConfig.DefaultQueryExecMode = pgx.QueryExecModeSimpleProtocol
	})
	storetest.Run(t, func(t *testing.T, now func() time.Time) store.Store {
		return newTestStore(t, pool, Config{Now: now})
	})
}

// TestGetIsOneStatement bounds what loading a session costs: one statement,
// so one round trip once the pool has a connection.
func TestGetIsOneStatement(t *testing.T) {
	counter := &queryCounter{}
	pool := testPool(t, func(cfg *pgxpool.Config) { cfg.ConnConfig.Tracer = counter })
	s := newTestStore(t, pool, Config{CollectEvery: -1})
	rec := testRecord(1, time.Now().Add(time.Hour))
	if err := s.Create(t.Context(), rec); err != nil {
		t.Fatalf("Create: %v", err)
	}
	for i := range 3 { // the first Get on a connection prepares the statement too
		before := counter.n.Load()
		if _, err := s.Get(t.Context(), rec.Key); err != nil {
			t.Fatalf("Get: %v", err)
		}
		if n := counter.n.Load() - before; n != 1 {
			t.Fatalf("Get number %d sent %d statements, want 1", i+1, n)
		}
	}
}

// TestNamesAreQuoted proves a schema and a table whose names need quoting
// (quotes, spaces, capitals, SQL) work, and that the longest allowed table
// name gets indexes whose names PostgreSQL does not shorten.
func TestNamesAreQuoted(t *testing.T) {
	pool := testPool(t, nil)
	schema := newSchema(t, pool, ` "Odd" Ünï`)
	tables := []string{
		`Sessions "x"; DROP TABLE y; --`,
		strings.Repeat("t", maxTable),
	}
	for _, table := range tables {
		s := newTestStore(t, pool, Config{Schema: schema, Table: table})
		rec := testRecord(1, time.Now().Add(time.Hour))
		if err := s.Create(t.Context(), rec); err != nil {
			t.Fatalf("Create in %s: %v", s.table, err)
		}
		if got, err := s.ListUser(t.Context(), rec.UserID); err != nil || len(got) != 1 {
			t.Fatalf("ListUser in %s = %d records, %v, want 1", s.table, len(got), err)
		}
		var indexes int
		err := pool.QueryRow(t.Context(), `SELECT count(*) FROM pg_indexes WHERE schemaname = $1 AND indexname IN ($2, $3)`,
			schema, table+"_user_id_idx", table+"_expires_at_idx").Scan(&indexes)
		if err != nil || indexes != 2 {
			t.Fatalf("indexes of %s named as documented = %d, %v, want 2", s.table, indexes, err)
		}
	}
}

func TestNewRefusesABadConfig(t *testing.T) {
	pool := testPool(t, nil)
	tests := []struct {
		name string
		cfg  Config
	}{
		{"negative_collect_batch", Config{CollectBatch: -1}},
		// PostgreSQL would shorten these names silently.
		{"schema_longer_than_63_bytes", Config{Schema: strings.Repeat("s", 64)}},
		{"table_too_long_for_its_index_names", Config{Table: strings.Repeat("t", maxTable+1)}},
		// pgx would drop the NUL, so two names would mean one table.
		{"nul_in_the_schema", Config{Schema: "a\x00b"}},
		{"nul_in_the_table", Config{Table: "a\x00b"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if s, err := New(t.Context(), pool, tc.cfg); err == nil {
				s.Close()
				t.Fatalf("New(%+v) succeeded, want an error", tc.cfg)
			}
		})
	}
	if _, err := New(t.Context(), nil, Config{}); err == nil {
		t.Fatalf("New with a nil pool succeeded")
	}
}

// TestUpdateOfADeletedRecordIsNotFound proves Update reports the row it
// saw: after a delete it is not found, never a conflict.
func TestUpdateOfADeletedRecordIsNotFound(t *testing.T) {
	pool := testPool(t, nil)
	s := newTestStore(t, pool, Config{CollectEvery: -1})
	for _, version := range []uint64{0, 1, 2, 3, 1 << 63, 1<<64 - 1} {
		rec := testRecord(int(version%1000), time.Now().Add(time.Hour))
		if err := s.Create(t.Context(), rec); err != nil {
			t.Fatalf("Create: %v", err)
		}
		rec.Version = version
		if err := s.Update(t.Context(), rec); version == 2 && err != nil || version != 2 && !errors.Is(err, store.ErrConflict) {
			t.Fatalf("Update to version %d of a record at version 1 = %v", version, err)
		}
		if err := s.Delete(t.Context(), rec.Key); err != nil {
			t.Fatalf("Delete: %v", err)
		}
		if err := s.Update(t.Context(), rec); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("Update to version %d of a deleted record = %v, want ErrNotFound", version, err)
		}
	}
}
