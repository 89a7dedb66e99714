package stationweb

import (
	"net/url"

	"fieldsync/webkit"
)

// The frame of the station's pages (templates/layout.html) is webkit's
// shared look: the header drawn by "kit-header" from the view's Header, the
// station's own navigation in it with the current page marked.

// stationNav is the station's navigation, in order: element id, link, text key.
var stationNav = []struct{ id, href, text string }{
	{"nav-home", "/", "home"},
	{"nav-workers", "/workers", "workers"},
	{"nav-new-worker", "/workers/new", "new_worker"},
	{"nav-lists", "/lists", "lists"},
	{"nav-households", "/households", "households"},
	{"nav-worklist", "/worklist", "worklist"},
	{"nav-followups-due", "/followups/due", "followups_due"},
	{"nav-gigs", "/gigs", "gigs"},
	{"nav-programmes", "/programmes", "programmes"},
	{"nav-trainings", "/services/trainings", "trainings"}, // 服务: 培训
	{"nav-ledger", "/ledger", "ledger"},
	{"nav-monthly-report", "/monthly-report", "monthly_report"},
	{"nav-import", "/import", "import"},
	{"nav-refusals", "/refusals", "refusals"},
}

// Header is the page's header: the station's name, the user, logout, the
// language and, unless a login is still needed, the navigation.
func (v *view) Header() webkit.Header {
	h := webkit.Header{Lang: v.Lang, Brand: v.T("app"), Home: "/", User: v.User, CSRF: v.CSRF,
		LogoutLabel: v.T("logout"), LangURL: v.LangURL(), LangLabel: v.T("lang_switch")}
	if v.Station != "" {
		h.Brand, h.Sub = v.Station, v.T("app")
	}
	if v.Login && v.User == "" {
		return h
	}
	for _, n := range stationNav {
		it := webkit.NavItem{ID: n.id, Href: n.href, Label: v.T(n.text)}
		if n.href == "/refusals" {
			it.Count, it.CountID = v.Refusals, "refusal-count"
		}
		h.Nav = append(h.Nav, it)
	}
	path := "/"
	if u, err := url.Parse(v.Path); err == nil {
		path = u.Path
	}
	h.Nav = webkit.MarkCurrent(h.Nav, path)
	return h
}
