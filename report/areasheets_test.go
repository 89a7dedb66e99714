package report

import (
	"bytes"
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"unicode"

	"github.com/xuri/excelize/v2"

	"fieldsync/glossary"
	"fieldsync/records"
	"fieldsync/replica"
)

// workbookOf writes the month's workbook of r and opens it.
func workbookOf(t *testing.T, r *replica.Replica, month string) *excelize.File {
	t.Helper()
	var buf bytes.Buffer
	if err := WriteXLSX(context.Background(), &buf, r.DB(), month, testOptions()); err != nil {
		t.Fatal(err)
	}
	x, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { x.Close() })
	return x
}

// The 苏木乡镇 sheet: one row per township, named, each the sum of its
// village rows (so its lists are the dashboard's township lists), then the
// county's total, which is the dashboard's; the CSV is the same.
func TestTownshipSheet(t *testing.T) {
	c := genCounty(t, 250, 5)
	r := c.write(t)
	// One person without a residence village: township 未填.
	w := records.Worker{IDNumber: "150421199001010012", Name: "无村", Ethnicity: "汉族", HukouVillage: testVillages[0],
		Education: records.Educations[0], LabourAbility: records.LabourAbilities[0]}
	nowhere := testKey.Derive(records.Workers, w.IDNumber)
	writeEdits(t, r, []replica.Edit{{Table: records.Workers, Row: nowhere, Set: w.Columns()}})
	f := dashboard(t, r, testMonth)
	x := workbookOf(t, r, testMonth)
	all, err := x.GetRows("苏木乡镇")
	if err != nil {
		t.Fatal(err)
	}
	wantHeader := []string{"苏木乡镇代码", "苏木乡镇", "嘎查村数", "登记人数", "脱贫人口", "防止返贫监测对象", "大龄",
		"就业", "就业较上月", "失业", "失业较上月", "有意愿外出", "有意愿外出较上月", "本月未帮扶", "六个月未帮扶"}
	if len(all) == 0 || !slices.Equal(all[0][:len(wantHeader)], wantHeader) {
		t.Fatalf("township sheet header %q, want %q first", all[0], wantHeader)
	}
	rows := all[1:]
	// The expected rows: the village rows summed by township, field by field.
	type sum struct {
		villages                           int
		workers, poverty, monitored, older int
		lists, change                      ListCount
		none, six                          int
		month                              VillageRow // flows, registrations, work away, data gaps
	}
	by, order := map[string]*sum{}, []string{}
	var total sum
	for _, v := range f.Villages {
		s := by[v.Township]
		if s == nil {
			s = &sum{}
			by[v.Township] = s
			order = append(order, v.Township)
		}
		for _, s := range []*sum{s, &total} {
			s.villages++
			s.workers += v.Workers
			s.poverty += v.Poverty
			s.monitored += v.Monitored
			s.older += v.Older
			s.lists = s.lists.plus(v.Lists)
			s.change = s.change.plus(v.Change)
			s.none += v.NoneThisMonth
			s.six += v.NoneSixMonths
			s.month.Flows.add(v.Flows)
			s.month.Registrations.add(v.Registrations)
			s.month.Away.add(v.Away)
			s.month.Quality.add(v.Quality)
		}
	}
	slices.Sort(order)
	if len(order) < 3 || order[0] != "" {
		t.Fatalf("townships %q: the county needs several, and people without a village", order)
	}
	if len(rows) != len(order)+1 {
		t.Fatalf("township sheet: %d rows, want %d and the total", len(rows), len(order))
	}
	cells := func(code, name string, s *sum) []string {
		out := []string{code, name, itoa(s.villages), itoa(s.workers), itoa(s.poverty), itoa(s.monitored), itoa(s.older),
			itoa(s.lists.Employed), itoa(s.change.Employed), itoa(s.lists.Unemployed), itoa(s.change.Unemployed),
			itoa(s.lists.WillingAway), itoa(s.change.WillingAway), itoa(s.none), itoa(s.six)}
		return append(out, monthFactCells(&s.month)...)
	}
	for i, code := range order {
		name := tableName(code)
		if code == "" {
			name = NotRecorded
		}
		if want := cells(code, name, by[code]); !rowEqual(rows[i], want) {
			t.Errorf("township row %d: %q, want %q", i, rows[i], want)
		}
	}
	if rows[1][1] != "天山镇" {
		t.Errorf("township %s is not named: %q", rows[1][0], rows[1][1])
	}
	// The township lists are the dashboard's township lists.
	for _, tw := range f.Lists.Townships {
		s := by[tw.Code]
		if s == nil || s.lists != tw.Count || s.change != tw.Change {
			t.Errorf("township %q: sheet lists %+v, dashboard %+v", tw.Code, s, tw)
		}
	}
	// The total is the county's.
	want := cells("", TotalLabel, &total)
	if !rowEqual(rows[len(rows)-1], want) {
		t.Errorf("total row %q, want %q", rows[len(rows)-1], want)
	}
	if total.workers != f.Workers || total.lists != f.Lists.Count || total.change != f.Lists.Change ||
		total.none != f.Ledger.NoneThisMonth || total.six != f.Ledger.NoneSixMonths || total.older != f.Older.People ||
		total.poverty != f.Assistance[0].People || total.monitored != f.Assistance[1].People {
		t.Errorf("total %+v differs from the county's figures %+v", total, f)
	}
	if cr := csvRows(t, r, SheetTownships, testOptions()); !slices.EqualFunc(cr, rows, rowEqual) {
		t.Errorf("csv of townships differs from the sheet")
	}
}

