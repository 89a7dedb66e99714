package webkit

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// The look the station's and the hub's pages share: one stylesheet (kit.css,
// served by both at StylesheetPath) and one page header (the template
// "kit-header", drawn from a Header). Each server's own stylesheet keeps only
// what is its own. Nothing here is inline: the Content-Security-Policy allows
// only the server's own files.

//go:embed static/kit.css
var kitCSS []byte

//go:embed templates/header.html
var lookTemplates embed.FS

// StylesheetPath is where both servers serve the kit's stylesheet.
const StylesheetPath = "/static/kit.css"

// kitETag names this build's stylesheet, so that a browser revalidates
// cheaply and never keeps an old release's look.
var kitETag = func() string {
	sum := sha256.Sum256(kitCSS)
	return `"` + hex.EncodeToString(sum[:8]) + `"`
}()

// Stylesheet serves kit.css (mount it at StylesheetPath).
func Stylesheet() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/css; charset=utf-8")
		w.Header().Set("Cache-Control", "no-cache")
		w.Header().Set("ETag", kitETag)
		http.ServeContent(w, r, "kit.css", time.Time{}, bytes.NewReader(kitCSS))
	})
}

// HeaderTemplate is the text of the template "kit-header": parse it into a
// page's templates and call it with a Header, {{template "kit-header" .Header}}.
// It uses no template functions.
func HeaderTemplate() string {
	b, err := lookTemplates.ReadFile("templates/header.html")
	if err != nil {
		return "" // embedded: cannot fail
	}
	return string(b)
}

// Header is what a page's header shows: the brand (the county's or the
// station's name), the signed-in user with a role, logout, the language
// switch and the navigation with the current page's item marked.
type Header struct {
	// Lang is the page's language ("zh" or "en").
	Lang string
	// Brand names the office (the county's hub, the station); Sub says
	// what the application is; Home is where the brand links to.
	Brand, Sub, Home string
	// User is who is signed in ("" for nobody: no logout form); Role is
	// the user's role in the page's language ("" shows none).
	User, Role string
	// CSRF is the logout form's token; LogoutLabel the button's text.
	CSRF, LogoutLabel string
	// LangURL is this page in the other language; LangLabel its link text.
	LangURL, LangLabel string
	// Nav are the navigation's links (none: no navigation).
	Nav []NavItem
}

// NavItem is one link of the navigation.
type NavItem struct {
	// ID is the link's element id (nav-…), Href where it goes, Label its text.
	ID, Href, Label string
	// Count, when above 0, is shown after the label in a badge with the
	// element id CountID (what waits there: requests, refusals).
	Count   int
	CountID string
	// Current marks the page's own item (aria-current="page").
	Current bool
}

// NavLabel is the navigation's accessible name.
func (h Header) NavLabel() string { return lookText.T(h.Lang, "nav") }

var lookText = Catalogue{"nav": {"主导航", "Main navigation"}}

// MarkCurrent marks the item whose Href is path, or the longest Href path
// lies under ("/workers" for "/workers/7/edit"); "/" marks only itself. It
// returns items, changed in place.
func MarkCurrent(items []NavItem, path string) []NavItem {
	best := -1
	for i, it := range items {
		items[i].Current = false
		under := it.Href == path || it.Href != "/" && strings.HasPrefix(path, strings.TrimSuffix(it.Href, "/")+"/")
		if under && (best < 0 || len(it.Href) > len(items[best].Href)) {
			best = i
		}
	}
	if best >= 0 {
		items[best].Current = true
	}
	return items
}

// OtherLangURL is the request URI uri with ?lang= set to the language that
// is not lang: a path on this server ("/" when uri does not parse, or its
// path would name another host, "//host/…").
func OtherLangURL(uri, lang string) string {
	u, err := url.ParseRequestURI(uri)
	if err != nil || !strings.HasPrefix(u.Path, "/") || strings.HasPrefix(u.Path, "//") {
		u = &url.URL{Path: "/"}
	}
	q := u.Query()
	if lang == "en" {
		q.Set("lang", "zh")
	} else {
		q.Set("lang", "en")
	}
	return (&url.URL{Path: u.Path, RawQuery: q.Encode()}).String()
}
