package hub

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"

	"fieldsync/ident"
	"fieldsync/records"
	"fieldsync/replica"
)

// The merge rules the hub checks after applying a batch (DESIGN "Conflicts":
// "some merges break a rule that no single station broke"). Only what the
// batch touched is checked, so a batch costs a few indexed queries per
// touched worker, gig or month.

// Values of the rule on work away and public-welfare posts (the rule the
// station's forms apply to one record, records.MonthStatus.Validate).
const (
	welfareForm = records.FormWelfare
	awayScope   = records.ScopeAway
)

// touched is what a batch touched, by rule.
type touched struct {
	regWorkers map[ident.ID]bool // workers whose unemployment registrations changed
	gigs       map[ident.ID]bool // gigs whose placements or headcount changed
	statuses   map[ident.ID]bool // monthly status rows
	people     map[ident.ID]bool // workers whose name, id number or phone changed
	welfare    map[ident.ID]bool // workers whose welfare posts, months away or export batches may have changed
}

// touchedBy sorts the rows of changes by rule.
func (rc *recorder) touchedBy(ctx context.Context, changes []replica.Change) (touched, error) {
	t := touched{map[ident.ID]bool{}, map[ident.ID]bool{}, map[ident.ID]bool{}, map[ident.ID]bool{}, map[ident.ID]bool{}}
	schema := rc.h.rep.Schema()
	for i := range changes {
		c := &changes[i]
		if err := rc.touchedProgrammes(ctx, c, t.welfare); err != nil {
			return t, err
		}
		switch c.Table {
		case records.Unemployment, records.Placements:
			row, err := rc.tx.Row(ctx, c.Table, c.Row)
			if err != nil || row == nil {
				if err != nil {
					return t, err
				}
				continue
			}
			if c.Table == records.Unemployment {
				if w, err := ident.ParseID(ValueText(row["worker_id"])); err == nil {
					t.regWorkers[w] = true
				}
			} else if g, err := ident.ParseID(ValueText(row["gig_id"])); err == nil {
				t.gigs[g] = true
			}
		case records.Gigs:
			tb, _ := schema.Table(records.Gigs)
			hc, _ := tb.Column("headcount")
			for _, f := range c.Fields {
				if f.Col == hc {
					t.gigs[c.Row] = true
				}
			}
		case records.MonthlyStatus:
			t.statuses[c.Row] = true
		case records.Workers:
			tb, _ := schema.Table(records.Workers)
			for _, f := range c.Fields {
				switch tb.ColumnName(f.Col) {
				case "name", "id_number", "phone":
					t.people[c.Row] = true
				}
			}
		}
	}
	return t, nil
}

// rules checks the merge rules on what changes touched.
func (rc *recorder) rules(ctx context.Context, changes []replica.Change, by string) error {
	t, err := rc.touchedBy(ctx, changes)
	if err != nil {
		return err
	}
	for w := range t.regWorkers {
		if err := rc.ruleTwoOpen(ctx, w, by, Resolution{How: "cleared", Station: by}); err != nil {
			return err
		}
	}
	for g := range t.gigs {
		if err := rc.ruleOverfilled(ctx, g, by, Resolution{How: "cleared", Station: by}); err != nil {
			return err
		}
	}
	for s := range t.statuses {
		if err := rc.ruleWelfareAway(ctx, s, by, Resolution{How: "cleared", Station: by}); err != nil {
			return err
		}
	}
	if err := rc.checkProgrammes(ctx, t.welfare, by); err != nil {
		return err
	}
	if err := rc.checkServices(ctx, changes, by); err != nil {
		return err
	}
	return rc.ruleIdentity(ctx, t.people)
}

// ruleTwoOpen: a worker holds open unemployment registrations from two or
// more stations. Keyed on the worker; settled once at most one station's
// registration is open.
func (rc *recorder) ruleTwoOpen(ctx context.Context, worker ident.ID, by string, how Resolution) error {
	vals, stations, err := rc.conflictRows(ctx, "registered_on", `SELECT id, coalesce(station, ''),
		coalesce(registered_on, ''), coalesce(place_type, '') FROM unemployment_registrations
		WHERE worker_id = ? AND fs_deleted = 0 AND coalesce(deregistered_on, '') = '' AND void_reason IS NULL
		ORDER BY registered_on, id`,
		worker.String())
	if err != nil {
		return fmt.Errorf("open registrations of %s: %w", worker, err)
	}
	if len(stations) < 2 {
		return rc.settle(ctx, KindTwoOpen, records.Unemployment, worker, "", by, how)
	}
	return rc.upsert(ctx, KindTwoOpen, records.Unemployment, worker, "", stations, vals)
}

