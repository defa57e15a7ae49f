package session_test

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/sessiond/sessiond/session"
)

// csrfApp is an app with two extra routes: /echo answers every method with
// the form field "note", so a test can see that the CSRF check left the form
// readable, and "POST /webhook/" stands for an endpoint a bypass pattern may
// exempt.
func csrfApp(t *testing.T, cfg session.Config) *app {
	t.Helper()
	a := newApp(t, cfg)
	a.mux.HandleFunc("/echo", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, r.PostFormValue("note"))
	})
	a.mux.HandleFunc("POST /webhook/", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "hook")
	})
	return a
}

// withFormBody replaces the body of req.
func withFormBody(req *http.Request, contentType string, body []byte) *http.Request {
	req.Body = io.NopCloser(bytes.NewReader(body))
	req.ContentLength = int64(len(body))
	req.Header.Set("Content-Type", contentType)
	return req
}

// urlencodedForm gives req a form body holding fields, and no token header.
func urlencodedForm(req *http.Request, fields url.Values) *http.Request {
	req.Header.Del("X-CSRF-Token")
	return withFormBody(req, "application/x-www-form-urlencoded", []byte(fields.Encode()))
}

// multipartFormBody gives req a multipart body holding fields, and no token
// header.
func multipartFormBody(req *http.Request, fields url.Values) *http.Request {
	req.Header.Del("X-CSRF-Token")
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	for k, vs := range fields {
		for _, v := range vs {
			mw.WriteField(k, v)
		}
	}
	mw.Close()
	return withFormBody(req, mw.FormDataContentType(), b.Bytes())
}

