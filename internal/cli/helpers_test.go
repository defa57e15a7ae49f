package cli

import (
	"bytes"
	"context"
	"regexp"
	"strings"
	"sync"
	"testing"
)

// output is a goroutine-safe writer that remembers everything and hands
// over the address of the "serving on" line as soon as it appears.
type output struct {
	mu   sync.Mutex
	buf  bytes.Buffer
	addr chan string
	once sync.Once
}

var servingLine = regexp.MustCompile(`serving on (https?://\S+)`)

func newOutput() *output { return &output{addr: make(chan string, 1)} }

func (o *output) Write(p []byte) (int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.buf.Write(p)
	if m := servingLine.FindSubmatch(o.buf.Bytes()); m != nil {
		o.once.Do(func() { o.addr <- string(m[1]) })
	}
	return len(p), nil
}

func (o *output) String() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.buf.String()
}

// env returns an Env with the given variables, stdin, and fresh outputs.
func testEnv(vars map[string]string, stdin string) (Env, *output, *output) {
	stdout, stderr := newOutput(), newOutput()
	return Env{
		Getenv: func(k string) string { return vars[k] },
		Stdin:  strings.NewReader(stdin),
		Stdout: stdout,
		Stderr: stderr,
	}, stdout, stderr
}

// run runs one command to completion.
func run(t *testing.T, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	env, out, errOut := testEnv(nil, stdin)
	code = Main(t.Context(), args, env)
	return code, out.String(), errOut.String()
}

// serving is a `sessiond serve` running in-process.
type serving struct {
	url    string
	stderr *output
	stop   func() int
}

// startServe runs serve with args until the test ends (or stop is called)
// and waits for its "serving on" line.
func startServe(t *testing.T, args ...string) *serving {
	t.Helper()
	env, _, stderr := testEnv(nil, "")
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	go func() { done <- Main(ctx, append([]string{"serve", "--addr", "127.0.0.1:0"}, args...), env) }()
	s := &serving{stderr: stderr}
	var stopped bool
	var code int
	s.stop = func() int {
		if !stopped {
			stopped = true
			cancel()
			code = <-done
		}
		return code
	}
	t.Cleanup(func() { s.stop() })
	select {
	case s.url = <-stderr.addr:
	case code := <-done:
		stopped = true
		t.Fatalf("serve exited with %d before serving:\n%s", code, stderr.String())
	}
	return s
}

var adminPassword = regexp.MustCompile(`created user admin with password (\S+)`)

func (s *serving) adminPassword(t *testing.T) string {
	t.Helper()
	m := adminPassword.FindStringSubmatch(s.stderr.String())
	if m == nil {
		t.Fatalf("no admin password in the output:\n%s", s.stderr.String())
	}
	return m[1]
}
