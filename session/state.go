package session

import (
	"context"
	"net/http"
	"sync"
	"time"

	"github.com/sessiond/sessiond/store"
)

// state is one request's view of its session. The Manager's middleware (or
// Load) puts it into the request context; every accessor reaches it there.
type state struct {
	m  *Manager
	ip string
	ua string

	mu        sync.Mutex // handlers may use the session from several goroutines
	exists    bool       // a record is stored under key
	key       store.Key  // the record's key; differs from presented during a rotation grace window
	presented store.Key  // the key of the token the client sent, zero if none
	viaAlias  bool       // the token was rotated out; it resolves but is never rotated again
	version   uint64
	userID    string
	rec       record

	changes     []change // application-data writes, replayed after a conflict
	csrfCreated bool     // this request generated the CSRF secret

	newToken    token // a token whose cookie is still to be written
	clearCookie bool  // the client's cookie is dead and should be expired
	committed   bool  // the response has started; nothing can be saved any more
	loggedOut   bool
	noRotate    bool // KeepToken: a new cookie could not reach the browser

	writer saveWriter // LoadAndSave's response writer for this request
}

type stateKey struct{}

// stateFrom returns the request's session state. It panics when ctx never
// went through the middleware: silently treating such a request as
// anonymous would hide a wiring bug that matters for security.
func stateFrom(ctx context.Context) *state {
	st, ok := ctx.Value(stateKey{}).(*state)
	if !ok {
		panic("session: no session in context; wrap the handler with Manager.LoadAndSave or call Manager.Load")
	}
	return st
}

// dirty reports whether the session has unsaved changes.
func (st *state) dirty() bool {
	return len(st.changes) > 0 || st.csrfCreated
}

// change applies c to the session, to be saved at commit.
func (st *state) change(ctx context.Context, c change) error {
	st.mu.Lock()
	defer st.mu.Unlock()
	if err := st.writable(ctx); err != nil {
		return err
	}
	next := st.rec
	next.values = c.apply(st.rec.values)
	if !st.fits(next) {
		st.event(ctx, EventTooLarge, "key "+c.key, ErrTooLarge)
		return ErrTooLarge
	}
	st.rec = next
	st.changes = append(st.changes, c)
	return nil
}

// fits reports whether rec stays within Config.MaxRecordBytes once saved,
// counting what the first save of a new session adds.
func (st *state) fits(rec record) bool {
	if !st.exists {
		st.initialize(&rec, st.m.now())
	}
	return len(rec.encode()) <= st.m.cfg.MaxRecordBytes
}

// initialize gives a new session its handle, times and client. Callers hold
// mu.
func (st *state) initialize(rec *record, now time.Time) {
	rec.handle = newHandle()
	rec.createdAt, rec.rotatedAt = now, now
	rec.expiresAt = now.Add(st.m.cfg.AbsoluteTimeout)
	st.m.seen(rec, now)
	rec.ip, rec.userAgent = []byte(st.ip), []byte(st.ua)
}

// writable reports whether the session may still change. Callers hold mu.
func (st *state) writable(ctx context.Context) error {
	switch {
	case st.committed:
		st.event(ctx, EventLateWrite, "", ErrCommitted)
		return ErrCommitted
	case st.loggedOut:
		return ErrLoggedOut
	}
	return nil
}

// event emits an event about this session. Callers hold mu.
func (st *state) event(ctx context.Context, kind EventKind, detail string, err error) {
	e := Event{Kind: kind, Time: st.m.now(), UserID: st.userID, IP: st.ip, UserAgent: st.ua, Detail: detail, Err: err}
	if st.exists {
		e.Handle = encodeHandle(st.rec.handle)
	}
	st.m.cfg.Events.Emit(ctx, e)
}

// writeCookie writes the pending cookie change to h. Callers hold mu.
func (st *state) writeCookie(h http.Header) {
	switch {
	case st.newToken != "":
		st.m.setCookie(h, string(st.newToken))
		st.newToken, st.clearCookie = "", false
	case st.clearCookie:
		st.m.setCookie(h, "")
		st.clearCookie = false
	}
}

// reset forgets the session, as after logout or revocation. Callers hold mu.
func (st *state) reset() {
	st.exists, st.viaAlias, st.version, st.userID = false, false, 0, ""
	st.key = store.Key{}
	st.rec, st.changes, st.csrfCreated, st.newToken = record{}, nil, false, ""
}
