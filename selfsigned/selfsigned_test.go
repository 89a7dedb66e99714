package selfsigned

import (
	"bytes"
	"crypto/x509"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"
)

func TestCert(t *testing.T) {
	dir := t.TempDir()
	cp, kp := filepath.Join(dir, "tls.crt"), filepath.Join(dir, "tls.key")
	now := time.Date(2026, 11, 15, 0, 0, 0, 0, time.UTC)
	c, err := Cert(cp, kp, "fieldsync station", []string{"192.168.1.20", "office-pc", "127.0.0.1", ""}, now)
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
	if err := leaf.VerifyHostname("other-pc"); err == nil {
		t.Error("valid for a name it was not made for")
	}
	if leaf.Subject.CommonName != "fieldsync station" || !leaf.NotAfter.Equal(now.AddDate(10, 0, 0).Truncate(time.Second)) {
		t.Errorf("subject %q, not after %v", leaf.Subject.CommonName, leaf.NotAfter)
	}
	again, err := Cert(cp, kp, "fieldsync station", nil, now.Add(time.Hour))
	if err != nil || !bytes.Equal(again.Certificate[0], c.Certificate[0]) {
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
