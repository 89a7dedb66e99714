package hub

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"fieldsync/ident"
	"fieldsync/records"
	"fieldsync/replica"
)

// The screen stage (DESIGN "Trust: a station is not the hub") decides, for
// each change of a station's batch, inside the batch's transaction, whether
// the station may make it:
//
//   - a worker row is the station's when it is in its scope, or when the
//     change creates it with a full, valid id number whose derived row id
//     is the row's (a registration; a join when another station holds the
//     person, capped per station per day, waiting for the county past the
//     cap);
//   - a child row (status, registration, follow-up, placement) is the
//     station's when its worker is; it never moves to another worker;
//   - a gig, and a county-wide programme row (a welfare post, a workshop,
//     a project, a partner region, an export batch), is edited only by the
//     station that made it; the county's own rows by no station;
//   - a programme record of a person (a welfare placement, ...) is a child
//     row like a status;
//   - tables the hub keeps are never the station's;
//   - the station column names the sender; every value passes the rules
//     of the station's own forms (records.CheckChange);
//   - deleting a person other stations hold waits for the county.
//
// What is refused is named, one refusal row a column (table refusals, sent
// to that station only); the rest of the batch applies. Where the station
// may see the row, the hub supersedes the refused value with its own
// (replica.Tx.Supersede), so that station and hub agree again; a row
// outside the station's scope is never answered with the hub's values.

// maxRefusalRows bounds the refusal rows one batch writes: past it, one row
// says how many more changes were refused.
const maxRefusalRows = 200

// maxRefusalValue bounds the text of a refused value kept for the station's
// staff, in runes.
const maxRefusalValue = 200

// DefaultJoinsPerDay is how many people of other stations a station may
// register a day before each further one waits for the county.
const DefaultJoinsPerDay = 20

// refusal is one refused column (col "" for a whole change).
type refusal struct {
	table, row, col string
	value           string
	key, reason     string
	state           string
	version         replica.Version
}

// screen holds the decisions of one batch.
type screen struct {
	h   *Hub
	tx  *replica.Tx
	st  StationInfo
	now time.Time

	accepted  []replica.Change
	refusals  []refusal
	more      int // refusals past maxRefusalRows
	supersede []superseding
	add       *scopeAdd
	added     map[ident.ID]bool         // workers entering the scope in this batch
	joins     []ident.ID                // of them, those other stations hold
	holds     map[ident.ID]*heldRequest // joins waiting, by worker
	deletes   []*heldRequest            // deletions waiting
	placedIn  map[ident.ID]bool         // gigs whose placements changed
	rows      map[rowKey]map[string]any // rows as the batch's accepted changes leave them
	again     map[rowKey]bool           // rows the batch changes more than once
	joinsDay  int                       // joins of the station today, -1 until read
	// newHouseholds are the households the batch creates, by row, with
	// their head: a member may join one in the same batch.
	newHouseholds map[ident.ID]ident.ID
	// waitingAdded are the joins this batch made wait, remembered before
	// the commit (forgotten if it fails).
	waitingAdded []ident.ID
}

type superseding struct {
	table string
	row   ident.ID
	cols  []replica.Superseding
}

// heldRequest is a change the county must decide first: a join past the
// day's cap, or the deletion of a person other stations hold.
type heldRequest struct {
	kind    string // requestJoin or requestDelete
	worker  ident.ID
	changes []replica.Change
	id      int64 // of an earlier batch's waiting request, else 0
}

func (h *Hub) newScreen(tx *replica.Tx, st StationInfo) *screen {
	return &screen{h: h, tx: tx, st: st, now: h.now(), added: map[ident.ID]bool{},
		holds: map[ident.ID]*heldRequest{}, placedIn: map[ident.ID]bool{}, joinsDay: -1,
		add: &scopeAdd{station: st.Name}}
}

