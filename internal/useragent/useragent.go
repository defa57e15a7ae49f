// Package useragent turns a User-Agent header into the short device
// description shown on the "your sessions" page, such as "Firefox 121 on
// Windows", so that users can recognise their own sessions and spot
// strangers'.
//
// The description is a hint, never evidence: the header is whatever the
// client chose to send. Parse is therefore built to be safe on hostile
// input rather than complete: it reads a bounded prefix, never panics, and
// its output contains only names from fixed lists and decimal digits, so it
// cannot smuggle markup or control characters into a page or a log.
package useragent

import "strings"

// maxLen bounds the work done per header. Every product token Parse looks
// for appears well within it in real browsers' headers (the longest seen
// are about 300 bytes); what follows is padding or an attack.
const maxLen = 512

// maxVersionDigits bounds a reported major version.
const maxVersionDigits = 6

// Agent describes the software behind a User-Agent header. Each field is
// empty when unknown.
type Agent struct {
	// Browser is a fixed name such as "Firefox", "Chrome (headless)" or
	// "curl".
	Browser string
	// BrowserVersion is the major version, decimal digits only, such as
	// "121".
	BrowserVersion string
	// OS is a fixed name: "Windows", "macOS", "iOS", "Android", "Linux" or
	// "ChromeOS".
	OS string
}

// String describes a for people: "Firefox 121 on Windows", "Safari 17 on
// iOS", "curl 8", "Unknown browser" or "Unknown browser on Linux".
func (a Agent) String() string {
	var b strings.Builder
	if a.Browser == "" {
		b.WriteString("Unknown browser")
	} else {
		b.WriteString(a.Browser)
		if a.BrowserVersion != "" {
			b.WriteString(" ")
			b.WriteString(a.BrowserVersion)
		}
	}
	if a.OS != "" {
		b.WriteString(" on ")
		b.WriteString(a.OS)
	}
	return b.String()
}

// browsers maps product tokens to names, most specific first: browsers
// built on Chromium also send "Chrome/", and Chrome and Edge also send
// "Safari/", so the first token found decides. Safari is recognised
// separately, by "Version/" together with "Safari/".
var browsers = []struct{ token, name string }{
	{"HeadlessChrome", "Chrome (headless)"},
	{"Edg", "Edge"},    // Chromium-based Edge on the desktop
	{"EdgA", "Edge"},   // Edge on Android
	{"EdgiOS", "Edge"}, // Edge on iOS
	{"Edge", "Edge"},   // EdgeHTML, before Chromium
	{"OPR", "Opera"},   // Chromium-based Opera
	{"OPiOS", "Opera"}, // Opera on iOS
	{"SamsungBrowser", "Samsung Internet"},
	{"Chromium", "Chromium"},
	{"CriOS", "Chrome"},  // Chrome on iOS
	{"FxiOS", "Firefox"}, // Firefox on iOS
	{"Firefox", "Firefox"},
	{"Chrome", "Chrome"},
	{"curl", "curl"},
	{"Go-http-client", "Go-http-client"},
}

// systems maps substrings to operating systems, most specific first:
// iPhones claim to be "like Mac OS X" and Android and ChromeOS run Linux.
var systems = []struct{ marker, name string }{
	{"iPhone", "iOS"},
	{"iPad", "iOS"},
	{"iPod", "iOS"},
	{"Android", "Android"},
	{"CrOS", "ChromeOS"},
	{"Windows", "Windows"},
	{"Macintosh", "macOS"},
	{"Mac OS X", "macOS"},
	{"Linux", "Linux"},
	{"X11", "Linux"},
}

// Parse describes the User-Agent header ua. It looks at no more than the
// first 512 bytes, does work linear in them, and never panics. What it
// cannot recognise it leaves empty.
func Parse(ua string) Agent {
	if len(ua) > maxLen {
		ua = ua[:maxLen]
	}
	var a Agent
	for _, b := range browsers {
		if v, ok := product(ua, b.token); ok {
			a.Browser, a.BrowserVersion = b.name, v
			break
		}
	}
	if a.Browser == "" {
		if _, ok := product(ua, "Safari"); ok {
			if v, ok := product(ua, "Version"); ok {
				a.Browser, a.BrowserVersion = "Safari", v
			}
		}
	}
	for _, s := range systems {
		if strings.Contains(ua, s.marker) {
			a.OS = s.name
			break
		}
	}
	return a
}

// product finds the product token name followed by "/" in ua, standing as
// a word of its own (so "Chrome" does not match inside "HeadlessChrome"),
// and returns the major version after the slash, or "" if it does not
// start with a digit.
func product(ua, name string) (version string, ok bool) {
	needle := name + "/"
	for from := 0; from < len(ua); {
		i := strings.Index(ua[from:], needle)
		if i < 0 {
			return "", false
		}
		i += from
		if i == 0 || !wordByte(ua[i-1]) {
			return major(ua[i+len(needle):]), true
		}
		from = i + len(needle)
	}
	return "", false
}

// major returns the leading decimal digits of v, at most maxVersionDigits.
func major(v string) string {
	n := 0
	for n < len(v) && n < maxVersionDigits && '0' <= v[n] && v[n] <= '9' {
		n++
	}
	return v[:n]
}

// wordByte reports whether c can be part of a product name, so that a
// token preceded by it is the tail of a longer name.
func wordByte(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.'
}
