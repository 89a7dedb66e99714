package report

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"fieldsync/records"
)

// TestSheetsMatchPeopleQueries checks that the people sheets, written from
// the roster read once and sorted in memory, have exactly the rows, in the
// same order, that the drill-down's SQL (peopleFrom, scanPeople with the
// ledger columns) gives: same selection, latest-status rule, order and
// follow-up figures.
func TestSheetsMatchPeopleQueries(t *testing.T) {
	c := genCounty(t, 250, 5)
	r := c.write(t)
	ctx := context.Background()
	for _, month := range []string{testMonth, "2020-01"} {
		for _, unmasked := range []bool{false, true} {
			opt := testOptions()
			opt.Unmasked = unmasked
			b, err := newWorkbook(ctx, r.DB(), month, opt)
			if err != nil {
				t.Fatal(err)
			}
			for _, name := range []string{SheetEmployed, SheetUnemployed, SheetWillingAway, SheetLedger} {
				s, err := b.sheet(name)
				if err != nil {
					t.Fatal(err)
				}
				var got [][]string
				if err := s.rows(ctx, func(v []any) error {
					got = append(got, texts(v))
					return nil
				}); err != nil {
					t.Fatal(err)
				}
				want := sqlSheetRows(t, b, name)
				if !slices.EqualFunc(got, want, slices.Equal) {
					t.Errorf("%s %s (unmasked %v): %d rows differ from the SQL's %d", month, name, unmasked,
						len(got), len(want))
					for i := range min(len(got), len(want)) {
						if !slices.Equal(got[i], want[i]) {
							t.Errorf("first difference, row %d:\n got %v\nwant %v", i, got[i], want[i])
							break
						}
					}
				}
				if month == testMonth && len(got) == 0 {
					t.Errorf("%s: no rows", name)
				}
			}
		}
	}
}

func texts(v []any) []string {
	out := make([]string, len(v))
	for i, x := range v {
		out[i] = fmt.Sprint(x)
	}
	return out
}

// sqlSheetRows is a people sheet as the report wrote it before the roster:
// one query per sheet, ordered by SQLite.
func sqlSheetRows(t *testing.T, b *workbook, name string) [][]string {
	t.Helper()
	q := PeopleQuery{Month: b.month, Group: GroupEither}
	ledger := name == SheetLedger
	switch name {
	case SheetEmployed:
		q = PeopleQuery{Month: b.month, List: records.ListEmployed}
	case SheetUnemployed:
		q = PeopleQuery{Month: b.month, List: records.ListUnemployed}
	case SheetWillingAway:
		q = PeopleQuery{Month: b.month, List: records.ListWillingAway}
	}
	from, args, err := peopleFrom(q, b.opt)
	if err != nil {
		t.Fatal(err)
	}
	var out [][]string
	i := 0
	err = scanPeople(context.Background(), b.db, from, args, b.month, b.opt, ledger, func(p *Person) error {
		i++
		if !ledger {
			out = append(out, texts([]any{i, b.areaName(p.Township), b.areaName(p.Village), p.Name, p.IDNumber, p.Sex,
				p.Age, yesNo(p.Older), tagList(p.Tags), p.WorkScope, p.Place, p.Industry, p.EmploymentForm,
				p.MonthlyIncome, p.VerifiedByMethod, p.VerifiedBy, p.VerifiedAt}))
			return nil
		}
		status := p.List
		if status == "" {
			status = "本月未更新"
		}
		out = append(out, texts([]any{i, b.areaName(p.Township), b.areaName(p.Village), p.Name, p.IDNumber, p.Sex,
			p.Age, tagList(p.Tags), p.MonitorType, status, p.WorkScope, p.EmploymentForm, p.MonthlyIncome,
			p.FollowupsMonth, p.FollowupsSix, p.LastFollowup, p.LastMethod, p.LastService, p.LastOutcome}))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}
