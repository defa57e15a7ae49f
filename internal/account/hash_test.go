package account

import (
	"errors"
	"regexp"
	"strings"
	"testing"
)

func TestHashVerify(t *testing.T) {
	tests := []struct {
		name     string
		password string
	}{
		{"ascii", alicePassword},
		{"unicode", "пароль 🔑 密码 contraseña"},
		{"spaces_kept", "  padded password  "},
		{"longest", strings.Repeat("x", MaxPasswordBytes)},
		{"empty", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			encoded, err := Hash(tc.password, tinyParams)
			if err != nil {
				t.Fatalf("Hash: %v", err)
			}
			if ok, err := Verify(encoded, tc.password); !ok || err != nil {
				t.Fatalf("Verify(the right password) = %v, %v, want true", ok, err)
			}
			// Near misses: one byte off, trimmed, a prefix.
			for _, wrong := range []string{tc.password + "x", strings.TrimSpace(tc.password) + "!", wrongPassword} {
				if ok, err := Verify(encoded, wrong); ok || err != nil {
					t.Fatalf("Verify(a wrong password) = %v, %v, want false and no error", ok, err)
				}
			}
		})
	}
}

// TestVerifyReferenceVectors checks Verify against hashes made by the
// argon2 reference implementation (phc-winner-argon2, src/test.c), so our
// PHC strings interoperate.
func TestVerifyReferenceVectors(t *testing.T) {
	tests := []struct {
		password, encoded string
	}{
		{"password", "$argon2id$v=19$m=256,t=2,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4"},
		{"password", "$argon2id$v=19$m=256,t=2,p=2$c29tZXNhbHQ$bQk8UB/VmZZF4Oo79iDXuL5/0ttZwg2f/5U52iv1cDc"},
		{"password", "$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc"},
		{"differentpassword", "$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$C4TWUs9rDEvq7w3+J4umqA32aWKB1+DSiRuBfYxFj94"},
	}
	for _, tc := range tests {
		if ok, err := Verify(tc.encoded, tc.password); !ok || err != nil {
			t.Errorf("Verify(%s, %q) = %v, %v, want true", tc.encoded, tc.password, ok, err)
		}
		if ok, _ := Verify(tc.encoded, "sassword"); ok {
			t.Errorf("Verify(%s, a wrong password) = true", tc.encoded)
		}
	}
}

func TestHashFormat(t *testing.T) {
	encoded, err := Hash(alicePassword, tinyParams)
	if err != nil {
		t.Fatalf("Hash: %v", err)
	}
	// 16-byte salt and 32-byte key in unpadded standard base64.
	phcRE := regexp.MustCompile(`^\$argon2id\$v=19\$m=64,t=1,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$`)
	if !phcRE.MatchString(encoded) {
		t.Fatalf("Hash = %q, want it to match %s", encoded, phcRE)
	}
	again, err := Hash(alicePassword, tinyParams)
	if err != nil {
		t.Fatalf("Hash: %v", err)
	}
	if again == encoded {
		t.Fatalf("two hashes of one password are equal: the salt is not random")
	}
}

// TestHashZeroParamsAreOWASP is the one test that pays for the real costs.
func TestHashZeroParamsAreOWASP(t *testing.T) {
	encoded, err := Hash(alicePassword, Params{})
	if err != nil {
		t.Fatalf("Hash: %v", err)
	}
	if want := "$argon2id$v=19$m=19456,t=2,p=1$"; !strings.HasPrefix(encoded, want) {
		t.Fatalf("Hash with zero Params = %q, want the prefix %q", encoded, want)
	}
	if ok, err := Verify(encoded, alicePassword); !ok || err != nil {
		t.Fatalf("Verify = %v, %v, want true", ok, err)
	}
}

func TestHashRefusesParamsOutOfBounds(t *testing.T) {
	tests := []struct {
		name  string
		p     Params
		field string
	}{
		{"memory_above_4GiB", Params{MemoryKiB: 4<<20 + 1}, "Params.MemoryKiB"},
		{"memory_below_8KiB_per_thread", Params{MemoryKiB: 15, Threads: 2}, "Params.MemoryKiB"},
		{"too_many_iterations", Params{MemoryKiB: 64, Iterations: 65}, "Params.Iterations"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Hash(alicePassword, tc.p)
			var ce *ConfigError
			if !errors.As(err, &ce) || ce.Field != tc.field {
				t.Fatalf("Hash(%+v) = %v, want a *ConfigError for %s", tc.p, err, tc.field)
			}
		})
	}
}

