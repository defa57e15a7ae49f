package session

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"errors"
	"fmt"
	"mime"
	"net/http"
)

// CSRF protects unsafe requests (anything but GET, HEAD, OPTIONS and TRACE)
// with two independent checks, both required (ASVS 3.5.1, OWASP CSRF
// Prevention Cheat Sheet):
//
//  1. http.CrossOriginProtection refuses requests the browser marks as
//     cross-origin through Sec-Fetch-Site or Origin.
//  2. A synchronizer token: a per-session 256-bit secret, handed out masked
//     with a fresh one-time pad on every call of Manager.CSRFToken (so that
//     compression side channels such as BREACH learn nothing), unmasked and
//     compared in constant time. Unlike the first check it also holds for
//     clients that send neither header, which CrossOriginProtection lets
//     through.
//
// LoadAndSave applies it to every request unless Config.DisableCSRF is set.
// A CSRF is safe for concurrent use by multiple goroutines.
type CSRF struct {
	m      *Manager
	origin *http.CrossOriginProtection
	bypass *http.ServeMux
}

const csrfSecretBytes = 32

func newCSRF(m *Manager) (*CSRF, error) {
	c := &CSRF{m: m, origin: http.NewCrossOriginProtection()}
	for _, o := range m.cfg.CSRF.TrustedOrigins {
		if err := c.origin.AddTrustedOrigin(o); err != nil {
			return nil, &ConfigError{Field: "CSRF.TrustedOrigins", Problem: err.Error()}
		}
	}
	if len(m.cfg.CSRF.InsecureBypassPatterns) > 0 {
		c.bypass = http.NewServeMux()
		for _, p := range m.cfg.CSRF.InsecureBypassPatterns {
			if err := register(c.bypass, p); err != nil {
				return nil, &ConfigError{Field: "CSRF.InsecureBypassPatterns", Problem: err.Error()}
			}
		}
	}
	return c, nil
}

// register adds pattern to mux, turning ServeMux's panic on a bad pattern
// into an error.
func register(mux *http.ServeMux, pattern string) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("pattern %q: %v", pattern, p)
		}
	}()
	mux.Handle(pattern, bypassed)
	return nil
}

// bypassed marks the bypass patterns' handler. ServeMux.Handler also returns
// a pattern for requests it would only redirect (a missing trailing slash,
// dot segments); those are not exempt.
var bypassed http.Handler = &bypassMarker{}

type bypassMarker struct{}

func (*bypassMarker) ServeHTTP(http.ResponseWriter, *http.Request) {}

// CSRF returns the Manager's CSRF check, for apps that set
// Config.DisableCSRF and apply it to chosen handlers.
func (m *Manager) CSRF() *CSRF { return m.csrf }

// CSRFToken returns a token for the request's session to embed in a form
// field (Config.CSRF.FieldName) or send in a header (Config.CSRF.HeaderName).
// Every call returns a different string; all of them stay valid for the life
// of the session, and Login replaces the secret behind them. An anonymous
// session is stored so the token has something to belong to. It fails with
// ErrCommitted once the response has started, if the session had no secret
// yet.
func (m *Manager) CSRFToken(ctx context.Context) (string, error) {
	st := stateFrom(ctx)
	st.mu.Lock()
	defer st.mu.Unlock()
	if !st.rec.hasCSRF {
		if err := st.writable(ctx); err != nil {
			return "", err
		}
		next := st.rec
		next.hasCSRF, next.csrfSecret = true, newCSRFSecret()
		if !st.fits(next) {
			st.event(ctx, EventTooLarge, "CSRF secret", ErrTooLarge)
			return "", ErrTooLarge
		}
		st.rec, st.csrfCreated = next, true
	}
	return maskCSRF(st.rec.csrfSecret), nil
}

