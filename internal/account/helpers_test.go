package account

import (
	"errors"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/argon2"
)

// tinyParams keep hashing fast in tests. Only the tests of the defaults
// use the real costs.
var tinyParams = Params{MemoryKiB: 64, Iterations: 1, Threads: 1}

// Test passwords. Each passes CheckPassword.
const (
	alicePassword = "correct horse battery staple"
	bobPassword   = "Tr0ub4dor&3 is worse"
	wrongPassword = "not the password"
)

// kdfCall is one key derivation, with everything but the secret inputs.
type kdfCall struct {
	time, memory uint32
	threads      uint8
	keyLen       uint32
}

// kdfLog counts the key derivations of a Service: the work a login does.
type kdfLog struct {
	mu    sync.Mutex
	calls []kdfCall
	// before, if set, runs at the start of every derivation, outside mu.
	before func()
}

func (l *kdfLog) derive(password, salt []byte, time, memory uint32, threads uint8, keyLen uint32) []byte {
	if l.before != nil {
		l.before()
	}
	l.mu.Lock()
	l.calls = append(l.calls, kdfCall{time, memory, threads, keyLen})
	l.mu.Unlock()
	return argon2.IDKey(password, salt, time, memory, threads, keyLen)
}

// take returns the derivations since the last take and forgets them.
func (l *kdfLog) take() []kdfCall {
	l.mu.Lock()
	defer l.mu.Unlock()
	calls := l.calls
	l.calls = nil
	return calls
}

// fixture is a Service on a memStore with its key derivations counted.
type fixture struct {
	svc *Service
	st  *memStore
	kdf *kdfLog
}

// newFixture returns a Service built on cfg, with tinyParams unless cfg
// sets Params. Config.Now stays as given: inside a synctest bubble, nil is
// the bubble's clock.
func newFixture(t *testing.T, cfg Config) *fixture {
	t.Helper()
	if cfg.Params == (Params{}) {
		cfg.Params = tinyParams
	}
	st := newMemStore()
	svc, err := New(st, cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	f := &fixture{svc: svc, st: st, kdf: &kdfLog{}}
	svc.derive = f.kdf.derive
	return f
}

// mustCreate creates an account and forgets the hashing it took.
func (f *fixture) mustCreate(t *testing.T, name, password string) User {
	t.Helper()
	u, err := f.svc.CreateUser(t.Context(), name, password)
	if err != nil {
		t.Fatalf("CreateUser(%q): %v", name, err)
	}
	f.kdf.take()
	return u
}

// login is Authenticate from ip with the test's context.
func (f *fixture) login(t *testing.T, name, password, ip string) (User, error) {
	t.Helper()
	return f.svc.Authenticate(t.Context(), name, password, ip)
}

// mustFail fails t unless a login returns exactly ErrBadCredentials.
func (f *fixture) mustFail(t *testing.T, name, password, ip string) {
	t.Helper()
	if _, err := f.login(t, name, password, ip); err != ErrBadCredentials {
		t.Fatalf("Authenticate(%q) = %v, want ErrBadCredentials", name, err)
	}
}

// mustSucceed fails t unless a login succeeds as the account name
// normalizes to.
func (f *fixture) mustSucceed(t *testing.T, name, password, ip string) User {
	t.Helper()
	u, err := f.login(t, name, password, ip)
	if err != nil {
		t.Fatalf("Authenticate(%q) with the right password = %v", name, err)
	}
	if want, _ := NormalizeName(name); u.Name != want {
		t.Fatalf("Authenticate(%q) returned user %q, want %q", name, u.Name, want)
	}
	return u
}

// wantThrottled fails t unless a login is refused by scope for retry.
func (f *fixture) wantThrottled(t *testing.T, name, password, ip, scope string, retry time.Duration) {
	t.Helper()
	_, err := f.login(t, name, password, ip)
	var te *ThrottledError
	if !errors.As(err, &te) || !errors.Is(err, ErrThrottled) {
		t.Fatalf("Authenticate(%q) = %v, want a *ThrottledError", name, err)
	}
	if te.Scope != scope || te.RetryAfter != retry {
		t.Fatalf("Authenticate(%q) throttled with %+v, want scope %q and RetryAfter %v", name, *te, scope, retry)
	}
}

// failures returns the stored state under key, forgotten or not.
func (f *fixture) failures(key string) Failures {
	f.st.mu.Lock()
	defer f.st.mu.Unlock()
	return f.st.failures[key]
}
