package redisaccount

import (
	"fmt"
	"strconv"
	"time"

	"github.com/sessiond/sessiond/internal/account"
)

// A user's hash holds these fields. v numbers the format: a hash with
// another v is refused rather than misread. rev counts the writes, for
// UpdateUser's compare-and-swap. The name is the key's suffix only.
const (
	fieldVersion  = "v"
	fieldRev      = "rev"
	fieldHash     = "hash"
	fieldDisabled = "disabled"
	fieldCreated  = "created"
	fieldChanged  = "changed"

	userVersion = "1"
)

// userArgs returns the script arguments that store u: the format version,
// then hash, disabled, created, changed (see createUserScript and
// casUserScript).
func userArgs(u account.User) []any {
	disabled := "0"
	if u.Disabled {
		disabled = "1"
	}
	return []any{userVersion, u.PasswordHash, disabled, encodeTime(u.CreatedAt), encodeTime(u.PasswordChangedAt)}
}

// decodeUser decodes the hash stored for name and returns the user and its
// revision. Anything but a hash the scripts wrote is an error wrapping
// ErrCorrupt. An empty hash is not handled here: it is a missing user.
func decodeUser(name string, h map[string]string) (account.User, string, error) {
	corrupt := func(format string, args ...any) (account.User, string, error) {
		return account.User{}, "", fmt.Errorf("%w: user %q: %s", ErrCorrupt, name, fmt.Sprintf(format, args...))
	}
	if v := h[fieldVersion]; v != userVersion {
		return corrupt("format version %q, this build reads %q", v, userVersion)
	}
	for _, f := range []string{fieldRev, fieldHash, fieldDisabled, fieldCreated, fieldChanged} {
		if _, ok := h[f]; !ok {
			return corrupt("no field %q", f)
		}
	}
	created, err := decodeTime(h[fieldCreated])
	if err != nil {
		return corrupt("created: %v", err)
	}
	changed, err := decodeTime(h[fieldChanged])
	if err != nil {
		return corrupt("changed: %v", err)
	}
	var disabled bool
	switch h[fieldDisabled] {
	case "0":
	case "1":
		disabled = true
	default:
		return corrupt("disabled is %q", h[fieldDisabled])
	}
	u := account.User{
		Name:              name,
		PasswordHash:      h[fieldHash],
		Disabled:          disabled,
		CreatedAt:         created,
		PasswordChangedAt: changed,
	}
	return u, h[fieldRev], nil
}

// encodeTime returns t as decimal microseconds since the Unix epoch, the
// precision the contract asks for.
func encodeTime(t time.Time) string {
	return strconv.FormatInt(t.UnixMicro(), 10)
}

// decodeTime reverses encodeTime, in UTC.
func decodeTime(s string) (time.Time, error) {
	us, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return time.Time{}, err
	}
	return time.UnixMicro(us).UTC(), nil
}
