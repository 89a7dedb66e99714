package stationweb

import (
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"fieldsync/internal/browsertest"
	"fieldsync/records"
	"fieldsync/station"
)

// TestBrowserSharedEmployment: staff reach 共享用工 from the 帮扶项目
// navigation and enter an agreement whose sharing ends after the person's
// contract with the original employer: the form comes back with the
// refusal on the end field and nothing is saved; with the end moved inside
// the contract it is saved and listed.
func TestBrowserSharedEmployment(t *testing.T) {
	b := browsertest.New(t)
	f := newFixture(t, nil)
	idn := idNumber("19850505", 31)
	f.mustCreate("/api/workers", workerBody(idn))
	srv := httptest.NewServer(f.h)
	defer srv.Close()
	type css = chromedp.CSS
	b.Do(
		chromedp.Navigate(srv.URL+"/"),
		chromedp.WaitVisible(css(`#nav-programmes`)),
		chromedp.Click(css(`#nav-programmes`)),
		chromedp.WaitVisible(css(`#prog-shared a`)),
		chromedp.Click(css(`#prog-shared a`)),
		chromedp.WaitVisible(css(`#new-shared`)),
		chromedp.Click(css(`#new-shared`)),
		chromedp.WaitVisible(css(`#f-worker_id`)),
		chromedp.SendKeys(css(`#f-worker_id`), idn),
		chromedp.SendKeys(css(`#f-original_employer`), "鄂尔多斯某煤矿"),
		chromedp.SetValue(css(`#f-contract_end`), "2026-12-31"),
		chromedp.SendKeys(css(`#f-host_employer`), "包头某物流"),
		chromedp.SetValue(css(`#f-start_on`), "2026-11-01"),
		chromedp.SetValue(css(`#f-end_on`), "2027-01-31"),
		chromedp.Click(css(`#save`)),
		chromedp.WaitVisible(css(`#err-end_on`)),
	)
	if msg := b.Get(chromedp.Text(css(`#err-end_on`))); !strings.Contains(msg, "结束日期不能晚于与原用人单位劳动合同的到期日（2026-12-31）") {
		t.Fatalf("the end field says %q", msg)
	}
	page, err := f.st.LabourRows(t.Context(), station.LabourQuery{Table: records.SharedEmployment})
	if err != nil || page.Total != 0 {
		t.Fatalf("a refused agreement was saved: %v %+v", err, page)
	}
	b.Do(
		chromedp.SetValue(css(`#f-end_on`), "2026-12-31"),
		chromedp.Click(css(`#save`)),
		chromedp.WaitVisible(css(`#shared`)),
	)
	if text := b.Get(chromedp.Text(css(`#shared`))); !strings.Contains(text, "包头某物流") || !strings.Contains(text, "2026-12-31") {
		t.Fatalf("the list shows %q", text)
	}
}
