package session

import (
	"context"
	"fmt"
	"net/http"
	"slices"
)

// Option adjusts Login or Renew.
type Option func(*options)

type options struct {
	authLevel int
}

// AuthLevel records how strongly the user authenticated: 1 for a password,
// 2 after a second factor, and so on. It also records the authentication
// time as now. Login defaults to level 1; Renew keeps the current level and
// authentication time unless given this option.
func AuthLevel(level int) Option {
	return func(o *options) { o.authLevel = level }
}

// Login signs userID in: it always issues a brand-new token and kills the
// old one at once, so a token planted before login is worthless after it
// (session fixation, ASVS 7.2.4). The new session has a new handle, a new
// CSRF secret, and fresh idle and absolute timeouts; the data of an
// anonymous session (or of the same user's) carries over, another user's
// does not. The cookie is set on w immediately.
//
// With Config.MaxSessionsPerUser set, Login either evicts the user's oldest
// sessions or fails with ErrTooManySessions, as Config.SessionLimitPolicy
// says. Login fails with ErrStoreUnavailable when the store is unavailable,
// leaving the previous session as it was.
func (m *Manager) Login(ctx context.Context, w http.ResponseWriter, r *http.Request, userID string, opts ...Option) error {
	if userID == "" {
		return fmt.Errorf("%w: Login needs a user ID", ErrAnonymous)
	}
	o := options{authLevel: 1}
	for _, opt := range opts {
		opt(&o)
	}
	st := stateFrom(ctx)
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.committed {
		st.event(ctx, EventLateWrite, "login", ErrCommitted)
		return ErrCommitted
	}
	if err := st.checkLimit(ctx, userID); err != nil {
		return err
	}
	now := m.now()
	ip, ua := m.cfg.ClientIP(r), r.UserAgent()
	if len(ua) > maxUserAgent {
		ua = ua[:maxUserAgent]
	}
	err := st.replace(ctx, now, 0, EventLogin, func(next *record, user *string) {
		values := next.values
		if *user != "" && *user != userID {
			values = nil
		}
		*next = record{
			handle: newHandle(), createdAt: now, rotatedAt: now, authTime: now,
			authLevel: uint8(o.authLevel), expiresAt: now.Add(m.cfg.AbsoluteTimeout),
			hasCSRF: true, csrfSecret: newCSRFSecret(),
			ip: []byte(ip), userAgent: []byte(ua), values: values,
		}
		*user = userID
	})
	if err != nil {
		return err
	}
	st.ip, st.ua, st.loggedOut = ip, ua, false
	w.Header().Del("Clear-Site-Data") // a Logout earlier in this request must not wipe the new cookie
	st.writeCookie(w.Header())
	st.evictExcess(ctx, userID)
	return nil
}

// Renew issues a new token for the current session and kills the old one at
// once, keeping the session's handle, data and timeouts. Call it on every
// privilege change (role change, step-up, password change; ASVS 7.2.4,
// OWASP SM-16). With AuthLevel it also records a new authentication. The
// cookie is set on w immediately. Renewing a session that was never stored
// does nothing: it will get a fresh token when first saved.
func (m *Manager) Renew(ctx context.Context, w http.ResponseWriter, opts ...Option) error {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	st := stateFrom(ctx)
	st.mu.Lock()
	defer st.mu.Unlock()
	if err := st.writable(ctx); err != nil {
		return err
	}
	if !st.exists {
		return nil
	}
	now := m.now()
	err := st.replace(ctx, now, 0, EventRenewed, func(next *record, _ *string) {
		next.rotatedAt = now
		if o.authLevel != 0 {
			next.authLevel, next.authTime = uint8(o.authLevel), now
		}
	})
	if err != nil {
		return err
	}
	st.writeCookie(w.Header())
	return nil
}

// Logout ends the session on the server, expires its cookie, and sends
// `Clear-Site-Data: "cookies", "storage"` (unless
// Config.DisableClearSiteData) and `Cache-Control: no-store`. A replay of
// the old cookie afterwards finds nothing (ASVS 7.4.1).
//
// If the store cannot delete the session, Logout returns an error
// satisfying ErrStoreUnavailable and leaves the cookie alone: clearing only
// the cookie would leave a live session behind a logout the user believes
// happened. Writing session data after Logout fails with ErrLoggedOut.
func (m *Manager) Logout(ctx context.Context, w http.ResponseWriter) error {
	st := stateFrom(ctx)
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.committed {
		st.event(ctx, EventLateWrite, "logout", ErrCommitted)
		return ErrCommitted
	}
	if st.exists {
		if err := m.storeCall(ctx, func(ctx context.Context) error { return m.store.Delete(ctx, st.key) }); err != nil {
			return st.fail(ctx, classify(err))
		}
		if st.viaAlias {
			st.discard(ctx, st.presented)
		}
		st.event(ctx, EventLogout, "", nil)
	}
	st.reset()
	st.loggedOut, st.clearCookie = true, true
	st.writeCookie(w.Header())
	if !m.cfg.DisableClearSiteData {
		w.Header().Set("Clear-Site-Data", `"cookies", "storage"`)
	}
	return nil
}

// checkLimit refuses a login that would exceed the per-user session limit
// under RefuseNewSession. Callers hold mu.
func (st *state) checkLimit(ctx context.Context, userID string) error {
	m := st.m
	if m.cfg.MaxSessionsPerUser == 0 || m.cfg.SessionLimitPolicy != RefuseNewSession {
		return nil
	}
	infos, err := m.sessions(ctx, userID, st.key)
	if err != nil {
		return err
	}
	// The session this login replaces does not count.
	infos = slices.DeleteFunc(infos, func(i Info) bool { return st.exists && i.key == st.key })
	if len(infos) >= m.cfg.MaxSessionsPerUser {
		st.event(ctx, EventLimitRefused, userID, ErrTooManySessions)
		return ErrTooManySessions
	}
	return nil
}

// evictExcess ends the user's oldest sessions beyond the limit under
// EvictOldest, once the new session exists, so that a failed login never
// costs the user a session. Concurrent logins of one user may each evict
// on a view that is already stale; the limit is enforced per login, not as
// a transaction. Eviction is best effort: a store error leaves the user
// over the limit until the next login. Callers hold mu.
func (st *state) evictExcess(ctx context.Context, userID string) {
	m := st.m
	if m.cfg.MaxSessionsPerUser == 0 || m.cfg.SessionLimitPolicy != EvictOldest {
		return
	}
	infos, err := m.sessions(ctx, userID, st.key)
	if err != nil {
		st.event(ctx, EventStoreError, "session limit", err)
		return
	}
	infos = slices.DeleteFunc(infos, func(i Info) bool { return i.key == st.key })
	excess := len(infos) - (m.cfg.MaxSessionsPerUser - 1)
	if excess <= 0 {
		return
	}
	slices.SortFunc(infos, func(a, b Info) int { return a.CreatedAt.Compare(b.CreatedAt) })
	for _, victim := range infos[:excess] {
		if err := m.revoke(ctx, victim, "session limit"); err != nil {
			st.event(ctx, EventStoreError, "session limit", err)
			return
		}
	}
}
