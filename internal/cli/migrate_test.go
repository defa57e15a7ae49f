package cli

import (
	"context"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/sessiond/sessiond/internal/storeurl"
	"github.com/sessiond/sessiond/internal/testenv"
	"github.com/sessiond/sessiond/store"
)

// TestStoreMigrate moves a data directory's sessions and accounts into
// another store, twice (the second run resumes and skips everything), and
// checks that the sessions kept their keys, owners and data.
func TestStoreMigrate(t *testing.T) {
	data := t.TempDir()
	if code, _, stderr := run(t, "correct horse battery\n", "user", "add", "alice", "--password-stdin", "--data", data); code != 0 {
		t.Fatalf("user add: %s", stderr)
	}
	src, err := storeurl.Open(t.Context(), "", data, storeurl.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var recs []store.Record
	for i := range 25 {
		rec := store.Record{Key: store.Key{byte(i), 7}, UserID: "alice", ExpiresAt: time.Now().Add(time.Hour), Data: []byte{byte(i)}}
		if i%5 == 0 {
			rec.UserID = ""
		}
		if err := src.Sessions.Create(t.Context(), rec); err != nil {
			t.Fatal(err)
		}
		recs = append(recs, rec)
	}
	src.Close()

	dest := "bolt://" + filepath.Join(t.TempDir(), "new.db")
	for _, want := range []string{"(25 copied, 0 already there)", "(0 copied, 25 already there)"} {
		code, stdout, stderr := run(t, "", "store", "migrate", "--from", "", "--to", dest, "--data", data)
		if code != 0 || !strings.Contains(stdout, want) || !strings.Contains(stdout, "verified") || !strings.Contains(stderr, "25/25") {
			t.Fatalf("migrate: exit %d\nstdout %s\nstderr %s\nwant %q", code, stdout, stderr, want)
		}
	}

	dst, err := storeurl.Open(context.Background(), dest, t.TempDir(), storeurl.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer dst.Close()
	for _, want := range recs {
		got, err := dst.Sessions.Get(t.Context(), want.Key)
		if err != nil || got.UserID != want.UserID || string(got.Data) != string(want.Data) || !got.ExpiresAt.Equal(want.ExpiresAt.Truncate(time.Nanosecond)) {
			t.Fatalf("migrated record = %+v, %v; want %+v", got, err, want)
		}
	}
	if listed, err := dst.Sessions.ListUser(t.Context(), "alice"); err != nil || len(listed) != 20 {
		t.Fatalf("the user index in the destination lists %d sessions (%v), want 20", len(listed), err)
	}
	if _, err := dst.Accounts.User(t.Context(), "alice"); err != nil {
		t.Fatalf("account not migrated: %v", err)
	}
}

func TestStoreMigrateRefusesNonsense(t *testing.T) {
	for _, args := range [][]string{
		{"store"},
		{"store", "copy"},
	} {
		if code, _, _ := run(t, "", args...); code != 2 {
			t.Fatalf("sessiond %s: exit %d, want 2", strings.Join(args, " "), code)
		}
	}
	if code, _, stderr := run(t, "", "store", "migrate", "--from", "bolt:///x.db", "--to", "bolt:///x.db", "--data", t.TempDir()); code != 1 || !strings.Contains(stderr, "same store") {
		t.Fatalf("same store: exit %d, %s", code, stderr)
	}
}

// TestMigrateToPostgres moves the embedded store into PostgreSQL and then
// runs a command against the new store: accounts went along.
func TestMigrateToPostgres(t *testing.T) {
	dsn := testenv.NeedPostgres(t)
	schema := fmt.Sprintf("cli_%d", rand.Uint64())
	conn, err := pgx.Connect(t.Context(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(t.Context(), "CREATE SCHEMA "+schema); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Exec(context.Background(), "DROP SCHEMA "+schema+" CASCADE") })
	pg := dsn + map[bool]string{true: "&", false: "?"}[strings.Contains(dsn, "?")] + "schema=" + schema

	data := t.TempDir()
	run(t, "correct horse battery\n", "user", "add", "alice", "--password-stdin", "--data", data)
	if code, stdout, stderr := run(t, "", "store", "migrate", "--from", "", "--to", pg, "--data", data); code != 0 || !strings.Contains(stdout, "migrated 1 accounts") {
		t.Fatalf("migrate: exit %d %s %s", code, stdout, stderr)
	}
	if code, stdout, stderr := run(t, "", "user", "list", "--store", pg, "--data", t.TempDir()); code != 0 || !strings.Contains(stdout, "alice") {
		t.Fatalf("user list on postgres: exit %d %s %s", code, stdout, stderr)
	}
}
