package hub_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"fieldsync/hub"
	"fieldsync/hub/access"
	"fieldsync/ident"
	"fieldsync/internal/hubtest"
	"fieldsync/records"
	"fieldsync/replica"
)

// assignEntries lists the audit log's assignments.
func assignEntries(t *testing.T, h *hub.Hub) []access.AuditEntry {
	t.Helper()
	log, err := h.Access().AuditLog(context.Background(), 1000)
	if err != nil {
		t.Fatal(err)
	}
	var out []access.AuditEntry
	for _, e := range log {
		if e.Action == hub.AuditAssign {
			out = append(out, e)
		}
	}
	return out
}

// TestAssignWorker: the county assigns a worker registered at the hub to
// 站B. The worker enters B's scope with its snapshot pending, and one audit
// entry names the administrator, station and worker; both survive a
// restart. Assigning again writes nothing. An unknown station, a revoked
// station, an unknown worker and a deleted worker are refused, and nothing
// is written.
func TestAssignWorker(t *testing.T) {
	ctx := context.Background()
	h := newCoreHub(t)
	h.enroll("站A")
	e, err := h.hub.AddStation(ctx, "站B", "150421001001", false)
	if err != nil {
		t.Fatal(err)
	}
	h.enroll("站C")
	if err := h.hub.RevokeStation(ctx, "站C"); err != nil {
		t.Fatal(err)
	}
	num, gone := hubtest.IDNumber(7), hubtest.IDNumber(8)
	w, wGone := e.Key.Derive(records.Workers, num), e.Key.Derive(records.Workers, gone)
	if _, err := h.hub.Write(ctx, hubtest.WorkerEdit(e.Key, num, "巴特尔", "13500000007"),
		hubtest.WorkerEdit(e.Key, gone, "其其格", "13500000008")); err != nil {
		t.Fatal(err)
	}
	if _, err := h.hub.Write(ctx, replica.Edit{Table: records.Workers, Row: wGone, Delete: true}); err != nil {
		t.Fatal(err)
	}
	if err := h.hub.AddToScope(ctx, "站A", []ident.ID{w}); err != nil {
		t.Fatal(err)
	}
	if got, err := h.hub.AssignableStations(ctx, w); err != nil || !slices.Equal(got, []string{"站B"}) {
		t.Errorf("assignable stations before: %v %v, want [站B] (A holds it, C is revoked)", got, err)
	}

	who := access.Actor{User: "carol", Remote: "127.0.0.1"}
	if err := h.hub.AssignWorker(ctx, "站B", w, who); err != nil {
		t.Fatal(err)
	}
	if got := h.hub.Holders(w); !slices.Equal(got, []string{"站A", "站B"}) {
		t.Errorf("holders after the assignment: %v", got)
	}
	var pending int
	if err := h.hub.Replica().DB().QueryRow(`SELECT count(*) FROM hub_scope_pending WHERE station = '站B' AND worker = ?`,
		w[:]).Scan(&pending); err != nil || pending != 1 {
		t.Errorf("B's pending snapshot of the worker: %d %v", pending, err)
	}
	entries := assignEntries(t, h.hub)
	if len(entries) != 1 || entries[0].User != "carol" || entries[0].Remote != "127.0.0.1" ||
		entries[0].Detail != "station 站B worker "+w.String() {
		t.Fatalf("audit entries of the assignment: %+v", entries)
	}
	if got, err := h.hub.AssignableStations(ctx, w); err != nil || len(got) != 0 {
		t.Errorf("assignable stations after: %v %v", got, err)
	}

	// Again: nothing written.
	if err := h.hub.AssignWorker(ctx, "站B", w, who); err != nil {
		t.Errorf("assign again: %v", err)
	}
	if n := len(assignEntries(t, h.hub)); n != 1 {
		t.Errorf("audit entries after assigning again: %d, want 1", n)
	}

	for _, c := range []struct {
		name, station string
		worker        ident.ID
		want          error
	}{
		{"unknown station", "站X", w, hub.ErrStationUnknown},
		{"revoked station", "站C", w, hub.ErrStationRevoked},
		{"unknown worker", "站B", ident.ID{9, 9, 9}, replica.ErrNotFound},
		{"deleted worker", "站B", wGone, replica.ErrNotFound},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := h.hub.AssignWorker(ctx, c.station, c.worker, who)
			if !errors.Is(err, c.want) || !strings.Contains(err.Error(), c.station) {
				t.Errorf("got %v, want %v naming %s", err, c.want, c.station)
			}
			if slices.Contains(h.hub.Holders(c.worker), c.station) {
				t.Errorf("%s holds the worker after a refused assignment", c.station)
			}
		})
	}
	if n := len(assignEntries(t, h.hub)); n != 1 {
		t.Errorf("audit entries after refused assignments: %d, want 1", n)
	}

	h.close()
	h.open()
	if got := h.hub.Holders(w); !slices.Equal(got, []string{"站A", "站B"}) {
		t.Errorf("holders after a restart: %v", got)
	}
}
