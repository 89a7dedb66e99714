package hubsync_test

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"fieldsync/hlc"
	"fieldsync/hub"
	"fieldsync/hub/access"
	"fieldsync/internal/hubtest"
	"fieldsync/records"
	"fieldsync/replica"
	"fieldsync/syncproto"
)

// A hub one schema version ahead serves a station of the version before
// (upgraded one by one, after the hub): it is welcomed without the trailer
// its release cannot read, and sent every change without the columns it
// does not know (its codec would refuse them); a station of the hub's
// version gets them; any other schema is refused.
func TestHubServesStationOneSchemaBehind(t *testing.T) {
	v1, v2 := hubtest.SchemaAhead(t)
	h := hubtest.NewServer(t, "http", hub.Options{Schema: v2})
	old := h.Enroll("旧站")
	cur := h.Enroll("新站")

	gig := hubtest.GigEdit(t, "县里的零工")
	gig.Set = append(gig.Set, replica.ColumnValue{Column: "added_later", Value: "新版本才有"})
	if _, err := h.Hub.Replica().Write(context.Background(), gig); err != nil {
		t.Fatal(err)
	}
	gigs, _ := v2.Table(records.Gigs)
	added, _ := gigs.Column("added_later")

	// receive reads batches until the gig arrives, decoding with the
	// station's own codec, and returns the columns it carried.
	receive := func(r *hubtest.RawStation) map[int]any {
		t.Helper()
		r.WS.SetReadDeadline(time.Now().Add(10 * time.Second))
		for {
			m := hubtest.ReadMessage(t, r)
			b, ok := m.(*syncproto.Batch)
			if !ok {
				t.Fatalf("got %v, want a Batch", m.Type())
			}
			for _, c := range b.Changes {
				if c.Table == records.Gigs && c.Row == gig.Row {
					cols := map[int]any{}
					for _, f := range c.Fields {
						cols[f.Col] = f.Value
					}
					return cols
				}
			}
		}
	}

	// The station of release 0.5.0: schema version 1, no trailer.
	r := hubtest.DialRaw(t, h, old)
	r.Codec = &syncproto.Codec{Schema: v1, Key: old.Key}
	r.Send(&syncproto.Hello{Version: syncproto.ProtocolVersion, Schema: v1.Fingerprint(), Site: old.Site,
		Station: old.StationID, Token: old.Token, Now: hlc.New(time.Now().UnixMilli(), 0), MaxBatchLen: 1 << 20})
	if w := r.Welcome(); w.Extended {
		t.Fatalf("a station of the previous release was sent the Welcome trailer: %+v", w)
	}
	got := receive(r)
	if _, ok := got[added]; ok || got[0] != "县里的零工" {
		t.Fatalf("the older station got the gig as %v: want its title, without the column it does not know", got)
	}

	// A station of the hub's version gets the column.
	r2 := hubtest.DialRaw(t, h, cur)
	r2.Codec = &syncproto.Codec{Schema: v2, Key: cur.Key}
	r2.Send(&syncproto.Hello{Version: syncproto.ProtocolVersion, Schema: v2.Fingerprint(), Site: cur.Site,
		Station: cur.StationID, Token: cur.Token, Now: hlc.New(time.Now().UnixMilli(), 0), MaxBatchLen: 1 << 20,
		Software: "fieldsync 0.7.0 (test)"})
	if w := r2.Welcome(); !w.Extended || w.Incarnation == 0 {
		t.Fatalf("a current station's Welcome: %+v", w)
	}
	if got := receive(r2); got[added] != "新版本才有" {
		t.Fatalf("the current station got the gig as %v: want the added column", got)
	}
	sts, err := h.Hub.Stations(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	software := map[string]string{}
	for _, s := range sts {
		software[s.Name] = s.Software
	}
	if software["新站"] != "fieldsync 0.7.0 (test)" || software["旧站"] != "" {
		t.Fatalf("the stations' software as the hub notes it: %v", software)
	}
	c := h.LoggedIn("viewer", access.RoleViewer)
	for name, want := range map[string]string{"新站": "fieldsync 0.7.0 (test)", "旧站": "0.6.0 之前的版本"} {
		_, _, body := hubtest.Page(t, c, h.URL()+"/stations/"+url.PathEscape(name))
		if !strings.Contains(body, `<span id="station-software">`+want) {
			t.Fatalf("%s's page does not show its release %q:\n%s", name, want, body)
		}
	}

	// Two versions behind, or a schema nobody declared: refused.
	r3 := hubtest.DialRaw(t, h, old)
	r3.Send(&syncproto.Hello{Version: syncproto.ProtocolVersion, Schema: 0x1234, Site: old.Site,
		Station: old.StationID, Token: old.Token, Now: hlc.New(time.Now().UnixMilli(), 0), MaxBatchLen: 1 << 20})
	if code := r3.Refusal(); code != syncproto.ErrCodeSchema {
		t.Fatalf("an unknown schema was answered %v, want %v", code, syncproto.ErrCodeSchema)
	}
}
