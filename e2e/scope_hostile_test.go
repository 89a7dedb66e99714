package e2e

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"fieldsync/hub"
	"fieldsync/ident"
	"fieldsync/internal/hubtest"
	"fieldsync/records"
	"fieldsync/replica"
	"fieldsync/station"
	"fieldsync/station/stationweb"
	"fieldsync/syncclient"
	"fieldsync/syncproto"
)

// apiStation is a whole station in process: its SQLite directory, its
// sync client connected to the test hub, and its HTTP handler (JSON API and
// web pages), as `station serve` wires them.
type apiStation struct {
	t      *testing.T
	name   string
	enr    syncproto.Enrollment
	rep    *replica.Replica
	hd     http.Handler
	client *syncclient.Client
	cancel context.CancelFunc
	done   chan error
}

func newAPIStation(t *testing.T, h *hubtest.Server, name string) *apiStation {
	t.Helper()
	e := h.Enroll(name)
	dir := t.TempDir()
	cfg := station.Config{Name: e.StationID, Site: e.Site.String(), Key: hex.EncodeToString(e.Key),
		Enrollment: e.String(), Older: records.DefaultOlder, Addr: station.DefaultAddr}
	rep, err := station.OpenReplica(context.Background(), dir, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	s := &apiStation{t: t, name: name, enr: e, rep: rep}
	t.Cleanup(func() {
		s.stopSync()
		rep.Close()
	})
	s.startSync()
	core, err := station.New(station.Options{Replica: rep, Config: cfg, Sync: s.client})
	if err != nil {
		t.Fatal(err)
	}
	srv, err := stationweb.New(stationweb.Options{Station: core, Sync: s.client,
		// The Host httptest.NewRequest sends.
		Hosts: []string{"example.com"}})
	if err != nil {
		t.Fatal(err)
	}
	s.hd = srv.Handler()
	return s
}

func (s *apiStation) startSync() {
	s.t.Helper()
	c, err := syncclient.New(syncclient.Config{Enrollment: s.enr, Replica: s.rep,
		MinBackoff: 10 * time.Millisecond, MaxBackoff: 200 * time.Millisecond})
	if err != nil {
		s.t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	s.client, s.cancel, s.done = c, cancel, make(chan error, 1)
	go func() { s.done <- c.Run(ctx) }()
}

func (s *apiStation) stopSync() {
	if s.cancel == nil {
		return
	}
	s.cancel()
	if err := <-s.done; !errors.Is(err, context.Canceled) {
		s.t.Errorf("%s sync: %v", s.name, err)
	}
	s.cancel = nil
}

// api calls the station's JSON API in process.
func (s *apiStation) api(method, path string, body any) (int, map[string]any) {
	s.t.Helper()
	var rd io.Reader
	if body != nil {
		b, ok := body.(string)
		if !ok {
			j, err := json.Marshal(body)
			if err != nil {
				s.t.Fatal(err)
			}
			b = string(j)
		}
		rd = strings.NewReader(b)
	}
	req := httptest.NewRequest(method, path, rd)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	rec := httptest.NewRecorder()
	s.hd.ServeHTTP(rec, req)
	var out map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
		s.t.Fatalf("%s %s at %s: %d, not JSON: %.300s", method, path, s.name, rec.Code, rec.Body.String())
	}
	return rec.Code, out
}

func (s *apiStation) mustCreate(path string, body any) string {
	s.t.Helper()
	st, out := s.api("POST", path, body)
	if st != http.StatusCreated {
		s.t.Fatalf("POST %s at %s: %d %v", path, s.name, st, out)
	}
	return out["id"].(string)
}

// page GETs a web page of the station.
func (s *apiStation) page(path string) (int, string) {
	s.t.Helper()
	rec := httptest.NewRecorder()
	s.hd.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
	return rec.Code, rec.Body.String()
}

// inSync reports whether the station holds exactly the hub's rows of its
// scope, and the hub everything the station wrote.
func inSync(t testing.TB, h *hubtest.Server, s *apiStation) bool {
	t.Helper()
	ctx := context.Background()
	hh, hn, err := h.Hub.Replica().ContentHash(ctx, h.Hub.ScopeFilter(s.name))
	if err != nil {
		t.Fatal(err)
	}
	sh, sn, err := s.rep.ContentHash(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if hh != sh || hn != sn {
		return false
	}
	mine, _ := hubtest.OwnChanges(t, s.rep, s.rep.Site())
	atHub, _ := hubtest.OwnChanges(t, h.Hub.Replica(), s.rep.Site())
	return mine == atHub
}

func apiWorkerBody(idn, name string) map[string]any {
	return map[string]any{"id_number": idn, "name": name, "phone": "13800138000", "ethnicity": "蒙古族",
		"hukou_village": "150421100201", "education": "初中", "labour_ability": "普通劳动力",
		"tags": []string{"农民工"}, "skills": []string{"电焊"}, "willing_away": true}
}

func mustParseID(t testing.TB, s string) ident.ID {
	t.Helper()
	id, err := ident.ParseID(s)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func hasRow(t testing.TB, r *replica.Replica, table, id string) bool {
	t.Helper()
	row, err := ident.ParseID(id)
	if err != nil {
		t.Fatal(err)
	}
	var n int
	if err := r.DB().QueryRow(`SELECT count(*) FROM `+table+` WHERE id = ?`, row[:]).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n > 0
}

// A station trying to read another station's workers: station A registers
// a worker (with a monthly status, a follow-up and registrations) that only
// A has; B's sync never brings it to B's replica, B's API cannot find it by
// name, id number or id, and a hand-made sync client holding B's token that
// asks for the hub's whole log (Hello with cursor 0) receives only B's
// scope: the county-wide tables and the workers of B's scope (here one of
// A's that the county moved into it; B's own are not sent back to it).
func TestHostileStationReadsAnotherStationsWorkers(t *testing.T) {
	h := hubtest.NewServer(t, "http", hub.Options{})
	a := newAPIStation(t, h, "站A")
	b := newAPIStation(t, h, "站B")

	secretIDN := hubtest.IDNumber(4242)
	const secretName = "只在A站的人"
	wa := a.mustCreate("/api/workers", apiWorkerBody(secretIDN, secretName))
	aRows := map[string]string{wa: records.Workers}
	aRows[a.mustCreate("/api/followups", map[string]any{"worker_id": wa, "date": "2026-11-10", "method": "上门",
		"service_type": "岗位推荐", "content": "A站的台账", "staff": "李四"})] = records.Followups
	aRows[a.mustCreate("/api/unemployment-registrations", map[string]any{"worker_id": wa, "place_type": "户籍地",
		"registered_on": "2026-10-01", "reason": "合同到期"})] = records.Unemployment
	aRows[a.mustCreate("/api/jobseeker-registrations", map[string]any{"worker_id": wa, "intended_work": "保洁",
		"work_type": "零工"})] = records.Jobseeker
	if st, out := a.api("POST", "/api/monthly-status", map[string]any{"worker_id": wa, "month": "2026-11",
		"list_type": "失业", "verified_by_method": "电话", "verified_by": "李四", "verified_at": "2026-11-10"}); st/100 != 2 {
		t.Fatalf("monthly status: %d %v", st, out)
	} else {
		aRows[out["id"].(string)] = records.MonthlyStatus
	}
	// County-wide: a gig of A's, which B must receive.
	gig := a.mustCreate("/api/gigs", map[string]any{"title": "摘枸杞", "occupation": "采摘", "headcount": 5, "wage": 150,
		"wage_unit": "元/天", "settlement": "日结", "place": "150421100", "start_date": "2026-11-20",
		"employer": "绿源农业公司", "contact": "13800138000"})
	wb := b.mustCreate("/api/workers", apiWorkerBody(hubtest.IDNumber(4243), "B站自己的人"))
	// Another worker of A's that the county moves into B's scope as well.
	shared := a.mustCreate("/api/workers", apiWorkerBody(hubtest.IDNumber(4244), "两站共有的人"))
	hubtest.WaitFor(t, 30*time.Second, "A's workers at the hub", func() bool {
		return hasRow(t, h.Hub.Replica(), records.Workers, shared) && hasRow(t, h.Hub.Replica(), records.Workers, wa)
	})
	if err := h.Hub.AddToScope(context.Background(), "站B", []ident.ID{mustParseID(t, shared)}); err != nil {
		t.Fatal(err)
	}
	b.client.Kick()

	hubtest.WaitFor(t, 30*time.Second, "both stations in sync with the hub", func() bool {
		return inSync(t, h, a) && inSync(t, h, b) && hasRow(t, b.rep, records.Gigs, gig) &&
			hasRow(t, b.rep, records.Workers, shared)
	})

	// B's replica: nothing of A's worker.
	for id, table := range aRows {
		if hasRow(t, b.rep, table, id) {
			t.Errorf("B's replica holds A's %s %s", table, id)
		}
	}
	if n := hubtest.RowCount(t, b.rep, records.Workers); n != 2 {
		t.Errorf("B's replica holds %d workers, want its own and the one moved into its scope", n)
	}
	// B's API: not found by name, id number, the id number's ends, or id.
	for _, q := range []string{secretName, "只在A", secretIDN, secretIDN[:6], secretIDN[len(secretIDN)-4:]} {
		st, out := b.api("GET", "/api/workers?q="+url.QueryEscape(q), nil)
		if st != http.StatusOK {
			t.Fatalf("B searches %q: %d %v", q, st, out)
		}
		for _, w := range out["workers"].([]any) {
			if w.(map[string]any)["id"] == wa {
				t.Errorf("B's search for %q finds A's worker: %v", q, w)
			}
		}
	}
	if st, out := b.api("GET", "/api/workers/"+wa, nil); st != http.StatusNotFound {
		t.Errorf("B reads A's worker by id: %d %v", st, out)
	}
	if st, body := b.page("/workers/" + wa); st != http.StatusNotFound || strings.Contains(body, secretName) {
		t.Errorf("B's worker page for A's worker: %d (shows the name: %v)", st, strings.Contains(body, secretName))
	}

	// A hand-made client with B's token asks for everything.
	b.stopSync()
	got := rawPullAll(t, h, b.enr)
	filter := h.Hub.ScopeFilter("站B")
	tables := map[string]int{}
	for _, ch := range got {
		tables[ch.Table]++
		if tbl, ok := h.Hub.Replica().Schema().Table(ch.Table); !ok || !filter(tbl, ch.Row) {
			t.Errorf("the hub sent B's token %s %s, outside B's scope", ch.Table, ch.Row)
		}
		if table, ok := aRows[ch.Row.String()]; ok {
			t.Errorf("the hub sent B's token A's %s %s", table, ch.Row)
		}
		if ch.Table == records.Workers && ch.Row.String() != wb && ch.Row.String() != shared {
			t.Errorf("the hub sent B's token worker %s, not one of B's scope", ch.Row)
		}
	}
	if tables[records.Gigs] == 0 || tables[records.Workers] == 0 || tables[records.Stations] == 0 {
		t.Errorf("B's full pull lacks its scope: %v", tables)
	}
	t.Logf("B's full pull: changes by table %v", tables)
}

// rawPullAll opens a sync session with e's credentials by hand, says it holds
// nothing of the hub's log (Hello cursor 0), acknowledges every batch, and
// returns every change the hub sent until it reached the end of its log.
func rawPullAll(t *testing.T, h *hubtest.Server, e syncproto.Enrollment) []replica.Change {
	t.Helper()
	r := hubtest.DialRaw(t, h, e)
	r.Hello(e) // Cursor 0: everything
	r.WS.SetReadDeadline(time.Now().Add(30 * time.Second))
	if m := hubtest.ReadMessage(t, r); m.Type() != syncproto.TypeWelcome {
		t.Fatalf("hello answered %v", m.Type())
	}
	end, err := h.Hub.Replica().MaxSeq(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var out []replica.Change
	for {
		mt, b, err := r.WS.ReadMessage()
		if err != nil {
			t.Fatalf("reading batches (have %d changes): %v", len(out), err)
		}
		if mt != websocket.BinaryMessage {
			continue
		}
		m, err := r.Codec.Decode(b)
		if err != nil {
			t.Fatal(err)
		}
		switch m := m.(type) {
		case *syncproto.Batch:
			out = append(out, m.Changes...)
			r.Send(&syncproto.Ack{Seq: m.Last})
			if m.Last >= end {
				r.WS.Close()
				return out
			}
		case *syncproto.Error:
			t.Fatalf("the hub refused: %v", m)
		}
	}
}
