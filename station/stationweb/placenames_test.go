package stationweb

import (
	"strings"
	"testing"
)

// Pages show a division code as the place's name, with its path and code
// beside it or in a tooltip; a code no place has shows as the code.
func TestPlaceNamesOnPages(t *testing.T) {
	f := newFixture(t, nil)
	body := workerBody(idNumber("19800101", 21))
	body["residence_village"] = "150421999999" // twelve digits, but no such village
	body["skills"] = []string{"采摘"}            // so that the gig matches
	wid := f.mustCreate("/api/workers", body)
	gid := f.mustCreate("/api/gigs", gigBody())
	b := f.browser()
	const (
		village     = "西双山村民委员会"
		villagePath = "赤峰市 / 阿鲁科尔沁旗 / 天山镇 / 西双山村民委员会"
		town        = "天山镇"
		townPath    = "赤峰市 / 阿鲁科尔沁旗 / 天山镇"
	)
	tests := []struct {
		page string
		has  []string
	}{
		{"/workers/" + wid, []string{
			`<span class="place" title="` + villagePath + `（150421100201）">` + village + `</span>`,
			`<span class="place-path">` + villagePath + `（150421100201）</span>`,
			`<span class="place" title="">150421999999</span>`, // unknown: the code, no path
			// the gig matched to the worker, by its place's name
			`<span class="place" title="` + townPath + `（150421100）">` + town + `</span>`,
		}},
		{"/workers", []string{`<span class="place" title="` + villagePath + `（150421100201）">` + village + `</span>`}},
		{"/gigs/" + gid, []string{
			`<span class="place" title="` + townPath + `（150421100）">` + town + `</span>`,
			`<span class="place-path">` + townPath + `（150421100）</span>`,
			// the matching worker's residence: unknown, so the code
			`<td><span class="place" title="">150421999999</span></td>`,
		}},
		{"/gigs", []string{`<span class="place" title="` + townPath + `（150421100）">` + town + `</span>`}},
	}
	for _, tt := range tests {
		r := b.get(tt.page)
		if r.status != 200 {
			t.Fatalf("%s: %d", tt.page, r.status)
		}
		for _, h := range tt.has {
			if !strings.Contains(r.raw, h) {
				t.Errorf("%s: want %s in\n%s", tt.page, h, r.raw)
			}
		}
	}
}
