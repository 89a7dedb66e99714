package hubweb_test

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"fieldsync/hub/access"
	"fieldsync/internal/browsertest"
	"fieldsync/internal/hubtest"
)

// A real browser opens the 应退出 list from the navigation's 帮扶项目: the
// two part-time workers above the line, with their income and its source,
// the note that no age or disability limit applies, the export link; the
// page does not scroll sideways. Choosing township B and 查看 leaves its
// one person.
func TestBrowserProgrammeExits(t *testing.T) {
	b := browsertest.New(t)
	c := newProgrammeCounty(t)
	c.AddAdmin("resolver1", access.RoleResolver)
	type css = chromedp.CSS
	do, get := b.Do, b.Get
	do(
		chromedp.Navigate(c.URL()+"/login"),
		chromedp.WaitVisible(css(`#password`)),
		chromedp.SendKeys(css(`#user`), "resolver1"),
		chromedp.SendKeys(css(`#password`), hubtest.Password("resolver1")),
		chromedp.Click(css(`#login`)),
		chromedp.WaitVisible(css(`#version`)),
		chromedp.Click(css(`#nav-programmes`)),
		chromedp.WaitVisible(css(`#counts`)),
		chromedp.Navigate(c.URL()+"/programmes/welfare/exits"),
		chromedp.WaitVisible(css(`#exits`)),
	)
	text := get(chromedp.Text(css(`#exits`)))
	for _, want := range []string{"甲应退", "丙应退", "考核记录", "月度状态"} {
		if !strings.Contains(text, want) {
			t.Errorf("the 应退出 list misses %s: %q", want, text)
		}
	}
	for _, not := range []string{"乙在线", "丁全日", "戊考核", "己岗位"} {
		if strings.Contains(text, not) {
			t.Errorf("the 应退出 list shows %s", not)
		}
	}
	if note := get(chromedp.Text(css(`#note`))); !strings.Contains(note, "不因年龄或残疾人身份另设限制") {
		t.Errorf("note %q", note)
	}
	if href := get(chromedp.Evaluate[string](`document.querySelector('#export-xlsx').getAttribute('href')`)); !strings.HasPrefix(href, "/programmes/welfare/exits.xlsx?month=") {
		t.Errorf("export link %q", href)
	}
	if fits := get(chromedp.Evaluate[string](`String(document.documentElement.scrollWidth <= window.innerWidth)`)); fits != "true" {
		t.Error("the page scrolls sideways")
	}
	do(
		chromedp.SetValue(css(`#township`), townB),
		chromedp.Click(css(`#show`)),
	)
	hubtest.WaitFor(t, 10*time.Second, "township B's list", func() bool {
		loc, err := b.TryGet(chromedp.Location())
		if err != nil || !strings.Contains(loc, "township="+townB) {
			return false
		}
		text, err := b.TryGet(chromedp.Text(css(`#exits`)))
		return err == nil && strings.Contains(text, "丙应退") && !strings.Contains(text, "甲应退")
	})
}
