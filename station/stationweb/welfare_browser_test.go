package stationweb

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"fieldsync/internal/browsertest"
	"fieldsync/records"
	"fieldsync/station"
)

// TestBrowserWelfarePlacement drives the real UI: staff make a welfare
// post choosing its village with the place picker, find a person on the
// post's page and place them; a contract of a year and a day is refused on
// contract_end, in Chinese, naming the last day allowed, and the form keeps
// what was typed; a year less a day is accepted and the placement's page
// shows it; an assessment of a month outside the term is refused on month.
func TestBrowserWelfarePlacement(t *testing.T) {
	b := browsertest.New(t)
	f := newFixture(t, nil)
	srv := httptest.NewServer(f.h)
	defer srv.Close()
	ctx := context.Background()
	if _, err := f.st.CreateWorker(ctx, records.Worker{IDNumber: idNumber("19580808", 41), Name: "其木格",
		Ethnicity: "蒙古族", HukouVillage: "150421100207", Education: "小学及以下", LabourAbility: "弱劳动力或半劳动力",
		Tags: []string{records.TagLifted, "残疾"}}); err != nil {
		t.Fatal(err)
	}

	const village = "150421100207" // 东双山村民委员会
	do, get := b.Do, b.Get
	type css = chromedp.CSS
	do(
		chromedp.EmulateViewport(1366, 768),
		chromedp.Navigate(srv.URL+"/programmes/welfare"),
		chromedp.WaitVisible(css(`#new-post`)),
		chromedp.Click(css(`#new-post`)),
		chromedp.WaitReady(css(`input[type="hidden"][name="village"]`)),
		chromedp.SendKeys(css(`#f-name`), "护林员"),
		chromedp.SendKeys(css(`#f-village`), "东双山"),
		chromedp.WaitVisible(css(`#places-village li[data-code="`+village+`"]`)),
		chromedp.Click(css(`#places-village li[data-code="`+village+`"]`)),
		chromedp.WaitNotVisible(css(`#places-village`)),
		chromedp.SetValue(css(`#f-kind`), "护林防火"),
		chromedp.SendKeys(css(`#f-headcount`), "3"),
		chromedp.SendKeys(css(`#f-subsidy`), "600"),
		chromedp.SendKeys(css(`#f-employer`), "东双山村民委员会"),
		chromedp.Click(css(`#save`)),
		chromedp.WaitVisible(css(`#welfare-post`)),
	)
	if text := get(chromedp.Text(css(`#welfare-post`))); !strings.Contains(text, "东双山村民委员会") || !strings.Contains(text, "3 / 0") {
		t.Fatalf("post page: %q", text)
	}
	postURL := get(chromedp.Location())
	do(
		chromedp.SendKeys(css(`#person-q`), "其木格"),
		chromedp.Click(css(`#find-person`)),
	)
	waitLocation(t, b, "q=")
	do(
		chromedp.WaitVisible(css(`#found a.place-person`)),
		chromedp.Click(css(`#found a.place-person`)),
		chromedp.WaitVisible(css(`#f-contract_end`)),
		chromedp.SetValue(css(`#f-contract_kind`), "劳务协议"),
		chromedp.SetValue(css(`#f-contract_start`), "2026-03-01"),
		chromedp.SetValue(css(`#f-contract_end`), "2027-03-01"),
		chromedp.SetValue(css(`#f-insurance_kind`), "人身意外伤害保险"),
		chromedp.SendKeys(css(`#f-insurance_policy`), "PA2026-001"),
		chromedp.SetValue(css(`#f-insurance_start`), "2026-03-01"),
		chromedp.SetValue(css(`#f-insurance_end`), "2027-03-01"),
		chromedp.Click(css(`#save`)),
		chromedp.WaitVisible(css(`#err-contract_end`)),
	)
	if title := get(chromedp.Text(css(`h1`))); !strings.Contains(title, "其木格") || !strings.Contains(title, "护林员") {
		t.Fatalf("placement form title %q", title)
	}
	errText := get(chromedp.Text(css(`#err-contract_end`)))
	if !strings.Contains(errText, "合同结束日期超过1年") || !strings.Contains(errText, "2027-02-28") {
		t.Fatalf("contract_end error %q", errText)
	}
	if kept := get(chromedp.Value(css(`#f-insurance_policy`))); kept != "PA2026-001" {
		t.Fatalf("policy kept as %q", kept)
	}
	if n := placementsOf(t, f); n != 0 {
		t.Fatalf("%d placements after the refusal", n)
	}
	do(
		chromedp.SetValue(css(`#f-contract_end`), "2027-02-28"),
		chromedp.Click(css(`#save`)),
		chromedp.WaitVisible(css(`#placement-term`)),
	)
	if term := get(chromedp.Text(css(`#placement-term`))); term != "2026-03-01 – 2027-02-28" {
		t.Fatalf("placement term %q", term)
	}
	if n := placementsOf(t, f); n != 1 {
		t.Fatalf("%d placements, want 1", n)
	}
	// An assessment outside the term is refused on its month; one inside is kept.
	do(
		chromedp.SetValue(css(`#f-month`), "2027-03"),
		chromedp.SetValue(css(`#f-result`), "合格"),
		chromedp.Click(css(`#save-assessment`)),
		chromedp.WaitVisible(css(`#err-month`)),
	)
	if e := get(chromedp.Text(css(`#err-month`))); !strings.Contains(e, "不在岗位安置期内") {
		t.Fatalf("month error %q", e)
	}
	do(
		chromedp.SetValue(css(`#f-month`), "2026-11"),
		chromedp.SetValue(css(`#f-result`), "优秀"),
		chromedp.Click(css(`#save-assessment`)),
		chromedp.WaitVisible(css(`#assessments`)),
	)
	if text := get(chromedp.Text(css(`#assessments`))); !strings.Contains(text, "2026-11") || !strings.Contains(text, "优秀") {
		t.Fatalf("assessments %q", text)
	}
	// The post counts the person placed today.
	do(
		chromedp.Navigate(postURL),
		chromedp.WaitVisible(css(`#post-placed`)),
	)
	if placed := get(chromedp.Text(css(`#post-placed`))); placed != "3 / 1" {
		t.Fatalf("post's headcount / placed: %q", placed)
	}
}

// waitLocation waits until the page's address holds part (a form's GET
// navigated), polling the browser.
func waitLocation(t *testing.T, b *browsertest.Browser, part string) {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); ; {
		if loc, err := b.TryGet(chromedp.Location()); err == nil && strings.Contains(loc, part) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the page did not reach %q", part)
		}
		time.Sleep(20 * time.Millisecond) // polling the browser, not synchronisation
	}
}

func placementsOf(t *testing.T, f *fixture) int {
	t.Helper()
	ps, err := f.st.WelfarePlacements(context.Background(), station.PlacementQuery{})
	if err != nil {
		t.Fatal(err)
	}
	return len(ps)
}
