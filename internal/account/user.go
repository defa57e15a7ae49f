package account

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// User is one account.
type User struct {
	// Name identifies the account. It is normalized (see [NormalizeName]):
	// two spellings that normalize alike are the same account.
	Name string
	// PasswordHash is the argon2id hash of the password as a PHC string:
	// $argon2id$v=19$m=19456,t=2,p=1$<salt b64>$<hash b64>. The empty
	// string is an account without a password: it never verifies.
	PasswordHash string
	// Disabled accounts cannot log in, even with the right password.
	Disabled bool
	// CreatedAt is when the account was created.
	CreatedAt time.Time
	// PasswordChangedAt is when the password was last set, by the user or
	// an administrator. Rehashing with stronger parameters does not change
	// it.
	PasswordChangedAt time.Time
}

// Limits of names and passwords.
const (
	// MaxNameBytes is the longest name, in bytes (which are all ASCII).
	MaxNameBytes = 64
	// MinPasswordChars is the shortest password, in characters (NIST SP
	// 800-63B §3.1.1.2: at least 8 when chosen by the user).
	MinPasswordChars = 8
	// MaxPasswordBytes is the longest password, in bytes. NIST SP 800-63B
	// asks for at least 64 characters to be allowed; the bound keeps one
	// login from making the server hash megabytes.
	MaxPasswordBytes = 1024
)

// NormalizeName returns the canonical form of an account name: surrounding
// white space trimmed, lower-cased with strings.ToLower, and then required
// to be 1 to [MaxNameBytes] bytes of [a-z0-9._@-] (so an e-mail address
// fits). Anything else is [ErrInvalidName]. Names are compared in this form
// only, so "Alice" and " alice " are the same account.
//
// Lower-casing is Unicode-aware, so a few non-ASCII letters become ASCII
// (the Kelvin sign U+212A becomes "k", and U+0130 "İ" becomes "i"); the
// result is the one account of that ASCII name, never a look-alike second
// one.
func NormalizeName(name string) (string, error) {
	n := strings.ToLower(strings.TrimSpace(name))
	if n == "" || len(n) > MaxNameBytes {
		return "", ErrInvalidName
	}
	for i := 0; i < len(n); i++ {
		if !nameByte(n[i]) {
			return "", ErrInvalidName
		}
	}
	return n, nil
}

func nameByte(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', '0' <= c && c <= '9':
		return true
	}
	return c == '.' || c == '_' || c == '@' || c == '-'
}

// CheckPassword reports whether password may be set as a new password,
// following NIST SP 800-63B §3.1.1.2 (OWASP ASVS 6.2.1, 6.2.9): it must be
// valid UTF-8, at least [MinPasswordChars] characters (runes) long, and at
// most [MaxPasswordBytes] bytes long. There are no composition rules: any
// character, spaces included, is allowed, and nothing is trimmed. A refusal
// is an error wrapping [ErrInvalidPassword] that names the rule, never the
// password.
//
// Existing passwords are not re-checked at login: a login with a password
// that breaks today's rules is simply compared with the stored hash.
func CheckPassword(password string) error {
	switch {
	case !utf8.ValidString(password):
		return fmt.Errorf("%w: not valid UTF-8 text", ErrInvalidPassword)
	case len(password) > MaxPasswordBytes:
		return fmt.Errorf("%w: longer than %d bytes", ErrInvalidPassword, MaxPasswordBytes)
	case utf8.RuneCountInString(password) < MinPasswordChars:
		return fmt.Errorf("%w: shorter than %d characters", ErrInvalidPassword, MinPasswordChars)
	}
	return nil
}
