package accounttest

import (
	"strings"
	"testing"
	"time"

	"github.com/sessiond/sessiond/internal/account"
)

// forget is the forgetting window of the failure tests.
const forget = time.Hour

var failureTests = []test{
	{"failures_of_an_unknown_key_is_zero", func(t *testing.T, h *harness) {
		h.wantFailures(t, "user:nobody", h.base, forget, account.Failures{})
	}},
	{"add_failure_counts_consecutive_failures", func(t *testing.T, h *harness) {
		for i := 1; i <= 5; i++ {
			now := h.base.Add(time.Duration(i) * time.Minute)
			want := account.Failures{Count: i, Last: now}
			if got := h.mustAdd(t, "user:alice", now, forget); !equalFailures(got, want) {
				t.Fatalf("AddFailure #%d = %+v, want %+v", i, got, want)
			}
			h.wantFailures(t, "user:alice", now, forget, want)
		}
	}},
	{"add_failure_restarts_at_one_once_the_last_is_older_than_forget", func(t *testing.T, h *harness) {
		h.mustAdd(t, "user:alice", h.base, forget)
		// Exactly forget old still counts...
		edge := h.base.Add(forget)
		if got := h.mustAdd(t, "user:alice", edge, forget); got.Count != 2 {
			t.Fatalf("AddFailure exactly forget after the last = count %d, want 2", got.Count)
		}
		// ...one microsecond more is forgotten.
		later := edge.Add(forget + time.Microsecond)
		want := account.Failures{Count: 1, Last: later}
		if got := h.mustAdd(t, "user:alice", later, forget); !equalFailures(got, want) {
			t.Fatalf("AddFailure after forget = %+v, want %+v", got, want)
		}
	}},
	{"failures_forgotten_by_now_are_zero", func(t *testing.T, h *harness) {
		h.mustAdd(t, "user:alice", h.base, forget)
		h.mustAdd(t, "user:alice", h.base, forget)
		want := account.Failures{Count: 2, Last: h.base}
		h.wantFailures(t, "user:alice", h.base.Add(forget), forget, want)
		h.wantFailures(t, "user:alice", h.base.Add(forget+time.Microsecond), forget, account.Failures{})
		// A shorter window forgets sooner: forget is the caller's.
		h.wantFailures(t, "user:alice", h.base.Add(time.Minute+time.Microsecond), time.Minute, account.Failures{})
	}},
	{"failures_changes_nothing", func(t *testing.T, h *harness) {
		h.mustAdd(t, "user:alice", h.base, forget)
		// Reading at a time that forgets the state must not delete it.
		h.wantFailures(t, "user:alice", h.base.Add(2*forget), forget, account.Failures{})
		h.wantFailures(t, "user:alice", h.base, forget, account.Failures{Count: 1, Last: h.base})
	}},
	{"clear_failures_resets_the_count_and_is_idempotent", func(t *testing.T, h *harness) {
		h.mustAdd(t, "user:alice", h.base, forget)
		h.mustAdd(t, "user:alice", h.base, forget)
		for i := range 2 {
			if err := h.s.ClearFailures(h.ctx, "user:alice"); err != nil {
				t.Fatalf("ClearFailures #%d: %v", i+1, err)
			}
			h.wantFailures(t, "user:alice", h.base, forget, account.Failures{})
		}
		if err := h.s.ClearFailures(h.ctx, "user:never-seen"); err != nil {
			t.Fatalf("ClearFailures of a key never used: %v", err)
		}
		if got := h.mustAdd(t, "user:alice", h.base, forget); got.Count != 1 {
			t.Fatalf("AddFailure after ClearFailures = count %d, want 1", got.Count)
		}
	}},
	{"failure_keys_are_independent", func(t *testing.T, h *harness) {
		// Prefixes of one another, and the same text in two scopes.
		keys := []string{"user:al", "user:alice", "user:alice2", "ip:alice", "ip:192.0.2.1", "ip:192.0.2.10"}
		for i, k := range keys {
			for range i + 1 {
				h.mustAdd(t, k, h.base, forget)
			}
		}
		if err := h.s.ClearFailures(h.ctx, "user:alice"); err != nil {
			t.Fatalf("ClearFailures: %v", err)
		}
		for i, k := range keys {
			want := account.Failures{Count: i + 1, Last: h.base}
			if k == "user:alice" {
				want = account.Failures{}
			}
			h.wantFailures(t, k, h.base, forget, want)
		}
	}},
	{"unicode_and_long_keys_are_kept_exactly", func(t *testing.T, h *harness) {
		long := "ip:" + strings.Repeat("x", 1021) // 1024 bytes, the longest key
		keys := []string{
			"user:ñandú", "user:nandu", "user:日本語", "user:🔑", "user:e\u0301", "user:\u00e9",
			"ip:2001:db8::1", "ip:[fe80::1%eth0]",
			long, long[:1023] + "y", long[:1023],
		}
		for i, k := range keys {
			for range i + 1 {
				h.mustAdd(t, k, h.base, forget)
			}
		}
		for i, k := range keys {
			h.wantFailures(t, k, h.base, forget, account.Failures{Count: i + 1, Last: h.base})
		}
	}},
}
