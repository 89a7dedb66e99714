package report

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"fieldsync/ident"
	"fieldsync/records"
	"fieldsync/replica"
)

// The benchmark county: the sizes issue 6 names.
var benchConfig = bulkConfig{
	Workers: 200_000, Months: monthsEnding("2026-11", 12), StatusShare: 0.95,
	Followups: 2_000_000, Gigs: 50_000, PlacementShare: 2, Seed: 1,
}

// benchGenVersion names the generator's output: bump it whenever genBulk or
// benchConfig changes what it writes, so that a cached county is rebuilt.
const benchGenVersion = 4

var (
	benchOnce sync.Once
	benchPath string
	benchErr  error
)

// benchDB returns the benchmark county's database file, building it on first
// use (writing 4.6 million rows through the replica takes about 15 minutes).
// It is cached under os.TempDir(), keyed by benchGenVersion, so that later
// runs reuse it; FIELDSYNC_REPORT_BENCH_DB names another file instead. The
// county is built in a side file and renamed when complete, so an interrupted
// build is never reused.
func benchDB(b *testing.B) string {
	benchOnce.Do(func() {
		benchPath = os.Getenv("FIELDSYNC_REPORT_BENCH_DB")
		if benchPath == "" {
			benchPath = filepath.Join(os.TempDir(), fmt.Sprintf("fieldsync-report-bench-g%d.db", benchGenVersion))
		}
		if _, err := os.Stat(benchPath); err == nil {
			return
		}
		benchErr = buildBenchDB(b, benchPath)
	})
	if benchErr != nil {
		b.Fatal(benchErr)
	}
	return benchPath
}

