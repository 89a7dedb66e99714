// Package hubweb is the hub's adapter for people: the administrators' login,
// pages and JSON API over the hub's core (package hub) and its access
// control (hub/access), the page templates embedded from templates/, and the
// HTTP server that also mounts the stations' /sync. It follows the
// core/adapter split: every rule lives in the core; here requests become
// calls and results become pages, JSON and status codes.
package hubweb

import (
	"context"
	"crypto/tls"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"maps"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"time"

	"fieldsync/glossary"
	"fieldsync/hub"
	"fieldsync/hub/access"
	"fieldsync/hub/hubmetrics"
	"fieldsync/release"
	"fieldsync/webkit"
)

// ErrClosed is returned by Serve after the hub's Close.
var ErrClosed = hub.ErrClosed

// server is the web adapter of one hub. The hub's methods are its own.
type server struct {
	*hub.Hub
	acc      *access.Store
	log      *slog.Logger
	now      func() time.Time
	limiter  *webkit.Limiter // failed administrator logins
	sessions *webkit.Sessions
	csrf     *webkit.CSRF
}

func newServer(h *hub.Hub) *server {
	acc := h.Access()
	return &server{Hub: h, acc: acc, log: h.Logger(), now: h.Now,
		limiter:  webkit.NewLimiter(limiterOptions(acc.Options(), h.Now)),
		sessions: newSessions(acc, h.Now), csrf: newCSRF(acc, h.Logger())}
}

// limiterOptions maps the hub's lock-out options onto webkit's back-off:
// LockAfter and RemoteLockAfter failures are free, then the first lock lasts
// a minute (LockFor if shorter) and each further failure doubles it up to
// LockFor; a record is forgotten an hour (LockFor if longer) after its last
// failure.
func limiterOptions(o access.Options, now func() time.Time) webkit.LimiterOptions {
	return webkit.LimiterOptions{UserFree: o.LockAfter, RemoteFree: o.RemoteLockAfter,
		Base: min(time.Minute, o.LockFor), Max: o.LockFor, Forget: max(time.Hour, o.LockFor), Now: now}
}

// HandlerOptions configure HandlerWith.
type HandlerOptions struct {
	// Hosts are host names the hub answers to besides the host of its URL
	// (hub.json "url") and the address a request reached (hub serve --host).
	Hosts []string
	// TrustedProxies are the reverse proxies whose X-Forwarded-For names
	// the client (hub serve --trusted-proxy): the lock-out, the audit log,
	// the access log and the stations' handshake limits count that client.
	TrustedProxies webkit.TrustedProxies
	// Metrics are served at /metrics to administrators (default: those of
	// sync, when it has any: hubsync.Server.Metrics).
	Metrics *hubmetrics.Metrics
	// MetricsElsewhere leaves /metrics out: hub serve --metrics-addr serves
	// it on a listener of its own.
	MetricsElsewhere bool
	// AccessLog logs one line per request (webkit.AccessLog); nil logs none.
	AccessLog *slog.Logger
}

// metricsSource is a sync handler that counts into metrics
// (*hubsync.Server).
type metricsSource interface{ Metrics() *hubmetrics.Metrics }

// Handler serves /sync (the stations' WebSocket, authenticated by station
// tokens, from sync), and for administrators the login, the status page at /
// and the JSON API under /api/ (see routesAccess).
func Handler(h *hub.Hub, sync http.Handler) http.Handler {
	return HandlerWith(h, sync, HandlerOptions{})
}

// HandlerWith is Handler answering also to o's host names. Every request
// passes webkit.Guard first: security headers, a Host naming the hub (421
// otherwise: a DNS-rebound name is refused) and no cross-origin request
// with an unsafe method (403). Stations' /sync upgrades are GETs without an
// Origin and dial the hub's URL or its address, so they pass.
func HandlerWith(h *hub.Hub, sync http.Handler, o HandlerOptions) http.Handler {
	s := newServer(h)
	pageZone.Store(h.Zone())
	mux := http.NewServeMux()
	mux.Handle("GET /sync", longLived(sync))
	mux.Handle("GET /static/", staticFiles())
	mux.Handle("GET /api/stations", s.apiFor(access.PermView, s.serveAPI))
	mux.Handle("GET /{$}", s.pageFor(access.PermView, s.servePage))
	s.routesAccess(mux)
	s.routesDashboard(mux)
	s.routesDashboardPage(mux)
	s.routesConflicts(mux)
	s.routesRequests(mux)
	s.routesPlaces(mux)
	s.routesProgrammes(mux)
	s.routesServices(mux)
	s.routesRights(mux)
	m := o.Metrics
	if src, ok := sync.(metricsSource); ok && m == nil {
		m = src.Metrics()
	}
	s.routesHealth(mux, m, !o.MetricsElsewhere)
	names := append([]string{}, o.Hosts...)
	if u, err := url.Parse(h.URL()); err == nil && u.Hostname() != "" {
		names = append(names, u.Hostname())
	}
	guarded := webkit.Guard(mux, webkit.GuardOptions{Hosts: webkit.NewHosts(names...), Refuse: s.refuse,
		Lang: s.guardLang})
	// The client's address first, so that everything after it (the guard's
	// refusals, the access log, the lock-out, /sync) counts the client.
	return o.TrustedProxies.Handler(webkit.AccessLog(guarded, webkit.AccessLogOptions{Log: o.AccessLog, Routes: mux}))
}

