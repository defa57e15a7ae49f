package accounttest

import (
	"strconv"
	"sync"
	"testing"

	"github.com/sessiond/sessiond/internal/account"
)

// goroutines is how many goroutines the concurrency tests race.
const goroutines = 32

var concurrencyTests = []test{
	{"concurrent_updates_lose_no_update", func(t *testing.T, h *harness) {
		// Each update increments a counter kept in PasswordHash: a store
		// whose read-modify-write is not atomic loses increments.
		alice := h.user("alice")
		alice.PasswordHash = "0"
		h.mustCreate(t, alice)
		const perGoroutine = 4
		var wg sync.WaitGroup
		for range goroutines {
			wg.Go(func() {
				for range perGoroutine {
					err := h.s.UpdateUser(h.ctx, "alice", func(u *account.User) error {
						n, err := strconv.Atoi(u.PasswordHash)
						if err != nil {
							return err
						}
						u.PasswordHash = strconv.Itoa(n + 1)
						return nil
					})
					if err != nil {
						t.Errorf("UpdateUser: %v", err)
						return
					}
				}
			})
		}
		wg.Wait()
		if got, want := h.mustGet(t, "alice").PasswordHash, strconv.Itoa(goroutines*perGoroutine); got != want {
			t.Fatalf("counter = %s after %s increments", got, want)
		}
	}},
	{"concurrent_add_failure_counts_every_failure", func(t *testing.T, h *harness) {
		// Every call must see a distinct count: together they are exactly
		// 1..n, as if the calls had run one after another.
		const perGoroutine = 5
		const n = goroutines * perGoroutine
		var mu sync.Mutex
		seen := make(map[int]bool, n)
		var wg sync.WaitGroup
		for range goroutines {
			wg.Go(func() {
				for range perGoroutine {
					f, err := h.s.AddFailure(h.ctx, "ip:192.0.2.1", h.base, forget)
					if err != nil {
						t.Errorf("AddFailure: %v", err)
						return
					}
					mu.Lock()
					if seen[f.Count] {
						t.Errorf("two AddFailure calls returned count %d", f.Count)
					}
					seen[f.Count] = true
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		h.wantFailures(t, "ip:192.0.2.1", h.base, forget, account.Failures{Count: n, Last: h.base})
		for i := 1; i <= n; i++ {
			if !seen[i] {
				t.Fatalf("no AddFailure call returned count %d", i)
			}
		}
	}},
}
