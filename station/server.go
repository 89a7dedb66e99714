// Package station is the village service station's app: the HTTP server with
// its Chinese web UI and JSON API over the station's replica, the record
// operations they share, login for stations on a LAN, and Excel/CSV import and
// export. Everything it serves is embedded in the binary; it needs no internet.
package station

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"fieldsync/ident"
	"fieldsync/records"
	"fieldsync/replica"
	"fieldsync/syncclient"
)

// SyncSource is what the server needs of the sync client (*syncclient.Client).
type SyncSource interface {
	Status() syncclient.Status
	Kick()
}

// Options configure a Server.
type Options struct {
	Replica *replica.Replica
	Config  Config
	// Sync is the running sync client; nil for a standalone station.
	Sync SyncSource
	// Users are the staff accounts; RequireLogin makes every page and API call
	// need one (a station bound beyond loopback).
	Users        *Users
	RequireLogin bool
	// Now is the station's clock (nil: the replica's corrected wall clock).
	Now    func() time.Time
	Logger *slog.Logger
	// MaxUpload bounds an imported file (default 20 MiB).
	MaxUpload int64
}

// Server serves the station's web UI and JSON API.
type Server struct {
	r         *replica.Replica
	cfg       Config
	key       ident.Key
	sync      SyncSource
	users     *Users
	login     bool
	now       func() time.Time
	log       *slog.Logger
	maxUpload int64
	pages     map[string]*template.Template

	smu      sync.Mutex
	sessions map[string]session
}

// New checks opts and builds the server.
func New(opts Options) (*Server, error) {
	if opts.Replica == nil {
		return nil, errors.New("station: no replica")
	}
	key, err := opts.Config.DeploymentKey()
	if err != nil {
		return nil, err
	}
	if opts.RequireLogin && opts.Users == nil {
		return nil, errors.New("station: login required but no user accounts")
	}
	s := &Server{r: opts.Replica, cfg: opts.Config, key: key, sync: opts.Sync, users: opts.Users,
		login: opts.RequireLogin, now: opts.Now, log: opts.Logger, maxUpload: opts.MaxUpload,
		sessions: map[string]session{}}
	if s.now == nil {
		s.now = s.r.Clock().Wall
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.maxUpload <= 0 {
		s.maxUpload = 20 << 20
	}
	if s.cfg.Older == (records.OlderThresholds{}) {
		s.cfg.Older = records.DefaultOlder
	}
	if s.pages, err = parsePages(); err != nil {
		return nil, err
	}
	return s, nil
}

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
	ctxUser
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
	return s.middleware(mux)
}

func randomToken() string {
	b := make([]byte, 24)
	_, _ = rand.Read(b) // crypto/rand.Read never fails on supported platforms
	return hex.EncodeToString(b)
}

// middleware picks the language, hands out the CSRF cookie, checks logins and
// CSRF tokens, and recovers nothing: handlers return errors, not panics.
func (s *Server) middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Frame-Options", "DENY")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		lang := "zh"
		if c, err := r.Cookie("lang"); err == nil && c.Value == "en" {
			lang = "en"
		}
		if l := r.URL.Query().Get("lang"); l == "en" || l == "zh" {
			lang = l
			http.SetCookie(w, &http.Cookie{Name: "lang", Value: l, Path: "/", MaxAge: 365 * 86400,
				HttpOnly: true, SameSite: http.SameSiteLaxMode})
		}
		ctx := context.WithValue(r.Context(), ctxLang, lang)
		api := strings.HasPrefix(r.URL.Path, "/api/")
		static := strings.HasPrefix(r.URL.Path, "/static/")
		if !api && !static {
			tok := ""
			if c, err := r.Cookie("fs_csrf"); err == nil && len(c.Value) == 48 {
				tok = c.Value
			} else {
				tok = randomToken()
				http.SetCookie(w, &http.Cookie{Name: "fs_csrf", Value: tok, Path: "/", HttpOnly: true,
					SameSite: http.SameSiteStrictMode})
			}
			ctx = context.WithValue(ctx, ctxCSRF, tok)
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
				if subtle.ConstantTimeCompare([]byte(r.PostFormValue("csrf")), []byte(tok)) != 1 {
					http.Error(w, tr(lang, "csrf"), http.StatusForbidden)
					return
				}
			}
		}
		r = r.WithContext(ctx)
		if s.login && !static && r.URL.Path != "/login" {
			user, ok := s.authenticate(r, api)
			if !ok {
				if api {
					w.Header().Set("WWW-Authenticate", `Basic realm="fieldsync station"`)
					writeJSON(w, http.StatusUnauthorized, map[string]string{"error": tr(lang, "login_required")})
					return
				}
				http.Redirect(w, r, "/login", http.StatusSeeOther)
				return
			}
			r = r.WithContext(context.WithValue(r.Context(), ctxUser, user))
		} else if s.users != nil && !static {
			// No login asked (loopback), but staff who logged in anyway are
			// named on what they enter (entered_by).
			if user, ok := s.authenticate(r, api); ok {
				r = r.WithContext(context.WithValue(r.Context(), ctxUser, user))
			}
		}
		if api && (r.Method == http.MethodPost || r.Method == http.MethodPatch) &&
			!strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
			// Browsers cannot send this content type across sites without asking first.
			writeJSON(w, http.StatusUnsupportedMediaType, map[string]string{"error": tr(lang, "want_json")})
			return
		}
		next.ServeHTTP(w, r)
	})
}

// Serve runs the server on ln until ctx ends; it returns nil after a clean
// shutdown.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	srv := &http.Server{Handler: s.Handler(), ReadHeaderTimeout: 10 * time.Second,
		ErrorLog: slog.NewLogLogger(s.log.Handler(), slog.LevelWarn)}
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
