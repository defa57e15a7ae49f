package session

import (
	"encoding/binary"
	"errors"
	"time"

	"github.com/sessiond/sessiond/store"
)

// record is a session's state as the session package sees it. Its encoding
// (the store record's Data) is a compact binary layout read without
// reflection; strings and application data stay slices of the encoded bytes
// until someone asks for them, so loading a session allocates almost nothing.
type record struct {
	handle        [handleBytes]byte
	createdAt     time.Time
	lastSeen      time.Time
	idleExpiresAt time.Time
	expiresAt     time.Time // absolute expiry
	authTime      time.Time // zero while anonymous
	rotatedAt     time.Time // when the current token was issued
	authLevel     uint8
	csrfSecret    [csrfSecretBytes]byte
	hasCSRF       bool
	ip            []byte
	userAgent     []byte
	values        []byte // entries: uvarint key length, key, kind, uvarint value length, value
}

// Encoding, version 1. The first byte says what follows:
//
//	formatSession: handle[12] created lastSeen idleExpires expires authTime
//	               rotatedAt (varint Unix nanoseconds, 0 for the zero time)
//	               authLevel flags [csrfSecret[32] if flags&1]
//	               ip userAgent values (each uvarint length + bytes)
//	formatAlias:   successor key[32] — a rotated-out token in its grace window
const (
	formatSession byte = 1
	formatAlias   byte = 2

	flagCSRF byte = 1
)

var errCorrupt = errors.New("session: corrupt record")

func (r *record) encode() []byte {
	b := make([]byte, 0, r.size())
	b = append(b, formatSession)
	b = append(b, r.handle[:]...)
	for _, t := range r.times() {
		b = binary.AppendVarint(b, unixNano(*t))
	}
	b = append(b, r.authLevel)
	if r.hasCSRF {
		b = append(b, flagCSRF)
		b = append(b, r.csrfSecret[:]...)
	} else {
		b = append(b, 0)
	}
	for _, field := range [][]byte{r.ip, r.userAgent, r.values} {
		b = binary.AppendUvarint(b, uint64(len(field)))
		b = append(b, field...)
	}
	return b
}

// size returns an upper bound of len(r.encode()) without encoding.
func (r *record) size() int {
	n := 1 + handleBytes + 6*binary.MaxVarintLen64 + 2 + 3*binary.MaxVarintLen64
	if r.hasCSRF {
		n += csrfSecretBytes
	}
	return n + len(r.ip) + len(r.userAgent) + len(r.values)
}

func (r *record) times() [6]*time.Time {
	return [6]*time.Time{&r.createdAt, &r.lastSeen, &r.idleExpiresAt, &r.expiresAt, &r.authTime, &r.rotatedAt}
}

// decodeRecord parses data. It never panics; corrupt input gives an error
// wrapping errCorrupt. For an alias it returns the successor's key and
// alias=true. The record keeps slices of data, which the caller must not
// reuse.
func decodeRecord(data []byte) (r record, successor store.Key, alias bool, err error) {
	d := decoder{b: data}
	switch d.byte() {
	case formatSession:
	case formatAlias:
		copy(successor[:], d.take(len(successor)))
		return record{}, successor, true, d.finish()
	default:
		return record{}, successor, false, errCorrupt
	}
	copy(r.handle[:], d.take(handleBytes))
	for _, t := range r.times() {
		*t = fromUnixNano(d.varint())
	}
	r.authLevel = d.byte()
	switch d.byte() {
	case 0:
	case flagCSRF:
		r.hasCSRF = true
		copy(r.csrfSecret[:], d.take(csrfSecretBytes))
	default:
		d.fail()
	}
	r.ip = d.bytes()
	r.userAgent = d.bytes()
	r.values = d.bytes()
	if d.err == nil && !validValues(r.values) {
		d.fail()
	}
	return r, successor, false, d.finish()
}

func encodeAlias(successor store.Key) []byte {
	return append([]byte{formatAlias}, successor[:]...)
}

// decoder reads the encoding; after the first failure every read returns
// zero values and err stays set.
type decoder struct {
	b   []byte
	err error
}

func (d *decoder) fail() { d.err, d.b = errCorrupt, nil }

func (d *decoder) take(n int) []byte {
	if d.err != nil || n < 0 || n > len(d.b) {
		d.fail()
		return nil
	}
	v := d.b[:n:n]
	d.b = d.b[n:]
	return v
}

func (d *decoder) byte() byte {
	if v := d.take(1); v != nil {
		return v[0]
	}
	return 0
}

func (d *decoder) varint() int64 {
	v, n := binary.Varint(d.b)
	var min [binary.MaxVarintLen64]byte
	if n <= 0 || n != binary.PutVarint(min[:], v) {
		d.fail() // truncated, overflowing, or not minimal: one value, one encoding
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *decoder) uvarint() uint64 {
	v, n := binary.Uvarint(d.b)
	var min [binary.MaxVarintLen64]byte
	if n <= 0 || n != binary.PutUvarint(min[:], v) {
		d.fail()
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *decoder) bytes() []byte {
	n := d.uvarint()
	if n > uint64(len(d.b)) {
		d.fail()
		return nil
	}
	return d.take(int(n))
}

// finish reports corrupt input, including trailing bytes.
func (d *decoder) finish() error {
	if d.err == nil && len(d.b) != 0 {
		d.fail()
	}
	return d.err
}

func unixNano(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

func fromUnixNano(n int64) time.Time {
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(0, n)
}
