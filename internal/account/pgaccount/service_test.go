package pgaccount

import (
	"testing"

	"github.com/sessiond/sessiond/internal/account"
	"github.com/sessiond/sessiond/internal/account/accounttest"
)

// TestServiceSharesUsersAndLimitsAcrossReplicas: two replicas on one
// PostgreSQL schema see the same users and the same login throttling.
func TestServiceSharesUsersAndLimitsAcrossReplicas(t *testing.T) {
	pool := testPool(t)
	schema := freshSchema(t, pool)
	accounttest.RunReplicas(t, func(t *testing.T) account.Store { return mustNew(t, pool, Config{Schema: schema}) })
}
