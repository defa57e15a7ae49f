package redisstore

import (
	"encoding/binary"
	"fmt"
	"math"
	"time"

	"github.com/sessiond/sessiond/store"
)

// A record's value, under <prefix>s:{<hex of Key>}:
//
//	1 byte   format, 1
//	8 bytes  Version, big-endian
//	8 bytes  ExpiresAt as an instant (see instant), big-endian
//	4 bytes  length n of UserID, big-endian
//	n bytes  UserID
//	rest     Data
//
// The header has fixed offsets so that the Lua scripts (scripts.go) can read
// the version, expiry and owner with string.sub and struct.unpack. Values
// are read from a shared server, so decodeRecord treats them as untrusted:
// it never panics and reports damage as [ErrCorrupt], never as
// [store.ErrNotFound].
const (
	formatV1  = 1
	headerLen = 1 + 8 + instantLen + 4
	// instantLen is the size of an encoded instant.
	instantLen = 8
)

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

// instant returns the instant n (Unix nanoseconds) as an unsigned number
// whose order is time order, negative instants included: n with the sign
// bit flipped. Records store it big-endian, and the scripts compare its two
// 32-bit halves, which Lua's doubles hold exactly, against those of Now.
func instant(n int64) uint64 {
	return uint64(n) ^ (1 << 63)
}

// halves splits the instant of t into the two numbers the scripts compare.
func halves(t time.Time) (hi, lo uint32) {
	u := instant(nanos(t))
	return uint32(u >> 32), uint32(u)
}

// ceilMillis returns t as Unix milliseconds, rounded up: the index score of
// a record expiring at t. A record is live only while Now < ExpiresAt, so
// it is live only while floorMillis(Now) < ceilMillis(ExpiresAt), and an
// index entry whose score is at most floorMillis(Now) is certainly dead.
func ceilMillis(t time.Time) int64 {
	n := nanos(t)
	ms := n / 1e6
	if n%1e6 > 0 {
		ms++
	}
	return ms
}

// floorMillis returns t as Unix milliseconds, rounded down.
func floorMillis(t time.Time) int64 {
	n := nanos(t)
	ms := n / 1e6
	if n%1e6 < 0 {
		ms--
	}
	return ms
}

// ttlMillis returns how many milliseconds a key for a record expiring at
// expires should live from now: the time left, rounded up, at least 1. It
// returns 0 if the record has already expired and must not be stored.
func ttlMillis(expires, now time.Time) int64 {
	left := expires.Sub(now)
	if left <= 0 {
		return 0
	}
	return int64((left + time.Millisecond - 1) / time.Millisecond)
}

// appendRecord appends the value of rec, without its Key, to dst.
func appendRecord(dst []byte, rec store.Record) []byte {
	dst = append(dst, formatV1)
	dst = binary.BigEndian.AppendUint64(dst, rec.Version)
	dst = binary.BigEndian.AppendUint64(dst, instant(nanos(rec.ExpiresAt)))
	dst = binary.BigEndian.AppendUint32(dst, uint32(len(rec.UserID)))
	dst = append(dst, rec.UserID...)
	return append(dst, rec.Data...)
}

// versionBytes returns v as the scripts compare it with a stored version.
func versionBytes(v uint64) string {
	return string(binary.BigEndian.AppendUint64(nil, v))
}

// decodeRecord decodes a value written by appendRecord as the record under
// key. The result's Data shares no memory with val.
func decodeRecord(key store.Key, val string) (store.Record, error) {
	if len(val) < headerLen {
		return store.Record{}, corrupt("%d bytes, shorter than the %d-byte header", len(val), headerLen)
	}
	if val[0] != formatV1 {
		return store.Record{}, corrupt("format %d, want %d", val[0], formatV1)
	}
	version := be64(val[1:])
	if version == 0 {
		return store.Record{}, corrupt("version 0")
	}
	expires := int64(be64(val[9:]) ^ (1 << 63))
	n := uint64(be32(val[9+instantLen:]))
	rest := val[headerLen:]
	if n > uint64(len(rest)) {
		return store.Record{}, corrupt("user ID of %d bytes, only %d left", n, len(rest))
	}
	rec := store.Record{
		Key:       key,
		UserID:    rest[:n],
		ExpiresAt: time.Unix(0, expires),
		Version:   version,
	}
	if data := rest[n:]; len(data) > 0 {
		rec.Data = []byte(data)
	}
	return rec, nil
}

// be32 reads a big-endian uint32 from the start of s, which holds at
// least 4 bytes.
func be32(s string) uint32 {
	_ = s[3]
	return uint32(s[0])<<24 | uint32(s[1])<<16 | uint32(s[2])<<8 | uint32(s[3])
}

// be64 reads a big-endian uint64 from the start of s, which holds at
// least 8 bytes.
func be64(s string) uint64 {
	_ = s[7]
	return uint64(s[0])<<56 | uint64(s[1])<<48 | uint64(s[2])<<40 | uint64(s[3])<<32 |
		uint64(s[4])<<24 | uint64(s[5])<<16 | uint64(s[6])<<8 | uint64(s[7])
}

// corrupt returns an error wrapping ErrCorrupt that says what is wrong.
func corrupt(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrCorrupt, fmt.Sprintf(format, args...))
}
