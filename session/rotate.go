package session

import (
	"context"
	"errors"
	"time"

	"github.com/sessiond/sessiond/store"
)

// KeepToken tells the Manager that the response to this request cannot
// deliver a new cookie to the browser — a forward-auth answer whose
// Set-Cookie the proxy drops, for example — so the periodic rotation does
// not happen during it. The token still rotates on the next request that
// can deliver it; Login and Renew are not affected. It panics if ctx did not
// come through the middleware or Load.
func (m *Manager) KeepToken(ctx context.Context) {
	st := stateFrom(ctx)
	st.mu.Lock()
	st.noRotate = true
	st.mu.Unlock()
}

// replace moves the session to a brand-new token: periodic rotation, Renew
// and Login all go through here.
//
//  1. Build the next record from the current one with edit, and store it
//     under a fresh token.
//  2. Compare-and-swap the old record into an alias of the new key that
//     lives for grace (zero grace: it is dead at once). The swap fails if
//     another request changed or rotated the session meanwhile; then the
//     new record is deleted, the session reloaded with this request's
//     changes replayed, and the whole step tried again — except that a
//     periodic rotation which finds the session already rotated just saves
//     into the successor.
//
// An alias resolves only through its successor, so revoking the new session
// kills the old token too, and an alias is never rotated again. Callers hold
// mu.
func (st *state) replace(ctx context.Context, now time.Time, grace time.Duration, kind EventKind, edit func(next *record, userID *string)) error {
	m := st.m
	for attempt := 1; ; attempt++ {
		next, userID := st.rec, st.userID
		edit(&next, &userID)
		m.seen(&next, now)
		if err := m.checkSize(&next); err != nil {
			return st.fail(ctx, err)
		}
		tok, key := newToken()
		if err := m.storeCall(ctx, func(ctx context.Context) error {
			return m.store.Create(ctx, storeRecord(key, userID, 1, &next))
		}); err != nil {
			return st.fail(ctx, classify(err))
		}
		err := st.retire(ctx, key, now.Add(grace))
		switch {
		case err == nil:
		case errors.Is(err, store.ErrConflict) && attempt < maxMergeAttempts:
			st.discard(ctx, key)
			if err := st.reload(ctx); err != nil {
				return st.fail(ctx, err)
			}
			if kind == EventRotated && st.viaAlias {
				// Another request rotated the session first; its client has
				// the new token. Save into the successor and leave it be.
				return st.update(ctx, now)
			}
			continue
		case errors.Is(err, store.ErrConflict), errors.Is(err, store.ErrNotFound):
			st.discard(ctx, key)
			return st.fail(ctx, ErrConflict)
		default:
			st.discard(ctx, key)
			return st.fail(ctx, classify(err))
		}
		st.exists, st.viaAlias, st.key, st.version = true, false, key, 1
		st.userID, st.rec, st.newToken = userID, next, tok
		st.changes, st.csrfCreated = nil, false
		st.event(ctx, kind, "", nil)
		return nil
	}
}

// retire swaps the current record for an alias of successor that expires at
// until. Without a current record there is nothing to retire. When the
// client came in with an already rotated-out token, that alias is dropped
// too: its session has moved on.
func (st *state) retire(ctx context.Context, successor store.Key, until time.Time) error {
	if !st.exists {
		return nil
	}
	m := st.m
	alias := store.Record{
		Key:       st.key,
		Version:   st.version + 1,
		ExpiresAt: until,
		Data:      encodeAlias(successor),
	}
	if d := st.rec.deadline(); until.After(d) {
		alias.ExpiresAt = d
	}
	if err := m.storeCall(ctx, func(ctx context.Context) error { return m.store.Update(ctx, alias) }); err != nil {
		return err
	}
	if st.viaAlias {
		st.discard(ctx, st.presented)
	}
	return nil
}

// discard deletes key, best effort: a record left behind is unreachable (no
// client holds its token) and expires by itself.
func (st *state) discard(ctx context.Context, key store.Key) {
	m := st.m
	m.storeCall(ctx, func(ctx context.Context) error { return m.store.Delete(ctx, key) })
}
