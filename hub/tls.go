package hub

import (
	"crypto/tls"
	"encoding/pem"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"fieldsync/selfsigned"
	"fieldsync/syncproto"
)

// SelfSignedCert returns the hub's own certificate from dir, making it (ECDSA
// P-256, ten years, valid for host, localhost and the loopback addresses) the
// first time. Stations do not check it against a CA: they pin its fingerprint,
// which the enrollment code carries.
func SelfSignedCert(dir, host string) (tls.Certificate, error) {
	c, err := selfsigned.Cert(filepath.Join(dir, certFile), filepath.Join(dir, keyFile), "fieldsync hub", []string{host}, time.Now())
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("hub certificate: %w", err)
	}
	return c, nil
}

// CertPinFile returns the pin (hex SHA-256 of the leaf certificate's DER) of
// the first certificate in a PEM file.
func CertPinFile(path string) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("read certificate: %w", err)
	}
	blk, _ := pem.Decode(b)
	if blk == nil || blk.Type != "CERTIFICATE" {
		return "", fmt.Errorf("read certificate %s: no PEM certificate", path)
	}
	return syncproto.CertPin(blk.Bytes), nil
}
