package station

import (
	"strings"
	"testing"

	"fieldsync/ident"
	"fieldsync/records"
	"fieldsync/records/sample"
)

// FuzzMonthSheetRow: whatever a monthly sheet's cells hold, its row decoder
// neither panics nor lets through a status the status's own validation
// refuses: a row it accepts validates again unchanged, names the person the
// id number derives and a month in the stored form; a row it refuses names
// a field.
func FuzzMonthSheetRow(f *testing.F) {
	f.Add(idNumber("19800101", 1), "2026年11月", "就业", "自治区外", "单位就业", "3,500元", "电话核实", "张三", "2026/11/3")
	f.Add(idNumber("19800101", 2), "202611", "失业人员", "", "", "", "上门", "张三", "20261103")
	f.Add("x", "2026-13", "就业", "火星", "", "三千", "短信", "", "2026-02-30")
	f.Add(idNumber("19800101", 3), "2026 / 1", "有意愿外出", "区内", "公益岗", "-1", "比对", "李", "2026.1.5")
	key, err := ident.NewKey()
	if err != nil {
		f.Fatal(err)
	}
	header := []string{"身份证号", "月份", "就业状态", "务工地域", "就业形式", "月收入", "核实方式", "核实人", "核实日期"}
	f.Fuzz(func(t *testing.T, idn, month, list, scope, form, income, method, by, at string) {
		for _, pageMonth := range []string{"", "2026-11"} {
			p := &monthParser{key: key, opt: MonthImport{Month: pageMonth}, lang: "zh", seen: map[string]string{}}
			sh := monthSheet{name: "Sheet1"}
			if _, ok, err := p.row(sh, 1, header); ok || err != nil {
				t.Fatalf("header: %v %v", ok, err)
			}
			r, ok, err := p.row(sh, 2, []string{idn, month, list, scope, form, income, method, by, at})
			if err != nil || !ok && strings.TrimSpace(idn+month+list+scope+form+income+method+by+at) != "" {
				t.Fatalf("row: ok %v, %v", ok, err)
			}
			if !ok {
				continue
			}
			if r.err != nil {
				if r.err.Field == "" || r.err.Message == "" || r.err.Row != 2 {
					t.Fatalf("refusal without a field: %+v", r.err)
				}
				continue
			}
			again := r.m
			if err := again.Validate(); err != nil || again != r.m {
				t.Fatalf("accepted row fails validation: %v\n%+v\n%+v", err, r.m, again)
			}
			norm, err := normalizeIDNumber(idn)
			if err != nil || r.m.WorkerID != (&records.Worker{IDNumber: norm}).ID(key).String() {
				t.Fatalf("worker id %s for %q (%v)", r.m.WorkerID, idn, err)
			}
			if !records.ValidMonth(r.m.Month) || pageMonth != "" && r.m.Month != pageMonth {
				t.Fatalf("month %q (page %q, cell %q)", r.m.Month, pageMonth, month)
			}
		}
	})
}

// TestMonthSheetRowsShape: the benchmark's sheet imports in full, and again
// writes nothing.
func TestMonthSheetRowsShape(t *testing.T) {
	f := newFixture(t)
	key, _ := f.cfg.DeploymentKey()
	people := staffRows(sample.Workers(50, 1, key, "x"))
	if res, err := f.st.ImportWorkers(t.Context(), "p.xlsx", makeXLSX(t, people), "zh"); err != nil || res.Imported != 50 {
		t.Fatalf("register: %v %+v", err, res)
	}
	data := makeXLSX(t, monthSheetRows(people))
	for i, want := range []int{50, 0} {
		res, err := f.st.ImportMonthStatuses(t.Context(), "就业人员清单.xlsx", data, MonthImport{Month: "2026-11"}, "zh")
		if err != nil || res.Imported != want || res.Unchanged != 50-want || len(res.Errors) != 0 {
			t.Fatalf("import %d: %v %+v", i+1, err, res)
		}
	}
	if done, total, err := f.st.WorklistProgress(t.Context(), "2026-11"); err != nil || done != 50 || total != 50 {
		t.Fatalf("progress %d / %d %v", done, total, err)
	}
}
