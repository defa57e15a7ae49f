// Package storetest is the conformance suite for implementations of
// [store.Store]. Every backend runs it from its own tests:
//
//	func TestStore(t *testing.T) {
//		storetest.Run(t, func(t *testing.T, now func() time.Time) store.Store {
//			s := memstore.New(memstore.Config{Now: now})
//			t.Cleanup(func() { s.Close() })
//			return s
//		})
//	}
//
// Each subtest checks one sentence of the Store doc comment and gets a fresh
// store from the factory, built on a clock the suite controls. After every
// subtest the suite checks that the user index agrees with the records.
package storetest

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"io"
	"sync"
	"testing"
	"time"

	"github.com/sessiond/sessiond/store"
)

// Factory returns a new, empty store whose clock is now. It registers the
// cleanup the store needs with t. The returned store must also implement
// io.Closer, so the suite can check how a closed store fails.
type Factory func(t *testing.T, now func() time.Time) store.Store

// Run runs the whole conformance suite against the stores made by newStore.
func Run(t *testing.T, newStore Factory) {
	t.Helper()
	groups := []struct {
		name  string
		tests []test
	}{
		{"crud", crudTests},
		{"expiry", expiryTests},
		{"cas", casTests},
		{"user_index", userIndexTests},
		{"concurrency", concurrencyTests},
		{"size", sizeTests},
		{"failure", failureTests},
	}
	for _, g := range groups {
		t.Run(g.name, func(t *testing.T) {
			for _, tc := range g.tests {
				t.Run(tc.name, func(t *testing.T) {
					h := newHarness(t, newStore)
					tc.run(t, h)
					if !h.closed {
						h.checkIndex(t)
					}
				})
			}
		})
	}
}

type test struct {
	name string
	run  func(t *testing.T, h *harness)
}

// harness is one subtest's store, clock and helpers.
type harness struct {
	s      store.Store
	ctx    context.Context
	mu     sync.Mutex
	now    time.Time
	closed bool
}

func newHarness(t *testing.T, newStore Factory) *harness {
	// Real time, truncated, as the start: backends with server-side TTLs
	// derive them from ExpiresAt minus their Now and need a sane base.
	h := &harness{ctx: t.Context(), now: time.Now().Truncate(time.Millisecond)}
	h.s = newStore(t, h.clock)
	if _, ok := h.s.(io.Closer); !ok {
		t.Fatalf("store %T does not implement io.Closer", h.s)
	}
	return h
}

func (h *harness) clock() time.Time {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.now
}

func (h *harness) advance(d time.Duration) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.now = h.now.Add(d)
}

// record returns a fresh record owned by user that expires in an hour.
func (h *harness) record(user string) store.Record {
	return store.Record{
		Key:       newKey(),
		UserID:    user,
		ExpiresAt: h.clock().Add(time.Hour),
		Version:   1,
		Data:      []byte("data of " + user),
	}
}

func (h *harness) mustCreate(t *testing.T, rec store.Record) store.Record {
	t.Helper()
	if err := h.s.Create(h.ctx, rec); err != nil {
		t.Fatalf("Create: %v", err)
	}
	rec.Version = 1
	return rec
}

func (h *harness) mustGet(t *testing.T, key store.Key) store.Record {
	t.Helper()
	rec, err := h.s.Get(h.ctx, key)
	if err != nil {
		t.Fatalf("Get: %v", err)
	}
	return rec
}

func (h *harness) wantNotFound(t *testing.T, key store.Key) {
	t.Helper()
	if _, err := h.s.Get(h.ctx, key); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("Get = %v, want ErrNotFound", err)
	}
}

func (h *harness) listKeys(t *testing.T, user string) map[store.Key]store.Record {
	t.Helper()
	recs, err := h.s.ListUser(h.ctx, user)
	if err != nil {
		t.Fatalf("ListUser(%q): %v", user, err)
	}
	got := make(map[store.Key]store.Record, len(recs))
	for _, r := range recs {
		if _, dup := got[r.Key]; dup {
			t.Fatalf("ListUser(%q) returned a key twice", user)
		}
		if r.UserID != user {
			t.Fatalf("ListUser(%q) returned a record of user %q", user, r.UserID)
		}
		got[r.Key] = r
	}
	return got
}

// checkIndex is the invariant every store keeps: each live record with an
// owner is listed under that owner, and every listed record resolves.
func (h *harness) checkIndex(t *testing.T) {
	t.Helper()
	users := map[string]bool{}
	for rec, err := range h.s.All(h.ctx) {
		if err != nil {
			t.Fatalf("index check: All: %v", err)
		}
		if rec.Expired(h.clock()) {
			t.Errorf("index check: All yielded an expired record")
		}
		if rec.UserID != "" {
			users[rec.UserID] = true
		}
	}
	for user := range users {
		for key, listed := range h.listKeys(t, user) {
			got, err := h.s.Get(h.ctx, key)
			if err != nil {
				t.Errorf("index check: ListUser(%q) lists a record that Get cannot find: %v", user, err)
				continue
			}
			if got.Version != listed.Version || got.UserID != user {
				t.Errorf("index check: listed record of %q disagrees with Get", user)
			}
		}
	}
}

func newKey() store.Key {
	var seed [32]byte
	if _, err := rand.Read(seed[:]); err != nil {
		panic(err)
	}
	return sha256.Sum256(seed[:])
}

func equalRecords(a, b store.Record) bool {
	return a.Key == b.Key && a.UserID == b.UserID && a.Version == b.Version &&
		a.ExpiresAt.Equal(b.ExpiresAt) && string(a.Data) == string(b.Data)
}