// forgedCSRFToken is random and shaped like a real token: 64 bytes in
// unpadded base64url.
func forgedCSRFToken() string {
	b := make([]byte, 64)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// wantCSRFRefusal checks that resp was refused with status and that the
// refusal left an EventCSRFFailure behind whose error matches reason.
func wantCSRFRefusal(t *testing.T, a *app, resp *http.Response, status int, reason error) {
	t.Helper()
	if resp.StatusCode != status {
		t.Errorf("status = %d, want %d (body %q)", resp.StatusCode, status, body(resp))
	}
	ev, ok := a.events.find(session.EventCSRFFailure)
	if !ok {
		t.Errorf("events = %v, want %s", a.events.kinds(), session.EventCSRFFailure)
		return
	}
	if !errors.Is(ev.Err, reason) {
		t.Errorf("%s event error = %v, want %v", ev.Kind, ev.Err, reason)
	}
}

// TestCSRFTokenIsFreshOnEveryCall checks the BREACH masking: every call gives
// another string, and every one of them is accepted.
func TestCSRFTokenIsFreshOnEveryCall(t *testing.T) {
	a := csrfApp(t, session.Config{})
	c := a.client()
	var tokens []string
	seen := map[string]bool{}
	for range 5 {
		c.fetchCSRF()
		if seen[c.csrf] {
			t.Fatalf("CSRFToken returned %q twice", c.csrf)
		}
		seen[c.csrf] = true
		tokens = append(tokens, c.csrf)
	}
	for i, tok := range tokens {
		c.csrf = tok
		if resp := c.do(http.MethodPost, "/echo"); resp.StatusCode != http.StatusOK {
			t.Errorf("POST with token %d = %d, want 200", i, resp.StatusCode)
		}
	}
}

func TestCSRFCheck(t *testing.T) {
	trusted := session.Config{CSRF: session.CSRFConfig{TrustedOrigins: []string{"https://partner.test"}}}
	bypass := session.Config{CSRF: session.CSRFConfig{InsecureBypassPatterns: []string{"POST /webhook/"}}}
	small := session.Config{CSRF: session.CSRFConfig{MaxFormBytes: 1024}}
	tests := []struct {
		name string
		cfg  session.Config
		// build returns the request to check; c has a stored session and a
		// valid token in c.csrf, which c.request puts in the header.
		build    func(c *client) *http.Request
		want     int    // status
		wantBody string // checked on success
		reason   error  // checked on refusal: the event's error
	}{
		// Where a valid token may travel.
		{name: "valid_token_in_header_passes", build: func(c *client) *http.Request {
			return c.request(http.MethodPost, "/echo")
		}, want: http.StatusOK},
		{name: "valid_token_in_urlencoded_form_passes_and_form_stays_readable", build: func(c *client) *http.Request {
			return urlencodedForm(c.request(http.MethodPost, "/echo"), url.Values{"csrf_token": {c.csrf}, "note": {"hello"}})
		}, want: http.StatusOK, wantBody: "hello"},
		{name: "valid_token_in_multipart_form_passes_and_form_stays_readable", build: func(c *client) *http.Request {
			return multipartFormBody(c.request(http.MethodPost, "/echo"), url.Values{"csrf_token": {c.csrf}, "note": {"hello"}})
		}, want: http.StatusOK, wantBody: "hello"},
		{name: "valid_token_with_put_passes", build: func(c *client) *http.Request {
			return c.request(http.MethodPut, "/echo")
		}, want: http.StatusOK},

		// Tokens that must not count.
		{name: "missing_token_refused", build: func(c *client) *http.Request {
			r := c.request(http.MethodPost, "/echo")
			r.Header.Del("X-CSRF-Token")
			return r
		}, want: http.StatusForbidden, reason: session.ErrCSRFTokenMissing},
		{name: "delete_without_token_refused", build: func(c *client) *http.Request {
			r := c.request(http.MethodDelete, "/echo")
			r.Header.Del("X-CSRF-Token")
			return r
		}, want: http.StatusForbidden, reason: session.ErrCSRFTokenMissing},
		{name: "forged_token_of_the_right_length_refused", build: func(c *client) *http.Request {
			r := c.request(http.MethodPost, "/echo")
			r.Header.Set("X-CSRF-Token", forgedCSRFToken())
			return r
		}, want: http.StatusForbidden, reason: session.ErrCSRFTokenInvalid},
		{name: "malformed_token_refused", build: func(c *client) *http.Request {
			r := c.request(http.MethodPost, "/echo")
			r.Header.Set("X-CSRF-Token", c.csrf[:len(c.csrf)-1]+"=")
			return r
		}, want: http.StatusForbidden, reason: session.ErrCSRFTokenInvalid},
		{name: "token_of_another_session_refused", build: func(c *client) *http.Request {
			other := c.a.client()
			other.fetchCSRF()
			r := c.request(http.MethodPost, "/echo")
			r.Header.Set("X-CSRF-Token", other.csrf)
			return r
		}, want: http.StatusForbidden, reason: session.ErrCSRFTokenInvalid},
		{name: "token_only_in_url_query_refused", build: func(c *client) *http.Request {
			r := c.request(http.MethodPost, "/echo?csrf_token="+url.QueryEscape(c.csrf))
			r.Header.Del("X-CSRF-Token")
			return r
		}, want: http.StatusForbidden, reason: session.ErrCSRFTokenMissing},
		{name: "token_in_url_query_with_form_body_refused", build: func(c *client) *http.Request {
			r := c.request(http.MethodPost, "/echo?csrf_token="+url.QueryEscape(c.csrf))
			return urlencodedForm(r, url.Values{"note": {"hello"}})
		}, want: http.StatusForbidden, reason: session.ErrCSRFTokenMissing},

		// Fetch metadata and Origin: a browser's cross-origin request is
		// refused even with a valid token.
		{name: "cross_site_fetch_metadata_refused_despite_token", build: func(c *client) *http.Request {
			r := c.request(http.MethodPost, "/echo")
			r.Header.Set("Sec-Fetch-Site", "cross-site")
			return r
		}, want: http.StatusForbidden, reason: session.ErrCrossOrigin},
		{name: "same_site_sibling_refused_despite_token", build: func(c *client) *http.Request {
			r := c.request(http.MethodPost, "/echo")
			r.Header.Set("Sec-Fetch-Site", "same-site")
			return r
		}, want: http.StatusForbidden, reason: session.ErrCrossOrigin},
		{name: "foreign_origin_without_fetch_metadata_refused_despite_token", build: func(c *client) *http.Request {
			r := c.request(http.MethodPost, "/echo")
			r.Header.Del("Sec-Fetch-Site")
			r.Header.Set("Origin", "https://evil.test")
			return r
		}, want: http.StatusForbidden, reason: session.ErrCrossOrigin},
		{name: "own_origin_without_fetch_metadata_with_token_passes", build: func(c *client) *http.Request {
			r := c.request(http.MethodPost, "/echo")
			r.Header.Del("Sec-Fetch-Site")
			r.Header.Set("Origin", "https://app.test")
			return r
		}, want: http.StatusOK},

		// Clients that send neither header (curl, server-to-server) pass the
		// origin check, so the token is what stops them.
		{name: "no_fetch_metadata_nor_origin_with_token_passes", build: func(c *client) *http.Request {
			r := c.request(http.MethodPost, "/echo")
			r.Header.Del("Sec-Fetch-Site")
			return r
		}, want: http.StatusOK},
		{name: "no_fetch_metadata_nor_origin_without_token_refused", build: func(c *client) *http.Request {
			r := c.request(http.MethodPost, "/echo")
			r.Header.Del("Sec-Fetch-Site")
			r.Header.Del("X-CSRF-Token")
			return r
		}, want: http.StatusForbidden, reason: session.ErrCSRFTokenMissing},

		// Trusted origins pass the origin check only.
		{name: "trusted_origin_with_token_passes", cfg: trusted, build: func(c *client) *http.Request {
			r := c.request(http.MethodPost, "/echo")
			r.Header.Set("Sec-Fetch-Site", "cross-site")
			r.Header.Set("Origin", "https://partner.test")
			return r
		}, want: http.StatusOK},
		{name: "trusted_origin_without_token_refused", cfg: trusted, build: func(c *client) *http.Request {
			r := c.request(http.MethodPost, "/echo")
			r.Header.Set("Sec-Fetch-Site", "cross-site")
			r.Header.Set("Origin", "https://partner.test")
			r.Header.Del("X-CSRF-Token")
			return r
		}, want: http.StatusForbidden, reason: session.ErrCSRFTokenMissing},

		// The form is read only up to MaxFormBytes.
		{name: "urlencoded_form_over_max_form_bytes_refused_413", cfg: small, build: func(c *client) *http.Request {
			return urlencodedForm(c.request(http.MethodPost, "/echo"), url.Values{"note": {strings.Repeat("x", 2000)}, "csrf_token": {c.csrf}})
		}, want: http.StatusRequestEntityTooLarge, reason: session.ErrCSRFTokenMissing},
		{name: "multipart_form_over_max_form_bytes_refused_413", cfg: small, build: func(c *client) *http.Request {
			return multipartFormBody(c.request(http.MethodPost, "/echo"), url.Values{"note": {strings.Repeat("x", 2000)}, "csrf_token": {c.csrf}})
		}, want: http.StatusRequestEntityTooLarge, reason: session.ErrCSRFTokenMissing},

		// Bypass patterns exempt their endpoints and nothing else.
		{name: "bypass_pattern_skips_the_whole_check", cfg: bypass, build: func(c *client) *http.Request {
			r := c.request(http.MethodPost, "/webhook/github")
			r.Header.Set("Sec-Fetch-Site", "cross-site")
			r.Header.Del("X-CSRF-Token")
			return r
		}, want: http.StatusOK, wantBody: "hook"},
		{name: "bypass_pattern_does_not_cover_other_paths", cfg: bypass, build: func(c *client) *http.Request {
			r := c.request(http.MethodPost, "/echo")
			r.Header.Del("X-CSRF-Token")
			return r
		}, want: http.StatusForbidden, reason: session.ErrCSRFTokenMissing},
		// The exemption must be exactly the patterns' own matches, not
		// ServeMux's redirects towards them: the app may serve those paths
		// itself (an exact "POST /webhook" here; "/echo/..." under a router
		// that does not clean paths).
		{name: "bypass_pattern_does_not_cover_the_path_without_its_slash", cfg: bypass, build: func(c *client) *http.Request {
			c.a.mux.HandleFunc("POST /webhook", func(w http.ResponseWriter, r *http.Request) {
				fmt.Fprint(w, "not exempt")
			})
			r := c.request(http.MethodPost, "/webhook")
			r.Header.Set("Sec-Fetch-Site", "cross-site")
			r.Header.Del("X-CSRF-Token")
			return r
		}, want: http.StatusForbidden, reason: session.ErrCrossOrigin},
		{name: "bypass_pattern_does_not_cover_dot_segments_into_it", cfg: bypass, build: func(c *client) *http.Request {
			r := c.request(http.MethodPost, "/echo/../webhook/x")
			r.Header.Del("X-CSRF-Token")
			return r
		}, want: http.StatusForbidden, reason: session.ErrCSRFTokenMissing},
		{name: "bypass_pattern_does_not_cover_traversal_out_of_it", cfg: bypass, build: func(c *client) *http.Request {
			r := c.request(http.MethodPost, "/webhook/../echo")
			r.Header.Del("X-CSRF-Token")
			return r
		}, want: http.StatusForbidden, reason: session.ErrCSRFTokenMissing},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a := csrfApp(t, tc.cfg)
			c := a.client()
			c.fetchCSRF()
			a.events.reset()
			resp := c.send(tc.build(c))
			if tc.want != http.StatusOK {
				wantCSRFRefusal(t, a, resp, tc.want, tc.reason)
				return
			}
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("status = %d, want 200 (body %q)", resp.StatusCode, body(resp))
			}
			if got := body(resp); got != tc.wantBody {
				t.Errorf("handler saw note = %q, want %q", got, tc.wantBody)
			}
			if _, ok := a.events.find(session.EventCSRFFailure); ok {
				t.Errorf("events = %v, want no %s", a.events.kinds(), session.EventCSRFFailure)
			}
		})
	}
}

