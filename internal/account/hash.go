package account

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/crypto/argon2"
)

// Params are argon2id parameters. The zero value, and each zero field,
// means OWASP's recommendation (Password Storage Cheat Sheet, "Argon2id"):
// 19 MiB (19456 KiB) of memory, 2 iterations, 1 thread. Every hash also
// uses a 16-byte random salt and a 32-byte key.
//
// Each hash holds MemoryKiB of memory while it runs; [Config] bounds how
// many run at once. Raise the costs over time: [NeedsRehash] and
// [Service.Authenticate] upgrade old hashes at the next login.
type Params struct {
	// MemoryKiB is the memory cost in KiB. Zero means 19456 (19 MiB).
	// At most 4 GiB; at least 8 KiB per thread.
	MemoryKiB uint32
	// Iterations is the time cost, passes over the memory. Zero means 2.
	// At most 64.
	Iterations uint32
	// Threads is the degree of parallelism. Zero means 1.
	Threads uint8
}

// OWASP's argon2id recommendation, the defaults of Params, and the fixed
// sizes of the salt and key of every new hash.
const (
	DefaultMemoryKiB  = 19456
	DefaultIterations = 2
	DefaultThreads    = 1
	saltLen           = 16
	keyLen            = 32
)

// Bounds on the parameters of a hash, new or read back. They keep a damaged
// or hostile stored hash from making Verify allocate terabytes or panic.
const (
	maxMemoryKiB  = 4 << 20 // 4 GiB
	maxIterations = 64
	minSaltLen    = 8 // RFC 9106 §3.1
	maxSaltLen    = 64
	minKeyLen     = 16
	maxKeyLen     = 64
)

// kdf derives an argon2id key; argon2.IDKey except in tests that count
// calls.
type kdf func(password, salt []byte, time, memory uint32, threads uint8, keyLen uint32) []byte

// withDefaults returns p with its zero fields set to OWASP's values.
func (p Params) withDefaults() Params {
	if p.MemoryKiB == 0 {
		p.MemoryKiB = DefaultMemoryKiB
	}
	if p.Iterations == 0 {
		p.Iterations = DefaultIterations
	}
	if p.Threads == 0 {
		p.Threads = DefaultThreads
	}
	return p
}

// check refuses parameters outside the bounds. p has its defaults.
func (p Params) check() error {
	switch {
	case p.MemoryKiB > maxMemoryKiB:
		return &ConfigError{Field: "Params.MemoryKiB", Problem: fmt.Sprintf("%d is more than %d (4 GiB)", p.MemoryKiB, maxMemoryKiB)}
	case p.MemoryKiB < 8*uint32(p.Threads):
		return &ConfigError{Field: "Params.MemoryKiB", Problem: fmt.Sprintf("%d is less than 8 per thread (%d threads)", p.MemoryKiB, p.Threads)}
	case p.Iterations > maxIterations:
		return &ConfigError{Field: "Params.Iterations", Problem: fmt.Sprintf("%d is more than %d", p.Iterations, maxIterations)}
	}
	return nil
}

// Hash returns the argon2id hash of password under p, with a new random
// salt, as a PHC string:
//
//	$argon2id$v=19$m=19456,t=2,p=1$<salt>$<key>
//
// where salt and key are unpadded standard base64. Parameters out of bounds
// are refused with a *ConfigError. Hash does not check the password against
// [CheckPassword]; callers setting a new password do.
func Hash(password string, p Params) (string, error) {
	return hashWith(argon2.IDKey, password, p)
}

func hashWith(derive kdf, password string, p Params) (string, error) {
	p = p.withDefaults()
	if err := p.check(); err != nil {
		return "", err
	}
	h := phc{params: p, salt: make([]byte, saltLen)}
	if _, err := rand.Read(h.salt); err != nil {
		return "", fmt.Errorf("account: hash: reading random salt: %w", err)
	}
	h.key = derive([]byte(password), h.salt, p.Iterations, p.MemoryKiB, p.Threads, keyLen)
	return h.String(), nil
}

