package boltstore

import (
	"context"
	"io"

	bolt "go.etcd.io/bbolt"
)

// Backup writes a consistent copy of the whole database file to w and
// returns the number of bytes written. The copy is a snapshot of the last
// commit before Backup began, taken in a read transaction, so the Store
// keeps serving reads and writes meanwhile; Open accepts the copy as a
// store of its own.
//
// The copy holds every record, expired ones not yet swept included, with
// its token hash and data: protect it like the live file (Open creates that
// with mode 0600). While Backup runs, a write that must grow the file waits
// for it to finish (bbolt remaps the file only when no reader is open), and
// so does Close. A Backup that fails leaves w holding a partial copy.
func (s *Store) Backup(w io.Writer) (int64, error) {
	var n int64
	err := s.usable(context.Background(), "backup")
	if err != nil {
		return 0, err
	}
	err = s.db.View(func(tx *bolt.Tx) error {
		var err error
		n, err = tx.WriteTo(w)
		return err
	})
	return n, failure("backup", err)
}
