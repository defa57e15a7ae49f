package metrics

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"testing"
	"testing/synctest"
	"time"
)

// These tests run in a synctest bubble: time.Sleep advances a fake clock
// at once, and context deadlines fire when every goroutine is blocked.

// TestLiveSessionsCaching: scrapes must not each walk the store.
func TestLiveSessionsCaching(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		m := New()
		calls := 0
		m.LiveSessions(func(ctx context.Context) (int, error) {
			calls++
			return 10 * calls, nil
		})
		steps := []struct {
			wait      time.Duration // before the scrape
			wantCalls int
			wantValue int
		}{
			{0, 1, 10},                // the first scrape counts
			{0, 1, 10},                // at once again: cached
			{29 * time.Second, 1, 10}, // still within 30s of the count
			{time.Second, 2, 20},      // 30s after: counts again
			{10 * time.Second, 2, 20}, // cached again
			{time.Hour, 3, 30},        // long idle: one count, not one per missed period
		}
		for i, s := range steps {
			time.Sleep(s.wait)
			text := scrape(t, m)
			if calls != s.wantCalls {
				t.Errorf("step %d: count called %d times, want %d", i, calls, s.wantCalls)
			}
			wantLines(t, text, "sessiond_sessions_live "+strconv.Itoa(s.wantValue), "sessiond_live_sessions_errors_total 0")
		}
	})
}

func TestLiveSessionsFailure(t *testing.T) {
	errStore := errors.New("store unreachable")
	tests := []struct {
		name      string
		results   []error // what successive counts return; the nth succeeds with 7n sessions if nil
		wantValue string  // gauge line after the last scrape, "" for absent
		wantErrs  int
	}{
		// A failure keeps the last good value rather than dropping to 0,
		// which would look like everyone being signed out.
		{"error_keeps_last_value", []error{nil, errStore}, "sessiond_sessions_live 7", 1},
		{"recovers_after_error", []error{nil, errStore, nil}, "sessiond_sessions_live 21", 1},
		// Until a count succeeds there is no value to report.
		{"error_first_is_absent", []error{errStore}, "", 1},
		{"errors_accumulate", []error{errStore, errStore, errStore}, "", 3},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				m := New()
				call := 0
				m.LiveSessions(func(ctx context.Context) (int, error) {
					err := tc.results[call]
					call++
					return 7 * call, err
				})
				var text string
				for range tc.results {
					text = scrape(t, m)
					time.Sleep(liveEvery)
				}
				wantLines(t, text, "sessiond_live_sessions_errors_total "+strconv.Itoa(tc.wantErrs))
				if tc.wantValue == "" {
					wantAbsent(t, text, "sessiond_sessions_live ")
				} else {
					wantLines(t, text, tc.wantValue)
				}
			})
		})
	}
}

// TestLiveSessionsTimeout: a slow store must not hold a scrape beyond 5s,
// whether or not the count honours its context.
func TestLiveSessionsTimeout(t *testing.T) {
	tests := []struct {
		name  string
		count func(release <-chan struct{}) func(ctx context.Context) (int, error)
	}{
		{"count_honours_context", func(<-chan struct{}) func(ctx context.Context) (int, error) {
			return func(ctx context.Context) (int, error) {
				<-ctx.Done()
				return 0, ctx.Err()
			}
		}},
		{"count_ignores_context", func(release <-chan struct{}) func(ctx context.Context) (int, error) {
			return func(ctx context.Context) (int, error) {
				<-release
				return 1, nil
			}
		}},
		{"count_panics", func(<-chan struct{}) func(ctx context.Context) (int, error) {
			return func(ctx context.Context) (int, error) { panic("bug") }
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				release := make(chan struct{})
				defer close(release) // let an abandoned count finish inside the bubble
				m := New()
				m.LiveSessions(tc.count(release))
				start := time.Now()
				text := scrape(t, m)
				if took := time.Since(start); took > liveTimeout {
					t.Errorf("scrape took %v, want at most %v", took, liveTimeout)
				}
				wantLines(t, text, "sessiond_live_sessions_errors_total 1")
				wantAbsent(t, text, "sessiond_sessions_live ")
			})
		})
	}
}

// TestLiveSessionsConcurrentScrapes: several Prometheus replicas scraping
// at once make one count between them.
func TestLiveSessionsConcurrentScrapes(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		m := New()
		release := make(chan struct{})
		var mu sync.Mutex
		calls := 0
		m.LiveSessions(func(ctx context.Context) (int, error) {
			mu.Lock()
			calls++
			mu.Unlock()
			<-release
			return 3, nil
		})
		var wg sync.WaitGroup
		for range 4 {
			wg.Go(func() { wantLines(t, scrape(t, m), "sessiond_sessions_live 3") })
		}
		synctest.Wait() // every scrape is now counting or waiting for the count
		close(release)
		wg.Wait()
		if calls != 1 {
			t.Errorf("count called %d times by concurrent scrapes, want 1", calls)
		}
	})
}

// TestLiveSessionsUnregistered: without LiveSessions there is no gauge, so
// a service that cannot count does not report a false zero.
func TestLiveSessionsUnregistered(t *testing.T) {
	text := scrape(t, New())
	wantAbsent(t, text, "sessiond_sessions_live")
	wantAbsent(t, text, "sessiond_live_sessions_errors_total")
}

// TestLiveSessionsReplaced: a second call replaces the count and does not
// panic on registering twice.
func TestLiveSessionsReplaced(t *testing.T) {
	m := New()
	m.LiveSessions(func(context.Context) (int, error) { return 1, nil })
	wantLines(t, scrape(t, m), "sessiond_sessions_live 1")
	m.LiveSessions(func(context.Context) (int, error) { return 2, nil })
	wantLines(t, scrape(t, m), "sessiond_sessions_live 2")
}
