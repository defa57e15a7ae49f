package bench

import (
	"net/http"
	"testing"
)

// baseline is a plain net/http handler with no session at all: the cost of
// the mux, the recorder and writing the body, which every library pays too.
var baseline = library{name: "baseline", setup: baselineFixture}

// BenchmarkReadOnly measures a request that reads a string and the user ID
// from a signed-in session.
func BenchmarkReadOnly(b *testing.B) { benchmarkWorkload(b, readOnly) }

// BenchmarkReadModifyWrite measures a request that increments a counter in
// a signed-in session.
func BenchmarkReadModifyWrite(b *testing.B) { benchmarkWorkload(b, readModifyWrite) }

// BenchmarkLogin measures a login on an existing anonymous session: sessiond
// Login, scs RenewToken + Put, gorilla/sessions Save of the new user.
func BenchmarkLogin(b *testing.B) { benchmarkWorkload(b, login) }

// benchmarkWorkload runs wl for every library as a sub-benchmark named
// lib=<library>, so that `benchstat -col /lib` puts the libraries side by
// side and compares each with sessiond, the first column.
func benchmarkWorkload(b *testing.B, wl workload) {
	for _, lib := range append(libraries[:len(libraries):len(libraries)], baseline) {
		b.Run("lib="+lib.name, func(b *testing.B) { run(b, lib.setup(b), wl) })
	}
}

// seedBatch is how many sessions a workload that consumes its session seeds
// at a time, with the timer stopped.
const seedBatch = 1024

// run measures wl on f and reports writes/op: the store writes (cookie
// rewrites for gorilla/sessions) of the timed requests, seeding excluded.
//
// Requests are built before the timer runs. A workload that does not consume
// its session sends the same request every time. One that does (login
// rotates the token, so its old cookie is dead afterwards) gets a fresh
// session and request per iteration, seeded seedBatch at a time while the
// timer is stopped.
func run(b *testing.B, f *fixture, wl workload) {
	req := request(wl.path, f.cookie, f.seed(b, wl.userID))
	var pool []*http.Request
	next := 0
	var seedWrites int64
	refill := func() {
		b.StopTimer()
		before := f.writes.Load()
		pool = pool[:0]
		for range seedBatch {
			pool = append(pool, request(wl.path, f.cookie, f.seed(b, wl.userID)))
		}
		next = 0
		seedWrites += f.writes.Load() - before
		b.StartTimer()
	}

	b.ReportAllocs()
	start, n := f.writes.Load(), 0
	for b.Loop() {
		r := req
		if wl.consumes {
			if next == len(pool) {
				refill()
			}
			r = pool[next]
			next++
		}
		serve(b, f.handler, r)
		n++
	}
	b.ReportMetric(float64(f.writes.Load()-start-seedWrites)/float64(n), "writes/op")
}
