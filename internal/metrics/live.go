package metrics

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

const (
	// liveEvery is how long a live-session count is reused. Counting walks
	// the whole store, so scrapes (every 15s by default, from each
	// Prometheus replica) must not each trigger one.
	liveEvery = 30 * time.Second
	// liveTimeout bounds one count, so that a slow store cannot hold a
	// scrape past Prometheus's default 10s scrape timeout.
	liveTimeout = 5 * time.Second
)

// LiveSessions registers the sessiond_sessions_live gauge, computed when
// metrics are scraped by calling count.
//
// count walks the store, so its result is reused: count is called at most
// once every 30 seconds however often metrics are scraped, and concurrent
// scrapes wait for one call rather than making several. Each call gets a
// context that ends after 5 seconds, and the scrape stops waiting then
// even if count ignores the context (its goroutine then runs on until
// count returns).
//
// A failed or timed-out count increments
// sessiond_live_sessions_errors_total and the gauge keeps its last value.
// Until the first successful count the gauge is absent rather than a
// misleading zero. A panic in count is recovered and counted as a failure.
//
// Call LiveSessions once, after New. A later call replaces count and drops
// the cached value.
func (m *Metrics) LiveSessions(count func(ctx context.Context) (int, error)) {
	c := m.live
	c.lock()
	c.count, c.have, c.next = count, false, time.Time{}
	c.unlock()
	c.register.Do(func() { m.reg.MustRegister(c) })
}

// liveCollector computes sessiond_sessions_live on scrape.
type liveCollector struct {
	desc     *prometheus.Desc
	errors   prometheus.Counter
	register sync.Once

	// sem is a lock held during a count, so that concurrent scrapes make
	// one call. It is a channel rather than a sync.Mutex so that goroutines
	// waiting on it count as blocked to testing/synctest.
	sem   chan struct{}
	count func(ctx context.Context) (int, error)
	value float64
	have  bool      // value holds a successful count
	next  time.Time // no count before this instant
}

// newLiveCollector returns the collector, not yet registered.
func newLiveCollector() *liveCollector {
	return &liveCollector{
		sem: make(chan struct{}, 1),
		desc: prometheus.NewDesc("sessiond_sessions_live",
			"Live sessions in the store, counted at most every 30 seconds.", nil, nil),
		errors: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "sessiond_live_sessions_errors_total",
			Help: "Failed or timed-out counts of live sessions.",
		}),
	}
}

// Describe implements prometheus.Collector.
func (c *liveCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.desc
	c.errors.Describe(ch)
}

// Collect implements prometheus.Collector. It counts first, so that a
// failure shows in the error counter of the same scrape.
func (c *liveCollector) Collect(ch chan<- prometheus.Metric) {
	if v, ok := c.current(); ok {
		ch <- prometheus.MustNewConstMetric(c.desc, prometheus.GaugeValue, v)
	}
	c.errors.Collect(ch)
}

// current returns the cached count, refreshing it first if it is due.
func (c *liveCollector) current() (float64, bool) {
	c.lock()
	defer c.unlock()
	now := time.Now()
	if c.count == nil || now.Before(c.next) {
		return c.value, c.have
	}
	c.next = now.Add(liveEvery)
	n, err := countBounded(c.count)
	if err != nil {
		c.errors.Inc()
		return c.value, c.have
	}
	c.value, c.have = float64(n), true
	return c.value, true
}

// lock and unlock take and release sem.
func (c *liveCollector) lock()   { c.sem <- struct{}{} }
func (c *liveCollector) unlock() { <-c.sem }

// countBounded calls count with a liveTimeout deadline and returns when it
// does or when the deadline passes, whichever is first.
func countBounded(count func(ctx context.Context) (int, error)) (int, error) {
	ctx, cancel := context.WithTimeout(context.Background(), liveTimeout)
	defer cancel()
	type result struct {
		n   int
		err error
	}
	done := make(chan result, 1) // buffered: a late count must not block forever
	go func() {
		defer func() {
			if p := recover(); p != nil {
				done <- result{err: fmt.Errorf("metrics: live session count panicked: %v", p)}
			}
		}()
		n, err := count(ctx)
		done <- result{n, err}
	}()
	select {
	case r := <-done:
		return r.n, r.err
	case <-ctx.Done():
		return 0, ctx.Err()
	}
}
