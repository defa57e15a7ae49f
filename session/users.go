package session

import (
	"context"
	"slices"
	"time"

	"github.com/sessiond/sessiond/store"
)

// Info describes a session for "your sessions" pages and admin APIs. It is
// safe to show: it holds the public handle, never the token.
type Info struct {
	Handle        string
	UserID        string
	CreatedAt     time.Time
	LastSeen      time.Time
	IdleExpiresAt time.Time
	ExpiresAt     time.Time // absolute expiry
	AuthTime      time.Time // zero while anonymous
	AuthLevel     int       // 0 while anonymous
	IP            string    // the client that created the session
	UserAgent     string
	Current       bool // the session of the request whose context was passed

	key store.Key
}

func (m *Manager) info(key store.Key, userID string, rec *record) Info {
	return Info{
		Handle:        encodeHandle(rec.handle),
		UserID:        userID,
		CreatedAt:     rec.createdAt,
		LastSeen:      rec.lastSeen,
		IdleExpiresAt: rec.idleExpiresAt,
		ExpiresAt:     rec.expiresAt,
		AuthTime:      rec.authTime,
		AuthLevel:     int(rec.authLevel),
		IP:            string(rec.ip),
		UserAgent:     string(rec.userAgent),
		key:           key,
	}
}

// Current returns the request's session. Its Handle is empty while the
// session is anonymous and not yet stored. It panics if ctx did not come
// through the middleware or Load.
func (m *Manager) Current(ctx context.Context) Info {
	st := stateFrom(ctx)
	st.mu.Lock()
	defer st.mu.Unlock()
	if !st.exists {
		return Info{}
	}
	i := m.info(st.key, st.userID, &st.rec)
	i.Current = true
	return i
}

// UserID returns the signed-in user of the request, or "" for an anonymous
// one. It panics if ctx did not come through the middleware or Load.
func (m *Manager) UserID(ctx context.Context) string {
	st := stateFrom(ctx)
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.userID
}

// Sessions lists the live sessions of userID, most recently active first.
// When ctx carries a request's session, that one is marked Current. It fails
// with ErrStoreUnavailable when the store cannot answer.
func (m *Manager) Sessions(ctx context.Context, userID string) ([]Info, error) {
	var current store.Key
	if st, ok := ctx.Value(stateKey{}).(*state); ok {
		st.mu.Lock()
		current = st.key
		st.mu.Unlock()
	}
	return m.sessions(ctx, userID, current)
}

// sessions lists the live sessions of userID, marking the one under current.
func (m *Manager) sessions(ctx context.Context, userID string, current store.Key) ([]Info, error) {
	var recs []store.Record
	err := m.storeCall(ctx, func(ctx context.Context) (err error) {
		recs, err = m.store.ListUser(ctx, userID)
		return err
	})
	if err != nil {
		return nil, classify(err)
	}
	now := m.now()
	infos := make([]Info, 0, len(recs))
	for _, sr := range recs {
		rec, _, alias, err := decodeRecord(sr.Data)
		if err != nil || alias || !now.Before(rec.deadline()) {
			continue // corrupt, rotated-out or timed out: not a live session
		}
		i := m.info(sr.Key, sr.UserID, &rec)
		i.Current = sr.Key == current
		infos = append(infos, i)
	}
	slices.SortFunc(infos, func(a, b Info) int { return b.LastSeen.Compare(a.LastSeen) })
	return infos, nil
}

// Revoke ends the session of userID with the given handle. It returns
// ErrNotFound if the user has no live session with that handle. Revoking the
// request's own session works like Logout without the response headers.
func (m *Manager) Revoke(ctx context.Context, userID, handle string) error {
	if !ValidHandle(handle) {
		return ErrNotFound
	}
	infos, err := m.Sessions(ctx, userID)
	if err != nil {
		return err
	}
	for _, i := range infos {
		if i.Handle == handle {
			if err := m.revoke(ctx, i, "by handle"); err != nil {
				return err
			}
			forget(ctx, func(st *state) bool { return st.key == i.key })
			return nil
		}
	}
	return ErrNotFound
}

// RevokeOthers ends every session of the request's user except the
// request's own, as after a password change (ASVS 7.4.3), and returns how
// many it ended. It fails with ErrAnonymous for an anonymous request.
func (m *Manager) RevokeOthers(ctx context.Context) (int, error) {
	st := stateFrom(ctx)
	st.mu.Lock()
	userID, key := st.userID, st.key
	st.mu.Unlock()
	if userID == "" {
		return 0, ErrAnonymous
	}
	return m.revokeUser(ctx, userID, key, "others")
}

// RevokeAll ends every session of userID, as when an account is disabled
// (ASVS 7.4.2, 7.4.5), and returns how many it ended.
func (m *Manager) RevokeAll(ctx context.Context, userID string) (int, error) {
	if userID == "" {
		return 0, nil
	}
	return m.revokeUser(ctx, userID, store.Key{}, "all")
}

func (m *Manager) revokeUser(ctx context.Context, userID string, except store.Key, detail string) (int, error) {
	// Listing first gives the events their handles; DeleteUser then reaches
	// sessions created since, too.
	infos, err := m.Sessions(ctx, userID)
	if err != nil {
		return 0, err
	}
	var n int
	err = m.storeCall(ctx, func(ctx context.Context) (err error) {
		n, err = m.store.DeleteUser(ctx, userID, except)
		return err
	})
	if err != nil {
		return 0, classify(err)
	}
	for _, i := range infos {
		if i.key != except {
			m.revoked(ctx, i, detail)
		}
	}
	forget(ctx, func(st *state) bool { return st.userID == userID && st.key != except })
	return n, nil
}

func (m *Manager) revoke(ctx context.Context, i Info, detail string) error {
	if err := m.storeCall(ctx, func(ctx context.Context) error { return m.store.Delete(ctx, i.key) }); err != nil {
		return classify(err)
	}
	m.revoked(ctx, i, detail)
	return nil
}

// revoked reports a revocation.
func (m *Manager) revoked(ctx context.Context, i Info, detail string) {
	m.cfg.Events.Emit(ctx, Event{
		Kind: EventRevoked, Time: m.now(), Handle: i.Handle, UserID: i.UserID,
		IP: i.IP, UserAgent: i.UserAgent, Detail: detail,
	})
}

// forget drops the request's own session when a revocation hit it, so that
// the end of the request cannot write it back.
func forget(ctx context.Context, hit func(*state) bool) {
	st, ok := ctx.Value(stateKey{}).(*state)
	if !ok {
		return
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.exists && hit(st) {
		st.reset()
		st.clearCookie = true
	}
}
