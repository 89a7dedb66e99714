package stationweb

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"fieldsync/internal/browsertest"
	"fieldsync/records"
)

// TestBrowserRightsCase drives the real UI of a station on loopback (its
// operator holds the labour-rights permission): from a person's page staff
// open a wage-arrears case, then close it; closing without an outcome is
// refused on the outcome field, in Chinese, and the form keeps what was
// typed; with one the case's page shows it closed, and the list's "not
// closed" filter no longer shows it.
func TestBrowserRightsCase(t *testing.T) {
	b := browsertest.New(t)
	f := newFixture(t, nil)
	srv := httptest.NewServer(f.h)
	defer srv.Close()
	id, err := f.st.CreateWorker(context.Background(), records.Worker{IDNumber: idNumber("19700707", 51), Name: "巴特尔",
		Ethnicity: "蒙古族", HukouVillage: "150421100207", Education: "初中", LabourAbility: "普通劳动力",
		Tags: []string{"农民工"}})
	if err != nil {
		t.Fatal(err)
	}
	do, get := b.Do, b.Get
	type css = chromedp.CSS
	do(
		chromedp.EmulateViewport(1366, 768),
		chromedp.Navigate(srv.URL+"/workers/"+id.String()),
		chromedp.WaitVisible(css(`#new-rights-case`)),
		chromedp.Click(css(`#new-rights-case`)),
		chromedp.WaitVisible(css(`#f-employer`)),
		chromedp.SetValue(css(`#f-rights_kind`), "欠薪"),
		chromedp.SendKeys(css(`#f-employer`), "黑心砖厂有限公司"),
		chromedp.SendKeys(css(`#f-amount_claimed`), "12000"),
		chromedp.SetValue(css(`#f-referral`), "劳动监察"),
		chromedp.Click(css(`#save`)),
		chromedp.WaitVisible(css(`#rights-case`)),
	)
	if text := get(chromedp.Text(css(`#rights-case`))); !strings.Contains(text, "黑心砖厂有限公司") || !strings.Contains(text, "受理") {
		t.Fatalf("case page: %q", text)
	}
	caseURL := get(chromedp.Location())
	do(
		chromedp.Click(css(`#edit-rights-case`)),
		chromedp.WaitVisible(css(`#f-case_status`)),
	)
	received := get(chromedp.Value(css(`#f-received_on`)))
	do(
		chromedp.SetValue(css(`#f-case_status`), records.RightsClosed),
		chromedp.SetValue(css(`#f-closed_on`), received),
		chromedp.SendKeys(css(`#f-notes`), "已电话回访"),
		chromedp.Click(css(`#save`)),
		chromedp.WaitVisible(css(`#err-case_outcome`)),
	)
	if e := get(chromedp.Text(css(`#err-case_outcome`))); !strings.Contains(e, "不能为空") {
		t.Fatalf("outcome error %q", e)
	}
	if kept := get(chromedp.Value(css(`#f-notes`))); kept != "已电话回访" {
		t.Fatalf("notes kept as %q", kept)
	}
	do(
		chromedp.SendKeys(css(`#f-case_outcome`), "用人单位已全额支付"),
		chromedp.Click(css(`#save`)),
		chromedp.WaitVisible(css(`#case-status`)),
	)
	if loc := get(chromedp.Location()); loc != caseURL {
		t.Fatalf("after closing at %s, want %s", loc, caseURL)
	}
	if st := get(chromedp.Text(css(`#case-status`))); st != records.RightsClosed {
		t.Fatalf("status %q", st)
	}
	do(
		chromedp.Navigate(srv.URL+"/services/rights?case_status=open"),
		chromedp.WaitVisible(css(`#rights-filter`)),
	)
	if body := get(chromedp.Text(css(`main`))); strings.Contains(body, "黑心砖厂有限公司") {
		t.Fatalf("a closed case listed as not closed: %q", body)
	}
}
