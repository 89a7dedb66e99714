package benchkit

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"strings"
	"testing"
	"time"
)

// childEnv makes the test binary the idle measurement's child process.
const childEnv = "BENCHKIT_IDLE_CHILD"

func TestMain(m *testing.M) {
	if os.Getenv(childEnv) != "" {
		if err := RunIdleClients(context.Background(), os.Args[len(os.Args)-1], os.Stdin, os.Stdout); err != nil {
			fmt.Fprintln(os.Stderr, "idle clients:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// TestRunTiny runs every measurement at the smallest sizes, end to end, so
// that the harness cannot rot: each row must come out measured, with its
// ratio where it has a limit, and the table and JSON must be written.
func TestRunTiny(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	rows, err := Run(ctx, Config{Sizes: Tiny(), Dir: t.TempDir(),
		Child: []string{os.Args[0], "-test.run=^$"}, ChildEnv: []string{childEnv + "=1"}})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{}
	for _, s := range steps() {
		for _, r := range s.rows {
			want[r.ID] = true
		}
	}
	for _, r := range rows {
		delete(want, r.ID)
		if r.Err != "" {
			t.Errorf("%s: %s", r.ID, r.Err)
			continue
		}
		if math.IsNaN(r.Figure) || r.Figure <= 0 && r.ID != "idle-memory" {
			t.Errorf("%s: figure %v", r.ID, r.Figure)
		}
		if r.Limit != 0 && (math.IsNaN(r.Ratio) || r.Ratio <= 0) {
			t.Errorf("%s: ratio %v with limit %v", r.ID, r.Ratio, r.Limit)
		}
		if r.Target != nil && r.Pass == nil {
			t.Errorf("%s: target not judged", r.ID)
		}
	}
	for id := range want {
		t.Errorf("row %s missing", id)
	}
	rows = append(rows, ParseGoBench(strings.NewReader(goBenchSample))...)
	var table bytes.Buffer
	if err := WriteTable(&table, rows); err != nil {
		t.Fatal(err)
	}
	var js bytes.Buffer
	if err := WriteJSON(&js, Results{Mode: "tiny", Rows: rows}); err != nil {
		t.Fatal(err)
	}
	var back struct {
		Rows []map[string]any `json:"rows"`
	}
	if err := json.Unmarshal(js.Bytes(), &back); err != nil {
		t.Fatal(err)
	}
	if len(back.Rows) != len(rows) {
		t.Errorf("JSON holds %d rows, want %d", len(back.Rows), len(rows))
	}
	if testing.Verbose() {
		t.Logf("\n%s", table.String())
	}
}

const goBenchSample = `goos: linux
BenchmarkDashboard-2   	       1	4123456789 ns/op	      4123 ms/op	         0.2100 cached-ms/op
BenchmarkDashboardLive-2   	       1	57000000 ns/op	        57.00 ms/op	         0.3800 ratio-to-target
BenchmarkReport/queries-2      	       1	22900000000 ns/op	        22.90 s/op	         3.100 MB/op
BenchmarkReport/live-2      	       1	24213243065 ns/op	        23.03 MB/op	         2.421 ratio-to-target	        24.21 s/op
PASS
`

// TestParseGoBench reads the report benchmarks' metrics and judges them.
func TestParseGoBench(t *testing.T) {
	rows := ParseGoBench(strings.NewReader(goBenchSample))
	got := map[string]Row{}
	for _, r := range rows {
		got[r.ID] = r
	}
	if r := got["report-dashboard"]; r.Figure != 57 || r.Pass == nil || !*r.Pass {
		t.Errorf("dashboard: %+v", r)
	}
	if r := got["report-dashboard-queries"]; r.Figure != 4123 || r.Pass != nil {
		t.Errorf("dashboard from the queries: %+v", r)
	}
	if r := got["report-monthly-live"]; r.Figure != 24210 || r.Pass == nil || *r.Pass {
		t.Errorf("monthly live: %+v", r)
	}
	if r := got["report-monthly-queries"]; r.Figure != 22900 || r.Pass == nil || *r.Pass {
		t.Errorf("monthly: %+v", r)
	}
	if r := got["report-dashboard-cached"]; r.Figure != 0.21 || r.Pass != nil {
		t.Errorf("cached: %+v", r)
	}
	missing := ParseGoBench(strings.NewReader("FAIL fieldsync/report [build failed]\n"))
	for _, r := range missing {
		if r.Err == "" {
			t.Errorf("%s: no error for missing output", r.ID)
		}
	}
}
