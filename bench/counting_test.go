package bench

import (
	"context"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/alexedwards/scs/v2"
	"github.com/gorilla/sessions"

	"github.com/sessiond/sessiond/store"
)

// The wrappers below count what each library writes per request, for the
// writes/op metric. They count calls, successful or not, and add nothing but
// an atomic increment to the call they wrap.

// countingStore is a sessiond store.Store that counts Create, Update, Delete
// and DeleteUser.
type countingStore struct {
	store.Store
	writes atomic.Int64
}

func (s *countingStore) Create(ctx context.Context, rec store.Record) error {
	s.writes.Add(1)
	return s.Store.Create(ctx, rec)
}

func (s *countingStore) Update(ctx context.Context, rec store.Record) error {
	s.writes.Add(1)
	return s.Store.Update(ctx, rec)
}

func (s *countingStore) Delete(ctx context.Context, key store.Key) error {
	s.writes.Add(1)
	return s.Store.Delete(ctx, key)
}

func (s *countingStore) DeleteUser(ctx context.Context, userID string, except store.Key) (int, error) {
	s.writes.Add(1)
	return s.Store.DeleteUser(ctx, userID, except)
}

// countingSCSStore is an scs.Store that counts Commit and Delete. It
// implements only scs.Store, which is also all scs's memstore implements
// besides All, so scs takes the same path as with the bare memstore.
type countingSCSStore struct {
	scs.Store
	writes atomic.Int64
}

func (s *countingSCSStore) Commit(token string, b []byte, expiry time.Time) error {
	s.writes.Add(1)
	return s.Store.Commit(token, b, expiry)
}

func (s *countingSCSStore) Delete(token string) error {
	s.writes.Add(1)
	return s.Store.Delete(token)
}

// countingCookieStore is a gorilla sessions.Store around a CookieStore that
// counts Save calls: cookie rewrites (encode, encrypt, MAC and Set-Cookie),
// since a CookieStore writes to no store.
type countingCookieStore struct {
	*sessions.CookieStore
	writes atomic.Int64
}

// Get registers the session under this wrapper rather than the CookieStore
// inside, so that Session.Save comes back through the counting Save.
func (s *countingCookieStore) Get(r *http.Request, name string) (*sessions.Session, error) {
	return sessions.GetRegistry(r).Get(s, name)
}

func (s *countingCookieStore) Save(r *http.Request, w http.ResponseWriter, session *sessions.Session) error {
	s.writes.Add(1)
	return s.CookieStore.Save(r, w, session)
}
