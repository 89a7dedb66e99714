package webkit

import (
	"bytes"
	"html/template"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
)

// The stylesheet is served as CSS, revalidated with its ETag (304 when the
// browser has it), and holds the header's classes.
func TestStylesheet(t *testing.T) {
	srv := httptest.NewServer(Stylesheet())
	defer srv.Close()
	resp, err := http.Get(srv.URL + StylesheetPath)
	if err != nil {
		t.Fatal(err)
	}
	var body bytes.Buffer
	_, _ = body.ReadFrom(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "text/css; charset=utf-8" {
		t.Fatalf("kit.css: %s %q", resp.Status, resp.Header.Get("Content-Type"))
	}
	for _, want := range []string{".kit-top", ".kit-nav", `[aria-current="page"]`, "@media (max-width: 40em)", "p.error"} {
		if !strings.Contains(body.String(), want) {
			t.Errorf("kit.css has no %s", want)
		}
	}
	tag := resp.Header.Get("ETag")
	req, _ := http.NewRequest("GET", srv.URL+StylesheetPath, nil)
	req.Header.Set("If-None-Match", tag)
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if tag == "" || resp.StatusCode != http.StatusNotModified {
		t.Errorf("revalidating with ETag %q: %s", tag, resp.Status)
	}
}

func TestMarkCurrent(t *testing.T) {
	nav := func() []NavItem {
		return []NavItem{{Href: "/"}, {Href: "/workers"}, {Href: "/workers/new"}, {Href: "/lists"}, {Href: "/followups/due"}}
	}
	for _, c := range []struct{ path, want string }{
		{"/", "/"},
		{"/workers", "/workers"},
		{"/workers/7f3a/edit", "/workers"},
		{"/workers/new", "/workers/new"},
		{"/listsx", ""},
		{"/followups/due", "/followups/due"},
		{"/backup", ""},
	} {
		got := ""
		n := 0
		for _, it := range MarkCurrent(nav(), c.path) {
			if it.Current {
				got = it.Href
				n++
			}
		}
		if got != c.want || n > 1 {
			t.Errorf("%s marks %q (%d items), want %q", c.path, got, n, c.want)
		}
	}
}

func TestOtherLangURL(t *testing.T) {
	for _, c := range []struct{ uri, lang, want string }{
		{"/conflicts?status=open", "zh", "/conflicts?lang=en&status=open"},
		{"/workers?lang=en&q=%E5%B7%B4", "en", "/workers?lang=zh&q=%E5%B7%B4"},
		{"/", "zh", "/?lang=en"},
		{"//evil.example/x", "zh", "/?lang=en"},
		{"%zz", "zh", "/?lang=en"},
	} {
		if got := OtherLangURL(c.uri, c.lang); got != c.want {
			t.Errorf("OtherLangURL(%q, %q) = %q, want %q", c.uri, c.lang, got, c.want)
		}
	}
}

// The header draws the brand, the user with the role, logout with its token,
// the language switch and the navigation with the current item marked and a
// waiting count; without a user there is no logout form; nothing inline.
func TestHeaderTemplate(t *testing.T) {
	tmpl := template.Must(template.New("h").Parse(HeaderTemplate()))
	h := Header{Lang: "zh", Brand: "四子王旗", Sub: "县级平台", Home: "/", User: "alice", Role: "查看员",
		CSRF: "tok", LogoutLabel: "退出登录", LangURL: "/?lang=en", LangLabel: "English",
		Nav: MarkCurrent([]NavItem{{ID: "nav-a", Href: "/a", Label: "甲"}, {ID: "nav-b", Href: "/b", Label: "乙", Count: 3, CountID: "nav-waiting"}}, "/b/1")}
	var out bytes.Buffer
	if err := tmpl.ExecuteTemplate(&out, "kit-header", h); err != nil {
		t.Fatal(err)
	}
	page := out.String()
	for _, want := range []string{`id="top"`, "四子王旗", `id="who">alice <span class="kit-role" id="role">查看员</span>`,
		`name="csrf" value="tok"`, `id="logout"`, `href="/?lang=en"`, `aria-label="主导航"`,
		`<a id="nav-a" href="/a">甲</a>`, `<a id="nav-b" href="/b" aria-current="page">乙 <span class="count" id="nav-waiting">3</span></a>`} {
		if !strings.Contains(page, want) {
			t.Errorf("header has no %s:\n%s", want, page)
		}
	}
	if m := regexp.MustCompile(`(?i)<script|<style|\sstyle=|\son[a-z]+=`).FindString(page); m != "" {
		t.Errorf("inline %q in the header", m)
	}
	out.Reset()
	h.User, h.Nav = "", nil
	if err := tmpl.ExecuteTemplate(&out, "kit-header", h); err != nil {
		t.Fatal(err)
	}
	if s := out.String(); strings.Contains(s, "logout") || strings.Contains(s, "<nav") || !strings.Contains(s, `id="lang"`) {
		t.Errorf("header without a user or navigation:\n%s", s)
	}
}
