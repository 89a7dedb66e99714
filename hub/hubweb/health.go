package hubweb

import (
	"context"
	"errors"
	"net/http"
	"time"

	"fieldsync/hub/access"
	"fieldsync/hub/hubmetrics"
	"fieldsync/webkit"
)

// healthTimeout bounds the health check's query: a database stuck behind a
// lock answers 503, not never.
const healthTimeout = 5 * time.Second

// routesHealth adds the probes a service manager or load balancer asks,
// without login, and /metrics:
//
//	GET /healthz   200 "ok" while the database answers, else 503 and why
//	GET /readyz    200 "ok" once the dashboard's live facts are loaded, else 503 "loading"
//	GET /metrics   Prometheus text, for an administrator's session or bearer
//	               token (unless hub serve --metrics-addr serves it apart)
func (h *server) routesHealth(mux *http.ServeMux, m *hubmetrics.Metrics, metricsHere bool) {
	mux.HandleFunc("GET /healthz", h.healthz)
	mux.HandleFunc("GET /readyz", h.readyz)
	if metricsHere && m != nil {
		mux.Handle("GET /metrics", h.adminOnly(m.Handler(h.log)))
	}
}

func (h *server) healthz(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	ctx, cancel := context.WithTimeout(r.Context(), healthTimeout)
	defer cancel()
	if err := h.Ping(ctx); err != nil {
		// The error names the database's trouble (locked, disk I/O), never
		// a record.
		h.log.WarnContext(r.Context(), "health check failed", "err", err)
		http.Error(w, "database: "+healthReason(err), http.StatusServiceUnavailable)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Write([]byte("ok\n"))
}

// healthReason is the short reason a failed check gives.
func healthReason(err error) string {
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return "no answer within " + healthTimeout.String()
	case errors.Is(err, context.Canceled):
		return "check cancelled"
	}
	return err.Error()
}

func (h *server) readyz(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	if !h.Ready() {
		http.Error(w, "loading", http.StatusServiceUnavailable)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Write([]byte("ok\n"))
}

// adminOnly lets through an administrator with a bearer token (API) or a
// web session (cookie) whose role may view the hub: 401 otherwise (no
// redirect: scrapers are not browsers), 403 for a role that may not.
func (h *server) adminOnly(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		secureHeaders(w)
		lang := apiLang(r)
		kind, tok := access.SessionAPI, ""
		if t, ok := webkit.BearerToken(r); ok {
			tok = t
		} else {
			kind, tok = access.SessionWeb, cookieToken(r)
		}
		a, err := h.session(r.Context(), tok, kind, false)
		if err != nil {
			if !errors.Is(err, access.ErrNoSession) {
				h.log.ErrorContext(r.Context(), "metrics authentication", "err", err)
				http.Error(w, tr(lang, "internal"), http.StatusInternalServerError)
				return
			}
			w.Header().Set("WWW-Authenticate", `Bearer realm="fieldsync hub"`)
			http.Error(w, tr(lang, "login_required"), http.StatusUnauthorized)
			return
		}
		webkit.NoteUser(r.Context(), a.Name)
		if !a.Role.Can(access.PermView) {
			http.Error(w, tr(lang, "forbidden"), http.StatusForbidden)
			return
		}
		next.ServeHTTP(w, r)
	})
}
