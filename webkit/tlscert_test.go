package webkit

import (
	"crypto/tls"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"fieldsync/selfsigned"
)

// The certificate itself (names, reuse, file modes) is selfsigned's test.
func TestCertFingerprint(t *testing.T) {
	dir := t.TempDir()
	cp, kp := filepath.Join(dir, "tls.crt"), filepath.Join(dir, "tls.key")
	now := time.Date(2026, 11, 15, 0, 0, 0, 0, time.UTC)
	c, err := selfsigned.Cert(cp, kp, "fieldsync station", []string{"192.168.1.20"}, now)
	if err != nil {
		t.Fatal(err)
	}
	fp := CertFingerprint(c)
	if !regexp.MustCompile(`^([0-9A-F]{2}:){31}[0-9A-F]{2}$`).MatchString(fp) {
		t.Fatalf("fingerprint %q", fp)
	}
	again, err := selfsigned.Cert(cp, kp, "fieldsync station", nil, now.Add(time.Hour))
	if err != nil || CertFingerprint(again) != fp {
		t.Fatalf("second call made a new certificate: %v", err)
	}
	if got := CertFingerprint(tls.Certificate{}); got != "" {
		t.Errorf("no certificate: fingerprint %q", got)
	}
}
