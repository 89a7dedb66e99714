package syncproto

import (
	"strings"
	"testing"

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
