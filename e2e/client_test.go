package e2e

import (
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
)

// cookieName is sessiond's session cookie over plain HTTP
// (internal/cli/wire.go; __Host-sid needs HTTPS).
const cookieName = "sessiond_sid"

// client is a scripted browser: it keeps cookies, but does not follow
// redirects, so that tests see every 302 and 303.
type client struct {
	t    *testing.T
	base string // origin, e.g. http://127.0.0.1:41234
	http *http.Client
}

func newClient(t *testing.T, base string) *client {
	jar, _ := cookiejar.New(nil)
	return &client{t: t, base: base, http: &http.Client{
		Jar:           jar,
		Timeout:       10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

// browserNavigation is what a browser sends when the user opens a page:
// sessiond's forward-auth answers it with a redirect to the login page,
// and other requests with 401.
var browserNavigation = http.Header{"Accept": {"text/html,application/xhtml+xml"}, "Sec-Fetch-Mode": {"navigate"}}

// do sends a request to path with the extra headers and returns the
// response with its body read.
func (c *client) do(method, path string, header http.Header, body io.Reader) (*http.Response, string) {
	c.t.Helper()
	req, err := http.NewRequest(method, c.base+path, body)
	if err != nil {
		c.t.Fatal(err)
	}
	for name, values := range header {
		req.Header[name] = values
	}
	resp, err := c.http.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		c.t.Fatalf("%s %s: reading the body: %v", method, path, err)
	}
	return resp, string(b)
}

func (c *client) get(path string, header http.Header) (*http.Response, string) {
	c.t.Helper()
	return c.do(http.MethodGet, path, header, nil)
}

func (c *client) postForm(path string, form url.Values) (*http.Response, string) {
	c.t.Helper()
	h := http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}
	return c.do(http.MethodPost, path, h, strings.NewReader(form.Encode()))
}

var csrfField = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

// csrfToken loads page and returns the CSRF token of its first form.
func (c *client) csrfToken(page string) string {
	c.t.Helper()
	resp, body := c.get(page, nil)
	m := csrfField.FindStringSubmatch(body)
	if resp.StatusCode != http.StatusOK || m == nil {
		c.t.Fatalf("GET %s: status %d and no csrf_token field; body:\n%s", page, resp.StatusCode, body)
	}
	return html.UnescapeString(m[1])
}

// login signs in through the login form, as a browser would, and returns
// the 303's Location.
func (c *client) login(user, password, returnTo string) string {
	c.t.Helper()
	form := url.Values{"username": {user}, "password": {password}, "csrf_token": {c.csrfToken("/login")}}
	if returnTo != "" {
		form.Set("return_to", returnTo)
	}
	resp, body := c.postForm("/login", form)
	if resp.StatusCode != http.StatusSeeOther {
		c.t.Fatalf("POST /login as %s: status %d, want 303; body:\n%s", user, resp.StatusCode, body)
	}
	return resp.Header.Get("Location")
}

// logout signs out through the header's form, as a browser would.
func (c *client) logout() {
	c.t.Helper()
	resp, body := c.postForm("/logout", url.Values{"csrf_token": {c.csrfToken("/sessions")}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/login" {
		c.t.Fatalf("POST /logout: status %d to %q, want 303 to /login; body:\n%s",
			resp.StatusCode, resp.Header.Get("Location"), body)
	}
}

// cookie returns the session cookie the client holds, or "".
func (c *client) cookie() string {
	u, _ := url.Parse(c.base)
	for _, ck := range c.http.Jar.Cookies(u) {
		if ck.Name == cookieName {
			return ck.Value
		}
	}
	return ""
}

// whoamiStatus asks sessiond's API who the token belongs to, without
// touching any client's cookie jar.
func whoamiStatus(t *testing.T, base, token string) int {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, base+"/api/v1/whoami", nil)
	req.AddCookie(&http.Cookie{Name: cookieName, Value: token})
	resp, err := (&http.Client{Timeout: 10 * time.Second}).Do(req)
	if err != nil {
		t.Fatalf("GET /api/v1/whoami: %v", err)
	}
	resp.Body.Close()
	return resp.StatusCode
}
