package replica

import (
	"context"
	"encoding/binary"
	"fmt"
	"slices"
	"time"

	"fieldsync/hlc"
)

// Stamping changes again: DESIGN "Edges". A station whose clock ran ahead
// stamped changes its hub refuses; the hub never applied them, so they
// exist only in this replica, and once the clock is right again the
// replica gives them new versions from it, in the order they were made,
// with the links between them, and sends them. Nothing waits for real time
// to catch up with the stamps.

// RestampOptions selects the changes Restamp stamps again.
type RestampOptions struct {
	// Site is the site whose changes are stamped again (0: this replica's
	// own). Changes of other sites, received from elsewhere, are never
	// touched, however far ahead they are: they are not this replica's to
	// stamp.
	Site SiteID
	// After: only changes in log rows after this sequence, those the peer
	// has not acknowledged (so nobody else holds them).
	After uint64
	// AheadOf: the first change of Site after After, in log order,
	// stamped later than this time, and every change of Site logged after
	// it (their stamps are in log order, and stay so). Zero: every change
	// of Site after After.
	AheadOf time.Time
	// NewSite, when not zero, is the site of the new versions (a station
	// restored from a backup sends the backup's unacknowledged changes
	// again as a new site). Zero keeps Site.
	NewSite SiteID
}

// Restamped says what Restamp did.
type Restamped struct {
	Changes int // changes given new versions
	Rows    int // log rows rewritten
	// First and Last are the sequences of the first and last log rows
	// rewritten (0 when none).
	First, Last uint64
	// Versions maps each old version to its new one.
	Versions map[Version]Version
	// Clock is the clock afterwards: the greatest stamp the replica holds.
	Clock hlc.Timestamp
}

// Restamp gives the changes opt selects new versions from the clock, in log
// order, and rewrites their log rows in place (same sequence numbers: no
// peer has them). Within each row it touches, the merge state follows: a
// head with an old version gets the new one, a later change whose replaces
// named an old version names the new one, and every other version stays.
// The heads are a function of the changes, so the replica holds what a
// replica receiving the rewritten changes would hold.
//
// The new stamps start above every version the replica holds but those it
// stamps again (its log, own and received), so against everything it has
// seen each change keeps its place: no column comes to disagree, and one
// whose heads disagreed keeps the same heads and the same winner. A
// concurrent version it has not seen yet merges with it as with a change
// made at its new time: it may be the later one and win, both staying
// heads (a conflict, as before). Then the saved clock is lowered to the
// last new stamp, so that new stamps follow the (corrected) wall clock
// again. All in one transaction: a crash leaves the old state or the new
// one.
//
// Versions are read from the log: a received version trimmed from the log
// is older than the retention, and a version that far ahead would have
// been refused by the hub that relayed it.
func (r *Replica) Restamp(ctx context.Context, opt RestampOptions) (Restamped, error) {
	if opt.Site == 0 {
		opt.Site = r.site
	}
	newSite := opt.NewSite
	if newSite == 0 {
		newSite = opt.Site
	}
	r.wmu.Lock()
	defer r.wmu.Unlock()
	sqlTx, err := r.db.BeginTx(ctx, nil)
	if err != nil {
		return Restamped{}, fmt.Errorf("restamp: begin: %w", err)
	}
	defer sqlTx.Rollback()
	tx := r.newTx(sqlTx)
	defer tx.close()

	rows, floor, err := tx.restampRows(ctx, opt)
	if err != nil {
		return Restamped{}, fmt.Errorf("restamp: %w", err)
	}
	res := Restamped{Versions: map[Version]Version{}, Clock: r.clock.Last()}
	if len(rows) == 0 {
		return res, nil
	}
	// New stamps from the corrected wall clock, above every version kept.
	clock := hlc.NewClock(r.clock.Wall)
	clock.Observe(floor)
	for _, lr := range rows {
		for i := range lr.changes {
			if !lr.pick[i] {
				continue
			}
			ts, err := clock.Now()
			if err != nil {
				return Restamped{}, fmt.Errorf("restamp: %w", err)
			}
			c := &lr.changes[i]
			res.Versions[c.Version] = Version{HLC: ts, Site: newSite}
			res.Changes++
		}
	}
	wall := r.clock.Wall().UnixMilli()
	for _, lr := range rows {
		if err := tx.rewriteLogRow(ctx, lr, res.Versions, wall); err != nil {
			return Restamped{}, fmt.Errorf("restamp: %w", err)
		}
		if res.First == 0 {
			res.First = lr.seq
		}
		res.Last = lr.seq
		res.Rows++
	}
	if err := tx.restampRowState(ctx, rows, res.Versions); err != nil {
		return Restamped{}, fmt.Errorf("restamp: %w", err)
	}
	if err := tx.flush(ctx); err != nil {
		return Restamped{}, fmt.Errorf("restamp: %w", err)
	}
	res.Clock = clock.Last()
	if _, err := sqlTx.ExecContext(uninterrupted(ctx), `INSERT INTO fs_state(key, value) VALUES('clock', ?)
		ON CONFLICT(key) DO UPDATE SET value = excluded.value`, int64(res.Clock)); err != nil {
		return Restamped{}, fmt.Errorf("restamp: store clock: %w", err)
	}
	if err := sqlTx.Commit(); err != nil {
		return Restamped{}, fmt.Errorf("restamp: commit: %w", err)
	}
	// Still holding the write lock: no edit stamps between the commit and
	// the clock following it.
	r.clock.Rewind(res.Clock)
	r.log.Info("changes stamped again", "changes", res.Changes, "log_rows", res.Rows,
		"first_seq", res.First, "last_seq", res.Last, "site", newSite, "clock", res.Clock)
	return res, nil
}

