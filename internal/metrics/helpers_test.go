package metrics

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// scrape fetches the exposition text from m's handler, as Prometheus would.
func scrape(t *testing.T, m *Metrics) string {
	t.Helper()
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("GET /metrics: status %d, body %s", rec.Code, rec.Body)
	}
	return rec.Body.String()
}

// wantLines fails unless each of lines is a whole line of text: a series
// and its value, such as `sessiond_revocations_total 3`.
func wantLines(t *testing.T, text string, lines ...string) {
	t.Helper()
	have := map[string]bool{}
	for l := range strings.SplitSeq(text, "\n") {
		have[l] = true
	}
	for _, l := range lines {
		if !have[l] {
			t.Errorf("scrape lacks line %q; related lines:\n%s", l, related(text, l))
		}
	}
}

// wantAbsent fails if any line of text starts with prefix.
func wantAbsent(t *testing.T, text string, prefix string) {
	t.Helper()
	for l := range strings.SplitSeq(text, "\n") {
		if strings.HasPrefix(l, prefix) {
			t.Errorf("scrape has line %q, want no series starting %q", l, prefix)
		}
	}
}

// related returns the lines of text for the same metric as line, to make
// failures readable.
func related(text, line string) string {
	name, _, _ := strings.Cut(line, "{")
	name, _, _ = strings.Cut(name, " ")
	var out []string
	for l := range strings.SplitSeq(text, "\n") {
		if strings.HasPrefix(l, name) {
			out = append(out, "\t"+l)
		}
	}
	return strings.Join(out, "\n")
}
