// Package replica is fieldsync's replication engine: a SQLite database (WAL)
// holding the domain tables as plain rows, the merge state of every column, and
// a change log numbered by a local sequence. Local edits and remote changes go
// through the same merge, so every replica that has seen the same changes holds
// the same rows, byte for byte, whatever order the changes came in.
//
// Each column is a last-writer-wins register ordered by (HLC, site). Each
// change names the versions it replaces; a column's heads are the versions no
// known change replaces, and two heads holding different values are a conflict
// that stays visible until someone who saw both writes over them. Set columns
// merge as add-wins sets. See DESIGN.md ("Merge", "Conflicts").
package replica

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"strings"
	"sync"
	"time"

	"fieldsync/dbmigrate"
	"fieldsync/hlc"
	"fieldsync/ident"

	_ "github.com/mattn/go-sqlite3" // the SQLite driver
)

// Errors a caller can test for with errors.Is.
var (
	ErrUnknownTable = errors.New("unknown table")
	ErrUnknownCol   = errors.New("unknown column")
	ErrAppendOnly   = errors.New("append-only table: rows cannot be edited")
	ErrBadValue     = errors.New("bad value")
	ErrBadRowID     = errors.New("row id does not match its key")
	ErrSiteMismatch = errors.New("database belongs to another site")
	ErrNotFound     = errors.New("not found")
	// ErrSchemaChanged: the database's tables are not a prefix of the
	// schema's (a column removed, renamed or inserted before others).
	ErrSchemaChanged = errors.New("the schema changed in a way the database cannot follow")
)

// Options configure Open.
type Options struct {
	Schema *Schema
	// Clock stamps local changes; nil uses the wall clock.
	Clock *hlc.Clock
	// Site is the site id of a new database (random when zero). Opening an
	// existing database with a different non-zero Site fails.
	Site SiteID
	// Key derives and checks the ids of tables with a KeyColumn. Without it ids
	// are not checked.
	Key ident.Key
	// History indexes the change log by row, for the hub's record history.
	History bool
	// Indexes adds SQL indexes to tables, by table name, beyond the schema's
	// own: what one role's pages and reports need (a station's lists, the
	// hub's dashboard) need not slow every replica's writes.
	Indexes map[string][][]string
	// Synchronous is SQLite's synchronous setting: "FULL" (the default: a
	// committed write survives a power cut) or "NORMAL" (survives a process
	// crash; a power cut may lose the last commits).
	Synchronous string
	Logger      *slog.Logger
	// Ladder is the layout ladder of this kind of database file, declared
	// by the application that owns it: the engine's steps (Layout1, ...)
	// and its own, in the order they were added (dbmigrate). Nil takes
	// Ladder(), the engine's steps alone.
	Ladder []dbmigrate.Step
}

// Layout1 is the engine's first layout step, its tables as release 0.5.0
// made them: fs_state, fs_log and fs_cursor. On a 0.5.0 database
// (user_version 0, the tables there) it changes nothing.
var Layout1 = dbmigrate.Statements("replica engine tables",
	`CREATE TABLE IF NOT EXISTS fs_state (key TEXT PRIMARY KEY, value ANY) STRICT`,
	// One log row per transaction (up to maxLogRow changes): its changes
	// encoded together, so that a batch of a thousand edits costs one
	// insert, not a thousand. origin is the site that made every change in
	// it, 0 when they are mixed; at is when it was written here (corrected
	// wall clock, ms), for trimming. AUTOINCREMENT: a trimmed log must never
	// hand out a sequence number again, or a peer would think it acknowledged.
	`CREATE TABLE IF NOT EXISTS fs_log (seq INTEGER PRIMARY KEY AUTOINCREMENT, origin INTEGER NOT NULL,
		n INTEGER NOT NULL, at INTEGER NOT NULL, body BLOB NOT NULL)`,
	`CREATE TABLE IF NOT EXISTS fs_cursor (name TEXT PRIMARY KEY, seq INTEGER NOT NULL) STRICT`,
)

// Ladder is the engine's layout steps, in order: the ladder of a database
// that holds nothing but a replica.
func Ladder() []dbmigrate.Step { return []dbmigrate.Step{Layout1} }

