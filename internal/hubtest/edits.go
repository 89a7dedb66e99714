package hubtest

import (
	"fmt"
	"testing"
	"time"

	"fieldsync/ident"
	"fieldsync/records"
	"fieldsync/replica"
)

// WorkerEdit registers (or edits) the worker with the given id number: a
// whole record that passes the forms' rules (the hub checks them), with
// the given name and phone.
func WorkerEdit(key ident.Key, idNumber, name, phone string) replica.Edit {
	w := records.Worker{IDNumber: idNumber, Name: name, Phone: phone, Ethnicity: "汉族",
		HukouVillage: "150421100001", Education: records.Educations[0], LabourAbility: records.LabourAbilities[0]}
	return replica.Edit{Table: records.Workers, Row: key.Derive(records.Workers, idNumber), Set: w.Columns()}
}

// IDNumber makes the i-th of 336,000 distinct valid GB 11643 id numbers
// (real birth dates in 1990, check digit right).
func IDNumber(i int) string {
	i %= 336000
	first := fmt.Sprintf("1504211990%02d%02d%03d", 1+i/28000, 1+(i/1000)%28, i%1000)
	return first + string(ident.CheckDigit(first))
}

// GigEdit is a new gig with the title, otherwise as FullGig.
func GigEdit(t testing.TB, title string) replica.Edit {
	id, err := ident.NewTimeOrdered(time.Now())
	if err != nil {
		t.Fatal(err)
	}
	e := FullGig(id, 3)
	for i := range e.Set {
		if e.Set[i].Column == "title" {
			e.Set[i].Value = title
		}
	}
	return e
}

// FullGig is a gig that passes validation.
func FullGig(id ident.ID, headcount int64) replica.Edit {
	g := records.Gig{Title: "剪羊毛", Occupation: "剪毛工", Headcount: headcount, Wage: 300, WageUnit: "元/天",
		Settlement: "日结", Place: "150421", StartDate: "2026-12-01", Employer: "合作社", Contact: "13800000000"}
	_ = g.Validate() // normalises (status open), as a station's form does; the values are valid
	return replica.Edit{Table: records.Gigs, Row: id, Set: g.Columns()}
}

// EnteredBy adds who entered an edit, as a station's edits carry it.
func EnteredBy(e replica.Edit, user string) replica.Edit {
	e.Set = append(e.Set, replica.ColumnValue{Column: records.EnteredBy, Value: user})
	return e
}

// StatusEdit puts the worker on a list for the month.
func StatusEdit(key ident.Key, worker ident.ID, month, list string) replica.Edit {
	st := records.MonthStatus{WorkerID: worker.String(), Month: month, ListType: list,
		VerifiedByMethod: "电话", VerifiedBy: "张三", VerifiedAt: month + "-05"}
	if list == records.ListEmployed {
		st.WorkScope, st.EmploymentForm, st.MonthlyIncome = records.WorkScopes[0], records.EmploymentForms[0], records.Income(2500)
	}
	return replica.Edit{Table: records.MonthlyStatus, Row: st.ID(key), Set: st.Columns()}
}

// WithStation adds the station column to an edit.
func WithStation(e replica.Edit, st string) replica.Edit {
	e.Set = append(e.Set, replica.ColumnValue{Column: "station", Value: st})
	return e
}

// CheckedIDNumber completes the first 17 characters of an id number with
// its check digit.
func CheckedIDNumber(first17 string) string { return first17 + string(ident.CheckDigit(first17)) }

// NewRowID is a new time-ordered row id.
func NewRowID(t testing.TB) ident.ID {
	t.Helper()
	id, err := ident.NewTimeOrdered(time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// RuleEdits builds what the merge-rule tests have stations record about one
// worker and one gig: each edit alone allowed, together breaking a rule.
type RuleEdits struct {
	T        testing.TB
	Key      ident.Key
	WID, Gig ident.ID
}

// Reg is an open unemployment registration of the worker at station.
func (r RuleEdits) Reg(station string) replica.Edit {
	u := records.UnemploymentRegistration{WorkerID: r.WID.String(), PlaceType: "户籍地", RegisteredOn: "2026-11-02", Reason: "合同到期"}
	return WithStation(replica.Edit{Table: records.Unemployment, Row: NewRowID(r.T), Set: u.Columns()}, station)
}

// Place places the worker with id number worker on the gig, at station.
func (r RuleEdits) Place(worker string, station string) replica.Edit {
	p := records.Placement{GigID: r.Gig.String(), WorkerID: r.Key.Derive(records.Workers, worker).String(), PlacedOn: "2026-11-03"}
	_ = p.Validate() // normalises (status placed), as a station's form does
	return WithStation(replica.Edit{Table: records.Placements, Row: NewRowID(r.T), Set: p.Columns()}, station)
}

// Month is the worker's status of 2026-11, employed in form, in scope.
func (r RuleEdits) Month(form, scope string) replica.Edit {
	m := records.MonthStatus{WorkerID: r.WID.String(), Month: "2026-11", ListType: "就业", WorkScope: scope,
		EmploymentForm: form, VerifiedByMethod: "电话", VerifiedBy: "张三", VerifiedAt: "2026-11-05"}
	return replica.Edit{Table: records.MonthlyStatus, Row: r.Key.Derive(records.MonthlyStatus, r.WID.String()+"/2026-11"),
		Set: m.Columns()}
}
