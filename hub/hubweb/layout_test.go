package hubweb

import (
	"net/url"
	"testing"

	"fieldsync/hub/access"
	"fieldsync/webkit"
)

func TestNavOf(t *testing.T) {
	for _, c := range []struct{ path, want string }{
		{"/", "status"},
		{"/dashboard", "dashboard"},
		{"/conflicts", "conflicts"},
		{"/conflicts/12", "conflicts"},
		{"/workers/0a1b", "workers"},
		{"/people", "people"},
		{"/requests", "requests"},
		{"/stations", "stations"},
		{"/stations/站A/sheet", "stations"},
		{"/login", ""},
		{"/conflictsx", ""},
	} {
		if got := navOf(c.path); got != c.want {
			t.Errorf("navOf(%q) = %q, want %q", c.path, got, c.want)
		}
	}
}

// Every role has its name in both languages: the header never shows a
// role's code.
func TestRoleNames(t *testing.T) {
	for _, r := range access.Roles() {
		for _, lang := range []string{"zh", "en"} {
			p := page{Lang: lang, Admin: &access.Admin{Name: "a", Role: r}}
			if got := p.RoleName(); got == "" || got == string(r) {
				t.Errorf("role %s has no %s name", r, lang)
			}
		}
	}
	if got := (page{Lang: "zh", Admin: &access.Admin{Role: access.RoleOwner}}).RoleName(); got != "管理员" {
		t.Errorf("the owner is %q", got)
	}
}

// The header: the navigation only for a signed-in administrator, the
// page's item marked, the waiting count on 加入请求; the language switch
// keeps the page and its query but not a one-time notice.
func TestPageHeader(t *testing.T) {
	if h := (page{Hub: "四子王旗", Lang: "zh"}).Header(); h.Nav != nil || h.User != "" || h.Brand != "四子王旗" {
		t.Errorf("no one signed in: %+v", h)
	}
	p := page{Hub: "四子王旗", Lang: "zh", CSRF: "tok", Waiting: 2, Nav: "workers",
		Admin: &access.Admin{Name: "alice", Role: access.RoleViewer}}
	p.uri = langSwitchURI(&url.URL{Path: "/workers", RawQuery: "q=%E5%B7%B4&notice=resolved&n=3"})
	h := p.Header()
	if h.User != "alice" || h.Role != "查看员" || h.CSRF != "tok" || h.LangURL != "/workers?lang=en&q=%E5%B7%B4" {
		t.Errorf("header: %+v", h)
	}
	var current []string
	var waiting webkit.NavItem
	for _, it := range h.Nav {
		if it.Current {
			current = append(current, it.ID)
		}
		if it.Href == "/requests" {
			waiting = it
		}
	}
	if len(h.Nav) != len(hubNav) || len(current) != 1 || current[0] != "nav-workers" {
		t.Errorf("navigation %+v, current %v", h.Nav, current)
	}
	if waiting.Count != 2 || waiting.CountID != "nav-waiting" || waiting.Label != "加入请求" {
		t.Errorf("加入请求: %+v", waiting)
	}
}
