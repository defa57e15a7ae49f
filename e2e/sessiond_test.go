package e2e

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	// Not used directly: linking the service's code into the test binary
	// makes go test's cache notice changes to it. Otherwise a cached "ok"
	// would survive edits to the binary these tests build and run.
	_ "github.com/sessiond/sessiond/internal/cli"
)

// Bounds on the process's life; generous so that a loaded CI machine with
// -race does not flake, and still short of the go test timeout.
const (
	startTimeout = 30 * time.Second
	stopTimeout  = 30 * time.Second // sessiond drains for at most 20s
)

// sessiondBin is the real binary, built once by TestMain.
var sessiondBin string

// buildFlags are extra `go build` flags for it (race_test.go adds -race).
var buildFlags []string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "sessiond-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		os.Exit(1)
	}
	sessiondBin = filepath.Join(dir, "sessiond")
	args := append(append([]string{"build"}, buildFlags...), "-o", sessiondBin, "github.com/sessiond/sessiond/cmd/sessiond")
	build := exec.Command("go", args...)
	build.Dir = ".." // the product module, with its own go.mod and go.sum: the binary users get
	if out, err := build.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "e2e: go %s: %v\n%s", strings.Join(args, " "), err, out)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// sessiond is a running sessiond process.
type sessiond struct {
	URL      string // where it listens, e.g. http://127.0.0.1:41234
	Password string // the password of the user admin, printed on first run
	out      *output
}

// startSessiond runs `sessiond serve` on a fresh data directory and a free
// loopback port, with args appended, and returns once it reports that it
// is serving. On an empty store it has created admin: Password is set. Cleanup sends SIGTERM and requires exit status 0: the proof
// that shutdown is graceful (and, under -race, race-free).
func startSessiond(t *testing.T, args ...string) *sessiond {
	t.Helper()
	args = append([]string{"serve", "--data", t.TempDir(), "--addr", "127.0.0.1:0", "--log-format", "text"}, args...)
	cmd := exec.Command(sessiondBin, args...)
	cmd.Env = environWithout("SESSIOND_")
	out := &output{ready: make(chan struct{})}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting sessiond: %v", err)
	}
	exited := make(chan struct{})
	go func() {
		cmd.Wait() // the status is read from cmd.ProcessState
		close(exited)
	}()
	t.Cleanup(func() { stopSessiond(t, cmd, exited, out) })

	select {
	case <-out.ready:
	case <-exited:
		t.Fatalf("sessiond exited before serving (%v):\n%s", cmd.ProcessState, out)
	case <-time.After(startTimeout):
		t.Fatalf("sessiond did not report serving within %v:\n%s", startTimeout, out)
	}
	s := &sessiond{out: out}
	s.URL, s.Password = out.serving()
	return s
}

// stopSessiond sends SIGTERM and waits for a clean exit.
func stopSessiond(t *testing.T, cmd *exec.Cmd, exited <-chan struct{}, out *output) {
	t.Helper()
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil && !errors.Is(err, os.ErrProcessDone) {
		t.Errorf("SIGTERM to sessiond: %v", err)
	}
	select {
	case <-exited:
	case <-time.After(stopTimeout):
		cmd.Process.Kill()
		<-exited
		t.Errorf("sessiond did not exit within %v of SIGTERM:\n%s", stopTimeout, out)
		return
	}
	if code := cmd.ProcessState.ExitCode(); code != 0 {
		t.Errorf("sessiond exited with %v after SIGTERM, want status 0 (a graceful shutdown):\n%s", cmd.ProcessState, out)
	} else if t.Failed() {
		t.Logf("sessiond output:\n%s", out)
	}
}

// environWithout is the environment minus variables starting with prefix,
// so a developer's SESSIOND_* settings cannot change what a test runs.
func environWithout(prefix string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, prefix) {
			env = append(env, kv)
		}
	}
	return env
}

// Lines sessiond prints to stderr (internal/cli/serve.go).
const (
	servingPrefix  = "sessiond: serving on "
	passwordPrefix = "sessiond: created user admin with password "
)

// output collects a process's output and notices the "serving on" line.
type output struct {
	mu       sync.Mutex
	buf      bytes.Buffer
	ready    chan struct{} // closed once the "serving on" line is complete
	url      string
	password string
}

func (o *output) Write(p []byte) (int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.buf.Write(p)
	if o.url == "" {
		o.scan()
	}
	return len(p), nil
}

// scan looks for the two lines in the complete lines seen so far. The
// password line comes first: the admin is created before listening.
func (o *output) scan() {
	text := o.buf.String()
	text = text[:strings.LastIndexByte(text, '\n')+1]
	sc := bufio.NewScanner(strings.NewReader(text))
	for sc.Scan() {
		line := sc.Text()
		if v, ok := strings.CutPrefix(line, passwordPrefix); ok {
			o.password = strings.TrimSpace(v)
		}
		if v, ok := strings.CutPrefix(line, servingPrefix); ok {
			o.url = strings.TrimSpace(v)
			close(o.ready)
			return
		}
	}
}

// serving returns the URL and the admin password, once ready is closed.
func (o *output) serving() (url, password string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.url, o.password
}

func (o *output) String() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.buf.String()
}
