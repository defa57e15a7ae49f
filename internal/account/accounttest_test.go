package account_test

import (
	"testing"

	"github.com/sessiond/sessiond/internal/account"
	"github.com/sessiond/sessiond/internal/account/accounttest"
)

// TestMemStore runs the conformance suite against the in-memory Store the
// other tests of this package use, so that they rest on a store that keeps
// the contract, and so the suite itself is exercised without a backend.
func TestMemStore(t *testing.T) {
	accounttest.Run(t, func(t *testing.T) account.Store {
		return account.NewMemStore()
	})
}
