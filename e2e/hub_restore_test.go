package e2e

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fieldsync/dbbackup"
	"fieldsync/hlc"
	"fieldsync/hub"
	"fieldsync/ident"
	"fieldsync/internal/hubtest"
	"fieldsync/records"
	"fieldsync/replica"
	"fieldsync/syncclient"
	"fieldsync/syncproto"
)

// restoreHub stops the hub, restores the backup from with `hub restore`'s
// code, and serves it again on the same address.
func restoreHub(t *testing.T, h *hubtest.Server, from string) hub.RestoreResult {
	t.Helper()
	addr := h.Addr
	h.Stop()
	res, err := hub.Restore(context.Background(), h.Dir, from, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	h.Open()
	h.Serve(addr)
	return res
}

func contentHash(t *testing.T, r *replica.Replica, skip map[ident.ID]bool) [32]byte {
	t.Helper()
	sum, _, err := r.ContentHash(context.Background(), func(_ *replica.Table, id ident.ID) bool { return !skip[id] })
	if err != nil {
		t.Fatal(err)
	}
	return sum
}

func conflictCount(t *testing.T, h *hub.Hub) int {
	t.Helper()
	var n int
	if err := h.Replica().DB().QueryRow(`SELECT count(*) FROM hub_conflicts`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// A hub with two stations syncing is backed up while it serves; both
// stations go on working (gigs relayed between them); the hub is stopped
// and restored from the backup and serves again on the same address, and
// its log grows past where one station's download cursor stood before that
// station reconnects (so only the incarnation, or the hub's memory of the
// incarnation it served the station under, can tell it). After
// reconnecting the hub holds exactly what it held before the restore, each
// station holds everything in its scope, nothing conflicts that did not,
// and the station and the hub's status page both show the restore.
// Before incarnations the station's cursor skipped the hub's new changes
// that got sequence numbers it had passed.
func TestHubRestoredFromBackupLosesNothing(t *testing.T) {
	for _, tc := range []struct {
		name string
		// upgraded: station A stored no incarnation (it ran an earlier
		// release when it last synced): only the hub can tell it.
		upgraded bool
	}{{"station knows the incarnation", false}, {"station upgraded since it last synced", true}} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			h := hubtest.NewServer(t, "http", hub.Options{})
			ea, eb := h.Enroll("站A"), h.Enroll("站B")
			a := hubtest.NewStation(t, ea, syncclient.Config{})
			b := hubtest.NewStation(t, eb, syncclient.Config{})
			a.Start()
			b.Start()
			a.Write(hubtest.WorkerEdit(ea.Key, hubtest.IDNumber(1), "张三", "13800000001"), hubtest.GigEdit(t, "A的零工1"))
			b.Write(hubtest.WorkerEdit(eb.Key, hubtest.IDNumber(2), "李四", "13800000002"), hubtest.GigEdit(t, "B的零工1"))
			converged := func() bool { return hubtest.Converged(t, h.Hub, a) && hubtest.Converged(t, h.Hub, b) }
			hubtest.WaitFor(t, 30*time.Second, "both stations to sync", converged)

			// The backup, from another reader, while the hub serves.
			out, err := hub.Backup(ctx, h.Dir, filepath.Join(t.TempDir(), "hub-yesterday.db"))
			if err != nil {
				t.Fatal(err)
			}

			// More work on both, one row edited, gigs relayed between them.
			for i := range 10 {
				a.Write(hubtest.WorkerEdit(ea.Key, hubtest.IDNumber(100+i), "王五", "13900000000"))
				b.Write(hubtest.GigEdit(t, "B的零工"))
			}
			a.Write(hubtest.GigEdit(t, "A的零工2"))
			b.Write(hubtest.WorkerEdit(eb.Key, hubtest.IDNumber(2), "李四", "13700000002"))
			hubtest.WaitFor(t, 30*time.Second, "the work after the backup to reach everyone", converged)
			before := contentHash(t, h.Hub.Replica(), nil)
			conflicts := conflictCount(t, h.Hub)
			cursorA, err := a.Rep.Cursor(ctx, "hub")
			if err != nil {
				t.Fatal(err)
			}

			a.Stop()
			if tc.upgraded {
				if err := a.Rep.SetState(ctx, "sync.hub_incarnation", nil); err != nil {
					t.Fatal(err)
				}
			}
			res := restoreHub(t, h, out)
			if res.Aside == "" || res.Incarnation.ID == 0 {
				t.Fatalf("restore: %+v", res)
			}
			// B, running, syncs again by itself.
			// (B holds A's gigs from after the backup, which the hub gets
			// back only from A.)
			hubtest.WaitFor(t, 30*time.Second, "station B to send its work again", func() bool {
				mine, _ := hubtest.OwnChanges(t, b.Rep, b.Rep.Site())
				atHub, _ := hubtest.OwnChanges(t, h.Hub.Replica(), b.Rep.Site())
				return mine == atHub
			})
			// The hub's own new work takes sequence numbers station A's
			// cursor passed before the restore.
			hubGigs := map[ident.ID]bool{}
			for h.Hub.LastSeq() <= cursorA+5 {
				e := hubtest.GigEdit(t, "县级零工")
				hubGigs[e.Row] = true
				if _, err := h.Hub.Write(ctx, e); err != nil {
					t.Fatal(err)
				}
			}
			a.Start()
			hubtest.WaitFor(t, 30*time.Second, "both stations to hold everything again", converged)
			if got := contentHash(t, h.Hub.Replica(), hubGigs); got != before {
				t.Fatal("the restored hub does not hold exactly what it held before the restore")
			}
			if got := hubtest.RowCount(t, a.Rep, records.Gigs); got != 13+len(hubGigs) {
				t.Fatalf("station A holds %d gigs, want %d", got, 13+len(hubGigs))
			}
			if got := conflictCount(t, h.Hub); got != conflicts {
				t.Fatalf("the restore made %d conflicts, had %d", got, conflicts)
			}
			for _, s := range []*hubtest.Station{a, b} {
				if s.Client.Status().HubRestoredAt.IsZero() {
					t.Fatalf("station %s does not show the restore", s.Name)
				}
			}
			if w := a.Client.Status().Warning; w != "" {
				t.Fatalf("station A warns: %s", w)
			}
			token := h.AdminToken("viewer1", "viewer")
			if code, body := h.Call("GET", "/api/stations", token); code != 200 || body["restored"] == nil {
				t.Fatalf("the hub's API does not show the restore: %d %v", code, body)
			}
		})
	}
}

