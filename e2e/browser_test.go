package e2e

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/sessiond/sessiond/internal/testenv"
)

// browserTimeout bounds the whole browser session of a test.
const browserTimeout = 60 * time.Second

// TestBrowser drives sessiond's own pages in a real headless Chromium: sign
// in through the form, check that scripts cannot read the session cookie,
// revoke another session from /sessions, sign out.
func TestBrowser(t *testing.T) {
	t.Parallel()
	bin := testenv.NeedChromium(t)
	sd := startSessiond(t)
	b := newBrowser(t, bin)

	// Sign in through the form. The login page already set an anonymous
	// cookie (its CSRF token needs one); signing in must replace it.
	b.do(chromedp.Navigate(sd.URL+"/login"), chromedp.WaitVisible(chromedp.CSS(`input[name=username]`)))
	anonymous := b.cookie(sd.URL)
	b.do(
		chromedp.SendKeys(chromedp.CSS(`input[name=username]`), "admin"),
		chromedp.SendKeys(chromedp.CSS(`input[name=password]`), sd.Password),
	)
	b.navigateBy(chromedp.Click(chromedp.CSS(`main form button`)), sd.URL+"/")
	b.do(chromedp.WaitVisible(chromedp.CSS(`dl.facts`)))

	// The session cookie is there, HttpOnly, and invisible to scripts.
	signedIn := b.cookie(sd.URL)
	switch {
	case signedIn == nil:
		t.Fatalf("no %s cookie after signing in", cookieName)
	case !signedIn.HTTPOnly:
		t.Errorf("the %s cookie is not HttpOnly", cookieName)
	case signedIn.SameSite != network.CookieSameSiteLax:
		t.Errorf("the %s cookie has SameSite=%q, want Lax", cookieName, signedIn.SameSite)
	case anonymous != nil && anonymous.Value == signedIn.Value:
		t.Errorf("signing in kept the pre-login token (session fixation)")
	}
	if got := run(b, chromedp.Evaluate[string](`document.cookie`)); strings.Contains(got, cookieName) {
		t.Errorf("document.cookie = %q: scripts can read the session cookie", got)
	}
	if got := whoamiStatus(t, sd.URL, signedIn.Value); got != http.StatusOK {
		t.Fatalf("the browser's session cookie: /api/v1/whoami status %d, want 200", got)
	}

	// The sessions page shows this device; then a second client signs in.
	b.do(chromedp.Navigate(sd.URL+"/sessions"), chromedp.WaitVisible(chromedp.CSS(`ul.sessions`)))
	if got := run(b, chromedp.Text(chromedp.CSS(`ul.sessions li.current .badge`))); got != "This device" {
		t.Errorf("the current session's badge reads %q, want %q", got, "This device")
	}
	other := newClient(t, sd.URL)
	other.login("admin", sd.Password, "")
	b.do(chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS(`ul.sessions`)))
	if n := b.count(`ul.sessions li`); n != 2 {
		t.Fatalf("/sessions lists %d sessions after a second sign-in, want 2", n)
	}

	// Revoke the other session with its button.
	b.navigateBy(chromedp.Click(chromedp.CSS(`ul.sessions li:not(.current) form button`)), sd.URL+"/sessions?done=revoked")
	b.do(chromedp.WaitVisible(chromedp.CSS(`p.notice`)))
	if n := b.count(`ul.sessions li`); n != 1 {
		t.Errorf("/sessions lists %d sessions after revoking the other one, want 1", n)
	}
	if n := b.count(`ul.sessions li.current`); n != 1 {
		t.Errorf("/sessions no longer lists this device after revoking the other session")
	}
	if resp, body := other.get("/api/v1/whoami", nil); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("the revoked client: /api/v1/whoami status %d, want 401; body:\n%s", resp.StatusCode, body)
	}
	b.screenshot("sessions.png")

	// Sign out with the header's button: back on the login page, and no
	// cookie the browser holds is a live session any more.
	b.navigateBy(chromedp.Click(chromedp.CSS(`header nav form button`)), sd.URL+"/login")
	b.do(chromedp.WaitVisible(chromedp.CSS(`input[name=username]`)))
	if got := whoamiStatus(t, sd.URL, signedIn.Value); got != http.StatusUnauthorized {
		t.Errorf("the signed-out token: /api/v1/whoami status %d, want 401", got)
	}
	if after := b.cookie(sd.URL); after != nil {
		if got := whoamiStatus(t, sd.URL, after.Value); after.Value == signedIn.Value || got != http.StatusUnauthorized {
			t.Errorf("after signing out the browser holds a live session cookie (whoami %d)", got)
		}
	}
	b.screenshot("login.png")
	b.checkConsole()
}

// browser is one headless Chromium tab, bounded by browserTimeout.
type browser struct {
	t   *testing.T
	ctx context.Context
	out bytes.Buffer // Chromium's own output, shown when the test fails

	mu      sync.Mutex
	console []chromedp.ConsoleMessage
}

