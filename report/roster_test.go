package report

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"fieldsync/glossary"
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
				// An income not entered reads 未填报 (column 月收入), never 0.
				if month == testMonth && name == SheetEmployed &&
					!slices.ContainsFunc(got, func(r []string) bool { return r[13] == records.IncomeNotReported }) {
					t.Errorf("%s: no income shows %s", name, records.IncomeNotReported)
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
				p.Age, yesNo(p.Older), tagList(p.Tags), glossary.Display(p.WorkScope), p.Place, p.Industry, glossary.Display(p.EmploymentForm),
				incomeCell(p), glossary.Display(p.VerifiedByMethod), p.VerifiedBy, p.VerifiedAt, p.List, yesNo(p.WillingAway)}))
			return nil
		}
		status := p.List
		if status == "" {
			status = "本月未更新"
		} else if p.WillingAway {
			status += "（有意愿外出）"
		}
		out = append(out, texts([]any{i, b.areaName(p.Township), b.areaName(p.Village), p.Name, p.IDNumber, p.Sex,
			p.Age, tagList(p.Tags), p.MonitorType, status, glossary.Display(p.WorkScope), glossary.Display(p.EmploymentForm), incomeCell(p),
			p.FollowupsMonth, p.FollowupsSix, p.LastFollowup, glossary.Display(p.LastMethod), p.LastService, p.LastOutcome}))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestAgeAt checks ageAt against records.Age, whose rules it repeats
// without time.Parse: valid and invalid dates, leap days, short and odd id
// numbers, ages either side of the birthday.
func TestAgeAt(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	ends := []time.Time{endOf("2026-11"), endOf("2024-02"), endOf("2023-02"), endOf("2000-01")}
	ids := []string{"", "150421", "15042119800229123X", "15042119000101123X", "15042118991231123X",
		"15042120240229123X", "15042120230229123X", "150421198013011234", "150421198012321234",
		"150421198000101234", "1504211980+1011234", "150421-98001011234", "15042119801130123X",
		"15042119801201123X", "1504211980113012345", "１５０４２１19801130123"}
	for range 20000 {
		b := []byte("150421" + fmt.Sprintf("%04d%02d%02d", 1880+rng.IntN(160), rng.IntN(14), rng.IntN(33)) + "1234")
		if rng.IntN(20) == 0 {
			b[6+rng.IntN(8)] = "x+- 9"[rng.IntN(5)]
		}
		ids = append(ids, string(b))
	}
	for _, end := range ends {
		for _, id := range ids {
			if got, want := ageAt(id, end), records.Age(id, end); got != want {
				t.Errorf("ageAt(%q, %s) = %d, records.Age %d", id, end.Format(time.DateOnly), got, want)
			}
		}
	}
}

// TestOlderID checks olderID against olderExpr in SQLite, id numbers with
// other characters included.
func TestOlderID(t *testing.T) {
	r := openReplica(t, filepath.Join(t.TempDir(), "older.db"))
	ids := []string{"", "150421", "15042119760101123X", "150421197601011214", "150421198601011224",
		"150421198612011224", "15042119861130122X", "１５０４２１19761130123", "1504211976113012é4",
		"150421197611301232", "15042119761130121", "1504211976113012345", "15042119é611301234",
		"150421\x0019761130123", "15042119761130123\x00", "150421197\x80113012a4"}
	p, err := parsePeriod(testMonth)
	if err != nil {
		t.Fatal(err)
	}
	for _, cuts := range [][2]int{{50, 40}, {0, 40}, {55, 0}} {
		male, female := p.cutoff(cuts[0]), p.cutoff(cuts[1])
		for _, id := range ids {
			var want bool
			err := r.DB().QueryRow(`SELECT `+strings.ReplaceAll(olderExpr, "w.id_number", ":id"),
				sql.Named("id", id), sql.Named("older_male_cut", male), sql.Named("older_female_cut", female)).Scan(&want)
			if err != nil {
				t.Fatal(err)
			}
			if got := olderID(id, male, female); got != want {
				t.Errorf("olderID(%q, %q, %q) = %v, SQL %v", id, male, female, got, want)
			}
		}
	}
}
