package e2e

import (
	"testing"

	"fieldsync/hub"
	"fieldsync/internal/hubtest"
	"fieldsync/records"
	"fieldsync/replica"
)

// A batch may create a row and edit it again (a worker registered and
// corrected, a gig posted and its headcount changed, before the station
// synced): the hub judges the edit against the row as the batch's own
// creation left it, not as a new row missing its required columns. Found
// by the field simulator: the edits were refused and the rows deleted.
func TestBatchCreatesThenEditsRow(t *testing.T) {
	h := hubtest.NewServer(t, "http", hub.Options{})
	a := hubtest.NewHostile(t, h, h.Enroll("站A"))
	a.Connect()
	idn := hubtest.IDNumber(777)
	w := hubtest.WithStation(hubtest.WorkerEdit(a.Enr.Key, idn, "先登记", "13800000077"), "站A")
	gig := hubtest.WithStation(hubtest.FullGig(hubtest.NewRowID(t), 3), "站A")
	var chs []replica.Change
	chs = append(chs, a.Make(w, gig)...)
	chs = append(chs, a.Make(
		replica.Edit{Table: records.Workers, Row: w.Row, Set: []replica.ColumnValue{{Column: "notes", Value: "后改的"}}},
		replica.Edit{Table: records.Gigs, Row: gig.Row, Set: []replica.ColumnValue{{Column: "headcount", Value: int64(9)}}},
	)...)
	b := a.Send(chs)
	if seq, perr := a.Await(); perr != nil || seq != b.Last {
		t.Fatalf("ack %d, error %v; want ack %d", seq, perr, b.Last)
	}
	hr := h.Hub.Replica()
	if rs := hubtest.Refusals(t, hr); len(rs) != 0 {
		t.Fatalf("the hub refused %+v", rs)
	}
	for _, c := range []struct {
		table, col string
		row        replica.Edit
		want       any
	}{
		{records.Workers, "name", w, "先登记"}, {records.Workers, "notes", w, "后改的"},
		{records.Workers, replica.DeletedColumn, w, int64(0)},
		{records.Gigs, "headcount", gig, int64(9)}, {records.Gigs, "title", gig, "剪羊毛"},
		{records.Gigs, replica.DeletedColumn, gig, int64(0)},
	} {
		if got := hubtest.StationValue(t, hr, c.table, c.row.Row, c.col); got != c.want {
			t.Errorf("hub %s.%s = %v, want %v", c.table, c.col, got, c.want)
		}
	}
}