// run screens every change of the batch, in order.
func (s *screen) run(ctx context.Context, changes []replica.Change) error {
	if err := s.tx.Prefetch(ctx, changes); err != nil {
		return err
	}
	s.accepted = make([]replica.Change, 0, len(changes))
	// The rows changed more than once in the batch: only their state after
	// each accepted change is kept for the next (see before).
	seen := make(map[rowKey]bool, len(changes))
	for i := range changes {
		k := rowKey{changes[i].Table, changes[i].Row}
		if seen[k] {
			if s.again == nil {
				s.again = map[rowKey]bool{}
			}
			s.again[k] = true
		}
		seen[k] = true
	}
	if t, ok := s.h.rep.Schema().Table(records.Households); ok {
		head, _ := t.Column("worker_id")
		for i := range changes {
			if changes[i].Table != records.Households {
				continue
			}
			if v, ok := fieldText(changes[i].Fields, head); ok {
				if id, err := ident.ParseID(v); err == nil {
					if s.newHouseholds == nil {
						s.newHouseholds = map[ident.ID]ident.ID{}
					}
					s.newHouseholds[changes[i].Row] = id
				}
			}
		}
	}
	// Workers first: the scope of a worker registered in this batch
	// decides its records', wherever they stand in the batch. Deletes of
	// county-wide rows last: whether people's records still name the row
	// depends on the batch's other changes (a job deleted with its
	// workshop), in whatever order the batch holds them.
	for phase := range 2 + deletePhases {
		for i := range changes {
			if s.phaseOf(&changes[i]) != phase {
				continue
			}
			if err := s.change(ctx, changes[i]); err != nil {
				return fmt.Errorf("screen change %d: %w", i, err)
			}
		}
	}
	return nil
}

// phaseOf is when run screens a change: workers (0), then the rest (1),
// then deletes of county-wide rows (2 and on), a row's after those of the
// county-wide rows that may name it (a job fair's after its postings', a
// partner region's after its export batches').
func (s *screen) phaseOf(c *replica.Change) int {
	switch {
	case c.Table == records.Workers:
		return 0
	case countyWide[c.Table]:
		if t, ok := s.h.rep.Schema().Table(c.Table); ok && deleteField(t, c.Fields) >= 0 {
			return 2 + deleteRank[c.Table]
		}
	}
	return 1
}

// deleteRank is, for each county-wide table, how many county-wide tables
// name it in a chain (records.Refs): 0 for one no county-wide row names.
// deletePhases is the number of ranks.
var deleteRank, deletePhases = func() (map[string]int, int) {
	rank := map[string]int{}
	var of func(table string, depth int) int
	of = func(table string, depth int) int {
		r := 0
		for _, ref := range records.RefsTo(table) {
			if countyWide[ref.From] && depth < len(records.Refs) {
				r = max(r, 1+of(ref.From, depth+1))
			}
		}
		return r
	}
	n := 1
	for t := range countyWide {
		rank[t] = of(t, 0)
		n = max(n, rank[t]+1)
	}
	return rank, n
}()

// precheck does, for one change, the checks that need no database, and
// marks the change Prechecked when it passes them all: well-formed fields,
// a key column that derives to the row id, the sender's name in the
// station column, values acceptable as a whole new row. It runs in
// Authorize, off the upload lock; a change it does not mark is checked in
// full by the screen.
func (h *Hub) precheck(st StationInfo, c *replica.Change) {
	c.Prechecked = false
	t, ok := h.rep.Schema().Table(c.Table)
	if !ok || c.Row.IsZero() || hubOnly[t.Name] {
		return
	}
	for j := range c.Fields {
		if replica.CheckField(t, &c.Fields[j]) != nil {
			return
		}
	}
	if k := t.KeyColumnIndex(); k >= 0 {
		if idn, ok := fieldText(c.Fields, k); ok {
			if norm, err := ident.NormalizeIDNumber(idn); err != nil || norm != idn || h.cfg.key.Derive(t.Name, idn) != c.Row {
				return
			}
		}
	}
	if col, ok := t.Column("station"); ok {
		for _, f := range c.Fields {
			if f.Col == col && !f.Dead && f.Value != st.Name {
				return
			}
		}
	}
	if len(records.CheckChange(t.Name, nil, changeValues(t, c.Fields, nil), h.now())) > 0 {
		return
	}
	c.Prechecked = true
}

