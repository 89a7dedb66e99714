package station

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"
)

// makeXLSX builds a real workbook with the given rows (the first is the header).
func makeXLSX(t testing.TB, rows [][]any) []byte {
	t.Helper()
	x := excelize.NewFile()
	defer x.Close()
	sw, err := x.NewStreamWriter("Sheet1")
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := sw.SetRow(cell, r); err != nil {
			t.Fatal(err)
		}
	}
	if err := sw.Flush(); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if _, err := x.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

var staffHeader = []any{"序号", "身份证号码", "姓名", "手机号", "民族", "户籍村（代码）", "常住地", "文化程度", "劳动能力",
	"人员类别", "技能特长", "是否有外出意愿", "备注", "无关的列"}

func staffRow(n int, idn, name string) []any {
	return []any{n, idn, name, "13800138000", "蒙古族", "150421100201", "", "初中", "普通劳动力", "农民工、脱贫人口",
		"电焊,瓦工", "是", "", "x"}
}

func TestImportGoodXLSX(t *testing.T) {
	f := newFixture(t)
	rows := [][]any{staffHeader}
	for i := 0; i < 25; i++ {
		rows = append(rows, staffRow(i+1, idNumber("19800101", i), fmt.Sprintf("人员%d", i)))
	}
	rows = append(rows, []any{}) // a blank line is skipped
	res, err := f.st.ImportWorkers(t.Context(), "花名册.xlsx", makeXLSX(t, rows), "zh")
	if err != nil {
		t.Fatal(err)
	}
	if res.Imported != 25 || res.Rows != 25 || len(res.Errors) != 0 {
		t.Fatalf("result %+v", res)
	}
	page, err := f.st.Workers(t.Context(), WorkerQuery{Q: "人员7"})
	if err != nil || page.Total != 1 {
		t.Fatalf("search: %v %+v", err, page)
	}
	w := page.Workers[0]
	if !w.WillingAway || strings.Join(w.Tags, ",") != "农民工,脱贫人口" || strings.Join(w.Skills, ",") != "瓦工,电焊" || w.Station != "红旗嘎查" {
		t.Fatalf("imported worker %+v", w)
	}
}

func TestImportCSV(t *testing.T) {
	f := newFixture(t)
	csv := "公民身份号码,姓名,联系电话,民族,户籍地,文化程度,劳动能力,外出意愿\n" +
		idNumber("19800101", 1) + ",张三,13800138000,汉族,150421100201,高中,技能劳动力,否\n" +
		idNumber("19800101", 2) + ",李四,,汉族,150421100201,技校,普通劳动力,有\n"
	res, err := f.st.ImportWorkers(t.Context(), "a.csv", append([]byte("\ufeff"), csv...), "zh")
	if err != nil || res.Imported != 2 {
		t.Fatalf("utf-8: %v %+v", err, res)
	}
	gbk, err := simplifiedchinese.GBK.NewEncoder().String(strings.ReplaceAll(strings.ReplaceAll(csv, "张三", "王五"),
		idNumber("19800101", 1), idNumber("19800101", 7)))
	if err != nil {
		t.Fatal(err)
	}
	res, err = f.st.ImportWorkers(t.Context(), "b.csv", []byte(gbk), "zh")
	if err != nil || res.Imported != 1 || len(res.Errors) != 1 {
		t.Fatalf("gbk: %v %+v", err, res)
	}
	if p, _ := f.st.Workers(t.Context(), WorkerQuery{Q: "王五"}); p.Total != 1 {
		t.Fatal("GBK name not decoded")
	}
	if _, err := f.st.ImportWorkers(t.Context(), "c.csv", []byte("姓名,电话\n张三,1\n"), "zh"); !errors.Is(err, ErrBadFile) {
		t.Fatalf("no id column: %v", err)
	}
	if _, err := f.st.ImportWorkers(t.Context(), "d.pdf", []byte("%PDF"), "zh"); !errors.Is(err, ErrBadFile) {
		t.Fatalf("pdf: %v", err)
	}
}

func TestImportStopsAtRowLimit(t *testing.T) {
	f := newFixture(t)
	defer func(n int) { maxImportRows = n }(maxImportRows)
	maxImportRows = 1200
	var sb strings.Builder
	sb.WriteString("公民身份号码,姓名,联系电话,民族,户籍地,文化程度,劳动能力\n")
	for i := 0; i < 1500; i++ {
		fmt.Fprintf(&sb, "%s,人员%d,,汉族,150421100201,高中,普通劳动力\n", idNumber(fmt.Sprintf("1980%02d01", 1+i/1000), i%1000), i)
	}
	res, err := f.st.ImportWorkers(t.Context(), "a.csv", []byte(sb.String()), "zh")
	if err != nil {
		t.Fatal(err)
	}
	last := res.Errors[len(res.Errors)-1]
	if res.Imported != 1000 || last.Field != "file" || last.Row != 1002 || !strings.Contains(last.Message, "文件太大") {
		t.Fatalf("result: imported %d, last error %+v", res.Imported, last)
	}
}
