package webkit

import (
	"crypto/x509"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"testing"
	"time"

	"fieldsync/selfsigned"
)

func TestCertFingerprint(t *testing.T) {
	dir := t.TempDir()
	cp, kp := filepath.Join(dir, "tls.crt"), filepath.Join(dir, "tls.key")
	now := time.Date(2026, 11, 15, 0, 0, 0, 0, time.UTC)
	c, err := selfsigned.Cert(cp, kp, "fieldsync station", []string{"192.168.1.20", "office-pc", "127.0.0.1"}, now)
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := x509.ParseCertificate(c.Certificate[0])
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range []string{"192.168.1.20", "office-pc", "localhost", "127.0.0.1", "::1"} {
		if err := leaf.VerifyHostname(h); err != nil {
			t.Errorf("not valid for %s: %v", h, err)
		}
	}
	fp := CertFingerprint(c)
	if !regexp.MustCompile(`^([0-9A-F]{2}:){31}[0-9A-F]{2}$`).MatchString(fp) {
		t.Fatalf("fingerprint %q", fp)
	}
	again, err := selfsigned.Cert(cp, kp, "fieldsync station", nil, now.Add(time.Hour))
	if err != nil || CertFingerprint(again) != fp {
		t.Fatalf("second call made a new certificate: %v", err)
	}
	if runtime.GOOS != "windows" {
		for _, p := range []string{cp, kp} {
			if st, err := os.Stat(p); err != nil || st.Mode().Perm() != 0o600 {
				t.Errorf("%s: %v %v", p, st.Mode(), err)
			}
		}
	}
}
