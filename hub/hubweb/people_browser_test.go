package hubweb_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"fieldsync/hub/access"
	"fieldsync/internal/browsertest"
	"fieldsync/internal/hubtest"
	"fieldsync/places"
	"fieldsync/report"
)

// selectByText is a script choosing the option of a select by its text (as
// a person picks 2026年11月 or a township's name), answering its value.
func selectByText(sel, text string) string {
	return fmt.Sprintf(`(function(){const s=document.querySelector(%q);for(const o of s.options){if(o.text===%q){s.value=o.value;return o.value}}return ""})()`, sel, text)
}

// A real browser at 1366×768: the dashboard shows its cards without
// scrolling; a township and last month picked by their Chinese names; a
// card opens its list with the figure's total; villages show their names.
func TestBrowserDashboardDrillDown(t *testing.T) {
	b := browsertest.New(t)
	c := newDrillCounty(t, 150)
	c.AddAdmin("alice", access.RoleViewer)
	tok := c.AdminToken("读者", access.RoleViewer)
	f := c.figures(t, tok, c.prev)
	town := biggest(f, 9)
	townName := places.LabelOf(town).Name
	gap, _ := report.DrillFigureNamed(report.FigGapMonth)
	want, _ := gap.AreaValue(f, town)
	if want == 0 {
		t.Fatalf("no one without a follow-up in %s last month: the test proves nothing", town)
	}
	do, get := b.Do, b.Get
	type css = chromedp.CSS
	do(
		chromedp.Navigate(c.URL()+"/login"),
		chromedp.WaitVisible(css(`#password`)),
		chromedp.SendKeys(css(`#user`), "alice"),
		chromedp.SendKeys(css(`#password`), hubtest.Password("alice")),
		chromedp.Click(css(`#login`)),
		chromedp.WaitVisible(css(`#logout`)),
		chromedp.Navigate(c.URL()+"/dashboard"),
		chromedp.WaitVisible(css(`#cards`)),
	)
	screenshot(t, b, "dashboard.png")
	// The cards, every one of report.DrillFigures, end above the window's
	// bottom edge, with the page at its top.
	fits := get(chromedp.Evaluate[string](`(function(){const r=document.querySelector('#cards').getBoundingClientRect();
		return String(window.scrollY===0 && r.bottom<=window.innerHeight && window.innerWidth>=1300)+" "+r.bottom+" "+window.innerHeight})()`))
	if !strings.HasPrefix(fits, "true ") {
		t.Errorf("the cards do not fit the window at 1366×768: %s", fits)
	}
	if n := get(chromedp.Evaluate[string](`String(document.querySelectorAll('#cards a.dash-card').length)`)); n != strconv.Itoa(len(report.DrillFigures)) {
		t.Errorf("%s cards, want %d", n, len(report.DrillFigures))
	}
	// Villages by name, not code (a code the division table does not know
	// shows as itself).
	named := 0
	text := get(chromedp.Text(css(`#by-village`)))
	for _, v := range f.Villages {
		if l := places.LabelOf(v.Code); l.Known {
			named++
			if strings.Contains(text, v.Code) || !strings.Contains(text, l.Name) {
				t.Errorf("village table shows %s as its code, or without its name %s", v.Code, l.Name)
			}
		}
	}
	if named == 0 {
		t.Fatal("no village the division table names: the test proves nothing")
	}
	prevTitle := report.MonthTitle(c.prev)
	if v := get(chromedp.Evaluate[string](selectByText("#month", prevTitle))); v != c.prev {
		t.Fatalf("month %s not offered: %q", prevTitle, v)
	}
	if v := get(chromedp.Evaluate[string](selectByText("#township", townName))); v != town {
		t.Fatalf("township %s not offered: %q", townName, v)
	}
	// The old page's cards lose their id, so that waiting for #cards waits
	// for the new page.
	get(chromedp.Evaluate[string](`document.querySelector('#cards').id='old-cards'`))
	do(
		chromedp.Click(css(`#show`)),
		chromedp.WaitVisible(css(`#cards`)),
	)
	if loc := get(chromedp.Location()); !strings.Contains(loc, "month="+c.prev) || !strings.Contains(loc, "township="+town) {
		t.Fatalf("after choosing: %s", loc)
	}
	if text := get(chromedp.Text(css(`#cards-title`))); !strings.Contains(text, prevTitle) || !strings.Contains(text, townName) {
		t.Errorf("cards title: %q", text)
	}
	if text := get(chromedp.Text(css(`#card-gap_month .dash-card-value`))); text != strconv.Itoa(want) {
		t.Errorf("gap card in %s: %q, want %d", townName, text, want)
	}
	do(
		chromedp.Click(css(`#card-gap_month`)),
		chromedp.WaitVisible(css(`#people`)),
	)
	heading := get(chromedp.Text(css(`h1`)))
	wantHeading := fmt.Sprintf("%s · %s · %s（%d人）", prevTitle, gap.Title, townName, want)
	if heading != wantHeading {
		t.Errorf("list heading %q, want %q", heading, wantHeading)
	}
	screenshot(t, b, "people.png")
	rows := get(chromedp.Evaluate[string](`String(document.querySelectorAll('#people tbody a[href^="/workers/"]').length)`))
	if rows != strconv.Itoa(min(want, 100)) {
		t.Errorf("%s people listed, want %d", rows, min(want, 100))
	}
	if text := get(chromedp.Text(css(`#people`))); strings.Contains(text, "150421") || !strings.Contains(text, "村民委员会") {
		t.Errorf("the list shows village codes or no names: %.200q", text)
	}
}

// screenshot saves the window as name in the folder DASH_SCREENSHOTS
// names, if it names one: a look for a person reviewing the pages.
func screenshot(t *testing.T, b *browsertest.Browser, name string) {
	t.Helper()
	dir := os.Getenv("DASH_SCREENSHOTS")
	if dir == "" {
		return
	}
	if err := os.WriteFile(filepath.Join(dir, name), []byte(b.Get(asString(chromedp.CaptureScreenshot()))), 0o644); err != nil {
		t.Fatal(err)
	}
}

// asString reads bytes from the page as a string step.
func asString(a chromedp.Action[[]byte]) chromedp.Action[string] {
	return func(ctx context.Context, t *chromedp.Target) (string, error) {
		b, err := a(ctx, t)
		return string(b), err
	}
}
