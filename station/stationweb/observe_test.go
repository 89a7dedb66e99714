package stationweb

import (
	"bytes"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"fieldsync/station"
)

// The probes and metrics answer this PC only, without login even where
// staff must log in for everything else.
func TestObserveLoopbackOnly(t *testing.T) {
	f := newFixture(t, nil)
	users, err := station.LoadUsers(f.dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := users.Set("wang5", "correct horse"); err != nil {
		t.Fatal(err)
	}
	f.r.Close()
	src := &stubSync{}
	src.status.PendingUp = 4
	src.status.LastSync = testNow.Add(-time.Hour)
	src.status.ClockOffset = -1500 * time.Millisecond
	src.status.LastError = "link down"
	f = openFixture(t, f.dir, f.cfg, func(o *Options) { o.Users = users; o.RequireLogin = true; o.Sync = src })
	for _, path := range []string{"/healthz", "/readyz", "/metrics"} {
		for _, tc := range []struct {
			remote string
			want   int
		}{
			{"127.0.0.1:40000", http.StatusOK},
			{"[::1]:40000", http.StatusOK},
			{"192.168.1.20:40000", http.StatusForbidden},
			{"[2001:db8::1]:40000", http.StatusForbidden},
		} {
			req := httptest.NewRequest("GET", path, nil)
			req.RemoteAddr = tc.remote
			if r := f.serve(req); r.status != tc.want {
				t.Errorf("%s from %s: %d, want %d", path, tc.remote, r.status, tc.want)
			}
		}
	}
	req := httptest.NewRequest("GET", "/metrics", nil)
	req.RemoteAddr = "127.0.0.1:40000"
	r := f.serve(req)
	for _, want := range []string{"fieldsync_station_pending_changes 4\n", "fieldsync_station_sync_error 1\n",
		"fieldsync_station_clock_offset_seconds -1.5\n", "fieldsync_station_sync_connected 0\n",
		"fieldsync_station_last_sync_timestamp_seconds " + itoa(testNow.Add(-time.Hour).Unix()) + "\n",
		"fieldsync_station_database_bytes "} {
		if !strings.Contains(r.raw, want) {
			t.Errorf("/metrics lacks %q:\n%s", want, r.raw)
		}
	}
	// The rest still needs a login, from loopback too.
	req = httptest.NewRequest("GET", "/api/workers", nil)
	req.RemoteAddr = "127.0.0.1:40000"
	if r := f.serve(req); r.status != http.StatusUnauthorized {
		t.Errorf("/api/workers from loopback without login: %d", r.status)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// The station's logs (its core, its web adapter, its access log) name no
// worker: a worker registered over the API, looked up by name and id number
// in a query string, and a workbook import with a bad row leave neither
// the name, the id number nor the phone in them.
func TestNoPersonalDataInStationLogs(t *testing.T) {
	var logs bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	f := newFixture(t, func(o *Options) { o.Logger, o.AccessLog = log, log })
	const (
		name  = "乌云其木格"
		phone = "13912345678"
	)
	idn := idNumber("19850304", 77)
	body := workerBody(idn)
	body["name"], body["phone"] = name, phone
	id := f.mustCreate("/api/workers", body)
	f.api("GET", "/api/workers?"+url.Values{"q": {name}}.Encode(), nil)
	f.api("GET", "/api/workers?"+url.Values{"q": {idn}}.Encode(), nil)
	f.api("GET", "/api/workers/"+id, nil)
	// A duplicate registration (an error the core reports).
	f.api("POST", "/api/workers", body)

	const (
		name2  = "那仁满都拉"
		phone2 = "13698765432"
	)
	idn2 := idNumber("19900101", 78)
	row := staffRow(1, idn2, name2)
	row[3] = phone2
	bad := staffRow(2, idn, name) // registered here before: a row error naming the person
	badPhone := staffRow(3, idNumber("19900101", 79), name2+"乙")
	badPhone[3] = "12345"
	b := f.browser()
	if r := b.upload("workers.xlsx", makeXLSX(t, [][]any{staffHeader, row, bad, badPhone})); r.status != http.StatusOK {
		t.Fatalf("import: %d %s", r.status, r.raw)
	}
	b.get("/workers?" + url.Values{"q": {name2}}.Encode())

	out := logs.String()
	if !strings.Contains(out, `"route":"POST /import"`) || !strings.Contains(out, `"route":"GET /api/workers/{id}"`) {
		t.Fatalf("the access log is missing, so this test proves nothing:\n%s", out)
	}
	for _, secret := range []string{name, idn, phone, name2, idn2, phone2, idn[:17],
		url.QueryEscape(name), url.QueryEscape(name2)} {
		if strings.Contains(out, secret) {
			t.Errorf("the station's log holds %q:\n%s", secret, out)
		}
	}
}
