package cli

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/sessiond/sessiond/internal/server"
	"github.com/sessiond/sessiond/internal/storeurl"
)

// ControlSocket is the name of the control socket in the data directory.
const ControlSocket = "control.sock"

// shutdownGrace bounds how long SIGTERM waits for requests in flight.
const shutdownGrace = 20 * time.Second

func serve(ctx context.Context, env Env, args []string) error {
	fs := newFlagSet(env, "serve", "serve [options]")
	o, err := parseOptions(fs, args, env.Getenv, true)
	if err != nil {
		return err
	}
	if (o.TLSCert == "") != (o.TLSKey == "") {
		return &optionError{"tls-key", "value", errors.New("--tls-cert and --tls-key go together")}
	}
	if o.RedirectHTTP != "" && o.TLSCert == "" {
		return &optionError{"redirect-http", "value", errors.New("needs --tls-cert and --tls-key")}
	}
	log := newLogger(env.Stderr, o.LogFormat)
	audit := log.With("log", "audit")
	if err := os.MkdirAll(o.Data, 0o700); err != nil {
		return &optionError{"data", "value", err}
	}
	backend, err := storeurl.Open(ctx, o.Store, o.Data, storeurl.Options{})
	if errors.Is(err, storeurl.ErrLocked) {
		return fmt.Errorf("%w; is another sessiond serve running on --data %s?", err, o.Data)
	}
	if err != nil {
		return err
	}
	defer backend.Close()
	deps, err := wire(o, backend, log, audit)
	if err != nil {
		return err
	}
	if err := bootstrapAdmin(ctx, env, deps); err != nil {
		return err
	}

	public := &http.Server{Handler: server.NewHandler(deps), ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout: 2 * time.Minute, MaxHeaderBytes: 64 << 10, ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn)}
	control := &http.Server{Handler: server.NewControlHandler(deps), ReadHeaderTimeout: 10 * time.Second}
	servers := []*http.Server{public, control}

	ln, err := net.Listen("tcp", o.Addr)
	if err != nil {
		return &optionError{"addr", "value", err}
	}
	if o.TLSCert != "" {
		cert, err := tls.LoadX509KeyPair(o.TLSCert, o.TLSKey)
		if err != nil {
			ln.Close()
			return &optionError{"tls-cert", "value", err}
		}
		ln = tls.NewListener(ln, &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12, NextProtos: []string{"h2", "http/1.1"}})
	}
	controlLn, err := listenControl(filepath.Join(o.Data, ControlSocket))
	if err != nil {
		ln.Close()
		return err
	}
	errs := make(chan error, 3)
	go func() { errs <- public.Serve(ln) }()
	go func() { errs <- control.Serve(controlLn) }()
	if o.RedirectHTTP != "" {
		redirect := &http.Server{Addr: o.RedirectHTTP, Handler: redirectToHTTPS(deps.PublicURL), ReadHeaderTimeout: 10 * time.Second}
		servers = append(servers, redirect)
		go func() { errs <- redirect.ListenAndServe() }()
	}
	warnIfInsecure(log, o, ln.Addr())
	scheme := "http"
	if o.TLSCert != "" {
		scheme = "https"
	}
	log.Info("sessiond serving", "url", scheme+"://"+ln.Addr().String(), "public_url", deps.PublicURL.String(),
		"store", backend.Describe, "upstream", upstreamName(o), "cookie", deps.Sessions.Config().Cookie.Name)
	fmt.Fprintf(env.Stderr, "sessiond: serving on %s://%s\n", scheme, ln.Addr())

	var serveErr error
	select {
	case <-ctx.Done():
	case serveErr = <-errs:
	}
	log.Info("sessiond shutting down: draining requests in flight")
	shutdown, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	for _, s := range servers {
		s.Shutdown(shutdown)
	}
	if errors.Is(serveErr, http.ErrServerClosed) {
		serveErr = nil
	}
	return serveErr
}

// bootstrapAdmin creates the user admin with a random password, shown
// once, when there are no users at all, so a fresh install can sign in.
func bootstrapAdmin(ctx context.Context, env Env, d server.Deps) error {
	users, err := d.Accounts.Users(ctx)
	if err != nil || len(users) > 0 {
		return err
	}
	var raw [18]byte
	rand.Read(raw[:])
	password := base64.RawURLEncoding.EncodeToString(raw[:])
	if _, err := d.Accounts.CreateUser(ctx, "admin", password); err != nil {
		return err
	}
	// Standard error, once, on purpose: the operator needs it to sign in.
	// It is never logged through the structured logs.
	fmt.Fprintf(env.Stderr, "sessiond: created user admin with password %s\n"+
		"sessiond: it is shown only now; change it at /account/password after signing in\n", password)
	return nil
}

// listenControl listens on the control socket, readable and writable by
// this user only: the file permissions are its authentication. A stale
// socket left by a crash is replaced; a live one means another sessiond.
func listenControl(path string) (net.Listener, error) {
	if conn, err := net.Dial("unix", path); err == nil {
		conn.Close()
		return nil, fmt.Errorf("control socket %s: another sessiond is serving this data directory", path)
	}
	os.Remove(path)
	ln, err := net.Listen("unix", path)
	if err != nil {
		return nil, fmt.Errorf("control socket: %w", err)
	}
	if err := os.Chmod(path, 0o600); err != nil {
		ln.Close()
		return nil, fmt.Errorf("control socket: %w", err)
	}
	return ln, nil
}

// redirectToHTTPS answers every plain-HTTP request with a 308 to the same
// path at the HTTPS origin.
func redirectToHTTPS(public interface{ String() string }) http.Handler {
	origin := public.String()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, origin+r.URL.RequestURI(), http.StatusPermanentRedirect)
	})
}

// warnIfInsecure warns about plain HTTP unless the service is bound to
// loopback or sits behind trusted proxies that terminate TLS.
func warnIfInsecure(log *slog.Logger, o *Options, addr net.Addr) {
	if o.TLSCert != "" || len(o.TrustedProxies) > 0 {
		return
	}
	if tcp, ok := addr.(*net.TCPAddr); ok && tcp.IP.IsLoopback() {
		if o.PublicURL == nil || o.PublicURL.Scheme == "http" {
			log.Warn("serving plain HTTP on loopback: fine for trying sessiond, not for production; the session cookie is not Secure")
		}
		return
	}
	log.Warn("serving plain HTTP on a non-loopback address without TLS or trusted proxies: session cookies can be stolen on the network; use --tls-cert/--tls-key or a TLS-terminating proxy with --trusted-proxies")
}

func upstreamName(o *Options) string {
	if o.Upstream == nil {
		return "built-in page"
	}
	return o.Upstream.Redacted()
}
