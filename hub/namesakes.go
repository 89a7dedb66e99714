package hub

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"sync"

	"fieldsync/ident"
	"fieldsync/records"
	"fieldsync/replica"
)

// namesakes is the hub's index of workers by name, in memory: the identity
// rule looks up namesakes, and the worker search looks names up by prefix.
//
// It replaces an SQL index on workers(name, station). Names arrive in random
// order, so a commit of a thousand new workers rewrote most of that index's
// pages (every page a transaction touches is written again to the WAL): the
// hub's Apply of an initial sync ran at 0.34 of raw SQLite inserts with it
// and 0.46 without. Here it costs one map entry per worker (about 20 MiB at
// 200,000 workers), loaded when the hub opens.
//
// It holds names only; whatever else a caller needs (id number, phone,
// station) it reads from the rows. Every write of workers rows happens under
// the hub's applyMu and updates the index before releasing it: a station's
// batch with the names read inside its transaction (nameUpdates, then set),
// the hub's own writes by reading the rows again after the commit (refresh).
// The index is thus always the database's committed state to whoever holds
// applyMu, as the identity rule does. Workers written by another process on
// the same directory (`hub sample` beside a serving hub) are indexed when
// the hub next opens.
type namesakes struct {
	mu     sync.RWMutex
	byName map[string][]ident.ID // live workers with a non-empty name
	nameOf map[ident.ID]string   // the name each is filed under
}

func newNamesakes() *namesakes {
	return &namesakes{byName: map[string][]ident.ID{}, nameOf: map[ident.ID]string{}}
}

// load reads every worker's name.
func (n *namesakes) load(ctx context.Context, db *sql.DB) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	if err := n.readLocked(ctx, db, `SELECT id, name FROM workers WHERE fs_deleted = 0 AND coalesce(name, '') <> ''`); err != nil {
		return fmt.Errorf("load worker names: %w", err)
	}
	return nil
}

// readLocked files each (id, name) row query returns.
func (n *namesakes) readLocked(ctx context.Context, db *sql.DB, query string, args ...any) error {
	rows, err := db.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id []byte
		var name string
		if err := rows.Scan(&id, &name); err != nil {
			return err
		}
		var w ident.ID
		if len(id) != len(w) {
			continue
		}
		copy(w[:], id)
		n.setLocked(w, name)
	}
	return rows.Err()
}

// setLocked files worker w under name ("" removes it).
func (n *namesakes) setLocked(w ident.ID, name string) {
	old, ok := n.nameOf[w]
	if ok && old == name {
		return
	}
	if ok {
		ids := n.byName[old]
		if i := slices.Index(ids, w); i >= 0 {
			ids = slices.Delete(ids, i, i+1)
		}
		if len(ids) == 0 {
			delete(n.byName, old)
		} else {
			n.byName[old] = ids
		}
		delete(n.nameOf, w)
	}
	if name != "" {
		n.byName[name] = append(n.byName[name], w)
		n.nameOf[w] = name
	}
}

// named returns the workers filed under name.
func (n *namesakes) named(name string) []ident.ID {
	n.mu.RLock()
	defer n.mu.RUnlock()
	return slices.Clone(n.byName[name])
}

// withPrefix returns up to max workers whose name starts with prefix, by
// name, then id.
func (n *namesakes) withPrefix(prefix string, max int) []ident.ID {
	n.mu.RLock()
	var names []string
	for name := range n.byName {
		if strings.HasPrefix(name, prefix) {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	var out []ident.ID
	for _, name := range names {
		ids := slices.Clone(n.byName[name])
		slices.SortFunc(ids, func(a, b ident.ID) int { return bytes.Compare(a[:], b[:]) })
		out = append(out, ids...)
		if len(out) >= max {
			out = out[:max]
			break
		}
	}
	n.mu.RUnlock()
	return out
}

// workerRows picks out the rows of the workers table that changes wrote.
func workerRows(changes []replica.Change) []ident.ID {
	var ids []ident.ID
	seen := map[ident.ID]bool{}
	for i := range changes {
		c := &changes[i]
		if c.Table == records.Workers && !seen[c.Row] {
			seen[c.Row] = true
			ids = append(ids, c.Row)
		}
	}
	return ids
}

// nameUpdate is the name a worker row now has ("" when deleted or nameless).
type nameUpdate struct {
	worker ident.ID
	name   string
}

// nameUpdates reads, inside the transaction that wrote changes, the names
// they left on the workers rows they wrote.
func nameUpdates(ctx context.Context, tx *replica.Tx, changes []replica.Change) ([]nameUpdate, error) {
	ws := workerRows(changes)
	out := make([]nameUpdate, 0, len(ws))
	for _, w := range ws {
		vals, ok, err := tx.Values(ctx, records.Workers, w, "name", replica.DeletedColumn)
		if err != nil {
			return nil, fmt.Errorf("worker names: %w", err)
		}
		u := nameUpdate{worker: w}
		if ok && vals[1] != int64(1) {
			u.name = ValueText(vals[0])
		}
		out = append(out, u)
	}
	return out, nil
}

// set files the workers under their new names, after their commit.
func (n *namesakes) set(ups []nameUpdate) {
	n.mu.Lock()
	defer n.mu.Unlock()
	for _, u := range ups {
		n.setLocked(u.worker, u.name)
	}
}

// refresh re-reads the names of workers after a commit that wrote them.
func (n *namesakes) refresh(ctx context.Context, db *sql.DB, workers []ident.ID) error {
	if len(workers) == 0 {
		return nil
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	err := n.readLocked(context.WithoutCancel(ctx), db, `SELECT id, CASE WHEN fs_deleted = 0 THEN coalesce(name, '') ELSE '' END
		FROM workers WHERE id `+inIDs, idsJSON(workers))
	if err != nil {
		return fmt.Errorf("refresh worker names: %w", err)
	}
	return nil
}

// inIDs is an SQL condition on an id column: in the list idsJSON gives as
// its parameter.
const inIDs = `IN (SELECT unhex(value) FROM json_each(?))`

// idsJSON is ids as a JSON array of hex text, the parameter of inIDs.
func idsJSON(ids []ident.ID) string {
	b := make([]byte, 0, len(ids)*35+2)
	b = append(b, '[')
	for i, id := range ids {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, '"')
		b = append(b, id.String()...)
		b = append(b, '"')
	}
	return string(append(b, ']'))
}

// refreshNames refreshes the name index after the hub's own commit of
// changes (the caller holds applyMu), logging a failure: the index then lags
// until the row is written again, so a namesake conflict may be missed, but
// never a wrong one raised, since the rule reads the rows themselves.
func (h *Hub) refreshNames(ctx context.Context, changes []replica.Change) {
	if err := h.names.refresh(ctx, h.rep.DB(), workerRows(changes)); err != nil {
		h.log.ErrorContext(ctx, "refresh the worker name index", "err", err)
	}
}