// Verify reports whether password matches encoded, a hash made by [Hash]
// (or any canonical argon2id PHC string within the bounds of [Params]). It
// derives the key with the parameters and salt in encoded and compares it
// in constant time.
//
// A malformed encoding, the empty string included, never matches: Verify
// returns false and an error wrapping [ErrMalformedHash], which does not
// contain the encoding.
func Verify(encoded, password string) (bool, error) {
	return verifyWith(argon2.IDKey, encoded, password)
}

func verifyWith(derive kdf, encoded, password string) (bool, error) {
	h, err := parsePHC(encoded)
	if err != nil {
		return false, err
	}
	key := derive([]byte(password), h.salt, h.params.Iterations, h.params.MemoryKiB, h.params.Threads, uint32(len(h.key)))
	return subtle.ConstantTimeCompare(key, h.key) == 1, nil
}

// NeedsRehash reports whether encoded is weaker than a new hash under p
// would be, so it should be replaced the next time the password is known:
// less memory or fewer iterations than p asks for (after defaults), or a
// shorter salt or key than Hash makes. A malformed encoding needs a rehash
// too. Threads are not a strength parameter and are ignored, and a hash
// stronger than p is kept: lowering p never downgrades stored hashes.
func NeedsRehash(encoded string, p Params) bool {
	p = p.withDefaults()
	h, err := parsePHC(encoded)
	if err != nil {
		return true
	}
	return h.params.MemoryKiB < p.MemoryKiB || h.params.Iterations < p.Iterations ||
		len(h.salt) < saltLen || len(h.key) < keyLen
}

// phc is a decoded argon2id PHC string.
type phc struct {
	params    Params
	salt, key []byte
}

var b64 = base64.RawStdEncoding

// String returns the canonical PHC string of h.
func (h phc) String() string {
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version,
		h.params.MemoryKiB, h.params.Iterations, h.params.Threads,
		b64.EncodeToString(h.salt), b64.EncodeToString(h.key))
}

// parsePHC decodes encoded, accepting only the canonical form String
// produces, with parameters, salt and key within bounds.
func parsePHC(encoded string) (phc, error) {
	malformed := func(why string) (phc, error) {
		return phc{}, fmt.Errorf("%w: %s", ErrMalformedHash, why)
	}
	if encoded == "" {
		return malformed("empty")
	}
	fields := strings.Split(encoded, "$")
	if len(fields) != 6 || fields[0] != "" {
		return malformed("not a PHC string of 5 fields")
	}
	if fields[1] != "argon2id" {
		return malformed("algorithm is not argon2id")
	}
	if fields[2] != "v="+strconv.Itoa(argon2.Version) {
		return malformed("unsupported argon2 version")
	}
	var h phc
	var m, t, p uint64
	var err error
	params := strings.Split(fields[3], ",")
	if len(params) != 3 {
		return malformed("want parameters m, t and p")
	}
	for i, dst := range []*uint64{&m, &t, &p} {
		name, value, ok := strings.Cut(params[i], "=")
		if !ok || name != "mtp"[i:i+1] {
			return malformed("want parameters m, t and p")
		}
		if *dst, err = strconv.ParseUint(value, 10, 32); err != nil {
			return malformed("parameter " + name + " is not a number")
		}
	}
	switch {
	case m > maxMemoryKiB, t < 1, t > maxIterations, p < 1, p > 255, m < 8*p:
		return malformed("parameters out of bounds")
	}
	h.params = Params{MemoryKiB: uint32(m), Iterations: uint32(t), Threads: uint8(p)}
	if h.salt, err = b64.DecodeString(fields[4]); err != nil || len(h.salt) < minSaltLen || len(h.salt) > maxSaltLen {
		return malformed("bad salt")
	}
	if h.key, err = b64.DecodeString(fields[5]); err != nil || len(h.key) < minKeyLen || len(h.key) > maxKeyLen {
		return malformed("bad key")
	}
	if h.String() != encoded {
		return malformed("not in canonical form")
	}
	return h, nil
}
