// Package stationweb is the station's web adapter over the station core:
// the HTTP server with its Chinese web UI (embedded templates and static
// files) and JSON API, staff login, the Excel upload page and the CSV/xlsx
// exports, on the shared webkit layer. It maps the core's error kinds to
// status codes and messages in one table (errors.go). Everything it serves is
// embedded in the binary; it needs no internet.
package stationweb

import (
	"context"
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"fieldsync/records"
	"fieldsync/replica"
	"fieldsync/station"
	"fieldsync/syncclient"
	"fieldsync/webkit"
)

// SyncSource is what the server needs of the sync client (*syncclient.Client).
type SyncSource interface {
	Status() syncclient.Status
	Kick()
}

// Options configure a Server.
type Options struct {
	// Station is the domain core the server serves.
	Station *station.Station
	// Sync is the running sync client; nil for a standalone station.
	Sync SyncSource
	// Users are the staff accounts; RequireLogin makes every page and API call
	// need one (a station bound beyond loopback).
	Users        *station.Users
	RequireLogin bool
	Logger       *slog.Logger
	// MaxUpload bounds an imported file (default 20 MiB).
	MaxUpload int64
	// Hosts are the host names the station answers to besides the address
	// a connection reached (default: the station's Config.Hosts). A station
	// on loopback needs none: it answers to 127.0.0.1, localhost and [::1]
	// on its port.
	Hosts []string
	// TLSFingerprint is the SHA-256 fingerprint of the certificate the
	// station serves, shown for staff to compare ("" over plain HTTP).
	TLSFingerprint string
	// InsecureHTTP says the station serves plain HTTP beyond loopback on
	// purpose (--insecure-http): every page warns about it.
	InsecureHTTP bool
	// HTTP bounds what a client may hold open (zero: webkit's defaults).
	HTTP webkit.ServerOptions
	// Lockout limits failed logins (zero: webkit's defaults).
	Lockout webkit.LimiterOptions
	// AccessLog logs one line per request (webkit.AccessLog: the route
	// pattern, never the path or query); nil logs none.
	AccessLog *slog.Logger
}

// Server serves the station's web UI and JSON API.
type Server struct {
	st *station.Station
	// patchMu makes a PATCH's read, apply and write one step against the
	// other PATCHes: two of different fields of one row keep both.
	patchMu   sync.Mutex
	r         *replica.Replica
	cfg       station.Config
	sync      SyncSource
	users     *station.Users
	login     bool
	now       func() time.Time
	log       *slog.Logger
	maxUpload int64
	pages     map[string]*template.Template
	dates     webkit.Dates
	hosts     *webkit.Hosts
	tlsFP     string
	insecure  bool
	httpOpts  webkit.ServerOptions
	accessLog *slog.Logger

	sessions *webkit.Sessions
	csrf     *webkit.CSRF
	limiter  *webkit.Limiter
}

// New checks opts and builds the server.
func New(opts Options) (*Server, error) {
	if opts.Station == nil {
		return nil, errors.New("station web: no station")
	}
	if opts.RequireLogin && opts.Users == nil {
		return nil, errors.New("station: login required but no user accounts")
	}
	st := opts.Station
	s := &Server{st: st, r: st.Replica(), cfg: st.Config(), now: st.Now, sync: opts.Sync, users: opts.Users,
		login: opts.RequireLogin, log: opts.Logger, maxUpload: opts.MaxUpload,
		tlsFP: opts.TLSFingerprint, insecure: opts.InsecureHTTP, httpOpts: opts.HTTP, accessLog: opts.AccessLog}
	s.dates = webkit.Dates{Loc: st.Zone()}
	base := st.Clock()
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.maxUpload <= 0 {
		s.maxUpload = 20 << 20
	}
	hosts := opts.Hosts
	if hosts == nil {
		hosts = s.cfg.Hosts
	}
	s.hosts = webkit.NewHosts(hosts...)
	var err error
	if s.sessions, err = webkit.NewSessions(webkit.SessionOptions{Store: &webkit.MemoryStore{Now: base},
		Cookie: sessionCookie, Idle: SessionTTL, Now: base}); err != nil {
		return nil, err
	}
	if s.csrf, err = webkit.NewCSRF(webkit.NewCSRFSecret(), csrfCookie); err != nil {
		return nil, err
	}
	lo := opts.Lockout
	if lo.Now == nil {
		lo.Now = base
	}
	s.limiter = webkit.NewLimiter(lo)
	if s.pages, err = parsePages(s.dates); err != nil {
		return nil, err
	}
	return s, nil
}

