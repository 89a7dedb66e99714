package station

import (
	"fmt"
	"strings"
	"testing"
)

// A sheet as the county's systems send it: villages by name, with 旗县 and
// 苏木乡镇 columns; codes still work; a row whose village cannot be told is
// refused with the field named, and the others are imported.
func TestImportVillageNames(t *testing.T) {
	f := newFixture(t)
	header := []any{"序号", "公民身份号码", "姓名", "民族", "旗县（市区）", "苏木乡镇", "户籍地", "常住地", "文化程度", "劳动能力"}
	row := func(n int, county, town, hukou, residence string) []any {
		return []any{n, idNumber("19800101", 100+n), fmt.Sprintf("名字%d", n), "蒙古族", county, town, hukou, residence, "初中", "普通劳动力"}
	}
	rows := [][]any{header,
		row(1, "", "", "150421100201", ""),                     // a code, as before
		row(2, "阿鲁科尔沁旗", "天山镇", "西双山村", "东双山村"),                // names
		row(3, "科尔沁区", "清河镇", "胜利村委会", ""),                     // chosen by the 苏木乡镇 column
		row(4, "科尔沁区", "", "胜利村委会", ""),                        // two in 科尔沁区: refused
		row(5, "", "", "不存在的村", ""),                            // unknown: refused
		row(6, "", "", "150421100201", "不存在的村"),                // unknown residence: refused
		row(7, "", "", "通辽市/科尔沁区/大林镇/胜利村委会", "科尔沁区/清河镇/胜利村委会"), // paths
	}
	res, err := f.st.ImportWorkers(t.Context(), "县里的表.xlsx", makeXLSX(t, rows), "zh")
	if err != nil {
		t.Fatal(err)
	}
	if res.Rows != 7 || res.Imported != 4 || len(res.Errors) != 3 {
		t.Fatalf("result %+v", res)
	}
	wantErr := map[int][2]string{
		5: {"hukou_village", "户籍地（嘎查村）代码：有2个嘎查村名为“胜利村委会”"},
		6: {"hukou_village", "户籍地（嘎查村）代码：没有名为“不存在的村”的嘎查村"},
		7: {"residence_village", "没有名为“不存在的村”的嘎查村"},
	}
	for _, e := range res.Errors {
		w, ok := wantErr[e.Row]
		if !ok || e.Field != w[0] || !strings.Contains(e.Message, w[1]) {
			t.Errorf("row %d: %s %s, want %v", e.Row, e.Field, e.Message, w)
		}
	}
	want := map[string][2]string{
		"名字1": {"150421100201", ""},
		"名字2": {"150421100201", "150421100207"},
		"名字3": {"150502105229", ""},
		"名字7": {"150502100209", "150502105229"},
	}
	for name, codes := range want {
		page, err := f.st.Workers(t.Context(), WorkerQuery{Q: name})
		if err != nil || page.Total != 1 {
			t.Fatalf("%s: %v %+v", name, err, page)
		}
		if w := page.Workers[0]; w.HukouVillage != codes[0] || w.ResidenceVillage != codes[1] {
			t.Errorf("%s: stored %s / %s, want %v", name, w.HukouVillage, w.ResidenceVillage, codes)
		}
	}
}
