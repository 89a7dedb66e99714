package main

import (
	"bufio"
	"context"
	"encoding/hex"
	"errors"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"fieldsync/hub"
	"fieldsync/internal/hubtest"
	"fieldsync/records"
	"fieldsync/station"
	"fieldsync/station/stationweb"
	"fieldsync/syncclient"
)

// hub sample with --months makes a hub whose dashboard for the current
// month has people on each of the three lists, follow-ups, open
// registrations and placements.
func TestSampleHistoryFillsTheDashboard(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "hub")
	runOK(t, "init", "--dir", dir, "--name", "示例县", "--url", "http://127.0.0.1:8400")
	runOK(t, "station", "add", "--dir", dir, "--name", "乌兰站", "--code", "150421100201")
	runOK(t, "sample", "--dir", dir, "--gigs", "10", "--seed", "3")
	out := runOK(t, "sample", "--dir", dir, "--station", "乌兰站", "--workers", "60", "--seed", "1", "--months", "12")
	if !strings.Contains(out, "60 sample workers") {
		t.Fatalf("sample said %q", out)
	}

	ctx := context.Background()
	h, err := hub.Open(ctx, hub.Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	month := h.Now().In(h.Zone()).Format(records.MonthLayout)
	f, err := h.Dashboard(ctx, month)
	if err != nil {
		t.Fatal(err)
	}
	c := f.Lists.Count
	if c.Employed == 0 || c.Unemployed == 0 || c.WillingAway == 0 {
		t.Errorf("lists of %s: %+v, want people on each", month, c)
	}
	if c.Total() != 60 {
		t.Errorf("lists of %s: %d people, want all 60", month, c.Total())
	}
	if p := f.Lists.Prev; p.Total() != 60 {
		t.Errorf("lists of the month before: %+v, want all 60", p)
	}
	if f.Gigs.Placed == 0 {
		t.Errorf("gigs: %+v, want placements", f.Gigs)
	}
	var statuses, openRegs, dueFollowups int
	db := h.Replica().DB()
	today := h.Now().In(h.Zone()).Format(records.DateLayout)
	if err := db.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM monthly_status),
		(SELECT count(*) FROM unemployment_registrations WHERE deregistered_on IS NULL),
		(SELECT count(*) FROM followups WHERE next_due <= ?)`, today).Scan(&statuses, &openRegs, &dueFollowups); err != nil {
		t.Fatal(err)
	}
	if statuses != 60*12 || openRegs == 0 || dueFollowups == 0 {
		t.Errorf("%d statuses (want %d), %d open registrations, %d follow-ups due", statuses, 60*12, openRegs, dueFollowups)
	}
	// The station's placement programmes and services: a row of each
	// table, all the station's.
	for _, tb := range append(slices.Clone(records.CountyWideTables), records.PersonRecordTables...) {
		var n, theirs int
		if err := db.QueryRowContext(ctx, `SELECT count(*), count(*) FILTER (WHERE station = '乌兰站') FROM `+tb).Scan(&n, &theirs); err != nil {
			t.Fatal(err)
		}
		if n == 0 || theirs != n {
			t.Errorf("%s: %d sample rows, %d of them the station's", tb, n, theirs)
		}
	}

	// Regular jobs and postings suiting older workers, older workers'
	// health checks.
	var jobs, suitOlder, checked int
	if err := db.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM gigs WHERE kind = ? AND wage_unit = ?),
		(SELECT count(*) FROM gigs WHERE suits_older = 1),
		(SELECT count(*) FROM workers WHERE health_check_on IS NOT NULL AND health_check_result IS NOT NULL)`,
		records.GigKindJob, records.MonthlyWageUnit).Scan(&jobs, &suitOlder, &checked); err != nil {
		t.Fatal(err)
	}
	if jobs == 0 || suitOlder == 0 || checked == 0 {
		t.Errorf("%d regular jobs, %d postings suiting older workers, %d health checks", jobs, suitOlder, checked)
	}

	// Bad flags are named.
	for _, args := range [][]string{
		{"sample", "--dir", dir, "--station", "乌兰站", "--workers", "1", "--months", "121"},
		{"sample", "--dir", dir, "--conflicts", "offline", "--station", "乌兰站"},
		{"sample", "--dir", dir, "--conflicts", "later", "--station", "乌兰站", "--other", "x"},
	} {
		if err := run(ctx, args, strings.NewReader(""), &strings.Builder{}, &strings.Builder{}); err == nil {
			t.Errorf("hub %v: no error", args)
		}
	}
}

// demoStation is a station as `station serve` wires it: its replica, sync
// client and HTTP handler, in process.
type demoStation struct {
	t      *testing.T
	name   string
	hd     http.Handler
	cancel context.CancelFunc
	done   chan error
}

