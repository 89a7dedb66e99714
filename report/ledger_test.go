package report

import (
	"context"
	"path/filepath"
	"slices"
	"strconv"
	"testing"

	"fieldsync/glossary"
	"fieldsync/records"
	"fieldsync/replica"
)

// sheetTexts is every row of every sheet of the report of month, as text.
func sheetTexts(t *testing.T, r *replica.Replica, month string, opt Options) map[string][][]string {
	t.Helper()
	ctx := context.Background()
	b, err := newWorkbook(ctx, r.DB(), month, opt)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][][]string{}
	for _, name := range Sheets {
		s, err := b.sheet(name)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.rows(ctx, func(v []any) error {
			out[name] = append(out[name], texts(v))
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

// sameSheets fails unless the report counted from Live has exactly the rows
// of the one from the queries, and returns the latter.
func sameSheets(t *testing.T, r *replica.Replica, l *Live, month string) map[string][][]string {
	t.Helper()
	want := sheetTexts(t, r, month, testOptions())
	got := sheetTexts(t, r, month, liveOptions(l))
	for _, name := range Sheets {
		if !slices.EqualFunc(got[name], want[name], slices.Equal) {
			t.Errorf("%s %s: %d rows from Live differ from the %d from the queries", month, name, len(got[name]),
				len(want[name]))
			for i := range min(len(got[name]), len(want[name])) {
				if !slices.Equal(got[name][i], want[name][i]) {
					t.Errorf("first difference, row %d:\nlive    %v\nqueries %v", i, got[name][i], want[name][i])
					break
				}
			}
		}
	}
	return want
}

// ledgerTotals sums the ledger sheet's follow-ups of the month and of the
// six months, and counts its people with a latest follow-up.
func ledgerTotals(t *testing.T, rows [][]string) (month, six, withLast int) {
	t.Helper()
	for _, row := range rows {
		m, err1 := strconv.Atoi(row[13])
		s, err2 := strconv.Atoi(row[14])
		if err1 != nil || err2 != nil {
			t.Fatalf("ledger row %v: counts %q %q", row, row[13], row[14])
		}
		month += m
		six += s
		if row[15] != "" {
			withLast++
		}
	}
	return month, six, withLast
}

// TestReportLiveAgreesWithQueries checks that the report's sheets are the
// same whether the ledger's follow-up counts come from Live or from SQL
// (and the figures of the summary and villages likewise), before and after
// changes that Live follows.
func TestReportLiveAgreesWithQueries(t *testing.T) {
	c := genCounty(t, 300, 21)
	r := c.writeHub(t)
	ctx := context.Background()
	l := NewLive(r)
	if err := l.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	for _, m := range []string{testMonth, prevMonth, "2020-01"} {
		rows := sameSheets(t, r, l, m)
		month, six, withLast := ledgerTotals(t, rows[SheetLedger])
		want := c.expect(m)
		if m == testMonth && (month != want.Ledger.Followups || six == 0 || withLast == 0) {
			t.Errorf("%s ledger: %d follow-ups this month (want %d), %d in six months, %d people with a latest one",
				m, month, want.Ledger.Followups, six, withLast)
		}
		if len(rows[SheetLedger]) != want.Ledger.People {
			t.Errorf("%s ledger: %d people, want %d", m, len(rows[SheetLedger]), want.Ledger.People)
		}
	}

	// A follow-up arrives by sync for a person of the ledger: the report
	// from Live (brought up to date first) still agrees, and counts it.
	var target *mWorker
	for _, w := range c.live() {
		if slices.Contains(w.tags, GroupPoverty) || slices.Contains(w.tags, GroupMonitored) {
			target = w
			break
		}
	}
	if target == nil {
		t.Fatal("no person of either group")
	}
	before, _, _ := ledgerTotals(t, sheetTexts(t, r, testMonth, testOptions())[SheetLedger])
	other := openReplica(t, filepath.Join(t.TempDir(), "station.db"))
	f := records.Followup{WorkerID: target.id.String(), Date: "2026-11-30", Method: records.FollowupMethods[1],
		ServiceType: "政策宣传", Outcome: "已就业", Staff: "李四"}
	changes, err := other.Write(ctx, replica.Edit{Table: records.Followups, Row: newID(t, fixedNow), Set: f.Columns()})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.Apply(ctx, changes, "", 0); err != nil {
		t.Fatal(err)
	}
	rows := sameSheets(t, r, l, testMonth)
	after, _, _ := ledgerTotals(t, rows[SheetLedger])
	if after != before+1 {
		t.Errorf("follow-ups this month: %d after one more, %d before", after, before)
	}
	found := false
	for _, row := range rows[SheetLedger] {
		if row[15] == f.Date && row[16] == glossary.Display(f.Method) && row[17] == f.ServiceType && row[18] == f.Outcome {
			found = true
		}
	}
	if !found {
		t.Errorf("the new follow-up is no one's latest in the ledger")
	}
}
