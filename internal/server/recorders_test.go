package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"sync"
	"testing"

	"github.com/sessiond/sessiond/session"
)

// logRecorder keeps what a JSON slog handler writes.
type logRecorder struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logRecorder) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *logRecorder) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// records returns every record logged so far, decoded.
func (l *logRecorder) records() []map[string]any {
	var out []map[string]any
	for line := range strings.Lines(l.String()) {
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			rec = map[string]any{"msg": "not JSON", "line": line}
		}
		out = append(out, rec)
	}
	return out
}

// audits returns the service's audit records (message "audit") of event
// logged after the first mark records.
func (l *logRecorder) audits(mark int, event string) []map[string]any {
	var out []map[string]any
	for _, rec := range l.records()[mark:] {
		if rec["msg"] == "audit" && rec["event"] == event {
			out = append(out, rec)
		}
	}
	return out
}

// mark returns how many records there are, for audits.
func (l *logRecorder) mark() int { return len(l.records()) }

// wantAudit fails the test unless an audit record of event was logged
// after mark with every attribute in want (compared as text).
func (h *harness) wantAudit(t *testing.T, mark int, event string, want ...string) map[string]any {
	t.Helper()
	recs := h.audit.audits(mark, event)
next:
	for _, rec := range recs {
		for i := 0; i+1 < len(want); i += 2 {
			if got, ok := rec[want[i]]; !ok || jsonText(got) != want[i+1] {
				continue next
			}
		}
		return rec
	}
	t.Errorf("no audit event %q with %q after mark %d; audit log:\n%s", event, want, mark, h.audit.String())
	return nil
}

// noAudit fails the test if an audit record of event was logged after mark.
func (h *harness) noAudit(t *testing.T, mark int, event string) {
	t.Helper()
	if recs := h.audit.audits(mark, event); len(recs) > 0 {
		t.Errorf("unexpected audit event %q: %v", event, recs)
	}
}

func jsonText(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// eventRecorder keeps every session event.
type eventRecorder struct {
	mu  sync.Mutex
	all []session.Event
}

func (e *eventRecorder) Emit(_ context.Context, ev session.Event) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.all = append(e.all, ev)
}

func (e *eventRecorder) mark() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return len(e.all)
}

// since returns the events of kind emitted after mark.
func (e *eventRecorder) since(mark int, kind session.EventKind) []session.Event {
	e.mu.Lock()
	defer e.mu.Unlock()
	var out []session.Event
	for _, ev := range e.all[mark:] {
		if ev.Kind == kind {
			out = append(out, ev)
		}
	}
	return out
}

func (e *eventRecorder) String() string {
	e.mu.Lock()
	defer e.mu.Unlock()
	var b strings.Builder
	for _, ev := range e.all {
		b.WriteString(strings.Join([]string{string(ev.Kind), ev.Handle, ev.UserID, ev.IP, ev.UserAgent, ev.Detail}, " "))
		if ev.Err != nil {
			b.WriteString(" " + ev.Err.Error())
		}
		b.WriteString("\n")
	}
	return b.String()
}

// wantEvent fails the test unless an event of kind whose Detail contains
// detail was emitted after mark, and returns it.
func (h *harness) wantEvent(t *testing.T, mark int, kind session.EventKind, detail string) session.Event {
	t.Helper()
	for _, ev := range h.events.since(mark, kind) {
		if strings.Contains(ev.Detail, detail) {
			return ev
		}
	}
	t.Errorf("no %s event with detail %q after mark %d; events:\n%s", kind, detail, mark, h.events.String())
	return session.Event{}
}

// teeSink sends each event to both sinks.
type teeSink [2]session.EventSink

func (s teeSink) Emit(ctx context.Context, e session.Event) {
	s[0].Emit(ctx, e)
	s[1].Emit(ctx, e)
}
