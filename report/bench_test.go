package report

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// The benchmark county: the sizes issue 6 names.
var benchConfig = bulkConfig{
	Workers: 200_000, Months: monthsEnding("2026-11", 12), StatusShare: 0.95,
	Followups: 2_000_000, Gigs: 50_000, PlacementShare: 2, Seed: 1,
}

var (
	benchOnce sync.Once
	benchPath string
	benchTemp string // the temporary directory benchDB made, removed by TestMain
	benchErr  error
)

func TestMain(m *testing.M) {
	code := m.Run()
	if benchTemp != "" {
		os.RemoveAll(benchTemp)
	}
	os.Exit(code)
}

// benchDB builds the benchmark county once per run, in a temporary file, or
// reuses the file FIELDSYNC_REPORT_BENCH_DB names (built there if absent), since
// writing 4.6 million rows through the replica takes minutes.
func benchDB(b *testing.B) string {
	benchOnce.Do(func() {
		benchPath = os.Getenv("FIELDSYNC_REPORT_BENCH_DB")
		if benchPath != "" {
			if _, err := os.Stat(benchPath); err == nil {
				return
			}
		} else {
			dir, err := os.MkdirTemp("", "report-bench")
			if err != nil {
				benchErr = err
				return
			}
			benchTemp = dir
			benchPath = filepath.Join(dir, "county.db")
		}
		r := openReplica(b, benchPath)
		benchErr = genBulk(context.Background(), r, benchConfig, b.Logf)
	})
	if benchErr != nil {
		b.Fatal(benchErr)
	}
	return benchPath
}

// TestBuildBenchData builds the benchmark county ahead of a benchmark run when
// FIELDSYNC_REPORT_BENCH_DB names a file that does not exist yet.
func TestBuildBenchData(t *testing.T) {
	path := os.Getenv("FIELDSYNC_REPORT_BENCH_DB")
	if path == "" {
		t.Skip("FIELDSYNC_REPORT_BENCH_DB not set")
	}
	if _, err := os.Stat(path); err == nil {
		t.Skip("already built")
	}
	r := openReplica(t, path)
	if err := genBulk(context.Background(), r, benchConfig, t.Logf); err != nil {
		t.Fatal(err)
	}
}

// benchIndexes are the indexes the report asks records/schema.go for; the
// benchmark creates them itself until the schema has them (see
// docs/REPORTS.md).
var benchIndexes = []string{
	`CREATE INDEX IF NOT EXISTS report_status ON monthly_status(month, fs_deleted, worker_id, verified_at, id,
		list_type, work_scope, employment_form, monthly_income)`,
	`CREATE INDEX IF NOT EXISTS report_workers_village ON workers(residence_village, fs_deleted, tags, id_number, id)`,
	`CREATE INDEX IF NOT EXISTS report_followups ON followups(worker_id, date, id, fs_deleted)`,
	`CREATE INDEX IF NOT EXISTS report_placements ON placements(gig_id, status, fs_deleted, placed_on)`,
}

func openBench(b *testing.B) *sql.DB {
	path := benchDB(b)
	r := openReplica(b, path)
	for _, ix := range benchIndexes {
		if _, err := r.DB().Exec(ix); err != nil {
			b.Fatal(err)
		}
	}
	if _, err := r.DB().Exec(`PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
		b.Fatal(err)
	}
	return r.DB()
}

// BenchmarkDashboard computes every figure of the last month from scratch
// (cold: no cache), and reports the cached figure too.
func BenchmarkDashboard(b *testing.B) {
	db := openBench(b)
	ctx := context.Background()
	month := benchConfig.Months[len(benchConfig.Months)-1]
	stations := make([]StationHealth, 200)
	for i := range stations {
		stations[i] = StationHealth{Name: fmt.Sprint("station ", i), LastSync: time.Now().Add(-time.Duration(i) * time.Hour)}
	}
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		if _, err := Dashboard(ctx, db, month, stations, Options{}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(time.Since(start).Microseconds())/1000/float64(b.N), "ms/op")
	b.StopTimer()
	cache := NewCache(2)
	if _, err := cache.Dashboard(ctx, db, 1, month, stations, Options{}); err != nil {
		b.Fatal(err)
	}
	start = time.Now()
	for i := 0; i < 100; i++ {
		if _, err := cache.Dashboard(ctx, db, 1, month, stations, Options{}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(time.Since(start).Microseconds())/1000/100, "cached-ms/op")
}

// BenchmarkReport writes the monthly workbook of the last month.
func BenchmarkReport(b *testing.B) {
	db := openBench(b)
	ctx := context.Background()
	month := benchConfig.Months[len(benchConfig.Months)-1]
	b.ResetTimer()
	start := time.Now()
	var cw countingWriter
	for i := 0; i < b.N; i++ {
		if err := WriteXLSX(ctx, &cw, db, month, Options{}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(time.Since(start).Seconds()/float64(b.N), "s/op")
	b.ReportMetric(float64(cw.n)/float64(b.N)/1e6, "MB/op")
}

// BenchmarkPeople reads one drill-down page: a village's employed.
func BenchmarkPeople(b *testing.B) {
	db := openBench(b)
	ctx := context.Background()
	month := benchConfig.Months[len(benchConfig.Months)-1]
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		p, err := People(ctx, db, PeopleQuery{Month: month, List: "employed", Area: "150421100200", Limit: 50}, Options{})
		if err != nil || len(p.People) != 50 {
			b.Fatal(err, p)
		}
	}
	b.ReportMetric(float64(time.Since(start).Microseconds())/1000/float64(b.N), "ms/op")
}

type countingWriter struct{ n int64 }

func (w *countingWriter) Write(p []byte) (int, error) { w.n += int64(len(p)); return len(p), nil }
