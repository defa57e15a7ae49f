package testenv

import (
	"net"
	"strconv"
	"testing"
)

// TestFreePort checks that the port is a real one and can be bound again
// once FreePort has released it.
func TestFreePort(t *testing.T) {
	port := FreePort(t)
	if port <= 0 || port > 65535 {
		t.Fatalf("FreePort() = %d, want a port in 1..65535", port)
	}
	ln, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
	if err != nil {
		t.Fatalf("listening on the port FreePort returned: %v", err)
	}
	ln.Close()
}

// TestNeedSkipsWhenMissing checks that outside CI a missing program skips
// the test rather than failing it.
func TestNeedSkipsWhenMissing(t *testing.T) {
	t.Setenv("CI", "")
	var sub *testing.T
	t.Run("missing", func(t *testing.T) {
		sub = t
		need(t, "nothing", "nothing", []string{"sessiond-testenv-no-such-program"}, "/nonexistent/sessiond-testenv")
	})
	if !sub.Skipped() || sub.Failed() {
		t.Errorf("need for a missing program: skipped %v, failed %v; want skipped, not failed", sub.Skipped(), sub.Failed())
	}
}
