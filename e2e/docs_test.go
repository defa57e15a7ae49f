package e2e

import (
	"os"
	"strings"
	"testing"
)

// TestProxyDocsShowTheTestedNginxConfig keeps docs/proxies.md honest: the
// nginx configuration it shows is the one the nginx test runs.
func TestProxyDocsShowTheTestedNginxConfig(t *testing.T) {
	conf, err := os.ReadFile("testdata/nginx.conf")
	if err != nil {
		t.Fatal(err)
	}
	doc, err := os.ReadFile("../docs/proxies.md")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(doc), "```nginx\n"+strings.TrimRight(string(conf), "\n")+"\n```") {
		t.Fatal("docs/proxies.md does not show e2e/testdata/nginx.conf verbatim; copy it in again")
	}
}
