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

// A real browser makes a county welfare post on /programmes/welfare's form
// (the village typed as its code in the place picker): the page comes back
// with 已保存 and the post listed as the county's; a headcount of 三 comes
// back refused, naming 岗位人数, with the values typed kept.
func TestBrowserCountyPost(t *testing.T) {
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
		chromedp.Navigate(c.URL()+"/programmes/welfare"),
		chromedp.WaitVisible(css(`#save-welfare_posts`)),
		chromedp.SendKeys(css(`#welfare_posts-name`), "浏览器岗位"),
		chromedp.SendKeys(css(`#welfare_posts-village`), villageB),
		chromedp.SetValue(css(`#welfare_posts-kind`), "治安协管"),
		chromedp.SendKeys(css(`#welfare_posts-headcount`), "三"),
		chromedp.SendKeys(css(`#welfare_posts-subsidy`), "480"),
		chromedp.SendKeys(css(`#welfare_posts-employer`), "某某苏木"),
		chromedp.Click(css(`#save-welfare_posts-button`)),
		chromedp.WaitVisible(css(`#form-error`)),
	)
	if msg := get(chromedp.Text(css(`#form-error`))); !strings.Contains(msg, "岗位人数") {
		t.Errorf("headcount 三: %q", msg)
	}
	if v := get(chromedp.Value(css(`#welfare_posts-employer`))); v != "某某苏木" {
		t.Errorf("the employer typed is lost: %q", v)
	}
	do(
		chromedp.SetValue(css(`#welfare_posts-headcount`), "3"),
		chromedp.Click(css(`#save-welfare_posts-button`)),
		chromedp.WaitVisible(css(`#notice`)),
	)
	text := get(chromedp.Text(css(`#posts`)))
	if !strings.Contains(text, "浏览器岗位") || !strings.Contains(text, "治安协管") {
		t.Errorf("posts after saving: %q", text)
	}
	var station string
	if err := c.Hub.Replica().DB().QueryRow(`SELECT station FROM welfare_posts WHERE name = '浏览器岗位' AND village = ?`,
		villageB).Scan(&station); err != nil || station != "县级" {
		t.Errorf("the post saved: %q %v", station, err)
	}
}
