package boltstore

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sessiond/sessiond/store"
)

// TestBackupWhileWriting proves Backup is online and consistent: taken
// while another goroutine keeps creating records, it yields a file that
// Open accepts, that passes bbolt's and the index checks, and that holds
// every record written before it began and a gapless prefix of the ones
// written during it (a snapshot of one commit, not a torn copy).
func TestBackupWhileWriting(t *testing.T) {
	const before = 200
	ctx := t.Context()
	expires := time.Now().Add(time.Hour)
	s, _ := openTest(t, Config{})
	for i := range before {
		if err := s.Create(ctx, testRecord(i, expires)); err != nil {
			t.Fatalf("Create: %v", err)
		}
	}

	var (
		wg      sync.WaitGroup
		stop    = make(chan struct{})
		started = make(chan struct{})
		during  int // records the writer created; read after wg.Wait
	)
	wg.Go(func() {
		for i := before; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			if err := s.Create(ctx, testRecord(i, expires)); err != nil {
				t.Errorf("Create during Backup: %v", err)
				return
			}
			if during++; during == 1 {
				close(started)
			}
		}
	})
	<-started // the writer is mid-stream when Backup begins

	path := filepath.Join(t.TempDir(), "backup.db")
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_EXCL, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	n, err := s.Backup(f)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	close(stop)
	wg.Wait()
	if err != nil {
		t.Fatalf("Backup: %v", err)
	}
	if fi, err := os.Stat(path); err != nil || fi.Size() != n {
		t.Fatalf("Backup returned %d bytes, file holds %v (%v)", n, fi.Size(), err)
	}

	backup := mustOpen(t, path, Config{SweepEvery: -1}) // checks the file on cleanup
	checkFile(t, backup)
	seen := map[store.Key]bool{}
	for rec, err := range backup.All(ctx) {
		if err != nil {
			t.Fatalf("All on the backup: %v", err)
		}
		seen[rec.Key] = true
	}
	last := before - 1 + during
	inBackup := 0
	for i := 0; i <= last; i++ {
		switch rec := testRecord(i, expires); {
		case seen[rec.Key]:
			if got, err := backup.Get(ctx, rec.Key); err != nil || !equalRecords(got, rec) {
				t.Fatalf("backup record %d = %+v, %v, want %+v", i, got, err, rec)
			}
			if inBackup != i {
				t.Fatalf("backup holds record %d but not record %d: not a snapshot", i, inBackup)
			}
			inBackup++
		case i < before:
			t.Fatalf("backup lacks record %d, created before Backup began", i)
		}
	}
	if inBackup != len(seen) {
		t.Fatalf("backup holds %d records, %d of them never created", len(seen), len(seen)-inBackup)
	}
	t.Logf("backup holds %d records; %d were created during the backup", inBackup, during)
}

// TestBackupFailureIsReported proves a failing writer surfaces as an error
// that names the operation and its cause and never reads as "no session".
// (bbolt formats the cause with %s, so errors.Is cannot find it.)
func TestBackupFailureIsReported(t *testing.T) {
	s, _ := openTest(t, Config{})
	_, err := s.Backup(failingWriter{})
	if err == nil || errors.Is(err, store.ErrNotFound) ||
		!strings.Contains(err.Error(), "boltstore: backup: ") || !strings.Contains(err.Error(), errDiskFull.Error()) {
		t.Fatalf("Backup to a failing writer = %v, want a backup error saying %q", err, errDiskFull)
	}
}

var errDiskFull = errors.New("disk full")

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errDiskFull }
