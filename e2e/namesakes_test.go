package e2e

import (
	"context"
	"testing"
	"time"

	"fieldsync/hub"
	"fieldsync/hub/access"
	"fieldsync/internal/hubtest"
	"fieldsync/records"
	"fieldsync/replica"
	"fieldsync/syncclient"
)

// The hub's in-memory name index, as its users see it: the worker search by
// name, and the identity rule finding a namesake that arrived earlier — also
// after the hub restarts (the index is loaded from the database), after an
// administrator renames a worker, and not once the worker is deleted.
func TestNameIndex(t *testing.T) {
	h := hubtest.NewAccessServer(t, "http", hub.Options{})
	ctx := context.Background()
	ea, eb := h.Enroll("站A"), h.Enroll("站B")
	a := hubtest.NewStation(t, ea, syncclient.Config{})
	b := hubtest.NewStation(t, eb, syncclient.Config{})
	key := ea.Key
	search := func(q string) []string {
		t.Helper()
		ws, err := h.Hub.SearchWorkers(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, w := range ws {
			ids = append(ids, w.ID)
		}
		return ids
	}
	idA := hubtest.CheckedIDNumber("15042119900101123")
	wa := key.Derive(records.Workers, idA)
	a.Write(hubtest.WithStation(hubtest.WorkerEdit(key, idA, "其木格", "13500000001"), "站A"),
		hubtest.WithStation(hubtest.WorkerEdit(key, hubtest.IDNumber(31), "其木格日", ""), "站A"))
	a.Start()
	hubtest.WaitFor(t, 20*time.Second, "A's workers at the hub", func() bool { return hubtest.RowCount(t, h.Hub.Replica(), records.Workers) == 2 })
	a.Stop()
	if got := search("其木格"); len(got) != 2 || got[0] != wa.String() {
		t.Fatalf("search 其木格 = %v, want %s first, then 其木格日", got, wa)
	}
	if got := search("其木格日"); len(got) != 1 {
		t.Fatalf("search 其木格日 = %v, want one", got)
	}

	// Restarted, the hub still knows A's 其木格: B's, one digit off, is
	// the same person.
	h.Stop()
	h.Open()
	h.Serve(h.Addr)
	idB := hubtest.CheckedIDNumber("15042119900102123")
	b.Write(hubtest.WithStation(hubtest.WorkerEdit(key, idB, "其木格", "13500000002"), "站B"))
	b.Start()
	hubtest.WaitFor(t, 20*time.Second, "B's worker at the hub", func() bool { return hubtest.RowCount(t, h.Hub.Replica(), records.Workers) == 3 })
	b.Stop()
	tok := h.AdminToken("resolver1", access.RoleResolver)
	if cs := h.OpenConflicts(tok, hub.KindIdentity); len(cs) != 1 {
		t.Fatalf("identity conflicts after the restart: %v, want one", cs)
	}

	// Renamed at the hub: found by the new name only.
	if _, err := h.Hub.Write(ctx, replica.Edit{Table: records.Workers, Row: wa,
		Set: []replica.ColumnValue{{Column: "name", Value: "萨仁其木格"}}}); err != nil {
		t.Fatal(err)
	}
	if got := search("萨仁"); len(got) != 1 || got[0] != wa.String() {
		t.Fatalf("search 萨仁 after the rename = %v, want %s", got, wa)
	}
	if got := search("其木格"); len(got) != 2 {
		t.Fatalf("search 其木格 after the rename = %v, want B's and 其木格日", got)
	}
	// Deleted: gone from the index.
	if _, err := h.Hub.Write(ctx, replica.Edit{Table: records.Workers, Row: wa, Delete: true}); err != nil {
		t.Fatal(err)
	}
	if got := search("萨仁"); len(got) != 0 {
		t.Fatalf("search 萨仁 after the delete = %v, want none", got)
	}
}
