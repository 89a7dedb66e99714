package hubweb_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"testing"
	"time"

	"fieldsync/hub"
	"fieldsync/hub/access"
	"fieldsync/internal/hubtest"
	"fieldsync/records"
	"fieldsync/replica"
)

// BenchmarkConflictQueue measures, over loopback HTTP with a logged-in
// administrator, the conflict queue (page and API, first 100 of 10,000 open
// conflicts) and a worker's history (page and API) in a hub whose history
// index holds 1,000,000 entries (100,000 workers, each written 10 times).
// Target: ≤ 100 ms each.
func BenchmarkConflictQueue(b *testing.B) {
	ctx := context.Background()
	h := hubtest.NewServer(b, "http", hub.Options{})
	rep := h.Hub.Replica()
	key := rep.Key()
	const workers, rounds, batch = 100_000, 10, 1000
	start := time.Now()
	for r := 0; r < rounds; r++ {
		for i := 0; i < workers; i += batch {
			edits := make([]replica.Edit, 0, batch)
			for j := i; j < i+batch; j++ {
				idn := hubtest.IDNumber(j)
				e := replica.Edit{Table: records.Workers, Row: key.Derive(records.Workers, idn)}
				if r == 0 {
					e.Set = []replica.ColumnValue{{Column: "id_number", Value: idn}, {Column: "name", Value: fmt.Sprintf("人员%06d", j)}}
				} else {
					e.Set = []replica.ColumnValue{{Column: "notes", Value: fmt.Sprintf("第%d次核实", r)}}
				}
				edits = append(edits, e)
			}
			if _, err := rep.Write(ctx, edits...); err != nil {
				b.Fatal(err)
			}
		}
	}
	var entries int
	rep.DB().QueryRow(`SELECT count(*) FROM fs_rowlog`).Scan(&entries)
	// 10,000 open conflicts, as recordConflicts stores them.
	vals, _ := json.Marshal([]hub.ConflictValue{{Index: 0, Value: "13800000001", Station: "站A", Wins: false},
		{Index: 1, Value: "13800000002", Station: "站B", Wins: true}})
	tx, _ := rep.DB().Begin()
	for i := 0; i < 10_000; i++ {
		row := key.Derive(records.Workers, hubtest.IDNumber(i))
		if _, err := tx.Exec(`INSERT INTO hub_conflicts(kind, tbl, row, col, worker, worker_name, id_masked, stations,
			vals, created_ms, updated_ms) VALUES('field', 'workers', ?, 'phone', ?, ?, ?, ',站A,站B,', ?, ?, ?)`,
			row.String(), row.String(), fmt.Sprintf("人员%06d", i), records.MaskIDNumber(hubtest.IDNumber(i)), string(vals),
			time.Now().UnixMilli(), time.Now().UnixMilli()); err != nil {
			b.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
	b.Logf("setup: %d history entries, 10,000 conflicts in %s", entries, time.Since(start).Round(time.Second))
	h.AddAdmin("viewer", access.RoleViewer)
	c := h.Client()
	{ // the login form, as a browser fills it
		resp, err := c.Get(h.URL() + "/login")
		if err != nil {
			b.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		m := hubtest.CSRFPattern.FindSubmatch(body)
		if m == nil {
			b.Fatal("login page without a CSRF token")
		}
		resp, err = c.PostForm(h.URL()+"/login", url.Values{"csrf": {string(m[1])}, "user": {"viewer"}, "password": {hubtest.Password("viewer")}})
		if err != nil {
			b.Fatal(err)
		}
		resp.Body.Close()
	}
	_, tok := h.APILogin("viewer", hubtest.Password("viewer"))
	target := key.Derive(records.Workers, hubtest.IDNumber(54321))
	get := func(path string, bearer bool) {
		req, _ := http.NewRequest("GET", h.URL()+path, nil)
		cl := c
		if bearer {
			req.Header.Set("Authorization", "Bearer "+tok)
			cl = h.Client()
		}
		resp, err := cl.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			b.Fatalf("%s: %s", path, resp.Status)
		}
	}
	for _, tc := range []struct {
		name, path string
		bearer     bool
	}{
		{"queue-page", "/conflicts", false},
		{"queue-api", "/api/conflicts?limit=100", true},
		{"queue-filtered-api", "/api/conflicts?station=" + "站B" + "&table=workers&type=field", true},
		{"history-page", "/workers/" + target.String(), false},
		{"history-api", "/api/workers/" + target.String() + "/history", true},
	} {
		b.Run(tc.name, func(b *testing.B) {
			get(tc.path, tc.bearer) // warm
			b.ResetTimer()
			start := time.Now()
			for range b.N {
				get(tc.path, tc.bearer)
			}
			b.ReportMetric(float64(time.Since(start).Microseconds())/1000/float64(b.N), "ms/op")
		})
	}
}
