package stationweb

import (
	"context"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	"fieldsync/records"
	"fieldsync/records/sample"
	"fieldsync/replica"
)

// populate writes n sample workers and a monthly status for each, in the
// proportions 60% employed, 25% unemployed, 15% willing to work away.
func populate(b testing.TB, f *fixture, n int, month string) {
	ctx := context.Background()
	key, _ := f.cfg.DeploymentKey()
	edits := sample.Workers(n, 7, key, f.cfg.Name)
	for start := 0; start < len(edits); start += 5000 {
		chunk := edits[start:min(start+5000, len(edits))]
		statuses := make([]replica.Edit, 0, len(chunk))
		for i, e := range chunk {
			// 就业 in the county's own village, or 失业 (with no employment
			// form or income, as today's rules ask), some of them willing
			// to work away: every status valid, so that a confirm of the
			// next month carries each over.
			m := records.MonthStatus{WorkerID: e.Row.String(), Month: month, ListType: records.ListEmployed,
				WorkScope: "本村", EmploymentForm: "灵活就业", MonthlyIncome: records.Income(2500),
				VerifiedByMethod: "电话", VerifiedBy: "李四", VerifiedAt: month + "-05"}
			switch (start + i) % 20 {
			case 0, 1, 2, 3, 4, 5, 6, 7:
				m.ListType, m.WorkScope, m.EmploymentForm, m.MonthlyIncome = records.ListUnemployed, "", "", nil
				m.WillingAway = (start+i)%20 >= 5
			}
			if err := m.Validate(); err != nil {
				b.Fatalf("populate: status %d: %v", start+i, err)
			}
			statuses = append(statuses, replica.Edit{Table: records.MonthlyStatus, Row: m.ID(key), Set: m.Columns()})
		}
		if _, err := f.r.Write(ctx, append(append([]replica.Edit{}, chunk...), statuses...)...); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPages100k renders the worker list, searches and the three lists
// of a station holding 100,000 workers. Target: at most 100 ms per page.
func BenchmarkPages100k(b *testing.B) {
	f := newFixture(b, nil)
	start := time.Now()
	populate(b, f, 100_000, "2026-11")
	b.Logf("populated 100,000 workers and statuses in %s", time.Since(start).Round(time.Millisecond))
	var someName, someID, somePhone string
	if err := f.r.DB().QueryRow(`SELECT name, id_number, phone FROM workers LIMIT 1 OFFSET 54321`).Scan(&someName, &someID, &somePhone); err != nil {
		b.Fatal(err)
	}
	// A cursor deep into the unemployed list, as the pager's "next" makes it.
	deep, err := f.st.ListEntries(context.Background(), "2026-11", records.ListUnemployed, 50, 9950, "")
	if err != nil || deep.Next == "" {
		b.Fatalf("deep page: %v", err)
	}
	gigs := sample.Gigs(1, 3, testNow, f.cfg.Name)
	if _, err := f.r.Write(context.Background(), gigs...); err != nil {
		b.Fatal(err)
	}
	pages := []struct{ name, path string }{
		{"gig_matches", "/gigs/" + gigs[0].Row.String()},
		{"list_unemployed_cursor_10000", "/lists?month=2026-11&list=unemployed&after=" + deep.Next},
		{"home", "/"},
		{"workers", "/workers"},
		{"workers_page_100", "/workers?offset=5000"},
		{"search_name", "/workers?q=" + url.QueryEscape(someName)},
		{"search_surname", "/workers?q=" + url.QueryEscape(string([]rune(someName)[:1]))},
		{"search_id_number", "/workers?q=" + someID},
		{"search_id_prefix", "/workers?q=" + someID[:10]},
		{"search_phone_tail", "/workers?q=" + somePhone[7:]},
		{"list_employed", "/lists?month=2026-11&list=employed"},
		{"list_unemployed", "/lists?month=2026-11&list=unemployed"},
		{"list_unemployed_offset_10000", "/lists?month=2026-11&list=unemployed&offset=10000"},
		{"list_willing_away", "/lists?month=2026-11&list=willing_away"},
		{"api_workers_1000", "/api/workers?limit=1000"},
	}
	for _, p := range pages {
		b.Run(p.name, func(b *testing.B) {
			var total time.Duration
			for i := 0; i < b.N; i++ {
				rec := httptest.NewRecorder()
				start := time.Now()
				f.h.ServeHTTP(rec, httptest.NewRequest("GET", p.path, nil))
				total += time.Since(start)
				if rec.Code != 200 {
					b.Fatalf("%s: %d", p.path, rec.Code)
				}
			}
			b.ReportMetric(float64(total.Microseconds())/1000/float64(b.N), "ms/page")
		})
	}
}
