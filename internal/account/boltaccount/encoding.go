package boltaccount

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"time"

	"github.com/sessiond/sessiond/internal/account"
)

// A user is stored as JSON under its name: readable with bbolt's own tools
// when an operator needs to look, and extensible. v numbers the format;
// a value with another v is refused rather than misread.
type userValue struct {
	V                 int       `json:"v"`
	Name              string    `json:"name"`
	PasswordHash      string    `json:"password_hash"`
	Disabled          bool      `json:"disabled"`
	CreatedAt         time.Time `json:"created_at"`
	PasswordChangedAt time.Time `json:"password_changed_at"`
}

const userVersion = 1

func encodeUser(u account.User) ([]byte, error) {
	return json.Marshal(userValue{
		V:                 userVersion,
		Name:              u.Name,
		PasswordHash:      u.PasswordHash,
		Disabled:          u.Disabled,
		CreatedAt:         u.CreatedAt,
		PasswordChangedAt: u.PasswordChangedAt,
	})
}

// decodeUser decodes the value stored under name. Anything but a value
// encodeUser made for that name is an error wrapping ErrCorrupt.
func decodeUser(name string, val []byte) (account.User, error) {
	var v userValue
	if err := json.Unmarshal(val, &v); err != nil {
		return account.User{}, fmt.Errorf("%w: user %q: %v", ErrCorrupt, name, err)
	}
	switch {
	case v.V != userVersion:
		return account.User{}, fmt.Errorf("%w: user %q: format version %d, this build reads %d", ErrCorrupt, name, v.V, userVersion)
	case v.Name != name:
		return account.User{}, fmt.Errorf("%w: user %q: stored under another name", ErrCorrupt, name)
	}
	return account.User{
		Name:              v.Name,
		PasswordHash:      v.PasswordHash,
		Disabled:          v.Disabled,
		CreatedAt:         v.CreatedAt,
		PasswordChangedAt: v.PasswordChangedAt,
	}, nil
}

// A throttling entry is a format byte, the count as 8 bytes big-endian and
// Last as Unix nanoseconds, 8 bytes big-endian: 17 bytes.
const (
	failuresVersion = 1
	failuresLen     = 1 + 8 + 8
)

func encodeFailures(f account.Failures) []byte {
	b := make([]byte, 1, failuresLen)
	b[0] = failuresVersion
	b = binary.BigEndian.AppendUint64(b, uint64(f.Count))
	return binary.BigEndian.AppendUint64(b, uint64(f.Last.UnixNano()))
}

// decodeFailures decodes an entry; anything but a value encodeFailures
// made is an error wrapping ErrCorrupt.
func decodeFailures(val []byte) (account.Failures, error) {
	if len(val) != failuresLen || val[0] != failuresVersion {
		return account.Failures{}, fmt.Errorf("%w: throttling entry of %d bytes", ErrCorrupt, len(val))
	}
	count := binary.BigEndian.Uint64(val[1:9])
	if count == 0 || count > 1<<31 {
		return account.Failures{}, fmt.Errorf("%w: throttling entry with count %d", ErrCorrupt, count)
	}
	last := time.Unix(0, int64(binary.BigEndian.Uint64(val[9:]))).UTC()
	return account.Failures{Count: int(count), Last: last}, nil
}
