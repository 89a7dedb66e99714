package hubweb

import (
	"bytes"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strconv"

	"fieldsync/hub/access"
	"fieldsync/webkit"
)

// The frame of every administrator's page: the header (the county's name,
// the navigation with the current page marked, the administrator and the
// role, logout, the language), the error and notice banners, the footer
// (templates/layout.html "top" and "bottom", drawn with webkit's shared
// look). A handler builds it with newPage, puts its own data in Data and
// draws it with render.

// page is the data every page template gets.
type page struct {
	Hub, Title, Lang, CSRF, Error, Notice string
	Admin                                 *access.Admin
	Data                                  any
	Waiting                               int // requests waiting for the county, for the navigation
	// Nav is the navigation item the page belongs to (a hubNav key:
	// "conflicts", "workers", …); newPage picks it from the path, a
	// handler may name another.
	Nav string
	// uri is the request's, for the language switch.
	uri string
}

// hubNav is the navigation of the hub's pages, in order: key, link, text key.
var hubNav = []struct{ key, href, text string }{
	{"dashboard", "/dashboard", "nav_dashboard"},
	{"status", "/", "nav_status"},
	{"conflicts", "/conflicts", "nav_conflicts"},
	{"workers", "/workers", "nav_workers"},
	{"people", "/people", "nav_people"},
	{"programmes", "/programmes", "nav_programmes"},
	{"services", "/services", "nav_services"},
	{"requests", "/requests", "nav_joins"},
	{"stations", "/stations", "nav_stations"},
}

// navOf is the navigation item a path lies under ("" for none).
func navOf(path string) string {
	items := make([]webkit.NavItem, len(hubNav))
	for i, n := range hubNav {
		items[i] = webkit.NavItem{ID: n.key, Href: n.href}
	}
	for _, it := range webkit.MarkCurrent(items, path) {
		if it.Current {
			return it.ID
		}
	}
	return ""
}

// newPage fills the frame's data for a request.
func (h *server) newPage(r *http.Request, lang, titleKey string) page {
	p := page{Hub: h.Name(), Title: tw(lang, titleKey), Lang: lang, Nav: navOf(r.URL.Path), uri: langSwitchURI(r.URL)}
	if a, ok := access.AdminFrom(r.Context()); ok {
		p.Admin, p.CSRF = a, h.csrfToken(a)
		p.Waiting = h.waitingCount(r.Context())
	}
	p.Notice = noticeText(lang, r.URL.Query())
	return p
}

// langSwitchURI is the request's URI for the language switch: without the
// notice a redirect asked for, which was news once, not part of the page.
func langSwitchURI(u *url.URL) string {
	q := u.Query()
	q.Del("notice")
	q.Del("n")
	q.Del("failed")
	return (&url.URL{Path: u.Path, RawQuery: q.Encode()}).RequestURI()
}

// RoleName is the signed-in administrator's role in the page's language
// ("" when nobody is signed in; the role's own name when it has no text).
func (p page) RoleName() string {
	if p.Admin == nil {
		return ""
	}
	key := "role_" + string(p.Admin.Role)
	if t := tw(p.Lang, key); t != key {
		return t
	}
	return string(p.Admin.Role)
}

// Header is the page's header, drawn by webkit's "kit-header".
func (p page) Header() webkit.Header {
	hd := webkit.Header{Lang: p.Lang, Brand: p.Hub, Sub: tw(p.Lang, "hub_app"), Home: "/",
		LogoutLabel: tw(p.Lang, "logout"), LangURL: webkit.OtherLangURL(p.uri, p.Lang), LangLabel: tw(p.Lang, "lang_switch")}
	if p.Admin == nil {
		return hd
	}
	hd.User, hd.Role, hd.CSRF = p.Admin.Name, p.RoleName(), p.CSRF
	for _, n := range hubNav {
		it := webkit.NavItem{ID: "nav-" + n.key, Href: n.href, Label: tw(p.Lang, n.text), Current: n.key == p.Nav}
		if n.key == "requests" {
			it.Count, it.CountID = p.Waiting, "nav-waiting"
		}
		hd.Nav = append(hd.Nav, it)
	}
	return hd
}

// noticeText is the success banner a redirect asks for with ?notice=KEY
// (and the counts ?n= and ?failed=). The text comes from this fixed set: a
// link cannot put words of its own on a genuine hub page; an unknown key
// shows nothing.
func noticeText(lang string, q url.Values) string {
	count := func(name string) int {
		n, err := strconv.Atoi(q.Get(name))
		if err != nil || n < 0 || n > maxBulk {
			return 0
		}
		return n
	}
	switch q.Get("notice") {
	case "resolved":
		t := msg2(lang, fmt.Sprintf("已处理 %d 个冲突", count("n")), fmt.Sprintf("%d conflicts resolved", count("n")))
		if f := count("failed"); f > 0 {
			t += msg2(lang, fmt.Sprintf("；%d 个未能处理，仍在队列中", f), fmt.Sprintf("; %d could not be resolved and stay in the queue", f))
		}
		return t
	case "revoked":
		return msg2(lang, "服务站已注销", "station revoked")
	case "request_approved":
		return msg2(lang, "已批准", "approved")
	case "request_declined":
		return msg2(lang, "已拒绝", "declined")
	case "programme_saved":
		return msg2(lang, "已保存", "saved")
	}
	return ""
}

// render executes a page template into a buffer first, so that an error
// does not leave a half page.
func (h *server) render(w http.ResponseWriter, r *http.Request, t *template.Template, status int, p page) {
	var buf bytes.Buffer
	if err := t.Execute(&buf, p); err != nil {
		h.log.ErrorContext(r.Context(), "render page", "path", r.URL.Path, "err", err)
		http.Error(w, tr(p.Lang, "internal"), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}
