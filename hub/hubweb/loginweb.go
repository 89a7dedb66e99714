package hubweb

import (
	"bytes"
	"encoding/json"
	"errors"
	"html/template"
	"math"
	"mime"
	"net/http"
	"strconv"
	"time"

	"fieldsync/hub/access"
	"fieldsync/webkit"
)

// Cookies of the hub's web UI.
const (
	sessionCookie = "hub_session"
	loginCSRF     = "hub_csrf" // the login form's token, before there is a session
	langCookie    = "lang"
)

// routesAccess adds the administrators' login and logout, for the web UI and
// the JSON API, and the audit log.
//
//	GET  /login, POST /login, POST /logout   web UI (cookie session, CSRF token)
//	POST /api/login, POST /api/logout       API (bearer token, no cookie)
//	GET  /api/audit?limit=N                 owner only
func (h *server) routesAccess(mux *http.ServeMux) {
	mux.HandleFunc("GET /login", h.pageLogin)
	mux.HandleFunc("POST /login", h.postLogin)
	mux.HandleFunc("POST /logout", h.postLogout)
	mux.HandleFunc("POST /api/login", h.apiLogin)
	mux.Handle("POST /api/logout", h.apiFor(access.PermView, h.apiLogout))
	mux.Handle("GET /api/audit", h.apiFor(access.PermAudit, h.apiAudit))
}

// accessText are the access layer's messages: Chinese first, English with ?lang=en.
var accessText = webkit.Catalogue{
	"title":          {"县级中心登录", "County hub login"},
	"user":           {"用户名", "User name"},
	"password":       {"密码", "Password"},
	"login":          {"登录", "Log in"},
	"logout":         {"退出登录", "Log out"},
	"lang_switch":    {"English", "中文"},
	"login_failed":   {"用户名或密码错误", "Wrong user name or password"},
	"locked":         {"登录失败次数过多，请稍后再试", "Too many failed logins; try again later"},
	"login_required": {"请先登录", "Please log in"},
	"forbidden":      {"您的角色无权执行此操作", "Your role does not allow this"},
	"csrf":           {"表单已过期，请返回刷新后重试", "The form has expired; go back, reload and try again"},
	"bad_request":    {"请求格式错误", "Malformed request"},
	"internal":       {"内部错误", "Internal error"},
	"json_only":      {"请求须为 JSON（Content-Type: application/json）", "The request must be JSON (Content-Type: application/json)"},
}

// hubText is the hub's one text catalogue: webkit's own texts (the guard's
// refusals among them), the access layer's and the pages'.
var hubText = webkit.Texts.With(accessText, webText, requestText, assignText, healthText, dashPageText, peopleText,
	programmeText, serviceText)

// tr is the text of key in lang (the key itself when unknown).
func tr(lang, key string) string { return hubText.T(lang, key) }

// pageLangs is how pages pick a language: ?lang= (remembered in the cookie),
// else the cookie, else Chinese.
var pageLangs = webkit.LangOptions{Cookie: langCookie}

// langOf picks a page's language, remembering a ?lang= choice.
func langOf(w http.ResponseWriter, r *http.Request) string { return pageLangs.Choose(w, r) }

// pageLang is langOf without remembering a choice.
func pageLang(r *http.Request) string { return pageLangs.Choose(discardHeaders{}, r) }

// discardHeaders is a ResponseWriter for choosing a language without setting
// its cookie.
type discardHeaders struct{}

func (discardHeaders) Header() http.Header         { return http.Header{} }
func (discardHeaders) Write(b []byte) (int, error) { return len(b), nil }
func (discardHeaders) WriteHeader(int)             {}

// apiLang is the language of API messages: ?lang=en, else Chinese. The API
// sets no cookie and reads none, not even this one.
func apiLang(r *http.Request) string {
	if r.URL.Query().Get("lang") == "en" {
		return "en"
	}
	return "zh"
}

// remoteHost is the client's address, as the audit log records it: the
// peer's IP, or behind a trusted proxy (hub serve --trusted-proxy) the
// client's that X-Forwarded-For names (webkit.TrustedProxies.Handler has
// set RemoteAddr to it).
func remoteHost(r *http.Request) string { return webkit.ClientHost(r) }

