package cli

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestServeFirstRun starts sessiond on an empty data directory: it creates
// admin with a password shown once, serves, and stops cleanly on cancel.
func TestServeFirstRun(t *testing.T) {
	data := t.TempDir()
	s := startServe(t, "--data", data)
	password := s.adminPassword(t)
	if len(password) < 20 {
		t.Fatalf("admin password %q is too short", password)
	}
	resp, err := http.Get(s.url + "/healthz")
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /healthz: %v %v", resp, err)
	}
	if strings.Count(s.stderr.String(), password) != 1 {
		t.Fatal("the admin password appears more than once in the output")
	}
	if code := s.stop(); code != 0 {
		t.Fatalf("serve exited with %d after SIGTERM, want 0:\n%s", code, s.stderr.String())
	}
	if _, err := os.Stat(filepath.Join(data, ControlSocket)); !os.IsNotExist(err) {
		t.Fatalf("the control socket outlived the server: %v", err)
	}
	again := startServe(t, "--data", data)
	if strings.Contains(again.stderr.String(), "created user admin") {
		t.Fatal("a second start created admin again")
	}
}

func TestSecondServeOnOneDataDirectoryIsRefused(t *testing.T) {
	data := t.TempDir()
	startServe(t, "--data", data)
	code, _, stderr := run(t, "", "serve", "--data", data, "--addr", "127.0.0.1:0")
	if code != 1 || !strings.Contains(stderr, "another sessiond") {
		t.Fatalf("second serve: exit %d, stderr %q", code, stderr)
	}
}

// TestSubcommands runs the user and sessions commands twice: against the
// store directly, and through the control socket of a running server.
func TestSubcommands(t *testing.T) {
	for _, mode := range []string{"offline", "while_serving"} {
		t.Run(mode, func(t *testing.T) {
			data := t.TempDir()
			if mode == "while_serving" {
				startServe(t, "--data", data)
			}
			steps := []struct {
				stdin string
				args  []string
				code  int
				want  string // in stdout or stderr
			}{
				{"correct horse battery\n", []string{"user", "add", "alice", "--password-stdin"}, 0, ""},
				{"correct horse battery\n", []string{"user", "add", "alice", "--password-stdin"}, 1, "exists"},
				{"", []string{"user", "add", "bob"}, 1, "--password-stdin"},
				{"short\n", []string{"user", "add", "bob", "--password-stdin"}, 1, "8"},
				{"", []string{"user", "list"}, 0, "alice"},
				{"staple of batteries\n", []string{"user", "passwd", "alice", "--password-stdin"}, 0, ""},
				{"", []string{"user", "disable", "alice"}, 0, ""},
				{"", []string{"user", "list"}, 0, "disabled"},
				{"", []string{"user", "enable", "alice"}, 0, ""},
				{"", []string{"user", "disable", "nobody"}, 1, "not found"},
				{"", []string{"sessions", "list", "--user", "alice"}, 0, "HANDLE"},
				{"", []string{"sessions", "revoke", "--user", "alice"}, 0, "revoked 0"},
				{"", []string{"sessions", "list"}, 2, ""},
				{"", []string{"user", "frobnicate"}, 2, "unknown subcommand"},
			}
			for _, step := range steps {
				args := append(append([]string{}, step.args...), "--data", data)
				code, stdout, stderr := run(t, step.stdin, args...)
				if code != step.code || !strings.Contains(stdout+stderr, step.want) {
					t.Fatalf("sessiond %s: exit %d, output %q; want exit %d and %q", strings.Join(step.args, " "), code, stdout+stderr, step.code, step.want)
				}
			}
		})
	}
}

func TestBackup(t *testing.T) {
	data := t.TempDir()
	startServe(t, "--data", data)
	out := filepath.Join(t.TempDir(), "backup.db")
	code, stdout, stderr := run(t, "", "backup", "--out", out, "--data", data)
	if code != 0 || !strings.Contains(stdout, "wrote") {
		t.Fatalf("backup: exit %d, %s %s", code, stdout, stderr)
	}
	if code, _, stderr := run(t, "", "backup", "--out", out, "--data", data); code != 1 || !strings.Contains(stderr, "exists") {
		t.Fatalf("backup over an existing file: exit %d, %s", code, stderr)
	}
	// The copy is a data directory's database of its own: admin is in it.
	restored := t.TempDir()
	copyFile(t, out, filepath.Join(restored, "sessiond.db"))
	code, stdout, _ = run(t, "", "user", "list", "--data", restored)
	if code != 0 || !strings.Contains(stdout, "admin") {
		t.Fatalf("restored backup: exit %d, %s", code, stdout)
	}
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestTLSWithRedirect(t *testing.T) {
	dir := t.TempDir()
	cert, key := selfSigned(t, dir)
	redirect := freeAddr(t)
	s := startServe(t, "--data", dir, "--tls-cert", cert, "--tls-key", key, "--redirect-http", redirect,
		"--public-url", "https://auth.example.test")
	if !strings.HasPrefix(s.url, "https://") {
		t.Fatalf("serving on %s, want https", s.url)
	}
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Get(s.url + "/login")
	if err != nil {
		t.Fatal(err)
	}
	if resp.TLS == nil || !strings.Contains(resp.Header.Get("Set-Cookie"), "__Host-sid=") || !strings.Contains(resp.Header.Get("Set-Cookie"), "Secure") {
		t.Fatalf("HTTPS login page: cookie %q", resp.Header.Get("Set-Cookie"))
	}
	if resp.Header.Get("Strict-Transport-Security") == "" {
		t.Fatal("no HSTS over HTTPS")
	}
	var plain *http.Response
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); {
		if plain, err = client.Get("http://" + redirect + "/sessions?x=1"); err == nil {
			break
		}
	}
	if err != nil {
		t.Fatal(err)
	}
	if plain.StatusCode != http.StatusPermanentRedirect || plain.Header.Get("Location") != "https://auth.example.test/sessions?x=1" {
		t.Fatalf("plain HTTP: %d %q, want 308 to the HTTPS origin", plain.StatusCode, plain.Header.Get("Location"))
	}
}

func freeAddr(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// selfSigned writes a certificate for 127.0.0.1 and its key.
func selfSigned(t *testing.T, dir string) (certFile, keyFile string) {
	t.Helper()
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "sessiond test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, DNSNames: []string{"localhost"}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, _ := x509.MarshalECPrivateKey(key)
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600)
	os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}), 0o600)
	return certFile, keyFile
}

func TestCommandLine(t *testing.T) {
	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"version", []string{"version"}, 0, "sessiond "},
		{"help", []string{"help"}, 0, "usage"},
		{"unknown_command", []string{"frob"}, 2, "unknown command"},
		{"serve_help", []string{"serve", "--help"}, 0, "SESSIOND_IDLE_TIMEOUT"},
		{"user_help", []string{"user", "--help"}, 0, "password-stdin"},
		{"backup_without_out", []string{"backup"}, 2, "--out"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := run(t, "", tc.args...)
			if code != tc.code || !strings.Contains(stdout+stderr, tc.want) {
				t.Fatalf("exit %d, output %q; want %d and %q", code, stdout+stderr, tc.code, tc.want)
			}
		})
	}
}
