package redisaccount

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/sessiond/sessiond/internal/account"
	"github.com/sessiond/sessiond/internal/account/accounttest"
)

// TestStore runs the conformance suite, each subtest under a prefix of its
// own on the shared server.
func TestStore(t *testing.T) {
	c := testClient(t)
	accounttest.Run(t, func(t *testing.T) account.Store {
		return freshStore(t, c, Config{})
	})
}

// TestEveryKeyCarriesTheHashTag proves the layout the package doc promises:
// every key carries the {accounts} hash tag right after the prefix, so a
// Cluster keeps them in one slot and the scripts may touch several.
func TestEveryKeyCarriesTheHashTag(t *testing.T) {
	ctx := t.Context()
	c := testClient(t)
	prefix := freshPrefix(t, c)
	s := mustNew(t, c, Config{Prefix: prefix})
	if err := s.CreateUser(ctx, account.User{Name: "alice"}); err != nil {
		t.Fatalf("CreateUser: %v", err)
	}
	if _, err := s.AddFailure(ctx, "ip:192.0.2.1", time.Now(), time.Hour); err != nil {
		t.Fatalf("AddFailure: %v", err)
	}
	got := keysUnder(t, c, prefix)
	slices.Sort(got)
	want := []string{
		prefix + "{accounts}:fail:ip:192.0.2.1",
		prefix + "{accounts}:user:alice",
		prefix + "{accounts}:users",
	}
	if !slices.Equal(got, want) {
		t.Fatalf("keys = %q, want %q", got, want)
	}
}

// TestClosedStore proves Close fails every later call with ErrClosed, never
// ErrNoUser, and leaves the caller's client open.
func TestClosedStore(t *testing.T) {
	ctx := t.Context()
	c := testClient(t)
	s := freshStore(t, c, Config{})
	if err := s.CreateUser(ctx, account.User{Name: "alice"}); err != nil {
		t.Fatalf("CreateUser: %v", err)
	}
	for i := range 2 {
		if err := s.Close(); err != nil {
			t.Fatalf("Close #%d: %v", i+1, err)
		}
	}
	for method, err := range accounttest.CallEveryMethod(ctx, s) {
		if !errors.Is(err, ErrClosed) || errors.Is(err, account.ErrNoUser) {
			t.Errorf("%s on a closed Store = %v, want ErrClosed", method, err)
		}
	}
	if err := c.Ping(ctx).Err(); err != nil {
		t.Fatalf("the client after Close: %v, want it still open", err)
	}
}

// TestUnreachableServerIsNeverNoUser proves an outage fails closed: every
// method returns an error, and none reads as "no such user".
func TestUnreachableServerIsNeverNoUser(t *testing.T) {
	// Port 1 on loopback refuses connections at once; no retries, so the
	// test does not wait out the client's backoff.
	c := redis.NewClient(&redis.Options{
		Addr: "127.0.0.1:1", MaxRetries: -1, DialerRetries: 1, DialerRetryTimeout: time.Millisecond,
	})
	t.Cleanup(func() { c.Close() })
	s := mustNew(t, c, Config{})
	for method, err := range accounttest.CallEveryMethod(t.Context(), s) {
		if err == nil || errors.Is(err, account.ErrNoUser) {
			t.Errorf("%s against an unreachable server = %v, want an error other than ErrNoUser", method, err)
		}
	}
}

// TestCorruptDataIsNeverNoUser proves damaged values fail closed with
// ErrCorrupt: a user that does not decode is neither "no such user" nor
// left out of Users, and a damaged counter is not read as zero.
func TestCorruptDataIsNeverNoUser(t *testing.T) {
	ctx := t.Context()
	c := testClient(t)
	s := freshStore(t, c, Config{})
	if err := s.CreateUser(ctx, account.User{Name: "alice"}); err != nil {
		t.Fatalf("CreateUser: %v", err)
	}
	if err := c.HSet(ctx, s.userKey("alice"), fieldVersion, "99").Err(); err != nil {
		t.Fatalf("damaging alice: %v", err)
	}
	if err := c.HSet(ctx, s.failKey("user:alice"), "n", "many", "last", "0").Err(); err != nil {
		t.Fatalf("damaging a counter: %v", err)
	}
	errs := map[string]error{}
	_, errs["User"] = s.User(ctx, "alice")
	_, errs["Users"] = s.Users(ctx)
	errs["UpdateUser"] = s.UpdateUser(ctx, "alice", func(*account.User) error { return nil })
	_, errs["AddFailure"] = s.AddFailure(ctx, "user:alice", time.Now(), time.Hour)
	_, errs["Failures"] = s.Failures(ctx, "user:alice", time.Now(), time.Hour)
	for method, err := range errs {
		if !errors.Is(err, ErrCorrupt) || errors.Is(err, account.ErrNoUser) {
			t.Errorf("%s of damaged data = %v, want ErrCorrupt", method, err)
		}
	}
}

// TestNewConfig proves New refuses what it cannot use.
func TestNewConfig(t *testing.T) {
	c := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1"}) // never dialed
	t.Cleanup(func() { c.Close() })
	tests := []struct {
		name   string
		client redis.UniversalClient
		cfg    Config
	}{
		{"nil_client", nil, Config{}},
		{"negative_forget", c, Config{Forget: -time.Hour}},
		// A brace in the prefix would move the hash tag off {accounts}.
		{"prefix_with_open_brace", c, Config{Prefix: "app{"}},
		{"prefix_with_hash_tag", c, Config{Prefix: "{app}:"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if s, err := New(tc.client, tc.cfg); err == nil {
				s.Close()
				t.Fatalf("New(%s) succeeded, want an error", tc.name)
			}
		})
	}
}