// secureHeaders keeps administrators' pages and API answers out of caches
// (webkit.Guard has set the security headers of every response).
func secureHeaders(w http.ResponseWriter) {
	w.Header().Set("Cache-Control", "no-store")
}

// writeJSON writes v as JSON that no cache keeps (webkit.WriteJSON).
func writeJSON(w http.ResponseWriter, status int, v any) { webkit.WriteJSON(w, status, v) }

// writeJSONError answers {"error": msg} (webkit.WriteError).
func writeJSONError(w http.ResponseWriter, status int, msg string) {
	webkit.WriteError(w, status, webkit.ErrorBody{Error: msg})
}

// apiFor lets through API requests with a live bearer token of a role that
// holds perm: 401 without one, 403 for a role without perm. Cookies are not
// accepted, so the API needs no CSRF token.
func (h *server) apiFor(perm access.Permission, next http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		secureHeaders(w)
		lang := apiLang(r)
		tok, _ := webkit.BearerToken(r)
		a, err := h.session(r.Context(), tok, access.SessionAPI, true)
		if err != nil {
			if !errors.Is(err, access.ErrNoSession) {
				h.log.ErrorContext(r.Context(), "api authentication", "err", err)
				writeJSONError(w, http.StatusInternalServerError, tr(lang, "internal"))
				return
			}
			w.Header().Set("WWW-Authenticate", `Bearer realm="fieldsync hub"`)
			writeJSONError(w, http.StatusUnauthorized, tr(lang, "login_required"))
			return
		}
		a.Remote = remoteHost(r)
		webkit.NoteUser(r.Context(), a.Name)
		if !a.Role.Can(perm) {
			writeJSONError(w, http.StatusForbidden, tr(lang, "forbidden"))
			return
		}
		next(w, r.WithContext(access.WithAdmin(r.Context(), a)))
	})
}

// pageFor lets through page requests with a live web session of a role that
// holds perm: a redirect to /login without one, 403 for a role without perm.
// A POST must carry the session's CSRF token in the form field csrf.
func (h *server) pageFor(perm access.Permission, next http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		secureHeaders(w)
		lang := langOf(w, r)
		a, ok := h.webSession(w, r, lang)
		if !ok {
			return
		}
		if r.Method == http.MethodPost && !h.checkFormCSRF(w, r, a.SessionHash(), lang) {
			return
		}
		if !a.Role.Can(perm) {
			http.Error(w, tr(lang, "forbidden"), http.StatusForbidden)
			return
		}
		next(w, r.WithContext(access.WithAdmin(r.Context(), a)))
	})
}

// webSession finds the request's web session, or answers with a redirect to
// the login page (or an error) and returns false.
func (h *server) webSession(w http.ResponseWriter, r *http.Request, lang string) (*access.Admin, bool) {
	tok := cookieToken(r)
	// A status page refreshing itself does not restart the idle timer.
	a, err := h.session(r.Context(), tok, access.SessionWeb, r.URL.Query().Get("auto") == "")
	if err != nil {
		if !errors.Is(err, access.ErrNoSession) {
			h.log.ErrorContext(r.Context(), "web authentication", "err", err)
			http.Error(w, tr(lang, "internal"), http.StatusInternalServerError)
			return nil, false
		}
		if _, err := r.Cookie(sessionCookie); err == nil {
			webkit.ClearCookie(w, r, sessionCookie)
		}
		http.Redirect(w, r, "/login", http.StatusSeeOther)
		return nil, false
	}
	a.Remote = remoteHost(r)
	webkit.NoteUser(r.Context(), a.Name)
	return a, true
}

// checkFormCSRF parses a posted form and checks its csrf field, in constant
// time, against the token of binding (the session's hash, or before login
// the login form's cookie); it answers 403 and returns false when they
// differ.
func (h *server) checkFormCSRF(w http.ResponseWriter, r *http.Request, binding []byte, lang string) bool {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		http.Error(w, tr(lang, "bad_request"), http.StatusBadRequest)
		return false
	}
	if !h.csrf.Valid(binding, r.PostFormValue("csrf")) {
		h.log.WarnContext(r.Context(), "form without a valid CSRF token", "path", r.URL.Path, "remote", remoteHost(r))
		http.Error(w, tr(lang, "csrf"), http.StatusForbidden)
		return false
	}
	return true
}

