package pgstore

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/sessiond/sessiond/store"
)

// benchSessions is how many sessions the benchmark table holds: enough
// that the primary key's B-tree has several levels, few enough to fill in
// a second or two.
const benchSessions = 100_000

// BenchmarkGet bounds the cost of loading a session, which every request
// with a cookie pays, against the physical floor measured in the same run
// on the same table: raw pgx reading the data column by primary key. The
// gap is what the Store adds: the expiry check, three more columns and
// building the Record. Both run one statement per iteration on one
// goroutine, so each is one round trip on loopback.
//
//	go test -run '^$' -bench BenchmarkGet -count 6 ./store/pgstore/
func BenchmarkGet(b *testing.B) {
	pool := testPool(b, nil)
	schema := newSchema(b, pool, "")
	s := newTestStore(b, pool, Config{Schema: schema, CollectEvery: -1})
	keys := benchFill(b, pool, pgx.Identifier{schema, defaultTable})
	ctx := b.Context()

	b.Run("pgstore", func(b *testing.B) {
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			if _, err := s.Get(ctx, keys[i%len(keys)]); err != nil {
				b.Fatalf("Get: %v", err)
			}
			i++
		}
	})
	b.Run("raw_pgx", func(b *testing.B) {
		query := "SELECT data FROM " + s.table + " WHERE key = $1"
		b.ReportAllocs()
		i := 0
		var data []byte
		for b.Loop() {
			key := keys[i%len(keys)]
			if err := pool.QueryRow(ctx, query, key[:]).Scan(&data); err != nil {
				b.Fatalf("SELECT: %v", err)
			}
			i++
		}
	})
}

// benchFill fills the sessions table with benchSessions live sessions of 256 bytes
// of data, four per user, with COPY, and returns the keys of 4096 of them
// spread over the key space.
func benchFill(b testing.TB, pool *pgxpool.Pool, table pgx.Identifier) []store.Key {
	b.Helper()
	start := time.Now()
	data := bytes.Repeat([]byte{'d'}, 256)
	expires := start.Add(24 * time.Hour)
	keys := make([]store.Key, 0, 4096)
	rows := make([][]any, benchSessions)
	for i := range rows {
		key := sha256.Sum256(binary.AppendUvarint(nil, uint64(i)))
		if i%(benchSessions/cap(keys)) == 0 && len(keys) < cap(keys) {
			keys = append(keys, key)
		}
		userID := fmt.Appendf(nil, "user-%08d", i/4)
		rows[i] = []any{key[:], userID, int64(1), expires.Add(time.Duration(i) * time.Millisecond), data}
	}
	columns := []string{"key", "user_id", "version", "expires_at", "data"}
	if _, err := pool.CopyFrom(b.Context(), table, columns, pgx.CopyFromRows(rows)); err != nil {
		b.Fatalf("COPY: %v", err)
	}
	if _, err := pool.Exec(b.Context(), "ANALYZE "+table.Sanitize()); err != nil {
		b.Fatalf("ANALYZE: %v", err)
	}
	b.Logf("filled %d sessions in %v", benchSessions, time.Since(start).Round(time.Millisecond))
	return keys
}
