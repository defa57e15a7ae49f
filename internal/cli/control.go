package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"time"

	"github.com/sessiond/sessiond/internal/server"
	"github.com/sessiond/sessiond/internal/storeurl"
)

// admin speaks the admin API for the user, sessions and backup commands:
// to a running sessiond through the control socket in its data directory,
// or, when none runs, to an in-process handler on the store itself. Either
// way the same requests and the same checks apply.
type admin struct {
	client *http.Client
	close  func()
}

// connect reaches the admin API for the data directory in o.
func connect(ctx context.Context, o *Options, env Env) (*admin, error) {
	sock := filepath.Join(o.Data, ControlSocket)
	dialSocket := func(ctx context.Context, _, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, "unix", sock)
	}
	if conn, err := dialSocket(ctx, "", ""); err == nil {
		conn.Close()
		return &admin{client: &http.Client{Transport: &http.Transport{DialContext: dialSocket}}, close: func() {}}, nil
	}
	backend, err := storeurl.Open(ctx, o.Store, o.Data, storeurl.Options{LockTimeout: 500 * time.Millisecond})
	if errors.Is(err, storeurl.ErrLocked) {
		return nil, fmt.Errorf("a running sessiond holds %s but its control socket %s does not answer; stop it or check its logs", o.Data, sock)
	}
	if err != nil {
		return nil, err
	}
	log := newLogger(env.Stderr, o.LogFormat)
	deps, err := wire(o, backend, log, log.With("log", "audit"))
	if err != nil {
		backend.Close()
		return nil, err
	}
	pipe := newPipeListener()
	srv := &http.Server{Handler: server.NewControlHandler(deps)}
	go srv.Serve(pipe)
	return &admin{
		client: &http.Client{Transport: &http.Transport{DialContext: pipe.dial}},
		close: func() {
			srv.Close()
			backend.Close()
		},
	}, nil
}

// apiError is the admin API's error body.
type apiError struct {
	Error struct{ Code, Message string }
}

// do sends a request with an optional JSON body and decodes a JSON answer
// into out (which may be nil). Errors carry the API's message.
func (a *admin) do(ctx context.Context, method, path string, body, out any) error {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, "http://sessiond"+path, rd)
	if err != nil {
		return err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := a.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	if err != nil {
		return err
	}
	if resp.StatusCode >= 300 {
		return decodeAPIError(resp.Status, data)
	}
	if out != nil && len(data) > 0 {
		return json.Unmarshal(data, out)
	}
	return nil
}

// decodeAPIError turns an error response into an error with its message.
func decodeAPIError(status string, body []byte) error {
	var e apiError
	if json.Unmarshal(body, &e) == nil && e.Error.Message != "" {
		return errors.New(e.Error.Message)
	}
	return fmt.Errorf("the admin API answered %s", status)
}

// pipeListener serves HTTP over in-memory pipes: the in-process admin API
// is never reachable from outside the process.
type pipeListener struct {
	conns  chan net.Conn
	closed chan struct{}
}

func newPipeListener() *pipeListener {
	return &pipeListener{conns: make(chan net.Conn), closed: make(chan struct{})}
}

func (l *pipeListener) Accept() (net.Conn, error) {
	select {
	case c := <-l.conns:
		return c, nil
	case <-l.closed:
		return nil, net.ErrClosed
	}
}

func (l *pipeListener) Close() error {
	select {
	case <-l.closed:
	default:
		close(l.closed)
	}
	return nil
}

func (l *pipeListener) Addr() net.Addr { return pipeAddr{} }

func (l *pipeListener) dial(ctx context.Context, _, _ string) (net.Conn, error) {
	client, srv := net.Pipe()
	select {
	case l.conns <- srv:
		return client, nil
	case <-l.closed:
		return nil, net.ErrClosed
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

type pipeAddr struct{}

func (pipeAddr) Network() string { return "pipe" }
func (pipeAddr) String() string  { return "in-process" }