// A station of the previous release sends no software version and cannot
// read the incarnation: once the hub was restored, it is refused, with a
// message asking to upgrade it, unless it starts from the beginning of the
// hub's log. A station the hub never served before the restore is served
// too only from the beginning.
func TestHubRestoredRefusesStationOfPreviousRelease(t *testing.T) {
	ctx := context.Background()
	h := hubtest.NewServer(t, "http", hub.Options{})
	old, never := h.Enroll("旧站"), h.Enroll("未连站")
	raw := hubtest.DialRaw(t, h, old)
	raw.HelloAt(old, 0)
	raw.Welcome()
	raw.WS.Close()
	// Before any restore, an old station is served whatever its cursor.
	raw = hubtest.DialRaw(t, h, never)
	raw.HelloAt(never, 3)
	if w := raw.Welcome(); w.Extended {
		t.Fatal("a Welcome with a trailer to a station that sent none")
	}
	raw.WS.Close()
	out, err := hub.Backup(ctx, h.Dir, filepath.Join(t.TempDir(), "hub.db"))
	if err != nil {
		t.Fatal(err)
	}
	restoreHub(t, h, out)
	for _, e := range []syncproto.Enrollment{old, never} {
		raw := hubtest.DialRaw(t, h, e)
		raw.HelloAt(e, 3)
		if code := raw.Refusal(); code != syncproto.ErrCodeProtocolVersion {
			t.Fatalf("%s after the restore: refusal %v, want %v", e.StationID, code, syncproto.ErrCodeProtocolVersion)
		}
		sts, err := h.Hub.Stations(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range sts {
			if s.Name == e.StationID && !strings.Contains(s.LastError, "升级") {
				t.Fatalf("%s's last error: %q", s.Name, s.LastError)
			}
		}
		raw = hubtest.DialRaw(t, h, e)
		raw.HelloAt(e, 0)
		raw.Welcome()
		raw.WS.Close()
		// Served under this incarnation from the start: trusted since.
		raw = hubtest.DialRaw(t, h, e)
		raw.HelloAt(e, 3)
		raw.Welcome()
		raw.WS.Close()
	}
}

// A backup taken while stations upload is a sound database, and restoring
// it loses nothing: the stations send again what it lacks.
func TestHubBackupWhileStationsUpload(t *testing.T) {
	ctx := context.Background()
	h := hubtest.NewServer(t, "http", hub.Options{})
	var sts []*hubtest.Station
	for _, name := range []string{"站A", "站B"} {
		e := h.Enroll(name)
		s := hubtest.NewStation(t, e, syncclient.Config{})
		s.Start()
		sts = append(sts, s)
	}
	const perStation = 400
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := range perStation {
			for k, s := range sts {
				if _, err := s.Rep.Write(ctx, hubtest.WorkerEdit(s.Enr.Key, hubtest.IDNumber(k*perStation+i), "赵六", "13600000000")); err != nil {
					t.Error(err)
					return
				}
				s.Client.Kick()
			}
		}
	}()
	var backups []string
	for i := 0; ; i++ {
		out, err := hub.Backup(ctx, h.Dir, filepath.Join(t.TempDir(), "hub.db"))
		if err != nil {
			t.Fatal(err)
		}
		if err := dbbackup.Check(ctx, out, hub.BackupTables...); err != nil {
			t.Fatal(err)
		}
		backups = append(backups, out)
		if n := hubtest.RowCount(t, h.Hub.Replica(), records.Workers); n == 2*perStation || i >= 50 {
			break
		}
	}
	<-done
	for _, s := range sts {
		hubtest.WaitFor(t, 60*time.Second, s.Name+" to sync", func() bool { return hubtest.Converged(t, h.Hub, s) })
	}
	before := contentHash(t, h.Hub.Replica(), nil)
	restoreHub(t, h, backups[len(backups)/2])
	for _, s := range sts {
		hubtest.WaitFor(t, 60*time.Second, s.Name+" to sync with the restored hub", func() bool { return hubtest.Converged(t, h.Hub, s) })
	}
	if contentHash(t, h.Hub.Replica(), nil) != before {
		t.Fatal("the hub restored from a backup taken during uploads does not hold what it held")
	}
}

