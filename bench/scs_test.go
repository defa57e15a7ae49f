package bench

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/alexedwards/scs/v2"
	scsmemstore "github.com/alexedwards/scs/v2/memstore"
)

// scsFixture serves the workloads with scs on its memstore. IdleTimeout is
// set, as real deployments do: with it, scs commits every loaded session on
// every request to push the idle deadline out.
func scsFixture(testing.TB) *fixture {
	// No cleanup goroutine: it would run once a minute, never during a
	// measurement, and MemStore.StopCleanup races with its start (go test
	// -race reports it), so a stoppable one cannot be had. The empty default
	// store scs.New starts is replaced and left running for the same reason.
	st := &countingSCSStore{Store: scsmemstore.NewWithCleanupInterval(0)}
	sm := scs.New()
	sm.Store = st
	sm.IdleTimeout = 30 * time.Minute
	sm.Cookie.Secure = true

	read := func(w http.ResponseWriter, r *http.Request) {
		writeRead(w, sm.GetString(r.Context(), "theme"), sm.GetString(r.Context(), "userID"))
	}
	count := func(w http.ResponseWriter, r *http.Request) {
		n := sm.GetInt(r.Context(), "n") + 1
		sm.Put(r.Context(), "n", n)
		writeCount(w, n)
	}
	login := func(w http.ResponseWriter, r *http.Request) {
		if err := sm.RenewToken(r.Context()); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		sm.Put(r.Context(), "userID", "alice")
		writeLoggedIn(w)
	}

	return &fixture{
		handler: sm.LoadAndSave(routes(read, count, login)),
		cookie:  sm.Cookie.Name,
		writes:  &st.writes,
		seed: func(tb testing.TB, userID string) string {
			ctx, err := sm.Load(context.Background(), "")
			if err != nil {
				tb.Fatal(err)
			}
			sm.Put(ctx, "theme", "dark")
			sm.Put(ctx, "n", 41)
			if userID != "" {
				sm.Put(ctx, "userID", userID)
			}
			token, _, err := sm.Commit(ctx)
			if err != nil {
				tb.Fatal(err)
			}
			return token
		},
	}
}
