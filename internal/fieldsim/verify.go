package fieldsim

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"path/filepath"
	"time"

	"fieldsync/hub"
	"fieldsync/ident"
	"fieldsync/records"
	"fieldsync/replica"
	"fieldsync/station"
)

// verify opens the stopped hub's and stations' databases and checks them.
// divergedNow names the stations whose rows differ from the hub's for
// their scope, with every process stopped.
func (s *sim) divergedNow(ctx context.Context) ([]string, error) {
	h, err := hub.Open(ctx, hub.Options{Dir: filepath.Join(s.dir, "hub"), Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		return nil, fmt.Errorf("fieldsim: open the hub's data after the run: %w", err)
	}
	defer h.Close()
	var out []string
	for _, st := range s.stations {
		cfg, err := station.LoadConfig(st.dir)
		if err != nil {
			return nil, fmt.Errorf("fieldsim: %w", err)
		}
		r, err := station.OpenReplica(ctx, st.dir, cfg, nil)
		if err != nil {
			continue // verify reports it
		}
		want, _, err1 := h.Replica().ContentHash(ctx, h.ScopeFilter(st.name))
		got, _, err2 := r.ContentHash(ctx, nil)
		r.Close()
		if err := errors.Join(err1, err2); err != nil {
			return nil, fmt.Errorf("fieldsim: %w", err)
		}
		if got != want {
			out = append(out, st.name)
		}
	}
	return out, nil
}

func (s *sim) verify(ctx context.Context, sum *Summary) error {
	h, err := hub.Open(ctx, hub.Options{Dir: filepath.Join(s.dir, "hub"), Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		return fmt.Errorf("fieldsim: open the hub's data after the run: %w", err)
	}
	defer h.Close()
	hrep := h.Replica()
	reps := map[string]*replica.Replica{}
	for _, st := range s.stations {
		cfg, err := station.LoadConfig(st.dir)
		if err != nil {
			return fmt.Errorf("fieldsim: %w", err)
		}
		r, err := station.OpenReplica(ctx, st.dir, cfg, nil)
		if err != nil {
			s.problem("%s: its database does not open after the run: %v", st.name, err)
			continue
		}
		defer r.Close()
		reps[st.name] = r
	}

	lostAt, divergedAt := map[string]int{}, map[string]int{}
	defer func() {
		s.mu.Lock()
		for _, r := range s.edgeReports {
			r.Lost, r.Diverged = lostAt[r.Station], divergedAt[r.Station]
		}
		s.mu.Unlock()
	}()
	// 1. Every station (the one whose clock was a year ahead too) holds
	// exactly the hub's rows for its scope.
	for _, st := range s.stations {
		r := reps[st.name]
		if r == nil {
			continue
		}
		want, wn, err := hrep.ContentHash(ctx, h.ScopeFilter(st.name))
		if err != nil {
			return fmt.Errorf("fieldsim: %w", err)
		}
		got, gn, err := r.ContentHash(ctx, nil)
		if err != nil {
			return fmt.Errorf("fieldsim: %w", err)
		}
		if got != want {
			sum.Diverged++
			divergedAt[st.name]++
			s.problem("%s diverged from the hub: %d rows (hash %x) against %d rows of its scope at the hub (hash %x)%s",
				st.name, gn, got[:6], wn, want[:6], s.tableDiff(ctx, hrep, r, h.ScopeFilter(st.name)))
		}
	}

	// 2. Every acknowledged write is at the hub (and so, by 1, at every
	// station whose scope holds it): current, a head in conflict, or
	// replaced by a later write.
	writes := s.ledger.all()
	byCol := map[string][]*write{}
	for _, w := range writes {
		for col := range w.Fields {
			k := w.Table + "/" + w.Row.String() + "/" + col
			byCol[k] = append(byCol[k], w)
		}
	}
	// Nothing at the hub is stamped ahead of its clock: the year-ahead
	// station's changes reached it stamped again.
	ahead := time.Now().Add(10 * time.Minute)
	headsCache := map[string][]replica.ColumnHeads{}
	heads := func(table string, row ident.ID) ([]replica.ColumnHeads, error) {
		k := table + "/" + row.String()
		if hs, ok := headsCache[k]; ok {
			return hs, nil
		}
		hs, err := hrep.Heads(ctx, table, row)
		if err != nil && !errors.Is(err, replica.ErrNotFound) {
			return nil, err
		}
		headsCache[k] = hs
		return hs, nil
	}
	for _, w := range writes {
		st := s.station(w.Station)
		hs, err := heads(w.Table, w.Row)
		if err != nil {
			return fmt.Errorf("fieldsim: %w", err)
		}
		for _, c := range hs {
			for _, hd := range c.Heads {
				if hd.Version.Site.String() == st.site && hd.Version.HLC.Time().After(ahead) {
					s.problem("the hub holds %s's change to %s %s stamped %s, ahead of its clock", st.name, w.Table, w.Row, hd.Version.HLC)
				}
			}
		}
		if !w.Acked {
			continue
		}
		if hs == nil {
			sum.Lost++
			lostAt[w.Station]++
			s.problem("lost: %s %s %s acknowledged by %s at %s is not at the hub", w.Op, w.Table, w.Row, w.Station, w.End.Format("15:04:05.000"))
			continue
		}
		t, _ := hrep.Schema().Table(w.Table)
		if !h.ScopeFilter(w.Station)(t, w.Row) {
			sum.Lost++
			lostAt[w.Station]++
			s.problem("lost: %s %s %s written at %s is not in that station's scope", w.Op, w.Table, w.Row, w.Station)
		}
		for col, val := range w.Fields {
			if holds(hs, col, val) {
				continue
			}
			later := false
			for _, o := range byCol[w.Table+"/"+w.Row.String()+"/"+col] {
				if o != w && o.Start.After(w.Start) && norm(o.Fields[col]) != norm(val) {
					later = true
				}
			}
			if !later {
				// A write of the value a column already held makes no new
				// version: it is the earlier version with that value, which
				// the hub received (its history) and someone who saw it
				// replaced.
				later, err = inHistory(ctx, hrep, t, w.Row, col, val)
				if err != nil {
					return fmt.Errorf("fieldsim: %w", err)
				}
			}
			if !later {
				sum.Lost++
				lostAt[w.Station]++
				s.problem("lost: %s %s %s.%s=%v acknowledged by %s at %s: the hub's heads are %s and no later write replaced it",
					w.Op, w.Table, w.Row, col, val, w.Station, w.End.Format("15:04:05.000"), headsString(hs, col))
			}
		}
	}

	// 3. Conflicts: between versions of one site (always causally ordered)
	// never; for the deliberate concurrent edits, yes.
	for _, k := range sortedKeys(headsCache) {
		for _, c := range headsCache[k] {
			if !c.Conflict {
				continue
			}
			sites := map[replica.SiteID]bool{}
			for _, hd := range c.Heads {
				sites[hd.Version.Site] = true
			}
			if len(sites) < 2 {
				s.problem("conflict between causally ordered versions: %s column %s, heads %s", k, c.Column, headsString([]replica.ColumnHeads{c}, c.Column))
			}
		}
	}
	s.mu.Lock()
	sc := s.scen
	s.mu.Unlock()
	if sc != nil && sc.ok {
		sum.ConflictsWant = 2
		hs, err := heads(records.Workers, sc.open)
		if err != nil {
			return fmt.Errorf("fieldsim: %w", err)
		}
		if c := column(hs, "phone"); c != nil && c.Conflict && holds(hs, "phone", sc.openPhones[0]) && holds(hs, "phone", sc.openPhones[1]) {
			sum.Conflicts++
		} else {
			s.problem("worker %s registered at %s and %s offline with different phones: the hub's phone heads are %s, want a conflict holding both",
				sc.open, sc.a.name, sc.b.name, headsString(hs, "phone"))
		}
		// The settled one was a conflict (B showed it) and is settled
		// everywhere that holds it.
		sum.Conflicts++
		for _, name := range []string{"", sc.a.name, sc.b.name} {
			r := hrep
			if name != "" {
				r = reps[name]
			} else {
				name = "the hub"
			}
			if r == nil {
				continue
			}
			hs, err := r.Heads(ctx, records.Workers, sc.settled)
			if err != nil {
				s.problem("settled worker %s at %s: %v", sc.settled, name, err)
				continue
			}
			c := column(hs, "phone")
			if c == nil || c.Conflict || len(c.Heads) != 1 || norm(c.Heads[0].Value) != norm(sc.settledPhone) {
				s.problem("worker %s's phone, settled at %s after it saw both values, is %s at %s: want the one head %s",
					sc.settled, sc.b.name, headsString(hs, "phone"), name, sc.settledPhone)
			}
		}
	}
	return nil
}

// inHistory reports whether the hub ever received a version of the column
// with the value.
func inHistory(ctx context.Context, hrep *replica.Replica, t *replica.Table, row ident.ID, col string, val any) (bool, error) {
	entries, err := hrep.History(ctx, t.Name, row)
	if err != nil {
		return false, err
	}
	for _, e := range entries {
		for _, f := range e.Change.Fields {
			if f.Elem == "" && !f.Dead && t.ColumnName(f.Col) == col && norm(f.Value) == norm(val) {
				return true, nil
			}
		}
	}
	return false, nil
}

func (s *sim) station(name string) *simStation {
	for _, st := range s.stations {
		if st.name == name {
			return st
		}
	}
	return &simStation{name: name}
}

// tableDiff says, per table, how many rows the station and the hub's scope
// hold, to show where two replicas diverge.
func (s *sim) tableDiff(ctx context.Context, hrep, r *replica.Replica, scope func(*replica.Table, ident.ID) bool) string {
	out := ""
	// Every table of the schema: a divergence in one left out (refusals,
	// households) showed as a bare hash.
	for _, t := range r.Schema().Tables() {
		name := t.Name
		only := func(t *replica.Table, _ ident.ID) bool { return t.Name == name }
		hh, hn, err1 := hrep.ContentHash(ctx, func(t *replica.Table, id ident.ID) bool { return only(t, id) && scope(t, id) })
		sh, sn, err2 := r.ContentHash(ctx, only)
		if err1 != nil || err2 != nil {
			return fmt.Sprintf("; diff failed: %v %v", err1, err2)
		}
		if hh != sh {
			out += fmt.Sprintf("; %s: station %d rows, hub %d%s", name, sn, hn, s.rowDiff(ctx, hrep, r, name, scope))
		}
	}
	return out
}

// rowDiff names the first rows of table whose content differs between the
// hub and a station, with each side's heads of the columns that differ
// (values, versions, replaced counts), for a divergence to be read.
func (s *sim) rowDiff(ctx context.Context, hrep, r *replica.Replica, table string, scope func(*replica.Table, ident.ID) bool) string {
	t, ok := r.Schema().Table(table)
	if !ok {
		return ""
	}
	rows, err := r.DB().QueryContext(ctx, "SELECT id FROM "+table)
	if err != nil {
		return ""
	}
	var ids []ident.ID
	for rows.Next() {
		var b []byte
		if rows.Scan(&b) == nil {
			var id ident.ID
			copy(id[:], b)
			ids = append(ids, id)
		}
	}
	rows.Close()
	out, shown := "", 0
	for _, id := range ids {
		if !scope(t, id) {
			out += fmt.Sprintf(" [row %s at the station, out of its scope at the hub]", id)
			continue
		}
		hh, _, e1 := hrep.ContentHash(ctx, func(tt *replica.Table, x ident.ID) bool { return tt.Name == table && x == id })
		sh, _, e2 := r.ContentHash(ctx, func(tt *replica.Table, x ident.ID) bool { return tt.Name == table && x == id })
		if e1 != nil || e2 != nil || hh == sh {
			continue
		}
		hs, _ := hrep.Heads(ctx, table, id)
		ss, _ := r.Heads(ctx, table, id)
		out += fmt.Sprintf(" [row %s:", id)
		for _, sc := range ss {
			hc := column(hs, sc.Column)
			if sc.Elem != "" {
				continue
			}
			if hc == nil || fmt.Sprint(hc.Heads) != fmt.Sprint(sc.Heads) || hc.Replaced != sc.Replaced {
				var hv any
				if hc != nil {
					hv = *hc
				}
				out += fmt.Sprintf(" %s station %+v hub %+v;", sc.Column, sc, hv)
			}
		}
		out += "]"
		if shown++; shown == 3 {
			break
		}
	}
	return out
}

func column(hs []replica.ColumnHeads, col string) *replica.ColumnHeads {
	for i := range hs {
		if hs[i].Column == col && hs[i].Elem == "" {
			return &hs[i]
		}
	}
	return nil
}

// holds reports whether val is among a column's heads.
func holds(hs []replica.ColumnHeads, col string, val any) bool {
	c := column(hs, col)
	if c == nil {
		return norm(val) == norm(nil) || norm(val) == norm("")
	}
	for _, hd := range c.Heads {
		if norm(hd.Value) == norm(val) {
			return true
		}
	}
	return false
}

func headsString(hs []replica.ColumnHeads, col string) string {
	c := column(hs, col)
	if c == nil {
		return "(none)"
	}
	out := "["
	for i, hd := range c.Heads {
		if i > 0 {
			out += ", "
		}
		out += fmt.Sprintf("%v@%s/%s", hd.Value, hd.Version.Site, hd.Version.HLC)
	}
	return out + "]"
}

// norm makes the values sent as JSON and the values the replica holds
// comparable: booleans are integers, integral floats are integers.
func norm(v any) string {
	switch x := v.(type) {
	case nil:
		return "nil"
	case bool:
		if x {
			return "i1"
		}
		return "i0"
	case int:
		return fmt.Sprintf("i%d", x)
	case int64:
		return fmt.Sprintf("i%d", x)
	case float64:
		if x == math.Trunc(x) && math.Abs(x) < 1<<53 {
			return fmt.Sprintf("i%d", int64(x))
		}
		return fmt.Sprintf("f%g", x)
	case string:
		return "s" + x
	case []byte:
		return "s" + string(x)
	}
	return fmt.Sprintf("?%v", v)
}
