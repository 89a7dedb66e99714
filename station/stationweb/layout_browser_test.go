package stationweb

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"fieldsync/internal/browsertest"
	"fieldsync/webkit"
)

// layoutProbe reads what a page's frame shows, in the browser: the brand,
// the navigation's current items, the user, whether the page scrolls
// sideways, whether every navigation link is on screen, the smallest tap
// target of the header and the header's colour (kit.css applied under the
// Content-Security-Policy).
const layoutProbe = `JSON.stringify((() => {
  const nav = document.getElementById('nav');
  const links = nav ? [...nav.querySelectorAll('a')] : [];
  const taps = [...links, ...document.querySelectorAll('#logout, #lang')];
  const text = id => { const e = document.getElementById(id); return e ? e.textContent.trim() : ''; };
  return {
    brand: text('brand'), who: text('who'),
    current: links.filter(a => a.getAttribute('aria-current') === 'page').map(a => a.id),
    scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth,
    navOnScreen: links.length > 0 && links.every(a => { const r = a.getBoundingClientRect();
      return r.width > 0 && r.height > 0 && r.left >= 0 && r.right <= window.innerWidth; }),
    minTap: taps.length ? Math.min(...taps.map(a => a.getBoundingClientRect().height)) : 0,
    topColour: getComputedStyle(document.getElementById('top')).backgroundColor,
  };
})())`

type layoutSeen struct {
	Brand       string   `json:"brand"`
	Who         string   `json:"who"`
	Current     []string `json:"current"`
	ScrollWidth int      `json:"scrollWidth"`
	InnerWidth  int      `json:"innerWidth"`
	NavOnScreen bool     `json:"navOnScreen"`
	MinTap      float64  `json:"minTap"`
	TopColour   string   `json:"topColour"`
}

// The station's pages in the shared look, in a real browser at the
// stations' 1366×768 and on a 390×844 phone: each has the header with the
// station's name, the user, the navigation with its own item marked (and
// only that one); the page never scrolls sideways (the 台账's wide table
// scrolls inside itself), the navigation stays on screen and, on the phone,
// every link and button of the header is at least 40 px tall.
func TestBrowserStationLayout(t *testing.T) {
	b := browsertest.New(t)
	f := loginFixture(t, true)
	workers := sampleYear(t, f, 12, 5)
	srv := httptest.NewServer(f.h)
	defer srv.Close()
	type css = chromedp.CSS
	do, get := b.Do, b.Get
	do(
		chromedp.EmulateViewport(390, 844),
		chromedp.Navigate(srv.URL+"/login"),
		chromedp.WaitVisible(css(`#password`)),
	)
	if s := probeLayout(t, b); s.ScrollWidth > s.InnerWidth || s.Brand == "" || len(s.Current) != 0 {
		t.Errorf("the login page on a phone: %+v", s)
	}
	do(
		chromedp.SendKeys(css(`#user`), "李四"),
		chromedp.SendKeys(css(`#password`), "correct horse"),
		chromedp.Submit(css(`#password`)),
		chromedp.WaitVisible(css(`#nav`)),
	)
	pages := []struct{ path, nav string }{
		{"/", "nav-home"},
		{"/workers", "nav-workers"},
		{"/workers/" + workers[0].Row.String(), "nav-workers"},
		{"/workers/new", "nav-new-worker"},
		{"/lists", "nav-lists"},
		{"/households", "nav-households"},
		{"/worklist", "nav-worklist"},
		{"/followups/due", "nav-followups-due"},
		{"/gigs", "nav-gigs"},
		{"/ledger", "nav-ledger"},
		{"/monthly-report", "nav-monthly-report"},
		{"/import", "nav-import"},
		{"/refusals", "nav-refusals"},
		{"/services", "nav-services"},
		{"/services/returns", "nav-services"},
	}
	for _, size := range []struct{ w, h int64 }{{1366, 768}, {390, 844}} {
		do(chromedp.EmulateViewport(size.w, size.h))
		for _, p := range pages {
			do(chromedp.Navigate(srv.URL+p.path), chromedp.WaitVisible(css(`#version`)))
			if loc := get(chromedp.Location()); !strings.HasSuffix(loc, p.path) {
				t.Fatalf("%s went to %s", p.path, loc)
			}
			s := probeLayout(t, b)
			at := func(what string) { t.Errorf("%s at %d×%d: %s: %+v", p.path, size.w, size.h, what, s) }
			if s.Brand != f.cfg.Name+" 就业服务站" || s.Who != "李四" {
				at("not the station's brand or user")
			}
			if len(s.Current) != 1 || s.Current[0] != p.nav {
				at("the current item is not " + p.nav)
			}
			if s.ScrollWidth > s.InnerWidth {
				at("the page scrolls sideways")
			}
			if !s.NavOnScreen {
				at("a navigation link is off screen")
			}
			if size.w < 600 && s.MinTap < 40 {
				at("a tap target under 40 px")
			}
			if s.TopColour != "rgb(179, 38, 30)" {
				at("the header is not in the kit's colour (kit.css not applied?)")
			}
		}
	}
}

func probeLayout(t *testing.T, b *browsertest.Browser) layoutSeen {
	t.Helper()
	var s layoutSeen
	if err := json.Unmarshal([]byte(b.Get(chromedp.Evaluate[string](layoutProbe))), &s); err != nil {
		t.Fatal(err)
	}
	return s
}

// The kit's stylesheet is served before login as CSS under the same
// Content-Security-Policy, and every page links it before the station's own.
func TestKitStylesheetServed(t *testing.T) {
	f := loginFixture(t, true)
	res := f.api("GET", webkit.StylesheetPath, nil)
	if res.status != http.StatusOK || res.header.Get("Content-Type") != "text/css; charset=utf-8" ||
		res.header.Get("Content-Security-Policy") != webkit.ContentSecurityPolicy || !strings.Contains(res.raw, ".kit-nav") {
		t.Fatalf("GET %s: %d %q %q", webkit.StylesheetPath, res.status, res.header.Get("Content-Type"), res.header.Get("Content-Security-Policy"))
	}
	login := f.api("GET", "/login", nil)
	kit, own := strings.Index(login.raw, `href="/static/kit.css"`), strings.Index(login.raw, `href="/static/style.css"`)
	if kit < 0 || own < kit {
		t.Errorf("the login page links kit.css at %d, style.css at %d", kit, own)
	}
}
