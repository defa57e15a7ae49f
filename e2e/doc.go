// Package e2e drives the real sessiond binary from the outside: through a
// real nginx using auth_request, and from a real headless Chromium. It is a
// separate module so that its test-only dependencies (chromedp) never reach
// the product's go.mod.
//
// The tests need nginx and Chromium (Debian's nginx and chromium packages).
// Without them they skip, saying what to install; with CI=true they fail
// instead. Set SESSIOND_ARTIFACTS to a directory to keep the browser test's
// screenshots.
package e2e
