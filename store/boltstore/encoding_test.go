package boltstore

import (
	"bytes"
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/sessiond/sessiond/store"
)

func TestRecordRoundTrip(t *testing.T) {
	base := store.Record{Version: 1, ExpiresAt: time.Unix(1_800_000_000, 123_456_789), UserID: "alice", Data: []byte("data")}
	with := func(edit func(r *store.Record)) store.Record {
		r := base
		edit(&r)
		return r
	}
	tests := []struct {
		name string
		rec  store.Record
	}{
		{"typical", base},
		// Fields at their smallest.
		{"anonymous", with(func(r *store.Record) { r.UserID = "" })},
		{"no_data", with(func(r *store.Record) { r.Data = nil })},
		// Fields at their largest or oddest.
		{"max_version", with(func(r *store.Record) { r.Version = math.MaxUint64 })},
		{"user_id_with_every_kind_of_byte", with(func(r *store.Record) { r.UserID = "a\x00b\xff用户 ✓" })},
		{"long_user_id", with(func(r *store.Record) { r.UserID = strings.Repeat("u", 300) })},
		{"64_KiB_of_data", with(func(r *store.Record) { r.Data = bytes.Repeat([]byte{0xa5, 0}, 32<<10) })},
		{"earliest_expiry", with(func(r *store.Record) { r.ExpiresAt = minInstant })},
		{"latest_expiry", with(func(r *store.Record) { r.ExpiresAt = maxInstant })},
		{"expiry_before_1970", with(func(r *store.Record) { r.ExpiresAt = time.Unix(-1, 1) })},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			val := appendRecord(nil, tc.rec)
			got, err := decodeRecord(val)
			if err != nil || !equalRecords(got, tc.rec) {
				t.Fatalf("decodeRecord(appendRecord(%+v)) = %+v, %v", tc.rec, got, err)
			}
		})
	}
}

func TestDecodeRecordRejectsCorruptValues(t *testing.T) {
	for _, tc := range corruptValues {
		t.Run(tc.name, func(t *testing.T) {
			if rec, err := decodeRecord(tc.val); !errors.Is(err, ErrCorrupt) {
				t.Fatalf("decodeRecord(%x) = %+v, %v, want ErrCorrupt", tc.val, rec, err)
			}
		})
	}
}

func TestDecodedDataDoesNotAliasTheValue(t *testing.T) {
	val := appendRecord(nil, store.Record{Version: 1, Data: []byte("data")})
	rec, err := decodeRecord(val)
	if err != nil {
		t.Fatal(err)
	}
	val[len(val)-1] = 'X' // bbolt reuses a value's memory after its transaction
	if string(rec.Data) != "data" {
		t.Fatalf("Data = %q after the value changed, want %q", rec.Data, "data")
	}
}

// TestInstantOrder proves the byte order of encoded instants is their time
// order, across zero and at the extremes, which the sweeper relies on.
func TestInstantOrder(t *testing.T) {
	ordered := []int64{math.MinInt64, -1e18, -1, 0, 1, 1e18, math.MaxInt64}
	for i := 1; i < len(ordered); i++ {
		a, b := appendInstant(nil, ordered[i-1]), appendInstant(nil, ordered[i])
		if bytes.Compare(a, b) >= 0 {
			t.Errorf("encoded %d (%x) does not sort before %d (%x)", ordered[i-1], a, ordered[i], b)
		}
		if got := instant(b); got != ordered[i] {
			t.Errorf("instant(appendInstant(%d)) = %d", ordered[i], got)
		}
	}
}

func TestNanosClampsOutOfRangeInstants(t *testing.T) {
	tests := []struct {
		name string
		in   time.Time
		want int64
	}{
		{"zero_time", time.Time{}, math.MinInt64},
		{"year_3000", time.Date(3000, 1, 1, 0, 0, 0, 0, time.UTC), math.MaxInt64},
		{"in_range", time.Unix(0, 42), 42},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := nanos(tc.in); got != tc.want {
				t.Fatalf("nanos(%v) = %d, want %d", tc.in, got, tc.want)
			}
		})
	}
}
