package session

import (
	"context"
	"encoding/binary"
	"math"
	"time"
)

// Value is the set of types application data may hold. A fixed set keeps
// the encoding compact and free of reflection; store richer data as encoded
// []byte.
type Value interface {
	string | []byte | bool | int | int64 | float64 | time.Time
}

// The kinds of stored values, one per type: a Get of another type than was
// Put finds nothing.
const (
	kindString byte = iota + 1
	kindBytes
	kindBool
	kindInt
	kindInt64
	kindFloat
	kindTime // Unix seconds (varint) then nanoseconds (uvarint); empty for the zero time
)

// Get returns the value stored under key in the request's session, and
// whether there was one of type T. It panics if ctx did not come through
// the Manager's middleware or Load.
func Get[T Value](ctx context.Context, key string) (T, bool) {
	var v T
	st := stateFrom(ctx)
	st.mu.Lock()
	kind, payload, ok := findValue(st.rec.values, key)
	ok = ok && decodeValue(&v, kind, payload)
	st.mu.Unlock()
	if !ok {
		var zero T
		return zero, false
	}
	return v, true
}

// Put stores value under key in the request's session. The session is saved
// once, before the response is written. Put returns ErrTooLarge, changing
// nothing, if the session would exceed Config.MaxRecordBytes, ErrCommitted if
// the response has already started, and ErrLoggedOut after Logout. It panics
// if ctx did not come through the Manager's middleware or Load.
func Put[T Value](ctx context.Context, key string, value T) error {
	kind, payload := encodeValue(value)
	return stateFrom(ctx).change(ctx, change{key: key, kind: kind, payload: payload})
}

// Delete removes key from the request's session. Its errors are Put's.
func Delete(ctx context.Context, key string) error {
	return stateFrom(ctx).change(ctx, change{key: key, delete: true})
}

// change is one write to application data. A request keeps its changes so
// that it can replay them on a fresher copy after a version conflict.
type change struct {
	key     string
	kind    byte
	payload []byte
	delete  bool
}

// apply returns values with c applied. It never modifies values in place:
// the old slice may be shared with the loaded record.
func (c change) apply(values []byte) []byte {
	out := make([]byte, 0, len(values)+len(c.key)+len(c.payload)+2*binary.MaxVarintLen64+1)
	forEachValue(values, func(key, entry []byte) {
		if string(key) != c.key {
			out = append(out, entry...)
		}
	})
	if c.delete {
		return out
	}
	out = binary.AppendUvarint(out, uint64(len(c.key)))
	out = append(out, c.key...)
	out = append(out, c.kind)
	out = binary.AppendUvarint(out, uint64(len(c.payload)))
	return append(out, c.payload...)
}

// forEachValue calls fn with the key and the whole encoded entry of each
// value. It stops at the first malformed entry.
func forEachValue(values []byte, fn func(key, entry []byte)) {
	for len(values) > 0 {
		key, _, _, n := splitValue(values)
		if n == 0 {
			return
		}
		fn(key, values[:n])
		values = values[n:]
	}
}

// splitValue parses the entry at the start of b; n is its length, 0 if
// malformed.
func splitValue(b []byte) (key []byte, kind byte, payload []byte, n int) {
	d := decoder{b: b}
	key = d.bytes()
	kind = d.byte()
	payload = d.bytes()
	if d.err != nil || kind < kindString || kind > kindTime {
		return nil, 0, nil, 0
	}
	return key, kind, payload, len(b) - len(d.b)
}

func validValues(values []byte) bool {
	for len(values) > 0 {
		_, _, _, n := splitValue(values)
		if n == 0 {
			return false
		}
		values = values[n:]
	}
	return true
}

func findValue(values []byte, key string) (kind byte, payload []byte, ok bool) {
	for len(values) > 0 {
		k, kind, payload, n := splitValue(values)
		if n == 0 {
			return 0, nil, false
		}
		if string(k) == key {
			return kind, payload, true
		}
		values = values[n:]
	}
	return 0, nil, false
}

func encodeValue[T Value](value T) (kind byte, payload []byte) {
	switch v := any(value).(type) {
	case string:
		return kindString, []byte(v)
	case []byte:
		return kindBytes, append([]byte(nil), v...)
	case bool:
		if v {
			return kindBool, []byte{1}
		}
		return kindBool, []byte{0}
	case int:
		return kindInt, binary.AppendVarint(nil, int64(v))
	case int64:
		return kindInt64, binary.AppendVarint(nil, v)
	case float64:
		return kindFloat, binary.BigEndian.AppendUint64(nil, math.Float64bits(v))
	case time.Time:
		if v.IsZero() {
			return kindTime, nil
		}
		// Seconds and nanoseconds, not UnixNano, which overflows outside
		// the years 1678 to 2262.
		return kindTime, binary.AppendUvarint(binary.AppendVarint(nil, v.Unix()), uint64(v.Nanosecond()))
	}
	panic("unreachable: Value has no other types")
}

// decodeValue sets *dst from an entry and reports whether the entry held a
// value of dst's type.
func decodeValue[T Value](dst *T, kind byte, payload []byte) bool {
	varint := func() (int64, bool) {
		v, n := binary.Varint(payload)
		return v, n == len(payload) && n > 0
	}
	switch p := any(dst).(type) {
	case *string:
		*p = string(payload)
		return kind == kindString
	case *[]byte:
		*p = append([]byte(nil), payload...)
		return kind == kindBytes
	case *bool:
		*p = len(payload) == 1 && payload[0] == 1
		return kind == kindBool && len(payload) == 1
	case *int:
		v, ok := varint()
		*p = int(v)
		return kind == kindInt && ok && int64(int(v)) == v
	case *int64:
		v, ok := varint()
		*p = v
		return kind == kindInt64 && ok
	case *float64:
		if kind != kindFloat || len(payload) != 8 {
			return false
		}
		*p = math.Float64frombits(binary.BigEndian.Uint64(payload))
		return true
	case *time.Time:
		if kind != kindTime {
			return false
		}
		if len(payload) == 0 {
			*p = time.Time{}
			return true
		}
		sec, n := binary.Varint(payload)
		if n <= 0 {
			return false
		}
		nsec, m := binary.Uvarint(payload[n:])
		if m <= 0 || n+m != len(payload) || nsec >= 1e9 {
			return false
		}
		*p = time.Unix(sec, int64(nsec))
		return true
	}
	return false
}
