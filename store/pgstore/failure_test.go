package pgstore

import (
	"context"
	"errors"
	"net"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/sessiond/sessiond/internal/testenv"
	"github.com/sessiond/sessiond/store"
)

// methods calls each method of a Store once, on the record rec.
var methods = []struct {
	name string
	call func(ctx context.Context, s *Store, rec store.Record) error
}{
	{"Get", func(ctx context.Context, s *Store, rec store.Record) error {
		_, err := s.Get(ctx, rec.Key)
		return err
	}},
	{"Create", func(ctx context.Context, s *Store, rec store.Record) error { return s.Create(ctx, rec) }},
	{"Update", func(ctx context.Context, s *Store, rec store.Record) error {
		rec.Version++
		return s.Update(ctx, rec)
	}},
	{"Delete", func(ctx context.Context, s *Store, rec store.Record) error { return s.Delete(ctx, rec.Key) }},
	{"ListUser", func(ctx context.Context, s *Store, rec store.Record) error {
		_, err := s.ListUser(ctx, rec.UserID)
		return err
	}},
	{"DeleteUser", func(ctx context.Context, s *Store, rec store.Record) error {
		_, err := s.DeleteUser(ctx, rec.UserID, store.Key{})
		return err
	}},
	{"All", func(ctx context.Context, s *Store, rec store.Record) error {
		for _, err := range s.All(ctx) {
			return err
		}
		return nil
	}},
	{"Collect", func(ctx context.Context, s *Store, rec store.Record) error {
		_, err := s.Collect(ctx)
		return err
	}},
}

// everyMethod calls each method of s once and returns the errors by name.
func everyMethod(ctx context.Context, s *Store, rec store.Record) map[string]error {
	errs := map[string]error{}
	for _, m := range methods {
		errs[m.name] = m.call(ctx, s, rec)
	}
	return errs
}

// wantFailClosed fails t unless every error in errs is non-nil and does not
// read as "no session". If also is not nil, each must wrap it too.
func wantFailClosed(t *testing.T, what string, errs map[string]error, also error) {
	t.Helper()
	for method, err := range errs {
		switch {
		case err == nil:
			t.Errorf("%s: %s succeeded, want an error", what, method)
		case errors.Is(err, store.ErrNotFound):
			t.Errorf("%s: %s = %v, which reads as \"no session\": fails open", what, method, err)
		case also != nil && !errors.Is(err, also):
			t.Errorf("%s: %s = %v, want it to wrap %v", what, method, err, also)
		}
	}
}

// TestClosedPoolFailsClosed closes the pool under a live Store, as a
// careless shutdown might.
func TestClosedPoolFailsClosed(t *testing.T) {
	admin := testPool(t, nil)
	pool := testPool(t, nil)
	s := newTestStore(t, pool, Config{Schema: newSchema(t, admin, ""), CollectEvery: -1})
	rec := testRecord(1, time.Now().Add(time.Hour))
	if err := s.Create(t.Context(), rec); err != nil {
		t.Fatalf("Create: %v", err)
	}
	pool.Close()
	wantFailClosed(t, "closed pool", everyMethod(t.Context(), s, rec), nil)
}

// TestUnreachableServerFailsClosed points New at a port nothing listens on.
func TestUnreachableServerFailsClosed(t *testing.T) {
	pool := testPool(t, func(cfg *pgxpool.Config) {
		cfg.ConnConfig.Host, cfg.ConnConfig.Port = "127.0.0.1", 1
		cfg.ConnConfig.ConnectTimeout = 5 * time.Second
	})
	s, err := New(t.Context(), pool, Config{})
	if err == nil {
		s.Close()
		t.Fatalf("New against an unreachable server succeeded")
	}
	if errors.Is(err, store.ErrNotFound) {
		t.Fatalf("New = %v, which reads as \"no session\"", err)
	}
}

// TestServerRestartFailsClosedAndRecovers cuts every connection between
// the Store and the server, and refuses new ones, as a restart of
// PostgreSQL does. Meanwhile every method must fail without reading as "no
// session"; once the server is back the pool must recover by itself.
func TestServerRestartFailsClosedAndRecovers(t *testing.T) {
	admin := testPool(t, nil)
	p := newProxy(t)
	pool := testPool(t, func(cfg *pgxpool.Config) { p.route(cfg) })
	s := newTestStore(t, pool, Config{Schema: newSchema(t, admin, ""), CollectEvery: -1})
	rec := testRecord(1, time.Now().Add(time.Hour))
	if err := s.Create(t.Context(), rec); err != nil {
		t.Fatalf("Create: %v", err)
	}

	p.setDown(true)
	wantFailClosed(t, "server down", everyMethod(t.Context(), s, rec), nil)

	p.setDown(false)
	// Idle connections the pool has not yet found broken may fail a call
	// each; after that it connects afresh. No failure may read as "no
	// session".
	for attempt := 0; ; attempt++ {
		got, err := s.Get(t.Context(), rec.Key)
		if err == nil {
			if got.Version != 1 {
				t.Fatalf("after the restart Get = version %d, want 1", got.Version)
			}
			break
		}
		if errors.Is(err, store.ErrNotFound) {
			t.Fatalf("Get during recovery = %v, which reads as \"no session\"", err)
		}
		if attempt > int(pool.Config().MaxConns) {
			t.Fatalf("Get still fails after %d attempts: %v", attempt, err)
		}
	}
}