// A station offline for longer than the retention keeps its log rows after
// the hub acknowledges them, for the retention counted from that
// acknowledgement: a restore of the hub's backup from the day before still
// gets them back. Before, the rows went the moment the hub acknowledged
// them.
func TestRetentionCountsFromTheAck(t *testing.T) {
	ctx := context.Background()
	clock := hubtest.NewFakeClock()
	h := hubtest.NewServer(t, "http", hub.Options{Now: clock.Now})
	e := h.Enroll("站A")
	const retention = 90 * 24 * time.Hour
	s := hubtest.NewStation(t, e, syncclient.Config{Now: clock.Now, LogRetention: retention})
	for i := range 20 {
		s.Write(hubtest.WorkerEdit(e.Key, hubtest.IDNumber(i), "孙七", "13500000000"))
	}
	out, err := hub.Backup(ctx, h.Dir, filepath.Join(t.TempDir(), "hub-yesterday.db"))
	if err != nil {
		t.Fatal(err)
	}
	ownRows := func() int {
		var n int
		if err := s.Rep.DB().QueryRow(`SELECT count(*) FROM fs_log WHERE origin = ?`, int64(s.Rep.Site())).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	rows := ownRows()
	clock.Advance(retention + 24*time.Hour) // offline all that time
	s.Start()
	hubtest.WaitFor(t, 30*time.Second, "the station's work to reach the hub", func() bool { return hubtest.Converged(t, h.Hub, s) })
	hubtest.WaitFor(t, 30*time.Second, "the hub's ack to be stored", func() bool {
		c, err := s.Rep.Cursor(ctx, "hub-up")
		return err == nil && c > 0
	})
	if got := ownRows(); got != rows {
		t.Fatalf("the station kept %d of its %d log rows right after the hub's ack", got, rows)
	}
	clock.Advance(24 * time.Hour)
	restoreHub(t, h, out)
	hubtest.WaitFor(t, 30*time.Second, "the restored hub to get the station's work back", func() bool {
		return hubtest.RowCount(t, h.Hub.Replica(), records.Workers) == 20 && hubtest.Converged(t, h.Hub, s)
	})
	if w := s.Client.Status().Warning; w != "" {
		t.Fatalf("warning: %s", w)
	}
}

// A station whose log was trimmed past where the restored hub resumes says
// so to its staff, in Chinese first, and sends the rest.
func TestHubRestoredPastTheTrimWarnsAndSendsTheRest(t *testing.T) {
	ctx := context.Background()
	h := hubtest.NewServer(t, "http", hub.Options{})
	e := h.Enroll("站A")
	out, err := hub.Backup(ctx, h.Dir, filepath.Join(t.TempDir(), "hub-old.db"))
	if err != nil {
		t.Fatal(err)
	}
	s := hubtest.NewStation(t, e, syncclient.Config{LogRetention: time.Nanosecond})
	for i := range 20 {
		s.Write(hubtest.WorkerEdit(e.Key, hubtest.IDNumber(i), "周八", "13400000000"))
	}
	ownRows := func() int {
		var n int
		if err := s.Rep.DB().QueryRow(`SELECT count(*) FROM fs_log WHERE origin = ?`, int64(s.Rep.Site())).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	s.Start()
	hubtest.WaitFor(t, 30*time.Second, "the acknowledged rows to be trimmed", func() bool { return ownRows() == 0 })
	// Written after the trim (the next is hours away): still in the log.
	last := hubtest.WorkerEdit(e.Key, hubtest.IDNumber(20), "吴九", "13300000000")
	s.Write(last)
	hubtest.WaitFor(t, 30*time.Second, "the last worker to reach the hub", func() bool {
		return hubtest.RowCount(t, h.Hub.Replica(), records.Workers) == 21
	})
	restoreHub(t, h, out)
	hubtest.WaitFor(t, 30*time.Second, "the station to warn about the trimmed changes", func() bool {
		return strings.HasPrefix(s.Client.Status().Warning, "县级集线器的数据比本站旧")
	})
	hubtest.WaitFor(t, 30*time.Second, "the rest to reach the restored hub", func() bool {
		return hubtest.RowCount(t, h.Hub.Replica(), records.Workers) == 1 &&
			hubtest.StationValue(t, h.Hub.Replica(), records.Workers, last.Row, "name") == "吴九"
	})
	if s.Client.Status().HubRestoredAt.IsZero() {
		t.Fatal("the station does not show the restore")
	}
}

// The Welcome to a station that sent its release names the hub's
// incarnation and where its log ends; a restore changes the one and not
// the other's meaning.
func TestWelcomeNamesTheIncarnation(t *testing.T) {
	ctx := context.Background()
	h := hubtest.NewServer(t, "http", hub.Options{})
	e := h.Enroll("站A")
	if _, err := h.Hub.Write(ctx, hubtest.GigEdit(t, "县级零工")); err != nil {
		t.Fatal(err)
	}
	welcome := func() *syncproto.Welcome {
		s, _ := records.NewSchema()
		raw := hubtest.DialRaw(t, h, e)
		defer raw.WS.Close()
		raw.Send(&syncproto.Hello{Version: syncproto.ProtocolVersion, Schema: s.Fingerprint(), Site: e.Site,
			Station: e.StationID, Token: e.Token, Now: hlc.New(time.Now().UnixMilli(), 0), MaxBatchLen: 1 << 20,
			Software: "test"})
		return raw.Welcome()
	}
	w := welcome()
	if !w.Extended || w.Incarnation == 0 || w.Incarnation != h.Hub.Incarnation().ID || w.LogEnd != h.Hub.LastSeq() || w.LogEnd == 0 {
		t.Fatalf("welcome %+v; hub incarnation %x, log end %d", w, h.Hub.Incarnation().ID, h.Hub.LastSeq())
	}
	out, err := hub.Backup(ctx, h.Dir, filepath.Join(t.TempDir(), "hub.db"))
	if err != nil {
		t.Fatal(err)
	}
	c := h.LoggedIn("viewer1", "viewer")
	if _, _, page := hubtest.Page(t, c, h.URL()+"/"); strings.Contains(page, `id="restored"`) {
		t.Fatal("the status page shows a restore before any")
	}
	res := restoreHub(t, h, out)
	if w2 := welcome(); w2.Incarnation != res.Incarnation.ID || w2.Incarnation == w.Incarnation || w2.LogEnd != w.LogEnd {
		t.Fatalf("after the restore: welcome %+v, restore %+v, before %+v", w2, res, w)
	}
	// The administrator's session is in the backup too.
	c = h.LoggedIn("viewer2", "viewer")
	if code, _, page := hubtest.Page(t, c, h.URL()+"/"); code != 200 || !strings.Contains(page, `id="restored"`) || !strings.Contains(page, filepath.Base(out)) {
		t.Fatalf("the status page after the restore: %d\n%s", code, page)
	}
}
