package hub_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"fieldsync/hub"
	"fieldsync/ident"
	"fieldsync/records"
	"fieldsync/syncproto"
)

// A self-signed hub's key rotation: rotate makes the next key pair beside
// the current one and publishes its pin (enrollment codes and Welcomes
// carry both); the hub notes which stations were sent it; switch refuses
// while an active station lacks it (unless forced), then serves the next
// pair and keeps the old one under a dated name.
func TestRotateSelfSigned(t *testing.T) {
	ctx := context.Background()
	h := newCoreHub(t)
	if _, err := h.hub.RotateTLS(ctx, ""); err == nil {
		t.Fatal("rotated a hub without a certificate")
	}
	if _, err := hub.SelfSignedCert(h.dir, "127.0.0.1"); err != nil {
		t.Fatal(err)
	}
	cur, err := hub.PublicKeyPinFile(filepath.Join(h.dir, "cert.pem"))
	if err != nil {
		t.Fatal(err)
	}
	if pins, next, err := h.hub.PublishedPins(ctx); err != nil || !slices.Equal(pins, []string{cur}) || next != "" {
		t.Fatalf("before rotating: %q %q %v", pins, next, err)
	}
	h.enroll("站A")
	h.enroll("站B")
	h.enroll("站C")
	if err := h.hub.RevokeStation(ctx, "站C"); err != nil {
		t.Fatal(err)
	}

	st, err := h.hub.RotateTLS(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	next, err := hub.PublicKeyPinFile(filepath.Join(h.dir, "next-cert.pem"))
	if err != nil {
		t.Fatal(err)
	}
	if st.Current != cur || st.Next != next || next == cur {
		t.Fatalf("status %+v, want current %s next %s", st, cur, next)
	}
	if _, err := os.Stat(filepath.Join(h.dir, "next-key.pem")); err != nil {
		t.Fatal(err)
	}
	again, err := h.hub.RotateTLS(ctx, "")
	if err != nil || again.Next != next {
		t.Fatalf("rotating again made another key: %+v %v", again, err)
	}
	pins, gotNext, err := h.hub.PublishedPins(ctx)
	if err != nil || !slices.Equal(pins, []string{cur, next}) || gotNext != next {
		t.Fatalf("published %q %q %v", pins, gotNext, err)
	}
	e, err := h.hub.AddStation(ctx, "站D", "", false)
	if err != nil || !slices.Equal(e.Pins, []string{cur, next}) || e.CertPin != "" {
		t.Fatalf("enrollment pins %q, certificate pin %q, %v", e.Pins, e.CertPin, err)
	}

	if err := h.hub.NoteNextPinSent(ctx, "站A", next); err != nil {
		t.Fatal(err)
	}
	if err := h.hub.NoteNextPinSent(ctx, "站D", next); err != nil {
		t.Fatal(err)
	}
	st, err = h.hub.TLSStatus(ctx)
	if err != nil {
		t.Fatal(err)
	}
	sent := map[string]bool{}
	for _, s := range st.Stations {
		sent[s.Name] = !s.Sent.IsZero()
	}
	if !sent["站A"] || sent["站B"] || !sent["站D"] || len(st.Stations) != 3 {
		t.Fatalf("stations sent the next pin: %+v (the revoked 站C is not listed)", st.Stations)
	}
	if _, err := h.hub.SwitchTLS(ctx, false); !errors.Is(err, hub.ErrStationsLackNextPin) || !strings.Contains(err.Error(), "站B") {
		t.Fatalf("switch with 站B lacking the pin: %v", err)
	}
	if err := h.hub.NoteNextPinSent(ctx, "站B", next); err != nil {
		t.Fatal(err)
	}
	res, err := h.hub.SwitchTLS(ctx, false)
	if err != nil {
		t.Fatal(err)
	}
	if now, err := hub.PublicKeyPinFile(filepath.Join(h.dir, "cert.pem")); err != nil || now != next {
		t.Fatalf("after the switch cert.pem has pin %s, want %s (%v)", now, next, err)
	}
	if old, err := hub.PublicKeyPinFile(res.OldCert); err != nil || old != cur || !strings.HasPrefix(filepath.Base(res.OldCert), "cert-") {
		t.Fatalf("old certificate kept as %s: pin %s, %v", res.OldCert, old, err)
	}
	if _, err := os.Stat(filepath.Join(h.dir, "next-cert.pem")); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("next-cert.pem left: %v", err)
	}
	if pins, next, err := h.hub.PublishedPins(ctx); err != nil || len(pins) != 1 || pins[0] != st.Next || next != "" {
		t.Fatalf("after the switch: %q %q %v", pins, next, err)
	}
	if _, err := h.hub.SwitchTLS(ctx, true); err == nil {
		t.Fatal("switched with no next key")
	}
}