func newDemoStation(t *testing.T, h *hubtest.Server, name string) *demoStation {
	t.Helper()
	e := h.Enroll(name)
	cfg := station.Config{Name: e.StationID, Site: e.Site.String(), Key: hex.EncodeToString(e.Key),
		Enrollment: e.String(), Older: records.DefaultOlder, Addr: station.DefaultAddr}
	rep, err := station.OpenReplica(context.Background(), t.TempDir(), cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	c, err := syncclient.New(syncclient.Config{Enrollment: e, Replica: rep,
		MinBackoff: 10 * time.Millisecond, MaxBackoff: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &demoStation{t: t, name: name, cancel: cancel, done: make(chan error, 1)}
	go func() { s.done <- c.Run(ctx) }()
	t.Cleanup(func() {
		s.cancel()
		if err := <-s.done; !errors.Is(err, context.Canceled) {
			t.Errorf("%s sync: %v", name, err)
		}
		rep.Close()
	})
	core, err := station.New(station.Options{Replica: rep, Config: cfg, Sync: c})
	if err != nil {
		t.Fatal(err)
	}
	srv, err := stationweb.New(stationweb.Options{Station: core, Sync: c, Hosts: []string{"example.com"}})
	if err != nil {
		t.Fatal(err)
	}
	s.hd = srv.Handler()
	return s
}

// do makes one request of a `hub sample --conflicts` line at the station.
func (s *demoStation) do(method, path, body string) (int, string) {
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	rec := httptest.NewRecorder()
	s.hd.ServeHTTP(rec, req)
	return rec.Code, rec.Body.String()
}

// requestLines splits the output of `hub sample --conflicts`.
func requestLines(t *testing.T, out string) [][4]string {
	t.Helper()
	var lines [][4]string
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		f := strings.Split(sc.Text(), "\t")
		if len(f) != 4 {
			t.Fatalf("line %q: want 4 fields separated by tabs", sc.Text())
		}
		lines = append(lines, [4]string(f))
	}
	return lines
}

// The demo's conflicts, made as scripts/run makes them (the hub stopped
// while the county and both stations edit), appear in the hub's queue:
// four field conflicts and one of each rule.
func TestSampleConflictsReachTheQueue(t *testing.T) {
	srv := hubtest.NewServer(t, "http", hub.Options{})
	stations := map[string]*demoStation{}
	for _, name := range []string{"甲站", "乙站"} {
		stations[name] = newDemoStation(t, srv, name)
	}
	addr := srv.Addr
	restart := func(cli func()) {
		srv.Stop()
		cli()
		srv.Open()
		srv.Serve(addr)
	}
	var waits string
	restart(func() {
		runOK(t, "sample", "--dir", srv.Dir, "--gigs", "8", "--seed", "3")
		runOK(t, "sample", "--dir", srv.Dir, "--station", "甲站", "--workers", "40", "--seed", "1", "--months", "12")
		runOK(t, "sample", "--dir", srv.Dir, "--station", "乙站", "--workers", "20", "--seed", "2", "--months", "12")
		waits = runOK(t, "sample", "--dir", srv.Dir, "--conflicts", "prepare", "--station", "甲站", "--other", "乙站")
	})
	for _, w := range requestLines(t, waits) {
		st := stations[w[0]]
		hubtest.WaitFor(t, 30*time.Second, w[2]+" at "+w[0], func() bool {
			code, _ := st.do(w[1], w[2], w[3])
			return code == http.StatusOK
		})
	}
	var reqs string
	restart(func() {
		reqs = runOK(t, "sample", "--dir", srv.Dir, "--conflicts", "offline", "--station", "甲站", "--other", "乙站")
		// The stations edit while the hub is down.
		for _, r := range requestLines(t, reqs) {
			if code, body := stations[r[0]].do(r[1], r[2], r[3]); code >= 300 {
				t.Errorf("%s %s at %s: %d %s", r[1], r[2], r[0], code, body)
			}
		}
	})

	want := []string{hub.KindField, hub.KindField, hub.KindField, hub.KindField,
		hub.KindIdentity, hub.KindOverfilled, hub.KindTwoOpen, hub.KindWelfareAway}
	slices.Sort(want)
	var got []string
	hubtest.WaitFor(t, 30*time.Second, "the demo's conflicts "+strings.Join(want, ","), func() bool {
		cs, _, err := srv.Hub.Conflicts(context.Background(), hub.ConflictFilter{})
		if err != nil {
			t.Fatal(err)
		}
		got = got[:0]
		for _, c := range cs {
			got = append(got, c.Kind)
		}
		slices.Sort(got)
		return slices.Equal(got, want)
	})
	cs, _, err := srv.Hub.Conflicts(context.Background(), hub.ConflictFilter{})
	if err != nil {
		t.Fatal(err)
	}
	var fields []string
	for _, c := range cs {
		if c.Kind == hub.KindField {
			fields = append(fields, c.Table+"."+c.Column)
		}
	}
	slices.Sort(fields)
	if want := []string{"monthly_status.employment_form", "monthly_status.work_scope", "workers.phone", "workers.phone"}; !slices.Equal(fields, want) {
		t.Errorf("field conflicts on %v, want %v", fields, want)
	}
}
