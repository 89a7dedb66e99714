package station

import (
	"context"
	"fmt"
	"testing"
	"time"

	"fieldsync/records"
	"fieldsync/records/sample"
	"fieldsync/replica"
)

// staffRows turns sample worker edits into spreadsheet rows as staff keep them.
func staffRows(edits []replica.Edit) [][]any {
	rows := [][]any{{"序号", "公民身份号码", "姓名", "联系电话", "民族", "户籍地", "常住地", "文化程度", "劳动能力",
		"人员类别", "技能", "是否有外出意愿"}}
	for i, e := range edits {
		v := map[string]any{}
		for _, cv := range e.Set {
			v[cv.Column] = cv.Value
		}
		join := func(x any) string {
			ss, _ := x.([]string)
			out := ""
			for j, s := range ss {
				if j > 0 {
					out += "、"
				}
				out += s
			}
			return out
		}
		away := "否"
		if v["willing_away"] == int64(1) {
			away = "是"
		}
		rows = append(rows, []any{i + 1, v["id_number"], v["name"], v["phone"], v["ethnicity"], v["hukou_village"],
			v["residence_village"], v["education"], v["labour_ability"], join(v["tags"]), join(v["skills"]), away})
	}
	return rows
}

// BenchmarkImport50k imports a 50,000-row workbook into an empty station.
// Target: at least 5,000 rows/s.
func BenchmarkImport50k(b *testing.B) {
	const n = 50_000
	f := newFixture(b)
	key, _ := f.cfg.DeploymentKey()
	data := makeXLSX(b, staffRows(sample.Workers(n, 1, key, "x")))
	b.ReportMetric(float64(len(data))/1e6, "MB/file")
	b.ResetTimer()
	var total time.Duration
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		g := f.peer(fmt.Sprintf("站%d", i))
		b.StartTimer()
		start := time.Now()
		res, err := g.st.ImportWorkers(context.Background(), "bench.xlsx", data, "zh")
		total += time.Since(start)
		if err != nil {
			b.Fatal(err)
		}
		if res.Imported != n {
			b.Fatalf("imported %d of %d: first errors %v", res.Imported, n, res.Errors[:min(3, len(res.Errors))])
		}
	}
	b.ReportMetric(float64(n*b.N)/total.Seconds(), "rows/s")
}

// monthSheetRows is a county list sheet of every person of edits (sample
// workers): employed, with every column.
func monthSheetRows(edits [][]any) [][]any {
	rows := [][]any{{"序号", "苏木乡镇", "嘎查村", "姓名", "身份证号", "性别", "年龄", "大龄", "人员类别", "务工地域",
		"务工地点", "行业", "就业形式", "月收入(元)", "核实方式", "核实人", "核实日期"}}
	for i, w := range edits[1:] {
		rows = append(rows, []any{i + 1, "天山镇", "西双山村", w[2], w[1], "男", 40, "否", "农民工", "县外区内",
			"呼和浩特", "建筑", "单位", 4000 + i%7*100, "电话", "李四", "2026-11-05"})
	}
	return rows
}

// BenchmarkImportMonth1k imports a 1,000-row monthly sheet (the county's
// 就业人员清单 layout) into a station where the 1,000 people are registered;
// each iteration fills another month, so every row is written.
func BenchmarkImportMonth1k(b *testing.B) {
	const n = 1000
	f := newFixture(b)
	key, _ := f.cfg.DeploymentKey()
	people := staffRows(sample.Workers(n, 1, key, "x"))
	if res, err := f.st.ImportWorkers(context.Background(), "p.xlsx", makeXLSX(b, people), "zh"); err != nil || res.Imported != n {
		b.Fatalf("register: %v %+v", err, res)
	}
	data := makeXLSX(b, monthSheetRows(people))
	b.ReportMetric(float64(len(data))/1e6, "MB/file")
	start := time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)
	b.ResetTimer()
	var total time.Duration
	for i := 0; i < b.N; i++ {
		month := start.AddDate(0, i, 0).Format(records.MonthLayout)
		t0 := time.Now()
		res, err := f.st.ImportMonthStatuses(context.Background(), "就业人员清单.xlsx", data, MonthImport{Month: month}, "zh")
		total += time.Since(t0)
		if err != nil {
			b.Fatal(err)
		}
		if res.Imported != n {
			b.Fatalf("imported %d of %d: first errors %v", res.Imported, n, res.Errors[:min(3, len(res.Errors))])
		}
	}
	b.ReportMetric(float64(total.Milliseconds())/float64(b.N), "ms/import")
	b.ReportMetric(float64(n*b.N)/total.Seconds(), "rows/s")
}

func TestStaffRowsShape(t *testing.T) {
	f := newFixture(t)
	key, _ := f.cfg.DeploymentKey()
	rows := staffRows(sample.Workers(50, 1, key, "x"))
	res, err := f.st.ImportWorkers(t.Context(), "s.xlsx", makeXLSX(t, rows), "zh")
	if err != nil || res.Imported != 50 {
		t.Fatalf("sample rows do not import: %v %+v", err, res)
	}

}
