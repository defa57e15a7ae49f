package account

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"
)

func TestBackoff(t *testing.T) {
	account := Limits{}.withDefaults(DefaultAccountFree)
	tests := []struct {
		name   string
		limits Limits
		n      int
		want   time.Duration
	}{
		// The first Free failures are free.
		{"no_failures", account, 0, 0},
		{"fifth_failure_is_free", account, 5, 0},
		// Then Base, doubling...
		{"sixth_failure_locks_for_base", account, 6, 30 * time.Second},
		{"seventh_doubles", account, 7, time.Minute},
		{"twelfth", account, 12, 32 * time.Minute},
		// ...up to Max.
		{"thirteenth_is_capped", account, 13, time.Hour},
		{"millionth_is_capped", account, 1e6, time.Hour},
		{"no_free_failures", Limits{Free: 0, Base: time.Second, Max: time.Minute}, 1, time.Second},
		{"base_equals_max", Limits{Free: 1, Base: time.Minute, Max: time.Minute}, 9, time.Minute},
		// Doubling must not overflow on the way to a huge Max.
		{"huge_max_does_not_overflow", Limits{Base: time.Second, Max: math.MaxInt64}, 200, math.MaxInt64},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.limits.backoff(tc.n); got != tc.want {
				t.Fatalf("backoff(%d) = %v, want %v", tc.n, got, tc.want)
			}
		})
	}
}

// TestAccountLockoutBackoff proves rule 2 for one account under attack from
// many addresses: five failures are free, the sixth locks it for 30s, and
// every further failure doubles the lock up to an hour. While locked, even
// the right password is refused.
func TestAccountLockoutBackoff(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFixture(t, Config{})
		f.mustCreate(t, "alice", alicePassword)
		ip := func(i int) string { return fmt.Sprintf("198.51.100.%d", i) }
		for i := range 6 {
			f.mustFail(t, "alice", wrongPassword, ip(i))
		}
		locks := []time.Duration{
			30 * time.Second, time.Minute, 2 * time.Minute, 4 * time.Minute, 8 * time.Minute,
			16 * time.Minute, 32 * time.Minute, time.Hour, time.Hour, time.Hour,
		}
		for i, lock := range locks {
			f.wantThrottled(t, "alice", alicePassword, ip(100+i), ScopeAccount, lock)
			time.Sleep(lock / 3)
			f.wantThrottled(t, "alice", alicePassword, ip(100+i), ScopeAccount, lock-lock/3)
			time.Sleep(lock - lock/3)
			f.mustFail(t, "alice", wrongPassword, ip(100+i)) // failure 7+i
		}
		// The lock ends; the right password then works and clears the count.
		time.Sleep(time.Hour)
		f.mustSucceed(t, "alice", alicePassword, ip(200))
		if got := f.failures("user:alice").Count; got != 0 {
			t.Fatalf("after a success, account failures = %d, want 0", got)
		}
	})
}

// TestThrottledAttemptsDoNotVerify proves rule 2's "without verifying":
// a throttled attempt derives no key, reads no account and records no
// failure.
func TestThrottledAttemptsDoNotVerify(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFixture(t, Config{})
		f.mustCreate(t, "alice", alicePassword)
		for range 6 {
			f.mustFail(t, "alice", wrongPassword, "192.0.2.1")
		}
		f.kdf.take()
		lookups, adds := f.st.count("User"), f.st.count("AddFailure")
		for range 50 {
			f.wantThrottled(t, "alice", alicePassword, "192.0.2.1", ScopeAccount, 30*time.Second)
		}
		if work := f.kdf.take(); len(work) != 0 {
			t.Fatalf("throttled attempts derived %d keys, want 0", len(work))
		}
		if f.st.count("User") != lookups || f.st.count("AddFailure") != adds {
			t.Fatalf("throttled attempts read the account or counted failures")
		}
	})
}

// TestThrottlingAppliesToUnknownNames proves throttling cannot be used to
// probe which names exist: unknown and invalid names lock exactly like a
// real account.
func TestThrottlingAppliesToUnknownNames(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFixture(t, Config{})
		f.mustCreate(t, "alice", alicePassword)
		for _, name := range []string{"alice", "nobody", "Not A Name!"} {
			for range 6 {
				f.mustFail(t, name, wrongPassword, "")
			}
			f.wantThrottled(t, name, wrongPassword, "", ScopeAccount, 30*time.Second)
		}
	})
}

// TestSuccessClearsAccountCounter proves rule 4's success half for the
// account: after a successful login the account gets its free failures
// back.
func TestSuccessClearsAccountCounter(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFixture(t, Config{})
		f.mustCreate(t, "alice", alicePassword)
		for range 5 {
			f.mustFail(t, "alice", wrongPassword, "192.0.2.1")
		}
		f.mustSucceed(t, "alice", alicePassword, "192.0.2.1")
		if got := f.failures("user:alice").Count; got != 0 {
			t.Fatalf("after a success, account failures = %d, want 0", got)
		}
		for range 6 { // five free again, and the sixth that locks
			f.mustFail(t, "alice", wrongPassword, "192.0.2.2")
		}
		f.wantThrottled(t, "alice", alicePassword, "192.0.2.2", ScopeAccount, 30*time.Second)
	})
}

