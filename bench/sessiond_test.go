package bench

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/sessiond/sessiond/session"
	"github.com/sessiond/sessiond/store/memstore"
)

// sessiondFixture serves the workloads with sessiond's session package on
// its memstore, with the zero (production) Config except for a no-op event
// sink, so that logging does not dominate the measurement.
func sessiondFixture(tb testing.TB) *fixture {
	ms := memstore.New(memstore.Config{})
	tb.Cleanup(func() { ms.Close() })
	st := &countingStore{Store: ms}
	m, err := session.New(st, session.Config{
		Events: session.EventSinkFunc(func(context.Context, session.Event) {}),
	})
	if err != nil {
		tb.Fatal(err)
	}

	read := func(w http.ResponseWriter, r *http.Request) {
		theme, _ := session.Get[string](r.Context(), "theme")
		writeRead(w, theme, m.UserID(r.Context()))
	}
	count := func(w http.ResponseWriter, r *http.Request) {
		n, _ := session.Get[int](r.Context(), "n")
		n++
		if err := session.Put(r.Context(), "n", n); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		writeCount(w, n)
	}
	login := func(w http.ResponseWriter, r *http.Request) {
		if err := m.Login(r.Context(), w, r, "alice"); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		writeLoggedIn(w)
	}

	return &fixture{
		handler: m.LoadAndSave(routes(read, count, login)),
		cookie:  m.Config().Cookie.Name,
		writes:  &st.writes,
		seed: func(tb testing.TB, userID string) string {
			r := httptest.NewRequest(http.MethodGet, "https://example.com/", nil)
			ctx, err := m.Load(r)
			if err != nil {
				tb.Fatal(err)
			}
			w := httptest.NewRecorder()
			for _, err := range []error{
				session.Put(ctx, "theme", "dark"),
				session.Put(ctx, "n", 41),
			} {
				if err != nil {
					tb.Fatal(err)
				}
			}
			if userID != "" {
				if err := m.Login(ctx, w, r, userID); err != nil {
					tb.Fatal(err)
				}
			}
			if err := m.Commit(ctx, w); err != nil {
				tb.Fatal(err)
			}
			return setCookie(w, m.Config().Cookie.Name)
		},
	}
}
