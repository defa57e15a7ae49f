package redisstore

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"

	"github.com/sessiond/sessiond/store"
)

// keys names the Store's keys. Every key carries a hash tag, the part in
// braces, which alone decides its Cluster slot: a record's tag is its Key,
// an index's tag is the hash of its user ID. No operation touches two keys
// in one command or script, so the slots of two keys never have to match.
type keys struct {
	prefix string // Config.Prefix
	record string // <prefix>s:{
	index  string // <prefix>u:{
}

func newKeys(prefix string) keys {
	return keys{prefix: prefix, record: prefix + "s:{", index: prefix + "u:{"}
}

// recordKey returns <prefix>s:{<hex of key>}.
func (k keys) recordKey(key store.Key) string {
	var buf [2 * len(store.Key{})]byte
	hex.Encode(buf[:], key[:])
	return k.record + string(buf[:]) + "}"
}

// indexKey returns <prefix>u:{<hex of SHA-256 of userID>}. Hashing makes
// every user ID, however long or whatever bytes it holds, a fixed-size tag
// without braces that cannot collide with another user's.
func (k keys) indexKey(userID string) string {
	sum := sha256.Sum256([]byte(userID))
	return k.index + hex.EncodeToString(sum[:]) + "}"
}

// parseRecordKey returns the Key named by a record key, or false if name is
// not one. SCAN patterns match more than the exact shape, so All checks.
func (k keys) parseRecordKey(name string) (store.Key, bool) {
	var key store.Key
	rest, ok := strings.CutPrefix(name, k.record)
	rest, ok2 := strings.CutSuffix(rest, "}")
	if !ok || !ok2 || len(rest) != hex.EncodedLen(len(key)) {
		return key, false
	}
	if _, err := hex.Decode(key[:], []byte(rest)); err != nil {
		return key, false
	}
	return key, true
}

// member returns the index member that stands for key: its 32 bytes.
func member(key store.Key) string {
	return string(key[:])
}

// memberKey returns the Key an index member stands for, or false if m is
// not 32 bytes long.
func memberKey(m string) (store.Key, bool) {
	var key store.Key
	if len(m) != len(key) {
		return key, false
	}
	copy(key[:], m)
	return key, true
}
