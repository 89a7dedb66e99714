package stationweb

import (
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"fieldsync/internal/browsertest"
	"fieldsync/records"
)

// TestBrowserRegisterWorker drives the real UI: a wrong check digit shows the
// Chinese error next to the field and keeps what was typed; the fixed number
// registers; the worker is found in the list and, after a monthly status, in
// the three lists; the navigation leads to the refusals page.
func TestBrowserRegisterWorker(t *testing.T) {
	b := browsertest.New(t)
	f := newFixture(t, nil)
	srv := httptest.NewServer(f.h)
	defer srv.Close()

	good := idNumber("19850505", 22)
	bad := good[:17] + map[bool]string{true: "1", false: "0"}[good[17] == '0']
	do, get := b.Do, b.Get
	type css = chromedp.CSS
	do(
		chromedp.EmulateViewport(1366, 768),
		chromedp.Navigate(srv.URL+"/workers/new"),
		chromedp.WaitVisible(css(`#f-id_number`)),
		chromedp.SendKeys(css(`#f-id_number`), bad),
		chromedp.SendKeys(css(`#f-name`), "其木格"),
		chromedp.SendKeys(css(`#f-phone`), "13800138000"),
		chromedp.SendKeys(css(`#f-ethnicity`), "蒙古族"),
		chromedp.SendKeys(css(`#f-hukou_village`), "150421100201"),
		chromedp.SetValue(css(`#f-education`), "初中"),
		chromedp.SetValue(css(`#f-labour_ability`), "普通劳动力"),
		chromedp.Click(css(`input[name="tags"][value="农民工"]`)),
		chromedp.SendKeys(css(`#f-skills`), "电焊、瓦工"),
		chromedp.Click(css(`#save`)),
		chromedp.WaitVisible(css(`#err-id_number`)),
	)
	errText := get(chromedp.Text(css(`#err-id_number`)))
	kept := get(chromedp.Value(css(`#f-name`)))
	if !strings.Contains(errText, "公民身份号码校验位错误") || kept != "其木格" {
		t.Fatalf("error %q, kept name %q", errText, kept)
	}
	do(
		chromedp.Clear(css(`#f-id_number`)),
		chromedp.SendKeys(css(`#f-id_number`), good),
		chromedp.Click(css(`#save`)),
		chromedp.WaitVisible(css(`#worker-name`)),
	)
	if name := get(chromedp.Text(css(`#worker-name`))); !strings.Contains(name, "其木格") {
		t.Fatalf("worker page shows %q", name)
	}
	workerURL := get(chromedp.Location())
	// Find the worker in the list, searching by name; the id number is masked.
	do(
		chromedp.Navigate(srv.URL+"/workers"),
		chromedp.WaitVisible(css(`input[name="q"]`)),
		chromedp.SendKeys(css(`input[name="q"]`), "其木格"),
		chromedp.Submit(css(`input[name="q"]`)),
	)
	// The list page before the search has #workers too: wait for the
	// search's own page, or the next navigation aborts it half-loaded.
	for deadline := time.Now().Add(30 * time.Second); ; {
		// The read fails while the page navigates: poll on.
		if loc, err := b.TryGet(chromedp.Location()); err == nil && strings.Contains(loc, "q=") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the search did not load")
		}
		time.Sleep(20 * time.Millisecond) // polling the browser, not synchronisation
	}
	do(chromedp.WaitVisible(css(`#workers`)))
	list := get(chromedp.Text(css(`#workers`)))
	if !strings.Contains(list, "其木格") || !strings.Contains(list, records.MaskIDNumber(good)) || strings.Contains(list, good) {
		t.Fatalf("worker list: %q", list)
	}
	// Record this month's status, then find the worker in the three lists.
	do(
		chromedp.Navigate(workerURL+"/monthly-status"),
		chromedp.WaitVisible(css(`#f-list_type`)),
		chromedp.SetValue(css(`#f-list_type`), "就业"),
		chromedp.SetValue(css(`#f-work_scope`), "县外区内"),
		chromedp.SetValue(css(`#f-employment_form`), "灵活就业"),
		chromedp.SendKeys(css(`#f-monthly_income`), "3200"),
		chromedp.SetValue(css(`#f-verified_by_method`), "电话"),
		chromedp.SendKeys(css(`#f-verified_by`), "李四"),
		chromedp.Click(css(`#save`)),
		chromedp.WaitVisible(css(`#statuses`)),
		chromedp.Navigate(srv.URL+"/lists"),
		chromedp.WaitVisible(css(`#list`)),
	)
	lists := get(chromedp.Text(css(`#list`)))
	counts := get(chromedp.Text(css(`#list-counts`)))
	if !strings.Contains(lists, "其木格") || !strings.Contains(lists, "县外区内") || !strings.Contains(counts, "就业人员清单: 1") {
		t.Fatalf("three lists: %q / %q", lists, counts)
	}
	// The navigation leads to the changes the county did not accept: none.
	do(
		chromedp.Click(css(`#nav-refusals`)),
		chromedp.WaitVisible(css(`#refusals-none`)),
	)
	if none := get(chromedp.Text(css(`#refusals-none`))); !strings.Contains(none, "没有需要处理的记录") {
		t.Fatalf("refusals page: %q", none)
	}
}
