package redisaccount

import (
	"testing"

	"github.com/sessiond/sessiond/internal/account"
	"github.com/sessiond/sessiond/internal/account/accounttest"
)

// TestServiceSharesUsersAndLimitsAcrossReplicas: two replicas on one Redis
// see the same users and the same login throttling.
func TestServiceSharesUsersAndLimitsAcrossReplicas(t *testing.T) {
	c := testClient(t)
	prefix := freshPrefix(t, c)
	accounttest.RunReplicas(t, func(t *testing.T) account.Store { return mustNew(t, c, Config{Prefix: prefix}) })
}
