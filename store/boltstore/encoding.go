package boltstore

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/sessiond/sessiond/store"
)

// A record's value in the records bucket (the key is the record's Key):
//
//	uvarint  Version, at least 1
//	8 bytes  ExpiresAt as an instant (see appendInstant)
//	uvarint  length of UserID
//	n bytes  UserID
//	rest     Data
//
// Every field has exactly one encoding: decodeRecord refuses non-minimal
// varints, so a value it accepts re-encodes to the same bytes. Values are
// read from disk, so decodeRecord treats them as untrusted: it never panics
// and reports damage as [ErrCorrupt], never as [store.ErrNotFound].

// instantLen is the size of an encoded instant.
const instantLen = 8

// The instants that Unix nanoseconds can represent, about the years 1678
// and 2262. ExpiresAt outside them is clamped to them (see nanos).
var (
	minInstant = time.Unix(0, math.MinInt64)
	maxInstant = time.Unix(0, math.MaxInt64)
)

// nanos returns t as Unix nanoseconds, clamped to what an int64 holds. The
// clamp changes no expiry decision for a clock inside the range: a time
// before 1678 has passed and a time after 2262 has not.
func nanos(t time.Time) int64 {
	switch {
	case t.Before(minInstant):
		return math.MinInt64
	case t.After(maxInstant):
		return math.MaxInt64
	}
	return t.UnixNano()
}

// appendInstant appends the instant n (Unix nanoseconds) to dst: 8 bytes,
// big-endian, with the sign bit flipped, so that the byte order of encoded
// instants is their time order, negative ones included. The expiry index
// relies on that to walk oldest first.
func appendInstant(dst []byte, n int64) []byte {
	return binary.BigEndian.AppendUint64(dst, uint64(n)^(1<<63))
}

// instant reads what appendInstant wrote. b must hold instantLen bytes.
func instant(b []byte) int64 {
	return int64(binary.BigEndian.Uint64(b) ^ (1 << 63))
}

// appendRecord appends the encoding of rec, without its Key, to dst.
func appendRecord(dst []byte, rec store.Record) []byte {
	dst = binary.AppendUvarint(dst, rec.Version)
	dst = appendInstant(dst, nanos(rec.ExpiresAt))
	dst = binary.AppendUvarint(dst, uint64(len(rec.UserID)))
	dst = append(dst, rec.UserID...)
	return append(dst, rec.Data...)
}

// decodeRecord decodes a value written by appendRecord. The Key of the
// result is left zero for the caller to fill in. The result shares no
// memory with val, which may be a page of the memory-mapped file.
func decodeRecord(val []byte) (store.Record, error) {
	version, rest, err := uvarint(val)
	if err != nil {
		return store.Record{}, corrupt("version: %v", err)
	}
	if version == 0 {
		return store.Record{}, corrupt("version 0")
	}
	if len(rest) < instantLen {
		return store.Record{}, corrupt("expiry: %d bytes left, want %d", len(rest), instantLen)
	}
	expires := instant(rest)
	rest = rest[instantLen:]
	n, rest, err := uvarint(rest)
	if err != nil {
		return store.Record{}, corrupt("user ID length: %v", err)
	}
	if n > uint64(len(rest)) {
		return store.Record{}, corrupt("user ID of %d bytes, only %d left", n, len(rest))
	}
	rec := store.Record{
		UserID:    string(rest[:n]),
		ExpiresAt: time.Unix(0, expires),
		Version:   version,
	}
	if data := rest[n:]; len(data) > 0 {
		rec.Data = append([]byte(nil), data...)
	}
	return rec, nil
}

// uvarint reads a minimally encoded uvarint from the start of b and returns
// it with the bytes after it.
func uvarint(b []byte) (uint64, []byte, error) {
	v, n := binary.Uvarint(b)
	switch {
	case n == 0:
		return 0, nil, errors.New("truncated varint")
	case n < 0:
		return 0, nil, errors.New("varint overflows 64 bits")
	case n > 1 && b[n-1] == 0:
		// A trailing zero group adds nothing: another encoding of a
		// shorter varint, which would not re-encode to the same bytes.
		return 0, nil, errors.New("non-minimal varint")
	}
	return v, b[n:], nil
}

// corrupt returns an error wrapping ErrCorrupt that says what is wrong.
func corrupt(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrCorrupt, fmt.Sprintf(format, args...))
}