// Replica is one node's database. Methods are safe for concurrent use; writes
// are serialised.
type Replica struct {
	db      *sql.DB
	schema  *Schema
	clock   *hlc.Clock
	site    SiteID
	key     ident.Key
	derive  *ident.Deriver // nil without a key
	log     *slog.Logger
	history bool

	wmu sync.Mutex // one writer at a time
	// Buffers reused by successive write transactions (guarded by wmu).
	wbuf, wlog []byte

	smu   sync.Mutex
	stmts map[string]*sql.Stmt
}

// Open opens or creates the database at path.
func Open(ctx context.Context, path string, opt Options) (*Replica, error) {
	if opt.Schema == nil {
		return nil, errors.New("open replica: no schema")
	}
	sync := strings.ToUpper(opt.Synchronous)
	if sync == "" {
		sync = "FULL"
	}
	if sync != "FULL" && sync != "NORMAL" {
		return nil, fmt.Errorf("open replica: synchronous %q: want FULL or NORMAL", opt.Synchronous)
	}
	if err := create(ctx, path); err != nil {
		return nil, fmt.Errorf("open replica %s: %w", path, err)
	}
	// _stmt_cache_size: each connection keeps its last 32 ad-hoc statements
	// prepared (callers' SQL through Tx.Query and DB()), where preparing one
	// can cost more than running it.
	dsn := "file:" + path + "?_journal_mode=WAL&_synchronous=" + sync +
		"&_busy_timeout=10000&_txlock=immediate&_foreign_keys=0&_stmt_cache_size=32"
	db, err := sql.Open("sqlite3", dsn)
	if err != nil {
		return nil, fmt.Errorf("open replica %s: %w", path, err)
	}
	// Keep every connection open: a new SQLite connection starts with a cold
	// page cache and re-prepares every statement, and database/sql would
	// otherwise close all but two after each burst of concurrent readers.
	db.SetMaxOpenConns(4)
	db.SetMaxIdleConns(4)
	r := &Replica{db: db, schema: opt.Schema, clock: opt.Clock, key: opt.Key, log: opt.Logger, history: opt.History}
	if r.clock == nil {
		r.clock = hlc.NewClock(nil)
	}
	if r.key != nil {
		r.derive = ident.NewDeriver(r.key)
	}
	if r.log == nil {
		r.log = slog.New(slog.DiscardHandler)
	}
	if err := r.init(ctx, opt); err != nil {
		db.Close()
		return nil, fmt.Errorf("open replica %s: %w", path, err)
	}
	return r, nil
}

// create makes a new database file with incremental auto-vacuum, so that the
// pages of a trimmed log go back to the file system. It must be set before
// the first page is written: once the connection of Open has switched the
// file to WAL, SQLite ignores it. An existing file is left as it is.
func create(ctx context.Context, path string) error {
	if fi, err := os.Stat(path); err == nil && fi.Size() > 0 {
		return nil
	} else if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	db, err := sql.Open("sqlite3", "file:"+path)
	if err != nil {
		return err
	}
	defer db.Close()
	for _, q := range []string{`PRAGMA auto_vacuum = INCREMENTAL`, `PRAGMA journal_mode = WAL`} {
		if _, err := db.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("create database: %s: %w", q, err)
		}
	}
	return db.Close()
}

