// Package screens saves a screenshot of every page of a hub and its
// stations, in headless Chromium at 1366×768, for review: it visits a fixed
// list of pages for each site (pages.go), logs in where the site asks, and
// crawls the navigation, so that a page missing from the list, or a page
// answering an error, fails the run by name.
package screens

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/chromedp/chromedp"

	"fieldsync/internal/chromium"
)

// The screen the pages are shot at: the stations' PCs.
const (
	Width  = 1366
	Height = 768
)

// Page is one page of a site.
type Page struct {
	// Name says what the page is, in ASCII; it names the file.
	Name string
	// Path is the page's path, with a query if it needs one; a
	// {placeholder} is one path segment ({id}: a number or a 32-hex id).
	Path string
	// From names the page whose first link matching Path is the page's
	// address: for a path with a placeholder, or a query only a link has.
	From string
}

// Site is one hub or station, with the pages to shoot.
type Site struct {
	// Label starts the files' names: "hub", "station-乌兰嘎查服务站".
	Label string
	// URL is where the site serves, e.g. http://127.0.0.1:8400.
	URL string
	// User and Password log in at /login before the first page other than
	// /login; no User: the site asks for no login.
	User, Password string
	Pages          []Page
	// NotPages are paths (placeholders allowed) that links may lead to
	// but that are not pages: downloads, static files.
	NotPages []string
}

// Hub is the county hub at url, logged in as user.
func Hub(url, user, password string) Site {
	return Site{Label: "hub", URL: url, User: user, Password: password, Pages: HubPages, NotPages: HubNotPages}
}

// Station is the village station name at url (no login: on loopback a
// station asks for none).
func Station(name, url string) Site {
	return Site{Label: "station-" + name, URL: url, Pages: StationPages, NotPages: StationNotPages}
}

// Shot is one page saved.
type Shot struct {
	Site, Page string
	URL        string // the address shot
	File       string // the PNG's path
}

// NavLinks are the links the crawl follows on every page: the
// navigation's. On a site's home page (/) every link is followed.
const NavLinks = `nav a[href], header a[href], #top a[href]`

// Options say where the screenshots go.
type Options struct {
	// Dir receives the PNG files; it is made if missing.
	Dir string
	// Timeout bounds the whole run (default 5 minutes).
	Timeout time.Duration
}

// Run shoots every page of every site into opts.Dir, in headless Chromium,
// and returns the files saved. Every problem is named in the error — a page
// answering 400 or more, a page that could not be reached (no link for it,
// a redirect to the login form), a nav link to a page not in its site's
// list — and the pages that could be shot are still saved and returned.
func Run(ctx context.Context, opts Options, sites ...Site) ([]Shot, error) {
	if _, err := os.Stat(chromium.Path); err != nil {
		return nil, fmt.Errorf("screens: chromium: %w (apt-get install chromium)", err)
	}
	if err := os.MkdirAll(opts.Dir, 0o755); err != nil {
		return nil, fmt.Errorf("screens: %w", err)
	}
	timeout := opts.Timeout
	if timeout <= 0 {
		timeout = 5 * time.Minute
	}
	profile, err := os.MkdirTemp("", "fieldsync-screens-profile-")
	if err != nil {
		return nil, fmt.Errorf("screens: browser profile: %w", err)
	}
	defer os.RemoveAll(profile)
	actx, cancelAlloc := chromedp.NewExecAllocator(ctx, chromium.Options(profile, Width, Height)...)
	defer cancelAlloc()
	browser, cancelBrowser := chromedp.NewContext(actx)
	defer cancelBrowser()
	// The first run starts the browser; it must not carry the timeout
	// (chromedp.Run), the sites' runs do.
	if err := chromedp.Do(browser); err != nil {
		return nil, fmt.Errorf("screens: start chromium: %w", err)
	}
	deadline, cancelDeadline := context.WithTimeout(browser, timeout)
	defer cancelDeadline()
	// The sites at once, each in a tab of its own.
	runs := make([]*siteRun, len(sites))
	var wg sync.WaitGroup
	for i, s := range sites {
		r := &siteRun{site: s, dir: opts.Dir, links: map[string][]string{}}
		runs[i] = r
		wg.Go(func() {
			if err := r.run(deadline); err != nil {
				r.problem(err)
			}
		})
	}
	wg.Wait()
	var shots []Shot
	var problems []error
	for _, r := range runs {
		shots = append(shots, r.shots...)
		problems = append(problems, r.problems...)
	}
	return shots, errors.Join(problems...)
}

