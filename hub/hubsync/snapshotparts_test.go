package hubsync_test

import (
	"context"
	"testing"
	"time"

	"fieldsync/hub"
	"fieldsync/ident"
	"fieldsync/internal/hubtest"
	"fieldsync/records"
	"fieldsync/replica"
	"fieldsync/syncclient"
	"fieldsync/syncproto"
)

// A snapshot in several batches is done only once the station committed
// its last batch. Every part carries the station's cursor as its last
// sequence, so an ack after the first part cannot tell which parts it
// covers: the hub sends them one at a time. (It sent them together, and
// the station's ack of the first marked the whole snapshot done: a cut
// then, and the station never got the rest.)
func TestSnapshotDoneOnlyAfterItsLastPart(t *testing.T) {
	h := hubtest.NewServer(t, "http", hub.Options{})
	ea, eb := h.Enroll("站A"), h.Enroll("站B")
	a := hubtest.NewStation(t, ea, syncclient.Config{})
	var ids []ident.ID
	for i := range 2 {
		w := hubtest.WithStation(hubtest.WorkerEdit(ea.Key, hubtest.IDNumber(7000+i), "多记录的人", "13800000000"), "站A")
		ids = append(ids, w.Row)
		edits := []replica.Edit{w}
		for range 600 {
			fu := records.Followup{WorkerID: w.Row.String(), Date: "2026-11-01", Method: "电话", ServiceType: "职业指导", Content: "回访"}
			if err := fu.Validate(); err != nil {
				t.Fatal(err)
			}
			edits = append(edits, replica.Edit{Table: records.Followups, Row: hubtest.NewRowID(t), Set: fu.Columns()})
		}
		a.Write(edits...)
	}
	a.Start()
	hubtest.WaitFor(t, 60*time.Second, "A to upload", func() bool { return hubtest.Converged(t, h.Hub, a) })
	if err := h.Hub.AddToScope(context.Background(), "站B", ids); err != nil {
		t.Fatal(err)
	}
	cursor := h.Hub.LastSeq()
	r := hubtest.DialRaw(t, h, eb)
	r.HelloAt(eb, cursor)
	r.Welcome()
	next := func() *syncproto.Batch {
		t.Helper()
		r.WS.SetReadDeadline(time.Now().Add(10 * time.Second))
		b, ok := hubtest.ReadMessage(t, r).(*syncproto.Batch)
		if !ok || b.Last != cursor || len(b.Changes) == 0 {
			t.Fatalf("want a snapshot part at %d, got %+v", cursor, b)
		}
		return b
	}
	n := len(next().Changes)
	r.Send(&syncproto.Ack{Seq: cursor})
	pending := func() bool { return len(h.Hub.PendingSnapshots("站B", 10)) > 0 }
	for deadline := time.Now().Add(1500 * time.Millisecond); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if !pending() {
			t.Fatalf("the snapshot was marked done once the station acknowledged its first part (%d changes of %d)", n, 2*601)
		}
	}
	for n < 2*601 {
		n += len(next().Changes)
		r.Send(&syncproto.Ack{Seq: cursor})
	}
	hubtest.WaitFor(t, 10*time.Second, "the snapshot done once its last part is acknowledged", func() bool { return !pending() })
}