// conflictRows reads the rows query gives, each (id, station, value, note),
// as the values of a rule conflict on column, and the stations among them
// in their first order.
func (rc *recorder) conflictRows(ctx context.Context, column, query string, args ...any) ([]ConflictValue, []string, error) {
	rows, err := rc.tx.Query(ctx, query, args...)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	var vals []ConflictValue
	var stations []string
	for rows.Next() {
		var id []byte
		var station, value, note string
		if err := rows.Scan(&id, &station, &value, &note); err != nil {
			return nil, nil, err
		}
		var rid ident.ID
		copy(rid[:], id)
		vals = append(vals, ConflictValue{Index: len(vals), Value: value, Column: column, Row: rid.String(),
			Station: station, Note: note})
		if !slices.Contains(stations, station) {
			stations = append(stations, station)
		}
	}
	return vals, stations, rows.Err()
}

// countedPlacement: a placement that counts against the gig's headcount.
const countedPlacement = `fs_deleted = 0 AND coalesce(nullif(status, ''), 'placed') = 'placed'`

// ruleOverfilled: a gig holds more counted placements than its headcount.
// Keyed on the gig.
func (rc *recorder) ruleOverfilled(ctx context.Context, gig ident.ID, by string, how Resolution) error {
	g, err := rc.tx.Row(ctx, records.Gigs, gig)
	if err != nil {
		return fmt.Errorf("gig %s: %w", gig, err)
	}
	headcount, _ := g["headcount"].(int64)
	if g == nil || headcount <= 0 {
		return nil
	}
	// Count first (from the index): a gig within its headcount, the usual
	// case, needs no list of its placements.
	var placed int64
	if err := rc.tx.QueryRow(ctx, `SELECT count(*) FROM placements p WHERE p.gig_id = ? AND `+"p."+countedPlacement,
		gig.String()).Scan(&placed); err != nil {
		return fmt.Errorf("placements of %s: %w", gig, err)
	}
	if placed <= headcount {
		return rc.settle(ctx, KindOverfilled, records.Gigs, gig, "", by, how)
	}
	vals, stations, err := rc.conflictRows(ctx, "worker_id", `SELECT p.id, coalesce(p.station, ''),
		coalesce(w.name, ''), coalesce(p.placed_on, '') FROM placements p LEFT JOIN workers w ON w.id = unhex(p.worker_id)
		WHERE p.gig_id = ? AND `+"p."+countedPlacement+` ORDER BY p.placed_on, p.id`, gig.String())
	if err != nil {
		return fmt.Errorf("placements of %s: %w", gig, err)
	}
	if int64(len(vals)) <= headcount {
		return rc.settle(ctx, KindOverfilled, records.Gigs, gig, "", by, how)
	}
	vals = append(vals, ConflictValue{Index: len(vals), Value: headcount, Column: "headcount", Row: gig.String(),
		Station: AdminSite, Note: "headcount"})
	return rc.upsert(ctx, KindOverfilled, records.Gigs, gig, "", stations, vals)
}

// ruleWelfareAway: a month's status holds, among the values stations
// recorded (its heads), the employment form 公益性岗位 and the work scope 区外:
// a public-welfare post is local, so one of them is wrong.
func (rc *recorder) ruleWelfareAway(ctx context.Context, status ident.ID, by string, how Resolution) error {
	heads, err := rc.tx.Heads(ctx, records.MonthlyStatus, status)
	if errors.Is(err, replica.ErrNotFound) {
		return nil // no such row: nothing to check
	}
	if err != nil {
		return fmt.Errorf("status %s: %w", status, err)
	}
	t, _ := rc.h.rep.Schema().Table(records.MonthlyStatus)
	formCol, _ := t.Column("employment_form")
	scopeCol, _ := t.Column("work_scope")
	var form, scope []ConflictValue
	var stations []string
	pick := func(col int, want string, out *[]ConflictValue, name string) error {
		ch := columnHeadsOf(heads, col)
		if ch == nil {
			return nil
		}
		for i, hd := range ch.Heads {
			if ValueText(hd.Value) != want {
				continue
			}
			v, err := rc.value(ctx, 0, hd, i == len(ch.Heads)-1)
			if err != nil {
				return err
			}
			v.Column, v.Row = name, status.String()
			*out = append(*out, v)
			if !slices.Contains(stations, v.Station) {
				stations = append(stations, v.Station)
			}
		}
		return nil
	}
	if err := pick(formCol, welfareForm, &form, "employment_form"); err != nil {
		return err
	}
	if err := pick(scopeCol, awayScope, &scope, "work_scope"); err != nil {
		return err
	}
	if len(form) == 0 || len(scope) == 0 {
		return rc.settle(ctx, KindWelfareAway, records.MonthlyStatus, status, "", by, how)
	}
	vals := append(form, scope...)
	for i := range vals {
		vals[i].Index = i
	}
	return rc.upsert(ctx, KindWelfareAway, records.MonthlyStatus, status, "", stations, vals)
}

