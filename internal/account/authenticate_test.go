package account

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
)

func TestAuthenticateSucceedsWithTheRightPassword(t *testing.T) {
	f := newFixture(t, Config{})
	created := f.mustCreate(t, "alice", alicePassword)
	for _, spelling := range []string{"alice", "ALICE", " Alice "} {
		u := f.mustSucceed(t, spelling, alicePassword, "192.0.2.1")
		if u != created {
			t.Fatalf("Authenticate(%q) = %+v, want %+v", spelling, u, created)
		}
	}
}

// TestAuthenticateInvalidNameIsTreatedAsUnknown proves rule 1: a name that
// cannot exist gets the same error after the same hashing as an unknown
// one, and counts as a failure under a key of its own.
func TestAuthenticateInvalidNameIsTreatedAsUnknown(t *testing.T) {
	names := []string{"", "   ", "alice smith", "ålice", strings.Repeat("a", MaxNameBytes+1), "user:alice", "x\x00"}
	f := newFixture(t, Config{})
	f.mustCreate(t, "alice", alicePassword)
	f.mustFail(t, "nobody", wrongPassword, "")
	unknownWork := f.kdf.take()

	for _, name := range names {
		f.mustFail(t, name, alicePassword, "192.0.2.1")
		if work := f.kdf.take(); !slices.Equal(work, unknownWork) {
			t.Fatalf("Authenticate(%q) hashed %v, an unknown name %v", name, work, unknownWork)
		}
		if got := f.failures(invalidNameKey(name)).Count; got != 1 {
			t.Fatalf("Authenticate(%q) left %d failures under its account key, want 1", name, got)
		}
	}
	if got := f.failures("ip:192.0.2.1").Count; got != len(names) {
		t.Fatalf("ip failures = %d, want %d: invalid names count against the address", got, len(names))
	}
	if got := f.failures("user:alice").Count; got != 0 {
		t.Fatalf("failures of alice = %d, want 0: an invalid name must not count against a real account", got)
	}
}

// TestAuthenticateUnknownUserAndWrongPasswordSameError proves the answer
// never tells an attacker whether the name exists: every kind of failure
// is the one value ErrBadCredentials, message included.
func TestAuthenticateUnknownUserAndWrongPasswordSameError(t *testing.T) {
	f := newFixture(t, Config{})
	f.mustCreate(t, "alice", alicePassword)
	f.mustCreate(t, "carol", bobPassword)
	if err := f.svc.Disable(t.Context(), "carol"); err != nil {
		t.Fatal(err)
	}
	attempts := []struct{ name, password string }{
		{"alice", wrongPassword},   // known, wrong password
		{"nobody", wrongPassword},  // unknown
		{"nobody", alicePassword},  // unknown, someone else's password
		{"carol", bobPassword},     // disabled, right password
		{"no body", wrongPassword}, // invalid
	}
	for _, a := range attempts {
		_, err := f.login(t, a.name, a.password, "")
		if err != ErrBadCredentials {
			t.Fatalf("Authenticate(%q) = %v (%T), want the value ErrBadCredentials", a.name, err, err)
		}
	}
}

// TestAuthenticateUnknownUserVerifiesDummyHash proves rule 3's timing
// comparability by counting work instead of measuring time: every failed
// login derives exactly one key, with the same parameters as a real
// account's, whether the account exists or not.
func TestAuthenticateUnknownUserVerifiesDummyHash(t *testing.T) {
	f := newFixture(t, Config{})
	f.mustCreate(t, "alice", alicePassword)
	f.mustCreate(t, "carol", bobPassword)
	if err := f.svc.Disable(t.Context(), "carol"); err != nil {
		t.Fatal(err)
	}
	f.st.put(User{Name: "nopass"}) // an account without a password

	f.mustFail(t, "alice", wrongPassword, "")
	want := f.kdf.take()
	if len(want) != 1 {
		t.Fatalf("a wrong password derived %d keys, want 1", len(want))
	}
	cases := []struct{ name, account, password string }{
		{"unknown_user", "nobody", wrongPassword},
		{"disabled_user_right_password", "carol", bobPassword},
		{"disabled_user_wrong_password", "carol", wrongPassword},
		{"account_without_password", "nopass", wrongPassword},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f.mustFail(t, tc.account, tc.password, "")
			if got := f.kdf.take(); !slices.Equal(got, want) {
				t.Fatalf("%s derived %v, a wrong password for a real account %v", tc.name, got, want)
			}
		})
	}
	// And the right password does the same work too.
	f.mustSucceed(t, "alice", alicePassword, "")
	if got := f.kdf.take(); !slices.Equal(got, want) {
		t.Fatalf("a successful login derived %v, a failed one %v", got, want)
	}
}

