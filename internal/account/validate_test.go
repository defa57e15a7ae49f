package account

import (
	"errors"
	"strings"
	"testing"
)

func TestNormalizeName(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string // "" means ErrInvalidName
	}{
		// Accepted, and brought to one canonical form.
		{"plain", "alice", "alice"},
		{"upper_case_lowered", "ALICE", "alice"},
		{"mixed_case_email", "Alice.Smith@Example.COM", "alice.smith@example.com"},
		{"surrounding_spaces_trimmed", "  alice\t\n", "alice"},
		{"every_allowed_character", "a-z.0_9@x", "a-z.0_9@x"},
		{"one_byte", "a", "a"},
		{"longest", strings.Repeat("a", MaxNameBytes), strings.Repeat("a", MaxNameBytes)},
		{"longest_after_trimming", " " + strings.Repeat("a", MaxNameBytes) + " ", strings.Repeat("a", MaxNameBytes)},
		// strings.ToLower maps a few non-ASCII letters to ASCII ones: the
		// result is that one ASCII account, never a look-alike second one.
		{"kelvin_sign_folds_to_k", "\u212Aelvin", "kelvin"},
		{"dotted_capital_i_folds_to_i", "\u0130nci", "inci"},
		// Refused.
		{"empty", "", ""},
		{"only_spaces", "   ", ""},
		{"too_long", strings.Repeat("a", MaxNameBytes+1), ""},
		{"inner_space", "alice smith", ""},
		{"non_ascii_letter", "ålice", ""},
		{"cyrillic_look_alike", "аlice", ""}, // Cyrillic а
		{"cjk", "日本", ""},
		{"punctuation", "alice!", ""},
		{"slash", "alice/bob", ""},
		{"colon", "user:alice", ""}, // throttling keys use ':'
		{"nul_byte", "alice\x00", ""},
		{"invalid_utf8", "alice\xff", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := NormalizeName(tc.in)
			if tc.want == "" {
				if err != ErrInvalidName || got != "" {
					t.Fatalf("NormalizeName(%q) = %q, %v, want ErrInvalidName", tc.in, got, err)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("NormalizeName(%q) = %q, %v, want %q", tc.in, got, err, tc.want)
			}
		})
	}
}

func TestCheckPassword(t *testing.T) {
	tests := []struct {
		name     string
		password string
		rule     string // part of the error message; "" means accepted
	}{
		// Accepted: length is the only rule (NIST SP 800-63B).
		{"eight_ascii", "abcdefgh", ""},
		{"eight_multibyte_characters", "пароль12", ""},
		{"eight_emoji", "🔑🔑🔑🔑🔑🔑🔑🔑", ""},
		{"spaces_count", "a b c d ", ""},
		{"longest", strings.Repeat("x", MaxPasswordBytes), ""},
		{"no_composition_rules", "aaaaaaaa", ""},
		// Refused, each with the rule it breaks.
		{"empty", "", "shorter than 8 characters"},
		{"seven_ascii", "abcdefg", "shorter than 8 characters"},
		{"seven_characters_in_21_bytes", "日本語日本語日", "shorter than 8 characters"},
		{"too_long", strings.Repeat("x", MaxPasswordBytes+1), "longer than 1024 bytes"},
		{"too_long_multibyte", strings.Repeat("é", MaxPasswordBytes/2+1), "longer than 1024 bytes"},
		{"invalid_utf8", "password\xff\xfe", "not valid UTF-8"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := CheckPassword(tc.password)
			if tc.rule == "" {
				if err != nil {
					t.Fatalf("CheckPassword(%s) = %v, want nil", tc.name, err)
				}
				return
			}
			if !errors.Is(err, ErrInvalidPassword) || !strings.Contains(err.Error(), tc.rule) {
				t.Fatalf("CheckPassword(%s) = %v, want ErrInvalidPassword saying %q", tc.name, err, tc.rule)
			}
			if tc.password != "" && strings.Contains(err.Error(), tc.password) {
				t.Fatalf("CheckPassword's error %q contains the password", err)
			}
		})
	}
}

// TestCreateUserValidation proves CreateUser stores only normalized names
// and acceptable passwords, and that spellings of one name are one
// account.
func TestCreateUserValidation(t *testing.T) {
	names := []struct {
		name string
		in   string
		want string // stored name; "" means ErrInvalidName
	}{
		{"lower_case", "alice", "alice"},
		{"upper_case_normalized", "ALICE", "alice"},
		{"spaces_trimmed", " alice ", "alice"},
		{"email", "Alice@Example.com", "alice@example.com"},
		{"longest", strings.Repeat("b", MaxNameBytes), strings.Repeat("b", MaxNameBytes)},
		{"too_long", strings.Repeat("b", MaxNameBytes+1), ""},
		{"empty", "", ""},
		{"only_spaces", "  ", ""},
		{"inner_space", "alice smith", ""},
		{"unicode", "ålice", ""},
	}
	for _, tc := range names {
		t.Run("name_"+tc.name, func(t *testing.T) {
			f := newFixture(t, Config{})
			u, err := f.svc.CreateUser(t.Context(), tc.in, alicePassword)
			if tc.want == "" {
				if err != ErrInvalidName {
					t.Fatalf("CreateUser(%q) = %v, want ErrInvalidName", tc.in, err)
				}
				if f.st.count("CreateUser") != 0 {
					t.Fatalf("CreateUser(%q) reached the store", tc.in)
				}
				return
			}
			if err != nil || u.Name != tc.want {
				t.Fatalf("CreateUser(%q) = %q, %v, want %q", tc.in, u.Name, err, tc.want)
			}
			stored, err := f.svc.User(t.Context(), tc.want)
			if err != nil || stored.Name != tc.want || stored.Disabled || stored.CreatedAt.IsZero() ||
				!stored.PasswordChangedAt.Equal(stored.CreatedAt) || stored.PasswordHash != u.PasswordHash {
				t.Fatalf("stored user = %+v, %v, want an enabled %q created now", stored, err, tc.want)
			}
		})
	}

	passwords := []struct {
		name     string
		password string
		ok       bool
	}{
		{"eight_characters", "abcdefgh", true},
		{"unicode", "пароль12", true},
		{"seven_characters", "abcdefg", false},
		{"empty", "", false},
		{"too_long", strings.Repeat("x", MaxPasswordBytes+1), false},
		{"invalid_utf8", "password\xff", false},
	}
	for _, tc := range passwords {
		t.Run("password_"+tc.name, func(t *testing.T) {
			f := newFixture(t, Config{})
			_, err := f.svc.CreateUser(t.Context(), "alice", tc.password)
			if tc.ok != (err == nil) || !tc.ok && !errors.Is(err, ErrInvalidPassword) {
				t.Fatalf("CreateUser with a %s password = %v, want ok=%v", tc.name, err, tc.ok)
			}
		})
	}

	t.Run("spellings_of_one_name_are_one_account", func(t *testing.T) {
		f := newFixture(t, Config{})
		f.mustCreate(t, "alice", alicePassword)
		if _, err := f.svc.CreateUser(t.Context(), " ALICE", bobPassword); err != ErrUserExists {
			t.Fatalf("CreateUser of another spelling = %v, want ErrUserExists", err)
		}
		f.mustSucceed(t, "alice", alicePassword, "")
	})
}
