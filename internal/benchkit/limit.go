package benchkit

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	_ "github.com/mattn/go-sqlite3" // the driver the replica uses

	"fieldsync/replica"
)

// plainDB is the limit every engine figure is compared with: the same rows
// in plain tables (the domain columns and nothing else: no merge state, no
// log), INSERTed through the same driver with a prepared statement per
// table, WAL, synchronous=NORMAL unless told otherwise.
type plainDB struct {
	db    *sql.DB
	cols  map[string][]string // by table, in schema order
	stmts map[string]*sql.Stmt
	// What the inserts cost, summed over insert calls.
	wall, cpu time.Duration
	rows      int
}

// openPlain makes the plain tables of schema in a new database at path, with
// the schema's own indexes when withIndexes, and the extra indexes given
// (column lists by table, replica.Options.Indexes' form, fs_deleted dropped).
func openPlain(ctx context.Context, path string, schema *replica.Schema, sync string, withIndexes bool, extra map[string][][]string) (*plainDB, error) {
	db, err := sql.Open("sqlite3", "file:"+path+"?_journal_mode=WAL&_synchronous="+sync)
	if err != nil {
		return nil, fmt.Errorf("open plain database: %w", err)
	}
	db.SetMaxOpenConns(1)
	p := &plainDB{db: db, cols: map[string][]string{}, stmts: map[string]*sql.Stmt{}}
	for _, t := range schema.Tables() {
		var cols, defs, qs []string
		for _, c := range t.Columns {
			typ := "TEXT"
			switch c.Type {
			case replica.Integer:
				typ = "INTEGER"
			case replica.Real:
				typ = "REAL"
			}
			cols, defs, qs = append(cols, c.Name), append(defs, c.Name+" "+typ), append(qs, "?")
		}
		p.cols[t.Name] = cols
		if _, err := db.ExecContext(ctx, "CREATE TABLE "+t.Name+" (id BLOB PRIMARY KEY, "+strings.Join(defs, ", ")+")"); err != nil {
			db.Close()
			return nil, fmt.Errorf("plain table %s: %w", t.Name, err)
		}
		var ixs [][]string
		if withIndexes {
			ixs = append(ixs, t.Indexes...)
		}
		ixs = append(ixs, extra[t.Name]...)
		for k, ix := range ixs {
			var keep []string
			for _, c := range ix {
				if c != replica.DeletedColumn {
					keep = append(keep, c)
				}
			}
			if _, err := db.ExecContext(ctx, fmt.Sprintf("CREATE INDEX %s_ix%d ON %s(%s)", t.Name, k, t.Name, strings.Join(keep, ", "))); err != nil {
				db.Close()
				return nil, fmt.Errorf("plain index on %s: %w", t.Name, err)
			}
		}
		st, err := db.PrepareContext(ctx, fmt.Sprintf("INSERT INTO %s (id, %s) VALUES (?, %s)", t.Name, strings.Join(cols, ", "), strings.Join(qs, ", ")))
		if err != nil {
			db.Close()
			return nil, fmt.Errorf("prepare plain insert into %s: %w", t.Name, err)
		}
		p.stmts[t.Name] = st
	}
	return p, nil
}

// Close closes the database.
func (p *plainDB) Close() error {
	for _, st := range p.stmts {
		st.Close()
	}
	return p.db.Close()
}

// args flattens an edit into its table's arguments; sets become the JSON
// array text the replica stores.
func (p *plainDB) args(e replica.Edit) ([]any, error) {
	cols := p.cols[e.Table]
	args := make([]any, 1+len(cols))
	args[0] = e.Row[:]
	for _, cv := range e.Set {
		v := cv.Value
		if s, ok := v.([]string); ok {
			b, err := json.Marshal(s)
			if err != nil {
				return nil, fmt.Errorf("set value: %w", err)
			}
			v = string(b)
		}
		found := false
		for i, c := range cols {
			if c == cv.Column {
				args[1+i], found = v, true
				break
			}
		}
		if !found {
			return nil, fmt.Errorf("plain table %s has no column %s", e.Table, cv.Column)
		}
	}
	return args, nil
}

// insert writes edits (first writes of rows) in one transaction and adds
// its wall and CPU time to the totals.
func (p *plainDB) insert(ctx context.Context, edits []replica.Edit) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	// Statements run without cancellation, as the replica's writes do
	// (go-sqlite3 runs a statement with a cancellable context on a goroutine
	// of its own, which made this limit a third slower than raw SQLite).
	ctx = context.WithoutCancel(ctx)
	start, cpu := time.Now(), cpuTime()
	tx, err := p.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("plain insert: %w", err)
	}
	defer tx.Rollback()
	stmts := map[string]*sql.Stmt{}
	for _, e := range edits {
		st, ok := stmts[e.Table]
		if !ok {
			st = tx.StmtContext(ctx, p.stmts[e.Table])
			stmts[e.Table] = st
		}
		args, err := p.args(e)
		if err != nil {
			return err
		}
		if _, err := st.ExecContext(ctx, args...); err != nil {
			return fmt.Errorf("plain insert into %s: %w", e.Table, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("plain insert commit: %w", err)
	}
	p.wall += time.Since(start)
	p.cpu += cpuTime() - cpu
	p.rows += len(edits)
	return nil
}

// rate is the plain inserts' rows per second of wall time.
func (p *plainDB) rate() float64 { return float64(p.rows) / p.wall.Seconds() }

// stopwatch sums the wall and CPU time of the engine's side of a
// measurement, around each batch.
type stopwatch struct {
	wall, cpu time.Duration
	t0        time.Time
	c0        time.Duration
}

func (s *stopwatch) start() { s.t0, s.c0 = time.Now(), cpuTime() }
func (s *stopwatch) stop() {
	s.wall += time.Since(s.t0)
	s.cpu += cpuTime() - s.c0
}

// cpuRatio compares CPU time per row: the limit's over the engine's (a
// higher ratio is better, like the wall-time ratio of rates).
func cpuRatio(engineCPU time.Duration, engineRows int, limitCPU time.Duration, limitRows int) float64 {
	if engineCPU <= 0 || limitCPU <= 0 {
		return 0
	}
	return (float64(limitCPU) / float64(limitRows)) / (float64(engineCPU) / float64(engineRows))
}