// TestPasswordSprayingIsThrottledByIP proves the address scope: one address
// trying one password on 25 accounts, one guess each, never trips an
// account's limit but is locked after its 20 free failures, while other
// addresses are not.
func TestPasswordSprayingIsThrottledByIP(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFixture(t, Config{})
		for i := range 25 {
			f.mustCreate(t, fmt.Sprintf("user%02d", i), fmt.Sprintf("password of user %d", i))
		}
		const sprayer, spray = "203.0.113.9", "Summer2025!"
		for i := range 21 { // 20 free failures, and the 21st that locks
			f.mustFail(t, fmt.Sprintf("user%02d", i), spray, sprayer)
		}
		for i := 21; i < 25; i++ {
			f.wantThrottled(t, fmt.Sprintf("user%02d", i), spray, sprayer, ScopeIP, 30*time.Second)
		}
		// The accounts themselves are not locked: their owners log in.
		f.mustSucceed(t, "user22", "password of user 22", "192.0.2.50")
		if got := f.failures("user:user03").Count; got != 1 {
			t.Fatalf("account failures of a sprayed account = %d, want 1", got)
		}
	})
}

// TestIPCounterNotClearedBySuccess proves a sprayer cannot reset the
// address's count by logging into an account of their own in between.
func TestIPCounterNotClearedBySuccess(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFixture(t, Config{})
		f.mustCreate(t, "mallory", bobPassword)
		const sprayer = "203.0.113.9"
		for i := range 20 {
			f.mustFail(t, fmt.Sprintf("victim%d", i), "Summer2025!", sprayer)
		}
		f.mustSucceed(t, "mallory", bobPassword, sprayer)
		if got := f.failures("ip:" + sprayer).Count; got != 20 {
			t.Fatalf("after mallory's login, address failures = %d, want still 20", got)
		}
		f.mustFail(t, "victim20", "Summer2025!", sprayer)
		f.wantThrottled(t, "mallory", bobPassword, sprayer, ScopeIP, 30*time.Second)
	})
}

// TestNoIPSkipsAddressThrottling proves an empty ip counts nothing under
// an address key: a caller that cannot tell addresses apart does not lock
// everyone out together.
func TestNoIPSkipsAddressThrottling(t *testing.T) {
	f := newFixture(t, Config{})
	for i := range 30 {
		f.mustFail(t, fmt.Sprintf("user%d", i), wrongPassword, "")
	}
	for key := range f.st.failures {
		if strings.HasPrefix(key, "ip:") {
			t.Fatalf("a login without ip recorded %q", key)
		}
	}
}

// TestBothScopesLockedReportsLongerWait proves a client is told the wait
// after which both locks have ended.
func TestBothScopesLockedReportsLongerWait(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFixture(t, Config{
			AccountLimits: Limits{Free: 1, Base: 30 * time.Second},
			IPLimits:      Limits{Free: 1, Base: 2 * time.Minute},
		})
		f.mustFail(t, "alice", wrongPassword, "192.0.2.1")
		f.mustFail(t, "alice", wrongPassword, "192.0.2.1")
		f.wantThrottled(t, "alice", wrongPassword, "192.0.2.1", ScopeIP, 2*time.Minute)
		time.Sleep(time.Minute + 59*time.Second + time.Millisecond)
		f.wantThrottled(t, "alice", wrongPassword, "192.0.2.1", ScopeIP, time.Second) // rounded up
	})
}

// TestQueuedAttemptsRecheckThrottling proves that guesses queued for a hash
// slot while an earlier guess locked the account are refused unverified:
// parallel requests cannot slip past a lock.
func TestQueuedAttemptsRecheckThrottling(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFixture(t, Config{MaxConcurrentHashes: 1})
		f.mustCreate(t, "alice", alicePassword)
		for range 5 {
			f.mustFail(t, "alice", wrongPassword, "")
		}
		f.kdf.take()
		release := make(chan struct{})
		var first atomic.Bool
		f.kdf.before = func() {
			if first.CompareAndSwap(false, true) {
				<-release
			}
		}
		// The sixth guess takes the slot and hashes; the seventh, with the
		// right password, queues behind it.
		sixth := make(chan error)
		go func() { _, err := f.login(t, "alice", wrongPassword, ""); sixth <- err }()
		synctest.Wait()
		seventh := make(chan error)
		go func() { _, err := f.login(t, "alice", alicePassword, ""); seventh <- err }()
		synctest.Wait()
		close(release)
		if err := <-sixth; err != ErrBadCredentials {
			t.Fatalf("sixth guess = %v, want ErrBadCredentials", err)
		}
		if err := <-seventh; !errors.Is(err, ErrThrottled) {
			t.Fatalf("queued seventh guess = %v, want ErrThrottled", err)
		}
		if work := f.kdf.take(); len(work) != 1 {
			t.Fatalf("%d keys derived, want only the sixth guess's", len(work))
		}
	})
}

func TestThrottledError(t *testing.T) {
	err := error(&ThrottledError{RetryAfter: 30 * time.Second, Scope: ScopeAccount})
	if !errors.Is(err, ErrThrottled) || errors.Is(err, ErrBadCredentials) {
		t.Fatalf("errors.Is(%v): want ErrThrottled only", err)
	}
	if want := "account: too many failed attempts (account); retry after 30s"; err.Error() != want {
		t.Fatalf("Error() = %q, want %q", err.Error(), want)
	}
	for _, tc := range []struct{ in, want time.Duration }{
		{time.Nanosecond, time.Second}, {time.Second, time.Second}, {29*time.Second + 1, 30 * time.Second},
	} {
		if got := roundUp(tc.in); got != tc.want {
			t.Errorf("roundUp(%v) = %v, want %v", tc.in, got, tc.want)
		}
	}
}
