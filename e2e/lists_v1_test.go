package e2e

import (
	"context"
	"testing"
	"time"

	"fieldsync/hub"
	"fieldsync/internal/hubtest"
	"fieldsync/records"
	"fieldsync/replica"
)

// TestVersion1WillingStatusCounted: a station of release 0.5.0 (schema
// version 1) records the third list as a status, 有意愿外出, and that
// release let it carry a place of work and an employment form. A hub of
// schema version 2 accepts it as sent (the station cannot know the new
// rules) and counts it as 失业 on the 有意愿外出 list, the lists overlapping
// as the policy defines them; it refuses nothing.
func TestVersion1WillingStatusCounted(t *testing.T) {
	ctx := context.Background()
	h := hubtest.NewServer(t, "http", hub.Options{})
	old := hubtest.NewHostileAt(t, h, h.Enroll("旧站"), 1)
	old.Connect()
	w := hostileWorker(t, old.Enr.Key, hubtest.IDNumber(1301), "旧站的人", "旧站")
	// What that release writes of a worker: the columns it knows.
	workers, _ := old.Rep.Schema().Table(records.Workers)
	known := w.Set[:0:0]
	for _, cv := range w.Set {
		if _, ok := workers.Column(cv.Column); ok {
			known = append(known, cv)
		}
	}
	w.Set = known
	month := time.Now().In(h.Hub.Zone()).Format(records.MonthLayout)
	st := hubtest.WithStation(replica.Edit{Table: records.MonthlyStatus,
		Row: old.Enr.Key.Derive(records.MonthlyStatus, w.Row.String()+"/"+month),
		Set: []replica.ColumnValue{
			{Column: "worker_id", Value: w.Row.String()}, {Column: "month", Value: month},
			{Column: "list_type", Value: records.ListWillingAway}, {Column: "work_scope", Value: "区外"},
			{Column: "place", Value: "北京"}, {Column: "employment_form", Value: "单位"},
			{Column: "monthly_income", Value: 0.0}, {Column: "verified_by_method", Value: "电话"},
			{Column: "verified_by", Value: "李四"}, {Column: "verified_at", Value: time.Now().Format(records.DateLayout)},
		}}, "旧站")
	old.Do(w, st)
	checkRefused(t, "hub", h.Hub.Replica(), "旧站", nil)
	if v := hubtest.StationValue(t, h.Hub.Replica(), records.MonthlyStatus, st.Row, "list_type"); v != records.ListWillingAway {
		t.Fatalf("the hub holds the status's list as %v, want it as sent (%s)", v, records.ListWillingAway)
	}
	f, err := h.Hub.Dashboard(ctx, month)
	if err != nil {
		t.Fatal(err)
	}
	if c := f.Lists.Count; c.Employed != 0 || c.Unemployed != 1 || c.WillingAway != 1 || c.Total() != 1 {
		t.Fatalf("lists of %s: %+v, want the person as 失业 and on 有意愿外出, counted once", month, c)
	}
}
