package stationweb

import (
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"fieldsync/internal/browsertest"
)

// TestBrowserWorklist drives the worklist in Chromium: 50 people unchanged
// since last month are confirmed from the home page in three clicks (the
// progress link, 全选未核实, 确认无变化), nothing typed; then the
// one-person mode confirms one person (无变化) and skips the next (跳过),
// each time moving on to the next person in name order.
func TestBrowserWorklist(t *testing.T) {
	b := browsertest.New(t)
	f := newFixture(t, nil)
	srv := httptest.NewServer(f.h)
	defer srv.Close()
	const n = 50
	ids := make([]string, n)
	for i := range n {
		w := workerBody(idNumber("19800101", 300+i))
		w["name"] = fmt.Sprintf("人员%02d", i)
		ids[i] = f.mustCreate("/api/workers", w)
		f.mustCreate("/api/monthly-status", map[string]any{"worker_id": ids[i], "month": "2026-10", "list_type": "就业",
			"work_scope": "本村", "employment_form": "灵活就业", "monthly_income": 2000 + i,
			"verified_by_method": "入户", "verified_by": "李四", "verified_at": "2026-10-08"})
	}
	do, get := b.Do, b.Get
	type css = chromedp.CSS
	clicks := 0
	click := func(sel string) {
		t.Helper()
		clicks++
		do(chromedp.Click(css(sel)))
	}
	do(
		chromedp.EmulateViewport(1366, 768),
		chromedp.Navigate(srv.URL+"/"),
		chromedp.WaitVisible(css(`#worklist-progress`)),
	)
	if p := get(chromedp.Text(css(`#worklist-progress`))); !strings.Contains(p, "已核实 0 / 应核实 50") {
		t.Fatalf("home progress: %q", p)
	}
	click(`#worklist-progress`)
	b.WaitURL("/worklist")
	do(chromedp.WaitVisible(css(`#wl-select-undone`)))
	click(`#wl-select-undone`)
	b.WaitURL("select=undone")
	do(chromedp.WaitVisible(css(`input.wl-undone:checked`)))
	click(`#wl-confirm`)
	b.WaitURL("/worklist/confirm")
	do(chromedp.WaitVisible(css(`#wl-confirmed`)))
	if got := get(chromedp.Text(css(`#wl-confirmed`))); got != "50" {
		t.Fatalf("confirmed %q", got)
	}
	if clicks > 3 {
		t.Fatalf("confirming %d unchanged people took %d clicks", n, clicks)
	}
	t.Logf("confirming %d unchanged people: %d clicks from the home page, nothing typed", n, clicks)
	r := f.api("GET", "/api/worklist?month=2026-11", nil)
	if r.body["done"] != float64(n) {
		t.Fatalf("worklist after: %s", r.raw)
	}
	if r = f.api("GET", "/api/lists?month=2026-11", nil); r.body["employed"] != float64(n) {
		t.Fatalf("lists after: %s", r.raw)
	}
	do(chromedp.Navigate(srv.URL+"/"), chromedp.WaitVisible(css(`#worklist-progress`)))
	if p := get(chromedp.Text(css(`#worklist-progress`))); !strings.Contains(p, "已核实 50 / 应核实 50") {
		t.Fatalf("home progress after: %q", p)
	}

	// One person per screen, December: 人员00 first; 无变化 moves to 人员01,
	// 跳过 to 人员02.
	do(chromedp.Navigate(srv.URL+"/worklist/one?month=2026-12"), chromedp.WaitVisible(css(`#wl-name`)))
	if name := get(chromedp.Text(css(`#wl-name`))); name != "人员00" {
		t.Fatalf("first person %q", name)
	}
	if phone := get(chromedp.Text(css(`#wl-phone`))); phone != "13800138000" {
		t.Fatalf("phone %q", phone)
	}
	click(`#wl-unchanged`)
	b.WaitURL("after=" + ids[0])
	do(chromedp.WaitVisible(css(`#wl-name`)))
	if name := get(chromedp.Text(css(`#wl-name`))); name != "人员01" {
		t.Fatalf("after 无变化: %q", name)
	}
	click(`#wl-skip`)
	b.WaitURL("after=" + ids[1])
	do(chromedp.WaitVisible(css(`#wl-name`)))
	if name := get(chromedp.Text(css(`#wl-name`))); name != "人员02" {
		t.Fatalf("after 跳过: %q", name)
	}
	r = f.api("GET", "/api/worklist?month=2026-12", nil)
	if r.body["done"] != float64(1) {
		t.Fatalf("December: %s", r.raw)
	}
	for _, p := range people(t, r) {
		if st, _ := p["status"].(map[string]any); st != nil && (p["worker_id"] != ids[0] || st["monthly_income"] != float64(2000)) {
			t.Fatalf("December status: %v", p)
		}
	}
}