var loginTmpl = mustTemplate("login", template.FuncMap{"tr": tr}, false)

// renderLogin shows the login form with its CSRF token, bound to this
// browser by a cookie (webkit.CSRF.Binding).
func (h *server) renderLogin(w http.ResponseWriter, r *http.Request, lang string, status int, user, msg string) {
	tok := h.csrf.Token(h.csrf.Binding(w, r))
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	err := loginTmpl.Execute(w, map[string]any{"Hub": h.Name(), "Lang": lang, "CSRF": tok, "User": user, "Error": msg})
	if err != nil {
		h.log.WarnContext(r.Context(), "login page", "err", err)
	}
}

func (h *server) pageLogin(w http.ResponseWriter, r *http.Request) {
	secureHeaders(w)
	lang := langOf(w, r)
	if tok := cookieToken(r); tok != "" {
		if _, err := h.session(r.Context(), tok, access.SessionWeb, false); err == nil {
			http.Redirect(w, r, "/", http.StatusSeeOther)
			return
		}
	}
	h.renderLogin(w, r, lang, http.StatusOK, "", "")
}

func (h *server) postLogin(w http.ResponseWriter, r *http.Request) {
	secureHeaders(w)
	lang := langOf(w, r)
	if !h.checkFormCSRF(w, r, h.csrf.RequestBinding(r), lang) {
		return
	}
	user := r.PostFormValue("user")
	_, err := h.login(r, user, r.PostFormValue("password"), access.SessionWeb)
	var locked *webkit.LockedError
	switch {
	case errors.As(err, &locked):
		h.renderLogin(w, r, lang, http.StatusTooManyRequests, user, tr(lang, "locked"))
		return
	case errors.Is(err, access.ErrLoginFailed):
		h.renderLogin(w, r, lang, http.StatusUnauthorized, user, tr(lang, "login_failed"))
		return
	case err != nil:
		h.log.ErrorContext(r.Context(), "login", "err", err)
		http.Error(w, tr(lang, "internal"), http.StatusInternalServerError)
		return
	}
	webkit.ClearCookie(w, r, loginCSRF)
	// A session this browser had before ends (one browser, one session); the
	// cookie ends with the browser, the session after AdminIdle without use.
	if _, err := h.sessions.Start(r.Context(), w, r, user); err != nil {
		h.log.ErrorContext(r.Context(), "login", "err", err)
		http.Error(w, tr(lang, "internal"), http.StatusInternalServerError)
		return
	}
	h.acc.RecordLogin(r.Context(), user, access.SessionWeb, remoteHost(r))
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

func (h *server) postLogout(w http.ResponseWriter, r *http.Request) {
	secureHeaders(w)
	lang := langOf(w, r)
	a, ok := h.webSession(w, r, lang)
	if !ok || !h.checkFormCSRF(w, r, a.SessionHash(), lang) {
		return
	}
	if err := h.sessions.End(r.Context(), w, r); err != nil {
		h.log.ErrorContext(r.Context(), "logout", "err", err)
		http.Error(w, tr(lang, "internal"), http.StatusInternalServerError)
		return
	}
	h.acc.RecordLogout(r.Context(), a)
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}

// login checks an administrator's password within the lock-out
// (webkit.Limiter, per user name and per address); kind is how the login
// came (the caller opens the session). A locked-out attempt is a *webkit.LockedError; failures and locks are
// logged through webkit (no password, no unknown name) and locks recorded in
// the audit log.
func (h *server) login(r *http.Request, user, password, kind string) (access.Role, error) {
	ctx, key := r.Context(), webkit.RemoteKey(r)
	if err := h.limiter.Begin(user, key); err != nil {
		webkit.LogLocked(ctx, h.log, r, kind)
		return "", err
	}
	role, known, err := h.acc.Login(ctx, user, password, remoteHost(r), kind)
	outcome := webkit.Succeeded
	switch {
	case errors.Is(err, access.ErrLoginFailed):
		outcome = webkit.Failed
	case err != nil:
		outcome = webkit.Undecided
	}
	userLocked, remoteLocked := h.limiter.Finish(user, key, outcome)
	if outcome != webkit.Undecided {
		webkit.LogLogin(ctx, h.log, r, kind, user, known, outcome)
	}
	if userLocked || remoteLocked {
		h.log.WarnContext(ctx, "login locked out", "remote", key, "via", kind, "user_locked", userLocked,
			"address_locked", remoteLocked)
		h.acc.RecordLockout(ctx, user, known, remoteHost(r), userLocked, remoteLocked)
	}
	return role, err
}

// LoginResponse is the answer of POST /api/login.
type LoginResponse struct {
	Token   string      `json:"token"`
	Expires time.Time   `json:"expires"`
	User    string      `json:"user"`
	Role    access.Role `json:"role"`
}

func (h *server) apiLogin(w http.ResponseWriter, r *http.Request) {
	secureHeaders(w)
	lang := apiLang(r)
	var req struct {
		User     string `json:"user"`
		Password string `json:"password"`
	}
	// Only JSON: a page of another site can post text/plain (or a form)
	// without asking the browser first, and so drive an administrator's
	// lock-out from their own browser; application/json it cannot.
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/json" {
		writeJSONError(w, http.StatusUnsupportedMediaType, tr(lang, "json_only"))
		return
	}
	body, ok := readJSONText(w, r, 4<<10)
	if !ok {
		return
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil || req.User == "" {
		writeJSONError(w, http.StatusBadRequest, tr(lang, "bad_request"))
		return
	}
	role, err := h.login(r, req.User, req.Password, access.SessionAPI)
	var locked *webkit.LockedError
	switch {
	case errors.As(err, &locked):
		w.Header().Set("Retry-After", strconv.Itoa(max(1, int(math.Ceil(locked.Until.Sub(h.now()).Seconds())))))
		writeJSONError(w, http.StatusTooManyRequests, tr(lang, "locked"))
		return
	case errors.Is(err, access.ErrLoginFailed):
		writeJSONError(w, http.StatusUnauthorized, tr(lang, "login_failed"))
		return
	case err != nil:
		h.log.ErrorContext(r.Context(), "api login", "err", err)
		writeJSONError(w, http.StatusInternalServerError, tr(lang, "internal"))
		return
	}
	tok, sess, err := h.sessions.Issue(r.Context(), req.User, h.acc.Options().TokenTTL)
	if err != nil {
		h.log.ErrorContext(r.Context(), "api login", "err", err)
		writeJSONError(w, http.StatusInternalServerError, tr(lang, "internal"))
		return
	}
	h.acc.RecordLogin(r.Context(), req.User, access.SessionAPI, remoteHost(r))
	writeJSON(w, http.StatusOK, LoginResponse{Token: tok, Expires: sess.Expires.UTC(), User: req.User, Role: role})
}

func (h *server) apiLogout(w http.ResponseWriter, r *http.Request) {
	a, _ := access.AdminFrom(r.Context())
	if err := h.acc.DeleteSession(r.Context(), a.SessionHash()); err != nil {
		h.log.ErrorContext(r.Context(), "api logout", "err", err)
		writeJSONError(w, http.StatusInternalServerError, tr(apiLang(r), "internal"))
		return
	}
	h.acc.RecordLogout(r.Context(), a)
	w.WriteHeader(http.StatusNoContent)
}

func (h *server) apiAudit(w http.ResponseWriter, r *http.Request) {
	limit, _ := strconv.Atoi(r.URL.Query().Get("limit"))
	entries, err := h.acc.AuditLog(r.Context(), limit)
	if err != nil {
		h.log.ErrorContext(r.Context(), "audit log", "err", err)
		writeJSONError(w, http.StatusInternalServerError, tr(apiLang(r), "internal"))
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"entries": entries})
}
