package e2e

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"fieldsync/hub"
	"fieldsync/internal/hubtest"
	"fieldsync/replica"
	"fieldsync/syncclient"
	"fieldsync/syncproto"
)

// gigCount counts the gigs titled title in r.
func gigCount(t *testing.T, r *replica.Replica, title string) int {
	t.Helper()
	var n int
	if err := r.DB().QueryRow(`SELECT count(*) FROM gigs WHERE title = ?`, title).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// serveAgain restarts the test hub on its address with the certificate in
// its directory (cert.pem, key.pem).
func serveAgain(t *testing.T, h *hubtest.Server) {
	t.Helper()
	cert, err := tls.LoadX509KeyPair(filepath.Join(h.Dir, "cert.pem"), filepath.Join(h.Dir, "key.pem"))
	if err != nil {
		t.Fatal(err)
	}
	addr := h.Addr
	h.Stop()
	h.TLS = &tls.Config{Certificates: []tls.Certificate{cert}}
	h.Open()
	h.Serve(addr)
}

// syncs checks that a gig written at the hub reaches s and one written at s
// reaches the hub.
func syncs(t *testing.T, h *hubtest.Server, s *hubtest.Station, tag string) {
	t.Helper()
	down, up := "县里给"+s.Name+" "+tag, s.Name+" "+tag
	if _, err := h.Hub.Write(context.Background(), hubtest.GigEdit(t, down)); err != nil {
		t.Fatal(err)
	}
	s.Write(hubtest.GigEdit(t, up))
	hubtest.WaitFor(t, 10*time.Second, s.Name+" to sync "+tag, func() bool {
		return gigCount(t, s.Rep, down) == 1 && gigCount(t, h.Hub.Replica(), up) == 1
	})
}

// A CA renews the hub's certificate over the same key: a station holding
// the key's pin goes on syncing with no action. A station of an earlier
// release's code (a certificate pin) learns the key's pin at its first
// session and goes on too; one that never connected before the renewal
// refuses the renewed certificate (its code pinned the old one).
func TestRenewedCertificateSameKey(t *testing.T) {
	h := hubtest.NewServer(t, "https", hub.Options{})
	certDER := func() []byte {
		b, err := os.ReadFile(filepath.Join(h.Dir, "cert.pem"))
		if err != nil {
			t.Fatal(err)
		}
		blk, _ := pem.Decode(b)
		return blk.Bytes
	}
	a := hubtest.NewStation(t, h.Enroll("站A"), syncclient.Config{})
	oldCode := func(name string) syncproto.Enrollment {
		e := h.Enroll(name)
		e.Pins, e.CertPin = nil, syncproto.CertPin(certDER())
		return e
	}
	b := hubtest.NewStation(t, oldCode("站B"), syncclient.Config{})
	c := hubtest.NewStation(t, oldCode("站C"), syncclient.Config{})
	var mu sync.Mutex
	var bSaved []string
	b.Cfg.SavePins = func(p []string) error { mu.Lock(); bSaved = p; mu.Unlock(); return nil }
	a.Start()
	b.Start()
	syncs(t, h, a, "换证前")
	syncs(t, h, b, "换证前")
	mu.Lock()
	learned := slices.Clone(bSaved)
	mu.Unlock()
	if len(learned) == 0 {
		t.Fatal("the station of an old code did not store the key's pin the hub published")
	}

	before := certDER()
	renewOverSameKey(t, h.Dir)
	if slices.Equal(before, certDER()) {
		t.Fatal("the certificate was not renewed")
	}
	serveAgain(t, h)
	b.Stop()
	b.Enr.Pins = learned // as station.json holds them after a restart
	b.Start()
	syncs(t, h, a, "换证后")
	syncs(t, h, b, "换证后")

	c.Write(hubtest.GigEdit(t, "站C 不该送达"))
	c.Start()
	hubtest.WaitFor(t, 10*time.Second, "C to refuse the renewed certificate", func() bool {
		return strings.Contains(c.Client.Status().LastError, "set-hub")
	})
	if gigCount(t, h.Hub.Replica(), "站C 不该送达") != 0 {
		t.Fatal("C's change reached a hub whose certificate it does not hold")
	}
}

// renewOverSameKey writes a new certificate (new serial, new dates) for
// the key in dir/key.pem as dir/cert.pem, as a CA's renewal does.
func renewOverSameKey(t *testing.T, dir string) {
	t.Helper()
	kb, err := os.ReadFile(filepath.Join(dir, "key.pem"))
	if err != nil {
		t.Fatal(err)
	}
	blk, _ := pem.Decode(kb)
	key, err := x509.ParseECPrivateKey(blk.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: "renewed hub"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().AddDate(1, 0, 0),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		DNSNames: []string{"localhost"}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "cert.pem"), pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
}

// The hub's key rotation end to end over TLS: a station enrolled with the
// old key's pin syncs after `hub tls rotate` and so receives the next pin
// (kept across its restart); after the switch the hub serves the new key
// and the station still syncs. A station that did not connect between
// rotate and switch refuses the new key and says what to do (set-hub).
func TestKeyRotation(t *testing.T) {
	ctx := context.Background()
	h := hubtest.NewServer(t, "https", hub.Options{})
	a := hubtest.NewStation(t, h.Enroll("站A"), syncclient.Config{})
	b := hubtest.NewStation(t, h.Enroll("站B"), syncclient.Config{})
	var mu sync.Mutex
	var aSaved []string
	a.Cfg.SavePins = func(p []string) error { mu.Lock(); aSaved = p; mu.Unlock(); return nil }
	a.Start()
	b.Start()
	syncs(t, h, a, "轮换前")
	syncs(t, h, b, "轮换前")
	b.Stop() // away until after the switch

	st, err := h.Hub.RotateTLS(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	a.Stop()
	a.Start() // a new session: its Welcome carries the next pin
	syncs(t, h, a, "轮换后")
	hubtest.WaitFor(t, 10*time.Second, "A to store the next pin", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return slices.Contains(aSaved, st.Next) && slices.Contains(aSaved, st.Current)
	})
	if st, err = h.Hub.TLSStatus(ctx); err != nil {
		t.Fatal(err)
	}
	if lack := st.Lacking(); !slices.Equal(lack, []string{"站B"}) {
		t.Fatalf("stations lacking the next pin: %q, want 站B", lack)
	}
	if _, err := h.Hub.SwitchTLS(ctx, false); err == nil {
		t.Fatal("switched while 站B lacks the next pin")
	}
	if _, err := h.Hub.SwitchTLS(ctx, true); err != nil {
		t.Fatal(err)
	}
	serveAgain(t, h)
	served, err := tls.Dial("tcp", h.Addr, &tls.Config{InsecureSkipVerify: true})
	if err != nil {
		t.Fatal(err)
	}
	if got := syncproto.PublicKeyPin(served.ConnectionState().PeerCertificates[0]); got != st.Next {
		t.Fatalf("the hub serves key %s, want the next one %s", got, st.Next)
	}
	served.Close()

	a.Stop()
	mu.Lock()
	a.Enr.Pins = slices.Clone(aSaved) // as station.json holds them after a restart
	mu.Unlock()
	a.Start()
	syncs(t, h, a, "切换后")

	b.Write(hubtest.GigEdit(t, "站B 不该送达"))
	b.Start()
	hubtest.WaitFor(t, 10*time.Second, "B to refuse the new key", func() bool {
		return strings.Contains(b.Client.Status().LastError, "station set-hub")
	})
	if b.Client.Status().Connected || gigCount(t, h.Hub.Replica(), "站B 不该送达") != 0 {
		t.Fatal("B talked to a hub whose key it never received")
	}
}
