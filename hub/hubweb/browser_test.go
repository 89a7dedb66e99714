package hubweb_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"fieldsync/hub"
	"fieldsync/hub/access"
	"fieldsync/internal/browsertest"
	"fieldsync/internal/hubtest"
)

// A real browser: the status page sends it to the login form; a wrong
// password is refused with the Chinese message; the right one shows the
// status page with the stations; logging out (a form with its CSRF token)
// leads back to the login form, and the status page asks for a login again.
func TestBrowserLogin(t *testing.T) {
	b := browsertest.New(t)
	h := hubtest.NewAccessServer(t, "http", hub.Options{})
	h.Enroll("乌兰花镇站")
	h.AddAdmin("alice", access.RoleViewer)
	do, get := b.Do, b.Get
	type css = chromedp.CSS
	do(
		chromedp.Navigate(h.URL()+"/"),
		chromedp.WaitVisible(css(`#password`)),
		chromedp.SendKeys(css(`#user`), "alice"),
		chromedp.SendKeys(css(`#password`), "not the password"),
		chromedp.Click(css(`#login`)),
		chromedp.WaitVisible(css(`#error`)),
	)
	if msg := get(chromedp.Text(css(`#error`))); !strings.Contains(msg, "用户名或密码错误") {
		t.Fatalf("wrong password: %q", msg)
	}
	do(
		chromedp.SendKeys(css(`#password`), hubtest.Password("alice")),
		chromedp.Click(css(`#login`)),
		chromedp.WaitVisible(css(`#stations`)),
	)
	if text := get(chromedp.Text(css(`#stations`))); !strings.Contains(text, "乌兰花镇站") {
		t.Fatalf("status page: %q", text)
	}
	do(
		chromedp.Click(css(`#logout`)),
		chromedp.WaitVisible(css(`#password`)),
		chromedp.Navigate(h.URL()+"/"),
		chromedp.WaitVisible(css(`#password`)),
	)
	if loc := get(chromedp.Location()); !strings.HasSuffix(loc, "/login") {
		t.Fatalf("after logout, / goes to %s", loc)
	}
}