// restampRow is a log row holding changes Restamp stamps again.
type restampRow struct {
	seq     uint64
	changes []Change
	tables  []*Table
	pick    []bool // the changes stamped again
}

// restampRows reads the whole log: the rows after opt.After holding the
// changes opt selects, and the greatest version of every change it leaves.
func (tx *Tx) restampRows(ctx context.Context, opt RestampOptions) ([]*restampRow, hlc.Timestamp, error) {
	ahead := hlc.Timestamp(0)
	if !opt.AheadOf.IsZero() {
		ahead = hlc.New(max(opt.AheadOf.UnixMilli(), 0), 1<<16-1)
	}
	q, err := tx.tx.QueryContext(ctx, `SELECT seq, body FROM fs_log ORDER BY seq`)
	if err != nil {
		return nil, 0, fmt.Errorf("read log: %w", err)
	}
	defer q.Close()
	var (
		out     []*restampRow
		floor   hlc.Timestamp
		started bool
	)
	for q.Next() {
		var seq int64
		var body []byte
		if err := q.Scan(&seq, &body); err != nil {
			return nil, 0, fmt.Errorf("read log: %w", err)
		}
		changes, tables, err := decodeChanges(tx.r.schema, body)
		if err != nil {
			return nil, 0, fmt.Errorf("read log row %d: %w", seq, err)
		}
		var lr *restampRow
		for i := range changes {
			c := &changes[i]
			if uint64(seq) > opt.After && c.Version.Site == opt.Site && (started || c.Version.HLC > ahead) {
				started = true
				if lr == nil {
					lr = &restampRow{seq: uint64(seq), changes: changes, tables: tables, pick: make([]bool, len(changes))}
					out = append(out, lr)
				}
				lr.pick[i] = true
				continue
			}
			floor = max(floor, c.Version.HLC)
		}
	}
	if err := q.Err(); err != nil {
		return nil, 0, fmt.Errorf("read log: %w", err)
	}
	return out, floor, nil
}

// rewriteLogRow writes a log row again with the new versions, in its
// changes and in the versions they replace. Its time becomes now if it was
// later (a clock ahead wrote it).
func (tx *Tx) rewriteLogRow(ctx context.Context, lr *restampRow, versions map[Version]Version, wall int64) error {
	origin := SiteID(0)
	body := binary.AppendUvarint(nil, uint64(len(lr.changes)))
	for i := range lr.changes {
		c := &lr.changes[i]
		if nv, ok := versions[c.Version]; ok {
			c.Version = nv
		}
		for j := range c.Fields {
			f := &c.Fields[j]
			for k, v := range f.Replaces {
				if nv, ok := versions[v]; ok {
					f.Replaces[k] = nv
				}
			}
		}
		switch {
		case i == 0:
			origin = c.Version.Site
		case origin != c.Version.Site:
			origin = 0
		}
		body = appendChange(body, lr.tables[i], c)
	}
	_, err := tx.tx.ExecContext(uninterrupted(ctx), `UPDATE fs_log SET body = ?, origin = ?, at = min(at, ?) WHERE seq = ?`,
		body, int64(origin), wall, int64(lr.seq))
	if err != nil {
		return fmt.Errorf("rewrite log row %d: %w", lr.seq, err)
	}
	return nil
}

// restampRowState gives the merge state of every row a restamped change
// wrote the new versions: heads and replaced versions alike.
func (tx *Tx) restampRowState(ctx context.Context, rows []*restampRow, versions map[Version]Version) error {
	done := map[rowKey]bool{}
	for _, lr := range rows {
		for i := range lr.changes {
			if !lr.pick[i] {
				continue
			}
			t, id := lr.tables[i], lr.changes[i].Row
			k := rowKey{t.id, id}
			if done[k] {
				continue
			}
			done[k] = true
			rb, err := tx.row(ctx, t, id)
			if err != nil {
				return err
			}
			if rb.meta.restamp(versions) {
				tx.markDirty(rb)
			}
		}
	}
	return nil
}

// restamp replaces old versions by new ones throughout a row's merge state,
// keeping heads and replaced versions in order, and reports whether any
// changed.
func (m *rowMeta) restamp(versions map[Version]Version) bool {
	changed := false
	for i := range m.cols {
		c := &m.cols[i]
		moved := false
		for j := range c.heads {
			if nv, ok := versions[c.heads[j].v]; ok {
				c.heads[j].v, moved = nv, true
			}
		}
		if moved {
			// The heads may share the row's arena: sort a copy.
			c.heads = slices.Clone(c.heads)
			slices.SortFunc(c.heads, func(a, b head) int { return a.v.Compare(b.v) })
		}
		rep := false
		for j, v := range c.replaced {
			if nv, ok := versions[v]; ok {
				c.replaced[j], rep = nv, true
			}
		}
		if rep {
			slices.SortFunc(c.replaced, Version.Compare)
			c.replaced = slices.Compact(c.replaced)
		}
		changed = changed || moved || rep
	}
	return changed
}
