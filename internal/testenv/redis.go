package testenv

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Bounds on how long the helpers below wait for servers they start. They
// poll, so a fast machine waits only as long as the servers need.
const (
	redisStartTimeout    = 10 * time.Second // one process answering PING
	redisTopologyTimeout = 20 * time.Second // replication, sentinel discovery, cluster join
	redisPollEvery       = 20 * time.Millisecond
)

// StartRedisSentinel starts a Sentinel deployment for tests: a master, one
// replica and three sentinels (quorum two), each a redis-server process on
// a free loopback port with its files in t.TempDir(), without persistence.
// It returns once the replica is in sync and every sentinel knows the
// replica and the two other sentinels, so a failover can start as soon as
// the master stops answering: the sentinels judge a master down after
// 500 ms. t.Cleanup stops every process, also when the test fails.
//
// A test that wants to kill the master finds its process ID in the
// process_id field of INFO server on the address the sentinels report.
// Without redis-server it skips the test, or fails it under CI=true,
// naming Debian's redis-server package.
func StartRedisSentinel(t testing.TB) (masterName string, sentinelAddrs []string) {
	t.Helper()
	bin := need(t, "redis-server", "redis-server", []string{"redis-server"}, "/usr/bin/redis-server")
	const name = "sessiond-test"
	dir := t.TempDir()
	master := startRedis(t, bin, dir, "master", func(port int) []string {
		return redisArgs(port, dir)
	})
	replica := startRedis(t, bin, dir, "replica", func(port int) []string {
		host, masterPort, _ := net.SplitHostPort(master)
		return append(redisArgs(port, dir), "--replicaof", host, masterPort)
	})
	waitRedis(t, redisTopologyTimeout, "the replica to sync with the master", func() (bool, error) {
		info, err := redisInfo(replica, "replication")
		return info["master_link_status"] == "up", err
	})
	for i := range 3 {
		addr := startRedis(t, bin, dir, fmt.Sprintf("sentinel%d", i), func(port int) []string {
			conf := filepath.Join(dir, fmt.Sprintf("sentinel%d-%d.conf", i, port))
			host, masterPort, _ := net.SplitHostPort(master)
			text := fmt.Sprintf("port %d\nbind 127.0.0.1\ndir %s\n"+
				"sentinel monitor %s %s %s 2\n"+
				"sentinel down-after-milliseconds %[3]s 500\n"+
				"sentinel failover-timeout %[3]s 2000\n", port, dir, name, host, masterPort)
			if err := os.WriteFile(conf, []byte(text), 0o600); err != nil {
				t.Fatalf("StartRedisSentinel: %v", err)
			}
			return []string{conf, "--sentinel"}
		})
		sentinelAddrs = append(sentinelAddrs, addr)
	}
	for _, addr := range sentinelAddrs {
		waitRedis(t, redisTopologyTimeout, "sentinel "+addr+" to discover the replica and the other sentinels", func() (bool, error) {
			fields, err := redisFields(addr, "SENTINEL", "MASTER", name)
			return fields["num-slaves"] == "1" && fields["num-other-sentinels"] == "2", err
		})
	}
	return name, sentinelAddrs
}

