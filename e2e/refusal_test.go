package e2e

import (
	"context"
	"strings"
	"testing"
	"time"

	"fieldsync/hlc"
	"fieldsync/hub"
	"fieldsync/internal/hubtest"
	"fieldsync/records"
	"fieldsync/replica"
	"fieldsync/syncclient"
	"fieldsync/syncproto"
)

// A station that sends another site's changes, or writes the station
// directory, is refused and closed; the other stations keep syncing.
func TestBadStationRefusedOthersContinue(t *testing.T) {
	h := hubtest.NewServer(t, "http", hub.Options{})
	ea := h.Enroll("站A")
	b := hubtest.NewStation(t, h.Enroll("站B"), syncclient.Config{})
	c := hubtest.NewStation(t, h.Enroll("站C"), syncclient.Config{})
	b.Start()
	c.Start()

	for _, tc := range []struct {
		name   string
		change func(site replica.SiteID) replica.Change
		want   syncproto.ErrCode
	}{
		{"other site", func(site replica.SiteID) replica.Change {
			return replica.Change{Table: records.Gigs, Row: hubtest.GigEdit(t, "x").Row,
				Version: replica.Version{HLC: hlc.New(time.Now().UnixMilli(), 0), Site: site + 1},
				Fields:  []replica.Field{{Col: 0, Value: "冒名的零工"}}}
		}, syncproto.ErrCodeWrongSite},
		{"station directory", func(site replica.SiteID) replica.Change {
			return replica.Change{Table: records.Stations, Row: hubtest.GigEdit(t, "x").Row,
				Version: replica.Version{HLC: hlc.New(time.Now().UnixMilli(), 0), Site: site},
				Fields:  []replica.Field{{Col: 0, Value: "假站"}}}
		}, syncproto.ErrCodeForbiddenTable},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := hubtest.DialRaw(t, h, ea)
			r.Hello(ea)
			r.Send(&syncproto.Batch{First: 1, Last: 1, Changes: []replica.Change{tc.change(ea.Site)}})
			if got := r.Refusal(); got != tc.want {
				t.Fatalf("refused with %v, want %v", got, tc.want)
			}
			b.Write(hubtest.GigEdit(t, "B照常 "+tc.name))
			hubtest.WaitFor(t, 5*time.Second, "B's gig to reach C", func() bool {
				var n int
				c.Rep.DB().QueryRow(`SELECT count(*) FROM gigs WHERE title = ?`, "B照常 "+tc.name).Scan(&n)
				return n == 1
			})
		})
	}
	var n int
	h.Hub.Replica().DB().QueryRow(`SELECT count(*) FROM gigs WHERE title = '冒名的零工'`).Scan(&n)
	if n != 0 {
		t.Fatal("the hub applied a change stamped with another site")
	}
	st, _ := h.Hub.Stations(context.Background())
	for _, s := range st {
		if s.Name == "站A" && !strings.Contains(s.LastError, "forbidden") && !strings.Contains(s.LastError, "not writable") {
			t.Fatalf("the hub did not keep A's last error: %q", s.LastError)
		}
	}
}

// With TLS, a station holding the hub certificate's pin syncs; one with a
// wrong pin refuses to talk to the hub.
func TestTLSPinnedCertificate(t *testing.T) {
	h := hubtest.NewServer(t, "https", hub.Options{})
	e := h.Enroll("站A")
	if e.CertPin == "" {
		t.Fatal("enrollment without a certificate pin")
	}
	a := hubtest.NewStation(t, e, syncclient.Config{})
	a.Write(hubtest.GigEdit(t, "加密传输"))
	a.Start()
	hubtest.WaitFor(t, 10*time.Second, "A to sync over TLS", func() bool { return hubtest.Converged(t, h.Hub, a) })

	bad := h.Enroll("站B")
	bad.CertPin = strings.Repeat("0", 64)
	b := hubtest.NewStation(t, bad, syncclient.Config{})
	b.Write(hubtest.GigEdit(t, "不该送达"))
	b.Start()
	hubtest.WaitFor(t, 10*time.Second, "B to refuse the hub", func() bool {
		return strings.Contains(b.Client.Status().LastError, "pin")
	})
	if b.Client.Status().Connected {
		t.Fatal("B connected to a hub whose certificate does not match its pin")
	}
	var n int
	h.Hub.Replica().DB().QueryRow(`SELECT count(*) FROM gigs WHERE title = '不该送达'`).Scan(&n)
	if n != 0 {
		t.Fatal("B's change reached the hub")
	}
}
