package metrics

import (
	"context"
	"sync"
	"testing"

	"github.com/sessiond/sessiond/session"
)

func TestEvents(t *testing.T) {
	tests := []struct {
		name   string
		kinds  []session.EventKind
		want   []string // lines the scrape must contain
		absent []string // series prefixes it must not contain
	}{
		// Known series exist at zero before anything happens, so that
		// rate() and absence alerts work from the start.
		{"zero_before_first_event", nil, []string{
			`sessiond_session_events_total{kind="login"} 0`,
			`sessiond_session_events_total{kind="csrf_failure"} 0`,
			`sessiond_revocations_total 0`,
			`sessiond_expiries_total{timeout="idle"} 0`,
			`sessiond_expiries_total{timeout="absolute"} 0`,
			`sessiond_csrf_failures_total 0`,
		}, nil},

		// Every event is counted under its kind.
		{"counted_by_kind", []session.EventKind{session.EventLogin, session.EventLogin, session.EventLogout, session.EventStoreError}, []string{
			`sessiond_session_events_total{kind="login"} 2`,
			`sessiond_session_events_total{kind="logout"} 1`,
			`sessiond_session_events_total{kind="store_error"} 1`,
			`sessiond_session_events_total{kind="rotated"} 0`,
		}, nil},

		// Kinds that alerts watch also have their own series.
		{"revocations", []session.EventKind{session.EventRevoked, session.EventRevoked, session.EventRevoked}, []string{
			`sessiond_session_events_total{kind="revoked"} 3`,
			`sessiond_revocations_total 3`,
		}, nil},
		{"expiries_by_timeout", []session.EventKind{session.EventExpiredIdle, session.EventExpiredIdle, session.EventExpiredAbsolute}, []string{
			`sessiond_session_events_total{kind="expired_idle"} 2`,
			`sessiond_session_events_total{kind="expired_absolute"} 1`,
			`sessiond_expiries_total{timeout="idle"} 2`,
			`sessiond_expiries_total{timeout="absolute"} 1`,
		}, nil},
		{"csrf_failures", []session.EventKind{session.EventCSRFFailure}, []string{
			`sessiond_session_events_total{kind="csrf_failure"} 1`,
			`sessiond_csrf_failures_total 1`,
			`sessiond_revocations_total 0`,
		}, nil},

		// A kind outside the Manager's set cannot create a new series.
		{"unknown_kind_is_other", []session.EventKind{"made_up", "also_made_up"}, []string{
			`sessiond_session_events_total{kind="other"} 2`,
		}, []string{`sessiond_session_events_total{kind="made_up"}`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := New()
			sink := m.Events(nil)
			for _, k := range tc.kinds {
				sink.Emit(t.Context(), session.Event{Kind: k})
			}
			text := scrape(t, m)
			wantLines(t, text, tc.want...)
			for _, p := range tc.absent {
				wantAbsent(t, text, p)
			}
		})
	}
}

// TestEventsForwards: counting must not swallow events on their way to the
// log sink.
func TestEventsForwards(t *testing.T) {
	type key struct{}
	var got []session.Event
	next := session.EventSinkFunc(func(ctx context.Context, e session.Event) {
		if ctx.Value(key{}) != "v" {
			t.Errorf("Emit: context not passed on")
		}
		got = append(got, e)
	})
	sink := New().Events(next)
	ctx := context.WithValue(t.Context(), key{}, "v")
	sent := []session.Event{{Kind: session.EventLogin, UserID: "alice"}, {Kind: session.EventRevoked, Detail: "admin"}}
	for _, e := range sent {
		sink.Emit(ctx, e)
	}
	if len(got) != len(sent) || got[0].UserID != "alice" || got[1].Detail != "admin" {
		t.Errorf("next received %+v, want %+v", got, sent)
	}
}

// TestEventsConcurrent: the Manager emits from every request goroutine at
// once; run under -race.
func TestEventsConcurrent(t *testing.T) {
	m := New()
	var mu sync.Mutex
	forwarded := 0
	sink := m.Events(session.EventSinkFunc(func(context.Context, session.Event) {
		mu.Lock()
		forwarded++
		mu.Unlock()
	}))
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 100 {
				sink.Emit(t.Context(), session.Event{Kind: session.EventRevoked})
			}
		})
	}
	wg.Wait()
	wantLines(t, scrape(t, m),
		`sessiond_session_events_total{kind="revoked"} 800`,
		`sessiond_revocations_total 800`)
	if forwarded != 800 {
		t.Errorf("forwarded %d events, want 800", forwarded)
	}
}
