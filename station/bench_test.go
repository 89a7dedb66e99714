package station

import (
	"context"
	"fmt"
	"testing"
	"time"

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

func TestStaffRowsShape(t *testing.T) {
	f := newFixture(t)
	key, _ := f.cfg.DeploymentKey()
	rows := staffRows(sample.Workers(50, 1, key, "x"))
	res, err := f.st.ImportWorkers(t.Context(), "s.xlsx", makeXLSX(t, rows), "zh")
	if err != nil || res.Imported != 50 {
		t.Fatalf("sample rows do not import: %v %+v", err, res)
	}

}