// siteRun shoots one site's pages in a browser context of its own (its
// own cookies: the sites share 127.0.0.1).
type siteRun struct {
	site     Site
	dir      string
	base     *url.URL
	links    map[string][]string // page name → every link on it, absolute
	shots    []Shot
	problems []error
	navSeen  map[string]bool
}

func (r *siteRun) problem(err error) {
	r.problems = append(r.problems, fmt.Errorf("%s: %w", r.site.Label, err))
}

func (r *siteRun) run(parent context.Context) error {
	base, err := url.Parse(strings.TrimSuffix(r.site.URL, "/"))
	if err != nil || base.Host == "" {
		return fmt.Errorf("site URL %q: not an http URL", r.site.URL)
	}
	r.base = base
	r.navSeen = map[string]bool{}
	ctx, cancel := chromedp.NewContext(parent, chromedp.WithNewBrowserContext())
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(Width, Height)); err != nil {
		return fmt.Errorf("open a tab: %w", err)
	}
	loggedIn := r.site.User == ""
	failed := map[string]bool{}
	for i, p := range r.site.Pages {
		if !loggedIn && pathOf(p.Path) != "/login" {
			if err := r.login(ctx); err != nil {
				return err // every page after it would be the login form
			}
			loggedIn = true
		}
		if p.From != "" && failed[p.From] {
			failed[p.Name] = true
			r.problem(fmt.Errorf("page %s (%s): skipped, its From page %s failed", p.Name, p.Path, p.From))
			continue
		}
		if err := r.shoot(ctx, i+1, p); err != nil {
			if errors.As(err, new(*chromedp.LoadError)) {
				return fmt.Errorf("page %s: %w (is the site running?)", p.Name, err)
			}
			failed[p.Name] = true
			r.problem(fmt.Errorf("page %s (%s): %w", p.Name, p.Path, err))
		}
	}
	return nil
}

// login fills the site's login form and checks that it let us in.
func (r *siteRun) login(ctx context.Context) error {
	if _, err := navigate(ctx, r.base.String()+"/login"); err != nil {
		return fmt.Errorf("login form: %w", err)
	}
	resp, err := chromedp.RunResponse(ctx,
		chromedp.SendKeys(chromedp.CSS(`#user`), r.site.User),
		chromedp.SendKeys(chromedp.CSS(`#password`), r.site.Password),
		chromedp.Submit(chromedp.CSS(`#password`)),
	)
	if err != nil {
		return fmt.Errorf("log in as %s: %w", r.site.User, err)
	}
	loc, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		return fmt.Errorf("log in as %s: %w", r.site.User, err)
	}
	if resp.Status >= 400 || pathOf(loc) == "/login" {
		return fmt.Errorf("log in as %s: refused (HTTP %d at %s)", r.site.User, resp.Status, loc)
	}
	return nil
}

// shoot visits page p (number n), saves its screenshot, keeps its links
// and checks its navigation.
func (r *siteRun) shoot(ctx context.Context, n int, p Page) error {
	target, err := r.address(p)
	if err != nil {
		return err
	}
	status, err := navigate(ctx, target)
	if err != nil {
		return fmt.Errorf("%s: %w", target, err)
	}
	if status >= 400 {
		return fmt.Errorf("%s answered HTTP %d", target, status)
	}
	loc, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		return err
	}
	if !matches(p.Path, pathOf(loc)) {
		return fmt.Errorf("%s led to %s (not logged in?)", target, loc)
	}
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		return fmt.Errorf("screenshot of %s: %w", target, err)
	}
	file := filepath.Join(r.dir, fmt.Sprintf("%s-%02d-%s.png", r.site.Label, n, p.Name))
	if err := os.WriteFile(file, png, 0o644); err != nil {
		return fmt.Errorf("save %s: %w", file, err)
	}
	r.shots = append(r.shots, Shot{Site: r.site.Label, Page: p.Name, URL: target, File: file})
	all, err := chromedp.Run(ctx, hrefs(`a[href]`))
	if err != nil {
		return fmt.Errorf("links of %s: %w", target, err)
	}
	r.links[p.Name] = all
	nav := all
	if pathOf(p.Path) != "/" {
		if nav, err = chromedp.Run(ctx, hrefs(NavLinks)); err != nil {
			return fmt.Errorf("nav links of %s: %w", target, err)
		}
	}
	r.crawl(p, nav)
	return nil
}

