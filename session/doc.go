// Package session is sessiond's server-side session engine for net/http:
// unguessable tokens kept only as hashes, hardened cookies, idle and absolute
// timeouts enforced on the server, rotation, real logout, per-user session
// lists and revocation, CSRF protection and security events.
//
// # Quickstart
//
//	st := memstore.New(memstore.Config{}) // or boltstore.Open, redisstore.New, ...
//	m, err := session.New(st, session.Config{}) // the zero Config is the secure one
//	if err != nil { ... }
//	mux := http.NewServeMux()
//	mux.HandleFunc("POST /login", func(w http.ResponseWriter, r *http.Request) {
//		// ... check the password, then:
//		if err := m.Login(r.Context(), w, r, "alice"); err != nil { ... }
//	})
//	mux.HandleFunc("GET /", func(w http.ResponseWriter, r *http.Request) {
//		fmt.Fprintln(w, "hello", m.UserID(r.Context()))
//	})
//	http.ListenAndServe(addr, m.LoadAndSave(mux))
//
// Application data goes through [Get], [Put] and [Delete]; forms embed
// [Manager.CSRFToken]. Code that cannot use middleware calls [Manager.Load]
// and [Manager.Commit] itself.
//
// # Security model
//
// A session token is 256 bits from crypto/rand (43 base64url characters).
// Stores are keyed by its SHA-256 and never see the token, so a leaked store
// dump or backup cannot be replayed. The token travels only in the session
// cookie: one offered in the query string or a header is ignored and
// reported (EventTokenInURL). A cookie value that is not a well-formed token
// is rejected before any store lookup (EventMalformedToken); a well-formed
// token that matches nothing is reported (EventUnknownToken) and never
// adopted: a new session always gets a token of the server's making.
//
// The cookie defaults to `__Host-sid; Path=/; Secure; HttpOnly;
// SameSite=Lax` with no Max-Age, and [New] refuses combinations that would
// weaken it (a "__Host-" name without Secure or with a Domain, SameSite=None
// without Secure, an idle timeout longer than the absolute one, ...).
//
// Each session has a public handle, random and unrelated to its token, to
// name it on "your sessions" pages, in APIs and in events.
//
// [Manager.Login] always issues a new token and kills the old one (session
// fixation); [Manager.Renew] does the same on privilege changes.
// [Manager.Logout] deletes the session on the server, expires the cookie
// and sends Clear-Site-Data.
//
// Unsafe requests need a CSRF token on top of http.CrossOriginProtection;
// see [CSRF].
//
// Security-relevant happenings are sent to Config.Events as [Event] values,
// by default as JSON lines through log/slog. They name sessions by handle,
// never by token.
//
// # Timeouts
//
// Both timeouts are enforced by the server on every request, whatever the
// cookie says: a session ends Config.IdleTimeout (default 30 minutes) after
// its last recorded activity, and Config.AbsoluteTimeout (default 12 hours)
// after it was created, however busy. A request that only reads its session
// records activity at most once per Config.TouchEvery (default 1 minute), so
// the idle timeout may end a session up to that much early; this is what
// keeps read-only requests free of store writes. An expired session is
// deleted and reported as EventExpiredIdle or EventExpiredAbsolute; the
// request continues as anonymous.
//
// # Rotation
//
// Every Config.RotateEvery (default 15 minutes) the first request of a
// session replaces its token. The previous token stays valid for
// Config.RotationGrace (default 30 seconds), so requests the browser sent
// before it saw the new cookie still find their session; a token in its
// grace window is never rotated again and dies when the window closes, or at
// once when its session is revoked or logged out. Login and Renew rotate
// with no grace at all.
//
// # Concurrency and conflicts
//
// Each stored session has a version, and every write is a compare-and-swap
// on it. When two requests of one session change it at the same time, the
// second save finds the version moved on; it then reloads the session and
// replays its own changes on top, so writes to different keys both survive
// and, for the same key, the later save wins. After a few failed attempts,
// or when the session was ended meanwhile (logout, revocation), the save
// fails with [ErrConflict]: nothing of the request is stored, the response
// becomes 409, and EventConflict is emitted. A save never resurrects a
// session that was ended.
//
// # Failure modes
//
// The Manager fails closed. When the store cannot answer whether a session
// exists, [Manager.LoadAndSave] answers 503 and never runs the handler as
// an anonymous request. When a save fails, the handler's response is
// replaced by an error (503 for the store, 409 for a conflict, 500 for a
// session over Config.MaxRecordBytes). A Logout the store cannot carry out
// returns an error and leaves the cookie alone rather than pretend. Changes
// made after the response started fail with [ErrCommitted] and emit
// EventLateWrite, so they are never silently lost. Every store call is
// bounded by Config.StoreTimeout.
package session
