package e2e

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

// Workers entering a station's scope with many records reach it in batches
// within the protocol's limits: 64 workers with 157 follow-ups each are
// 10,112 changes, more than one batch may carry (syncproto.DefaultMaxChanges).
// Sent as one snapshot batch, the station refused it as too large on every
// reconnect, and neither direction of its sync moved again.
func TestSnapshotBatchesWithinLimits(t *testing.T) {
	const workers, followups = 64, 157
	if workers*(followups+1) <= syncproto.DefaultMaxChanges {
		t.Fatal("the snapshot must exceed one batch's limit")
	}
	h := hubtest.NewServer(t, "http", hub.Options{})
	ea, eb := h.Enroll("站A"), h.Enroll("站B")
	a := hubtest.NewStation(t, ea, syncclient.Config{})
	b := hubtest.NewStation(t, eb, syncclient.Config{})
	var ids []ident.ID
	for i := range workers {
		w := hubtest.WithStation(hubtest.WorkerEdit(ea.Key, hubtest.IDNumber(6000+i), "多记录的人", "13800000000"), "站A")
		ids = append(ids, w.Row)
		edits := []replica.Edit{w}
		for range followups {
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
	b.Start()
	if err := h.Hub.AddToScope(context.Background(), "站B", ids); err != nil {
		t.Fatal(err)
	}
	hubtest.WaitFor(t, 60*time.Second, "the workers and their follow-ups to reach B", func() bool {
		return hubtest.RowCount(t, b.Rep, records.Followups) == workers*followups &&
			hubtest.RowCount(t, b.Rep, records.Workers) == workers
	})
	// And B's own changes still go up.
	b.Write(hubtest.WithStation(hubtest.GigEdit(t, "B之后的零工"), "站B"))
	hubtest.WaitFor(t, 30*time.Second, "B's gig to reach the hub", func() bool { return hubtest.Converged(t, h.Hub, b) })
}