// StartRedisCluster starts a Redis Cluster for tests: three masters, each
// with one replica, every one a redis-server process on a free loopback
// port (its cluster bus on another) with its files in t.TempDir(), without
// persistence, joined with redis-cli --cluster create. It returns the six
// addresses once every node reports cluster_state:ok and every replica is
// in sync, so that WAIT 1 succeeds on every master. t.Cleanup stops every
// process, also when the test fails. Without redis-server or redis-cli it
// skips the test, or fails it under CI=true, naming Debian's redis-server
// or redis-tools package.
func StartRedisCluster(t testing.TB) (addrs []string) {
	t.Helper()
	bin := need(t, "redis-server", "redis-server", []string{"redis-server"}, "/usr/bin/redis-server")
	cli := need(t, "redis-cli", "redis-tools", []string{"redis-cli"}, "/usr/bin/redis-cli")
	for i := range 6 {
		dir := t.TempDir() // each node writes its own nodes.conf
		addrs = append(addrs, startRedis(t, bin, dir, fmt.Sprintf("node%d", i), func(port int) []string {
			// The bus port defaults to port+10000, which may be taken or
			// out of range; take a free one too.
			return append(redisArgs(port, dir), "--cluster-enabled", "yes",
				"--cluster-port", strconv.Itoa(FreePort(t)),
				"--cluster-config-file", fmt.Sprintf("nodes-%d.conf", port),
				"--cluster-node-timeout", "2000")
		}))
	}
	ctx, cancel := context.WithTimeout(context.Background(), redisTopologyTimeout)
	defer cancel()
	args := append([]string{"--cluster", "create"}, addrs...)
	args = append(args, "--cluster-replicas", "1", "--cluster-yes")
	if out, err := exec.CommandContext(ctx, cli, args...).CombinedOutput(); err != nil {
		t.Fatalf("StartRedisCluster: redis-cli --cluster create: %v\n%s", err, out)
	}
	for _, addr := range addrs {
		waitRedis(t, redisTopologyTimeout, "cluster node "+addr+" to be ok and in sync", func() (bool, error) {
			reply, err := redisCommand(addr, "CLUSTER", "INFO")
			if s, _ := reply.(string); err != nil || !strings.Contains(s, "cluster_state:ok") {
				return false, err
			}
			info, err := redisInfo(addr, "replication")
			return info["connected_slaves"] == "1" || info["master_link_status"] == "up", err
		})
	}
	return addrs
}

// redisArgs are the flags every test server gets: loopback only, files in
// dir, no persistence, and a full sync that starts at once instead of
// waiting five seconds for more replicas.
func redisArgs(port int, dir string) []string {
	return []string{"--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--dir", dir,
		"--save", "", "--appendonly", "no", "--repl-diskless-sync-delay", "0"}
}

// startRedis starts bin with the arguments args returns for a free port,
// logging to <dir>/<name>-<port>.log, and returns its address once it
// answers PING. A port taken between FreePort and the server's bind makes
// it try another. t.Cleanup kills the process and, if the test failed, logs
// the end of its log.
func startRedis(t testing.TB, bin, dir, name string, args func(port int) []string) string {
	t.Helper()
	for attempt := 0; ; attempt++ {
		port := FreePort(t)
		addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
		logPath := filepath.Join(dir, fmt.Sprintf("%s-%d.log", name, port))
		logFile, err := os.Create(logPath)
		if err != nil {
			t.Fatalf("startRedis %s: %v", name, err)
		}
		cmd := exec.Command(bin, args(port)...)
		cmd.Dir, cmd.Stdout, cmd.Stderr = dir, logFile, logFile
		if err := cmd.Start(); err != nil {
			logFile.Close()
			t.Fatalf("startRedis %s: %v", name, err)
		}
		exited := make(chan struct{})
		go func() {
			cmd.Wait()
			logFile.Close()
			close(exited)
		}()
		t.Cleanup(func() {
			cmd.Process.Kill() // an error means it has already exited
			<-exited
			if t.Failed() {
				t.Logf("%s (%s) log, last lines:\n%s", name, addr, logTail(logPath, 20))
			}
		})
		ready, err := waitReady(addr, exited)
		if ready {
			return addr
		}
		if attempt < 3 && strings.Contains(logTail(logPath, 20), "Address already in use") {
			continue
		}
		t.Fatalf("startRedis %s on %s: %v; log:\n%s", name, addr, err, logTail(logPath, 20))
	}
}

// waitReady polls addr with PING until it answers PONG, the process exits
// (exited is closed) or redisStartTimeout passes.
func waitReady(addr string, exited <-chan struct{}) (bool, error) {
	deadline := time.NewTimer(redisStartTimeout)
	defer deadline.Stop()
	tick := time.NewTicker(redisPollEvery)
	defer tick.Stop()
	for {
		reply, err := redisCommand(addr, "PING")
		if err == nil && reply == "PONG" {
			return true, nil
		}
		select {
		case <-exited:
			return false, errors.New("the process exited")
		case <-deadline.C:
			return false, fmt.Errorf("no PONG within %v (last: %v, %v)", redisStartTimeout, reply, err)
		case <-tick.C:
		}
	}
}