func TestAuthenticateDisabledUserRefused(t *testing.T) {
	f := newFixture(t, Config{})
	f.mustCreate(t, "alice", alicePassword)
	if err := f.svc.Disable(t.Context(), "alice"); err != nil {
		t.Fatalf("Disable: %v", err)
	}
	f.mustFail(t, "alice", alicePassword, "192.0.2.1")
	if got := f.failures("user:alice").Count; got != 1 {
		t.Fatalf("a disabled login left %d account failures, want 1 (as for any failure)", got)
	}
	if err := f.svc.Enable(t.Context(), "alice"); err != nil {
		t.Fatalf("Enable: %v", err)
	}
	f.mustSucceed(t, "alice", alicePassword, "192.0.2.1")
}

// TestAuthenticateEmptyHashNeverVerifies proves an account whose
// PasswordHash is empty cannot log in with any password, the empty one
// included.
func TestAuthenticateEmptyHashNeverVerifies(t *testing.T) {
	f := newFixture(t, Config{})
	f.st.put(User{Name: "alice"})
	for _, pw := range []string{"", alicePassword, "$argon2id$"} {
		f.mustFail(t, "alice", pw, "")
	}
	if ok, err := Verify("", ""); ok || err == nil {
		t.Fatalf(`Verify("", "") = %v, %v, want false and an error`, ok, err)
	}
}

// TestAuthenticateWrongPasswordCountsOnBothKeys proves rule 4's failure
// half: one failure under the account and one under the address.
func TestAuthenticateWrongPasswordCountsOnBothKeys(t *testing.T) {
	f := newFixture(t, Config{})
	f.mustCreate(t, "alice", alicePassword)
	f.mustFail(t, "alice", wrongPassword, "192.0.2.1")
	f.mustFail(t, "ALICE", wrongPassword, "192.0.2.1")
	if got := f.failures("user:alice").Count; got != 2 {
		t.Fatalf("account failures = %d, want 2", got)
	}
	if got := f.failures("ip:192.0.2.1").Count; got != 2 {
		t.Fatalf("address failures = %d, want 2", got)
	}
}

// TestAuthenticateCountsFailureWhenClientGivesUp proves a guess is counted
// even if its request is canceled once the password has been verified.
func TestAuthenticateCountsFailureWhenClientGivesUp(t *testing.T) {
	f := newFixture(t, Config{})
	f.mustCreate(t, "alice", alicePassword)
	ctx, cancel := context.WithCancel(t.Context())
	f.kdf.before = cancel // the client hangs up while the hash runs
	if _, err := f.svc.Authenticate(ctx, "alice", wrongPassword, "192.0.2.1"); err != ErrBadCredentials {
		t.Fatalf("Authenticate = %v, want ErrBadCredentials", err)
	}
	if a, i := f.failures("user:alice").Count, f.failures("ip:192.0.2.1").Count; a != 1 || i != 1 {
		t.Fatalf("failures = %d (account), %d (address), want 1 and 1", a, i)
	}
}

