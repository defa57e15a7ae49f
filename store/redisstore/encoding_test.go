package redisstore

import (
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/sessiond/sessiond/store"
)

func TestRecordEncodingRoundTrips(t *testing.T) {
	key := store.Key{1, 2, 3}
	base := time.Unix(1_700_000_000, 123_456_789)
	tests := []struct {
		name string
		rec  store.Record
	}{
		{"typical", store.Record{UserID: "alice", ExpiresAt: base, Version: 7, Data: []byte("data")}},
		{"anonymous_without_data", store.Record{ExpiresAt: base, Version: 1}},
		{"binary_user_and_data", store.Record{UserID: "a\x00}{b", ExpiresAt: base, Version: 1, Data: []byte{0, 0xff, '}'}}},
		{"largest_version", store.Record{UserID: "u", ExpiresAt: base, Version: math.MaxUint64}},
		{"before_1970", store.Record{UserID: "u", ExpiresAt: time.Unix(-5, 1), Version: 1}},
		{"long_user", store.Record{UserID: strings.Repeat("x", 70_000), ExpiresAt: base, Version: 1}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.rec.Key = key
			got, err := decodeRecord(key, string(appendRecord(nil, tc.rec)))
			if err != nil {
				t.Fatalf("decodeRecord: %v", err)
			}
			if got.Key != key || got.UserID != tc.rec.UserID || got.Version != tc.rec.Version ||
				!got.ExpiresAt.Equal(tc.rec.ExpiresAt) || string(got.Data) != string(tc.rec.Data) {
				t.Fatalf("decodeRecord(appendRecord(%+v)) = %+v", tc.rec, got)
			}
		})
	}
}

func TestDecodeRecordRefusesDamage(t *testing.T) {
	valid := string(appendRecord(nil, store.Record{UserID: "alice", ExpiresAt: time.Unix(1, 0), Version: 1}))
	tests := []struct {
		name string
		val  string
	}{
		{"empty", ""},
		{"shorter_than_the_header", valid[:headerLen-1]},
		{"unknown_format", "\x02" + valid[1:]},
		{"version_0", valid[:1] + strings.Repeat("\x00", 8) + valid[9:]},
		{"user_longer_than_the_value", valid[:len(valid)-1]},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := decodeRecord(store.Key{}, tc.val); !errors.Is(err, ErrCorrupt) || errors.Is(err, store.ErrNotFound) {
				t.Fatalf("decodeRecord = %v, want ErrCorrupt", err)
			}
		})
	}
}

// TestMillisBracketExpiry checks the rounding that makes an index score an
// upper bound on a record's expiry and Now's milliseconds a lower bound.
func TestMillisBracketExpiry(t *testing.T) {
	tests := []struct {
		t           time.Time
		floor, ceil int64
	}{
		{time.Unix(0, 0), 0, 0},
		{time.Unix(1, 0), 1000, 1000},
		{time.Unix(1, 1), 1000, 1001},
		{time.Unix(0, -1), -1, 0},
		{time.Unix(-1, -999_999), -1001, -1000},
	}
	for _, tc := range tests {
		if f, c := floorMillis(tc.t), ceilMillis(tc.t); f != tc.floor || c != tc.ceil {
			t.Errorf("floorMillis, ceilMillis(%v) = %d, %d, want %d, %d", tc.t.UnixNano(), f, c, tc.floor, tc.ceil)
		}
	}
	now := time.Unix(10, 0)
	for _, tc := range []struct {
		expires time.Time
		want    int64
	}{
		{now.Add(-time.Nanosecond), 0},
		{now, 0},
		{now.Add(time.Nanosecond), 1},
		{now.Add(1500 * time.Microsecond), 2},
	} {
		if got := ttlMillis(tc.expires, now); got != tc.want {
			t.Errorf("ttlMillis(now%+v) = %d, want %d", tc.expires.Sub(now), got, tc.want)
		}
	}
}

func TestRecordKeysParse(t *testing.T) {
	k := newKeys("p*[x]:")
	key := store.Key{0xab, 0xcd}
	got, ok := k.parseRecordKey(k.recordKey(key))
	if !ok || got != key {
		t.Fatalf("parseRecordKey(recordKey(key)) = %x, %v", got, ok)
	}
	for _, name := range []string{k.indexKey("alice"), k.recordKey(key) + "x", "p*[x]:s:{zz}", "other:s:{" + strings.Repeat("0", 64) + "}"} {
		if _, ok := k.parseRecordKey(name); ok {
			t.Errorf("parseRecordKey(%q) accepted a name that is not a record key", name)
		}
	}
	if got, want := globEscape("p*[x]:s:{"), `p\*\[x\]:s:{`; got != want {
		t.Errorf("globEscape = %q, want %q", got, want)
	}
}