func (s *screen) change(ctx context.Context, c replica.Change) error {
	sch := s.h.rep.Schema()
	t, ok := sch.Table(c.Table)
	if !ok {
		s.refuse(c, nil, "", records.KeyBadValue, "unknown table "+c.Table)
		return nil
	}
	if !c.Prechecked {
		c.Fields = append([]replica.Field(nil), c.Fields...) // the sender's slice stays as sent
		for j := range c.Fields {
			if err := replica.CheckField(t, &c.Fields[j]); err != nil || c.Row.IsZero() {
				s.refuse(c, t, "", records.KeyBadValue, fmt.Sprint(err))
				return nil
			}
		}
	}
	if hubOnly[t.Name] {
		s.refuse(c, t, "", records.KeyHubOnly, "")
		return nil
	}
	before, err := s.before(ctx, t, c.Row)
	if err != nil {
		return err
	}
	_, isChild := s.h.workerCol[t.Name]
	switch {
	case t.Name == records.Workers:
		return s.worker(ctx, t, c, before)
	case isChild:
		return s.child(ctx, t, c, before)
	case t.Name == records.Gigs:
		if before != nil && before["station"] != s.st.Name {
			s.refuseVisible(c, t, before, records.KeyNotPoster)
			return nil
		}
		return s.values(ctx, c, t, before)
	case countyWide[t.Name]:
		// A county-wide programme row (a welfare post, a workshop, a
		// project, a partner region, an export batch) is edited only by
		// the station that made it; the county's own are the county's.
		if before != nil && before["station"] != s.st.Name {
			s.refuseVisible(c, t, before, records.KeyNotMaker)
			return nil
		}
		if deleteField(t, c.Fields) >= 0 && before != nil {
			// Its maker may not delete it while people's records name it,
			// as the station's own forms refuse (in_use).
			used, err := s.programmeInUse(ctx, t.Name, c.Row)
			if err != nil {
				return err
			}
			if used {
				s.refuseVisible(c, t, before, records.KeyInUse)
				return nil
			}
		}
		return s.values(ctx, c, t, before)
	}
	s.refuse(c, t, "", records.KeyOutOfScope, "")
	return nil
}

// programmeInUse reports whether a row of a table that refers to
// county-wide programme rows names row of table and is not deleted: at the
// hub (one indexed query per referring table), after this batch's changes
// accepted so far (a station deletes its job, then the workshop).
func (s *screen) programmeInUse(ctx context.Context, table string, row ident.ID) (bool, error) {
	sch := s.h.rep.Schema()
	for _, ref := range records.RefsTo(table) {
		from := ref.From
		ft, ok := sch.Table(from)
		if !ok {
			continue
		}
		col := mustCol(ft, ref.Column)
		// The batch's accepted changes to the referring table, last first.
		names := map[ident.ID]bool{} // referring row -> names row now
		for k := len(s.accepted) - 1; k >= 0; k-- {
			c := s.accepted[k]
			if c.Table != from {
				continue
			}
			if _, seen := names[c.Row]; seen {
				continue
			}
			if deleteField(ft, c.Fields) >= 0 {
				names[c.Row] = false
			} else if v, ok := fieldText(c.Fields, col); ok {
				names[c.Row] = v == row.String()
			}
		}
		for _, n := range names {
			if n {
				return true, nil
			}
		}
		rows, err := s.tx.Query(ctx, `SELECT id FROM `+from+` WHERE `+ref.Column+` = ? AND `+
			replica.DeletedColumn+` = 0`, row.String())
		if err != nil {
			return false, fmt.Errorf("rows of %s naming %s %s: %w", from, table, row, err)
		}
		used := false
		for rows.Next() && !used {
			var id []byte
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return false, fmt.Errorf("rows of %s naming %s %s: %w", from, table, row, err)
			}
			var r ident.ID
			if len(id) == len(r) {
				copy(r[:], id)
			}
			if _, changed := names[r]; !changed {
				used = true
			}
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return false, fmt.Errorf("rows of %s naming %s %s: %w", from, table, row, err)
		}
		if used {
			return true, nil
		}
	}
	return false, nil
}

