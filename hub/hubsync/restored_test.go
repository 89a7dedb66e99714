package hubsync_test

import (
	"context"
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

// restoredHello is the handshake of a station restored from its own
// backup: its new site, and the site it leaves.
func restoredHello(r *hubtest.RawStation, e syncproto.Enrollment, site, from replica.SiteID) {
	s, _ := records.NewSchema()
	r.Send(&syncproto.Hello{Version: syncproto.ProtocolVersion, Schema: s.Fingerprint(), Site: site,
		Station: e.StationID, Token: e.Token, Now: hlc.New(time.Now().UnixMilli(), 0), MaxBatchLen: 1 << 20,
		Software: "test", Restored: from})
}

func newSite(t *testing.T) replica.SiteID {
	t.Helper()
	s, err := replica.NewSiteID()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// A station restored from its own backup moves to a site nobody used, once,
// from the site it is enrolled under; every other site mismatch is refused
// as before, and the hub's station page and audit log show the move.
func TestRestoredStationMovesSite(t *testing.T) {
	ctx := context.Background()
	h := hubtest.NewServer(t, "http", hub.Options{})
	ea := h.Enroll("站A")
	eb := h.Enroll("站B")
	ec := h.Enroll("站C")
	// 站C re-enrolled: its first site is a past site.
	ec2, err := h.Hub.AddStation(ctx, "站C", "", true)
	if err != nil {
		t.Fatal(err)
	}

	refused := func(name string, e syncproto.Enrollment, site, from replica.SiteID) {
		t.Helper()
		r := hubtest.DialRaw(t, h, e)
		restoredHello(r, e, site, from)
		if got := r.Refusal(); got != syncproto.ErrCodeAuth {
			t.Errorf("%s: refused with %v, want %v", name, got, syncproto.ErrCodeAuth)
		}
	}
	wrongToken := ea
	wrongToken.Token = eb.Token
	refused("a move with another station's token", wrongToken, newSite(t), ea.Site)
	refused("a move to another station's site", ea, eb.Site, ea.Site)
	refused("a move to the hub's own site", ea, h.Hub.Replica().Site(), ea.Site)
	refused("a move to a site another station left", ea, ec.Site, ea.Site)
	refused("a move from a site that is not the current one", ea, newSite(t), eb.Site)
	refused("a move from a site this station left", ec2, newSite(t), ec.Site)
	refused("a site mismatch without a move", ea, newSite(t), 0)

	// The move accepted: welcomed under the new site, resuming from 0.
	to := newSite(t)
	r := hubtest.DialRaw(t, h, ea)
	restoredHello(r, ea, to, ea.Site)
	if w := r.Welcome(); w.Resume != 0 {
		t.Fatalf("restored station resumes at %d, want 0 (a new site)", w.Resume)
	}
	r.WS.Close()
	st, err := h.Hub.Stations(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range st {
		if s.Name == "站A" && s.Site != to {
			t.Fatalf("站A enrolled under %s after the move, want %s", s.Site, to)
		}
	}
	if err := h.Hub.StillEnrolled(ctx, "站A", to); err != nil {
		t.Fatalf("still enrolled under the new site: %v", err)
	}
	if err := h.Hub.StillEnrolled(ctx, "站A", ea.Site); err == nil {
		t.Fatal("the old site is still enrolled")
	}
	// The new site works on its own afterwards, with or without the trailer.
	moved := ea
	moved.Site = to
	r = hubtest.DialRaw(t, h, moved)
	r.Hello(moved)
	r.Welcome()
	r.WS.Close()

	// Replayed after it was done: from the old site again, or back to it.
	refused("the move replayed to another new site", ea, newSite(t), ea.Site)
	refused("a move back to the old site", moved, ea.Site, to)
	// Another station cannot take the site 站A moved to.
	refused("a move to a site another station moved to", eb, to, eb.Site)

	log, err := h.Hub.Access().AuditLog(ctx, 100)
	if err != nil {
		t.Fatal(err)
	}
	var audited int
	for _, e := range log {
		if e.Action == hub.AuditStationRestored {
			audited++
			if !strings.Contains(e.Detail, to.String()) || !strings.Contains(e.Detail, ea.Site.String()) {
				t.Errorf("audit detail %q names not both sites", e.Detail)
			}
		}
	}
	if audited != 1 {
		t.Fatalf("%d restore moves audited, want 1", audited)
	}

	c := h.LoggedIn("viewer", access.RoleViewer)
	_, _, body := hubtest.Page(t, c, h.URL()+"/stations/"+"%E7%AB%99A")
	want := "从备份恢复："
	if !strings.Contains(body, want) || !strings.Contains(body, "旧站点号 <span class=\"mono\">"+ea.Site.String()) ||
		!strings.Contains(body, "新站点号 <span class=\"mono\">"+to.String()) {
		t.Fatalf("station page lacks the restore line:\n%s", body)
	}
	_, _, body = hubtest.Page(t, c, h.URL()+"/stations/"+"%E7%AB%99B")
	if strings.Contains(body, want) {
		t.Fatal("a station never restored shows a restore line")
	}
}
