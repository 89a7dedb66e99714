package report

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/xml"
	"errors"
	"io"
	"math"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"fieldsync/records"
	"fieldsync/replica"
)

var fixedNow = time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)

func testOptions() Options { return Options{Now: func() time.Time { return fixedNow }} }

func dashboard(t *testing.T, r *replica.Replica, month string) *Figures {
	t.Helper()
	f, err := Dashboard(context.Background(), r.DB(), month, nil, testOptions())
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// checkFigures compares the dashboard with the model's figures.
func checkFigures(t *testing.T, got, want *Figures) {
	t.Helper()
	if got.Workers != want.Workers {
		t.Errorf("workers: got %d, want %d", got.Workers, want.Workers)
	}
	if got.Lists.Count != want.Lists.Count || got.Lists.Prev != want.Lists.Prev || got.Lists.Change != want.Lists.Change {
		t.Errorf("lists: got %+v / %+v / %+v, want %+v / %+v / %+v", got.Lists.Count, got.Lists.Prev, got.Lists.Change,
			want.Lists.Count, want.Lists.Prev, want.Lists.Change)
	}
	// Townships add up to the total, villages to their township.
	var sum ListCount
	for _, tw := range got.Lists.Townships {
		sum = sum.plus(tw.Count)
		var vs ListCount
		for _, v := range tw.Villages {
			vs = vs.plus(v.Count)
			if township(v.Code) != tw.Code {
				t.Errorf("village %s under township %s", v.Code, tw.Code)
			}
		}
		if vs != tw.Count {
			t.Errorf("township %s: villages sum to %+v, township says %+v", tw.Code, vs, tw.Count)
		}
	}
	if sum != got.Lists.Count {
		t.Errorf("townships sum to %+v, total %+v", sum, got.Lists.Count)
	}
	for i, g := range want.Assistance {
		if i >= len(got.Assistance) {
			t.Fatalf("assistance: %d groups", len(got.Assistance))
		}
		h := got.Assistance[i]
		if h.Group != g.Group || h.People != g.People || h.Lists != g.Lists || h.NoStatus != g.NoStatus {
			t.Errorf("group %s: got %d %+v none %d, want %d %+v none %d", g.Group, h.People, h.Lists, h.NoStatus,
				g.People, g.Lists, g.NoStatus)
		}
		for _, b := range [][2][]Bucket{{h.ByScope, g.ByScope}, {h.ByForm, g.ByForm}, {h.ByIncome, g.ByIncome}} {
			for _, wb := range b[1] {
				if n := bucketCount(b[0], wb.Key); n != wb.Count {
					t.Errorf("group %s bucket %s: got %d, want %d", g.Group, wb.Key, n, wb.Count)
				}
			}
			if bucketSum(b[0]) != bucketSum(b[1]) {
				t.Errorf("group %s: buckets sum to %d, want %d", g.Group, bucketSum(b[0]), bucketSum(b[1]))
			}
		}
	}
	gl, wl := got.Ledger, want.Ledger
	if gl.People != wl.People || gl.Followups != wl.Followups || gl.NoneThisMonth != wl.NoneThisMonth || gl.NoneSixMonths != wl.NoneSixMonths {
		t.Errorf("ledger: got %d/%d/%d/%d, want %d/%d/%d/%d", gl.People, gl.Followups, gl.NoneThisMonth, gl.NoneSixMonths,
			wl.People, wl.Followups, wl.NoneThisMonth, wl.NoneSixMonths)
	}
	gold, wold := got.Older, want.Older
	if gold.People != wold.People || gold.Men != wold.Men || gold.Women != wold.Women || gold.Lists != wold.Lists || gold.NoStatus != wold.NoStatus {
		t.Errorf("older: got %+v, want %+v", gold, wold)
	}
	gg, wg := got.Gigs.GigTotals, want.Gigs.GigTotals
	if gg.Gigs != wg.Gigs || gg.Open != wg.Open || gg.Filled != wg.Filled || gg.Closed != wg.Closed ||
		gg.Headcount != wg.Headcount || gg.Placed != wg.Placed || gg.Reached != wg.Reached ||
		math.Abs(gg.FillRate-wg.FillRate) > 1e-9 || !sameMean(gg.MeanDaysToFill, wg.MeanDaysToFill) {
		t.Errorf("gigs: got %+v mean %v, want %+v mean %v", gg, deref(gg.MeanDaysToFill), wg, deref(wg.MeanDaysToFill))
	}
	var occ, place int
	for _, g := range got.Gigs.ByOccupation {
		occ += g.Gigs
	}
	for _, g := range got.Gigs.ByPlace {
		place += g.Gigs
	}
	if occ != gg.Gigs || place != gg.Gigs {
		t.Errorf("gigs by occupation %d, by place %d, total %d", occ, place, gg.Gigs)
	}
	if len(got.Villages) != len(want.Villages) {
		t.Fatalf("villages: got %d, want %d", len(got.Villages), len(want.Villages))
	}
	for i, v := range want.Villages {
		if g := got.Villages[i]; g != v {
			t.Errorf("village %s: got %+v, want %+v", v.Code, g, v)
		}
	}
}

func bucketCount(bs []Bucket, k string) int {
	for _, b := range bs {
		if b.Key == k {
			return b.Count
		}
	}
	return 0
}

func bucketSum(bs []Bucket) int {
	n := 0
	for _, b := range bs {
		n += b.Count
	}
	return n
}

func sameMean(a, b *float64) bool {
	if a == nil || b == nil {
		return a == b
	}
	return math.Abs(*a-*b) < 1e-9
}

func deref(p *float64) any {
	if p == nil {
		return nil
	}
	return *p
}

func TestDashboardKnownTotals(t *testing.T) {
	c := genCounty(t, 400, 1)
	r := c.write(t)
	got := dashboard(t, r, testMonth)
	want := c.expect(testMonth)
	checkFigures(t, got, want)
	if got.Lists.Count.Total() == 0 || got.Ledger.People == 0 || got.Gigs.Reached == 0 || got.Older.People == 0 {
		t.Fatalf("the data set is too thin to test anything: %+v", got)
	}
	if !got.GeneratedAt.Equal(fixedNow) {
		t.Errorf("generated at %v, want the injected clock", got.GeneratedAt)
	}
	// The previous month is a month like any other.
	checkFigures(t, dashboard(t, r, prevMonth), c.expect(prevMonth))
}

func TestLoneVillage(t *testing.T) {
	c := genCounty(t, 60, 2)
	r := c.write(t)
	f := dashboard(t, r, testMonth)
	var lone *VillageRow
	for i := range f.Villages {
		if f.Villages[i].Code == loneVillage {
			lone = &f.Villages[i]
		}
	}
	if lone == nil || lone.Workers != 1 || lone.Township != loneVillage[:9] {
		t.Fatalf("lone village: %+v", lone)
	}
	lw := c.workers[len(c.workers)-1]
	page, err := People(context.Background(), r.DB(), PeopleQuery{Month: testMonth, Area: loneVillage}, testOptions())
	if err != nil {
		t.Fatal(err)
	}
	if page.Total != 1 || len(page.People) != 1 || page.People[0].Name != lw.name {
		t.Fatalf("people of the lone village: %+v", page)
	}
	p := page.People[0]
	if p.IDNumber != records.MaskIDNumber(lw.idNumber) || strings.Count(p.IDNumber, "*") != 10 || p.IDNumber == lw.idNumber {
		t.Errorf("id number %q not masked as %q", p.IDNumber, records.MaskIDNumber(lw.idNumber))
	}
	st := c.status(lw, testMonth)
	if (st == nil) != (p.List == "") || st != nil && (st.list != p.List || lone.Lists.Get(st.list) != 1) {
		t.Errorf("lone person's status %+v, person %+v, village %+v", st, p, lone)
	}
}

func TestPeopleMatchFigures(t *testing.T) {
	c := genCounty(t, 300, 3)
	r := c.write(t)
	ctx := context.Background()
	f := dashboard(t, r, testMonth)
	count := func(q PeopleQuery) int {
		t.Helper()
		q.Month = testMonth
		p, err := People(ctx, r.DB(), q, testOptions())
		if err != nil {
			t.Fatal(err)
		}
		return p.Total
	}
	for _, l := range records.ListTypes {
		if n := count(PeopleQuery{List: l}); n != f.Lists.Count.Get(l) {
			t.Errorf("people on %s: %d, figures %d", l, n, f.Lists.Count.Get(l))
		}
		tw := f.Lists.Townships[0]
		if n := count(PeopleQuery{List: records.ListCode(l), Area: tw.Code}); n != tw.Count.Get(l) {
			t.Errorf("people on %s in %s: %d, figures %d", l, tw.Code, n, tw.Count.Get(l))
		}
	}
	if n := count(PeopleQuery{Group: GroupPoverty, List: NoStatus}); n != f.Assistance[0].NoStatus {
		t.Errorf("poverty without status: %d, figures %d", n, f.Assistance[0].NoStatus)
	}
	if n := count(PeopleQuery{Gap: GapMonth}); n != f.Ledger.NoneThisMonth {
		t.Errorf("gap month: %d, figures %d", n, f.Ledger.NoneThisMonth)
	}
	if n := count(PeopleQuery{Gap: GapSixMonths}); n != f.Ledger.NoneSixMonths {
		t.Errorf("gap six months: %d, figures %d", n, f.Ledger.NoneSixMonths)
	}
	if n := count(PeopleQuery{Older: true}); n != f.Older.People {
		t.Errorf("older: %d, figures %d", n, f.Older.People)
	}
	// Pages cover the list without overlap.
	var ids []string
	for off := 0; ; off += 7 {
		p, err := People(ctx, r.DB(), PeopleQuery{Month: testMonth, List: records.ListEmployed, Limit: 7, Offset: off}, testOptions())
		if err != nil {
			t.Fatal(err)
		}
		if len(p.People) == 0 {
			break
		}
		for _, x := range p.People {
			ids = append(ids, x.ID)
			if x.Age < 16 || x.Older != (records.DefaultOlder.Older(unmaskedID(c, x.ID), endOf(testMonth))) {
				t.Errorf("person %+v: age or older wrong", x)
			}
		}
	}
	slices.Sort(ids)
	if len(slices.Compact(ids)) != f.Lists.Count.Employed {
		t.Errorf("paged through %d employed, figures %d", len(ids), f.Lists.Count.Employed)
	}
	for _, bad := range []PeopleQuery{{Month: "2026-13"}, {Month: testMonth, List: "x"}, {Month: testMonth, Group: "x"},
		{Month: testMonth, Gap: "x"}, {Month: testMonth, Area: "15x"}} {
		if _, err := People(ctx, r.DB(), bad, testOptions()); err == nil {
			t.Errorf("query %+v: no error", bad)
		}
	}
}

func unmaskedID(c *county, id string) string {
	for _, w := range c.workers {
		if w.id.String() == id {
			return w.idNumber
		}
	}
	return ""
}

func endOf(month string) time.Time {
	p, _ := parsePeriod(month)
	t, _ := time.Parse(records.DateLayout, p.Last)
	return t
}

func TestEmptyMonth(t *testing.T) {
	c := genCounty(t, 20, 4)
	r := c.write(t)
	f := dashboard(t, r, "2031-01")
	if f.Lists.Count.Total() != 0 || f.Lists.Prev.Total() != 0 || len(f.Lists.Townships) != 0 {
		t.Errorf("empty month lists: %+v", f.Lists)
	}
	if f.Ledger.NoneThisMonth != f.Ledger.People || f.Assistance[0].NoStatus != f.Assistance[0].People {
		t.Errorf("empty month: everyone is a gap and has no status: %+v %+v", f.Ledger, f.Assistance[0])
	}
	// An empty database too, and its report.
	empty := openReplica(t, filepath.Join(t.TempDir(), "empty.db"))
	f = dashboard(t, empty, testMonth)
	if f.Workers != 0 || f.Gigs.Gigs != 0 || f.Gigs.MeanDaysToFill != nil || f.Lists.Townships == nil {
		t.Errorf("empty database: %+v", f)
	}
	var buf bytes.Buffer
	if err := WriteXLSX(context.Background(), &buf, empty.DB(), testMonth, testOptions()); err != nil {
		t.Fatal(err)
	}
	for _, s := range Sheets {
		buf.Reset()
		if err := WriteCSV(context.Background(), &buf, empty.DB(), testMonth, s, testOptions()); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := Dashboard(context.Background(), empty.DB(), "2026-1", nil, testOptions()); !errors.Is(err, ErrBadMonth) {
		t.Errorf("bad month: %v", err)
	}
}

// sheetRows reads a sheet of the workbook without its header.
func sheetRows(t *testing.T, x *excelize.File, title string) [][]string {
	t.Helper()
	rows, err := x.GetRows(title)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) == 0 {
		t.Fatalf("sheet %s has no header", title)
	}
	return rows[1:]
}

func csvRows(t *testing.T, r *replica.Replica, sheet string, opt Options) [][]string {
	t.Helper()
	var buf bytes.Buffer
	if err := WriteCSV(context.Background(), &buf, r.DB(), testMonth, sheet, opt); err != nil {
		t.Fatal(err)
	}
	b, ok := bytes.CutPrefix(buf.Bytes(), []byte("\ufeff"))
	if !ok {
		t.Fatal("csv has no byte-order mark")
	}
	rows, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return rows[1:]
}

func TestReportAgreesWithDashboard(t *testing.T) {
	c := genCounty(t, 250, 5)
	r := c.write(t)
	f := dashboard(t, r, testMonth)
	want := c.expect(testMonth)
	checkFigures(t, f, want)
	var buf bytes.Buffer
	if err := WriteXLSX(context.Background(), &buf, r.DB(), testMonth, testOptions()); err != nil {
		t.Fatal(err)
	}
	x, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	wantSheets := []string{"汇总", "就业人员清单", "失业人员清单", "有意愿外出人员清单", "就业帮扶台账", "苏木乡镇", "嘎查村汇总", "零工",
		"乡村公益性岗位", "就业帮扶车间", "共享用工", "以工代赈", "劳务输出",
		"职业技能培训", "创业扶持", "劳动维权", "返乡人员", "招聘活动", "岗位发布"}
	if got := x.GetSheetList(); !slices.Equal(got, wantSheets) {
		t.Fatalf("sheets %v, want %v", got, wantSheets)
	}
	for i, l := range records.ListTypes {
		rows := sheetRows(t, x, wantSheets[1+i])
		if len(rows) != want.Lists.Count.Get(l) {
			t.Errorf("sheet %s: %d rows, want %d", l, len(rows), want.Lists.Count.Get(l))
		}
		for _, row := range rows {
			if !strings.Contains(row[4], "**********") {
				t.Fatalf("sheet %s: id number %q not masked", l, row[4])
			}
		}
		if cr := csvRows(t, r, Sheets[1+i], testOptions()); !slices.EqualFunc(cr, rows, rowEqual) {
			t.Errorf("csv of %s differs from the sheet", l)
		}
	}
	ledger := sheetRows(t, x, "就业帮扶台账")
	if len(ledger) != want.Ledger.People {
		t.Errorf("ledger sheet: %d rows, want %d", len(ledger), want.Ledger.People)
	}
	var month, none, six int
	for _, row := range ledger {
		n, _ := strconv.Atoi(row[13])
		s, _ := strconv.Atoi(row[14])
		month += n
		if n == 0 {
			none++
		}
		if s == 0 {
			six++
		}
	}
	if month != want.Ledger.Followups || none != want.Ledger.NoneThisMonth || six != want.Ledger.NoneSixMonths {
		t.Errorf("ledger sheet: %d follow-ups, %d none, %d none in six months; want %d, %d, %d", month, none, six,
			want.Ledger.Followups, want.Ledger.NoneThisMonth, want.Ledger.NoneSixMonths)
	}
	villages := sheetRows(t, x, "嘎查村汇总")
	if len(villages) != len(want.Villages) {
		t.Fatalf("village sheet: %d rows, want %d", len(villages), len(want.Villages))
	}
	for i, v := range want.Villages {
		row := villages[i]
		wantRow := []string{v.Township, tableName(v.Township), v.Code, v.Name, itoa(v.Workers), itoa(v.Poverty), itoa(v.Monitored), itoa(v.Older),
			itoa(v.Lists.Employed), itoa(v.Change.Employed), itoa(v.Lists.Unemployed), itoa(v.Change.Unemployed),
			itoa(v.Lists.WillingAway), itoa(v.Change.WillingAway), itoa(v.NoneThisMonth), itoa(v.NoneSixMonths)}
		wantRow = append(wantRow, monthFactCells(&v)...)
		if !rowEqual(row, wantRow) {
			t.Errorf("village sheet row %d: %v, want %v", i, row, wantRow)
		}
	}
	if cr := csvRows(t, r, SheetVillages, testOptions()); !slices.EqualFunc(cr, villages, rowEqual) {
		t.Errorf("csv of villages differs from the sheet")
	}
	summary := map[string]string{}
	for _, row := range sheetRows(t, x, "汇总") {
		summary[row[0]+"/"+row[1]] = row[2]
	}
	for k, v := range map[string]int{"三项清单/就业人员": want.Lists.Count.Employed, "三项清单/失业人员较上月": want.Lists.Change.Unemployed,
		"帮扶台账/本月未帮扶人数": want.Ledger.NoneThisMonth, "零工（截至目前）/需求人数": want.Gigs.Headcount, "零工（截至目前）/已上岗人数": want.Gigs.Placed} {
		if summary[k] != itoa(v) {
			t.Errorf("summary %s = %q, want %d", k, summary[k], v)
		}
	}
	// Unmasked on request, for the authorised report.
	opt := testOptions()
	opt.Unmasked = true
	rows := csvRows(t, r, SheetEmployed, opt)
	if len(rows) > 0 && strings.Contains(rows[0][4], "*") {
		t.Errorf("unmasked report shows %q", rows[0][4])
	}
	if err := WriteCSV(context.Background(), io.Discard, r.DB(), testMonth, "nope", opt); !errors.Is(err, ErrUnknownSheet) {
		t.Errorf("unknown sheet: %v", err)
	}
}

// rowEqual compares rows ignoring trailing empty cells (excelize drops them).
func rowEqual(a, b []string) bool {
	trim := func(r []string) []string {
		for len(r) > 0 && r[len(r)-1] == "" {
			r = r[:len(r)-1]
		}
		return r
	}
	return slices.Equal(trim(a), trim(b))
}

func itoa(n int) string { return strconv.Itoa(n) }

func TestLaterChangesUpdateFigures(t *testing.T) {
	c := genCounty(t, 120, 6)
	r := c.write(t)
	ctx := context.Background()
	cache := NewCache(4)
	version := func() uint64 {
		v, err := r.MaxSeq(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	before, err := cache.Dashboard(ctx, r.DB(), version(), testMonth, nil, testOptions())
	if err != nil {
		t.Fatal(err)
	}
	checkFigures(t, before, c.expect(testMonth))

	// Another station records changes; they arrive by sync (Apply).
	other := openReplica(t, filepath.Join(t.TempDir(), "station.db"))
	var target *mWorker
	for _, w := range c.live() {
		if c.status(w, testMonth) == nil {
			target = w
			break
		}
	}
	if target == nil {
		t.Fatal("no worker without a status")
	}
	s := &mStatus{id: newID(t, fixedNow), worker: target.id.String(), month: testMonth, list: records.ListUnemployed,
		verifiedAt: "2026-11-28"}
	c.statuses = append(c.statuses, s)
	victim := c.live()[3]
	victim.deleted = true
	changes, err := other.Write(ctx,
		replica.Edit{Table: records.MonthlyStatus, Row: s.id, Set: (&records.MonthStatus{WorkerID: s.worker, Month: s.month,
			ListType: s.list, VerifiedByMethod: "入户", VerifiedBy: "赵六", VerifiedAt: s.verifiedAt}).Columns()},
		replica.Edit{Table: records.Workers, Row: victim.id, Delete: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.Apply(ctx, changes, "", 0); err != nil {
		t.Fatal(err)
	}
	after, err := cache.Dashboard(ctx, r.DB(), version(), testMonth, nil, testOptions())
	if err != nil {
		t.Fatal(err)
	}
	checkFigures(t, after, c.expect(testMonth))
	if after.Workers != before.Workers-1 {
		t.Errorf("workers %d after a deletion, was %d", after.Workers, before.Workers)
	}
	// The same version is served from the cache.
	again, err := cache.Dashboard(ctx, r.DB(), version(), testMonth, []StationHealth{{Name: "a"}}, testOptions())
	if err != nil {
		t.Fatal(err)
	}
	if again.Lists.Count != after.Lists.Count || again.GeneratedAt != after.GeneratedAt || len(again.Stations.Stations) != 1 {
		t.Errorf("cached figures differ")
	}
}

func TestStations(t *testing.T) {
	opt := testOptions()
	f := buildStations([]StationHealth{
		{Name: "甲", LastSync: fixedNow.Add(-time.Hour), Online: true, PendingUp: 3},
		{Name: "乙", LastSync: fixedNow.Add(-8 * 24 * time.Hour), PendingDown: 5, OpenConflicts: 2},
		{Name: "丙"},
		{Name: "丁", LastSync: fixedNow.Add(-6 * 24 * time.Hour), OpenConflicts: 1},
	}, opt.withDefaults())
	if f.Silent != 2 || f.Online != 1 || f.PendingUp != 3 || f.PendingDown != 5 || f.OpenConflicts != 3 || f.SilentDays != 7 {
		t.Errorf("station figures: %+v", f)
	}
	if f.Stations[0].Name != "丙" || f.Stations[0].DaysSinceSync != -1 || f.Stations[1].Name != "乙" || f.Stations[1].DaysSinceSync != 8 {
		t.Errorf("station order: %+v", f.Stations)
	}
}

func TestChartsSVG(t *testing.T) {
	c := genCounty(t, 200, 7)
	r := c.write(t)
	f := dashboard(t, r, testMonth)
	charts := Charts(f)
	if len(charts) < 6 {
		t.Fatalf("%d charts", len(charts))
	}
	for _, ch := range charts {
		for _, kind := range []ChartKind{Bars, Lines} {
			ch.Kind = kind
			var buf bytes.Buffer
			if err := ChartSVG(&buf, ch); err != nil {
				t.Fatal(err)
			}
			svg := buf.String()
			dec := xml.NewDecoder(strings.NewReader(svg))
			for {
				_, err := dec.Token()
				if err == io.EOF {
					break
				}
				if err != nil {
					t.Fatalf("chart %s is not well-formed XML: %v", ch.ID, err)
				}
			}
			if !strings.HasPrefix(svg, "<svg ") || strings.Contains(svg, "<script") || strings.Contains(svg, "http://") &&
				!strings.Contains(svg, `xmlns="http://www.w3.org/2000/svg"`) {
				t.Errorf("chart %s: not a self-contained SVG", ch.ID)
			}
			// Every value of the table is in the picture.
			for _, row := range ch.Table()[1:] {
				for _, cell := range row[1:] {
					if !strings.Contains(svg, ": "+cell+"<") {
						t.Errorf("chart %s: value %s of %s missing", ch.ID, cell, row[0])
					}
				}
			}
		}
	}
	ch := charts[0]
	if ch.ID != "lists_by_township" || ch.Table()[1][1] != itoa(f.Lists.Townships[0].Count.Employed) {
		t.Errorf("first chart table %v, figures %+v", ch.Table(), f.Lists.Townships[0])
	}
	if err := ChartSVG(io.Discard, Chart{ID: "x"}); !errors.Is(err, ErrEmptyChart) {
		t.Errorf("empty chart: %v", err)
	}
}
