package hubweb_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"fieldsync/hub/access"
	"fieldsync/internal/browsertest"
	"fieldsync/internal/hubtest"
)

// A real browser opens 就业服务 from the navigation, goes to 招聘活动 and
// makes a county job fair on its form: 12 agreements from 10 attendees
// come back refused, naming 达成意向人数, with the values typed kept; 8
// are saved, and the page comes back with 已保存 and the fair listed as the
// county's, next to 站A's.
func TestBrowserCountyJobFair(t *testing.T) {
	b := browsertest.New(t)
	c := newServiceCounty(t)
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
		chromedp.Click(css(`#nav-services`)),
		chromedp.WaitVisible(css(`#counts`)),
		chromedp.Click(css(`#service-tabs a[href="/services/job-fairs"]`)),
		chromedp.WaitVisible(css(`#save-job_fairs`)),
		chromedp.SendKeys(css(`#job_fairs-title`), "县级大龄专场招聘会"),
		chromedp.SetValue(css(`#job_fairs-fair_kind`), "大龄专场"),
		chromedp.SetValue(css(`#job_fairs-held_on`), c.first),
		chromedp.SendKeys(css(`#job_fairs-place`), "旗政务服务大厅"),
		chromedp.SendKeys(css(`#job_fairs-attendees`), "10"),
		chromedp.SendKeys(css(`#job_fairs-agreements`), "12"),
		chromedp.Click(css(`#save-job_fairs-button`)),
		chromedp.WaitVisible(css(`#form-error`)),
	)
	if msg := get(chromedp.Text(css(`#form-error`))); !strings.Contains(msg, "达成意向人数") {
		t.Errorf("12 agreements of 10 attendees: %q", msg)
	}
	if v := get(chromedp.Value(css(`#job_fairs-place`))); v != "旗政务服务大厅" {
		t.Errorf("the place typed is lost: %q", v)
	}
	do(
		chromedp.SetValue(css(`#job_fairs-agreements`), "8"),
		chromedp.Click(css(`#save-job_fairs-button`)),
		chromedp.WaitVisible(css(`#notice`)),
	)
	text := get(chromedp.Text(css(`#fairs`)))
	if !strings.Contains(text, "县级大龄专场招聘会") || !strings.Contains(text, "春风行动专场") {
		t.Errorf("job fairs after saving: %q", text)
	}
	var station, kind string
	var agreements int
	if err := c.Hub.Replica().DB().QueryRow(`SELECT station, fair_kind, agreements FROM job_fairs WHERE title = '县级大龄专场招聘会'`).
		Scan(&station, &kind, &agreements); err != nil || station != "县级" || kind != "大龄专场" || agreements != 8 {
		t.Errorf("the fair saved: %q %q %d %v", station, kind, agreements, err)
	}
	if fits := get(chromedp.Evaluate[string](`String(document.documentElement.scrollWidth <= window.innerWidth)`)); fits != "true" {
		t.Error("the page scrolls sideways")
	}
}
