package hubweb_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"fieldsync/hub"
	"fieldsync/hub/access"
	"fieldsync/internal/browsertest"
	"fieldsync/internal/hubtest"
	"fieldsync/webkit"
)

// layoutProbe reads what a page's frame shows, in the browser: the brand,
// the navigation's current items, the user and role, whether the page
// scrolls sideways, whether every navigation link is on screen, the
// smallest tap target of the header and the header's colour (kit.css
// applied under the Content-Security-Policy).
const layoutProbe = `JSON.stringify((() => {
  const nav = document.getElementById('nav');
  const links = nav ? [...nav.querySelectorAll('a')] : [];
  const taps = [...links, ...document.querySelectorAll('#logout, #lang')];
  const text = id => { const e = document.getElementById(id); return e ? e.textContent.trim() : ''; };
  return {
    brand: text('brand'), who: text('who'), role: text('role'), links: links.map(a => a.id),
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
	Role        string   `json:"role"`
	Links       []string `json:"links"`
	Current     []string `json:"current"`
	ScrollWidth int      `json:"scrollWidth"`
	InnerWidth  int      `json:"innerWidth"`
	NavOnScreen bool     `json:"navOnScreen"`
	MinTap      float64  `json:"minTap"`
	TopColour   string   `json:"topColour"`
}

func probeLayout(t *testing.T, b *browsertest.Browser) layoutSeen {
	t.Helper()
	var s layoutSeen
	if err := json.Unmarshal([]byte(b.Get(chromedp.Evaluate[string](layoutProbe))), &s); err != nil {
		t.Fatal(err)
	}
	return s
}

// The hub's pages in the one layout, in a real browser at 1366×768 and on a
// 390×844 phone: the login page, then the conflict queue and a conflict,
// the worker search and a worker, the join requests, the stations and a
// station each show the header with the county's name, the administrator
// with the role in Chinese, the whole navigation (看板 … 帮扶项目 … 服务站管理) with the
// page's own item marked (and only that one); the page never scrolls
// sideways, the navigation stays on screen and, on the phone, every link and
// button of the header is at least 40 px tall.
func TestBrowserHubLayout(t *testing.T) {
	b := browsertest.New(t)
	h, _, _, wid, cid := phoneConflict(t)
	h.AddAdmin("resolver1", access.RoleResolver)
	type css = chromedp.CSS
	do, get := b.Do, b.Get
	brand := h.Hub.Name() + " 就业服务县级平台"
	do(
		chromedp.EmulateViewport(390, 844),
		chromedp.Navigate(h.URL()+"/login"),
		chromedp.WaitVisible(css(`#password`)),
	)
	if s := probeLayout(t, b); s.ScrollWidth > s.InnerWidth || s.Brand != brand || len(s.Links) != 0 || s.TopColour != "rgb(179, 38, 30)" {
		t.Errorf("the login page on a phone: %+v", s)
	}
	do(
		chromedp.SendKeys(css(`#user`), "resolver1"),
		chromedp.SendKeys(css(`#password`), hubtest.Password("resolver1")),
		chromedp.Click(css(`#login`)),
		chromedp.WaitVisible(css(`#version`)),
	)
	allNav := []string{"nav-dashboard", "nav-status", "nav-conflicts", "nav-workers", "nav-people", "nav-programmes", "nav-services", "nav-requests", "nav-stations"}
	pages := []struct{ path, nav string }{
		{"/conflicts", "nav-conflicts"},
		{fmt.Sprintf("/conflicts/%d", cid), "nav-conflicts"},
		{"/workers?q=" + url.QueryEscape("娜仁"), "nav-workers"},
		{"/workers/" + wid.String(), "nav-workers"},
		{"/requests", "nav-requests"},
		{"/stations", "nav-stations"},
		{"/stations/" + url.PathEscape("站A"), "nav-stations"},
	}
	for _, size := range []struct{ w, h int64 }{{1366, 768}, {390, 844}} {
		do(chromedp.EmulateViewport(size.w, size.h))
		for _, p := range pages {
			do(chromedp.Navigate(h.URL()+p.path), chromedp.WaitVisible(css(`#version`)))
			if loc := get(chromedp.Location()); !strings.HasSuffix(loc, p.path) {
				t.Fatalf("%s went to %s", p.path, loc)
			}
			s := probeLayout(t, b)
			at := func(what string) { t.Errorf("%s at %d×%d: %s: %+v", p.path, size.w, size.h, what, s) }
			if s.Brand != brand || s.Who != "resolver1 处理员" || s.Role != "处理员" {
				at("not the county's name, or not the user with the role")
			}
			if strings.Join(s.Links, " ") != strings.Join(allNav, " ") {
				at("not the hub's navigation")
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
	// The language switch keeps the page and its query.
	do(
		chromedp.Navigate(h.URL()+"/workers?q="+url.QueryEscape("娜仁")),
		chromedp.WaitVisible(css(`#lang`)),
		chromedp.Click(css(`#lang`)),
		chromedp.WaitVisible(css(`#version`)),
	)
	if s := probeLayout(t, b); !strings.Contains(get(chromedp.Location()), "q=") || s.Role != "Resolver" || len(s.Current) != 1 || s.Current[0] != "nav-workers" {
		t.Errorf("after switching to English: %s %+v", get(chromedp.Location()), s)
	}
}

// The kit's stylesheet is served before login as CSS under the same
// Content-Security-Policy, and the pages link it before the hub's own.
func TestKitStylesheetServed(t *testing.T) {
	h := hubtest.NewAccessServer(t, "http", hub.Options{})
	resp, err := h.Client().Get(h.URL() + webkit.StylesheetPath)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "text/css; charset=utf-8" ||
		resp.Header.Get("Content-Security-Policy") != webkit.ContentSecurityPolicy {
		t.Fatalf("GET %s: %s %q %q", webkit.StylesheetPath, resp.Status, resp.Header.Get("Content-Type"), resp.Header.Get("Content-Security-Policy"))
	}
	_, _, login := hubtest.Page(t, h.Client(), h.URL()+"/login")
	v := h.LoggedIn("viewer1", access.RoleViewer)
	_, _, queue := hubtest.Page(t, v, h.URL()+"/conflicts")
	for name, body := range map[string]string{"/login": login, "/conflicts": queue} {
		kit, own := strings.Index(body, `href="/static/kit.css"`), strings.Index(body, `href="/static/hub.css"`)
		if kit < 0 || own < kit {
			t.Errorf("%s links kit.css at %d, hub.css at %d", name, kit, own)
		}
	}
	if !strings.Contains(queue, `id="nav-conflicts" href="/conflicts" aria-current="page"`) || !strings.Contains(queue, `<span class="kit-role" id="role">查看员</span>`) {
		t.Errorf("the queue's header does not mark its item or name the role:\n%s", queue)
	}
}
