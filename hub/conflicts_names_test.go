package hub_test

import (
	"context"
	"testing"

	"fieldsync/hub"
	"fieldsync/ident"
	"fieldsync/internal/hubtest"
	"fieldsync/records"
	"fieldsync/replica"
)

// NameConflicts names the record of a conflict of every table as the county
// reads it: the person of a worker, a monthly status, a registration, a
// job-seeking registration, a follow-up, a placement (with its gig's title)
// and a household; a gig by its title; and gives each person's conflict the
// person's residence village. A conflict already named keeps its name.
func TestNameConflictsEveryTable(t *testing.T) {
	h := newCoreHub(t)
	ctx := context.Background()
	key := h.hub.Replica().Key()
	num := hubtest.IDNumber(81)
	w := hubtest.WorkerEdit(key, num, "娜仁", "13500000081")
	w.Set = append(w.Set, replica.ColumnValue{Column: "residence_village", Value: "150421100201"})
	wid := w.Row
	gig := hubtest.GigEdit(t, "剪羊毛（东站）")
	r := hubtest.RuleEdits{T: t, Key: key, WID: wid, Gig: gig.Row}
	of := func(table string) replica.Edit {
		return replica.Edit{Table: table, Row: hubtest.NewRowID(t), Set: []replica.ColumnValue{{Column: "worker_id", Value: wid.String()}}}
	}
	edits := map[string]replica.Edit{
		records.Workers: w, records.MonthlyStatus: r.Month(records.EmploymentForms[0], records.WorkScopes[0]),
		records.Unemployment: r.Reg("东站"), records.Jobseeker: of(records.Jobseeker), records.Followups: of(records.Followups),
		records.Placements: r.Place(num, "东站"), records.Households: of(records.Households), records.Gigs: gig,
	}
	all := []replica.Edit{w, gig}
	for table, e := range edits {
		if table != records.Workers && table != records.Gigs {
			all = append(all, e)
		}
	}
	if _, err := h.hub.Write(ctx, all...); err != nil {
		t.Fatal(err)
	}
	var list []hub.Conflict
	for table, e := range edits {
		list = append(list, hub.Conflict{Kind: hub.KindField, Table: table, Row: e.Row.String()})
	}
	list = append(list, hub.Conflict{Kind: hub.KindTwoOpen, Table: records.Unemployment, Row: wid.String()},
		hub.Conflict{Kind: hub.KindField, Table: records.MonthlyStatus, Row: ident.Zero.String(), WorkerName: "已有的名字"})
	if err := h.hub.NameConflicts(ctx, list); err != nil {
		t.Fatal(err)
	}
	masked := records.MaskIDNumber(num)
	for _, c := range list {
		switch {
		case c.WorkerName == "已有的名字":
			if c.WorkerID != "" || c.Village != "" {
				t.Errorf("a conflict already named was named again: %+v", c)
			}
		case c.Table == records.Gigs:
			if c.Label != "剪羊毛（东站）" || c.WorkerName != "" {
				t.Errorf("the gig's conflict: %+v", c)
			}
		default:
			if c.WorkerName != "娜仁" || c.WorkerID != wid.String() || c.IDNumber != masked || c.Village != "150421100201" {
				t.Errorf("the %s conflict (%s) does not name its person: %+v", c.Table, c.Kind, c)
			}
			if c.Table == records.Placements && c.Label != "剪羊毛（东站）" {
				t.Errorf("the placement's conflict does not name its gig: %+v", c)
			}
		}
	}
}