// buildBenchDB generates the benchmark county into path.
func buildBenchDB(tb testing.TB, path string) error {
	tmp := path + ".building"
	for _, f := range []string{tmp, tmp + "-wal", tmp + "-shm"} {
		if err := os.Remove(f); err != nil && !os.IsNotExist(err) {
			return fmt.Errorf("build bench county: %w", err)
		}
	}
	r := openReplica(tb, tmp)
	if err := genBulk(context.Background(), r, benchConfig, tb.Logf); err != nil {
		return fmt.Errorf("build bench county: %w", err)
	}
	if err := genBulkMonthFacts(context.Background(), r, benchConfig, tb.Logf); err != nil {
		return fmt.Errorf("build bench county: %w", err)
	}
	if err := genBulkProgrammes(context.Background(), r, benchConfig, tb.Logf); err != nil {
		return fmt.Errorf("build bench county: %w", err)
	}
	if err := genBulkServices(context.Background(), r, benchConfig, tb.Logf); err != nil {
		return fmt.Errorf("build bench county: %w", err)
	}
	if err := r.Close(); err != nil {
		return fmt.Errorf("build bench county: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("build bench county: %w", err)
	}
	return nil
}

// genBulkMonthFacts adds to a county genBulk wrote what the month's
// registration, flow and data-quality figures count: unemployment
// registrations (for a tenth of the workers, registered on a day of the
// months, 40% closed some days later, 2% voided), job-seeking registrations
// (a tenth), people without a phone (2%) and who left (1%), statuses of
// the last month flagged willing_away on the 就业 list (5%) and not verified
// (1%, verified_at cleared).
func genBulkMonthFacts(ctx context.Context, r *replica.Replica, cfg bulkConfig, logf func(string, ...any)) error {
	rng := rand.New(rand.NewPCG(uint64(cfg.Seed), 17))
	b := &batcher{ctx: ctx, r: r, limit: 1000}
	start := time.Now()
	var ids []string
	rows, err := r.DB().QueryContext(ctx, `SELECT lower(hex(id)) FROM workers ORDER BY id`)
	if err != nil {
		return err
	}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return err
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	first, _ := time.Parse("2006-01", cfg.Months[0])
	last, _ := time.Parse("2006-01", cfg.Months[len(cfg.Months)-1])
	days := int(last.AddDate(0, 1, 0).Sub(first).Hours() / 24)
	day := func(from time.Time, n int) string { return from.AddDate(0, 0, rng.IntN(n)).Format(records.DateLayout) }
	for i, wid := range ids {
		row, err := ident.ParseID(wid)
		if err != nil {
			return err
		}
		switch p := rng.IntN(100); {
		case p < 2:
			if err := b.add(replica.Edit{Table: records.Workers, Row: row, Set: []replica.ColumnValue{{Column: "phone", Value: nil}}}); err != nil {
				return err
			}
		case p < 3:
			if err := b.add(replica.Edit{Table: records.Workers, Row: row, Set: []replica.ColumnValue{
				{Column: "left_reason", Value: "迁出"}, {Column: "left_on", Value: day(first, days)}}}); err != nil {
				return err
			}
		}
		if rng.IntN(10) == 0 {
			on := first.AddDate(0, 0, rng.IntN(days))
			u := records.UnemploymentRegistration{WorkerID: wid, PlaceType: records.PlaceTypes[rng.IntN(len(records.PlaceTypes))],
				RegisteredOn: on.Format(records.DateLayout), Reason: "失去工作"}
			if rng.IntN(10) < 4 {
				u.DeregisteredOn, u.DeregistrationReason = day(on, 120), "已就业"
			}
			if rng.IntN(50) == 0 {
				u.VoidReason, u.VoidedOn = "录入错误", u.RegisteredOn
			}
			id, err := ident.NewTimeOrdered(on.Add(time.Duration(i) * time.Millisecond))
			if err != nil {
				return err
			}
			if err := b.add(replica.Edit{Table: records.Unemployment, Row: id, Set: u.Columns()}); err != nil {
				return err
			}
		}
		if rng.IntN(10) == 0 {
			on := first.AddDate(0, 0, rng.IntN(days))
			j := records.JobseekerRegistration{WorkerID: wid, IntendedWork: "建筑工", WorkType: records.WorkTypes[rng.IntN(3)],
				RegisteredOn: on.Format(records.DateLayout)}
			id, err := ident.NewTimeOrdered(on.Add(time.Duration(i) * time.Millisecond))
			if err != nil {
				return err
			}
			if err := b.add(replica.Edit{Table: records.Jobseeker, Row: id, Set: j.Columns()}); err != nil {
				return err
			}
		}
		st := records.MonthStatus{WorkerID: wid, Month: cfg.Months[len(cfg.Months)-1]}
		sid := st.ID(testKey)
		switch p := rng.IntN(100); {
		case p < 5:
			// Only an existing 就业 row takes the flag: a row this
			// would create has no list.
			var list sql.NullString
			if err := r.DB().QueryRowContext(ctx, `SELECT list_type FROM monthly_status WHERE id = ?`, sid[:]).Scan(&list); err != nil && !errors.Is(err, sql.ErrNoRows) {
				return err
			}
			if list.String == records.ListEmployed {
				if err := b.add(replica.Edit{Table: records.MonthlyStatus, Row: sid, Set: []replica.ColumnValue{{Column: "willing_away", Value: int64(1)}}}); err != nil {
					return err
				}
			}
		case p < 6:
			var n int
			if err := r.DB().QueryRowContext(ctx, `SELECT count(*) FROM monthly_status WHERE id = ?`, sid[:]).Scan(&n); err != nil {
				return err
			}
			if n == 1 {
				if err := b.add(replica.Edit{Table: records.MonthlyStatus, Row: sid, Set: []replica.ColumnValue{{Column: "verified_at", Value: nil}}}); err != nil {
					return err
				}
			}
		}
	}
	if err := b.flush(); err != nil {
		return err
	}
	logf("registrations, phones, leaving, flags, unverified: %d rows, %s", b.n, time.Since(start))
	return nil
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
	if err := buildBenchDB(t, path); err != nil {
		t.Fatal(err)
	}
}

// openBench opens the benchmark county as the hub does, with
// records.HubIndexes, after dropping any other index a former run left in the
// cached file, so that every run measures the hub's own indexes. It is opened
// once per process and stays open (benchmarks run several times).
func openBench(b *testing.B) *sql.DB {
	benchOpenOnce.Do(func() { benchOpenDB = openBenchOnce(b) })
	if benchOpenDB == nil {
		b.Fatal("the benchmark county did not open")
	}
	return benchOpenDB
}

var (
	benchOpenOnce sync.Once
	benchOpenDB   *sql.DB
)

func openBenchOnce(b *testing.B) *sql.DB {
	path := benchDB(b)
	s, err := records.NewSchema()
	if err != nil {
		b.Fatal(err)
	}
	want := map[string]bool{}
	for _, t := range s.Tables() {
		for _, ix := range t.Indexes {
			want[indexName(t.Name, ix)] = true
		}
	}
	for name, ixs := range records.HubIndexes() {
		for _, ix := range ixs {
			want[indexName(name, ix)] = true
		}
	}
	raw, err := sql.Open("sqlite3", "file:"+path)
	if err != nil {
		b.Fatal(err)
	}
	defer raw.Close()
	rows, err := raw.Query(`SELECT name FROM sqlite_master WHERE type = 'index' AND name NOT LIKE 'sqlite_%'`)
	if err != nil {
		b.Fatal(err)
	}
	var drop []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			b.Fatal(err)
		}
		if !want[n] {
			drop = append(drop, n)
		}
	}
	if err := rows.Err(); err != nil {
		b.Fatal(err)
	}
	rows.Close()
	for _, n := range drop {
		b.Logf("dropping index %s, not the hub's", n)
		if _, err := raw.Exec(`DROP INDEX ` + n); err != nil {
			b.Fatal(err)
		}
	}
	raw.Close()
	start := time.Now()
	r, err := replica.Open(context.Background(), path, replica.Options{Schema: s, Key: testKey, Synchronous: "NORMAL",
		Indexes: records.HubIndexes()})
	if err != nil {
		b.Fatal(err)
	}
	if d := time.Since(start); d > time.Second {
		b.Logf("opened with the hub's indexes in %s (built the missing ones)", d.Round(time.Millisecond))
	}
	if _, err := r.DB().Exec(`PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
		b.Fatal(err)
	}
	return r.DB()
}

// indexName is the name replica gives an index on cols of table.
func indexName(table string, cols []string) string {
	return table + "_" + strings.Join(cols, "_")
}

// benchLimits measures, in the same run, what any query-time approach must at
// least pay: SQLite counting the rows of monthly_status (count(*), which reads
// its narrowest index), and reading once, from the hub's covering indexes, the
// rows a month's figures look at (the month's and the previous month's
// statuses, every worker). It reports both in ms.
func benchLimits(b *testing.B, db *sql.DB, month, prev string) {
	b.Helper()
	ctx := context.Background()
	var n int
	start := time.Now()
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM monthly_status`).Scan(&n); err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(time.Since(start).Microseconds())/1000, "limit-count-ms")
	start = time.Now()
	err := withConn(ctx, db, func(q queryer) error {
		var a, c int
		if err := q.QueryRowContext(ctx, `SELECT count(list_type) FROM monthly_status
			WHERE month IN (?, ?) AND fs_deleted = 0`, month, prev).Scan(&a); err != nil {
			return err
		}
		return q.QueryRowContext(ctx, `SELECT count(tags) FROM workers`).Scan(&c)
	})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(time.Since(start).Microseconds())/1000, "limit-read-ms")
}