// The 零工 sheet: the total, then by occupation and by township, each with
// the month's figures (本月) and the board's as it stands (截至目前), equal
// to the dashboard's and, for the month, to the model's; the summary sheet
// has both kinds, labelled.
func TestGigSheet(t *testing.T) {
	b := genGigBoard(t, 120, 31)
	r := openReplica(t, filepath.Join(t.TempDir(), "gigs.db"))
	writeEdits(t, r, b.edits())
	const month = "2026-11"
	f := dashboard(t, r, month)
	want := b.expect(month)
	checkGigMonth(t, month, f.Gigs, want)
	if want.total.Posted == 0 || want.total.Placed == 0 {
		t.Fatalf("no gig posted or placed in %s: the test proves nothing", month)
	}
	x := workbookOf(t, r, month)
	all, err := x.GetRows("零工")
	if err != nil {
		t.Fatal(err)
	}
	header := all[0]
	for i, h := range header[3:] {
		if !strings.HasPrefix(h, GigMonthLabel) && !strings.HasPrefix(h, GigBoardLabel) {
			t.Errorf("gig column %d %q says neither 本月 nor 截至目前", i+3, h)
		}
	}
	col := func(h string) int {
		i := slices.Index(header, h)
		if i < 0 {
			t.Fatalf("gig sheet: no column %s in %q", h, header)
		}
		return i
	}
	month0 := []int{col("本月发布岗位数"), col("本月发布需求人数"), col("本月招满岗位数"), col("本月到期未招满岗位数"),
		col("本月上岗人次"), col("本月离岗或取消人次")}
	board := []int{col("截至目前岗位数"), col("截至目前需求人数"), col("截至目前已上岗人数")}
	check := func(row []string, what string, m GigMonth, g GigTotals) {
		t.Helper()
		for i, v := range []int{m.Posted, m.PostedHeadcount, m.Filled, m.Expired, m.Placed, m.Ended} {
			if row[month0[i]] != itoa(v) {
				t.Errorf("%s: %s = %s, want %d", what, header[month0[i]], row[month0[i]], v)
			}
		}
		for i, v := range []int{g.Gigs, g.Headcount, g.Placed} {
			if row[board[i]] != itoa(v) {
				t.Errorf("%s: %s = %s, want %d", what, header[board[i]], row[board[i]], v)
			}
		}
	}
	rows := all[1:]
	if len(rows) != 1+len(f.Gigs.ByOccupation)+len(f.Gigs.ByTownship) {
		t.Fatalf("gig sheet: %d rows, want 1 + %d + %d", len(rows), len(f.Gigs.ByOccupation), len(f.Gigs.ByTownship))
	}
	if rows[0][0] != TotalLabel {
		t.Errorf("first gig row %q, want the total", rows[0])
	}
	check(rows[0], "total", want.total, f.Gigs.GigTotals)
	rows = rows[1:]
	for i, g := range f.Gigs.ByOccupation {
		row := rows[i]
		if row[0] != "按工种" || row[2] != areaLabel(g.Key, "") {
			t.Errorf("occupation row %q for %q", row, g.Key)
		}
		check(row, "occupation "+g.Key, want.byOcc[g.Key], g.GigTotals)
	}
	rows = rows[len(f.Gigs.ByOccupation):]
	names := map[string]string{}
	for i, g := range f.Gigs.ByTownship {
		row := rows[i]
		if row[0] != "按苏木乡镇" || row[1] != g.Key {
			t.Errorf("township row %q for %q", row, g.Key)
		}
		names[g.Key] = row[2]
		check(row, "township "+g.Key, want.byTwn[g.Key], g.GigTotals)
	}
	// Villages' gigs count in their township; a township's and the county's
	// place are their own group; every group is named.
	for code, name := range map[string]string{"150421100": "天山镇", "150421200": tableName("150421200"), "150421": tableName("150421")} {
		if name == "" || names[code] != name {
			t.Errorf("township %s named %q, want %q", code, names[code], name)
		}
	}
	if cr := csvRows(t, r, SheetGigs, testOptions()); len(cr) != len(all)-1 {
		t.Errorf("csv of gigs: %d rows, the sheet %d", len(cr), len(all)-1)
	}
	summary := map[string]string{}
	for _, row := range sheetRows(t, x, "汇总") {
		summary[row[0]+"/"+row[1]] = row[2]
	}
	for k, v := range map[string]int{"零工（本月）/发布岗位数": want.total.Posted, "零工（本月）/上岗人次": want.total.Placed,
		"零工（本月）/到期未招满岗位数": want.total.Expired, "零工（截至目前）/岗位数": f.Gigs.Gigs} {
		if summary[k] != itoa(v) {
			t.Errorf("summary %s = %q, want %d", k, summary[k], v)
		}
	}
}

