package metrics

import "testing"

func TestLogin(t *testing.T) {
	m := New()
	// Every result exists at zero before the first login.
	wantLines(t, scrape(t, m),
		`sessiond_logins_total{result="success"} 0`,
		`sessiond_logins_total{result="failure"} 0`,
		`sessiond_logins_total{result="throttled"} 0`,
		`sessiond_logins_total{result="error"} 0`)

	for _, r := range []string{LoginSuccess, LoginSuccess, LoginFailure, LoginThrottled, LoginError, "typo", "another typo"} {
		m.Login(r)
	}
	text := scrape(t, m)
	wantLines(t, text,
		`sessiond_logins_total{result="success"} 2`,
		`sessiond_logins_total{result="failure"} 1`,
		`sessiond_logins_total{result="throttled"} 1`,
		`sessiond_logins_total{result="error"} 1`,
		// A result outside the set cannot create a series of its own.
		`sessiond_logins_total{result="other"} 2`)
	wantAbsent(t, text, `sessiond_logins_total{result="typo"}`)
}

// TestRegistryIsPrivate: two Metrics must not collide, as they would on
// Prometheus's global registry, and each carries the runtime collectors.
func TestRegistryIsPrivate(t *testing.T) {
	a, b := New(), New()
	a.Login(LoginSuccess)
	wantLines(t, scrape(t, b), `sessiond_logins_total{result="success"} 0`)
	text := scrape(t, a)
	wantLines(t, text, `sessiond_logins_total{result="success"} 1`)
	for _, family := range []string{"# TYPE go_goroutines gauge", "# TYPE process_cpu_seconds_total counter"} {
		wantLines(t, text, family)
	}
}