// BenchmarkDashboard computes every figure of the last month from scratch
// (cold: no cache), and reports the cached figure too, and the same run's
// limits (benchLimits).
func BenchmarkDashboard(b *testing.B) {
	db := openBench(b)
	ctx := context.Background()
	month := benchConfig.Months[len(benchConfig.Months)-1]
	stations := make([]StationHealth, 200)
	for i := range stations {
		stations[i] = StationHealth{Name: fmt.Sprint("station ", i), LastSync: time.Now().Add(-time.Duration(i) * time.Hour)}
	}
	// One run first: the file's pages into the OS cache, as on a hub that runs.
	if _, err := Dashboard(ctx, db, month, stations, Options{}); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		if _, err := Dashboard(ctx, db, month, stations, Options{}); err != nil {
			b.Fatal(err)
		}
	}
	ms := float64(time.Since(start).Microseconds()) / 1000 / float64(b.N)
	b.StopTimer()
	b.ReportMetric(ms, "ms/op")
	b.ReportMetric(ms/150, "ratio-to-target")
	benchLimits(b, db, month, benchConfig.Months[len(benchConfig.Months)-2])
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

// benchLive loads a Live from the benchmark county once per run, and
// reports how long the load took and the heap it holds.
func benchLive(b *testing.B, db *sql.DB) *Live {
	b.Helper()
	benchLiveOnce.Do(func() {
		runtime.GC()
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		start := time.Now()
		l := NewLive(&benchSource{db: db})
		if benchLiveErr = l.Sync(context.Background()); benchLiveErr != nil {
			return
		}
		benchLiveLoad = time.Since(start)
		runtime.GC()
		runtime.ReadMemStats(&after)
		benchLiveHeap = int64(after.HeapAlloc) - int64(before.HeapAlloc)
		benchLiveFacts = l
	})
	if benchLiveErr != nil {
		b.Fatal(benchLiveErr)
	}
	return benchLiveFacts
}

