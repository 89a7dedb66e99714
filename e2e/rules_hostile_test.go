package e2e

import (
	"context"
	"testing"

	"fieldsync/hub"
	"fieldsync/ident"
	"fieldsync/internal/hubtest"
	"fieldsync/records"
	"fieldsync/replica"
)

// TestHostileChangesBreakingRecordRules: a station that sends, as its own
// changes, values its forms refuse because of another column of the record
// (a 失业 status with an employment form, industry, place or income; a
// 公益性岗位 outside the region; a monitoring type without the category
// 防止返贫监测对象; 边缘易致贫户 with 脱贫人口) has each refused by the hub,
// naming the column, judged on the row as the hub holds it: a change may
// carry one column only. A row the hub stored before the rules, which
// breaks one, still takes the station's other changes, and every change
// that mends it.
func TestHostileChangesBreakingRecordRules(t *testing.T) {
	ctx := context.Background()
	h := hubtest.NewServer(t, "http", hub.Options{})
	a := hubtest.NewHostile(t, h, h.Enroll("站A"))
	a.Connect()
	key := a.Enr.Key
	hubRep := h.Hub.Replica()

	plain := hostileWorker(t, key, hubtest.IDNumber(2101), "农民工甲", "站A")
	edge := hostileWorker(t, key, hubtest.IDNumber(2102), "监测对象乙", "站A")
	setCol(&edge, "tags", []string{records.TagMonitored})
	setCol(&edge, "monitor_type", records.MonitorEdge)
	employed := statusEdit(key, plain.Row, "2026-11", records.ListEmployed)
	unemployed := statusEdit(key, plain.Row, "2026-10", records.ListUnemployed)
	a.Do(plain, edge, employed, unemployed)
	if hubtest.StationValue(t, hubRep, records.MonthlyStatus, unemployed.Row, "list_type") != records.ListUnemployed ||
		hubtest.StationValue(t, hubRep, records.Workers, edge.Row, "monitor_type") != records.MonitorEdge {
		t.Fatal("the station's valid records are not at the hub")
	}
	// A status row the hub holds from before the rules: 失业 with a form.
	old := hubtest.StatusEdit(key, plain.Row, "2026-09", records.ListUnemployed)
	old.Set = append(old.Set, replica.ColumnValue{Column: "employment_form", Value: "单位"},
		replica.ColumnValue{Column: "station", Value: "站A"})
	if _, err := h.Hub.Write(ctx, old); err != nil {
		t.Fatal(err)
	}

	one := func(table string, row ident.ID, col string, v any) replica.Edit {
		return hubtest.WithStation(replica.Edit{Table: table, Row: row,
			Set: []replica.ColumnValue{{Column: col, Value: v}}}, "站A")
	}
	newWelfareAway := statusEdit(key, plain.Row, "2026-08", records.ListEmployed)
	setCol(&newWelfareAway, "employment_form", records.FormWelfare)
	setCol(&newWelfareAway, "work_scope", records.ScopeAway)
	newEdgeLifted := hostileWorker(t, key, hubtest.IDNumber(2103), "边缘又脱贫", "站A")
	setCol(&newEdgeLifted, "tags", []string{records.TagLifted, records.TagMonitored})
	setCol(&newEdgeLifted, "monitor_type", records.MonitorEdge)
	welfare := statusEdit(key, plain.Row, "2026-07", records.ListEmployed)
	setCol(&welfare, "employment_form", records.FormWelfare)
	a.Do(welfare)

	for _, c := range []struct {
		name    string
		edit    replica.Edit
		col     string
		key     string
		kept    any // the hub's value of col afterwards
		created bool
	}{
		{"employed to 失业, the form kept", one(records.MonthlyStatus, employed.Row, "list_type", records.ListUnemployed),
			"list_type", records.KeyInconsistent, records.ListEmployed, false},
		{"失业 given a form", one(records.MonthlyStatus, unemployed.Row, "employment_form", "单位"),
			"employment_form", records.KeyUnemployedField, nil, false},
		{"失业 given an income", one(records.MonthlyStatus, unemployed.Row, "monthly_income", 900.0),
			"monthly_income", records.KeyUnemployedField, nil, false},
		{"失业 given an industry", one(records.MonthlyStatus, unemployed.Row, "industry", "建筑业"),
			"industry", records.KeyUnemployedField, nil, false},
		{"失业 given a place of work", one(records.MonthlyStatus, unemployed.Row, "place", "包头"),
			"place", records.KeyUnemployedField, nil, false},
		{"公益性岗位 moved 区外", one(records.MonthlyStatus, welfare.Row, "work_scope", records.ScopeAway),
			"work_scope", records.KeyInconsistent, "本村", false},
		{"a new 公益性岗位 区外", newWelfareAway, "employment_form", records.KeyWelfareAway, nil, true},
		{"a monitoring type without the category", one(records.Workers, plain.Row, "monitor_type", "突发严重困难户"),
			"monitor_type", records.KeyMonitorTag, nil, false},
		{"the category dropped under a monitoring type", one(records.Workers, edge.Row, "tags", []string{"农民工"}),
			"tags", records.KeyInconsistent, `["防止返贫监测对象"]`, false},
		{"脱贫人口 added to 边缘易致贫户", one(records.Workers, edge.Row, "tags",
			[]string{records.TagLifted, records.TagMonitored}), "tags", records.KeyInconsistent, `["防止返贫监测对象"]`, false},
		{"a new 边缘易致贫户 and 脱贫人口", newEdgeLifted, "monitor_type", records.KeyEdgeLifted, nil, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			a.Do(c.edit)
			checkRefused(t, "the hub", hubRep, "站A", []refusalWant{{c.edit.Table, c.edit.Row, c.col, c.key}})
			if c.created {
				if liveRow(t, hubRep, c.edit.Table, c.edit.Row) {
					t.Errorf("the hub holds the refused new row")
				}
				return
			}
			if v := hubtest.StationValue(t, hubRep, c.edit.Table, c.edit.Row, c.col); !sameValue(v, c.kept) {
				t.Errorf("the hub's %s is %v, want %v", c.col, v, c.kept)
			}
		})
	}

	// The old bad row takes a change to another column, then the change
	// that mends it; neither is refused.
	before := len(hubtest.Refusals(t, hubRep))
	a.Do(one(records.MonthlyStatus, old.Row, "verified_by", "王五"))
	a.Do(one(records.MonthlyStatus, old.Row, "employment_form", nil))
	if n := len(hubtest.Refusals(t, hubRep)); n != before {
		t.Fatalf("changes to a row stored before the rules refused: %+v", hubtest.Refusals(t, hubRep)[before:])
	}
	if v := hubtest.StationValue(t, hubRep, records.MonthlyStatus, old.Row, "verified_by"); v != "王五" {
		t.Errorf("verified_by of the old row: %v", v)
	}
	if v := hubtest.StationValue(t, hubRep, records.MonthlyStatus, old.Row, "employment_form"); v != nil {
		t.Errorf("employment_form of the old row: %v", v)
	}
	// Both columns of a rule in one change: accepted.
	both := one(records.MonthlyStatus, employed.Row, "list_type", records.ListUnemployed)
	both.Set = append(both.Set, replica.ColumnValue{Column: "work_scope", Value: nil},
		replica.ColumnValue{Column: "employment_form", Value: nil}, replica.ColumnValue{Column: "monthly_income", Value: nil})
	a.Do(both)
	if n := len(hubtest.Refusals(t, hubRep)); n != before {
		t.Fatalf("a change making a status 失业 whole refused: %+v", hubtest.Refusals(t, hubRep)[before:])
	}
	if v := hubtest.StationValue(t, hubRep, records.MonthlyStatus, employed.Row, "list_type"); v != records.ListUnemployed {
		t.Errorf("list_type after the whole change: %v", v)
	}
}

// setCol sets column col of edit e to v (replacing or adding it).
func setCol(e *replica.Edit, col string, v any) {
	for i := range e.Set {
		if e.Set[i].Column == col {
			e.Set[i].Value = v
			return
		}
	}
	e.Set = append(e.Set, replica.ColumnValue{Column: col, Value: v})
}

// sameValue compares a value read from SQLite with want (nil, text, a number).
func sameValue(got, want any) bool {
	if g, ok := got.([]byte); ok {
		got = string(g)
	}
	return got == want
}

// liveRow reports whether r holds the row, not deleted.
func liveRow(t *testing.T, r *replica.Replica, table string, row ident.ID) bool {
	t.Helper()
	var n int
	if err := r.DB().QueryRow(`SELECT count(*) FROM `+table+` WHERE id = ? AND `+replica.DeletedColumn+` = 0`,
		row[:]).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n > 0
}
