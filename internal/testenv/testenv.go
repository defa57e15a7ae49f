// Package testenv finds the real servers and programs that integration tests
// need. When one is missing its helper skips the test and says which Debian
// package to install; under CI=true it fails the test instead, so a CI run
// can never pass by silently skipping the tests it exists to run.
package testenv

import (
	"net"
	"os"
	"os/exec"
	"testing"
)

// NeedNginx returns the path of the nginx binary: the first "nginx" on PATH,
// or /usr/sbin/nginx, which is not on every user's PATH. Without one it
// skips the test, or fails it under CI=true, naming Debian's nginx package.
func NeedNginx(t testing.TB) string {
	t.Helper()
	return need(t, "nginx", "nginx", []string{"nginx"}, "/usr/sbin/nginx")
}

// NeedChromium returns the path of a Chromium binary: "chromium" or
// "chromium-browser" on PATH, or /usr/bin/chromium. Without one it skips the
// test, or fails it under CI=true, naming Debian's chromium package.
func NeedChromium(t testing.TB) string {
	t.Helper()
	return need(t, "Chromium", "chromium", []string{"chromium", "chromium-browser"}, "/usr/bin/chromium")
}

// need returns the first of names found on PATH, or fallback if it is an
// executable file; otherwise it skips or, under CI=true, fails t.
func need(t testing.TB, what, pkg string, names []string, fallback string) string {
	t.Helper()
	for _, name := range names {
		if path, err := exec.LookPath(name); err == nil {
			return path
		}
	}
	if fi, err := os.Stat(fallback); err == nil && !fi.IsDir() && fi.Mode()&0o111 != 0 {
		return fallback
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s is required in CI: install Debian's %s package (apt-get install %s)", what, pkg, pkg)
	}
	t.Skipf("%s not found: install Debian's %s package (apt-get install %s) to run this test", what, pkg, pkg)
	return ""
}

// FreePort returns a TCP port on 127.0.0.1 that was free a moment ago: it
// listens on port 0, notes the port the kernel chose and closes the
// listener. It is racy by nature — another process may take the port before
// the caller binds it — so use it only for servers that cannot be handed an
// already-open listener or report the port they chose, such as nginx. Go
// servers should listen on 127.0.0.1:0 themselves (httptest does).
func FreePort(t testing.TB) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("FreePort: %v", err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}