// Every sheet of the workbook has a Chinese tab and Chinese headers, in the
// glossary's words, and the charts say which gig figures are the month's.
func TestSheetsInChinese(t *testing.T) {
	b := &workbook{}
	latin := func(s string) bool {
		return strings.IndexFunc(s, func(r rune) bool { return r < unicode.MaxASCII && unicode.IsLetter(r) }) >= 0
	}
	for _, name := range append(slices.Clone(Sheets), SheetRoster) {
		s, err := b.sheet(name)
		if err != nil {
			t.Fatal(err)
		}
		if s.title != SheetTitles[name] || s.title == "" || len(s.header) != len(s.widths) {
			t.Errorf("sheet %s: title %q, %d headers and %d widths", name, s.title, len(s.header), len(s.widths))
		}
		for _, text := range append([]string{s.title}, s.header...) {
			if latin(text) {
				t.Errorf("sheet %s: %q is not Chinese", name, text)
			}
			for _, m := range glossary.Misuses(text) {
				t.Errorf("sheet %s: %q: %s, write %s", name, text, m.Word, m.Use)
			}
		}
	}
	var titles []string
	for _, c := range Charts(&Figures{Gigs: GigFigures{ByOccupation: []GigGroup{{Key: "保洁"}},
		ByTownship: []GigGroup{{Key: "150421100"}}}}) {
		titles = append(titles, c.Title)
	}
	for _, want := range []string{"零工（本月）", "零工（截至目前）"} {
		if !slices.ContainsFunc(titles, func(s string) bool { return strings.HasPrefix(s, want) }) {
			t.Errorf("no chart titled %s…: %q", want, titles)
		}
	}
}

// monthFactCells are the month's flows, registrations, work away and data
// gaps of a village or township row, in the sheets' column order.
func monthFactCells(v *VillageRow) []string {
	return []string{itoa(v.Flows.ToUnemployed), itoa(v.Flows.ToEmployed), itoa(v.Flows.NewWillingAway), itoa(v.Flows.Returned),
		itoa(v.Registrations.UnemploymentNew), itoa(v.Registrations.UnemploymentClosed), itoa(v.Registrations.UnemploymentOpen),
		itoa(v.Registrations.JobseekerNew), itoa(v.Away.Away), itoa(v.Away.OutsideRegion), itoa(v.Away.InCounty),
		itoa(v.Quality.NoPhone), itoa(v.Quality.Unverified)}
}