// TestCSRFSafeMethodsNeedNoToken sends safe methods cross-site with no
// token: they must never be refused by the CSRF check.
func TestCSRFSafeMethodsNeedNoToken(t *testing.T) {
	tests := []struct {
		name   string
		method string
	}{
		{"get_passes_without_token", http.MethodGet},
		{"head_passes_without_token", http.MethodHead},
		{"options_passes_without_token", http.MethodOptions},
		{"trace_passes_without_token", http.MethodTrace},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a := csrfApp(t, session.Config{})
			c := a.client()
			c.fetchCSRF()
			a.events.reset()
			r := c.request(tc.method, "/echo")
			r.Header.Del("X-CSRF-Token")
			r.Header.Set("Sec-Fetch-Site", "cross-site")
			r.Header.Set("Origin", "https://evil.test")
			if resp := c.send(r); resp.StatusCode != http.StatusOK {
				t.Errorf("%s /echo = %d, want 200", tc.method, resp.StatusCode)
			}
			if _, ok := a.events.find(session.EventCSRFFailure); ok {
				t.Errorf("events = %v, want no %s", a.events.kinds(), session.EventCSRFFailure)
			}
		})
	}
}

// TestCSRFTokenAfterLogin checks that Login replaces the secret: a token
// handed out before login (which an attacker may have seen) stops working.
func TestCSRFTokenAfterLogin(t *testing.T) {
	a := csrfApp(t, session.Config{})
	c := a.client()
	c.fetchCSRF()
	before := c.csrf
	c.login("alice") // fetches a new token
	if resp := c.do(http.MethodPost, "/echo"); resp.StatusCode != http.StatusOK {
		t.Fatalf("POST with the token issued after login = %d, want 200", resp.StatusCode)
	}
	a.events.reset()
	c.csrf = before
	wantCSRFRefusal(t, a, c.do(http.MethodPost, "/echo"), http.StatusForbidden, session.ErrCSRFTokenInvalid)
}

