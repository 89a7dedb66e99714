package places

import "testing"

func TestLabelOf(t *testing.T) {
	tests := []struct {
		code              string
		name, title, cell string
		known             bool
	}{
		{"150421100207", "东双山村民委员会", "赤峰市 / 阿鲁科尔沁旗 / 天山镇 / 东双山村民委员会（150421100207）",
			"赤峰市 / 阿鲁科尔沁旗 / 天山镇 / 东双山村民委员会", true},
		{"150421", "阿鲁科尔沁旗", "赤峰市 / 阿鲁科尔沁旗（150421）", "赤峰市 / 阿鲁科尔沁旗", true},
		{"150421000000", "阿鲁科尔沁旗", "赤峰市 / 阿鲁科尔沁旗（150421000000）", "赤峰市 / 阿鲁科尔沁旗", true}, // padded, as some systems write it
		{"150421999999", "150421999999", "", "150421999999", false},
		{"西双山", "西双山", "", "西双山", false}, // free text is shown as written
		{"", "", "", "", false},
	}
	for _, tt := range tests {
		l := LabelOf(tt.code)
		if l.Code != tt.code || l.Name != tt.name || l.Known != tt.known || l.Title() != tt.title || l.Cell() != tt.cell {
			t.Errorf("LabelOf(%q) = %+v, title %q, cell %q; want name %q known %v title %q cell %q",
				tt.code, l, l.Title(), l.Cell(), tt.name, tt.known, tt.title, tt.cell)
		}
	}
}