// TestAuthenticateRehashesWeakHash proves rule 4's upgrade: once Params
// are raised, a login replaces the old hash, once, without touching
// PasswordChangedAt; a hash stronger than Params is never downgraded.
func TestAuthenticateRehashesWeakHash(t *testing.T) {
	f := newFixture(t, Config{})
	old := f.mustCreate(t, "alice", alicePassword)
	stronger := Params{MemoryKiB: 128, Iterations: 2, Threads: 1}
	f.svc.cfg.Params = stronger

	u := f.mustSucceed(t, "alice", alicePassword, "")
	stored, _ := f.svc.User(t.Context(), "alice")
	if !strings.HasPrefix(stored.PasswordHash, "$argon2id$v=19$m=128,t=2,p=1$") || u.PasswordHash != stored.PasswordHash {
		t.Fatalf("after login, stored hash %q and returned %q, want both under %+v", stored.PasswordHash, u.PasswordHash, stronger)
	}
	if !stored.PasswordChangedAt.Equal(old.PasswordChangedAt) {
		t.Fatalf("rehash moved PasswordChangedAt to %v", stored.PasswordChangedAt)
	}
	updates := f.st.count("UpdateUser")
	f.mustSucceed(t, "alice", alicePassword, "")
	if f.st.count("UpdateUser") != updates {
		t.Fatalf("a second login rehashed again")
	}

	// Lowering Params keeps the stronger hash.
	f.svc.cfg.Params = tinyParams
	f.mustSucceed(t, "alice", alicePassword, "")
	if f.st.count("UpdateUser") != updates {
		t.Fatalf("a login with lower Params downgraded the hash")
	}
}

// TestRehashLosesToConcurrentPasswordChange proves a rehash never
// overwrites a password set after the login read the account.
func TestRehashLosesToConcurrentPasswordChange(t *testing.T) {
	f := newFixture(t, Config{})
	read := f.mustCreate(t, "alice", alicePassword)
	if err := f.svc.SetPassword(t.Context(), "alice", bobPassword); err != nil {
		t.Fatal(err)
	}
	changed, _ := f.svc.User(t.Context(), "alice")
	if err := f.svc.storeRehash(t.Context(), &read, "$argon2id$rehash-of-the-old-password"); err != nil {
		t.Fatalf("storeRehash = %v, want nil", err)
	}
	if got, _ := f.svc.User(t.Context(), "alice"); got.PasswordHash != changed.PasswordHash {
		t.Fatalf("a stale rehash overwrote the new password's hash")
	}
}

// TestAuthenticateStoreErrorsAreNotBadCredentials proves rule 6: when the
// store fails, the login fails with that error, never with
// ErrBadCredentials (which would hide the outage) and never with success.
func TestAuthenticateStoreErrorsAreNotBadCredentials(t *testing.T) {
	outage := errors.New("disk on fire")
	tests := []struct {
		name     string
		method   string // the Store method that fails
		password string
		weakHash bool // Params raised after creation, so a login rehashes
	}{
		{"reading_failures", "Failures", alicePassword, false},
		{"looking_up_the_user", "User", alicePassword, false},
		{"recording_a_failure", "AddFailure", wrongPassword, false},
		{"clearing_failures_on_success", "ClearFailures", alicePassword, false},
		{"storing_a_rehash", "UpdateUser", alicePassword, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, Config{})
			f.mustCreate(t, "alice", alicePassword)
			if tc.weakHash {
				f.svc.cfg.Params = Params{MemoryKiB: 128, Iterations: 1, Threads: 1}
			}
			f.st.failMethod(tc.method, outage)
			u, err := f.login(t, "alice", tc.password, "192.0.2.1")
			if !errors.Is(err, outage) || errors.Is(err, ErrBadCredentials) || errors.Is(err, ErrThrottled) {
				t.Fatalf("Authenticate when %s fails = %v, want the store's error", tc.method, err)
			}
			if u != (User{}) {
				t.Fatalf("Authenticate when %s fails returned a user", tc.method)
			}
			if strings.Contains(err.Error(), tc.password) {
				t.Fatalf("error %q contains the password", err)
			}
		})
	}
}

// TestAuthenticateMalformedStoredHash proves a damaged hash never verifies
// and is reported as damage, without the hash in the message.
func TestAuthenticateMalformedStoredHash(t *testing.T) {
	f := newFixture(t, Config{})
	const damaged = "$argon2id$v=19$m=64,t=1,p=1$c2FsdHNhbHRzYWx0c2FsdA$"
	f.st.put(User{Name: "alice", PasswordHash: damaged})
	_, err := f.login(t, "alice", alicePassword, "")
	if !errors.Is(err, ErrMalformedHash) || errors.Is(err, ErrBadCredentials) {
		t.Fatalf("Authenticate with a damaged hash = %v, want ErrMalformedHash", err)
	}
	if strings.Contains(err.Error(), "c2FsdHNhbHRzYWx0c2FsdA") {
		t.Fatalf("error %q contains the hash", err)
	}
}