// reportLive reports the load of benchLive (after b.ResetTimer, which drops
// metrics reported before it).
func reportLive(b *testing.B) {
	b.ReportMetric(benchLiveLoad.Seconds(), "live-load-s")
	b.ReportMetric(float64(benchLiveHeap)/(1<<20), "live-heap-MiB")
}

var (
	benchLiveOnce  sync.Once
	benchLiveFacts *Live
	benchLiveErr   error
	benchLiveLoad  time.Duration
	benchLiveHeap  int64
)

// benchSource is a LogSource over a bare database whose log does not move.
type benchSource struct{ db *sql.DB }

func (s *benchSource) DB() *sql.DB { return s.db }
func (s *benchSource) MaxSeq(ctx context.Context) (uint64, error) {
	var n uint64
	err := s.db.QueryRowContext(ctx, `SELECT coalesce(max(seq), 0) FROM fs_log`).Scan(&n)
	return n, err
}
func (s *benchSource) ReadLog(context.Context, uint64, replica.LogQuery) ([]replica.LogEntry, uint64, error) {
	return nil, 0, errors.New("the benchmark county does not change")
}

// BenchmarkDashboardLive computes every figure of the last month from the
// facts Live keeps (Options.Live), without the cache: what the hub pays when
// its data changed since the figures were last asked for.
func BenchmarkDashboardLive(b *testing.B) {
	db := openBench(b)
	ctx := context.Background()
	month := benchConfig.Months[len(benchConfig.Months)-1]
	opt := Options{Live: benchLive(b, db)}
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		if _, err := Dashboard(ctx, db, month, nil, opt); err != nil {
			b.Fatal(err)
		}
	}
	ms := float64(time.Since(start).Microseconds()) / 1000 / float64(b.N)
	b.StopTimer()
	b.ReportMetric(ms, "ms/op")
	b.ReportMetric(ms/150, "ratio-to-target")
	reportLive(b)
	benchLimits(b, db, month, benchConfig.Months[len(benchConfig.Months)-2])
}

