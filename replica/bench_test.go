package replica_test

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fieldsync/ident"
	"fieldsync/records"
	"fieldsync/records/sample"
	"fieldsync/replica"
)

// The limit every engine figure is compared with: the same worker rows
// INSERTed through the same driver into a plain table (WAL, prepared
// statement, 1,000 rows a transaction), measured in the same run.

const benchBatch = 1000

func workerSchema(b testing.TB) *replica.Schema {
	s, err := records.NewSchema()
	if err != nil {
		b.Fatal(err)
	}
	return s
}

// plainTable opens a plain SQLite table with the workers' columns.
func plainTable(b testing.TB, sync string) (*sql.DB, *sql.Stmt, []string) {
	b.Helper()
	s := workerSchema(b)
	t, _ := s.Table(records.Workers)
	var cols, defs, qs []string
	for _, c := range t.Columns {
		cols = append(cols, c.Name)
		typ := "TEXT"
		if c.Type == replica.Integer {
			typ = "INTEGER"
		}
		defs = append(defs, c.Name+" "+typ)
		qs = append(qs, "?")
	}
	db, err := sql.Open("sqlite3", "file:"+filepath.Join(b.TempDir(), "plain.db")+"?_journal_mode=WAL&_synchronous="+sync)
	if err != nil {
		b.Fatal(err)
	}
	db.SetMaxOpenConns(1)
	if _, err := db.Exec("CREATE TABLE workers (id BLOB PRIMARY KEY, " + strings.Join(defs, ", ") + ")"); err != nil {
		b.Fatal(err)
	}
	st, err := db.Prepare(fmt.Sprintf("INSERT INTO workers (id, %s) VALUES (?, %s)", strings.Join(cols, ", "), strings.Join(qs, ", ")))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close(); db.Close() })
	return db, st, cols
}

// plainArgs flattens an edit into the plain table's arguments; sets become
// the same JSON text the replica stores.
func plainArgs(e replica.Edit, cols []string) []any {
	args := make([]any, 1+len(cols))
	args[0] = e.Row[:]
	for _, cv := range e.Set {
		for i, c := range cols {
			if c == cv.Column {
				if s, ok := cv.Value.([]string); ok {
					cv.Value = `["` + strings.Join(s, `","`) + `"]`
				}
				args[1+i] = cv.Value
			}
		}
	}
	return args
}

// rawLimit inserts rows into the plain table one batch at a time, so that a
// benchmark can interleave it with the engine's batches: both then see the
// same machine load, which on a shared machine matters more than anything.
type rawLimit struct {
	b       testing.TB
	db      *sql.DB
	st      *sql.Stmt
	cols    []string
	elapsed time.Duration
	cpu     time.Duration
	rows    int
}

func newRawLimit(b testing.TB, sync string) *rawLimit {
	db, st, cols := plainTable(b, sync)
	return &rawLimit{b: b, db: db, st: st, cols: cols}
}

func (l *rawLimit) insert(edits []replica.Edit) {
	start, cpu := time.Now(), cpuTime()
	tx, err := l.db.Begin()
	if err != nil {
		l.b.Fatal(err)
	}
	ts := tx.Stmt(l.st)
	for _, e := range edits {
		if _, err := ts.Exec(plainArgs(e, l.cols)...); err != nil {
			l.b.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		l.b.Fatal(err)
	}
	l.elapsed += time.Since(start)
	l.cpu += cpuTime() - cpu
	l.rows += len(edits)
}

// timer sums the wall and CPU time of the engine's side of a benchmark.
type timer struct {
	wall, cpu           time.Duration
	startWall, startCPU time.Duration
	t0                  time.Time
}

func (t *timer) start() { t.t0, t.startCPU = time.Now(), cpuTime() }
func (t *timer) stop() {
	t.wall += time.Since(t.t0)
	t.cpu += cpuTime() - t.startCPU
}

// report prints the engine's rate, the limit's, and both ratios: by wall time
// (what a user waits) and by CPU time (steadier on a shared machine).
func report(b *testing.B, n int, t *timer, l *rawLimit, unit string) {
	got := float64(n) / t.wall.Seconds()
	b.ReportMetric(got, unit)
	b.ReportMetric(l.rate(), "raw-"+unit)
	b.ReportMetric(got/l.rate(), "ratio")
	if t.cpu > 0 && l.cpu > 0 {
		b.ReportMetric((float64(l.cpu)/float64(l.rows))/(float64(t.cpu)/float64(n)), "cpu-ratio")
	}
}

func (l *rawLimit) rate() float64 { return float64(l.rows) / l.elapsed.Seconds() }

func benchReplica(b testing.TB, sync string) *replica.Replica {
	return benchReplicaOpts(b, replica.Options{Synchronous: sync})
}

func benchReplicaOpts(b testing.TB, opt replica.Options) *replica.Replica {
	opt.Schema, opt.Key = workerSchema(b), benchKey
	r, err := replica.Open(context.Background(), filepath.Join(b.TempDir(), "r.db"), opt)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { r.Close() })
	return r
}

