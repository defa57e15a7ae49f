// Package accounttest is the conformance suite for implementations of
// [account.Store]. Every backend runs it from its own tests:
//
//	func TestStore(t *testing.T) {
//		accounttest.Run(t, func(t *testing.T) account.Store {
//			s := newTestStore(t) // empty; closed by a t.Cleanup
//			return s
//		})
//	}
//
// Each subtest checks one sentence of the Store doc comment and gets a
// fresh, empty store from the factory. No subtest needs a clock: throttling
// state is driven by the explicit times the Store methods take, all
// truncated to the microsecond as the Service passes them.
package accounttest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/sessiond/sessiond/internal/account"
)

// Factory returns a new, empty store and registers the cleanup it needs
// with t.
type Factory func(t *testing.T) account.Store

// Run runs the whole conformance suite against the stores made by newStore.
func Run(t *testing.T, newStore Factory) {
	t.Helper()
	groups := []struct {
		name  string
		tests []test
	}{
		{"users", userTests},
		{"update", updateTests},
		{"failures", failureTests},
		{"concurrency", concurrencyTests},
		{"context", contextTests},
	}
	for _, g := range groups {
		t.Run(g.name, func(t *testing.T) {
			for _, tc := range g.tests {
				t.Run(tc.name, func(t *testing.T) {
					tc.run(t, newHarness(t, newStore))
				})
			}
		})
	}
}

type test struct {
	name string
	run  func(t *testing.T, h *harness)
}

// harness is one subtest's store and helpers.
type harness struct {
	s   account.Store
	ctx context.Context
	// base is the subtest's "now": real time, so that backends which also
	// set server-side expiry from the times they are given see sane
	// values, truncated to the microsecond every store must keep.
	base time.Time
}

func newHarness(t *testing.T, newStore Factory) *harness {
	return &harness{
		s:    newStore(t),
		ctx:  t.Context(),
		base: time.Now().UTC().Truncate(time.Microsecond),
	}
}

// user returns a user named name with every field set, so that a store
// that drops one is caught.
func (h *harness) user(name string) account.User {
	return account.User{
		Name:              name,
		PasswordHash:      "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$hash-of-" + name,
		CreatedAt:         h.base.Add(-48 * time.Hour),
		PasswordChangedAt: h.base.Add(-time.Hour),
	}
}

func (h *harness) mustCreate(t *testing.T, u account.User) account.User {
	t.Helper()
	if err := h.s.CreateUser(h.ctx, u); err != nil {
		t.Fatalf("CreateUser(%q): %v", u.Name, err)
	}
	return u
}

func (h *harness) mustGet(t *testing.T, name string) account.User {
	t.Helper()
	u, err := h.s.User(h.ctx, name)
	if err != nil {
		t.Fatalf("User(%q): %v", name, err)
	}
	return u
}

// wantUser fails t unless the stored user named want.Name equals want.
func (h *harness) wantUser(t *testing.T, want account.User) {
	t.Helper()
	if got := h.mustGet(t, want.Name); !equalUsers(got, want) {
		t.Fatalf("User(%q) = %+v, want %+v", want.Name, got, want)
	}
}

func (h *harness) wantNoUser(t *testing.T, name string) {
	t.Helper()
	if _, err := h.s.User(h.ctx, name); !errors.Is(err, account.ErrNoUser) {
		t.Fatalf("User(%q) = %v, want ErrNoUser", name, err)
	}
}

func (h *harness) mustAdd(t *testing.T, key string, now time.Time, forget time.Duration) account.Failures {
	t.Helper()
	f, err := h.s.AddFailure(h.ctx, key, now, forget)
	if err != nil {
		t.Fatalf("AddFailure(%q): %v", key, err)
	}
	return f
}

// wantFailures fails t unless Failures(key, now, forget) is want.
func (h *harness) wantFailures(t *testing.T, key string, now time.Time, forget time.Duration, want account.Failures) {
	t.Helper()
	got, err := h.s.Failures(h.ctx, key, now, forget)
	if err != nil {
		t.Fatalf("Failures(%.40q): %v", key, err)
	}
	if !equalFailures(got, want) {
		t.Fatalf("Failures(%.40q) = %+v, want %+v", key, got, want)
	}
}

func equalUsers(a, b account.User) bool {
	return a.Name == b.Name && a.PasswordHash == b.PasswordHash && a.Disabled == b.Disabled &&
		a.CreatedAt.Equal(b.CreatedAt) && a.PasswordChangedAt.Equal(b.PasswordChangedAt)
}

func equalFailures(a, b account.Failures) bool {
	return a.Count == b.Count && a.Last.Equal(b.Last)
}