// waitRedis polls cond until it reports true, failing t with what after
// timeout. Errors from cond count as "not yet" and are reported at the end.
func waitRedis(t testing.TB, timeout time.Duration, what string, cond func() (bool, error)) {
	t.Helper()
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	tick := time.NewTicker(redisPollEvery)
	defer tick.Stop()
	for {
		ok, err := cond()
		if ok {
			return
		}
		select {
		case <-deadline.C:
			t.Fatalf("waited %v for %s (last error: %v)", timeout, what, err)
		case <-tick.C:
		}
	}
}

// redisInfo returns the fields of INFO section on addr.
func redisInfo(addr, section string) (map[string]string, error) {
	reply, err := redisCommand(addr, "INFO", section)
	if err != nil {
		return nil, err
	}
	s, _ := reply.(string)
	fields := map[string]string{}
	for _, line := range strings.Split(s, "\r\n") {
		if k, v, ok := strings.Cut(line, ":"); ok {
			fields[k] = v
		}
	}
	return fields, nil
}

// redisFields returns a reply that is a flat array of names and values,
// such as SENTINEL MASTER's, as a map.
func redisFields(addr string, args ...string) (map[string]string, error) {
	reply, err := redisCommand(addr, args...)
	if err != nil {
		return nil, err
	}
	arr, ok := reply.([]any)
	if !ok {
		return nil, fmt.Errorf("%s: reply %v is not an array", args[0], reply)
	}
	fields := map[string]string{}
	for i := 0; i+1 < len(arr); i += 2 {
		k, _ := arr[i].(string)
		v, _ := arr[i+1].(string)
		fields[k] = v
	}
	return fields, nil
}

// redisCommand sends one command to addr on a new connection and returns
// the reply (see readReply). Test helpers use it instead of a client
// library, which internal/testenv does not import.
func redisCommand(addr string, args ...string) (any, error) {
	conn, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	if err := conn.SetDeadline(time.Now().Add(2 * time.Second)); err != nil {
		return nil, err
	}
	var req bytes.Buffer
	fmt.Fprintf(&req, "*%d\r\n", len(args))
	for _, a := range args {
		fmt.Fprintf(&req, "$%d\r\n%s\r\n", len(a), a)
	}
	if _, err := conn.Write(req.Bytes()); err != nil {
		return nil, err
	}
	return readReply(bufio.NewReader(conn))
}

// readReply reads one RESP2 reply: a simple or bulk string as a string, an
// integer as an int64, an array as []any, a null as nil, and an error
// reply as an error.
func readReply(r *bufio.Reader) (any, error) {
	line, err := r.ReadString('\n')
	if err != nil {
		return nil, err
	}
	line = strings.TrimSuffix(line, "\r\n")
	if line == "" {
		return nil, errors.New("empty reply line")
	}
	kind, rest := line[0], line[1:]
	switch kind {
	case '+':
		return rest, nil
	case '-':
		return nil, errors.New(rest)
	}
	n, err := strconv.ParseInt(rest, 10, 64)
	if err != nil {
		return nil, fmt.Errorf("reply %q: %v", line, err)
	}
	switch {
	case kind == ':':
		return n, nil
	case n < 0 && (kind == '$' || kind == '*'):
		return nil, nil
	case kind == '$':
		buf := make([]byte, n+2)
		if _, err := io.ReadFull(r, buf); err != nil {
			return nil, err
		}
		return string(buf[:n]), nil
	case kind == '*':
		arr := make([]any, n)
		for i := range arr {
			if arr[i], err = readReply(r); err != nil {
				return nil, err
			}
		}
		return arr, nil
	}
	return nil, fmt.Errorf("unknown reply %q", line)
}

// logTail returns the last n lines of the file at path.
func logTail(path string, n int) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return err.Error()
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}
