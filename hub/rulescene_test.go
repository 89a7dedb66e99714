package hub_test

import (
	"testing"
	"time"

	"fieldsync/ident"
	"fieldsync/records"
	"fieldsync/replica"
)

// ruleEdits builds what the merge-rule tests have stations record about one
// worker and one gig: each edit alone allowed, together breaking a rule.
type ruleEdits struct {
	t        testing.TB
	key      ident.Key
	wid, gig ident.ID
}

// newRowID is a new time-ordered row id.
func newRowID(t testing.TB) ident.ID {
	t.Helper()
	id, err := ident.NewTimeOrdered(time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// reg is an open unemployment registration of the worker at station.
func (r ruleEdits) reg(station string) replica.Edit {
	u := records.UnemploymentRegistration{WorkerID: r.wid.String(), PlaceType: "户籍地", RegisteredOn: "2026-11-02", Reason: "合同到期"}
	return withStation(replica.Edit{Table: records.Unemployment, Row: newRowID(r.t), Set: u.Columns()}, station)
}

// place places the worker with id number worker on the gig, at station.
func (r ruleEdits) place(worker string, station string) replica.Edit {
	p := records.Placement{GigID: r.gig.String(), WorkerID: r.key.Derive(records.Workers, worker).String(), PlacedOn: "2026-11-03"}
	return withStation(replica.Edit{Table: records.Placements, Row: newRowID(r.t), Set: p.Columns()}, station)
}

// month is the worker's status of 2026-11, employed in form, in scope.
func (r ruleEdits) month(form, scope string) replica.Edit {
	m := records.MonthStatus{WorkerID: r.wid.String(), Month: "2026-11", ListType: "就业", WorkScope: scope,
		EmploymentForm: form, VerifiedByMethod: "电话", VerifiedBy: "张三", VerifiedAt: "2026-11-05"}
	return replica.Edit{Table: records.MonthlyStatus, Row: r.key.Derive(records.MonthlyStatus, r.wid.String()+"/2026-11"),
		Set: m.Columns()}
}

// withStation adds the station column to an edit.
func withStation(e replica.Edit, st string) replica.Edit {
	e.Set = append(e.Set, replica.ColumnValue{Column: "station", Value: st})
	return e
}

// checkedIDNumber completes the first 17 characters of an id number with
// its check digit.
func checkedIDNumber(first17 string) string { return first17 + string(ident.CheckDigit(first17)) }
