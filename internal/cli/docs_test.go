package cli

import (
	"os"
	"strings"
	"testing"
)

// TestEveryOptionIsDocumented keeps docs/running.md true: each option and
// its environment variable appear in the options table.
func TestEveryOptionIsDocumented(t *testing.T) {
	doc, err := os.ReadFile("../../docs/running.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, opt := range options {
		row := "| `--" + opt.name + "` | `" + envName(opt.name) + "` |"
		if !strings.Contains(string(doc), row) {
			t.Errorf("docs/running.md has no row starting %s", row)
		}
	}
}