// idDistance counts the positions where two id numbers differ (their length
// difference counts whole).
func idDistance(a, b string) int {
	n := max(len(a), len(b)) - min(len(a), len(b))
	for i := 0; i < min(len(a), len(b)); i++ {
		if a[i] != b[i] {
			n++
		}
	}
	return n
}

// ruleIdentity: two worker records with the same name, registered by
// different stations, whose id numbers differ in at most two characters or
// which share a phone number: most likely one person, one id number mistyped
// (so a different birth date). Keyed on the pair (row: the smaller id, col:
// the other). A pair an administrator dismissed is not raised again.
//
// The namesakes come from the hub's name index (committed rows) and from the
// batch itself; their rows are then read in one statement, inside the
// transaction, so that what is compared is what the batch left.
func (rc *recorder) ruleIdentity(ctx context.Context, workers map[ident.ID]bool) error {
	type person struct {
		id                        ident.ID
		name, idn, phone, station string
	}
	if err := rc.tx.Flush(ctx); err != nil {
		return err
	}
	var people []person
	byName := map[string][]ident.ID{} // the batch's people, by name
	ids := slices.SortedFunc(maps.Keys(workers), func(a, b ident.ID) int { return bytes.Compare(a[:], b[:]) })
	for _, id := range ids {
		w, ok, err := rc.tx.Values(ctx, records.Workers, id, "name", "id_number", "phone", "station", replica.DeletedColumn)
		if err != nil {
			return err
		}
		if !ok || w[4] == int64(1) || ValueText(w[0]) == "" {
			continue
		}
		p := person{id: id, name: ValueText(w[0]), idn: ValueText(w[1]), phone: ValueText(w[2]), station: ValueText(w[3])}
		people = append(people, p)
		byName[p.name] = append(byName[p.name], id)
	}
	candidates := map[ident.ID]bool{}
	for name, mine := range byName {
		for _, w := range rc.h.names.named(name) {
			candidates[w] = true
		}
		if len(mine) > 1 {
			for _, w := range mine {
				candidates[w] = true
			}
		}
	}
	if len(candidates) == 0 {
		return nil
	}
	rows, err := rc.tx.Query(ctx, `SELECT id, name, coalesce(id_number, ''), coalesce(phone, ''), station FROM workers
		WHERE id `+inIDs+` AND fs_deleted = 0 AND name IS NOT NULL AND station IS NOT NULL`,
		idsJSON(slices.Collect(maps.Keys(candidates))))
	if err != nil {
		return fmt.Errorf("namesakes: %w", err)
	}
	others := map[string][]person{}
	for rows.Next() {
		var id []byte
		var o person
		if err := rows.Scan(&id, &o.name, &o.idn, &o.phone, &o.station); err != nil {
			rows.Close()
			return fmt.Errorf("namesakes: %w", err)
		}
		if len(id) != len(o.id) {
			continue
		}
		copy(o.id[:], id)
		others[o.name] = append(others[o.name], o)
	}
	err = rows.Err()
	rows.Close()
	if err != nil {
		return fmt.Errorf("namesakes: %w", err)
	}
	type pair struct {
		p person
		o person
	}
	var found []pair
	for _, p := range people {
		for _, o := range others[p.name] {
			if o.id != p.id && o.station != p.station && (idDistance(o.idn, p.idn) <= 2 || p.phone != "" && o.phone == p.phone) {
				found = append(found, pair{p, o})
			}
		}
	}
	seen := map[[2]ident.ID]bool{}
	for _, f := range found {
		a, b := f.p.id, f.o.id
		va := ConflictValue{Index: 0, Value: f.p.idn, Column: "id_number", Row: a.String(), Station: f.p.station, Note: f.p.phone}
		vb := ConflictValue{Index: 1, Value: f.o.idn, Column: "id_number", Row: b.String(), Station: f.o.station, Note: f.o.phone}
		if string(b[:]) < string(a[:]) {
			a, b, va, vb = b, a, vb, va
			va.Index, vb.Index = 0, 1
		}
		if seen[[2]ident.ID{a, b}] {
			continue // both in the batch: found from each side
		}
		seen[[2]ident.ID{a, b}] = true
		var dismissed int
		if err := rc.tx.QueryRow(ctx, `SELECT count(*) FROM hub_conflicts WHERE row = ? AND col = ? AND kind = ?
			AND status = 'resolved'`, a.String(), b.String(), KindIdentity).Scan(&dismissed); err != nil {
			return fmt.Errorf("identity conflicts of %s: %w", a, err)
		}
		if dismissed > 0 {
			continue
		}
		stations := []string{va.Station}
		if vb.Station != va.Station {
			stations = append(stations, vb.Station)
		}
		if err := rc.upsert(ctx, KindIdentity, records.Workers, a, b.String(), stations, []ConflictValue{va, vb}); err != nil {
			return err
		}
	}
	return nil
}
