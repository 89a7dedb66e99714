package stationweb

import (
	"fmt"
	"net/http/httptest"
	"testing"
	"time"
)

// BenchmarkLedger3000 serves the 台账 and the 月报 of a station with 3,000
// people, each with this month's status, as pages and as workbooks; each
// figure is reported with its ratio to a floor measured in the same run:
// one query reading the 3,000 rows' roster columns.
func BenchmarkLedger3000(b *testing.B) {
	f := newFixture(b, nil)
	populate(b, f, 3000, "2026-11")
	floor := median(b, 21, func() error {
		rows, err := f.r.DB().Query(`SELECT id, name, id_number, residence_village, tags, monitor_type
			FROM workers WHERE fs_deleted = 0`)
		if err != nil {
			return err
		}
		defer rows.Close()
		n := 0
		for rows.Next() {
			var id []byte
			var name, idn, village, tags, monitor any
			if err := rows.Scan(&id, &name, &idn, &village, &tags, &monitor); err != nil {
				return err
			}
			n++
		}
		if n != 3000 {
			return fmt.Errorf("read %d rows", n)
		}
		return rows.Err()
	})
	b.Logf("floor: reading 3,000 rows' roster columns with one query: %s", floor)
	for _, p := range []struct{ name, path string }{
		{"ledger_page", "/ledger?month=2026-11"},
		{"ledger_xlsx", "/ledger.xlsx?month=2026-11"},
		{"report_page", "/monthly-report?month=2026-11"},
		{"report_xlsx", "/monthly-report.xlsx?month=2026-11"},
	} {
		b.Run(p.name, func(b *testing.B) {
			var total time.Duration
			var size int
			for i := 0; i < b.N; i++ {
				rec := httptest.NewRecorder()
				start := time.Now()
				f.h.ServeHTTP(rec, httptest.NewRequest("GET", p.path, nil))
				total += time.Since(start)
				if rec.Code != 200 {
					b.Fatalf("%s: %d", p.path, rec.Code)
				}
				size = rec.Body.Len()
			}
			per := total / time.Duration(b.N)
			b.ReportMetric(float64(per.Microseconds())/1000, "ms/op")
			b.ReportMetric(float64(per)/float64(floor), "x_floor")
			b.ReportMetric(float64(size)/1024, "KiB")
		})
	}
}