// Station is the core the server serves.
func (s *Server) Station() *station.Station { return s.st }

func (s *Server) today() string { return s.now().Format(records.DateLayout) }

// IsLoopback reports whether addr (host:port) listens on loopback only.
func IsLoopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

type ctxKey int

const (
	ctxLang ctxKey = iota
	ctxCSRF
)

func langOf(r *http.Request) string {
	if l, ok := r.Context().Value(ctxLang).(string); ok {
		return l
	}
	return "zh"
}

// Handler is the station's HTTP handler.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	s.routesAPI(mux)
	s.routesWeb(mux)
	s.routesObserve(mux)
	// The placement programmes: 乡村公益性岗位 and 就业帮扶车间.
	s.routesWelfareAPI(mux)
	s.routesWelfareWeb(mux)
	// The labour programmes (共享用工, 以工代赈, 劳务输出, 劳务协作): the JSON
	// API (labourapi.go) and the pages (labourweb.go).
	s.routesLabourAPI(mux)
	s.routesLabourWeb(mux)
	// 培训 (trainingweb.go): courses and enrolments, API and pages.
	s.routesTraining(mux)
	// The services to people: start-ups, returnees, recruitment events,
	// health checks (startupsweb.go, returnsweb.go, jobfairsweb.go, healthweb.go).
	s.routesServicesAPI(mux)
	s.routesServicesWeb(mux)
	// 劳动权益维护: the API and pages, for staff allowed to read the cases (rightsweb.go).
	s.routesRights(mux)
	// 帮扶项目台账导入与导出 (programmeimportweb.go).
	mux.HandleFunc("GET /programmes/import", s.pageProgrammeImport)
	mux.HandleFunc("POST /programmes/import", s.postProgrammeImport)
	mux.HandleFunc("POST /api/programmes/import", s.apiProgrammeImport)
	mux.HandleFunc("GET /programmes/import-template.xlsx", s.programmeTemplate)
	mux.HandleFunc("GET /programmes/export/{file}", s.programmeExport)
	guarded := webkit.Guard(s.middleware(mux), webkit.GuardOptions{Hosts: s.hosts, Refuse: s.refuse,
		Lang: func(r *http.Request) string { return langCookie.Choose(discardHeaders{}, r) }})
	return webkit.AccessLog(guarded, webkit.AccessLogOptions{Log: s.accessLog, Routes: mux})
}

// langCookie is how the station picks a language: ?lang=, its cookie, else Chinese.
var langCookie = webkit.LangOptions{Cookie: "lang"}

// discardHeaders is a ResponseWriter for choosing a language without
// setting its cookie.
type discardHeaders struct{}

func (discardHeaders) Header() http.Header         { return http.Header{} }
func (discardHeaders) Write(b []byte) (int, error) { return len(b), nil }
func (discardHeaders) WriteHeader(int)             {}

// refuse answers a request the guard turned away: JSON for the API, text
// for pages, in the request's language.
func (s *Server) refuse(w http.ResponseWriter, r *http.Request, status int, key string) {
	lang := langCookie.Choose(discardHeaders{}, r)
	s.log.WarnContext(r.Context(), "request refused", "reason", key, "method", r.Method, "path", r.URL.Path,
		"remote", webkit.RemoteKey(r))
	if strings.HasPrefix(r.URL.Path, "/api/") {
		writeJSON(w, status, map[string]string{"error": tr(lang, key)})
		return
	}
	http.Error(w, tr(lang, key), status)
}