// TestSlowServerHitsTheDeadline stalls the connection to the server: every
// method must return when ctx's deadline passes, with an error that wraps
// context.DeadlineExceeded, rather than wait for the server.
func TestSlowServerHitsTheDeadline(t *testing.T) {
	admin := testPool(t, nil)
	p := newProxy(t)
	pool := testPool(t, func(cfg *pgxpool.Config) { p.route(cfg) })
	s := newTestStore(t, pool, Config{Schema: newSchema(t, admin, ""), CollectEvery: -1})
	rec := testRecord(1, time.Now().Add(time.Hour))
	if err := s.Create(t.Context(), rec); err != nil {
		t.Fatalf("Create: %v", err)
	}

	p.setStalled(true)
	// Resume before the pool closes: the driver cancels the timed-out
	// query over a new connection, and closing waits for that.
	defer p.setStalled(false)
	errs := map[string]error{}
	for _, m := range methods {
		ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
		errs[m.name] = m.call(ctx, s, rec)
		cancel()
	}
	wantFailClosed(t, "stalled server", errs, context.DeadlineExceeded)
}

// proxy is a TCP proxy between a pool and the test server, which a test can
// take down (cut every connection and refuse new ones, as a restarting
// server does) or stall (stop passing bytes, as an overloaded one might).
type proxy struct {
	ln       net.Listener
	upstream string

	mu      sync.Mutex
	cond    *sync.Cond // broadcast when stalled or closed changes
	down    bool
	stalled bool
	closed  bool
	conns   map[net.Conn]struct{}
	wg      sync.WaitGroup
}

// newProxy starts a proxy on a free loopback port to the test server. It
// is closed, and its goroutines waited for, when the test ends.
func newProxy(t *testing.T) *proxy {
	t.Helper()
	u, err := url.Parse(testenv.NeedPostgres(t))
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &proxy{ln: ln, upstream: u.Host, conns: map[net.Conn]struct{}{}}
	p.cond = sync.NewCond(&p.mu)
	p.wg.Go(p.serve)
	t.Cleanup(p.close)
	return p
}

// route points cfg's connections at the proxy.
func (p *proxy) route(cfg *pgxpool.Config) {
	addr := p.ln.Addr().(*net.TCPAddr)
	cfg.ConnConfig.Host, cfg.ConnConfig.Port = addr.IP.String(), uint16(addr.Port)
}

func (p *proxy) serve() {
	for {
		client, err := p.ln.Accept()
		if err != nil {
			return // closed
		}
		p.mu.Lock()
		refuse := p.down || p.closed
		p.mu.Unlock()
		if refuse {
			client.Close()
			continue
		}
		server, err := net.Dial("tcp", p.upstream)
		if err != nil {
			client.Close()
			continue
		}
		p.mu.Lock()
		p.conns[client], p.conns[server] = struct{}{}, struct{}{}
		p.mu.Unlock()
		p.wg.Go(func() { p.pump(server, client) })
		p.wg.Go(func() { p.pump(client, server) })
	}
}

// pump copies from src to dst, holding each chunk while the proxy is
// stalled, until either side fails; then it closes both.
func (p *proxy) pump(dst, src net.Conn) {
	defer p.drop(dst, src)
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		if err != nil {
			return
		}
		p.mu.Lock()
		for p.stalled && !p.closed {
			p.cond.Wait()
		}
		p.mu.Unlock()
		if _, err := dst.Write(buf[:n]); err != nil {
			return
		}
	}
}

func (p *proxy) drop(conns ...net.Conn) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range conns {
		c.Close()
		delete(p.conns, c)
	}
}

// setDown takes the proxy down, cutting every connection, or brings it up.
func (p *proxy) setDown(down bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.down = down
	if down {
		for c := range p.conns {
			c.Close()
		}
	}
}

// setStalled stops or resumes passing bytes.
func (p *proxy) setStalled(stalled bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.stalled = stalled
	p.cond.Broadcast()
}

func (p *proxy) close() {
	p.ln.Close()
	p.mu.Lock()
	p.closed = true
	for c := range p.conns {
		c.Close()
	}
	p.cond.Broadcast()
	p.mu.Unlock()
	p.wg.Wait()
}
