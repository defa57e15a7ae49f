package session

import (
	"errors"
	"fmt"

	"github.com/sessiond/sessiond/store"
)

// Outcomes of the store, re-exported as the same values so that handlers
// need not import package store.
var (
	// ErrNotFound means there is no live session: never created, expired,
	// revoked or logged out. For a handle it means the user has no such
	// session.
	ErrNotFound = store.ErrNotFound

	// ErrConflict means the session kept changing under a concurrent request
	// after every retry of the merge (see "Concurrency and conflicts" in the
	// package documentation), or was destroyed while the request modified
	// it. Nothing of this request's changes was stored.
	ErrConflict = store.ErrConflict
)

// Outcomes of a request's session.
var (
	// ErrStoreUnavailable wraps every store failure other than "not found":
	// the store could not say whether the session exists. The middleware
	// fails closed: it answers 503 and never runs the handler as anonymous.
	ErrStoreUnavailable = errors.New("session: store unavailable")

	// ErrExpired marks events of sessions that outlived their idle or
	// absolute timeout. Expired sessions are treated as absent.
	ErrExpired = errors.New("session: expired")

	// ErrTooLarge means the encoded session would exceed
	// Config.MaxRecordBytes. Nothing was stored; the change that caused it
	// is refused.
	ErrTooLarge = errors.New("session: too large")

	// ErrTooManySessions means Login was refused because the user already
	// has Config.MaxSessionsPerUser live sessions and the policy is
	// RefuseNewSession. Tell the user to sign out elsewhere first.
	ErrTooManySessions = errors.New("session: too many sessions for this user")

	// ErrCommitted means the session was changed after the response had
	// started, when its cookie and record could no longer be written. The
	// change is refused and an EventLateWrite is emitted: it is a bug in the
	// handler, never silently dropped.
	ErrCommitted = errors.New("session: changed after the response started")

	// ErrLoggedOut means session data was written after Logout in the same
	// request. The logout response clears the browser's cookies, so the
	// write could never reach the client.
	ErrLoggedOut = errors.New("session: changed after logout")

	// ErrAnonymous means an operation that needs a signed-in user, such as
	// RevokeOthers, was called on an anonymous session.
	ErrAnonymous = errors.New("session: no user signed in")
)

// Outcomes of the CSRF check, answered with 403 except ErrMalformedForm.
var (
	// ErrCrossOrigin means the browser reported a cross-origin unsafe
	// request (Sec-Fetch-Site or Origin), as judged by
	// http.CrossOriginProtection.
	ErrCrossOrigin = errors.New("session: cross-origin request refused")

	// ErrCSRFTokenMissing means an unsafe request carried no CSRF token in
	// the header or the form field.
	ErrCSRFTokenMissing = errors.New("session: CSRF token missing")

	// ErrMalformedForm means the check could not read the form body it
	// looked for the token in. Answered with 400: the request is broken,
	// not forged.
	ErrMalformedForm = errors.New("session: malformed form body")

	// ErrCSRFTokenInvalid means the request's CSRF token is malformed or
	// does not belong to the request's session. Expected for forged
	// requests; reject them.
	ErrCSRFTokenInvalid = errors.New("session: CSRF token invalid")
)

// ErrUnsafeConfig is matched by every *ConfigError.
var ErrUnsafeConfig = errors.New("session: unsafe configuration")

// ConfigError reports a configuration that New refuses: Field names the
// offending Config field by its Go path (for example "Cookie.Domain"), so
// that a service can map it to its own option names.
type ConfigError struct {
	Field   string
	Problem string
}

func (e *ConfigError) Error() string {
	return fmt.Sprintf("session: %s: %s", e.Field, e.Problem)
}

// Unwrap lets errors.Is(err, ErrUnsafeConfig) match.
func (e *ConfigError) Unwrap() error { return ErrUnsafeConfig }
