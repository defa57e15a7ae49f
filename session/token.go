package session

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"

	"github.com/sessiond/sessiond/store"
)

// A token is 256 bits from crypto/rand, sent to the browser as 43 characters
// of unpadded base64url and never stored: stores hold only its SHA-256
// (ASVS 7.2.3 asks for at least 128 bits; we take 256).
const (
	tokenBytes  = 32
	tokenLength = 43 // base64.RawURLEncoding.EncodedLen(tokenBytes)

	// A handle is a session's public name: random, unrelated to the token,
	// and stable across rotation so a "your sessions" page can keep pointing
	// at the same session.
	handleBytes  = 12
	handleLength = 16
)

var tokenEncoding = base64.RawURLEncoding.Strict()

// token is a raw session token. Its String method hides the value so that a
// token can never reach a log or error message by accident.
type token string

func (token) String() string { return "[session token]" }

// newToken returns a fresh token and the store key it maps to.
func newToken() (token, store.Key) {
	var raw [tokenBytes]byte
	rand.Read(raw[:]) // never fails; crashes the program if the OS cannot provide randomness
	return token(tokenEncoding.EncodeToString(raw[:])), sha256.Sum256(raw[:])
}

// parseToken returns the store key of a cookie value, or false if the value
// is not a well-formed token. It touches no store, so garbage costs nothing.
func parseToken(value string) (store.Key, bool) {
	if len(value) != tokenLength {
		return store.Key{}, false
	}
	var src [tokenLength]byte // on the stack: parsing allocates nothing
	copy(src[:], value)
	var raw [tokenBytes]byte
	// Strict decoding refuses non-canonical trailing bits, so each token has
	// exactly one spelling.
	n, err := tokenEncoding.Decode(raw[:], src[:])
	if err != nil || n != tokenBytes {
		return store.Key{}, false
	}
	return sha256.Sum256(raw[:]), true
}

// newHandle returns a fresh random handle.
func newHandle() [handleBytes]byte {
	var h [handleBytes]byte
	rand.Read(h[:])
	return h
}

func encodeHandle(h [handleBytes]byte) string {
	return base64.RawURLEncoding.EncodeToString(h[:])
}

// ValidHandle reports whether s is shaped like a session handle. Use it to
// refuse garbage from URLs before looking a handle up.
func ValidHandle(s string) bool {
	if len(s) != handleLength {
		return false
	}
	var h [handleBytes]byte
	n, err := tokenEncoding.Decode(h[:], []byte(s))
	return err == nil && n == handleBytes
}
