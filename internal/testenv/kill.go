package testenv

import (
	"net"
	"os"
	"strconv"
	"testing"
	"time"
)

// SentinelMaster returns the address of the master the sentinel at
// sentinelAddr currently names for masterName.
func SentinelMaster(t testing.TB, sentinelAddr, masterName string) string {
	t.Helper()
	reply, err := redisCommand(sentinelAddr, "SENTINEL", "GET-MASTER-ADDR-BY-NAME", masterName)
	hostPort, ok := reply.([]any)
	if err != nil || !ok || len(hostPort) != 2 {
		t.Fatalf("SENTINEL GET-MASTER-ADDR-BY-NAME %s = %v, %v", masterName, reply, err)
	}
	host, _ := hostPort[0].(string)
	port, _ := hostPort[1].(string)
	return net.JoinHostPort(host, port)
}

// KillRedis sends SIGKILL to the redis-server at addr — a process a helper
// of this package started for the test — and waits until its port refuses
// connections.
func KillRedis(t testing.TB, addr string) {
	t.Helper()
	info, err := redisInfo(addr, "server")
	if err != nil {
		t.Fatalf("INFO server on %s: %v", addr, err)
	}
	pid, _ := strconv.Atoi(info["process_id"])
	proc, err := os.FindProcess(pid)
	if pid == 0 || err != nil {
		t.Fatalf("no process_id in INFO server of %s (%v)", addr, err)
	}
	if err := proc.Kill(); err != nil {
		t.Fatalf("killing redis-server %s (pid %d): %v", addr, pid, err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		conn, err := net.DialTimeout("tcp", addr, 100*time.Millisecond)
		if err != nil {
			return
		}
		conn.Close()
		if time.Now().After(deadline) {
			t.Fatalf("%s still accepts connections 5s after SIGKILL", addr)
		}
		time.Sleep(10 * time.Millisecond) // polling a port: there is nothing to wait on
	}
}
