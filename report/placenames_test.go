package report

import (
	"bytes"
	"context"
	"slices"
	"testing"

	"github.com/xuri/excelize/v2"
)

// The report names places from the division table: the village sheet keeps
// its code columns with the names beside them, the list sheets name the
// township and village, and the figures grouped by place carry the names;
// a code the table lacks stays as itself.
func TestReportNamesPlaces(t *testing.T) {
	c := genCounty(t, 120, 4)
	r := c.write(t)
	var buf bytes.Buffer
	if err := WriteXLSX(context.Background(), &buf, r.DB(), testMonth, testOptions()); err != nil {
		t.Fatal(err)
	}
	x, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()

	names := map[string]string{
		"150421100": "天山镇", "150421200": "新民乡",
		"150421100200": "杨树林村民委员会", "150421100201": "西双山村民委员会",
	}
	villages := sheetRows(t, x, "嘎查村汇总")
	if cr := csvRows(t, r, SheetVillages, testOptions()); !slices.EqualFunc(cr, villages, rowEqual) {
		t.Errorf("csv of villages differs from the sheet")
	}
	seen := 0
	for _, row := range villages {
		town, village := row[0], row[2]
		if want, ok := names[town]; ok && row[1] != want {
			t.Errorf("village sheet: township %s named %q, want %q", town, row[1], want)
		}
		if want, ok := names[village]; ok {
			seen++
			if row[3] != want {
				t.Errorf("village sheet: village %s named %q, want %q", village, row[3], want)
			}
		}
		if village == loneVillage && row[3] != "" {
			t.Errorf("village sheet: the lone village %s (not in the table) named %q", village, row[3])
		}
	}
	if seen != 2 {
		t.Fatalf("village sheet: %d of the named villages, want 2: %v", seen, villages)
	}

	// A list sheet's 乡镇 and 村 are names; the lone village's code, which
	// no place has, is shown as itself.
	listNames := map[string]bool{}
	for _, l := range []string{"就业人员清单", "失业人员清单", "有意愿外出人员清单"} {
		for _, row := range sheetRows(t, x, l) {
			listNames[row[1]+"|"+row[2]] = true
		}
	}
	for k := range listNames {
		switch k {
		case "天山镇|杨树林村民委员会", "天山镇|西双山村民委员会", "新民乡|林场村民委员会",
			"新民乡|保安村民委员会", loneVillage[:9] + "|" + loneVillage:
		default:
			t.Errorf("list sheets: township|village %q, want names from the table", k)
		}
	}
	if !listNames["天山镇|西双山村民委员会"] {
		t.Errorf("list sheets: no one of 西双山村 in %v", listNames)
	}

	// The figures grouped by place, and the chart drawn from them.
	f := dashboard(t, r, testMonth)
	for _, tw := range f.Lists.Townships {
		if want, ok := names[tw.Code]; ok && tw.Name != want {
			t.Errorf("lists by township: %s named %q, want %q", tw.Code, tw.Name, want)
		}
	}
	for _, g := range f.Gigs.ByPlace {
		if g.Name != tableName(g.Key) || g.Name == "" {
			t.Errorf("gigs by place: %s named %q, want %q", g.Key, g.Name, tableName(g.Key))
		}
	}
	if ch := Charts(f)[0]; ch.ID != "lists_by_township" || !slices.Contains(ch.Labels, "天山镇") {
		t.Errorf("chart %s labels %v, want 天山镇 among them", ch.ID, ch.Labels)
	}
}
