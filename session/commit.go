package session

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/sessiond/sessiond/store"
)

// maxMergeAttempts bounds how often a save replays its changes on a fresher
// copy of the session before giving up with ErrConflict.
const maxMergeAttempts = 4

// Commit saves the request's session and sets its cookie on w. Call it once,
// before writing the response's status or body; LoadAndSave does so for you.
// After Commit every change to the session fails with ErrCommitted.
//
// A request that only read its session writes nothing, except a last-seen
// touch at most once per Config.TouchEvery. A modified session is written
// once, with compare-and-swap on its version. On error nothing was saved, no
// cookie was set, and the caller must answer with HTTPStatus(err) (503 when
// the store is unavailable).
func (m *Manager) Commit(ctx context.Context, w http.ResponseWriter) error {
	st := stateFrom(ctx)
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.committed {
		return nil
	}
	st.committed = true
	if err := st.save(ctx); err != nil {
		return err
	}
	st.writeCookie(w.Header())
	return nil
}

// save writes whatever the request changed. Callers hold mu.
func (st *state) save(ctx context.Context) error {
	m, now := st.m, st.m.now()
	switch {
	case st.loggedOut:
		return nil
	case !st.exists:
		if !st.dirty() {
			return nil
		}
		return st.create(ctx, now)
	case m.cfg.RotateEvery > 0 && !st.viaAlias && !st.noRotate && now.Sub(st.rec.rotatedAt) >= m.cfg.RotateEvery:
		return st.replace(ctx, now, m.cfg.RotationGrace, EventRotated, func(next *record, _ *string) {
			next.rotatedAt = now
		})
	case st.dirty():
		return st.update(ctx, now)
	case m.cfg.TouchEvery < 0 || now.Sub(st.rec.lastSeen) >= m.cfg.TouchEvery:
		st.touch(ctx, now)
	}
	return nil
}

// create stores a new anonymous session holding the request's changes.
func (st *state) create(ctx context.Context, now time.Time) error {
	m := st.m
	rec := st.rec
	st.initialize(&rec, now)
	if err := m.checkSize(&rec); err != nil {
		return st.fail(ctx, err)
	}
	tok, key := newToken()
	sctx, cancel := m.storeCtx(ctx)
	defer cancel()
	if err := m.store.Create(sctx, storeRecord(key, "", 1, &rec)); err != nil {
		return st.fail(ctx, classify(err))
	}
	st.exists, st.key, st.version, st.rec = true, key, 1, rec
	st.newToken, st.changes, st.csrfCreated = tok, nil, false
	st.event(ctx, EventCreated, "", nil)
	return nil
}

// update saves the request's changes with compare-and-swap. On a conflict it
// reloads the session and replays its own changes on top: writes of other
// requests to other keys survive, and for the same key the later save wins.
func (st *state) update(ctx context.Context, now time.Time) error {
	m := st.m
	for attempt := 1; ; attempt++ {
		rec := st.rec
		m.seen(&rec, now)
		if err := m.checkSize(&rec); err != nil {
			return st.fail(ctx, err)
		}
		sctx, cancel := m.storeCtx(ctx)
		err := m.store.Update(sctx, storeRecord(st.key, st.userID, st.version+1, &rec))
		cancel()
		switch {
		case err == nil:
			st.rec, st.version, st.changes, st.csrfCreated = rec, st.version+1, nil, false
			return nil
		case errors.Is(err, store.ErrConflict) && attempt < maxMergeAttempts:
			if err := st.reload(ctx); err != nil {
				return st.fail(ctx, err)
			}
		case errors.Is(err, store.ErrConflict), errors.Is(err, store.ErrNotFound):
			// Out of attempts, or the session was ended under us: saving now
			// would resurrect a revoked or logged-out session.
			return st.fail(ctx, ErrConflict)
		default:
			return st.fail(ctx, classify(err))
		}
	}
}

// reload replaces the request's copy of the session with the stored one and
// replays the request's changes on it.
func (st *state) reload(ctx context.Context) error {
	l, err := st.m.fetch(ctx, st.key)
	if errors.Is(err, store.ErrNotFound) {
		return ErrConflict
	}
	if err != nil {
		return err
	}
	for _, c := range st.changes {
		l.rec.values = c.apply(l.rec.values)
	}
	if st.csrfCreated && !l.rec.hasCSRF {
		l.rec.hasCSRF, l.rec.csrfSecret = true, st.rec.csrfSecret
	}
	l.viaAlias = l.viaAlias || st.viaAlias
	st.adopt(l)
	return nil
}

// touch moves the idle expiry of a session that was only read. Losing the
// race to another write is fine (that write moved it too), and a failed
// touch does not fail the request: the session was valid when loaded and the
// decision about this request is already made.
func (st *state) touch(ctx context.Context, now time.Time) {
	m := st.m
	rec := st.rec
	m.seen(&rec, now)
	sctx, cancel := m.storeCtx(ctx)
	defer cancel()
	err := m.store.Update(sctx, storeRecord(st.key, st.userID, st.version+1, &rec))
	switch {
	case err == nil:
		st.rec, st.version = rec, st.version+1
	case errors.Is(err, store.ErrConflict), errors.Is(err, store.ErrNotFound):
	default:
		st.event(ctx, EventStoreError, "touch", classify(err))
	}
}

func (m *Manager) checkSize(rec *record) error {
	if len(rec.encode()) > m.cfg.MaxRecordBytes {
		return ErrTooLarge
	}
	return nil
}

// fail reports a failed save and returns err.
func (st *state) fail(ctx context.Context, err error) error {
	kind := EventStoreError
	switch {
	case errors.Is(err, ErrConflict):
		kind = EventConflict
	case errors.Is(err, ErrTooLarge):
		kind = EventTooLarge
	}
	st.event(ctx, kind, "save", err)
	return err
}
