// Package metrics is sessiond's Prometheus instrumentation: session events,
// store latency and errors, logins, HTTP latency and the live-session
// count, exposed by [Metrics.Handler] in the Prometheus text format.
//
// # What is never exported
//
// Labels take values from fixed sets only (event kinds, store operations,
// route patterns, status codes, login results). No user ID, session handle,
// IP address or token ever becomes a label: that would leak who uses the
// service to anyone who can read /metrics, and let clients grow the series
// count without bound.
//
// # Registry
//
// Every Metrics has its own registry, never Prometheus's global default, so
// that two instances (as in tests) do not collide and nothing imported
// elsewhere adds series behind sessiond's back. The registry also carries
// the Go runtime and process collectors (go_*, process_*).
package metrics

import (
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/sessiond/sessiond/session"
)

// Login results, the values [Metrics.Login] accepts.
const (
	LoginSuccess   = "success"   // the password was right and a session began
	LoginFailure   = "failure"   // wrong user name or password, or a disabled account
	LoginThrottled = "throttled" // refused by login throttling before checking the password
	LoginError     = "error"     // sessiond could not decide, such as a store failure
)

// otherLabel stands for any label value outside its fixed set, so that a
// caller's mistake cannot create unbounded series.
const otherLabel = "other"

// storeOps are the store methods, as the op label spells them.
var storeOps = []string{"get", "create", "update", "delete", "list_user", "delete_user", "all"}

// Metrics holds sessiond's metrics and the registry that exposes them. It is
// safe for concurrent use by multiple goroutines; so are the sinks, stores
// and handlers its methods return.
type Metrics struct {
	reg *prometheus.Registry

	events      *prometheus.CounterVec
	revocations prometheus.Counter
	expiries    *prometheus.CounterVec
	csrf        prometheus.Counter
	logins      *prometheus.CounterVec
	storeTime   *prometheus.HistogramVec
	storeErrors *prometheus.CounterVec
	httpTime    *prometheus.HistogramVec

	live *liveCollector // registered by the first LiveSessions call
}

// New returns Metrics with every series registered on a private registry.
// Labelled counters whose label values are known in advance (event kinds,
// expiry timeouts, login results, store operations) start at zero, so that
// rate() and alerts work before the first occurrence.
func New() *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		events: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "sessiond_session_events_total",
			Help: "Session events emitted by the session manager, by kind.",
		}, []string{"kind"}),
		revocations: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "sessiond_revocations_total",
			Help: "Sessions ended by revocation: by handle, by user, or by the per-user limit.",
		}),
		expiries: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "sessiond_expiries_total",
			Help: "Requests that arrived with an expired session, by the timeout that ended it.",
		}, []string{"timeout"}),
		csrf: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "sessiond_csrf_failures_total",
			Help: "Unsafe requests refused by the CSRF check.",
		}),
		logins: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "sessiond_logins_total",
			Help: "Login attempts, by result: success, failure, throttled or error.",
		}, []string{"result"}),
		storeTime: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "sessiond_store_duration_seconds",
			Help: "Time taken by session store operations, by operation.",
			// From 100µs (an in-memory store) to 2.5s (a store in trouble;
			// the session manager's own timeout cuts in around there).
			Buckets: []float64{.0001, .00025, .0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5},
		}, []string{"op"}),
		storeErrors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "sessiond_store_errors_total",
			Help: "Session store operations that failed, by operation. Not found, conflict and exists are outcomes, not errors.",
		}, []string{"op"}),
		httpTime: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "sessiond_http_request_duration_seconds",
			Help:    "Time to serve HTTP requests, by route pattern and status code.",
			Buckets: prometheus.DefBuckets,
		}, []string{"route", "code"}),
		live: newLiveCollector(),
	}
	m.reg.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		m.events, m.revocations, m.expiries, m.csrf, m.logins,
		m.storeTime, m.storeErrors, m.httpTime,
	)
	for _, k := range eventKinds {
		m.events.WithLabelValues(string(k))
	}
	m.expiries.WithLabelValues("idle")
	m.expiries.WithLabelValues("absolute")
	for _, r := range []string{LoginSuccess, LoginFailure, LoginThrottled, LoginError} {
		m.logins.WithLabelValues(r)
	}
	for _, op := range storeOps {
		m.storeErrors.WithLabelValues(op)
	}
	return m
}

// Handler serves the metrics in the Prometheus exposition format. It reveals
// operational counts only (see the package documentation), but the counts
// themselves say how busy the service is and how often it is attacked:
// expose it to the monitoring network, not the internet.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
}

// Login counts one login attempt in sessiond_logins_total{result}. result
// should be one of [LoginSuccess], [LoginFailure], [LoginThrottled] or
// [LoginError]; any other value is counted as "other" so that a mistake
// cannot create unbounded series.
func (m *Metrics) Login(result string) {
	switch result {
	case LoginSuccess, LoginFailure, LoginThrottled, LoginError:
	default:
		result = otherLabel
	}
	m.logins.WithLabelValues(result).Inc()
}

// eventKinds are the kinds a Manager emits, as labels of
// sessiond_session_events_total. Any other kind is counted as "other".
var eventKinds = []session.EventKind{
	session.EventCreated, session.EventLogin, session.EventRotated, session.EventRenewed,
	session.EventExpiredIdle, session.EventExpiredAbsolute, session.EventRevoked, session.EventLogout,
	session.EventTokenInURL, session.EventMalformedToken, session.EventUnknownToken,
	session.EventCSRFFailure, session.EventConflict, session.EventStoreError,
	session.EventLateWrite, session.EventTooLarge, session.EventLimitRefused,
}
