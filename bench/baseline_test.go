package bench

import (
	"net/http"
	"sync/atomic"
	"testing"
)

// baselineFixture serves the workloads with no session at all: the handlers
// write the bodies a session would have produced. It prices what every
// library pays anyway (mux, recorder, request copy, body) so that the ratios
// in docs/performance.md can separate it from the session work.
func baselineFixture(testing.TB) *fixture {
	read := func(w http.ResponseWriter, r *http.Request) { writeRead(w, "dark", "alice") }
	count := func(w http.ResponseWriter, r *http.Request) { writeCount(w, 42) }
	login := func(w http.ResponseWriter, r *http.Request) { writeLoggedIn(w) }
	return &fixture{
		handler: routes(read, count, login),
		cookie:  "sid",
		writes:  new(atomic.Int64),
		seed:    func(testing.TB, string) string { return "none" },
	}
}
