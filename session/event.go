package session

import (
	"context"
	"log/slog"
	"os"
	"time"
)

// EventKind names a security-relevant happening. Its string form is stable
// and meant for logs and alerting rules.
type EventKind string

// The kinds of events a Manager emits.
const (
	EventCreated         EventKind = "session_created"  // a new anonymous session was stored
	EventLogin           EventKind = "login"            // Login issued a new authenticated session
	EventRotated         EventKind = "rotated"          // the periodic rotation replaced the token
	EventRenewed         EventKind = "renewed"          // Renew replaced the token on a privilege change
	EventExpiredIdle     EventKind = "expired_idle"     // a request arrived after the idle timeout
	EventExpiredAbsolute EventKind = "expired_absolute" // a request arrived after the absolute timeout
	EventRevoked         EventKind = "revoked"          // a session was ended by handle, by user, or by the session limit
	EventLogout          EventKind = "logout"           // Logout ended the session
	EventTokenInURL      EventKind = "token_in_url"     // a session token was offered outside the cookie and ignored
	EventMalformedToken  EventKind = "malformed_token"  // the cookie's value is not a well-formed token
	EventUnknownToken    EventKind = "unknown_token"    // a well-formed token matched no live session
	EventCSRFFailure     EventKind = "csrf_failure"     // an unsafe request failed the CSRF check
	EventConflict        EventKind = "conflict"         // concurrent changes could not be merged
	EventStoreError      EventKind = "store_error"      // the store failed; the request failed closed
	EventLateWrite       EventKind = "late_write"       // the session was changed after the response started
	EventTooLarge        EventKind = "too_large"        // a change would have exceeded the record size cap
	EventLimitRefused    EventKind = "limit_refused"    // Login refused by the per-user session limit
)

// Event is one security-relevant happening. It never carries a session
// token: sessions are identified by their public Handle.
type Event struct {
	Kind      EventKind
	Time      time.Time
	Handle    string // the session's public handle, empty if none
	UserID    string // empty for anonymous sessions
	IP        string // the client, as Config.ClientIP judged it
	UserAgent string
	// Detail says more where the kind alone is not enough, such as why a
	// session was revoked or where a token was found outside the cookie.
	Detail string
	// Err is the failure behind the event, for failure kinds.
	Err error
}

// EventSink receives events. Emit is called synchronously on the request's
// goroutine, from many goroutines at once: implementations must be safe for
// concurrent use and should not block.
type EventSink interface {
	Emit(ctx context.Context, e Event)
}

// EventSinkFunc adapts a function to EventSink.
type EventSinkFunc func(ctx context.Context, e Event)

// Emit calls f(ctx, e).
func (f EventSinkFunc) Emit(ctx context.Context, e Event) { f(ctx, e) }

// NewLogSink returns a sink that writes each event as one structured log
// record: at Warn level for signs of attack, Error for failures, Info for
// the rest. A nil logger means JSON on standard error.
func NewLogSink(logger *slog.Logger) EventSink {
	if logger == nil {
		logger = slog.New(slog.NewJSONHandler(os.Stderr, nil))
	}
	return logSink{logger}
}

type logSink struct{ logger *slog.Logger }

func (s logSink) Emit(ctx context.Context, e Event) {
	attrs := []slog.Attr{
		slog.String("event", string(e.Kind)),
		slog.Time("at", e.Time),
		slog.String("handle", e.Handle),
		slog.String("user", e.UserID),
		slog.String("ip", e.IP),
		slog.String("user_agent", e.UserAgent),
	}
	if e.Detail != "" {
		attrs = append(attrs, slog.String("detail", e.Detail))
	}
	if e.Err != nil {
		attrs = append(attrs, slog.String("error", e.Err.Error()))
	}
	s.logger.LogAttrs(ctx, e.Kind.level(), "session event", attrs...)
}

func (k EventKind) level() slog.Level {
	switch k {
	case EventStoreError, EventLateWrite, EventTooLarge, EventConflict:
		return slog.LevelError
	case EventTokenInURL, EventMalformedToken, EventUnknownToken, EventCSRFFailure, EventLimitRefused:
		return slog.LevelWarn
	}
	return slog.LevelInfo
}
