package syncclient_test

import (
	"sync/atomic"
	"testing"
	"time"

	"fieldsync/hub"
	"fieldsync/internal/hubtest"
	"fieldsync/records"
	"fieldsync/replica"
	"fieldsync/syncclient"
)

// The re-send of a restored backup's unacknowledged changes: nothing while
// the hub is out of reach; a crash between the re-stamp and its marker
// makes the next run stamp nothing (the changes are under the new site
// already); the handshakes under the site left are no error at the hub and
// move nothing; the session after it moves the station and sends the
// changes, with no conflict. Then a run finding the hub moved already, and
// a backup of another site than the one left, stamp nothing.
func TestResendRestoredTwice(t *testing.T) {
	ctx := t.Context()
	h := hubtest.NewServer(t, "http", hub.Options{})
	e := h.Enroll("白音嘎查")
	// The PC's calendar: right until the restore, then a day ahead (the
	// new PC's).
	var ahead atomic.Int64
	now := func() time.Time { return time.Now().Add(time.Duration(ahead.Load())) }
	st := hubtest.NewStation(t, e, syncclient.Config{Now: now})
	st.Start()
	st.Write(hubtest.WorkerEdit(e.Key, hubtest.IDNumber(0), "巴图", "13800138000"))
	hubtest.WaitFor(t, 30*time.Second, "first sync", func() bool {
		acked, err := st.Rep.Cursor(ctx, "hub-up")
		return err == nil && acked > 0 && hubtest.Converged(t, h.Hub, st)
	})
	st.Stop()
	// The hub out of reach: X is only in this database (the backup).
	x := hubtest.WorkerEdit(e.Key, hubtest.IDNumber(1), "乌兰", "13900139000")
	st.Write(x)
	old := e.Site
	acked, err := st.Rep.Cursor(ctx, "hub-up")
	if err != nil || acked == 0 {
		t.Fatalf("acked %d %v", acked, err)
	}
	unsent, err := st.Rep.CountSince(ctx, acked, old)
	if err != nil || unsent == 0 {
		t.Fatalf("unsent %d %v", unsent, err)
	}

	// The restore: a new site, the sync cursors from 0.
	site, err := replica.NewSiteID()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.Rep.MoveSite(ctx, site); err != nil {
		t.Fatal(err)
	}
	for _, cur := range []string{"hub", "hub-up"} {
		if err := st.Rep.SetCursor(ctx, cur, 0); err != nil {
			t.Fatal(err)
		}
	}
	moved := e
	moved.Site = site
	ahead.Store(int64(24 * time.Hour))
	cfg := syncclient.Config{Enrollment: moved, Replica: st.Rep, Restored: old, BackupSite: old, BackupAcked: acked,
		HandshakeTimeout: 5 * time.Second, Now: now}
	c, err := syncclient.New(cfg)
	if err != nil {
		t.Fatal(err)
	}

	addr := h.Addr
	h.Stop()
	if err := c.ResendRestored(ctx); err == nil {
		t.Fatal("the re-send ran with the hub out of reach")
	}
	if r, err := syncclient.ReadResent(ctx, st.Rep); r != nil || err != nil {
		t.Fatalf("marked with the hub out of reach: %v %v", r, err)
	}
	if n, _ := st.Rep.CountSince(ctx, acked, old); n != unsent {
		t.Fatalf("with the hub out of reach, %d of %d changes are left under the old site", n, unsent)
	}
	h.Open()
	h.Serve(addr)

	first, err := c.ResendWithoutMarker(ctx)
	if err != nil || first.Changes != unsent || first.Retried {
		t.Fatalf("first run: %+v %v, want %d changes stamped again", first, err, unsent)
	}
	// Stamped by the clock corrected by the hub's time, not the new PC's
	// calendar: the hub takes them.
	heads, err := st.Rep.Heads(ctx, records.Workers, x.Row)
	if err != nil {
		t.Fatal(err)
	}
	for _, ch := range heads {
		if at := ch.Heads[len(ch.Heads)-1].Version.HLC.Time(); at.Sub(time.Now()).Abs() > time.Minute {
			t.Fatalf("X's %s stamped again at %s, not now", ch.Column, at)
		}
	}
	// The crash: no marker. The next run finds nothing left to stamp.
	second, err := c.ResendWithoutMarker(ctx)
	if err != nil || second.Changes != 0 || !second.Retried {
		t.Fatalf("second run: %+v %v, want nothing stamped again", second, err)
	}
	if n, _ := st.Rep.CountSince(ctx, acked, old); n != 0 {
		t.Fatalf("%d changes left under the old site", n)
	}
	if err := c.ResendRestored(ctx); err != nil {
		t.Fatal(err)
	}
	r, err := syncclient.ReadResent(ctx, st.Rep)
	if err != nil || r == nil || !r.Retried || r.Skipped != "" {
		t.Fatalf("marker: %+v %v", r, err)
	}
	// The hub still enrolls the site left, and the handshakes under it are
	// no error there.
	hubtest.WaitFor(t, 10*time.Second, "the hub notes the handshakes", func() bool {
		sts, err := h.Hub.Stations(ctx)
		if err != nil || len(sts) != 1 {
			t.Fatal(sts, err)
		}
		if sts[0].Site != old {
			t.Fatalf("the handshakes under the site left moved the station to %s", sts[0].Site)
		}
		return sts[0].LastError == "" && h.Sync.Sessions() == nil
	})

	st.Enr, st.Cfg = moved, cfg
	st.Start()
	hubtest.WaitFor(t, 30*time.Second, "X at the hub", func() bool {
		return hubtest.SettledAt(t, h.Hub.Replica(), records.Workers, x.Row, "name", "乌兰") && hubtest.Converged(t, h.Hub, st)
	})
	heads, err = h.Hub.Replica().Heads(ctx, records.Workers, x.Row)
	if err != nil {
		t.Fatal(err)
	}
	for _, ch := range heads {
		if ch.Conflict || len(ch.Heads) != 1 || ch.Heads[0].Version.Site != site {
			t.Errorf("X's %s at the hub: %+v, want one head of the new site", ch.Column, ch)
		}
	}
	if n, err := h.Hub.OpenConflictCount(ctx); err != nil || n != 0 {
		t.Fatalf("hub: %d open conflicts (%v)", n, err)
	}
	st.Stop()
	if sts, _ := h.Hub.Stations(ctx); sts[0].Site != site {
		t.Fatalf("the hub enrolls %s, want the new site", sts[0].Site)
	}

	// The marker lost after the move (an earlier release's restore): the
	// hub refuses the site left and enrolls the new one: nothing to stamp.
	for _, tc := range []struct {
		name       string
		backupSite replica.SiteID
		skipped    string
	}{
		{"moved already", old, "the hub had moved the station already"},
		{"a backup of another site", old + 1, "the backup's site is not the site left"},
	} {
		if err := syncclient.ForgetResent(ctx, st.Rep); err != nil {
			t.Fatal(err)
		}
		cfg := cfg
		cfg.BackupSite = tc.backupSite
		c, err := syncclient.New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		if err := c.ResendRestored(ctx); err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		r, err := syncclient.ReadResent(ctx, st.Rep)
		if err != nil || r == nil || r.Skipped != tc.skipped || r.Changes != 0 {
			t.Fatalf("%s: %+v %v", tc.name, r, err)
		}
	}
	hubtest.WaitFor(t, 10*time.Second, "the hub notes the probe", func() bool {
		sts, _ := h.Hub.Stations(ctx)
		return sts[0].Site == site && sts[0].LastError == ""
	})
}
