package syncclient

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
	u, err := got.syncURL()
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

// A batch that ends inside a transaction's group of changes must not move
// the receiver's cursor past the group.
func TestBatchesKeepGroupsWhole(t *testing.T) {
	type span struct{ n, last int }
	for _, tc := range []struct {
		name          string
		seqs          []uint64
		prev, through uint64
		max           int
		want          []span
	}{
		{"empty moves the cursor", nil, 5, 9, 3, []span{{0, 9}}},
		{"one per row", []uint64{6, 7, 8}, 5, 10, 2, []span{{2, 7}, {1, 10}}},
		{"group split", []uint64{6, 6, 6, 6, 7}, 5, 7, 2, []span{{2, 5}, {2, 6}, {1, 7}}},
		{"group split mid", []uint64{6, 7, 7, 7}, 5, 7, 2, []span{{2, 6}, {2, 7}}},
		{"group split at start", []uint64{6, 6, 6}, 5, 6, 1, []span{{1, 5}, {1, 5}, {1, 6}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			bs := Batches(entries(tc.seqs...), tc.prev, tc.through, tc.max)
			if len(bs) != len(tc.want) {
				t.Fatalf("%d batches, want %d", len(bs), len(tc.want))
			}
			for i, b := range bs {
				if len(b.Changes) != tc.want[i].n || b.Last != uint64(tc.want[i].last) {
					t.Errorf("batch %d: %d changes, last %d; want %+v", i, len(b.Changes), b.Last, tc.want[i])
				}
			}
		})
	}
}
