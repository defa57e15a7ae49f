//go:build race

package e2e

// Under -race the sessiond binary is built with the race detector too, so a
// data race hit by real traffic fails the test: the process then exits with
// status 66 instead of 0 after SIGTERM.
func init() { buildFlags = append(buildFlags, "-race") }