// checkHousehold refuses, in bad, a worker change that puts the person
// into a household the station cannot see: one the hub does not hold (nor
// the batch creates), or whose head is not in the station's scope. The
// station's own forms check the same (station.Households); a station that
// skips them must not link its person to another station's household.
func (s *screen) checkHousehold(ctx context.Context, c replica.Change, t *replica.Table, bad map[int]refusal) error {
	col, ok := t.Column("household_id")
	if !ok {
		return nil
	}
	if _, refused := bad[col]; refused {
		return nil
	}
	v, ok := fieldText(c.Fields, col)
	if !ok || v == "" {
		return nil
	}
	id, err := ident.ParseID(v)
	if err != nil {
		return nil // CheckChange refused it already
	}
	head, ok := s.newHouseholds[id]
	if !ok {
		row, err := s.tx.Row(ctx, records.Households, id)
		if err != nil {
			return fmt.Errorf("household of a worker: %w", err)
		}
		if row != nil && row[replica.DeletedColumn] != int64(1) {
			h, _ := row["worker_id"].(string)
			head, err = ident.ParseID(h)
			ok = err == nil
		}
	}
	if !ok || !s.inScope(head) {
		fe := &records.FieldError{Field: "household_id", Key: records.KeyNoHousehold}
		bad[col] = refusal{key: fe.Key, reason: fe.Message("zh")}
	}
	return nil
}

// inScope reports whether the worker is the station's, now or by this batch.
func (s *screen) inScope(w ident.ID) bool { return s.added[w] || s.h.scope.has(s.st.Name, w) }

func (s *screen) worker(ctx context.Context, t *replica.Table, c replica.Change, before map[string]any) error {
	w := c.Row
	idCol, _ := t.Column("id_number")
	if !s.inScope(w) {
		if req := s.waiting(w); req != nil {
			s.hold(req, c)
			return nil
		}
		idn, ok := fieldText(c.Fields, idCol)
		if !ok {
			s.refuse(c, t, "", records.KeyOutOfScope, "")
			return nil
		}
		if !c.Prechecked {
			if norm, err := ident.NormalizeIDNumber(idn); err != nil || norm != idn || s.h.deriver.Derive(records.Workers, idn) != w {
				s.refuse(c, t, "", records.KeyIDMismatch, "")
				return nil
			}
		}
		held := before != nil || len(s.h.scope.stationsOf(w)) > 0
		if held {
			ok, err := s.mayJoin(ctx)
			if err != nil {
				return err
			}
			if !ok {
				req := &heldRequest{kind: requestJoin, worker: w}
				s.holds[w] = req
				s.hold(req, c)
				return nil
			}
			s.joins = append(s.joins, w)
		}
		s.added[w] = true
		s.add.workers = append(s.add.workers, w)
		s.add.pending = append(s.add.pending, held)
		return s.values(ctx, c, t, before)
	}
	if idn, ok := fieldText(c.Fields, idCol); ok && !c.Prechecked && s.h.deriver.Derive(records.Workers, idn) != w {
		// Refused alone: the row is the station's, and replica refuses a
		// key that does not derive to the row.
		s.refuseFields(c, t, before, map[int]refusal{idCol: {key: records.KeyIDMismatch}})
		return nil
	}
	if i := deleteField(t, c.Fields); i >= 0 && before != nil {
		if others := s.othersHolding(w); others {
			del := replica.Change{Table: c.Table, Row: c.Row, Version: c.Version, Fields: []replica.Field{c.Fields[i]}}
			req := &heldRequest{kind: requestDelete, worker: w}
			s.hold(req, del)
			c.Fields = append(c.Fields[:i:i], c.Fields[i+1:]...)
			if len(c.Fields) == 0 {
				return nil
			}
		}
	}
	return s.values(ctx, c, t, before)
}

// othersHolding reports whether a station besides the sender holds w.
func (s *screen) othersHolding(w ident.ID) bool {
	for _, st := range s.h.scope.stationsOf(w) {
		if st != s.st.Name {
			return true
		}
	}
	return false
}

