package syncproto

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/hex"
	"math/big"
	"reflect"
	"strings"
	"testing"
	"time"

	"fieldsync/ident"
	"fieldsync/replica"
)

func TestEnrollmentRoundTrip(t *testing.T) {
	e := Enrollment{HubURL: "https://hub.example:8443", StationID: "乌兰嘎查服务站", Site: replica.SiteID(0x1234abcd),
		Token: "secret-token", Key: ident.Key("0123456789abcdef0123456789abcdef"), CertPin: strings.Repeat("ab", 32)}
	code := e.String()
	if strings.ContainsAny(code, " \n\t") {
		t.Fatalf("code is not one line: %q", code)
	}
	got, err := ParseEnrollment("  " + code + "\n")
	if err != nil {
		t.Fatal(err)
	}
	if got.HubURL != e.HubURL || got.StationID != e.StationID || got.Site != e.Site || got.Token != e.Token ||
		string(got.Key) != string(e.Key) || got.CertPin != e.CertPin {
		t.Fatalf("round trip: %+v, want %+v", got, e)
	}
	u, err := got.SyncURL()
	if err != nil || u != "wss://hub.example:8443/sync" {
		t.Fatalf("sync URL %q, %v", u, err)
	}
}

func TestParseEnrollmentRefusesDamage(t *testing.T) {
	good := Enrollment{HubURL: "http://127.0.0.1:8400", StationID: "a", Site: 7, Token: "t", Key: ident.Key("k")}.String()
	for name, code := range map[string]string{
		"empty":     "",
		"no prefix": strings.TrimPrefix(good, enrollPrefix),
		"cut short": good[:len(good)-7],
		"bad chars": good[:20] + "!!!" + good[23:],
		"bad url":   Enrollment{HubURL: "ftp://x", StationID: "a", Site: 7, Token: "t", Key: ident.Key("k")}.String(),
		"no site":   Enrollment{HubURL: "http://x:1", StationID: "a", Token: "t", Key: ident.Key("k")}.String(),
		"no token":  Enrollment{HubURL: "http://x:1", StationID: "a", Site: 7, Key: ident.Key("k")}.String(),
		"bad pin":   Enrollment{HubURL: "http://x:1", StationID: "a", Site: 7, Token: "t", Key: ident.Key("k"), CertPin: "zz"}.String(),
	} {
		if _, err := ParseEnrollment(code); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func entries(seqs ...uint64) []replica.LogEntry {
	out := make([]replica.LogEntry, len(seqs))
	for i, s := range seqs {
		out[i] = replica.LogEntry{Seq: s}
	}
	return out
}

// An enrollment carries several public-key pins (`ps`) and round-trips them;
// a code of an earlier release (a certificate pin in `p`) still reads, as a
// certificate pin.
func TestEnrollmentPins(t *testing.T) {
	a, b := strings.Repeat("ab", 32), strings.Repeat("CD", 32)
	e := Enrollment{HubURL: "https://hub.example:8443", StationID: "a", Site: 7, Token: "t", Key: ident.Key("k"),
		Pins: []string{a, b}}
	got, err := ParseEnrollment(e.String())
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Pins) != 2 || got.Pins[0] != a || got.Pins[1] != strings.ToLower(b) || got.CertPin != "" {
		t.Fatalf("pins %q, certificate pin %q", got.Pins, got.CertPin)
	}
	// A code as release 0.6.0 wrote it: only `p`, the certificate's pin.
	old := enrollPrefix + base64.RawURLEncoding.EncodeToString([]byte(
		`{"u":"https://h:1","n":"a","s":"7","t":"t","k":"aw","p":"`+a+`"}`))
	got, err = ParseEnrollment(old)
	if err != nil {
		t.Fatal(err)
	}
	if got.CertPin != a || len(got.Pins) != 0 {
		t.Fatalf("old code: certificate pin %q, pins %q", got.CertPin, got.Pins)
	}
	for name, pins := range map[string][]string{
		"bad pin":   {a, "zz"},
		"short pin": {a[:62]},
		"empty pin": {""},
		"too many":  {a, a, a, a, a, a, a, a, a},
	} {
		bad := e
		bad.Pins = pins
		if _, err := ParseEnrollment(bad.String()); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

// The pin is of the public key: two certificates over one key (a renewal)
// have one pin, and a station holding it accepts both; a new key does not
// match. A code of an earlier release matches the certificate it pinned.
func TestPinMatches(t *testing.T) {
	key1, key2 := newKey(t), newKey(t)
	c1, c2, c3 := newCert(t, key1, 1), newCert(t, key1, 2), newCert(t, key2, 3)
	if bytes.Equal(c1.Raw, c2.Raw) {
		t.Fatal("two certificates are the same")
	}
	p1 := PublicKeyPin(c1)
	if p1 != PublicKeyPin(c2) || p1 == PublicKeyPin(c3) {
		t.Fatal("the public-key pin does not follow the key")
	}
	sum := sha256.Sum256(c1.RawSubjectPublicKeyInfo)
	if p1 != hex.EncodeToString(sum[:]) {
		t.Fatal("the pin is not the hex SHA-256 of the SubjectPublicKeyInfo")
	}
	held := Enrollment{Pins: []string{strings.Repeat("00", 32), p1}}
	for _, tc := range []struct {
		name string
		e    Enrollment
		c    *x509.Certificate
		want bool
	}{
		{"pinned key", held, c1, true},
		{"renewed certificate, same key", held, c2, true},
		{"new key", held, c3, false},
		{"old code, its certificate", Enrollment{CertPin: CertPin(c1.Raw)}, c1, true},
		{"old code, renewed certificate", Enrollment{CertPin: CertPin(c1.Raw)}, c2, false},
		{"old code, learned key pin", Enrollment{CertPin: CertPin(c1.Raw), Pins: []string{p1}}, c2, true},
		{"certificate pin in the key pins", Enrollment{Pins: []string{CertPin(c1.Raw)}}, c1, false},
	} {
		if got := tc.e.Matches(tc.c); got != tc.want {
			t.Errorf("%s: Matches = %v, want %v", tc.name, got, tc.want)
		}
	}
	if (Enrollment{}).Pinned() || !held.Pinned() || !(Enrollment{CertPin: p1}).Pinned() {
		t.Error("Pinned")
	}
}

func newKey(t *testing.T) *ecdsa.PrivateKey {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func newCert(t *testing.T, k *ecdsa.PrivateKey, serial int64) *x509.Certificate {
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(serial), Subject: pkix.Name{CommonName: "hub"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &k.PublicKey, k)
	if err != nil {
		t.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// FuzzParseEnrollment: the decoder never panics, and what it accepts
// encodes to a code that decodes to the same enrollment.
func FuzzParseEnrollment(f *testing.F) {
	f.Add(Enrollment{HubURL: "https://h:1", StationID: "站", Site: 7, Token: "t", Key: ident.Key("k"),
		Pins: []string{strings.Repeat("ab", 32)}}.String())
	f.Add(Enrollment{HubURL: "http://h:1", StationID: "a", Site: 7, Token: "t", Key: ident.Key("k"), CertPin: strings.Repeat("01", 32)}.String())
	f.Add(enrollPrefix + base64.RawURLEncoding.EncodeToString([]byte(`{"u":"https://h:1","n":"a","s":"7","t":"t","k":"aw","ps":["`+strings.Repeat("ab", 32)+`"]}`)))
	f.Add("fieldsync1:")
	f.Fuzz(func(t *testing.T, code string) {
		e, err := ParseEnrollment(code)
		if err != nil {
			return
		}
		again, err := ParseEnrollment(e.String())
		if err != nil {
			t.Fatalf("re-encoded code refused: %v", err)
		}
		if !reflect.DeepEqual(e, again) {
			t.Fatalf("round trip: %+v, want %+v", again, e)
		}
	})
}
