package report

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"fieldsync/ident"
	"fieldsync/records"
	"fieldsync/replica"
)

// 零就业家庭 and 监测对象 are counted by household, not by member; a
// household whose head is deleted, and a deleted household, count for
// nothing.
func TestHouseholdsCountedByHousehold(t *testing.T) {
	ctx := context.Background()
	r := openReplica(t, filepath.Join(t.TempDir(), "hh.db"))
	var edits []replica.Edit
	worker := func(i int) ident.ID {
		first17 := fmt.Sprintf("15042119800101%03d", i)
		w := records.Worker{IDNumber: first17 + string(ident.CheckDigit(first17)), Name: "人", Ethnicity: "汉族",
			HukouVillage: "150421100201", Education: "初中", LabourAbility: "普通劳动力"}
		if err := w.Validate(); err != nil {
			t.Fatal(err)
		}
		id := w.ID(testKey)
		edits = append(edits, replica.Edit{Table: records.Workers, Row: id, Set: w.Columns()})
		return id
	}
	n := 0
	household := func(head ident.ID, members int, zero bool, monitor string) ident.ID {
		n++
		hid := ident.ID{0xee, byte(n)}
		h := records.Household{WorkerID: head.String(), ZeroEmployment: zero, MonitorType: monitor}
		edits = append(edits, replica.Edit{Table: records.Households, Row: hid, Set: h.Columns()})
		edits = append(edits, replica.Edit{Table: records.Workers, Row: head,
			Set: []replica.ColumnValue{{Column: "household_id", Value: hid.String()}}})
		for range members {
			m := worker(100 + len(edits))
			edits = append(edits, replica.Edit{Table: records.Workers, Row: m,
				Set: []replica.ColumnValue{{Column: "household_id", Value: hid.String()}}})
		}
		return hid
	}
	household(worker(1), 4, true, "")                      // a 零就业家庭 of 5 counts once
	household(worker(2), 2, true, records.MonitorTypes[0]) // both
	household(worker(3), 0, false, records.MonitorTypes[0])
	household(worker(4), 1, false, records.MonitorTypes[1])
	household(worker(5), 0, false, "")
	gone := worker(6)
	household(gone, 1, true, records.MonitorTypes[0])
	deleted := household(worker(7), 0, true, "")
	if _, err := r.Write(ctx, edits...); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Write(ctx, replica.Edit{Table: records.Workers, Row: gone, Delete: true},
		replica.Edit{Table: records.Households, Row: deleted, Delete: true}); err != nil {
		t.Fatal(err)
	}
	f := dashboard(t, r, testMonth)
	h := f.Households
	if h.Households != 5 || h.ZeroEmployment != 2 || h.Monitored != 3 {
		t.Fatalf("households %d, zero-employment %d, monitored %d; want 5, 2, 3", h.Households, h.ZeroEmployment, h.Monitored)
	}
	if got := bucketCount(h.ByMonitorType, records.MonitorTypes[0]); got != 2 {
		t.Fatalf("%s households: %d, want 2", records.MonitorTypes[0], got)
	}
	if got := bucketCount(h.ByMonitorType, records.MonitorTypes[1]); got != 1 {
		t.Fatalf("%s households: %d, want 1", records.MonitorTypes[1], got)
	}
	// The report's summary sheet says the same.
	var buf bytes.Buffer
	if err := WriteCSV(ctx, &buf, r.DB(), testMonth, SheetSummary, testOptions()); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "零就业家庭户数,2") {
		t.Fatalf("summary sheet lacks the household count:\n%s", buf.String())
	}
}