// peakHeap samples the heap in use until stop is called, and returns the
// highest seen, in MiB.
func peakHeap() (stop func() float64) {
	done := make(chan struct{})
	var peak uint64
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(20 * time.Millisecond)
		defer t.Stop()
		var m runtime.MemStats
		for {
			runtime.ReadMemStats(&m)
			peak = max(peak, m.HeapInuse)
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	return func() float64 {
		close(done)
		wg.Wait()
		return float64(peak) / (1 << 20)
	}
}

// BenchmarkReport writes the monthly workbook of the last month: with the
// figures from the queries, and (live) from Live, as the hub does.
func BenchmarkReport(b *testing.B) {
	db := openBench(b)
	ctx := context.Background()
	month := benchConfig.Months[len(benchConfig.Months)-1]
	for _, live := range []bool{false, true} {
		name := "queries"
		if live {
			name = "live"
		}
		b.Run(name, func(b *testing.B) {
			var opt Options
			if live {
				opt.Live = benchLive(b, db)
			}
			b.ResetTimer()
			stop := peakHeap()
			start := time.Now()
			var cw countingWriter
			for i := 0; i < b.N; i++ {
				if err := WriteXLSX(ctx, &cw, db, month, opt); err != nil {
					b.Fatal(err)
				}
			}
			sec := time.Since(start).Seconds() / float64(b.N)
			b.StopTimer()
			b.ReportMetric(stop(), "peak-heap-MiB")
			b.ReportMetric(sec, "s/op")
			b.ReportMetric(sec/10, "ratio-to-target")
			b.ReportMetric(float64(cw.n)/float64(b.N)/1e6, "MB/op")
			if live {
				reportLive(b)
			}
		})
	}
}

// BenchmarkPeople reads one drill-down page: a village's employed (50
// rows, with total), then the first page (DefaultLimit) of every
// DrillFigure, county-wide and for one township (5 of the county's 50
// villages), as the hub reads them: with its Live (livePeople). The target
// is 200 ms a page.
func BenchmarkPeople(b *testing.B) {
	db := openBench(b)
	ctx := context.Background()
	month := benchConfig.Months[len(benchConfig.Months)-1]
	b.Run("village_employed", func(b *testing.B) {
		start := time.Now()
		for i := 0; i < b.N; i++ {
			p, err := People(ctx, db, PeopleQuery{Month: month, List: "employed", Area: "150421100200", Limit: 50}, Options{})
			if err != nil || len(p.People) != 50 {
				b.Fatal(err, p)
			}
		}
		ms := float64(time.Since(start).Microseconds()) / 1000 / float64(b.N)
		b.ReportMetric(ms, "ms/op")
		b.ReportMetric(ms/200, "ratio-to-target")
	})
	opt := Options{Live: benchLive(b, db)}
	for _, d := range DrillFigures {
		for _, area := range []string{"", "150421100"} {
			name := d.Name + "/county"
			if area != "" {
				name = d.Name + "/township"
			}
			b.Run(name, func(b *testing.B) {
				q, err := FigureQuery(d.Name, month, area)
				if err != nil {
					b.Fatal(err)
				}
				start := time.Now()
				var total int
				for i := 0; i < b.N; i++ {
					p, err := People(ctx, db, q, opt)
					if err != nil {
						b.Fatal(err)
					}
					total = p.Total
				}
				ms := float64(time.Since(start).Microseconds()) / 1000 / float64(b.N)
				b.ReportMetric(ms, "ms/op")
				b.ReportMetric(ms/200, "ratio-to-target")
				b.ReportMetric(float64(total), "people")
			})
		}
	}
}

type countingWriter struct{ n int64 }

func (w *countingWriter) Write(p []byte) (int, error) { w.n += int64(len(p)); return len(p), nil }

// BenchmarkProgrammes counts the placement programmes' figures of the last
// month (queryProgrammes, the SQL every report and dashboard adds) on the
// benchmark county.
func BenchmarkProgrammes(b *testing.B) {
	db := openBench(b)
	ctx := context.Background()
	p, err := parsePeriod(benchConfig.Months[len(benchConfig.Months)-1])
	if err != nil {
		b.Fatal(err)
	}
	opt := Options{}.withDefaults()
	var f ProgrammeFigures
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		err := withConn(ctx, db, func(q queryer) (err error) {
			f, err = queryProgrammes(ctx, q, p, opt, nil)
			return
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/op")
	if f.Welfare.People == 0 || f.Workshops.People == 0 || f.Shared.Agreements == 0 || f.WorkRelief.People == 0 ||
		f.Export.People == 0 {
		b.Errorf("the county has no programme figures: %+v", f)
	}
}

// BenchmarkServices times the services' queries alone (queryServices), as
// the workbook runs them: without Live, each person's row joining its
// worker.
func BenchmarkServices(b *testing.B) {
	db := openBench(b)
	ctx := context.Background()
	p, err := parsePeriod(benchConfig.Months[len(benchConfig.Months)-1])
	if err != nil {
		b.Fatal(err)
	}
	opt := Options{}.withDefaults()
	var f ServiceFigures
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		err := withConn(ctx, db, func(q queryer) (err error) {
			f, err = queryServices(ctx, q, p, opt, nil)
			return
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/op")
	if f.Training.Trained == 0 || f.Startups.Startups == 0 || f.Rights.Opened == 0 || f.Returns.People == 0 ||
		f.JobFairs.Fairs == 0 || f.Postings.ByKind[1].Posted == 0 {
		b.Errorf("the county has no service figures: %+v", f)
	}
}
