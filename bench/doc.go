// Package bench compares sessiond's session package with
// github.com/alexedwards/scs/v2 and github.com/gorilla/sessions, and with a
// plain net/http handler that keeps no session, on three workloads: a
// read-only request, a read-modify-write of a counter, and a login that
// rotates the session token. It is a separate module so that the
// competitors never enter sessiond's go.mod.
//
// Everything lives in _test.go files: `go test ./...` runs the tests that
// prove each library's handlers behave, and
//
//	go test -run='^$' -bench=. -benchtime=1s -count=5 .
//
// runs the benchmarks. docs/performance.md records a run and how to read it.
//
// # What is measured
//
// Every iteration is one complete request served through the library's own
// middleware into an httptest.ResponseRecorder, with a pre-built request
// carrying the cookie of an existing session. Each library uses an
// in-memory store (sessiond's memstore, scs's memstore with IdleTimeout
// set, as real deployments do) or, for gorilla/sessions, a CookieStore with
// a 32-byte hash key and a 32-byte block key (HMAC-SHA256 and AES-256).
//
// The writes/op metric counts store writes per request: sessiond's
// Create, Update, Delete and DeleteUser, and scs's Commit and Delete. A
// CookieStore has no server-side store; for gorilla/sessions writes/op
// counts cookie rewrites (calls to Save, which re-encode the session and set
// the cookie), not store writes.
//
// gorilla/sessions keeps the whole session in the cookie and has no
// server-side token, so it cannot rotate one at all: its login workload only
// rewrites the cookie, and the pre-login cookie stays valid until its
// MaxAge. TestWorkloadsLogin asserts exactly that difference.
package bench
