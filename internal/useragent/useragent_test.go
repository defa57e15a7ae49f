package useragent

import (
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	tests := []struct {
		name string
		ua   string
		want Agent
		str  string // want.String()
	}{
		// Desktop browsers, each on its usual system.
		{"chrome_windows",
			"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36",
			Agent{"Chrome", "120", "Windows"}, "Chrome 120 on Windows"},
		{"firefox_windows",
			"Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:121.0) Gecko/20100101 Firefox/121.0",
			Agent{"Firefox", "121", "Windows"}, "Firefox 121 on Windows"},
		{"firefox_linux",
			"Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0",
			Agent{"Firefox", "121", "Linux"}, "Firefox 121 on Linux"},
		{"safari_macos",
			"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Safari/605.1.15",
			Agent{"Safari", "17", "macOS"}, "Safari 17 on macOS"},
		{"chromium_linux",
			"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chromium/120.0.6099.109 Chrome/120.0.6099.109 Safari/537.36",
			Agent{"Chromium", "120", "Linux"}, "Chromium 120 on Linux"},
		{"chrome_chromeos",
			"Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36",
			Agent{"Chrome", "120", "ChromeOS"}, "Chrome 120 on ChromeOS"},

		// Browsers built on Chromium also say Chrome and Safari: their own
		// token must win.
		{"edge_windows",
			"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36 Edg/120.0.2210.91",
			Agent{"Edge", "120", "Windows"}, "Edge 120 on Windows"},
		{"edge_legacy",
			"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/70.0.3538.102 Safari/537.36 Edge/18.19045",
			Agent{"Edge", "18", "Windows"}, "Edge 18 on Windows"},
		{"edge_android",
			"Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Mobile Safari/537.36 EdgA/120.0.2210.84",
			Agent{"Edge", "120", "Android"}, "Edge 120 on Android"},
		{"opera_macos",
			"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36 OPR/106.0.0.0",
			Agent{"Opera", "106", "macOS"}, "Opera 106 on macOS"},
		{"samsung_internet",
			"Mozilla/5.0 (Linux; Android 13; SAMSUNG SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/23.0 Chrome/115.0.0.0 Mobile Safari/537.36",
			Agent{"Samsung Internet", "23", "Android"}, "Samsung Internet 23 on Android"},
		{"headless_chrome",
			"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/120.0.6099.109 Safari/537.36",
			Agent{"Chrome (headless)", "120", "Linux"}, "Chrome (headless) 120 on Linux"},

		// Mobile: iPhones claim Mac OS X and Android claims Linux.
		{"chrome_android",
			"Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Mobile Safari/537.36",
			Agent{"Chrome", "120", "Android"}, "Chrome 120 on Android"},
		{"firefox_android",
			"Mozilla/5.0 (Android 14; Mobile; rv:121.0) Gecko/121.0 Firefox/121.0",
			Agent{"Firefox", "121", "Android"}, "Firefox 121 on Android"},
		{"safari_iphone",
			"Mozilla/5.0 (iPhone; CPU iPhone OS 17_1_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1.2 Mobile/15E148 Safari/604.1",
			Agent{"Safari", "17", "iOS"}, "Safari 17 on iOS"},
		{"safari_ipad",
			"Mozilla/5.0 (iPad; CPU OS 16_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/16.6 Mobile/15E148 Safari/604.1",
			Agent{"Safari", "16", "iOS"}, "Safari 16 on iOS"},
		{"chrome_iphone",
			"Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/120.0.6099.119 Mobile/15E148 Safari/604.1",
			Agent{"Chrome", "120", "iOS"}, "Chrome 120 on iOS"},
		{"firefox_iphone",
			"Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) FxiOS/121.0 Mobile/15E148 Safari/605.1.15",
			Agent{"Firefox", "121", "iOS"}, "Firefox 121 on iOS"},

		// Tools: no system is claimed.
		{"curl", "curl/8.4.0", Agent{"curl", "8", ""}, "curl 8"},
		{"go_http_client", "Go-http-client/1.1", Agent{"Go-http-client", "1", ""}, "Go-http-client 1"},

		// What cannot be recognised stays empty rather than guessed.
		{"empty", "", Agent{}, "Unknown browser"},
		{"bot", "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)", Agent{}, "Unknown browser"},
		{"system_only", "Mozilla/5.0 (X11; Linux x86_64) SomeBrowser/1.0", Agent{"", "", "Linux"}, "Unknown browser on Linux"},
		{"safari_without_version", "Mozilla/5.0 (Macintosh) AppleWebKit/605.1.15 Safari/605.1.15", Agent{"", "", "macOS"}, "Unknown browser on macOS"},
		{"version_not_numeric", "curl/x", Agent{"curl", "", ""}, "curl"},
		{"token_inside_longer_name", "NotChrome/1 XFirefox/2", Agent{}, "Unknown browser"},
		{"token_without_slash", "Chrome Firefox", Agent{}, "Unknown browser"},

		// Hostile input: bounded, and nothing but fixed names and digits
		// comes out.
		{"markup_in_version", "Firefox/<script>", Agent{"Firefox", "", ""}, "Firefox"},
		{"huge_version", "Firefox/12345678901234567890", Agent{"Firefox", "123456", ""}, "Firefox 123456"},
		{"token_past_512_bytes", strings.Repeat("x", 600) + " Firefox/121.0", Agent{}, "Unknown browser"},
		{"version_cut_at_512_bytes", strings.Repeat("x", 502) + " Firefox/121.0", Agent{"Firefox", "1", ""}, "Firefox 1"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := Parse(tc.ua)
			if got != tc.want {
				t.Errorf("Parse(%q) = %+v, want %+v", tc.ua, got, tc.want)
			}
			if s := got.String(); s != tc.str {
				t.Errorf("Parse(%q).String() = %q, want %q", tc.ua, s, tc.str)
			}
		})
	}
}

// FuzzParse feeds arbitrary headers to Parse. The property: it never
// panics, reads only the first 512 bytes, and returns only names from its
// fixed lists and a version of at most six digits, so nothing a client
// sends reaches a page or log through it. Seeds live in testdata/fuzz.
func FuzzParse(f *testing.F) {
	names := map[string]bool{"": true, "Safari": true}
	for _, b := range browsers {
		names[b.name] = true
	}
	systemNames := map[string]bool{"": true}
	for _, s := range systems {
		systemNames[s.name] = true
	}
	f.Fuzz(func(t *testing.T, ua string) {
		a := Parse(ua)
		if !names[a.Browser] || !systemNames[a.OS] {
			t.Fatalf("Parse(%q) = %+v: name outside the fixed lists", ua, a)
		}
		if len(a.BrowserVersion) > maxVersionDigits || strings.Trim(a.BrowserVersion, "0123456789") != "" {
			t.Fatalf("Parse(%q).BrowserVersion = %q, not at most %d digits", ua, a.BrowserVersion, maxVersionDigits)
		}
		if len(ua) > maxLen && Parse(ua[:maxLen]) != a {
			t.Fatalf("Parse(%q) read past %d bytes", ua, maxLen)
		}
	})
}
