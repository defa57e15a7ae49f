package testenv

import (
	"context"
	"net"
	"net/url"
	"os"
	"testing"
	"time"
)

// NeedRedis returns the address of a Redis server for tests: REDIS_URL's
// host:port if set, else 127.0.0.1:6379 when something answers there.
// Without one it skips the test, or fails it under CI=true, naming Debian's
// redis-server package.
func NeedRedis(t testing.TB) string {
	t.Helper()
	addr := "127.0.0.1:6379"
	if u := os.Getenv("REDIS_URL"); u != "" {
		addr = hostPort(u, addr)
	}
	needServer(t, "Redis", "redis-server", addr)
	return addr
}

// NeedPostgres returns a connection string for a PostgreSQL server for
// tests: DATABASE_URL if set, else the local server on 127.0.0.1:5432 as
// user postgres, database test, when something answers there. Without one
// it skips the test, or fails it under CI=true, naming Debian's postgresql
// package.
func NeedPostgres(t testing.TB) string {
	t.Helper()
	dsn := os.Getenv("DATABASE_URL")
	addr := "127.0.0.1:5432"
	if dsn == "" {
		dsn = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
	} else {
		addr = hostPort(dsn, addr)
	}
	needServer(t, "PostgreSQL", "postgresql", addr)
	return dsn
}

// needServer checks that something accepts TCP connections at addr.
func needServer(t testing.TB, what, pkg, addr string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	conn, err := (&net.Dialer{}).DialContext(ctx, "tcp", addr)
	if err == nil {
		conn.Close()
		return
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s is required in CI but %s does not answer (%v): install and start Debian's %s package", what, addr, err, pkg)
	}
	t.Skipf("%s does not answer at %s (%v): install and start Debian's %s package to run this test", what, addr, err, pkg)
}

// hostPort extracts host:port from a URL such as redis://h:p/0 or
// postgres://u@h:p/db, falling back to def.
func hostPort(rawURL, def string) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		return def
	}
	if _, _, err := net.SplitHostPort(u.Host); err != nil {
		return def
	}
	return u.Host
}
