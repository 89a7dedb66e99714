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

// A station that sends another site's changes is refused and closed, and
// nothing of its batch applies; one that writes the station directory (a
// table only the county writes) has that change refused, named in a
// refusal row for it alone, while the rest of its batch applies and is
// acknowledged. Either way the other stations keep syncing.
func TestBadStationRefusedOthersContinue(t *testing.T) {
	h := hubtest.NewServer(t, "http", hub.Options{})
	ea := h.Enroll("站A")
	b := hubtest.NewStation(t, h.Enroll("站B"), syncclient.Config{})
	c := hubtest.NewStation(t, h.Enroll("站C"), syncclient.Config{})
	b.Start()
	c.Start()
	// A's own replica stamps the good change sent with the bad one.
	own := hubtest.NewHostile(t, h, ea)
	directoryRow := hubtest.GigEdit(t, "x").Row

	gigsTitled := func(r *replica.Replica, title string) int {
		var n int
		if err := r.DB().QueryRow(`SELECT count(*) FROM gigs WHERE title = ?`, title).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	for _, tc := range []struct {
		name   string
		change func(site replica.SiteID) replica.Change
		want   syncproto.ErrCode // 0: the change alone is refused, the batch acknowledged
	}{
		{"other site", func(site replica.SiteID) replica.Change {
			return replica.Change{Table: records.Gigs, Row: hubtest.GigEdit(t, "x").Row,
				Version: replica.Version{HLC: hlc.New(time.Now().UnixMilli(), 0), Site: site + 1},
				Fields:  []replica.Field{{Col: 0, Value: "冒名的零工"}}}
		}, syncproto.ErrCodeWrongSite},
		{"station directory", func(site replica.SiteID) replica.Change {
			return replica.Change{Table: records.Stations, Row: directoryRow,
				Version: replica.Version{HLC: hlc.New(time.Now().UnixMilli(), 0), Site: site},
				Fields:  []replica.Field{{Col: 0, Value: "假站"}}}
		}, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			good := "A照常 " + tc.name
			changes := append(own.Make(hubtest.WithStation(hubtest.GigEdit(t, good), "站A")), tc.change(ea.Site))
			r := hubtest.DialRaw(t, h, ea)
			r.Hello(ea)
			r.Send(&syncproto.Batch{First: 1, Last: 1, Changes: changes})
			if tc.want != 0 {
				if got := r.Refusal(); got != tc.want {
					t.Fatalf("refused with %v, want %v", got, tc.want)
				}
				if n := gigsTitled(h.Hub.Replica(), good); n != 0 {
					t.Fatalf("the hub applied %d changes of a refused batch", n)
				}
				// The session records its error as it ends, after it
				// answered (a later session of A's records its own).
				hubtest.WaitFor(t, 5*time.Second, "the hub to keep A's last error", func() bool {
					st, _ := h.Hub.Stations(context.Background())
					for _, s := range st {
						if s.Name == "站A" {
							return strings.Contains(s.LastError, "another site")
						}
					}
					return false
				})
			} else {
				if seq := r.Ack(); seq != 1 {
					t.Fatalf("the hub acknowledged %d, want 1", seq)
				}
				if n := gigsTitled(h.Hub.Replica(), good); n != 1 {
					t.Fatalf("the hub holds %d of the batch's good gig, want 1", n)
				}
				var refused []hubtest.Refusal
				for _, f := range hubtest.Refusals(t, h.Hub.Replica()) {
					if f.Table == records.Stations {
						refused = append(refused, f)
					}
				}
				if len(refused) != 1 || refused[0].Station != "站A" || refused[0].Row != directoryRow.String() ||
					refused[0].ReasonKey != records.KeyHubOnly || refused[0].Reason == "" {
					t.Fatalf("refusals of the directory change: %+v", refused)
				}
				var n int
				if err := h.Hub.Replica().DB().QueryRow(`SELECT count(*) FROM stations WHERE id = ?`, directoryRow[:]).Scan(&n); err != nil || n != 0 {
					t.Fatalf("the hub wrote a station's change to its station directory: %d rows, %v", n, err)
				}
				if n := hubtest.RowCount(t, h.Hub.Replica(), records.Stations); n != 3 {
					t.Fatalf("the station directory holds %d rows, want the 3 enrolled", n)
				}
			}
			b.Write(hubtest.GigEdit(t, "B照常 "+tc.name))
			hubtest.WaitFor(t, 5*time.Second, "B's gig to reach C", func() bool {
				return gigsTitled(c.Rep, "B照常 "+tc.name) == 1
			})
		})
	}
	if gigsTitled(h.Hub.Replica(), "冒名的零工") != 0 {
		t.Fatal("the hub applied a change stamped with another site")
	}
}

// With TLS, a station holding the hub certificate's pin syncs; one with a
// wrong pin refuses to talk to the hub.
func TestTLSPinnedCertificate(t *testing.T) {
	h := hubtest.NewServer(t, "https", hub.Options{})
	e := h.Enroll("站A")
	if len(e.Pins) == 0 {
		t.Fatal("enrollment without a pin of the hub's key")
	}
	a := hubtest.NewStation(t, e, syncclient.Config{})
	a.Write(hubtest.GigEdit(t, "加密传输"))
	a.Start()
	hubtest.WaitFor(t, 10*time.Second, "A to sync over TLS", func() bool { return hubtest.Converged(t, h.Hub, a) })

	bad := h.Enroll("站B")
	bad.Pins = []string{strings.Repeat("0", 64)}
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
