package placename

import (
	"errors"
	"fieldsync/places"
	"fieldsync/records"
	"slices"
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
			var pe *Error
			if !errors.As(err, &pe) || pe.Field != "hukou_village" {
				t.Fatalf("%q: %q %v, want a Error naming hukou_village", tt.value, code, err)
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

func TestPlaceCode(t *testing.T) {
	gig := []places.Level{places.County, places.Township, places.Village}
	tests := []struct {
		name, value string
		only        []places.Level
		code        string   // want, when no error
		errHas      []string // parts of the Chinese error
	}{
		{"code as written", "150421", gig, "150421", nil},
		{"empty", "  ", gig, "", nil},
		{"a 旗县 by name", "阿鲁科尔沁旗", gig, "150421", nil},
		{"a 苏木乡镇 by name", "大林镇", gig, "150502100", nil},
		{"a village by name", "东双山村", gig, "150421100207", nil},
		{"a village by path", "科尔沁区/清河镇/胜利村委会", gig, "150502105229", nil},
		{"a 苏木乡镇 several have", "城关镇", gig, "", []string{"地点", "有4个地方名为“城关镇”"}},
		{"unknown", "不存在的地方", gig, "", []string{"地点：没有名为“不存在的地方”的地方", "6、9或12"}},
		{"a village where only 旗县 is taken", "东双山村", []places.Level{places.County}, "", []string{"没有名为“东双山村”的地方"}},
		{"villages only: a 旗县 is no village", "阿鲁科尔沁旗", []places.Level{places.Village}, "", []string{"没有名为“阿鲁科尔沁旗”的嘎查村"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, err := PlaceCode("place", tt.value, tt.only...)
			if tt.errHas == nil {
				if err != nil || code != tt.code {
					t.Fatalf("%q: %q %v, want %q", tt.value, code, err, tt.code)
				}
				return
			}
			var pe *Error
			if !errors.As(err, &pe) || pe.Field != "place" || code != "" {
				t.Fatalf("%q: %q %v, want an Error naming place", tt.value, code, err)
			}
			msg := pe.Message("zh")
			for _, h := range tt.errHas {
				if !strings.Contains(msg, h) {
					t.Errorf("%q: %s, want %q in it", tt.value, msg, h)
				}
			}
		})
	}
}

func TestColumnLevels(t *testing.T) {
	gig := []places.Level{places.County, places.Township, places.Village}
	tests := []struct {
		table, column string
		want          []places.Level
	}{
		{records.Workers, "hukou_village", []places.Level{places.Village}},
		{records.Workers, "residence_village", []places.Level{places.Village}},
		{records.Gigs, "place", gig},
		{records.MonthlyStatus, "place", nil}, // free text
		{records.Workers, "phone", nil},
		{records.Gigs, "address", nil},
	}
	for _, tt := range tests {
		if got := ColumnLevels(tt.table, tt.column); !slices.Equal(got, tt.want) {
			t.Errorf("%s.%s: %v, want %v", tt.table, tt.column, got, tt.want)
		}
	}
}