var benchKey = ident.Key("benchmark deployment key")

// BenchmarkImport: batched local import of worker rows vs raw inserts.
// Target ≥ 0.5× (issue 2), ≥ 0.6× (issue 8).
func BenchmarkImport(b *testing.B) {
	const n = 50_000
	edits := sample.Workers(n, 1, benchKey, "s1")
	for i := 0; i < b.N; i++ {
		limit := newRawLimit(b, "NORMAL")
		r := benchReplica(b, "NORMAL")
		var tm timer
		for j := 0; j < n; j += benchBatch {
			batch := edits[j:min(j+benchBatch, n)]
			limit.insert(batch)
			tm.start()
			if _, err := r.Write(context.Background(), batch...); err != nil {
				b.Fatal(err)
			}
			tm.stop()
		}
		report(b, n, &tm, limit, "rows/s")
	}
}

// BenchmarkApply: a fresh replica taking the changes of 100,000 worker
// records (as the hub does on a station's initial sync) vs raw inserts, once
// as a station and once as the hub, which also indexes every change by row
// for the record history. Target ≥ 0.3× (issue 2), ≥ 0.4× (issue 8).
func BenchmarkApply(b *testing.B) {
	b.Run("station", func(b *testing.B) { benchApply(b, replica.Options{Synchronous: "NORMAL"}) })
	b.Run("hub", func(b *testing.B) { benchApply(b, replica.Options{Synchronous: "NORMAL", History: true}) })
	// The hub as it runs, with its own indexes (records.HubIndexes: the
	// report's, and workers by name for the conflict queue).
	b.Run("hub-indexed", func(b *testing.B) {
		benchApply(b, replica.Options{Synchronous: "NORMAL", History: true, Indexes: records.HubIndexes()})
	})
}

func benchApply(b *testing.B, opt replica.Options) {
	const n = 100_000
	ctx := context.Background()
	edits := sample.Workers(n, 2, benchKey, "s1")
	src := benchReplica(b, "NORMAL")
	for j := 0; j < n; j += benchBatch {
		if _, err := src.Write(ctx, edits[j:min(j+benchBatch, n)]...); err != nil {
			b.Fatal(err)
		}
	}
	var batches [][]replica.Change
	for after := uint64(0); ; {
		entries, scanned, err := src.ReadLog(ctx, after, replica.LogQuery{Limit: benchBatch, MaxBytes: 1 << 30})
		if err != nil {
			b.Fatal(err)
		}
		if len(entries) == 0 {
			break
		}
		chs := make([]replica.Change, len(entries))
		for k, e := range entries {
			chs[k] = e.Change
		}
		batches = append(batches, chs)
		after = scanned
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		limit := newRawLimit(b, "NORMAL")
		dst := benchReplicaOpts(b, opt)
		var tm timer
		for k, chs := range batches {
			limit.insert(edits[k*benchBatch : min((k+1)*benchBatch, n)])
			tm.start()
			if _, err := dst.Apply(ctx, chs, "peer", uint64(k)); err != nil {
				b.Fatal(err)
			}
			tm.stop()
		}
		report(b, n, &tm, limit, "rows/s")
	}
}

// BenchmarkSingleEdit: one local edit per transaction with the durability the
// station promises (synchronous=FULL: a saved record survives a power cut) vs
// a one-row transaction on the plain table with the same setting.
func BenchmarkSingleEdit(b *testing.B) {
	const n = 500
	ctx := context.Background()
	edits := sample.Workers(n, 3, benchKey, "s1")
	for i := 0; i < b.N; i++ {
		limit := newRawLimit(b, "FULL")
		r := benchReplica(b, "FULL")
		var tm timer
		for _, e := range edits {
			limit.insert([]replica.Edit{e})
			tm.start()
			if _, err := r.Write(ctx, e); err != nil {
				b.Fatal(err)
			}
			tm.stop()
		}
		report(b, n, &tm, limit, "tx/s")
	}
}
