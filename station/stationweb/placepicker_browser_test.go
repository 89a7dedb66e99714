package stationweb

import (
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"fieldsync/ident"
	"fieldsync/internal/browsertest"
)

// TestBrowserPlacePicker: staff choose a village by typing part of its name
// (双山: 西双山 and 东双山 both come up) and choosing one; the worker saved
// holds the chosen village's code, the page shows its name, and the edit form
// opens with the name shown and the code kept. A gig's picker offers a
// 苏木乡镇.
func TestBrowserPlacePicker(t *testing.T) {
	b := browsertest.New(t)
	f := newFixture(t, nil)
	srv := httptest.NewServer(f.h)
	defer srv.Close()

	const chosen = "150421100207" // 东双山村民委员会, 阿鲁科尔沁旗天山镇
	do, get := b.Do, b.Get
	type css = chromedp.CSS
	do(
		chromedp.EmulateViewport(1366, 768),
		chromedp.Navigate(srv.URL+"/workers/new"),
		chromedp.WaitVisible(css(`#f-id_number`)),
		chromedp.SendKeys(css(`#f-id_number`), idNumber("19850505", 31)),
		chromedp.SendKeys(css(`#f-name`), "其木格"),
		chromedp.SendKeys(css(`#f-ethnicity`), "蒙古族"),
		chromedp.SetValue(css(`#f-education`), "初中"),
		chromedp.SetValue(css(`#f-labour_ability`), "普通劳动力"),
		// The script made the field a search box; the code is hidden.
		chromedp.WaitReady(css(`input[type="hidden"][name="hukou_village"]`)),
		chromedp.SendKeys(css(`#f-hukou_village`), "双山"),
		chromedp.WaitVisible(css(`#places-hukou_village li[data-code="`+chosen+`"]`)),
	)
	if list := get(chromedp.Text(css(`#places-hukou_village`))); !strings.Contains(list, "西双山村民委员会") ||
		!strings.Contains(list, "赤峰市 / 阿鲁科尔沁旗 / 天山镇 / 东双山村民委员会") {
		t.Fatalf("suggestions: %q", list)
	}
	do(
		chromedp.Click(css(`#places-hukou_village li[data-code="`+chosen+`"]`)),
		chromedp.WaitNotVisible(css(`#places-hukou_village`)),
	)
	if code := get(chromedp.Value(css(`#f-hukou_village-code`))); code != chosen {
		t.Fatalf("the field holds %q, want %s", code, chosen)
	}
	if shown, path := get(chromedp.Value(css(`#f-hukou_village`))), get(chromedp.Text(css(`#path-hukou_village`))); shown != "东双山村民委员会" ||
		path != "赤峰市 / 阿鲁科尔沁旗 / 天山镇 / 东双山村民委员会" {
		t.Fatalf("shown %q, path %q", shown, path)
	}
	do(
		chromedp.Click(css(`#save`)),
		chromedp.WaitVisible(css(`#worker-name`)),
	)
	loc := get(chromedp.Location())
	id, err := ident.ParseID(loc[strings.LastIndex(loc, "/")+1:])
	if err != nil {
		t.Fatalf("worker page %s: %v", loc, err)
	}
	w, err := f.st.Worker(t.Context(), id)
	if err != nil || w.HukouVillage != chosen {
		t.Fatalf("stored worker: %v %+v", err, w)
	}
	if text := get(chromedp.Text(css(`#worker`))); !strings.Contains(text, "东双山村民委员会") {
		t.Fatalf("worker page: %q", text)
	}
	// The edit form shows the name; saving unchanged keeps the code.
	do(
		chromedp.Navigate(loc+"/edit"),
		chromedp.WaitReady(css(`input[type="hidden"][name="hukou_village"]`)),
	)
	if shown, code := get(chromedp.Value(css(`#f-hukou_village`))), get(chromedp.Value(css(`#f-hukou_village-code`))); shown != "东双山村民委员会" || code != chosen {
		t.Fatalf("edit form: shown %q, code %q", shown, code)
	}
	do(
		chromedp.Click(css(`#save`)),
		chromedp.WaitVisible(css(`#worker-name`)),
	)
	if w, err := f.st.Worker(t.Context(), id); err != nil || w.HukouVillage != chosen {
		t.Fatalf("after edit: %v %+v", err, w)
	}
	// A gig's place may be a 苏木乡镇: its picker offers one.
	do(
		chromedp.Navigate(srv.URL+"/gigs/new"),
		chromedp.WaitReady(css(`input[type="hidden"][name="place"]`)),
		chromedp.SendKeys(css(`#f-place`), "天山"),
		chromedp.WaitVisible(css(`#places-place li[data-code="150421100"]`)),
		chromedp.Click(css(`#places-place li[data-code="150421100"]`)),
		chromedp.WaitNotVisible(css(`#places-place`)),
	)
	if code, path := get(chromedp.Value(css(`#f-place-code`))), get(chromedp.Text(css(`#path-place`))); code != "150421100" ||
		path != "赤峰市 / 阿鲁科尔沁旗 / 天山镇" {
		t.Fatalf("gig place: code %q, path %q", code, path)
	}
}