// TestCSRFDisabledInMiddlewareStillAvailableAsHandler covers the opt-out:
// with Config.DisableCSRF the middleware lets unsafe requests through, and
// m.CSRF().Handler protects the handlers it wraps.
func TestCSRFDisabledInMiddlewareStillAvailableAsHandler(t *testing.T) {
	a := csrfApp(t, session.Config{DisableCSRF: true})
	a.mux.Handle("POST /guarded", a.m.CSRF().Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "guarded")
	})))
	c := a.client()
	c.fetchCSRF()
	token := c.csrf
	c.csrf = ""
	a.events.reset()

	t.Run("middleware_lets_tokenless_post_through", func(t *testing.T) {
		if resp := c.do(http.MethodPost, "/echo"); resp.StatusCode != http.StatusOK {
			t.Errorf("POST /echo = %d, want 200", resp.StatusCode)
		}
	})
	t.Run("handler_refuses_tokenless_post", func(t *testing.T) {
		a.events.reset()
		wantCSRFRefusal(t, a, c.do(http.MethodPost, "/guarded"), http.StatusForbidden, session.ErrCSRFTokenMissing)
	})
	t.Run("handler_accepts_valid_token", func(t *testing.T) {
		c.csrf = token
		if resp := c.do(http.MethodPost, "/guarded"); resp.StatusCode != http.StatusOK {
			t.Errorf("POST /guarded with token = %d, want 200", resp.StatusCode)
		}
	})
}
