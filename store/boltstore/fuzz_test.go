package boltstore

import (
	"bytes"
	"errors"
	"testing"

	"github.com/sessiond/sessiond/store"
)

// FuzzDecodeRecord feeds the record decoder arbitrary bytes, as a damaged
// disk or a tampered file could hold. The property: decodeRecord never
// panics, and either rejects the value with ErrCorrupt (never ErrNotFound:
// damage must not read as "no session") or accepts a value that re-encodes
// to exactly the same bytes, so that no two encodings mean one record.
// The seed corpus is in testdata/fuzz/FuzzDecodeRecord.
func FuzzDecodeRecord(f *testing.F) {
	f.Fuzz(func(t *testing.T, val []byte) {
		rec, err := decodeRecord(val)
		if err != nil {
			if !errors.Is(err, ErrCorrupt) || errors.Is(err, store.ErrNotFound) {
				t.Fatalf("decodeRecord(%x) = %v, want an error wrapping ErrCorrupt only", val, err)
			}
			return
		}
		if got := appendRecord(nil, rec); !bytes.Equal(got, val) {
			t.Fatalf("decodeRecord(%x) = %+v, which re-encodes to %x", val, rec, got)
		}
	})
}
