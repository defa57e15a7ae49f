package e2e

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/sessiond/sessiond/internal/testenv"
)

// TestSentinelFailoverFailsClosedAndLosesNoLogin runs sessiond on Redis
// Sentinel with writes acknowledged by a replica, signs in several times,
// kills the master with SIGKILL, and checks that while Sentinel promotes the
// replica no request is answered as if a live session were gone (401) or an
// unknown one were live (200) — only 503 or the right answer — and that
// afterwards every acknowledged login still works.
func TestSentinelFailoverFailsClosedAndLosesNoLogin(t *testing.T) {
	master, sentinels := testenv.StartRedisSentinel(t)
	store := "redis+sentinel://" + strings.Join(sentinels, ",") + "/" + master + "?wait_replicas=1&wait_timeout=1s"
	sd := startSessiond(t, "--store", store, "--store-timeout", "1s")

	var tokens []string
	for range 8 {
		c := newClient(t, sd.URL)
		c.login("admin", sd.Password, "")
		tokens = append(tokens, c.cookie())
	}
	const unknown = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"

	testenv.KillRedis(t, testenv.SentinelMaster(t, sentinels[0], master))
	saw503 := false
	deadline := time.Now().Add(45 * time.Second)
	for recovered := false; !recovered; {
		if time.Now().After(deadline) {
			t.Fatal("sessiond did not recover within 45s of the master's death")
		}
		recovered = true
		for _, tok := range tokens {
			switch got := whoamiStatus(t, sd.URL, tok); got {
			case http.StatusOK:
			case http.StatusServiceUnavailable:
				saw503, recovered = true, false
			default:
				t.Fatalf("an acknowledged session during failover: %d, want 200 or 503 (never signed out)", got)
			}
		}
		switch got := whoamiStatus(t, sd.URL, unknown); got {
		case http.StatusUnauthorized:
		case http.StatusServiceUnavailable:
			recovered = false
		default:
			t.Fatalf("an unknown token during failover: %d, want 401 or 503 (never signed in)", got)
		}
	}
	t.Logf("recovered after the failover (503s seen meanwhile: %v)", saw503)
}