func TestVerifyMalformed(t *testing.T) {
	good, err := Hash(alicePassword, tinyParams)
	if err != nil {
		t.Fatal(err)
	}
	f := strings.Split(good, "$") // "", "argon2id", "v=19", "m=64,t=1,p=1", salt, key
	with := func(i int, v string) string {
		g := append([]string(nil), f...)
		g[i] = v
		return strings.Join(g, "$")
	}
	tests := []struct {
		name    string
		encoded string
	}{
		// Nothing to verify against: these must never mean "any password".
		{"empty", ""},
		{"empty_key", with(5, "")},
		{"empty_salt", with(4, "")},
		// Other algorithms and versions.
		{"argon2i", with(1, "argon2i")},
		{"argon2d", with(1, "argon2d")},
		{"bcrypt", "$2b$10$abcdefghijklmnopqrstuu5Ot4rTNPG4ODhIZtfvlO1t/ndyCG7W2"},
		{"version_16", with(2, "v=16")},
		{"no_version", "$" + strings.Join(append(f[1:2], f[3:]...), "$")},
		// Broken structure.
		{"plain_text", "correct horse battery staple"},
		{"no_leading_dollar", strings.TrimPrefix(good, "$")},
		{"extra_field", good + "$extra"},
		{"trailing_newline", good + "\n"},
		// Parameters.
		{"params_reordered", with(3, "t=1,m=64,p=1")},
		{"params_missing", with(3, "m=64,t=1")},
		{"params_extra", with(3, "m=64,t=1,p=1,keyid=x")},
		{"param_not_a_number", with(3, "m=sixty,t=1,p=1")},
		{"param_negative", with(3, "m=64,t=-1,p=1")},
		{"param_leading_zero", with(3, "m=064,t=1,p=1")},
		{"param_overflow", with(3, "m=99999999999,t=1,p=1")},
		{"zero_iterations", with(3, "m=64,t=0,p=1")},
		{"zero_threads", with(3, "m=64,t=1,p=0")},
		{"too_many_threads", with(3, "m=4096,t=1,p=256")},
		{"memory_below_8_per_thread", with(3, "m=8,t=1,p=2")},
		{"memory_above_4GiB", with(3, "m=4194305,t=1,p=1")},
		{"too_many_iterations", with(3, "m=64,t=65,p=1")},
		// Salt and key.
		{"salt_not_base64", with(4, "!!!!!!!!!!!!")},
		{"salt_padded", with(4, f[4]+"==")},
		{"salt_too_short", with(4, "c2FsdA")},
		{"key_too_short", with(5, "a2V5a2V5a2V5a2V5")},
		{"key_too_long", with(5, strings.Repeat("A", 88))},
		{"key_url_alphabet", with(5, strings.NewReplacer("+", "-", "/", "_").Replace(f[5])+"-_")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ok, err := Verify(tc.encoded, alicePassword)
			if ok || !errors.Is(err, ErrMalformedHash) {
				t.Fatalf("Verify(%q) = %v, %v, want false and ErrMalformedHash", tc.encoded, ok, err)
			}
			if tc.encoded != "" && strings.Contains(err.Error(), f[5]) {
				t.Fatalf("Verify's error %q contains the hash", err)
			}
		})
	}
}

func TestNeedsRehash(t *testing.T) {
	hash := func(p Params) string {
		t.Helper()
		h, err := Hash(alicePassword, p)
		if err != nil {
			t.Fatal(err)
		}
		return h
	}
	tests := []struct {
		name    string
		encoded string
		p       Params
		want    bool
	}{
		// The same or stronger: keep.
		{"same_params", hash(tinyParams), tinyParams, false},
		{"more_memory_than_asked", hash(Params{MemoryKiB: 128, Iterations: 1}), tinyParams, false},
		{"more_iterations_than_asked", hash(Params{MemoryKiB: 64, Iterations: 3}), tinyParams, false},
		{"threads_are_not_strength", hash(Params{MemoryKiB: 64, Iterations: 1, Threads: 1}), Params{MemoryKiB: 64, Iterations: 1, Threads: 4}, false},
		// Weaker in some respect: replace.
		{"less_memory", hash(tinyParams), Params{MemoryKiB: 128, Iterations: 1}, true},
		{"fewer_iterations", hash(tinyParams), Params{MemoryKiB: 64, Iterations: 2}, true},
		{"weaker_than_owasp_zero_params", hash(tinyParams), Params{}, true},
		{"short_salt_of_another_implementation", "$argon2id$v=19$m=256,t=2,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4", Params{MemoryKiB: 256, Iterations: 2}, true},
		{"malformed", "not a hash", tinyParams, true},
		{"empty", "", tinyParams, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := NeedsRehash(tc.encoded, tc.p); got != tc.want {
				t.Fatalf("NeedsRehash(%s, %+v) = %v, want %v", tc.name, tc.p, got, tc.want)
			}
		})
	}
}