// Check reports why r must be refused, or nil. It never writes a response.
// It reads a form body (up to Config.CSRF.MaxFormBytes) only when the token
// is not in the header; the parsed form stays available to the handler.
// Check panics if r did not come through the middleware or Load.
func (c *CSRF) Check(r *http.Request) error {
	switch r.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodTrace:
		return nil
	}
	if c.bypass != nil {
		if h, _ := c.bypass.Handler(r); h == bypassed {
			return nil
		}
	}
	if err := c.origin.Check(r); err != nil {
		return fmt.Errorf("%w: %w", ErrCrossOrigin, err)
	}
	tok := r.Header.Get(c.m.cfg.CSRF.HeaderName)
	if tok == "" {
		var err error
		if tok, err = c.formToken(r); err != nil {
			var tooBig *http.MaxBytesError
			if errors.As(err, &tooBig) {
				return fmt.Errorf("%w: %w", ErrCSRFTokenMissing, err) // answered 413
			}
			return fmt.Errorf("%w: %w", ErrMalformedForm, err)
		}
	}
	if tok == "" {
		return ErrCSRFTokenMissing
	}
	st := stateFrom(r.Context())
	st.mu.Lock()
	secret, ok := st.rec.csrfSecret, st.rec.hasCSRF
	st.mu.Unlock()
	if !ok || !validCSRF(tok, secret) {
		return ErrCSRFTokenInvalid
	}
	return nil
}

// Handler refuses requests that fail Check with 403 (413 for an oversized
// form) and emits EventCSRFFailure; it passes the rest to next.
func (c *CSRF) Handler(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := c.Check(r); err != nil {
			c.reject(w, r, err)
			return
		}
		next.ServeHTTP(w, r)
	})
}

func (c *CSRF) reject(w http.ResponseWriter, r *http.Request, err error) {
	st := stateFrom(r.Context())
	st.mu.Lock()
	st.event(r.Context(), EventCSRFFailure, r.Method+" "+r.URL.Path, err)
	st.mu.Unlock()
	c.m.writeError(w, r, err)
}

// formToken reads the token from a URL-encoded or multipart form body.
func (c *CSRF) formToken(r *http.Request) (string, error) {
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ct != "application/x-www-form-urlencoded" && ct != "multipart/form-data" {
		return "", nil
	}
	limit := c.m.cfg.CSRF.MaxFormBytes
	r.Body = http.MaxBytesReader(nil, r.Body, limit)
	var err error
	if ct == "multipart/form-data" {
		err = r.ParseMultipartForm(limit)
	} else {
		err = r.ParseForm()
	}
	if err != nil {
		return "", err
	}
	// Only the body counts: a token in the URL would leak through logs and
	// Referer headers.
	return r.PostFormValue(c.m.cfg.CSRF.FieldName), nil
}

func newCSRFSecret() [csrfSecretBytes]byte {
	var s [csrfSecretBytes]byte
	rand.Read(s[:])
	return s
}

// maskCSRF returns pad || pad^secret, base64url: a different string on
// every call for the same secret.
func maskCSRF(secret [csrfSecretBytes]byte) string {
	var b [2 * csrfSecretBytes]byte
	rand.Read(b[:csrfSecretBytes])
	subtle.XORBytes(b[csrfSecretBytes:], b[:csrfSecretBytes], secret[:])
	return tokenEncoding.EncodeToString(b[:])
}

// validCSRF unmasks tok and compares it with secret in constant time.
func validCSRF(tok string, secret [csrfSecretBytes]byte) bool {
	var b [2 * csrfSecretBytes]byte
	if tokenEncoding.EncodedLen(len(b)) != len(tok) {
		return false
	}
	if n, err := tokenEncoding.Decode(b[:], []byte(tok)); err != nil || n != len(b) {
		return false
	}
	var got [csrfSecretBytes]byte
	subtle.XORBytes(got[:], b[:csrfSecretBytes], b[csrfSecretBytes:])
	return subtle.ConstantTimeCompare(got[:], secret[:]) == 1
}