func (s *screen) child(ctx context.Context, t *replica.Table, c replica.Change, before map[string]any) error {
	col := s.h.workerCol[t.Name]
	var owner ident.ID
	ownerOK := false
	if before != nil {
		if str, ok := before["worker_id"].(string); ok {
			owner, ownerOK = parseID(str)
		}
	}
	if str, ok := fieldText(c.Fields, col); ok {
		w, ok := parseID(str)
		if ownerOK && (!ok || w != owner) {
			if s.inScope(owner) {
				s.refuseVisible(c, t, before, records.KeyWorkerFixed)
			} else {
				s.refuse(c, t, "", records.KeyOutOfScope, "")
			}
			return nil
		}
		owner, ownerOK = w, ok
	}
	if !ownerOK {
		s.refuse(c, t, "", records.KeyOutOfScope, "")
		return nil
	}
	if !s.inScope(owner) {
		if req := s.waiting(owner); req != nil {
			s.hold(req, c)
			return nil
		}
		s.refuse(c, t, "", records.KeyOutOfScope, "")
		return nil
	}
	if t.Name == records.Placements {
		if str, ok := fieldText(c.Fields, mustCol(t, "gig_id")); ok {
			if g, ok := parseID(str); ok {
				s.placedIn[g] = true
			}
		}
		if before != nil {
			if g, ok := parseID(fmt.Sprint(before["gig_id"])); ok {
				s.placedIn[g] = true
			}
		}
	}
	return s.values(ctx, c, t, before)
}

// values is the last check of a change the station may make: its station
// column and its values. A new row is accepted whole or not at all; an
// existing row's bad columns are refused and the rest applies.
func (s *screen) values(ctx context.Context, c replica.Change, t *replica.Table, before map[string]any) error {
	bad := map[int]refusal{}
	stationCol, hasStation := t.Column("station")
	stationSent := hasStation && setsColumn(c.Fields, stationCol)
	if col := stationCol; hasStation {
		// The station is the session's, whatever the change says: the
		// column is refused, and the hub writes the sender's name over it.
		for i, f := range c.Fields {
			if f.Col == col && !f.Dead && f.Value != s.st.Name {
				s.refuseColumn(c, t, col, records.KeyStationField, "")
				s.supersede = append(s.supersede, superseding{table: t.Name, row: c.Row,
					cols: []replica.Superseding{{Col: col, Refused: c.Version, Value: s.st.Name}}})
				c.Fields = append(c.Fields[:i:i], c.Fields[i+1:]...)
				break
			}
		}
	}
	if len(c.Fields) > 0 && !(c.Prechecked && before == nil) {
		for _, fe := range records.CheckChange(t.Name, before, changeValues(t, c.Fields, before), s.now) {
			col, ok := t.Column(fe.Field)
			if !ok || fe.Field == "" {
				s.refuse(c, t, "", fe.Key, fe.Error())
				return nil
			}
			if _, dup := bad[col]; !dup {
				bad[col] = refusal{key: fe.Key, reason: fe.Message("zh")}
			}
		}
	}
	if hasStation && before == nil && !stationSent && slices.Contains(records.CountyWideTables, t.Name) {
		// A new county-wide programme row names its maker, the only one
		// who may ever edit or delete it: without one it would be no
		// one's (a station's forms always send it).
		fe := &records.FieldError{Field: "station", Key: records.KeyRequired}
		bad[stationCol] = refusal{key: fe.Key, reason: fe.Message("zh")}
	}
	if t.Name == records.Workers {
		if err := s.checkHousehold(ctx, c, t, bad); err != nil {
			return err
		}
	}
	if len(bad) == 0 {
		s.accept(t, c, before)
		return nil
	}
	if before == nil {
		// A new row is accepted whole or not at all: the station's copy is
		// marked deleted, as the hub's, and its values stay in the refusal.
		for col, r := range bad {
			s.refuseColumn(c, t, col, r.key, r.reason)
		}
		s.supersedeAll(c, t, true)
		return nil
	}
	s.refuseFields(c, t, before, bad)
	return nil
}

// refuseFields refuses the given columns of a change to a row the station
// may see and the hub holds, supersedes them with the hub's values, and
// accepts the rest of the change.
func (s *screen) refuseFields(c replica.Change, t *replica.Table, before map[string]any, bad map[int]refusal) {
	keep := c.Fields[:0:0]
	var sup []replica.Superseding
	for _, f := range c.Fields {
		if _, ok := bad[f.Col]; !ok {
			keep = append(keep, f)
			continue
		}
		if !f.Dead {
			sup = append(sup, replica.Superseding{Col: f.Col, Elem: f.Elem, Refused: c.Version, Keep: true})
		}
	}
	for col, r := range bad {
		s.refuseColumn(c, t, col, r.key, r.reason)
	}
	if len(sup) > 0 {
		s.supersede = append(s.supersede, superseding{table: t.Name, row: c.Row, cols: sup})
	}
	if len(keep) > 0 {
		c.Fields = keep
		s.accept(t, c, before)
	}
}

