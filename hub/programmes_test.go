package hub_test

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fieldsync/hub"
	"fieldsync/hub/access"
	"fieldsync/ident"
	"fieldsync/internal/hubtest"
	"fieldsync/records"
	"fieldsync/replica"
	"fieldsync/syncclient"
	"fieldsync/syncproto"
)

// The county's programme settings: the defaults without a key in hub.json;
// the keys read from it; a line of 0 or less, or a threshold below 1, is
// refused when the hub opens, naming the key.
func TestProgrammeSettings(t *testing.T) {
	h := newCoreHub(t)
	if got := h.hub.MonitoringLine(); got != hub.DefaultMonitoringLine {
		t.Errorf("monitoring line %v, want the default %v", got, hub.DefaultMonitoringLine)
	}
	if got := h.hub.WorkshopRecognition(); got != hub.DefaultWorkshopRecognition {
		t.Errorf("workshop recognition %d, want the default %d", got, hub.DefaultWorkshopRecognition)
	}
	h.close()
	path := filepath.Join(h.dir, "hub.json")
	orig, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	set := func(kv map[string]any) {
		t.Helper()
		var m map[string]any
		if err := json.Unmarshal(orig, &m); err != nil {
			t.Fatal(err)
		}
		for k, v := range kv {
			m[k] = v
		}
		b, _ := json.Marshal(m)
		if err := os.WriteFile(path, b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	set(map[string]any{"monitoring_line": 720.5, "workshop_recognition": 8})
	h.open()
	if h.hub.MonitoringLine() != 720.5 || h.hub.WorkshopRecognition() != 8 {
		t.Errorf("hub.json's settings: line %v, recognition %d", h.hub.MonitoringLine(), h.hub.WorkshopRecognition())
	}
	h.close()
	for _, bad := range []map[string]any{{"monitoring_line": 0}, {"monitoring_line": -5}, {"workshop_recognition": 0}} {
		set(bad)
		_, err := hub.Open(context.Background(), hub.Options{Dir: h.dir})
		for k := range bad {
			if err == nil || !strings.Contains(err.Error(), k) {
				t.Errorf("%v: %v, want a refusal naming %s", bad, err, k)
			}
		}
	}
}

// stationPost is a welfare post as a station's form writes it.
func stationPost(t *testing.T, station, name string) (ident.ID, replica.Edit) {
	t.Helper()
	p := records.WelfarePost{Name: name, Village: "150421100001", Kind: records.WelfarePostKinds[0], Headcount: 2,
		Subsidy: 500, Employer: "乌兰花镇人民政府"}
	if err := p.Validate(); err != nil {
		t.Fatal(err)
	}
	id := hubtest.NewRowID(t)
	return id, hubtest.WithStation(hubtest.EnteredBy(replica.Edit{Table: records.WelfarePosts, Row: id, Set: p.Columns()}, "站员"), station)
}

// The county makes a welfare post of its own: the row carries 县级 as its
// station and the administrator as entered_by, reaches a station that is
// connected, and its edit reaches it too; the save is in the audit log. A
// post a station made is the station's: the county's edit of it is
// refused (not_maker) and the row stays as the station wrote it. A record
// that does not validate, an export batch naming a partner region that
// does not exist, and a record of another table's type are refused.
func TestSaveCountyProgramme(t *testing.T) {
	h := hubtest.NewServer(t, "http", hub.Options{})
	ea := h.Enroll("站A")
	s := hubtest.NewStation(t, ea, syncclient.Config{})
	s.Start()
	ctx := context.Background()
	who := access.Actor{User: "县管理员", Remote: "127.0.0.1"}
	post := &records.WelfarePost{Name: "县级护林员", Village: "150421100002", Kind: "护林防火", Headcount: 3, Subsidy: 600,
		Employer: "县林草局", PartTime: true}
	id, err := h.Hub.SaveCountyProgramme(ctx, records.WelfarePosts, ident.ID{}, post, who)
	if err != nil || id.IsZero() {
		t.Fatalf("county post: %v %v", id, err)
	}
	hubtest.WaitFor(t, 10*time.Second, "the county's post at the station", func() bool {
		return hubtest.StationValue(t, s.Rep, records.WelfarePosts, id, "name") == "县级护林员" &&
			hubtest.StationValue(t, s.Rep, records.WelfarePosts, id, "station") == records.County &&
			hubtest.StationValue(t, s.Rep, records.WelfarePosts, id, records.EnteredBy) == "县管理员"
	})
	post.Headcount = 4
	if _, err := h.Hub.SaveCountyProgramme(ctx, records.WelfarePosts, id, post, who); err != nil {
		t.Fatalf("county edits its post: %v", err)
	}
	hubtest.WaitFor(t, 10*time.Second, "the county's edit at the station", func() bool {
		return hubtest.StationValue(t, s.Rep, records.WelfarePosts, id, "headcount") == int64(4)
	})

	// 站A's own post reaches the hub; the county may not edit it.
	sid, edit := stationPost(t, "站A", "站A保洁员")
	s.Write(edit)
	hubtest.WaitFor(t, 10*time.Second, "站A's post at the hub", func() bool {
		return hubtest.StationValue(t, h.Hub.Replica(), records.WelfarePosts, sid, "name") == "站A保洁员"
	})
	other := *post
	other.Name = "县级改名"
	_, err = h.Hub.SaveCountyProgramme(ctx, records.WelfarePosts, sid, &other, who)
	if fe, ok := records.AsFieldError(err); !ok || fe.Key != records.KeyNotMaker {
		t.Fatalf("the county edits 站A's post: %v, want %s", err, records.KeyNotMaker)
	}
	if v := hubtest.StationValue(t, h.Hub.Replica(), records.WelfarePosts, sid, "name"); v != "站A保洁员" {
		t.Errorf("站A's post after the refused edit: %v", v)
	}

	bad := *post
	bad.Headcount = 0
	if _, err := h.Hub.SaveCountyProgramme(ctx, records.WelfarePosts, ident.ID{}, &bad, who); err == nil {
		t.Error("a post of headcount 0 saved")
	} else if fe, ok := records.AsFieldError(err); !ok || fe.Field != "headcount" {
		t.Errorf("headcount 0: %v", err)
	}
	// An id the hub holds no row of is refused, not made a row under an
	// id the client chose.
	made := hubtest.NewRowID(t)
	if _, err := h.Hub.SaveCountyProgramme(ctx, records.WelfarePosts, made, post, who); err == nil {
		t.Error("a post saved under an id the hub holds no row of")
	} else if fe, ok := records.AsFieldError(err); !ok || fe.Field != "id" || fe.Key != records.KeyNoProgrammeRow {
		t.Errorf("unknown id: %v, want id %s", err, records.KeyNoProgrammeRow)
	}
	if snap, err := h.Hub.Replica().Snapshot(ctx, records.WelfarePosts, made); err != nil || len(snap) != 0 {
		t.Errorf("the hub holds a row under the unknown id: %v %v", snap, err)
	}
	batch := &records.ExportBatch{SentOn: "2026-03-01", Destination: "浙江省宁波市", PartnerRegionID: hubtest.NewRowID(t).String()}
	if _, err := h.Hub.SaveCountyProgramme(ctx, records.ExportBatches, ident.ID{}, batch, who); err == nil {
		t.Error("a batch naming no partner region saved")
	} else if fe, ok := records.AsFieldError(err); !ok || fe.Field != "partner_region_id" || fe.Key != records.KeyNoProgrammeRow {
		t.Errorf("unknown partner region: %v", err)
	}
	region, err := h.Hub.SaveCountyProgramme(ctx, records.PartnerRegions, ident.ID{}, &records.PartnerRegion{Name: "宁波市", Kind: "东西部协作"}, who)
	if err != nil {
		t.Fatal(err)
	}
	batch.PartnerRegionID = region.String()
	if _, err := h.Hub.SaveCountyProgramme(ctx, records.ExportBatches, ident.ID{}, batch, who); err != nil {
		t.Errorf("a batch naming the county's partner region: %v", err)
	}
	if _, err := h.Hub.SaveCountyProgramme(ctx, records.Workshops, ident.ID{}, post, who); err == nil {
		t.Error("a welfare post saved as a workshop")
	}
	log, err := h.Hub.Access().AuditLog(ctx, 100)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range log {
		if e.Action == access.AuditProgramme && e.User == "县管理员" {
			n++
		}
	}
	if n != 4 { // the post, its edit, the region, the batch
		t.Errorf("%d programme saves in the audit log, want 4", n)
	}
}

// A station deletes the workshop it made only once no person's record
// names it: the hub refuses the delete while its own job names it (in_use),
// and accepts it in a batch that deletes the job first.
func TestProgrammeRowInUse(t *testing.T) {
	h := hubtest.NewServer(t, "http", hub.Options{})
	ea := h.Enroll("站A")
	a := hubtest.NewHostile(t, h, ea)
	a.Connect()
	w := hubtest.WithStation(hubtest.WorkerEdit(ea.Key, hubtest.IDNumber(8100), "车间的人", "13800000000"), "站A")
	shop := hubtest.NewRowID(t)
	ws := records.Workshop{Name: "帮扶车间", Village: "150421100201"}
	job := hubtest.NewRowID(t)
	j := records.WorkshopJob{WorkerID: w.Row.String(), WorkshopID: shop.String(), StartOn: "2026-01-01"}
	if err := errors.Join(ws.Validate(), j.Validate()); err != nil {
		t.Fatal(err)
	}
	a.Do(w, hubtest.WithStation(replica.Edit{Table: records.Workshops, Row: shop, Set: ws.Columns()}, "站A"),
		hubtest.WithStation(replica.Edit{Table: records.WorkshopJobs, Row: job, Set: j.Columns()}, "站A"))
	hr := h.Hub.Replica()
	deleted := func(table string, id ident.ID) any {
		return hubtest.StationValue(t, hr, table, id, replica.DeletedColumn)
	}
	if deleted(records.WorkshopJobs, job) != int64(0) {
		t.Fatal("the job did not reach the hub")
	}
	a.Do(replica.Edit{Table: records.Workshops, Row: shop, Delete: true})
	if deleted(records.Workshops, shop) != int64(0) {
		t.Fatal("the hub deleted a workshop a job names")
	}
	var key string
	if err := hr.DB().QueryRow(`SELECT coalesce(reason_key, '') FROM `+records.Refusals+` WHERE row_id = ?`,
		shop.String()).Scan(&key); err != nil || key != records.KeyInUse {
		t.Fatalf("the refusal of the delete: %q %v, want %s", key, err, records.KeyInUse)
	}
	// A real station takes the hub's restored workshop before it edits
	// again; without it the attacker's next delete can carry a version no
	// newer than the hub's restore (same millisecond), and lose to it.
	a.Catchup()
	a.Do(replica.Edit{Table: records.WorkshopJobs, Row: job, Delete: true},
		replica.Edit{Table: records.Workshops, Row: shop, Delete: true})
	if deleted(records.WorkshopJobs, job) != int64(1) {
		t.Fatal("the hub kept a job its station deleted")
	}
	if deleted(records.Workshops, shop) != int64(1) {
		t.Fatal("the hub kept a workshop whose last job the same batch deleted")
	}
}

// A station enrolled under the county's own name (县级) before the hub
// refused that name at enrolment would pass the maker rule on every row
// the county made: the hub refuses its sessions until it is re-enrolled
// under another name.
func TestCountyNamedStationRefused(t *testing.T) {
	h := hubtest.NewServer(t, "http", hub.Options{})
	e := h.Enroll("站县")
	if _, err := h.Hub.Replica().DB().Exec(`UPDATE hub_stations SET name = ? WHERE name = ?`, records.County, "站县"); err != nil {
		t.Fatal(err)
	}
	e.StationID = records.County
	raw := hubtest.DialRaw(t, h, e)
	raw.Hello(e)
	raw.WS.SetReadDeadline(time.Now().Add(10 * time.Second))
	m, ok := hubtest.ReadMessage(t, raw).(*syncproto.Error)
	if !ok || m.Code != syncproto.ErrCodeAuth {
		t.Fatalf("a station named %s got %v, want an auth error", records.County, m)
	}
}