// address is where page p is: its path on the site, or the first link on
// its From page that matches its path.
func (r *siteRun) address(p Page) (string, error) {
	if p.From == "" {
		if strings.Contains(p.Path, "{") {
			return "", errors.New("a path with a placeholder needs a From page")
		}
		return r.base.String() + p.Path, nil
	}
	links, ok := r.links[p.From]
	if !ok {
		return "", fmt.Errorf("its From page %q was not shot (listed before it?)", p.From)
	}
	for _, l := range links {
		if u := r.local(l); u != nil && matches(p.Path, u.Path) && (!strings.Contains(p.Path, "{") || !r.fixed(u.Path)) {
			return u.String(), nil
		}
	}
	return "", fmt.Errorf("no link matching %s on page %s (is there sample data for it?)", p.Path, p.From)
}

// crawl names every nav link of page p that leads to a path no page of
// the site matches.
func (r *siteRun) crawl(p Page, nav []string) {
	for _, l := range nav {
		u := r.local(l)
		if u == nil || r.navSeen[u.Path] {
			continue
		}
		r.navSeen[u.Path] = true
		listed := slices.ContainsFunc(r.site.Pages, func(q Page) bool { return matches(q.Path, u.Path) }) ||
			slices.ContainsFunc(r.site.NotPages, func(q string) bool { return matches(q, u.Path) })
		if !listed {
			r.problem(fmt.Errorf("nav link %s on page %s is not in the page list (internal/screens/pages.go)", u.Path, p.Name))
		}
	}
}

// local parses a link, nil when it leaves the site.
func (r *siteRun) local(link string) *url.URL {
	u, err := url.Parse(link)
	if err != nil || u.Scheme != r.base.Scheme || u.Host != r.base.Host {
		return nil
	}
	u.Fragment = ""
	return u
}

// fixed reports whether path is a page of the site without placeholder
// (/workers/new is not a worker).
func (r *siteRun) fixed(path string) bool {
	return slices.ContainsFunc(r.site.Pages, func(q Page) bool {
		return !strings.Contains(q.Path, "{") && pathOf(q.Path) == path
	}) || slices.ContainsFunc(r.site.NotPages, func(q string) bool { return matches(q, path) })
}

// navigate loads u and returns the HTTP status of its document.
func navigate(ctx context.Context, u string) (int64, error) {
	resp, err := chromedp.Run(ctx, chromedp.NavigateResponse(u))
	if err != nil {
		return 0, err
	}
	if resp == nil {
		return 0, errors.New("no response")
	}
	return resp.Status, nil
}

// hrefs is the absolute address of every element sel selects.
func hrefs(sel string) chromedp.Action[[]string] {
	return chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll(` + strconv.Quote(sel) + `), a => a.href)`)
}

// id is what an {id} placeholder matches: a number (conflicts) or a
// record's 32-hex id.
var id = regexp.MustCompile(`^([0-9]+|[0-9a-f]{32})$`)

// matches reports whether path (decoded) is an instance of pattern (its
// query ignored).
func matches(pattern, path string) bool {
	want := strings.Split(pathOf(pattern), "/")
	got := strings.Split(path, "/")
	if len(want) != len(got) {
		return false
	}
	for i, w := range want {
		switch {
		case w == "{id}":
			if !id.MatchString(got[i]) {
				return false
			}
		case strings.HasPrefix(w, "{") && strings.HasSuffix(w, "}"):
			if got[i] == "" {
				return false
			}
		case w != got[i]:
			return false
		}
	}
	return true
}

// pathOf is the path of an address or of a page's Path (no query).
func pathOf(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return s
	}
	if u.Path == "" {
		return "/"
	}
	return u.Path
}