// newBrowser starts Chromium on a fresh profile; cleanup stops it.
func newBrowser(t *testing.T, bin string) *browser {
	t.Helper()
	b := &browser{t: t}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(bin),
		chromedp.UserDataDir(t.TempDir()),
		// Chromium leaves its singleton socket directory in $TMPDIR when it
		// is stopped; give it one that the test removes.
		chromedp.Env("TMPDIR="+t.TempDir()),
		chromedp.Headless,
		chromedp.NoSandbox, // the sandbox cannot start as root or in most containers
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		// Test machines may have no internet, and Chromium otherwise keeps
		// trying to reach Google's services (component updates, sync, field
		// trials, QUIC probes), filling the log with refused connections.
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		// /dev/shm is 64 MB in a default Docker container: too small.
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.WindowSize(1280, 900),
		chromedp.CombinedOutput(&lockedWriter{w: &b.out, mu: &b.mu}),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancelAlloc) // waits for the browser to exit, before TempDir's cleanup
	tabCtx, cancelTab := chromedp.NewContext(allocCtx, chromedp.WithErrorf(t.Logf))
	t.Cleanup(cancelTab)
	ctx, cancel := context.WithTimeout(tabCtx, browserTimeout)
	t.Cleanup(cancel)
	b.ctx = ctx
	t.Cleanup(func() {
		if t.Failed() {
			b.mu.Lock()
			t.Logf("Chromium output:\n%s", b.out.String())
			b.mu.Unlock()
		}
	})

	// Collect console messages from the start: CSP violations and failed
	// loads show up there.
	messages := chromedp.Console(ctx)
	go func() {
		for m, err := range messages {
			if err != nil {
				return
			}
			b.mu.Lock()
			b.console = append(b.console, m)
			b.mu.Unlock()
		}
	}()
	return b
}

// do runs the actions, failing the test on error.
func (b *browser) do(actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	if err := chromedp.Do(b.ctx, actions...); err != nil {
		b.t.Fatalf("browser: %v", err)
	}
}

// run runs one action and returns its value, failing the test on error.
func run[T any](b *browser, a chromedp.Action[T]) T {
	b.t.Helper()
	v, err := chromedp.Run(b.ctx, a)
	if err != nil {
		b.t.Fatalf("browser: %v", err)
	}
	return v
}

// navigateBy runs an action that submits a form, waits for the page it
// leads to (after any redirects) and requires it to be want with status 200.
func (b *browser) navigateBy(a chromedp.Action[chromedp.Void], want string) {
	b.t.Helper()
	resp, err := chromedp.RunResponse(b.ctx, a)
	if err != nil {
		b.t.Fatalf("browser: %v", err)
	}
	if resp.Status != http.StatusOK || resp.URL != want {
		b.t.Fatalf("browser landed on %s with status %d, want %s with 200", resp.URL, resp.Status, want)
	}
}

// count returns how many elements match the CSS selector.
func (b *browser) count(selector string) int {
	b.t.Helper()
	return run(b, chromedp.Evaluate[int](`document.querySelectorAll(`+strconv.Quote(selector)+`).length`))
}

// cookie returns the browser's session cookie for origin, or nil.
func (b *browser) cookie(origin string) *network.Cookie {
	b.t.Helper()
	res, err := chromedp.Call(b.ctx, network.GetCookies, network.GetCookiesParams{URLs: []string{origin + "/"}})
	if err != nil {
		b.t.Fatalf("browser: reading cookies: %v", err)
	}
	for _, c := range res.Cookies {
		if c.Name == cookieName {
			return c
		}
	}
	return nil
}

// screenshot saves the page as a PNG in $SESSIOND_ARTIFACTS, or in a
// temporary directory, and requires it to be a non-empty PNG.
func (b *browser) screenshot(name string) {
	b.t.Helper()
	png := run(b, chromedp.FullScreenshot(100))
	if !bytes.HasPrefix(png, []byte("\x89PNG\r\n\x1a\n")) || len(png) < 1000 {
		b.t.Fatalf("screenshot %s: %d bytes, not a PNG of a page", name, len(png))
	}
	dir := os.Getenv("SESSIOND_ARTIFACTS")
	if dir == "" {
		dir = b.t.TempDir()
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		b.t.Fatal(err)
	}
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, png, 0o644); err != nil {
		b.t.Fatal(err)
	}
	b.t.Logf("screenshot: %s (%d bytes)", path, len(png))
}

// checkConsole fails the test on script exceptions and Content Security
// Policy violations on sessiond's pages, and logs other messages.
func (b *browser) checkConsole() {
	b.t.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, m := range b.console {
		if m.IsException() || strings.Contains(m.Text, "Content Security Policy") {
			b.t.Errorf("browser console: %s (%s)", m, m.URL)
		} else {
			b.t.Logf("browser console: %s (%s)", m, m.URL)
		}
	}
}

// lockedWriter serialises writes to w with mu.
type lockedWriter struct {
	w  *bytes.Buffer
	mu *sync.Mutex
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
