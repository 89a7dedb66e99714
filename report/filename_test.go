package report

import "testing"

func TestFileName(t *testing.T) {
	for _, c := range []struct{ month, sheet, ext, want string }{
		{"2026-12", "", ".xlsx", "2026年12月就业监测月报.xlsx"},
		{"2026-12", SheetTownships, ".csv", "2026年12月就业监测月报-苏木乡镇.csv"},
		{"2026-12", SheetGigs, ".csv", "2026年12月就业监测月报-零工.csv"},
		{"2026-01", SheetVillages, ".csv", "2026年1月就业监测月报-嘎查村汇总.csv"},
		{"2026-11", SheetWillingAway, ".csv", "2026年11月就业监测月报-有意愿外出人员清单.csv"},
		{"2026-11", "other", ".csv", "2026年11月就业监测月报-other.csv"},
		{"x", "", ".xlsx", "x就业监测月报.xlsx"},
	} {
		if got := FileName(c.month, c.sheet, c.ext); got != c.want {
			t.Errorf("FileName(%q, %q, %q) = %q, want %q", c.month, c.sheet, c.ext, got, c.want)
		}
	}
	for _, s := range append(Sheets, SheetRoster) {
		if SheetTitles[s] == "" {
			t.Errorf("sheet %s has no title", s)
		}
	}
}
