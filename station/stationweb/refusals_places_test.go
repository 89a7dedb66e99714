package stationweb

import (
	"strings"
	"testing"

	"fieldsync/records"
)

// A refused village shows on the refusals page by name, with its path and
// code in the tooltip; the API keeps the code, and a column that holds no
// division code (a monthly status's place, free text) shows as written.
func TestRefusalsNamePlaces(t *testing.T) {
	f := newFixture(t, nil)
	hub := f.peer("县级平台")
	wid := f.mustCreate("/api/workers", workerBody(idNumber("19800101", 12)))
	f.hubWrites(hub,
		refusalEdit(t, records.Workers, wid, "hukou_village", "150421100207", records.KeyPlace, "县级核实中",
			records.RefusalRefused, "2026-11-15T08:00:00Z"),
		refusalEdit(t, records.MonthlyStatus, wid, "place", "150421100201", records.KeyTooLong, "地点有误",
			records.RefusalRefused, "2026-11-15T07:00:00Z"),
	)
	r := f.browser().get("/refusals")
	want := `<td class="value"><span class="place" title="赤峰市 / 阿鲁科尔沁旗 / 天山镇 / 东双山村民委员会（150421100207）">东双山村民委员会</span></td>`
	if r.status != 200 || !strings.Contains(r.raw, want) || !strings.Contains(r.raw, `<td class="value">150421100201</td>`) {
		t.Fatalf("refusals page: %d, want %s and the free-text place as written\n%s", r.status, want, r.raw)
	}
	a := f.api("GET", "/api/refusals", nil)
	list, _ := a.body["refusals"].([]any)
	if len(list) != 2 || list[0].(map[string]any)["value"] != "150421100207" {
		t.Fatalf("API: %s", a.raw)
	}
}