// middleware picks the language, checks logins and CSRF tokens, and
// recovers nothing: handlers return errors, not panics.
func (s *Server) middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if observePaths[r.URL.Path] {
			next.ServeHTTP(w, r) // loopback only, no login (observe.go)
			return
		}
		lang := langCookie.Choose(w, r)
		ctx := context.WithValue(r.Context(), ctxLang, lang)
		r = r.WithContext(ctx)
		api := strings.HasPrefix(r.URL.Path, "/api/")
		static := strings.HasPrefix(r.URL.Path, "/static/")
		// A browser's session, if it has one (pages and the API alike).
		var sess *webkit.Session
		if s.users != nil && !static {
			if se, err := s.sessions.Lookup(ctx, r); err == nil {
				sess = &se
			}
		}
		if !api && !static {
			// Forms are bound to the session, else to a cookie of their own.
			var binding []byte
			if sess != nil {
				binding = sess.Hash
			} else if r.Method == http.MethodPost {
				binding = s.csrf.RequestBinding(r)
			} else {
				binding = s.csrf.Binding(w, r)
			}
			ctx = context.WithValue(ctx, ctxCSRF, s.csrf.Token(binding))
			r = r.WithContext(ctx)
			if r.Method == http.MethodPost {
				r.Body = http.MaxBytesReader(w, r.Body, s.maxUpload+1<<20)
				var err error
				if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/") {
					err = r.ParseMultipartForm(8 << 20)
				} else {
					err = r.ParseForm()
				}
				var mbe *http.MaxBytesError
				if errors.As(err, &mbe) {
					http.Error(w, tr(lang, "too_large"), http.StatusRequestEntityTooLarge)
					return
				}
				if !s.csrf.Valid(binding, r.PostFormValue("csrf")) {
					http.Error(w, tr(lang, "csrf"), http.StatusForbidden)
					return
				}
			}
		}
		if s.login && !static && r.URL.Path != "/login" {
			user, status := s.authenticate(r, sess, api)
			if status != 0 {
				if api {
					if status == http.StatusUnauthorized {
						w.Header().Set("WWW-Authenticate", `Basic realm="fieldsync station"`)
						writeJSON(w, status, map[string]string{"error": tr(lang, "login_required")})
					} else {
						writeJSON(w, status, map[string]string{"error": tr(lang, "locked")})
					}
					return
				}
				http.Redirect(w, r, "/login", http.StatusSeeOther)
				return
			}
			r = r.WithContext(station.WithUser(r.Context(), user))
			webkit.NoteUser(r.Context(), user)
		} else if s.users != nil && !static {
			// No login asked (loopback), but staff who logged in anyway are
			// named on what they enter (entered_by).
			if user, status := s.authenticate(r, sess, api); status == 0 {
				r = r.WithContext(station.WithUser(r.Context(), user))
				webkit.NoteUser(r.Context(), user)
			}
		}
		if api && (r.Method == http.MethodPost || r.Method == http.MethodPatch) &&
			!strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") && !isAPIUpload(r) {
			// Browsers cannot send this content type across sites without asking first.
			writeJSON(w, http.StatusUnsupportedMediaType, map[string]string{"error": tr(lang, "want_json")})
			return
		}
		next.ServeHTTP(w, r)
	})
}

// Serve runs the server on ln (wrap it with tls.NewListener to serve HTTPS)
// until ctx ends; it returns nil after a clean shutdown.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	o := s.httpOpts
	o.Log = s.log
	srv := webkit.NewServer(s.Handler(), o)
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("shut down: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve: %w", err)
	}
	return nil
}
