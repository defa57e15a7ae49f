package session

import (
	"context"
	"errors"
	"net/http"
	"net/textproto"
	"strings"

	"github.com/sessiond/sessiond/store"
)

// Load reads the session of r and returns r's context carrying it, for code
// that does not use LoadAndSave. Pair it with Commit before the response is
// written.
//
// A request without a usable cookie gets an empty anonymous session; a
// malformed, unknown or expired token is reported as an event and ignored.
// The token is read only from the session cookie: one offered in the query
// string or another header is never used, and is reported as
// EventTokenInURL.
//
// Load fails closed: when the store cannot answer, it returns an error
// satisfying errors.Is(err, ErrStoreUnavailable) and the request must not be
// served (LoadAndSave answers 503).
func (m *Manager) Load(r *http.Request) (context.Context, error) {
	ctx := r.Context()
	st := &state{m: m, ip: m.cfg.ClientIP(r), ua: r.UserAgent()}
	if len(st.ua) > maxUserAgent {
		st.ua = st.ua[:maxUserAgent]
	}
	m.reportTokenOutsideCookie(ctx, st, r)
	if value, ok := cookieValue(r.Header, m.cfg.Cookie.Name); ok {
		if err := st.load(ctx, value); err != nil {
			return ctx, err
		}
	}
	return context.WithValue(ctx, stateKey{}, st), nil
}

// load resolves the cookie's value into the session, or leaves the session
// anonymous with an event saying why.
func (st *state) load(ctx context.Context, value string) error {
	m := st.m
	key, ok := parseToken(value)
	if !ok {
		st.clearCookie = true
		st.event(ctx, EventMalformedToken, "", nil)
		return nil
	}
	l, err := m.fetch(ctx, key)
	switch {
	case errors.Is(err, store.ErrNotFound):
		st.clearCookie = true
		st.event(ctx, EventUnknownToken, "", nil)
		return nil
	case err != nil:
		st.event(ctx, EventStoreError, "load", err)
		return err
	}
	st.exists, st.presented = true, key
	st.adopt(l)
	switch now := m.now(); {
	case !now.Before(l.rec.expiresAt):
		st.expire(ctx, EventExpiredAbsolute)
	case !now.Before(l.rec.idleExpiresAt):
		st.expire(ctx, EventExpiredIdle)
	}
	return nil
}

// adopt makes l the request's session.
func (st *state) adopt(l loaded) {
	st.key, st.version, st.userID, st.rec, st.viaAlias = l.key, l.version, l.userID, l.rec, l.viaAlias
}

// expire ends a timed-out session: reported, deleted (best effort: the
// timeout is enforced whether or not the delete succeeds), and forgotten.
func (st *state) expire(ctx context.Context, kind EventKind) {
	st.event(ctx, kind, "", ErrExpired)
	sctx, cancel := st.m.storeCtx(ctx)
	st.m.store.Delete(sctx, st.key)
	cancel()
	st.reset()
	st.clearCookie = true
}

// cookieValue returns the value of the first cookie named name, without
// parsing the other cookies: the common case allocates nothing.
func cookieValue(h http.Header, name string) (string, bool) {
	for _, line := range h["Cookie"] {
		for len(line) > 0 {
			var part string
			part, line, _ = strings.Cut(line, ";")
			part = textproto.TrimString(part)
			n, v, ok := strings.Cut(part, "=")
			if ok && n == name {
				if len(v) > 1 && v[0] == '"' && v[len(v)-1] == '"' {
					v = v[1 : len(v)-1]
				}
				return v, true
			}
		}
	}
	return "", false
}

// tokenParams are query parameters and headers under which clients and
// attackers commonly pass session identifiers.
var (
	tokenParams  = []string{"sid", "session", "sessionid", "session_id", "session_token", "jsessionid", "phpsessid"}
	tokenHeaders = []string{"X-Session-Id", "X-Session-Token", "X-Session"}
)

// reportTokenOutsideCookie emits EventTokenInURL when r offers something
// shaped like a session token where sessiond never reads one (ASVS 3.1.1,
// 14.2.1). The value is ignored either way.
func (m *Manager) reportTokenOutsideCookie(ctx context.Context, st *state, r *http.Request) {
	var where string
	if r.URL != nil && r.URL.RawQuery != "" {
		for name, values := range r.URL.Query() {
			lname := strings.ToLower(name)
			if lname != strings.ToLower(m.cfg.Cookie.Name) && !containsFold(tokenParams, lname) {
				continue
			}
			for _, v := range values {
				if v != "" {
					where = "query parameter " + name
				}
			}
		}
	}
	for _, name := range tokenHeaders {
		if r.Header.Get(name) != "" {
			where = "header " + name
		}
	}
	if where != "" {
		st.event(ctx, EventTokenInURL, where, nil)
	}
}

func containsFold(list []string, s string) bool {
	for _, v := range list {
		if strings.EqualFold(v, s) {
			return true
		}
	}
	return false
}
