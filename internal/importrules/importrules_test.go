package importrules

import (
	"encoding/json"
	"os/exec"
	"strings"
	"testing"
)

const module = "github.com/sessiond/sessiond"

// goCommand runs the go command in the module root.
func goCommand(t *testing.T, args ...string) []byte {
	t.Helper()
	cmd := exec.Command("go", args...)
	cmd.Dir = "../.."
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go %s: %v", strings.Join(args, " "), err)
	}
	return out
}

// permitted reports whether dep is one of allowed, or under one of the
// allowed entries that end in "/".
func permitted(dep string, allowed []string) bool {
	for _, a := range allowed {
		if dep == a || strings.HasSuffix(a, "/") && strings.HasPrefix(dep, a) {
			return true
		}
	}
	return false
}

func TestImportDirection(t *testing.T) {
	tests := []struct {
		pkg     string
		allowed []string // non-standard packages it may depend on
	}{
		// The contract depends on nothing.
		{"store", nil},
		{"store/storetest", []string{module + "/store"}},
		// The engine: standard library, golang.org/x and the contract only.
		// It never imports a backend, so there is no hidden default store.
		{"session", []string{module + "/store", "golang.org/x/"}},
		// A backend: the contract and its own driver, never the engine or
		// another backend.
		{"store/memstore", []string{module + "/store"}},
		{"store/boltstore", []string{module + "/store", "go.etcd.io/bbolt", "go.etcd.io/bbolt/", "golang.org/x/"}},
		{"store/pgstore", []string{module + "/store", "github.com/jackc/", "golang.org/x/"}},
		{"store/redisstore", []string{module + "/store", "github.com/redis/go-redis/", "github.com/cespare/xxhash/v2", "github.com/dgryski/go-rendezvous", "go.uber.org/atomic", "golang.org/x/"}},
		// Accounts know nothing of sessions or HTTP.
		{"internal/account", []string{"golang.org/x/"}},
	}
	for _, tc := range tests {
		t.Run(tc.pkg, func(t *testing.T) {
			pkg := module + "/" + tc.pkg
			out := goCommand(t, "list", "-deps", "-f", "{{if not .Standard}}{{.ImportPath}}{{end}}", pkg)
			for _, dep := range strings.Fields(string(out)) {
				if dep != pkg && !permitted(dep, tc.allowed) {
					t.Errorf("%s imports %s, which the import rules forbid", tc.pkg, dep)
				}
			}
		})
	}
}

// TestGoModHasOnlyRuntimeDependencies keeps test frameworks and tools out
// of the library's go.mod: they would reach every user's module graph.
func TestGoModHasOnlyRuntimeDependencies(t *testing.T) {
	var mod struct{ Require []struct{ Path string } }
	if err := json.Unmarshal(goCommand(t, "mod", "edit", "-json"), &mod); err != nil {
		t.Fatal(err)
	}
	runtime := []string{"golang.org/x/", "go.etcd.io/bbolt",
		// github.com/prometheus/client_golang and what it needs.
		"github.com/prometheus/", "github.com/beorn7/perks", "github.com/cespare/xxhash/v2",
		"github.com/munnerz/goautoneg", "google.golang.org/protobuf",
		// The Redis and PostgreSQL stores' drivers and what they need.
		"github.com/redis/go-redis/v9", "github.com/dgryski/go-rendezvous", "go.uber.org/atomic",
		"github.com/jackc/"}
	for _, req := range mod.Require {
		if !permitted(req.Path, runtime) {
			t.Errorf("go.mod requires %s, which no shipped code needs at run time", req.Path)
		}
	}
}

// TestOnlyStoreURLImportsBackends keeps the choice of backend in one place:
// no shipped package but internal/storeurl (and the example app) picks one.
func TestOnlyStoreURLImportsBackends(t *testing.T) {
	out := goCommand(t, "list", "-f", "{{.ImportPath}} {{join .Imports \" \"}}", "./...")
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		fields := strings.Fields(line)
		pkg := fields[0]
		if pkg == module+"/internal/storeurl" || strings.HasPrefix(pkg, module+"/examples/") {
			continue
		}
		for _, imp := range fields[1:] {
			if strings.HasPrefix(imp, module+"/store/") && imp != module+"/store/storetest" &&
				!strings.HasPrefix(pkg, module+"/store/") {
				t.Errorf("%s imports the backend %s; only internal/storeurl may", pkg, imp)
			}
		}
	}
}