// A CA-issued certificate: rotate records the pin of the certificate to
// come; one renewed over the same key needs no rotation.
func TestRotateCAIssued(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	if err := hub.Init(dir, "测试县", "https://127.0.0.1:1"); err != nil {
		t.Fatal(err)
	}
	ca := t.TempDir()
	if _, err := hub.SelfSignedCert(ca, "127.0.0.1"); err != nil {
		t.Fatal(err)
	}
	served := filepath.Join(ca, "cert.pem")
	h, err := hub.Open(ctx, hub.Options{Dir: dir, CertFile: served, Synchronous: "NORMAL"})
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	if _, err := h.RotateTLS(ctx, served); !errors.Is(err, hub.ErrSameKey) {
		t.Fatalf("rotating to the same key: %v", err)
	}
	other := t.TempDir()
	if _, err := hub.SelfSignedCert(other, "127.0.0.1"); err != nil {
		t.Fatal(err)
	}
	st, err := h.RotateTLS(ctx, filepath.Join(other, "cert.pem"))
	if err != nil {
		t.Fatal(err)
	}
	want, _ := hub.PublicKeyPinFile(filepath.Join(other, "cert.pem"))
	cur, _ := hub.PublicKeyPinFile(served)
	if st.Next != want || st.Current != cur {
		t.Fatalf("status %+v", st)
	}
	res, err := h.SwitchTLS(ctx, false)
	if err != nil || res.OldCert != "" {
		t.Fatalf("switch %+v %v", res, err)
	}
	if _, next, _ := h.PublishedPins(ctx); next != "" {
		t.Fatal("the next pin stayed after the switch")
	}
}

// A station keeping its data gets a new line (the hub's address and pins
// now, a new token) under its site, scope kept; its old token stops
// working. `--reenroll`'s line would not do: it moves the station to a new
// site, which a station keeping its database does not have.
func TestStationCode(t *testing.T) {
	ctx := context.Background()
	h := newCoreHub(t)
	old, err := h.hub.AddStation(ctx, "站A", "", false)
	if err != nil {
		t.Fatal(err)
	}
	worker := hubtestID(1)
	if err := h.hub.AddToScope(ctx, "站A", []ident.ID{worker}); err != nil {
		t.Fatal(err)
	}
	e, err := h.hub.StationCode(ctx, "站A")
	if err != nil {
		t.Fatal(err)
	}
	if e.Site != old.Site || e.Token == old.Token || e.StationID != "站A" || string(e.Key) != string(old.Key) || e.HubURL != old.HubURL {
		t.Fatalf("new line %+v, old %+v", e, old)
	}
	hello := func(en syncproto.Enrollment) error {
		_, err := h.hub.Authenticate(ctx, &syncproto.Hello{Station: en.StationID, Token: en.Token, Site: en.Site})
		return err
	}
	if err := hello(old); err == nil {
		t.Fatal("the old token still works")
	}
	if err := hello(e); err != nil {
		t.Fatalf("the new line: %v", err)
	}
	workers, _ := h.hub.Replica().Schema().Table(records.Workers)
	if !h.hub.ScopeFilter("站A")(workers, worker) {
		t.Fatal("the station's scope was lost")
	}
	if _, err := h.hub.StationCode(ctx, "无此站"); !errors.Is(err, hub.ErrStationUnknown) {
		t.Fatalf("unknown station: %v", err)
	}
	if err := h.hub.RevokeStation(ctx, "站A"); err != nil {
		t.Fatal(err)
	}
	if _, err := h.hub.StationCode(ctx, "站A"); err == nil {
		t.Fatal("a revoked station got a new line")
	}
}

func hubtestID(i byte) ident.ID { return ident.ID{0: 0x42, 15: i} }
