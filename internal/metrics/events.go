package metrics

import (
	"context"
	"slices"

	"github.com/sessiond/sessiond/session"
)

// Events returns a sink that counts each event and then passes it to next,
// so that metrics and the log see the same events. A nil next drops events
// after counting them.
//
// Every event increments sessiond_session_events_total{kind}; a kind the
// Manager does not define is counted as kind="other". In addition,
// [session.EventRevoked] increments sessiond_revocations_total,
// [session.EventExpiredIdle] and [session.EventExpiredAbsolute] increment
// sessiond_expiries_total{timeout="idle"|"absolute"}, and
// [session.EventCSRFFailure] increments sessiond_csrf_failures_total.
//
// The sink is safe for concurrent use, and it never blocks: counting is a
// few atomic additions, after which it is as fast as next.
func (m *Metrics) Events(next session.EventSink) session.EventSink {
	return session.EventSinkFunc(func(ctx context.Context, e session.Event) {
		m.count(e.Kind)
		if next != nil {
			next.Emit(ctx, e)
		}
	})
}

// count records one event of kind k.
func (m *Metrics) count(k session.EventKind) {
	label := string(k)
	if !slices.Contains(eventKinds, k) {
		label = otherLabel
	}
	m.events.WithLabelValues(label).Inc()
	switch k {
	case session.EventRevoked:
		m.revocations.Inc()
	case session.EventExpiredIdle:
		m.expiries.WithLabelValues("idle").Inc()
	case session.EventExpiredAbsolute:
		m.expiries.WithLabelValues("absolute").Inc()
	case session.EventCSRFFailure:
		m.csrf.Inc()
	}
}
