// Command basic is a small app built on sessiond's session library: sign in,
// a visit counter kept in the session, a "your sessions" page with
// revocation, and sign out. Sessions live in the embedded store under
// -data, so they survive restarts.
//
//	go run ./examples/basic
//
// It serves plain HTTP on loopback for local development, which is why it
// uses a cookie named "sid" with Config.Cookie.InsecureHTTP: browsers refuse
// "__Host-" cookies without Secure. Behind TLS, drop both settings and take
// the secure defaults.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/sessiond/sessiond/session"
	"github.com/sessiond/sessiond/store/boltstore"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "basic:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet("basic", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:8080", "address to listen on (loopback: the cookie is not Secure)")
	data := fs.String("data", "sessiond-data", "directory of the embedded session store")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := os.MkdirAll(*data, 0o700); err != nil {
		return err
	}
	st, err := boltstore.Open(filepath.Join(*data, "example-sessions.db"), boltstore.Config{})
	if err != nil {
		return err
	}
	defer st.Close()

	logger := slog.New(slog.NewJSONHandler(stderr, nil))
	m, err := session.New(st, session.Config{
		Cookie: session.CookieConfig{Name: "sid", InsecureHTTP: true},
		Events: session.NewLogSink(logger),
	})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: newHandler(m, demoUsers), ReadHeaderTimeout: 10 * time.Second}
	fmt.Fprintf(stderr, "basic: serving on http://%s — sign in as alice / wonderland\n", ln.Addr())
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		srv.Shutdown(shutdown)
	}()
	if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
