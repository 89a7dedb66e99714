package report

import (
	"strconv"
	"strings"
)

// MonthTitle writes a month (2026-12) as the county's sheets do: 2026年12月.
// A value that is no month is returned as it is.
func MonthTitle(month string) string {
	y, m, ok := strings.Cut(month, "-")
	n, err := strconv.Atoi(m)
	if !ok || err != nil || len(y) != 4 {
		return month
	}
	return y + "年" + strconv.Itoa(n) + "月"
}

// FileName is the name of a download of the month's report, ext its
// extension (".xlsx"): 2026年12月就业监测月报.xlsx; for one sheet of it (a
// CSV), the sheet's title after a dash: 2026年12月就业监测月报-汇总.csv.
func FileName(month, sheet, ext string) string {
	name := MonthTitle(month) + "就业监测月报"
	if sheet != "" {
		t, ok := SheetTitles[sheet]
		if !ok {
			t = sheet
		}
		name += "-" + t
	}
	return name + ext
}