func (r *Replica) init(ctx context.Context, opt Options) error {
	ladder := opt.Ladder
	if ladder == nil {
		ladder = Ladder()
	}
	// The layout first: a database a newer release wrote is refused before
	// anything here touches it.
	if _, err := dbmigrate.Apply(ctx, r.db, ladder); err != nil {
		return err
	}
	var stmts []string
	if opt.History {
		// The history index keys rows by the first 8 bytes of their id, as an
		// integer: half the size of the id, so cheaper to insert; the rare
		// collision is filtered out when the log rows are decoded.
		stmts = append(stmts, `CREATE TABLE IF NOT EXISTS fs_rowlog (rowkey INTEGER NOT NULL, seq INTEGER NOT NULL,
			PRIMARY KEY (rowkey, seq)) WITHOUT ROWID`)
	}
	for _, t := range r.schema.tables {
		var b strings.Builder
		fmt.Fprintf(&b, "CREATE TABLE IF NOT EXISTS %s (id BLOB PRIMARY KEY", t.Name)
		for _, c := range t.Columns {
			fmt.Fprintf(&b, ", %s %s", c.Name, c.Type.sqlType())
		}
		fmt.Fprintf(&b, ", %s INTEGER NOT NULL DEFAULT 0, %s BLOB)", DeletedColumn, MetaColumn)
		stmts = append(stmts, b.String())
	}
	var indexes []string
	for _, t := range r.schema.tables {
		for _, ix := range t.Indexes {
			indexes = append(indexes, indexSQL(t, ix))
		}
	}
	for name, ixs := range opt.Indexes {
		t, ok := r.schema.Table(name)
		if !ok {
			return fmt.Errorf("index on %w: %s", ErrUnknownTable, name)
		}
		for _, ix := range ixs {
			for _, c := range ix {
				if _, ok := t.Column(c); !ok && c != "id" {
					return fmt.Errorf("index on %s: %w: %s", name, ErrUnknownCol, c)
				}
			}
			indexes = append(indexes, indexSQL(t, ix))
		}
	}
	// Freed pages (a trimmed log) go back to the file system on
	// incremental_vacuum: the DSN sets auto_vacuum for a new database.
	tx, err := r.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	for _, s := range stmts {
		if _, err := tx.ExecContext(ctx, s); err != nil {
			return fmt.Errorf("create schema: %w", err)
		}
	}
	for _, t := range r.schema.tables {
		if err := addColumns(ctx, tx, t); err != nil {
			return err
		}
	}
	for _, s := range indexes {
		if _, err := tx.ExecContext(ctx, s); err != nil {
			return fmt.Errorf("create schema: %w", err)
		}
	}
	var site, last int64
	err = tx.QueryRowContext(ctx, `SELECT value FROM fs_state WHERE key='site'`).Scan(&site)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		s := opt.Site
		if s == 0 {
			if s, err = NewSiteID(); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO fs_state(key, value) VALUES('site', ?)`, int64(s)); err != nil {
			return fmt.Errorf("store site id: %w", err)
		}
		site = int64(s)
	case err != nil:
		return fmt.Errorf("read site id: %w", err)
	case opt.Site != 0 && SiteID(site) != opt.Site:
		return fmt.Errorf("%w: %s, not %s", ErrSiteMismatch, SiteID(site), opt.Site)
	}
	r.site = SiteID(site)
	err = tx.QueryRowContext(ctx, `SELECT value FROM fs_state WHERE key='clock'`).Scan(&last)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("read clock: %w", err)
	}
	// The clock never goes below what this replica already stamped or saw, even
	// when the PC's calendar went backwards while it was off.
	r.clock.Observe(hlc.Timestamp(last))
	return tx.Commit()
}

// addColumns adds to a table made by an earlier schema the columns the
// schema has appended since. Merge state names columns by their place in the
// schema, so only appending keeps it valid: a database whose columns are not
// a prefix of the schema's is refused (ErrSchemaChanged).
func addColumns(ctx context.Context, tx *sql.Tx, t *Table) error {
	rows, err := tx.QueryContext(ctx, `SELECT name FROM pragma_table_info(?)`, t.Name)
	if err != nil {
		return fmt.Errorf("read columns of %s: %w", t.Name, err)
	}
	var have []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			rows.Close()
			return fmt.Errorf("read columns of %s: %w", t.Name, err)
		}
		if name != "id" && name != DeletedColumn && name != MetaColumn {
			have = append(have, name)
		}
	}
	err = rows.Err()
	rows.Close()
	if err != nil {
		return fmt.Errorf("read columns of %s: %w", t.Name, err)
	}
	if len(have) > len(t.Columns) {
		return fmt.Errorf("%w: table %s has %d columns, the schema %d", ErrSchemaChanged, t.Name, len(have), len(t.Columns))
	}
	for i, name := range have {
		if t.Columns[i].Name != name {
			return fmt.Errorf("%w: column %d of %s is %s, the schema says %s", ErrSchemaChanged, i+1, t.Name, name, t.Columns[i].Name)
		}
	}
	for _, c := range t.Columns[len(have):] {
		if _, err := tx.ExecContext(ctx, fmt.Sprintf("ALTER TABLE %s ADD COLUMN %s %s", t.Name, c.Name, c.Type.sqlType())); err != nil {
			return fmt.Errorf("add column %s.%s: %w", t.Name, c.Name, err)
		}
	}
	return nil
}

func indexSQL(t *Table, cols []string) string {
	return fmt.Sprintf("CREATE INDEX IF NOT EXISTS %s_%s ON %s(%s)",
		t.Name, strings.Join(cols, "_"), t.Name, strings.Join(cols, ", "))
}

// Close closes the database.
func (r *Replica) Close() error {
	r.smu.Lock()
	for _, s := range r.stmts {
		s.Close()
	}
	r.stmts = nil
	r.smu.Unlock()
	return r.db.Close()
}

// DB is the underlying database, for reading the domain tables with SQL.
// Writing to replicated tables through it bypasses the merge: never do that.
func (r *Replica) DB() *sql.DB { return r.db }

// Site is this replica's site id.
func (r *Replica) Site() SiteID { return r.site }

// Schema is the replicated schema.
func (r *Replica) Schema() *Schema { return r.schema }

// Clock is the replica's hybrid logical clock.
func (r *Replica) Clock() *hlc.Clock { return r.clock }

// Key is the deployment key (nil when not set).
func (r *Replica) Key() ident.Key { return r.key }

// Write applies local edits in one transaction: rows, merge state and change
// log together. It returns the changes made; an edit that changes nothing makes
// none. On error nothing is written.
func (r *Replica) Write(ctx context.Context, edits ...Edit) ([]Change, error) {
	return r.Update(ctx, func(tx *Tx) error {
		if err := tx.prefetchEdits(ctx, edits); err != nil {
			return err
		}
		for i := range edits {
			if _, err := tx.Edit(ctx, edits[i]); err != nil {
				if len(edits) == 1 {
					return err
				}
				return fmt.Errorf("edit %d: %w", i, err)
			}
		}
		return nil
	})
}

// Update runs fn in one write transaction, so that reads and edits inside it
// see one consistent state. If fn returns an error nothing is written.
func (r *Replica) Update(ctx context.Context, fn func(tx *Tx) error) ([]Change, error) {
	r.wmu.Lock()
	defer r.wmu.Unlock()
	sqlTx, err := r.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("begin: %w", err)
	}
	tx := r.newTx(sqlTx)
	tx.buf, tx.logBuf = r.wbuf[:0], r.wlog[:0]
	defer func() {
		r.wbuf, r.wlog = tx.buf, tx.logBuf
		tx.close()
	}()
	if err := fn(tx); err != nil {
		sqlTx.Rollback()
		return nil, err
	}
	if err := tx.flush(ctx); err != nil {
		sqlTx.Rollback()
		return nil, err
	}
	if err := sqlTx.Commit(); err != nil {
		return nil, fmt.Errorf("commit: %w", err)
	}
	return tx.changes, nil
}

// ApplyResult says what an Apply did.
type ApplyResult struct {
	// New flags, for each change given, whether it added anything: a change
	// seen before, or made irrelevant by what was seen, is not new.
	New []bool
	// Conflicts lists the columns the batch touched that now have two or more
	// heads with different values.
	Conflicts []ColumnRef
	// Settled lists the columns that were in conflict before the batch and
	// are not after it: someone who saw the values wrote over them.
	Settled []ColumnRef
	// Seqs is the local log sequence given to each new change (0 if not new).
	Seqs []uint64
}

// ColumnRef names one column of one row.
type ColumnRef struct {
	Table string
	Row   ident.ID
	Col   int
}

// Apply merges remote changes in one transaction. It is idempotent and order
// independent. When cursor is not empty, SetCursor(cursor, seq) is done in the
// same transaction, so that a batch and its resume point commit together.
func (r *Replica) Apply(ctx context.Context, changes []Change, cursor string, seq uint64) (ApplyResult, error) {
	var res ApplyResult
	_, err := r.Update(ctx, func(tx *Tx) error {
		var err error
		res, err = tx.Apply(ctx, changes)
		if err != nil {
			return err
		}
		if cursor != "" {
			return tx.SetCursor(ctx, cursor, seq)
		}
		return nil
	})
	return res, err
}

// Cursor reads a named sequence (a sync resume point); 0 if never set.
func (r *Replica) Cursor(ctx context.Context, name string) (uint64, error) {
	var seq int64
	err := r.db.QueryRowContext(ctx, `SELECT seq FROM fs_cursor WHERE name = ?`, name).Scan(&seq)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("read cursor %s: %w", name, err)
	}
	return uint64(seq), nil
}

// SetCursor stores a named sequence.
func (r *Replica) SetCursor(ctx context.Context, name string, seq uint64) error {
	_, err := r.Update(ctx, func(tx *Tx) error { return tx.SetCursor(ctx, name, seq) })
	return err
}

// State reads a value stored with SetState; nil if absent.
func (r *Replica) State(ctx context.Context, key string) ([]byte, error) {
	var v []byte
	err := r.db.QueryRowContext(ctx, `SELECT value FROM fs_state WHERE key = ?`, "u:"+key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read state %s: %w", key, err)
	}
	return v, nil
}

// SetState stores a small value (configuration, offsets) beside the data.
func (r *Replica) SetState(ctx context.Context, key string, value []byte) error {
	_, err := r.db.ExecContext(ctx, `INSERT INTO fs_state(key, value) VALUES(?, ?)
		ON CONFLICT(key) DO UPDATE SET value = excluded.value`, "u:"+key, value)
	if err != nil {
		return fmt.Errorf("store state %s: %w", key, err)
	}
	return nil
}

// MaxSeq is the sequence of the last change in the log.
func (r *Replica) MaxSeq(ctx context.Context) (uint64, error) {
	var seq sql.NullInt64
	if err := r.db.QueryRowContext(ctx, `SELECT max(seq) FROM fs_log`).Scan(&seq); err != nil {
		return 0, fmt.Errorf("read last sequence: %w", err)
	}
	return uint64(seq.Int64), nil
}

// TrimLog deletes the log rows up to and including seq that were written
// before the given time, and returns how many changes they held. A station
// trims what the hub has acknowledged once it is old enough that nobody will
// look for it on the station (the hub keeps every version); the rows' merge
// state is untouched, so trimming never changes what the replica holds.
func (r *Replica) TrimLog(ctx context.Context, seq uint64, before time.Time) (int, error) {
	r.wmu.Lock()
	defer r.wmu.Unlock()
	var n int
	err := r.db.QueryRowContext(ctx, `SELECT coalesce(sum(n), 0) FROM fs_log WHERE seq <= ? AND at < ?`,
		int64(seq), before.UnixMilli()).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("trim log: %w", err)
	}
	if n == 0 {
		return 0, nil
	}
	if _, err := r.db.ExecContext(ctx, `DELETE FROM fs_log WHERE seq <= ? AND at < ?`, int64(seq), before.UnixMilli()); err != nil {
		return 0, fmt.Errorf("trim log: %w", err)
	}
	// incremental_vacuum frees one page per step: step it to the end.
	rows, err := r.db.QueryContext(ctx, `PRAGMA incremental_vacuum`)
	if err != nil {
		return 0, fmt.Errorf("trim log: release pages: %w", err)
	}
	for rows.Next() {
	}
	if err := rows.Err(); err != nil {
		rows.Close()
		return 0, fmt.Errorf("trim log: release pages: %w", err)
	}
	rows.Close()
	return n, nil
}

// CountSince counts the changes logged after seq that site made (all sites
// when 0). Log rows of one origin count by their change count, without
// decoding. Rows of mixed origin (a relayed batch applied together) are
// decoded and only site's changes counted, except for this replica's own
// site: its changes are logged only by its own writes, never mixed (a batch
// bringing one back finds it known and does not log it).
func (r *Replica) CountSince(ctx context.Context, seq uint64, site SiteID) (int, error) {
	var n int
	if site == 0 {
		if err := r.db.QueryRowContext(ctx, `SELECT coalesce(sum(n), 0) FROM fs_log WHERE seq > ?`, int64(seq)).Scan(&n); err != nil {
			return 0, fmt.Errorf("count changes: %w", err)
		}
		return n, nil
	}
	if err := r.db.QueryRowContext(ctx, `SELECT coalesce(sum(n), 0) FROM fs_log WHERE seq > ? AND origin = ?`,
		int64(seq), int64(site)).Scan(&n); err != nil {
		return 0, fmt.Errorf("count changes: %w", err)
	}
	if site == r.site {
		return n, nil
	}
	rows, err := r.db.QueryContext(ctx, `SELECT body FROM fs_log WHERE seq > ? AND origin = 0`, int64(seq))
	if err != nil {
		return 0, fmt.Errorf("count changes: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var body []byte
		if err := rows.Scan(&body); err != nil {
			return 0, fmt.Errorf("count changes: %w", err)
		}
		changes, _, err := decodeChanges(r.schema, body)
		if err != nil {
			return 0, fmt.Errorf("count changes: %w", err)
		}
		for i := range changes {
			if changes[i].Version.Site == site {
				n++
			}
		}
	}
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("count changes: %w", err)
	}
	return n, nil
}
