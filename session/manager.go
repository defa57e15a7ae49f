package session

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/sessiond/sessiond/store"
)

// Manager loads, saves, rotates and ends sessions kept in a store. A Manager
// is safe for concurrent use by multiple goroutines. It owns no resources:
// closing the store is its opener's job.
type Manager struct {
	store store.Store
	cfg   Config
	csrf  *CSRF
	// cookieSuffix is the attribute part of every Set-Cookie, built once.
	cookieSuffix string
}

// expiredRecordRetention keeps a timed-out session in the store a little
// longer than the session itself lives, so that a late request is reported
// precisely as expired_idle or expired_absolute rather than unknown_token.
// The Manager enforces the timeouts itself on every load.
const expiredRecordRetention = 5 * time.Minute

// maxUserAgent bounds the User-Agent kept with a session and its events.
const maxUserAgent = 256

// New returns a Manager keeping sessions in st. It fills the zero fields of
// cfg with their defaults, refuses unsafe combinations with a *ConfigError,
// and keeps a copy of cfg.
func New(st store.Store, cfg Config) (*Manager, error) {
	if st == nil {
		return nil, &ConfigError{Field: "store", Problem: "nil store"}
	}
	cfg = cfg.withDefaults()
	if err := cfg.check(); err != nil {
		return nil, err
	}
	m := &Manager{store: st, cfg: cfg, cookieSuffix: cookieAttributes(cfg.Cookie)}
	csrf, err := newCSRF(m)
	if err != nil {
		return nil, err
	}
	m.csrf = csrf
	return m, nil
}

// Config returns the Manager's effective configuration, defaults filled in.
func (m *Manager) Config() Config {
	cfg := m.cfg
	cfg.CSRF.TrustedOrigins = append([]string(nil), cfg.CSRF.TrustedOrigins...)
	cfg.CSRF.InsecureBypassPatterns = append([]string(nil), cfg.CSRF.InsecureBypassPatterns...)
	return cfg
}

func (m *Manager) now() time.Time { return m.cfg.Now() }

// storeCtx bounds one store call by Config.StoreTimeout.
func (m *Manager) storeCtx(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, m.cfg.StoreTimeout)
}

// storeCall runs one store call bounded by Config.StoreTimeout.
func (m *Manager) storeCall(ctx context.Context, call func(context.Context) error) error {
	ctx, cancel := m.storeCtx(ctx)
	defer cancel()
	return call(ctx)
}

// classify is the one place that decides what a store error means: "not
// found" stays itself, anything else becomes ErrStoreUnavailable, which
// callers answer with 503. Nothing else interprets store errors.
func classify(err error) error {
	if err == nil || errors.Is(err, store.ErrNotFound) {
		return err
	}
	return fmt.Errorf("%w: %w", ErrStoreUnavailable, err)
}

// loaded is a session as read from the store.
type loaded struct {
	key      store.Key // where the session record lives
	version  uint64
	userID   string
	rec      record
	viaAlias bool
}

// fetch reads the session under key, following one alias left by a
// rotation. It returns ErrNotFound for a missing session and a corrupt
// record alike, and ErrStoreUnavailable for anything else.
func (m *Manager) fetch(ctx context.Context, key store.Key) (loaded, error) {
	ctx, cancel := m.storeCtx(ctx)
	defer cancel()
	for hop := 0; ; hop++ {
		sr, err := m.store.Get(ctx, key)
		if err != nil {
			return loaded{}, classify(err)
		}
		rec, successor, alias, err := decodeRecord(sr.Data)
		switch {
		case err != nil:
			return loaded{}, fmt.Errorf("%w: %w", store.ErrNotFound, err)
		case alias && hop == 0:
			key = successor
			continue
		case alias:
			return loaded{}, fmt.Errorf("%w: %w", store.ErrNotFound, errCorrupt)
		}
		return loaded{key: key, version: sr.Version, userID: sr.UserID, rec: rec, viaAlias: hop > 0}, nil
	}
}

// storeRecord builds what the store keeps for rec.
func storeRecord(key store.Key, userID string, version uint64, rec *record) store.Record {
	return store.Record{
		Key:       key,
		UserID:    userID,
		Version:   version,
		ExpiresAt: rec.deadline().Add(expiredRecordRetention),
		Data:      rec.encode(),
	}
}

// deadline is when the session ends, by idle or absolute timeout.
func (r *record) deadline() time.Time {
	if r.idleExpiresAt.Before(r.expiresAt) {
		return r.idleExpiresAt
	}
	return r.expiresAt
}

// seen records activity at now, which pushes the idle expiry out.
func (m *Manager) seen(r *record, now time.Time) {
	r.lastSeen = now
	r.idleExpiresAt = now.Add(m.cfg.IdleTimeout)
	if r.idleExpiresAt.After(r.expiresAt) {
		r.idleExpiresAt = r.expiresAt
	}
}

// cookieAttributes renders the attributes shared by every Set-Cookie.
func cookieAttributes(c CookieConfig) string {
	var b strings.Builder
	b.WriteString("; Path=")
	b.WriteString(c.Path)
	if c.Domain != "" {
		b.WriteString("; Domain=")
		b.WriteString(c.Domain)
	}
	b.WriteString("; HttpOnly")
	if !c.InsecureHTTP {
		b.WriteString("; Secure")
	}
	b.WriteString("; SameSite=")
	b.WriteString(sameSiteName(c.SameSite))
	return b.String()
}

// setCookie sets the session cookie to value, or expires it when value is
// empty, replacing any session cookie already set on this response. A
// response that sets the cookie must not be cached (OWASP SM-26).
func (m *Manager) setCookie(h http.Header, value string) {
	prefix := m.cfg.Cookie.Name + "="
	kept := h["Set-Cookie"][:0]
	for _, c := range h["Set-Cookie"] {
		if !strings.HasPrefix(c, prefix) {
			kept = append(kept, c)
		}
	}
	line := prefix + value + m.cookieSuffix
	if value == "" {
		line += "; Max-Age=0"
	}
	h["Set-Cookie"] = append(kept, line)
	h.Set("Cache-Control", "no-store")
}
