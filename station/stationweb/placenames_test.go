package stationweb

import (
	"fieldsync/ident"
	"net/http"
	"net/http/httptest"
	"net/url"
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

// The place fields of the forms, without the picker's script: a code as
// before, or a name looked up on save; a name that names no place, or
// several, keeps the form with the error on the field, in Chinese.
func TestPlaceFieldsByName(t *testing.T) {
	f := newFixture(t, nil)
	b := f.browser()
	tests := []struct {
		name   string
		path   string
		form   url.Values
		field  string
		value  string
		code   string // stored, on success
		errHas string // on the field, on failure
	}{
		{"village by code", "/workers/new", workerForm(idNumber("19850505", 41)), "hukou_village", "150421100201", "150421100201", ""},
		{"village by name", "/workers/new", workerForm(idNumber("19850505", 42)), "hukou_village", "东双山村", "150421100207", ""},
		{"village by path", "/workers/new", workerForm(idNumber("19850505", 43)), "residence_village", "科尔沁区/清河镇/胜利村委会", "150502105229", ""},
		{"ambiguous village", "/workers/new", workerForm(idNumber("19850505", 44)), "hukou_village", "胜利村委会", "",
			"户籍地（嘎查村）代码：有17个嘎查村名为“胜利村委会”"},
		{"unknown village", "/workers/new", workerForm(idNumber("19850505", 45)), "residence_village", "没有这个村", "",
			"没有名为“没有这个村”的嘎查村"},
		{"gig at a township", "/gigs/new", gigForm(), "place", "天山镇", "150421100", ""},
		{"gig at a village by name", "/gigs/new", gigForm(), "place", "西双山村", "150421100201", ""},
		{"gig at no place", "/gigs/new", gigForm(), "place", "没有这个地方", "", "没有名为“没有这个地方”的地方"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.form.Set(tt.field, tt.value)
			r := b.post(tt.path, tt.form)
			if tt.errHas != "" {
				if r.status != 400 || !strings.Contains(r.raw, `id="err-`+tt.field+`"`) || !strings.Contains(r.raw, tt.errHas) ||
					!strings.Contains(r.raw, `value="`+tt.value+`"`) {
					t.Fatalf("%d, want 400 with %q on %s and the value kept:\n%s", r.status, tt.errHas, tt.field, r.raw)
				}
				return
			}
			loc := r.header.Get("Location")
			if r.status != http.StatusSeeOther {
				t.Fatalf("%d %s", r.status, r.raw)
			}
			id, err := ident.ParseID(loc[strings.LastIndex(loc, "/")+1:])
			if err != nil {
				t.Fatal(err)
			}
			var stored string
			if tt.path == "/gigs/new" {
				g, err := f.st.Gig(t.Context(), id)
				if err != nil {
					t.Fatal(err)
				}
				stored = g.Place
			} else {
				w, err := f.st.Worker(t.Context(), id)
				if err != nil {
					t.Fatal(err)
				}
				stored = map[string]string{"hukou_village": w.HukouVillage, "residence_village": w.ResidenceVillage}[tt.field]
			}
			if stored != tt.code {
				t.Fatalf("stored %q, want %s", stored, tt.code)
			}
		})
	}
}

func gigForm() url.Values {
	return url.Values{"title": {"摘枸杞"}, "occupation": {"采摘"}, "headcount": {"2"}, "wage": {"150"},
		"wage_unit": {"元/天"}, "settlement": {"日结"}, "start_date": {"2026-11-20"}, "employer": {"绿源农业公司"},
		"contact": {"13800138000"}, "status": {"open"}}
}

// Two stations that registered a person with different villages see the
// conflict on the worker page by the villages' names.
func TestPlaceNamesInConflicts(t *testing.T) {
	a := newFixture(t, nil)
	b := a.peer("白音嘎查")
	idn := idNumber("19800101", 13)
	id := a.mustCreate("/api/workers", workerBody(idn))
	wb := workerBody(idn)
	wb["hukou_village"] = "150421100207"
	b.mustCreate("/api/workers", wb)
	b.syncTo(a)
	page := a.serve(httptest.NewRequest("GET", "/workers/"+id, nil))
	for _, want := range []string{`class="conflict"`, `<b title="赤峰市 / 阿鲁科尔沁旗 / 天山镇 / 西双山村民委员会（150421100201）">西双山村民委员会</b>`,
		`<b title="赤峰市 / 阿鲁科尔沁旗 / 天山镇 / 东双山村民委员会（150421100207）">东双山村民委员会</b>`} {
		if !strings.Contains(page.raw, want) {
			t.Errorf("worker page lacks %s:\n%s", want, page.raw)
		}
	}
	form := a.serve(httptest.NewRequest("GET", "/workers/"+id+"/edit", nil))
	if !strings.Contains(form.raw, "<b>东双山村民委员会（150421100207）</b>") {
		t.Errorf("edit form does not name the conflicting village:\n%s", form.raw)
	}
}
