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

// TestBrowserReturnAndLoan: staff reach 返乡人员 from the 服务 navigation and
// enter a return dated tomorrow: the form comes back with the refusal on the
// date and nothing is saved; dated in the month it is saved, listed in the
// month's returnees, and its 再次外出 marks the person willing to work away.
// Then, from the person's page, a 创业担保贷款 ending before it starts is
// refused on its end; with the end after the start it is saved and shown in
// the person's block.
func TestBrowserReturnAndLoan(t *testing.T) {
	b := browsertest.New(t)
	f := newFixture(t, nil)
	idn := idNumber("19850505", 31)
	wb := workerBody(idn)
	wb["willing_away"] = false
	w := f.mustCreate("/api/workers", wb)
	srv := httptest.NewServer(f.h)
	defer srv.Close()
	type css = chromedp.CSS
	b.Do(
		chromedp.Navigate(srv.URL+"/"),
		chromedp.WaitVisible(css(`#nav-services`)),
		chromedp.Click(css(`#nav-services`)),
		chromedp.WaitVisible(css(`#svc-returns a`)),
		chromedp.Click(css(`#svc-returns a`)),
		chromedp.WaitVisible(css(`#new-return`)),
		chromedp.Click(css(`#new-return`)),
		chromedp.WaitVisible(css(`#f-worker_id`)),
		chromedp.SendKeys(css(`#f-worker_id`), idn),
		chromedp.SetValue(css(`#f-returned_on`), "2026-11-16"),
		chromedp.SendKeys(css(`#f-from_place`), "鄂尔多斯市东胜区"),
		chromedp.SetValue(css(`#f-return_reason`), "务工结束"),
		chromedp.SetValue(css(`#f-intention`), "再次外出"),
		chromedp.Click(css(`#save`)),
		chromedp.WaitVisible(css(`#err-returned_on`)),
	)
	if msg := b.Get(chromedp.Text(css(`#err-returned_on`))); !strings.Contains(msg, "返乡日期不能晚于今天") {
		t.Fatalf("the date field says %q", msg)
	}
	page, err := f.st.LabourRows(t.Context(), station.LabourQuery{Table: records.Returns})
	if err != nil || page.Total != 0 {
		t.Fatalf("a refused return was saved: %v %+v", err, page)
	}
	b.Do(
		chromedp.SetValue(css(`#f-returned_on`), "2026-11-03"),
		chromedp.Click(css(`#save`)),
		chromedp.WaitVisible(css(`#returns`)),
	)
	if text := b.Get(chromedp.Text(css(`#returns`))); !strings.Contains(text, "鄂尔多斯市东胜区") || !strings.Contains(text, "再次外出") {
		t.Fatalf("the returnee list shows %q", text)
	}
	if wv, err := f.st.Worker(t.Context(), mustID(t, w)); err != nil || !wv.WillingAway {
		t.Fatalf("the return did not mark the person willing to work away: %+v %v", wv, err)
	}
	b.Do(
		chromedp.Navigate(srv.URL+"/workers/"+w),
		chromedp.WaitVisible(css(`#add-support`)),
		chromedp.Click(css(`#add-support`)),
		chromedp.WaitVisible(css(`#f-support_kind`)),
		chromedp.SetValue(css(`#f-support_kind`), "创业担保贷款"),
		chromedp.SendKeys(css(`#f-amount`), "100000"),
		chromedp.SendKeys(css(`#f-lender`), "县农村商业银行"),
		chromedp.SetValue(css(`#f-start_on`), "2026-06-01"),
		chromedp.SetValue(css(`#f-end_on`), "2026-05-31"),
		chromedp.Click(css(`#save`)),
		chromedp.WaitVisible(css(`#err-end_on`)),
	)
	if msg := b.Get(chromedp.Text(css(`#err-end_on`))); !strings.Contains(msg, records.Message("zh", records.KeyNotAfter,
		records.FieldLabel("zh", "end_on"), records.FieldLabel("zh", "start_on"))) {
		t.Fatalf("the end field says %q", msg)
	}
	page, err = f.st.LabourRows(t.Context(), station.LabourQuery{Table: records.StartupSupport})
	if err != nil || page.Total != 0 {
		t.Fatalf("a refused loan was saved: %v %+v", err, page)
	}
	b.Do(
		chromedp.SetValue(css(`#f-end_on`), "2028-05-31"),
		chromedp.Click(css(`#save`)),
		chromedp.WaitVisible(css(`#person-support`)),
	)
	if text := b.Get(chromedp.Text(css(`#person-support`))); !strings.Contains(text, "县农村商业银行") || !strings.Contains(text, "2028-05-31") {
		t.Fatalf("the person's support shows %q", text)
	}
}