// guardLang is the language of a refusal: the API's for /api/, else the pages'
// (without setting a cookie).
func (h *server) guardLang(r *http.Request) string {
	if strings.HasPrefix(r.URL.Path, "/api/") {
		return apiLang(r)
	}
	return pageLang(r)
}

// refuse answers a request the guard turned away: JSON for the API, text for
// pages and /sync, in the request's language, and logs it (no personal data:
// the reason, the method, the path and the address).
func (h *server) refuse(w http.ResponseWriter, r *http.Request, status int, key string) {
	lang := h.guardLang(r)
	h.log.WarnContext(r.Context(), "request refused", "reason", key, "method", r.Method, "path", r.URL.Path,
		"remote", webkit.RemoteKey(r))
	if strings.HasPrefix(r.URL.Path, "/api/") {
		writeJSONError(w, status, tr(lang, key))
		return
	}
	http.Error(w, tr(lang, key), status)
}

// longLived lifts the server's read and write deadlines off a connection
// that becomes a sync session: the server's ReadTimeout would otherwise cut
// every session a few minutes in (a hijacked connection keeps the deadline
// the server set). The session sets its own deadline for every frame.
func longLived(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rc := http.NewResponseController(w)
		_ = rc.SetReadDeadline(time.Time{})  // not supported: no deadline to lift
		_ = rc.SetWriteDeadline(time.Time{}) // the same
		next.ServeHTTP(w, r)
	})
}

//go:embed static
var staticFS embed.FS

// staticFiles serves the pages' stylesheets (webkit's shared kit.css and the
// hub's own hub.css) and their one script.
func staticFiles() http.Handler {
	files := http.FileServerFS(staticFS)
	kit := webkit.Stylesheet()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == webkit.StylesheetPath {
			kit.ServeHTTP(w, r)
			return
		}
		w.Header().Set("Cache-Control", "public, max-age=3600")
		files.ServeHTTP(w, r)
	})
}

// pageZone is the zone the pages show dates in: the hub's (one hub per
// process; tests' hubs all take the default).
var pageZone atomic.Pointer[time.Location]

// inZone is t in the zone the pages show dates in.
func inZone(t time.Time) time.Time {
	if loc := pageZone.Load(); loc != nil {
		return t.In(loc)
	}
	loc, _ := webkit.LoadZone(hub.DefaultZone)
	return t.In(loc)
}

// ServeOptions configure ServeWith.
type ServeOptions struct {
	// TLS serves over TLS when set.
	TLS *tls.Config
	// Server bounds what a client may hold open (webkit's defaults; the
	// header timeout defaults to the hub's HandshakeTimeout).
	Server webkit.ServerOptions
}

// Serve serves handler on ln until the hub closes (TLS when tlsCfg is set).
// It returns ErrClosed after the hub's Close, or the error that stopped it.
func Serve(h *hub.Hub, handler http.Handler, ln net.Listener, tlsCfg *tls.Config) error {
	return ServeWith(h, handler, ln, ServeOptions{TLS: tlsCfg})
}

// ServeWith is Serve with the server's limits set: a request's headers and
// body must arrive within them (a body trickling in a byte a second does
// not hold a connection open), except on /sync, whose sessions bound each
// frame themselves.
func ServeWith(h *hub.Hub, handler http.Handler, ln net.Listener, o ServeOptions) error {
	so := o.Server
	if so.ReadHeaderTimeout <= 0 {
		so.ReadHeaderTimeout = h.Options().HandshakeTimeout
	}
	so.TLS, so.Log = o.TLS, h.Logger()
	srv := webkit.NewServer(handler, so)
	srv.BaseContext = func(net.Listener) context.Context { return h.Context() }
	detach, ok := h.Attach(func() { srv.Close() })
	if !ok {
		ln.Close()
		return ErrClosed
	}
	defer detach()
	var err error
	if o.TLS != nil {
		err = srv.ServeTLS(ln, "", "")
	} else {
		err = srv.Serve(ln)
	}
	if errors.Is(err, http.ErrServerClosed) {
		return ErrClosed
	}
	return fmt.Errorf("hub serve: %w", err)
}

//go:embed templates/*.html
var templateFiles embed.FS

// mustTemplate parses templates/name.html, after the frame of every page
// (templates/layout.html) and a value as pages show it (templates/value.html)
// when withLayout is set, and the footer every page
// ends with (templates/footer.html: the release and build).
func mustTemplate(name string, funcs template.FuncMap, withLayout bool) *template.Template {
	read := func(n string) string {
		b, err := templateFiles.ReadFile("templates/" + n + ".html")
		if err != nil {
			panic(err) // the files are embedded: a missing one is a build mistake
		}
		return string(b)
	}
	body := read(name) + read("footer")
	if withLayout {
		body = read("layout") + webkit.HeaderTemplate() + read("value") + body
	}
	all := template.FuncMap{"release": release.Short}
	maps.Copy(all, glossary.Funcs())
	maps.Copy(all, funcs)
	return template.Must(template.New(name).Funcs(all).Parse(body))
}
