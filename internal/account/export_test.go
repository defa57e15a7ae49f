package account

// NewMemStore gives the external tests (the conformance run) the in-memory
// Store of this package's tests.
func NewMemStore() Store { return newMemStore() }