// rowKey names a row of a table.
type rowKey struct {
	table string
	row   ident.ID
}

// before is the row as the hub will hold it when the change applies: as
// stored, with the changes this batch accepted for it so far (a batch may
// create a row and then edit it).
func (s *screen) before(ctx context.Context, t *replica.Table, row ident.ID) (map[string]any, error) {
	if m, ok := s.rows[rowKey{t.Name, row}]; ok {
		return m, nil
	}
	return s.tx.Row(ctx, t.Name, row)
}

// accept takes a change (its refused columns stripped) into the batch, and
// remembers the row it leaves for the batch's next changes to it.
func (s *screen) accept(t *replica.Table, c replica.Change, before map[string]any) {
	s.accepted = append(s.accepted, c)
	if !s.again[rowKey{t.Name, c.Row}] {
		return
	}
	next := make(map[string]any, len(before)+len(c.Fields))
	for k, v := range before {
		next[k] = v
	}
	for k, v := range changeValues(t, c.Fields, before) {
		if els, ok := v.([]string); ok {
			b, _ := json.Marshal(els)
			v = string(b) // as Tx.Row gives a Set column
		}
		next[k] = v
	}
	if i := deleteField(t, c.Fields); i >= 0 {
		next[replica.DeletedColumn] = int64(1)
	}
	if s.rows == nil {
		s.rows = map[rowKey]map[string]any{}
	}
	s.rows[rowKey{t.Name, c.Row}] = next
}

// refuseVisible refuses a whole change to a row the station may see (its
// own worker's record, a county gig), superseding every column it wrote.
func (s *screen) refuseVisible(c replica.Change, t *replica.Table, before map[string]any, key string) {
	s.refuse(c, t, "", key, "")
	s.supersedeAll(c, t, before == nil)
}

func (s *screen) supersedeAll(c replica.Change, t *replica.Table, deleteRow bool) {
	var sup []replica.Superseding
	for _, f := range c.Fields {
		if !f.Dead && f.Col != t.DeletedCol() {
			sup = append(sup, replica.Superseding{Col: f.Col, Elem: f.Elem, Refused: c.Version, Keep: true})
		}
	}
	if deleteRow {
		sup = append(sup, replica.Superseding{Col: t.DeletedCol(), Refused: c.Version, Value: int64(1)})
	} else if i := deleteField(t, c.Fields); i >= 0 {
		sup = append(sup, replica.Superseding{Col: t.DeletedCol(), Refused: c.Version, Keep: true})
	}
	s.supersede = append(s.supersede, superseding{table: t.Name, row: c.Row, cols: sup})
}

// refuse refuses a whole change, with one refusal row (column col, "" for
// the whole change); nothing of the hub's answers it.
func (s *screen) refuse(c replica.Change, t *replica.Table, col, key, reason string) {
	r := refusal{table: c.Table, row: c.Row.String(), col: col, key: key, reason: reason,
		state: records.RefusalRefused, version: c.Version}
	if t != nil {
		r.value = summary(t, c.Fields)
	}
	s.record(r)
}

// refuseColumn refuses one column of a change (its field's value is kept
// in the refusal).
func (s *screen) refuseColumn(c replica.Change, t *replica.Table, col int, key, reason string) {
	r := refusal{table: c.Table, row: c.Row.String(), col: t.ColumnName(col), key: key, reason: reason,
		state: records.RefusalRefused, version: c.Version}
	for _, f := range c.Fields {
		if f.Col == col && !f.Dead {
			r.value = clip(valueText(f))
		}
	}
	s.record(r)
}

