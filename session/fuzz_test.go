package session

import (
	"bytes"
	"net/http"
	"strings"
	"testing"
)

// FuzzParseToken feeds arbitrary Cookie headers through the cookie reader
// and token parser. Property: never panics; a value accepted as a token is
// exactly the canonical encoding of 32 bytes, so each token has one
// spelling.
func FuzzParseToken(f *testing.F) {
	f.Fuzz(func(t *testing.T, header string) {
		value, ok := cookieValue(http.Header{"Cookie": {header}}, defaultCookieName)
		if !ok {
			return
		}
		if strings.Contains(value, ";") {
			t.Fatalf("cookie value %q spans a separator", value)
		}
		key, ok := parseToken(value)
		if !ok {
			return
		}
		if len(value) != tokenLength {
			t.Fatalf("accepted a %d-character token", len(value))
		}
		raw, err := tokenEncoding.DecodeString(value)
		if err != nil || tokenEncoding.EncodeToString(raw) != value {
			t.Fatalf("accepted non-canonical token %q", value)
		}
		if again, _ := parseToken(value); again != key {
			t.Fatal("parsing is not deterministic")
		}
	})
}

// FuzzDecodeRecord feeds arbitrary bytes to the record decoder, as a
// corrupted or hostile store would. Property: never panics; anything it
// accepts encodes back to exactly the same bytes.
func FuzzDecodeRecord(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		rec, successor, alias, err := decodeRecord(data)
		if err != nil {
			return
		}
		var again []byte
		if alias {
			again = encodeAlias(successor)
		} else {
			again = rec.encode()
			if len(again) > rec.size() {
				t.Fatalf("size() = %d underestimates the encoding's %d bytes", rec.size(), len(again))
			}
		}
		if !bytes.Equal(again, data) {
			t.Fatalf("decode/encode changed the record:\n in  %x\n out %x", data, again)
		}
	})
}

// FuzzCSRFToken feeds arbitrary tokens to the CSRF verifier. Property:
// never panics; a token accepted for a secret unmasks to that secret, so it
// is accepted for no other.
func FuzzCSRFToken(f *testing.F) {
	f.Fuzz(func(t *testing.T, tok string, seed []byte) {
		var secret [csrfSecretBytes]byte
		copy(secret[:], seed)
		if !validCSRF(maskCSRF(secret), secret) {
			t.Fatal("a freshly masked token is refused")
		}
		if !validCSRF(tok, secret) {
			return
		}
		other := secret
		other[0] ^= 1
		if validCSRF(tok, other) {
			t.Fatal("one token is accepted for two secrets")
		}
	})
}
