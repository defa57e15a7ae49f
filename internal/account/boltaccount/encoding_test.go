package boltaccount

import (
	"errors"
	"testing"
	"time"

	"github.com/sessiond/sessiond/internal/account"
)

// TestDamagedValuesAreErrors proves a value that does not decode is an
// error wrapping ErrCorrupt, never a panic and never "no such user" (which
// would read a damaged account as a free name).
func TestDamagedValuesAreErrors(t *testing.T) {
	good, err := encodeUser(account.User{Name: "alice", PasswordHash: "h", CreatedAt: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	users := []struct {
		name string
		val  string
	}{
		// Not JSON at all, or cut short.
		{"empty", ""},
		{"garbage", "\x00\xff\x01"},
		{"truncated", string(good[:len(good)/2])},
		// JSON of the wrong shape.
		{"array", `[1,2]`},
		{"null", `null`},
		{"wrong_field_type", `{"v":1,"name":"alice","disabled":"yes"}`},
		{"bad_time", `{"v":1,"name":"alice","created_at":"yesterday"}`},
		// Well-formed but not ours to read.
		{"newer_version", `{"v":2,"name":"alice"}`},
		{"no_version", `{"name":"alice"}`},
		{"other_name", `{"v":1,"name":"mallory"}`},
	}
	for _, tc := range users {
		t.Run("user_"+tc.name, func(t *testing.T) {
			db, _ := tempDB(t)
			s := mustNew(t, db, Config{SweepEvery: -1})
			put(t, db, usersBucket, "alice", []byte(tc.val))
			_, err := s.User(t.Context(), "alice")
			if !errors.Is(err, ErrCorrupt) || errors.Is(err, account.ErrNoUser) {
				t.Fatalf("User of a %s value = %v, want ErrCorrupt", tc.name, err)
			}
			if _, err := s.Users(t.Context()); !errors.Is(err, ErrCorrupt) {
				t.Fatalf("Users with a %s value = %v, want ErrCorrupt", tc.name, err)
			}
			err = s.UpdateUser(t.Context(), "alice", func(u *account.User) error { return nil })
			if !errors.Is(err, ErrCorrupt) {
				t.Fatalf("UpdateUser of a %s value = %v, want ErrCorrupt", tc.name, err)
			}
		})
	}

	entry := encodeFailures(account.Failures{Count: 3, Last: time.Now()})
	failures := []struct {
		name string
		val  []byte
	}{
		{"empty", nil},
		{"short", entry[:failuresLen-1]},
		{"long", append(entry, 0)},
		{"other_version", append([]byte{2}, entry[1:]...)},
		{"zero_count", append([]byte{1, 0, 0, 0, 0, 0, 0, 0, 0}, entry[9:]...)},
		{"huge_count", append([]byte{1, 0xff, 0, 0, 0, 0, 0, 0, 0}, entry[9:]...)},
	}
	for _, tc := range failures {
		t.Run("failures_"+tc.name, func(t *testing.T) {
			if _, err := decodeFailures(tc.val); !errors.Is(err, ErrCorrupt) {
				t.Fatalf("decodeFailures(%s) = %v, want ErrCorrupt", tc.name, err)
			}
		})
	}
}