// record keeps a refusal for the batch's answer, within maxRefusalRows; a
// refusal without a reason gets its key's message.
func (s *screen) record(r refusal) {
	if r.reason == "" {
		r.reason = records.Message("zh", r.key, records.FieldLabel("zh", r.col))
	}
	if len(s.refusals) >= maxRefusalRows {
		s.more++
		return
	}
	s.refusals = append(s.refusals, r)
}

// waiting returns the request that holds a worker's changes from this
// station: of this batch, or of an earlier one still waiting.
func (s *screen) waiting(w ident.ID) *heldRequest {
	if req := s.holds[w]; req != nil {
		return req
	}
	if id, ok := s.h.requests.waitingJoin(s.st.Name, w); ok {
		req := &heldRequest{kind: requestJoin, worker: w, id: id}
		s.holds[w] = req
		return req
	}
	return nil
}

func (s *screen) hold(req *heldRequest, c replica.Change) {
	req.changes = append(req.changes, c)
	switch {
	case req.kind == requestJoin:
		s.holds[req.worker] = req
	case len(req.changes) == 1:
		s.deletes = append(s.deletes, req)
	}
}

// mayJoin reports whether the station may register one more person of
// another station today, and counts it.
func (s *screen) mayJoin(ctx context.Context) (bool, error) {
	if s.joinsDay < 0 {
		n, err := s.h.requests.joinsSince(ctx, s.tx, s.st.Name, s.h.dayStart(s.now))
		if err != nil {
			return false, err
		}
		s.joinsDay = n
	}
	if s.joinsDay >= s.h.joinsPerDay() {
		return false, nil
	}
	s.joinsDay++
	return true, nil
}

// write stores the decisions, after the accepted changes applied: the
// hub's superseding values, the refusal rows, the held requests, the gigs'
// fill.
func (s *screen) write(ctx context.Context) error {
	for _, sp := range s.supersede {
		if _, err := s.tx.Supersede(ctx, sp.table, sp.row, sp.cols); err != nil {
			return fmt.Errorf("supersede refused values: %w", err)
		}
	}
	if err := s.writeHeld(ctx); err != nil {
		return err
	}
	if s.more > 0 {
		s.refusals = append(s.refusals, refusal{key: records.KeyBadValue, state: records.RefusalRefused,
			reason: fmt.Sprintf("另有%d项修改未被县级接受（本批次过多，未逐项列出）", s.more)})
	}
	for _, r := range s.refusals {
		if _, err := s.h.writeRefusal(ctx, s.tx, s.st.Name, r, s.now); err != nil {
			return err
		}
		// No value: it may be personal data.
		s.h.log.InfoContext(ctx, "change refused", "station", s.st.Name, "table", r.table, "column", r.col,
			"reason", r.key, "state", r.state)
	}
	for _, w := range s.joins {
		if err := s.h.requests.recordJoin(ctx, s.tx, s.h, s.st.Name, w, s.now); err != nil {
			return err
		}
	}
	for g := range s.placedIn {
		if err := s.h.fillGig(ctx, s.tx, g); err != nil {
			return err
		}
	}
	return nil
}

// writeRefusal writes one refusal row for a station, and routes it to
// that station only.
func (h *Hub) writeRefusal(ctx context.Context, tx *replica.Tx, station string, r refusal, now time.Time) (ident.ID, error) {
	id, err := ident.NewTimeOrdered(now)
	if err != nil {
		return id, fmt.Errorf("write refusal: %w", err)
	}
	version := ""
	if r.version.Site != 0 {
		version = r.version.String()
	}
	_, err = tx.Edit(ctx, replica.Edit{Table: records.Refusals, Row: id, Set: []replica.ColumnValue{
		{Column: "station", Value: station}, {Column: "table_name", Value: r.table}, {Column: "row_id", Value: r.row},
		{Column: "column_name", Value: r.col}, {Column: "value", Value: r.value},
		{Column: "reason_key", Value: r.key}, {Column: "reason", Value: clip(r.reason)},
		{Column: "state", Value: r.state}, {Column: "refused_at", Value: now.UTC().Format(time.RFC3339)},
		{Column: "version", Value: version},
	}})
	if err != nil {
		return id, fmt.Errorf("write refusal: %w", err)
	}
	h.refusalTo.set(id, station)
	return id, nil
}

