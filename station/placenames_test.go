package station

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

func TestVillageCode(t *testing.T) {
	tests := []struct {
		name, value string
		parents     []string
		code        string   // want, when no error
		errHas      []string // parts of the Chinese error
	}{
		{"code as written", "150421100201", nil, "150421100201", nil},
		{"short code left to validation", "15042110020", nil, "15042110020", nil},
		{"empty", " ", nil, "", nil},
		{"name as the table writes it", "西双山村民委员会", nil, "150421100201", nil},
		{"name as people write it", "西双山村", nil, "150421100201", nil},
		{"name without 村", "西双山", nil, "150421100201", nil},
		{"path in the cell", "科尔沁区/清河镇/胜利村委会", nil, "150502105229", nil},
		{"path with full-width slashes and spaces", "通辽市 ／ 科尔沁区 ／ 大林镇 ／ 胜利村", nil, "150502100209", nil},
		{"township column chooses", "胜利村委会", []string{"", "科尔沁区", "清河镇"}, "150502105229", nil},
		{"township column as people write it", "胜利村委会", []string{"", "", "清河"}, "150502105229", nil},
		{"parents ignored for a unique name", "西双山村", []string{"", "", "清河镇"}, "150421100201", nil},
		{"county alone leaves two", "胜利村委会", []string{"", "科尔沁区", ""}, "",
			[]string{"户籍地", "有2个嘎查村名为“胜利村委会”", "通辽市 / 科尔沁区 / 大林镇 / 胜利村委会（150502100209）",
				"通辽市 / 科尔沁区 / 清河镇 / 胜利村委会（150502105229）", "旗县/苏木乡镇/嘎查村"}},
		{"many, three listed", "胜利村委会", nil, "",
			[]string{"户籍地", "有17个嘎查村名为", "包头市 / 土默特右旗 / 将军尧镇 / 胜利村委会（150221108242）", "……"}},
		{"unknown name", "不存在的村", nil, "", []string{"户籍地", "没有名为“不存在的村”的嘎查村"}},
		{"path that does not hold", "回民区/胜利村委会", nil, "", []string{"没有名为“回民区/胜利村委会”的嘎查村"}},
		{"path through another tier", "阿鲁科尔沁旗/胜利村委会", nil, "150421104201", nil}, // 胜利村民委员会 there
		{"a township is no village", "天山镇", nil, "", []string{"没有名为“天山镇”的嘎查村"}},
		{"only slashes", "//", nil, "", []string{"没有名为"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, err := VillageCode("hukou_village", tt.value, tt.parents...)
			if tt.errHas == nil {
				if err != nil || code != tt.code {
					t.Fatalf("%q: %q %v, want %q", tt.value, code, err, tt.code)
				}
				return
			}
			var pe *PlaceNameError
			if !errors.As(err, &pe) || pe.Field != "hukou_village" {
				t.Fatalf("%q: %q %v, want a PlaceNameError naming hukou_village", tt.value, code, err)
			}
			msg := pe.Message("zh")
			for _, h := range tt.errHas {
				if !strings.Contains(msg, h) {
					t.Errorf("%q: %s, want %q in it", tt.value, msg, h)
				}
			}
			if n := strings.Count(msg, "（15"); n > maxCandidates {
				t.Errorf("%q: %d candidates listed: %s", tt.value, n, msg)
			}
			if en := pe.Message("en"); !strings.Contains(en, "hukou village") {
				t.Errorf("English: %s", en)
			}
		})
	}
}

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
