package stationweb

import (
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"fieldsync/internal/browsertest"
)

// TestBrowserVoidFollowup drives 作废 in Chromium: a person's overdue
// follow-up is on the due list; on the person's page its 作废 link asks the
// reason, and once saved the follow-up is marked 已作废 with the reason,
// still in the history, and the person is gone from the due list and the
// home page's count.
func TestBrowserVoidFollowup(t *testing.T) {
	b := browsertest.New(t)
	f := newFixture(t, nil)
	srv := httptest.NewServer(f.h)
	defer srv.Close()
	w := workerBody(idNumber("19800101", 51))
	w["name"] = "乌日娜"
	wid := f.mustCreate("/api/workers", w)
	fid := f.mustCreate("/api/followups", map[string]any{"worker_id": wid, "date": "2026-11-01", "method": "电话",
		"service_type": "岗位推荐", "content": "推荐到枸杞园", "next_due": "2026-11-10", "staff": "李四"})
	do, get := b.Do, b.Get
	type css = chromedp.CSS
	do(chromedp.EmulateViewport(1366, 768), chromedp.Navigate(srv.URL+"/followups/due"),
		chromedp.WaitVisible(css(`#followups-due`)))
	if got := get(chromedp.Text(css(`#followups-due`))); !strings.Contains(got, "乌日娜") {
		t.Fatalf("not due before: %q", got)
	}
	// From the due list to the person, then 作废 on the follow-up.
	do(chromedp.Click(css(`#followups-due a[href="/workers/` + wid + `"]`)))
	b.WaitURL("/workers/" + wid)
	do(chromedp.WaitVisible(css(`#followups a.void`)))
	do(chromedp.Click(css(`#followups a.void`)))
	b.WaitURL("/records/followups/" + fid + "/void")
	do(chromedp.WaitVisible(css(`#f-void_reason`)))
	// Saved without a reason: the form says which field, in Chinese.
	do(chromedp.Click(css(`#save`)), chromedp.WaitVisible(css(`#err-void_reason`)))
	if msg := get(chromedp.Text(css(`#err-void_reason`))); !strings.Contains(msg, "作废原因") {
		t.Fatalf("error without the field's name: %q", msg)
	}
	do(chromedp.SendKeys(css(`#f-void_reason`), "录错人"), chromedp.Click(css(`#save`)))
	b.WaitURL("/workers/" + wid)
	do(chromedp.WaitVisible(css(`#followups tr.voided`)))
	row := get(chromedp.Text(css(`#followups tr.voided`)))
	if !strings.Contains(row, "已作废：录错人") || !strings.Contains(row, "2026-11-15") || !strings.Contains(row, "推荐到枸杞园") {
		t.Fatalf("the void follow-up's row: %q", row)
	}
	do(chromedp.Navigate(srv.URL+"/followups/due"), chromedp.WaitVisible(css(`#due-none`)))
	do(chromedp.Navigate(srv.URL+"/"), chromedp.WaitVisible(css(`a#followups-due`)))
	if n := get(chromedp.Text(css(`a#followups-due`))); n != "0" {
		t.Fatalf("home page's due count: %q", n)
	}
	if r := f.api("GET", "/api/workers/"+wid, nil); len(r.body["followups"].([]any)) != 1 {
		t.Fatalf("the follow-up left the history: %s", r.raw)
	}
}