// fillGig writes how many people the county has placed in a gig.
func (h *Hub) fillGig(ctx context.Context, tx *replica.Tx, gig ident.ID) error {
	var n int64
	if err := tx.QueryRow(ctx, `SELECT count(*) FROM `+records.Placements+` WHERE gig_id = ? AND status = ? AND `+
		replica.DeletedColumn+` = 0`, gig.String(), records.PlacementPlaced).Scan(&n); err != nil {
		return fmt.Errorf("count placements of gig %s: %w", gig, err)
	}
	if _, err := tx.Edit(ctx, replica.Edit{Table: records.GigFill, Row: gig,
		Set: []replica.ColumnValue{{Column: "placed", Value: n}}}); err != nil {
		return fmt.Errorf("fill gig %s: %w", gig, err)
	}
	return nil
}

// changeValues gives a change's values by column name, as CheckChange takes
// them: a Set column as the whole set after the change.
func changeValues(t *replica.Table, fields []replica.Field, before map[string]any) map[string]any {
	out := make(map[string]any, len(fields))
	sets := map[int]map[string]bool{}
	for _, f := range fields {
		if f.Dead || f.Col == t.DeletedCol() {
			continue
		}
		if t.ColumnType(f.Col) != replica.Set {
			out[t.ColumnName(f.Col)] = f.Value
			continue
		}
		m := sets[f.Col]
		if m == nil {
			m = map[string]bool{}
			var cur []string
			if s, ok := before[t.ColumnName(f.Col)].(string); ok && s != "" {
				_ = json.Unmarshal([]byte(s), &cur)
			}
			for _, e := range cur {
				m[e] = true
			}
			sets[f.Col] = m
		}
		m[f.Elem] = f.Value == int64(1)
	}
	for col, m := range sets {
		var els []string
		for e, ok := range m {
			if ok {
				els = append(els, e)
			}
		}
		slices.Sort(els)
		out[t.ColumnName(col)] = els
	}
	return out
}

// fieldText is the text a change gives a column, if it gives one.
func fieldText(fields []replica.Field, col int) (string, bool) {
	for _, f := range fields {
		if f.Col == col && !f.Dead {
			s, ok := f.Value.(string)
			return s, ok
		}
	}
	return "", false
}

// setsColumn reports whether a change's fields set the column.
func setsColumn(fields []replica.Field, col int) bool {
	for _, f := range fields {
		if f.Col == col && !f.Dead {
			return true
		}
	}
	return false
}

// deleteField is the index of the change's field that deletes the row, or -1.
func deleteField(t *replica.Table, fields []replica.Field) int {
	for i, f := range fields {
		if f.Col == t.DeletedCol() && !f.Dead && f.Value == int64(1) {
			return i
		}
	}
	return -1
}

func mustCol(t *replica.Table, name string) int {
	c, ok := t.Column(name)
	if !ok {
		return -1
	}
	return c
}

func parseID(s string) (ident.ID, bool) {
	id, err := ident.ParseID(s)
	return id, err == nil && !id.IsZero()
}

// summary is what a refused change wrote, for the station's staff: its
// columns and values, clipped.
func summary(t *replica.Table, fields []replica.Field) string {
	var b strings.Builder
	for _, f := range fields {
		if f.Dead || f.Col < 0 || f.Col >= t.NumColumns() || f.Col == t.DeletedCol() {
			continue
		}
		if b.Len() > 0 {
			b.WriteString("；")
		}
		b.WriteString(records.FieldLabel("zh", t.ColumnName(f.Col)))
		b.WriteString("：")
		b.WriteString(valueText(f))
	}
	if deleteField(t, fields) >= 0 {
		if b.Len() > 0 {
			b.WriteString("；")
		}
		b.WriteString("删除")
	}
	return clip(b.String())
}

func valueText(f replica.Field) string {
	if f.Elem != "" {
		if f.Value == int64(1) {
			return "+" + f.Elem
		}
		return "-" + f.Elem
	}
	if f.Value == nil {
		return ""
	}
	return fmt.Sprint(f.Value)
}

func clip(s string) string {
	if utf8.RuneCountInString(s) <= maxRefusalValue {
		return s
	}
	r := []rune(s)
	return string(r[:maxRefusalValue]) + "…"
}
